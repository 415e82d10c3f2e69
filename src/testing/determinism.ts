/**
 * A determinism self-test for a lockstep engine (seed 004: "the same seed, configuration and
 * command sequence give the same state on every machine"). It runs two engines side by side
 * on the same masters, a third that is saved and restored (into a fresh engine) in the middle,
 * and compares their checksums after every turn. Running the two side by side, step by step,
 * also catches state shared between engine instances (a module-level cache, a global PRNG).
 */
import fc from 'fast-check';
import type { DeterministicEngine, MasterPacket, SeatCommands } from '../sync/lockstep/types.js';
import { applyMaster } from '../sync/lockstep/types.js';

export interface DeterminismOptions<C, Config> {
  readonly seed: number;
  readonly config: Config;
  readonly players: readonly string[];
  /** The masters to apply; or generate them from `commandArbitrary`. */
  readonly masters?: readonly MasterPacket<C>[];
  /** Commands drawn (seeded by `seed`) for `turns` turns when `masters` is not given. */
  readonly commandArbitrary?: fc.Arbitrary<C>;
  /** Turns to generate. Default 200. */
  readonly turns?: number;
  /** Engine iterations per generated turn. Default 1. */
  readonly iterations?: number;
  /** Save (`snapshot`) after this many turns and restore into a fresh engine. Default: half-way. */
  readonly saveRestoreAt?: number;
}

export interface DeterminismReport {
  readonly turns: number;
  /** The checksum after each turn (every run agreed on it). */
  readonly checksums: readonly string[];
}

/** Thrown when two runs that should agree disagree, with the first turn where they do. */
export class DeterminismError extends Error {
  constructor(
    readonly run: 'replay' | 'save-restore',
    readonly turn: number,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `The engine is not deterministic: the ${run} run's checksum after turn ${turn} is ${actual}, expected ${expected}. ` +
        (run === 'replay'
          ? 'Look for Math.random, Date.now, floating-point state or state shared between engine instances.'
          : 'snapshot() or restore() loses or aliases part of the state.'),
    );
    this.name = 'DeterminismError';
  }
}

/** Masters for `turns` turns: each player gets 0-3 commands drawn from `command` (seeded). */
export function generateMasters<C>(
  command: fc.Arbitrary<C>,
  options: { seed: number; players: readonly string[]; turns: number; iterations?: number },
): MasterPacket<C>[] {
  const turn = fc.array(fc.array(command, { maxLength: 3 }), {
    minLength: options.players.length,
    maxLength: options.players.length,
  });
  const drawn = fc.sample(turn, { seed: options.seed, numRuns: options.turns });
  return drawn.map((lists, index) => ({
    turn: index,
    commands: lists
      .map((commands, i): SeatCommands<C> => ({ seat: options.players[i] as string, commands }))
      .filter((entry) => entry.commands.length > 0),
    turn_ms: 100,
    iterations: options.iterations ?? 1,
  }));
}

/**
 * @example
 * const report = checkDeterminism(createArenaEngine, {
 *   seed: 42, config: { respawnTicks: 40 }, players: ['p1', 'p2'], commandArbitrary: arenaCommandArb,
 * });
 * expect(report.turns).toBe(200);
 */
export function checkDeterminism<C, Config>(
  createEngine: () => DeterministicEngine<C, Config>,
  options: DeterminismOptions<C, Config>,
): DeterminismReport {
  const masters =
    options.masters ??
    (options.commandArbitrary
      ? generateMasters(options.commandArbitrary, {
          seed: options.seed,
          players: options.players,
          turns: options.turns ?? 200,
          ...(options.iterations !== undefined ? { iterations: options.iterations } : {}),
        })
      : undefined);
  if (!masters)
    throw new Error('checkDeterminism needs `masters` or a `commandArbitrary` to draw them from.');
  const saveAt = options.saveRestoreAt ?? Math.floor(masters.length / 2);
  const start = () => {
    const engine = createEngine();
    engine.init(options.seed, options.config, options.players);
    return engine;
  };

  const first = start();
  const second = start();
  if (!first.snapshot || !first.restore) {
    throw new Error('The engine has no snapshot()/restore(): the save/restore run needs them.');
  }
  let third: DeterministicEngine<C, Config> | undefined;
  const checksums: string[] = [];
  for (const [index, master] of masters.entries()) {
    if (index === saveAt) {
      // Restore the first engine's save into a fresh engine (initialised with another seed, so
      // nothing leaks through init); the first engine goes on, so a save that aliases its live
      // state shows up as a divergence.
      third = createEngine();
      third.init(options.seed + 1, options.config, options.players);
      third.restore?.(first.snapshot?.());
    }
    applyMaster(first, master);
    applyMaster(second, master);
    if (third) applyMaster(third, master);
    const expected = first.checksum();
    const replayed = second.checksum();
    if (replayed !== expected) throw new DeterminismError('replay', master.turn, expected, replayed);
    const restored = third?.checksum();
    if (restored !== undefined && restored !== expected) {
      throw new DeterminismError('save-restore', master.turn, expected, restored);
    }
    checksums.push(expected);
  }
  return { turns: masters.length, checksums };
}
