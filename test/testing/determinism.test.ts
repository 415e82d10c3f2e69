import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeterministicEngine } from 'chartroom/sync/lockstep';
import { DeterminismError, checkDeterminism } from 'chartroom/testing';
import { WORLD, createArenaEngine } from '../../examples/lockstep-arena/engine.js';
import type { ArenaCommand, ArenaConfig } from '../../examples/lockstep-arena/engine.js';

const point = { x: fc.integer({ min: 0, max: WORLD }), y: fc.integer({ min: 0, max: WORLD }) };
const arenaCommand: fc.Arbitrary<ArenaCommand> = fc.oneof(
  fc.record({ kind: fc.constant('move' as const), ...point }),
  fc.record({ kind: fc.constant('fire' as const), ...point }),
);
const options = { config: { respawnTicks: 5 }, players: ['p1', 'p2', 'p3'], commandArbitrary: arenaCommand };

/** The arena engine with one flaw injected. */
function flawed(flaw: 'random' | 'lossy-save'): () => DeterministicEngine<ArenaCommand, ArenaConfig> {
  return () => {
    const engine = createArenaEngine();
    if (flaw === 'random') {
      return {
        ...engine,
        step: (commands) => (engine.step(commands), Math.random() < 0.05 && engine.step([])),
      };
    }
    // A save that forgets the PRNG state: respawns after a restore land elsewhere.
    return { ...engine, snapshot: () => ({ ...structuredClone(engine.state), rng: 0 }) };
  };
}

describe('checkDeterminism', () => {
  it('passes the lockstep arena engine: same checksums every turn, across a save and restore', () => {
    for (const seed of [1, 42, 2024]) {
      const report = checkDeterminism(createArenaEngine, {
        ...options,
        seed,
        turns: 300,
        saveRestoreAt: 137,
      });
      expect(report.turns).toBe(300);
      expect(new Set(report.checksums).size).toBeGreaterThan(100);
    }
  });

  it('catches an engine that draws from Math.random', () => {
    expect(() => checkDeterminism(flawed('random'), { ...options, seed: 3 })).toThrow(DeterminismError);
  });

  it('catches a save that loses part of the state, naming the save-restore run', () => {
    const error = (() => {
      try {
        checkDeterminism(flawed('lossy-save'), { ...options, seed: 3, saveRestoreAt: 20 });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DeterminismError);
    expect((error as DeterminismError).run).toBe('save-restore');
  });
});
