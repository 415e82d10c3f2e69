/**
 * Engines for lockstep tests: the arena engine with its checksum perturbed from a given turn
 * (a divergence injected at that turn), and a tiny counter engine for unit tests.
 */
import type { DeterministicEngine, SeatCommands } from 'chartroom/sync/lockstep';
import { createArenaEngine } from '../../../examples/lockstep-arena/engine.js';
import type { ArenaCommand } from '../../../examples/lockstep-arena/engine.js';
import type { ClientEngine } from './sim.js';

/**
 * The arena engine, except that from `fromTurn` on its checksum carries `tag`: the client
 * reports a state the others do not have. Two engines with the same tag agree with each other.
 */
export function perturbedEngine(fromTurn: number, tag: string): ClientEngine {
  const inner = createArenaEngine();
  let turn = -1;
  return {
    init: (seed, config, players) => inner.init(seed, config as never, players),
    step: (commands) => inner.step(commands),
    checksum: () => (turn >= fromTurn ? `${inner.checksum()}${tag}` : inner.checksum()),
    onTurn(applied) {
      turn = applied;
    },
  };
}

/** A counter: the state is the sum of every command applied plus the number of steps. */
export function counterEngine(): DeterministicEngine<number> & { readonly total: number } {
  let total = 0;
  return {
    get total() {
      return total;
    },
    init(seed) {
      total = seed;
    },
    step(commands: readonly SeatCommands<number>[]) {
      for (const { commands: list } of commands) for (const n of list) total = (total * 31 + n) | 0;
      total = (total + 1) | 0;
    },
    checksum: () => total.toString(16),
  };
}

export type { ArenaCommand };
