import type { DeterministicEngine, MasterPacket } from './types.js';
import { applyMaster } from './types.js';

/**
 * Everything needed to re-run a match: seed, setup configuration, players and every master
 * packet, plus the checksums the players agreed on. Kept per room by the engine (outside the
 * chart's context: it grows with the match) and exportable as JSON.
 */
export interface TurnLog<C = unknown> {
  readonly version: 1;
  readonly roomId: string;
  readonly seed: number;
  readonly config: unknown;
  readonly players: readonly string[];
  readonly masters: readonly MasterPacket<C>[];
  /** Agreed (or authority) checksum after each turn, where known: `[turn, checksum]`. */
  readonly checksums: readonly (readonly [number, string])[];
}

export interface ReplayResult {
  /** Turns applied. */
  readonly turns: number;
  /** The first turn whose checksum disagrees with the log, if any. */
  readonly divergedAt?: { readonly turn: number; readonly expected: string; readonly actual: string };
  /** The engine's checksum after the last applied turn. */
  readonly checksum: string;
}

/**
 * Re-run a match from its log and stop at the first turn whose checksum disagrees with the
 * recorded one.
 *
 * @example
 * const result = replay(JSON.parse(await readFile('match.json', 'utf8')), createArenaEngine());
 * if (result.divergedAt) console.log(`diverges at turn ${result.divergedAt.turn}`);
 */
export function replay<C>(log: TurnLog<C>, engine: DeterministicEngine<C>): ReplayResult {
  const expected = new Map(log.checksums);
  engine.init(log.seed, log.config, log.players);
  let turns = 0;
  for (const master of log.masters) {
    applyMaster(engine, master);
    turns++;
    const want = expected.get(master.turn) ?? master.checksum;
    if (want === undefined) continue;
    const actual = engine.checksum();
    if (actual !== want)
      return { turns, divergedAt: { turn: master.turn, expected: want, actual }, checksum: actual };
  }
  return { turns, checksum: engine.checksum() };
}
