/**
 * Turn-log replay (turn-log.ts): re-running a match from its log reproduces it, and stops at
 * the first turn whose checksum disagrees with the recorded one.
 */
import fc from 'fast-check';
import { applyMaster, replay } from 'chartroom/sync/lockstep';
import type { MasterPacket, TurnLog } from 'chartroom/sync/lockstep';
import { describe, expect, it } from 'vitest';
import { counterEngine } from './support/engines.js';

const mastersArb = fc.array(
  fc.record({
    commands: fc.array(
      fc.record({
        seat: fc.constantFrom('p1', 'p2'),
        commands: fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
      }),
      {
        maxLength: 2,
      },
    ),
    iterations: fc.integer({ min: 1, max: 4 }),
  }),
  { minLength: 1, maxLength: 40 },
);

/** A log as the engine exports it: masters and the checksum after each turn, from a reference run. */
function logOf(
  specs: { commands: MasterPacket<number>['commands']; iterations: number }[],
  seed = 9,
): TurnLog<number> {
  const engine = counterEngine();
  engine.init(seed, {}, ['p1', 'p2']);
  const masters: MasterPacket<number>[] = [];
  const checksums: [number, string][] = [];
  specs.forEach((spec, turn) => {
    const master = { turn, commands: spec.commands, turn_ms: 100, iterations: spec.iterations };
    applyMaster(engine, master);
    masters.push(master);
    checksums.push([turn, engine.checksum()]);
  });
  return { version: 1, roomId: 'r', seed, config: {}, players: ['p1', 'p2'], masters, checksums };
}

describe('replay', () => {
  it('re-runs a whole log (also after a JSON round trip) and ends at the recorded final checksum', () => {
    fc.assert(
      fc.property(mastersArb, (specs) => {
        const log = logOf(specs);
        const result = replay(JSON.parse(JSON.stringify(log)) as TurnLog<number>, counterEngine());
        expect(result.divergedAt).toBeUndefined();
        expect(result.turns).toBe(specs.length);
        expect(result.checksum).toBe(log.checksums.at(-1)?.[1]);
      }),
    );
  });

  it('stops at the first turn whose recorded checksum disagrees, whatever later turns record', () => {
    fc.assert(
      fc.property(mastersArb, fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), (specs, picks) => {
        const log = logOf(specs);
        const bad = new Set(picks.map((p) => p % specs.length));
        const first = Math.min(...bad);
        const tampered = {
          ...log,
          checksums: log.checksums.map(([turn, sum]) => [turn, bad.has(turn) ? `x${sum}` : sum] as const),
        };
        const result = replay(tampered, counterEngine());
        expect(result.turns).toBe(first + 1);
        expect(result.divergedAt).toEqual({
          turn: first,
          expected: `x${log.checksums[first]![1]}`,
          actual: log.checksums[first]![1],
        });
        expect(result.checksum).toBe(log.checksums[first]![1]);
      }),
    );
  });

  it('finds the turn where a master was altered (an engine fed other commands diverges there)', () => {
    fc.assert(
      fc.property(mastersArb, fc.nat(), fc.integer({ min: 1, max: 1000 }), (specs, pick, extra) => {
        const log = logOf(specs);
        const turn = pick % specs.length;
        const masters = log.masters.map((m) =>
          m.turn === turn ? { ...m, commands: [...m.commands, { seat: 'p2', commands: [extra] }] } : m,
        );
        const result = replay({ ...log, masters }, counterEngine());
        expect(result.divergedAt?.turn).toBe(turn);
        expect(result.turns).toBe(turn + 1);
      }),
    );
  });

  it('checks a turn against the authority checksum carried by its master when the log has no agreed one', () => {
    const log = logOf([
      { commands: [], iterations: 1 },
      { commands: [{ seat: 'p1', commands: [5] }], iterations: 2 },
      { commands: [], iterations: 1 },
    ]);
    const masters = log.masters.map((m) =>
      m.turn === 1 ? { ...m, checksum: 'authority-says-otherwise' } : m,
    );
    const result = replay(
      { ...log, masters, checksums: log.checksums.filter(([t]) => t !== 1) },
      counterEngine(),
    );
    expect(result.divergedAt).toMatchObject({ turn: 1, expected: 'authority-says-otherwise' });
    // Without any recorded checksum, replay runs every turn and judges nothing.
    const bare = replay({ ...log, checksums: [] }, counterEngine());
    expect(bare).toEqual({ turns: 3, checksum: log.checksums[2]![1] });
  });
});
