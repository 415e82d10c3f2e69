/**
 * MasterLog (master-log.ts): the turn log kept as JSON text gives back every master exactly as
 * it was issued, in order, and refuses a master out of turn.
 */
import fc from 'fast-check';
import { MasterLog } from 'chartroom/sync/lockstep';
import type { MasterPacket } from 'chartroom/sync/lockstep';
import { describe, expect, it } from 'vitest';

/** A JSON command: what a validated command packet can carry. */
const commandArb = fc.record({
  kind: fc.constantFrom('move', 'attack', 'build'),
  x: fc.integer({ min: -1000, max: 1000 }),
  y: fc.integer({ min: -1000, max: 1000 }),
  note: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
});

const mastersArb = fc
  .array(
    fc.record({
      commands: fc.array(
        fc.record({
          seat: fc.constantFrom('p1', 'p2', 'p3'),
          commands: fc.array(commandArb, { minLength: 1, maxLength: 3 }),
        }),
        { maxLength: 3 },
      ),
      turn_ms: fc.integer({ min: 30, max: 1000 }),
      iterations: fc.integer({ min: 1, max: 32 }),
      checksum: fc.option(
        fc.nat().map((n) => n.toString(16).padStart(8, '0')),
        { nil: undefined },
      ),
    }),
    { maxLength: 30 },
  )
  .map((specs) =>
    specs.map(({ checksum, ...spec }, turn) => {
      const master = { turn, ...spec };
      // An optional field is absent, not undefined, as in a decoded packet.
      const commands = master.commands.map((seat) => ({
        ...seat,
        commands: seat.commands.map(({ note, ...rest }) => (note === undefined ? rest : { ...rest, note })),
      }));
      return (
        checksum === undefined ? { ...master, commands } : { ...master, commands, checksum }
      ) as MasterPacket<unknown>;
    }),
  );

describe('MasterLog', () => {
  it('gives back every master as issued, whole or by range', () => {
    fc.assert(
      fc.property(mastersArb, fc.nat(40), fc.nat(40), (masters, a, b) => {
        const log = new MasterLog<unknown>();
        for (const master of masters) log.push(master);
        expect(log.length).toBe(masters.length);
        expect(log.slice(0)).toEqual(masters);
        expect(log.slice(a, b)).toEqual(masters.slice(a, b));
        expect(log.at(a)).toEqual(masters[a]);
      }),
    );
  });

  it('hands out copies: a reader cannot change the log', () => {
    const log = new MasterLog<{ kind: string }>();
    log.push({
      turn: 0,
      commands: [{ seat: 'p1', commands: [{ kind: 'move' }] }],
      turn_ms: 50,
      iterations: 1,
    });
    const read = log.at(0) as unknown as { commands: { commands: { kind: string }[] }[] };
    (read.commands[0] as { commands: { kind: string }[] }).commands[0] = { kind: 'cheat' };
    expect(log.at(0)?.commands[0]?.commands[0]).toEqual({ kind: 'move' });
  });

  it('keeps text of any script and masters larger than a storage chunk, across chunks', () => {
    const log = new MasterLog<{ say: string }>();
    const says = ['héllo', '日本語のチャット', '🏹 x1500', 'a'.repeat(200_000), '\u0000 "quoted" \\'];
    const masters = Array.from({ length: 2000 }, (_, turn) => ({
      turn,
      commands: [{ seat: 'p1', commands: [{ say: `${says[turn % says.length] as string} #${turn}` }] }],
      turn_ms: 50,
      iterations: 1,
    }));
    for (const master of masters) log.push(master);
    expect(log.length).toBe(2000);
    expect(log.slice(0)).toEqual(masters);
    expect(log.at(-1)).toBeUndefined();
    expect(log.at(2000)).toBeUndefined();
    expect(log.at(1.5)).toBeUndefined();
  });

  it('refuses a master out of turn', () => {
    const log = new MasterLog<unknown>();
    log.push({ turn: 0, commands: [], turn_ms: 50, iterations: 1 });
    expect(() => log.push({ turn: 2, commands: [], turn_ms: 50, iterations: 1 })).toThrow(/expected turn 1/);
    expect(() => log.push({ turn: 0, commands: [], turn_ms: 50, iterations: 1 })).toThrow(/expected turn 1/);
    expect(log.length).toBe(1);
  });
});
