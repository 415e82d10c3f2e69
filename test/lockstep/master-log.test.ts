/**
 * MasterLog (master-log.ts): the turn log kept as JSON text gives back every master exactly as
 * it was issued, in order, and refuses a master out of turn.
 */
import fc from 'fast-check';
import { MasterLog } from 'chartroom/sync/lockstep';
import type { MasterPacket, TurnLogStore } from 'chartroom/sync/lockstep';
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

/** One player's one-command turn. */
const master = (turn: number) => ({
  turn,
  commands: [{ seat: 'p1', commands: [{ x: turn }] }],
  turn_ms: 50,
  iterations: 1,
});

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

  it('hands all but the last chunks to a store, reads them back, and frees it on dispose', () => {
    fc.assert(
      fc.property(mastersArb, fc.integer({ min: 0, max: 2 }), fc.nat(40), (masters, keepChunks, from) => {
        const kept = new Map<number, Uint8Array>();
        let disposed = 0;
        const store: TurnLogStore = {
          put: (index, bytes) => {
            expect(kept.has(index)).toBe(false); // Each chunk once.
            kept.set(index, Uint8Array.from(bytes));
          },
          get: (index) => kept.get(index) as Uint8Array,
          dispose: () => void disposed++,
        };
        const log = new MasterLog<unknown>({ store, keepChunks, chunkBytes: 1024 });
        // Thirty turns' worth of these masters, so chunks fill and spill.
        const many = Array.from({ length: 30 }, (_, round) =>
          masters.map((master, i) => ({ ...master, turn: round * masters.length + i })),
        ).flat();
        for (const master of many) log.push(master);
        expect(log.slice(0)).toEqual(many);
        expect(log.slice(from, from + 5)).toEqual(many.slice(from, from + 5));
        // In memory: the chunk being written and at most `keepChunks` before it.
        expect(log.residentBytes).toBeLessThanOrEqual((keepChunks + 1) * Math.max(1024, 3 * 2000));
        log.dispose();
        expect(disposed).toBe(1);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps a long match in bounded memory when it has a store', () => {
    const chunks = new Map<number, Uint8Array>();
    const log = new MasterLog<{ x: number }>({
      store: {
        put: (i, b) => void chunks.set(i, Uint8Array.from(b)),
        get: (i) => chunks.get(i)!,
        dispose: () => undefined,
      },
    });
    for (let turn = 0; turn < 20_000; turn++) log.push(master(turn));
    // Four full 64 KiB chunks and the one being written, however long the match.
    expect(log.residentBytes).toBeLessThanOrEqual(5 * 64 * 1024);
    expect(chunks.size).toBeGreaterThan(0);
    expect(log.at(0)).toEqual(master(0));
    expect(log.at(12_345)).toEqual(master(12_345));
    expect(log.at(19_999)).toEqual(master(19_999));
  });

  it('keeps everything when the store fails (a full disk): the chunk stays in memory, said once', () => {
    const chunks = new Map<number, Uint8Array>();
    let puts = 0;
    const errors: unknown[] = [];
    const log = new MasterLog<{ x: number }>({
      chunkBytes: 1024,
      keepChunks: 0,
      store: {
        put: (i, b) => {
          // The second chunk does not fit on the disk.
          if (++puts === 2) throw new Error('ENOSPC');
          chunks.set(i, Uint8Array.from(b));
        },
        get: (i) => chunks.get(i)!,
        dispose: () => undefined,
      },
      onStoreError: (error) => errors.push(error),
    });
    for (let turn = 0; turn < 200; turn++) log.push(master(turn));
    expect(errors).toHaveLength(1);
    expect(puts).toBe(2); // No more tries after the failure.
    expect(chunks.size).toBe(1);
    expect(log.slice(0)).toEqual(Array.from({ length: 200 }, (_, turn) => master(turn)));
  });
});
