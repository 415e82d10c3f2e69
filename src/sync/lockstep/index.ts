/**
 * `chartroom/sync/lockstep`: deterministic lockstep rooms (seed 004, the Age of Empires model).
 *
 * @example
 * const arena = defineRoom({
 *   name: 'arena',
 *   messages: defineMessages({ client: {}, server: {} }),
 *   config: { schema: arenaConfig, initial: { map: 'plains' } },
 *   sync: lockstep({ command: arenaCommand, inputDelayTurns: 2, lagPolicy: 'drop' }),
 *   options: { capacity: 8, minPlayers: 2 },
 * });
 */
import type { z } from 'zod';
import type { SyncModel } from '../../core/sync.js';
import type { TurnTimingOptions } from './adapt.js';
import { createLockstepEngine } from './engine.js';
import type { LockstepEngine, LockstepSettings } from './engine.js';
import { defaultLockstepLimits, lockstepMessages } from './messages.js';
import type { LockstepLimits, LockstepMessages } from './messages.js';
import type { TurnLogStore } from './master-log.js';
import type { DeterministicEngine } from './types.js';

export interface LockstepOptions<C extends z.ZodType> {
  /** Schema of one game command: every command of every packet is validated against it once. */
  readonly command: C;
  /** Turns between sending a command and executing it. Default 2. */
  readonly inputDelayTurns?: number;
  /** Turn timing; defaults: baseTurnMs 100, minTurnMs 30, maxTurnMs 1000, stepMs 50, maxIterations 32, jitterMarginMs 10. */
  readonly timing?: Partial<Omit<TurnTimingOptions, 'inputDelayTurns'>>;
  /**
   * How long a turn may wait for a late packet silently, before the room is paused as lagging
   * and everyone is told who holds it up (`ls.lag`). Default 250: jitter of a few turns is
   * absorbed without a "waiting for player" flash on every screen.
   */
  readonly lagGraceMs?: number;
  /** How long a missing packet may hold the game once the room is lagging. Default 3000. */
  readonly lagLimitMs?: number;
  /** After lagLimitMs: drop the missing players (their turns become empty) or stay paused. Default 'drop'. */
  readonly lagPolicy?: 'drop' | 'wait';
  /** Unacknowledged masters are re-sent after this long. Default 500. */
  readonly resendAfterMs?: number;
  /** Packets further ahead than next turn + input delay + this are refused. Default 64. */
  readonly maxTurnsAhead?: number;
  /** Turns between adaptive timing decisions. Default 10. */
  readonly adaptEveryTurns?: number;
  readonly limits?: Partial<LockstepLimits>;
  /**
   * A deterministic engine the server runs as the authority (then every master carries the
   * server's checksum). Default: none, no game code runs on the server.
   */
  readonly authority?: () => DeterministicEngine<z.output<C>>;
  /**
   * Where each room's turn log puts all but its last few hundred turns, so a long match's
   * memory stays bounded (an 8-player room writes about 47 MB an hour). Default: none, the
   * whole log stays in memory. `fileTurnLogStore()` from `chartroom/sync/lockstep/node` keeps
   * it in a file per room, deleted when the room ends (export a room's log before that).
   */
  readonly turnLogStore?: (roomId: string) => TurnLogStore;
}

export interface LockstepModel<C extends z.ZodType> extends SyncModel {
  readonly messages: LockstepMessages<C>;
  readonly inputDelayTurns: number;
  create(host: Parameters<SyncModel['create']>[0]): LockstepEngine<z.output<C>>;
}

export function lockstep<C extends z.ZodType>(options: LockstepOptions<C>): LockstepModel<C> {
  const limits = { ...defaultLockstepLimits, ...options.limits };
  const inputDelayTurns = options.inputDelayTurns ?? 2;
  const settings: LockstepSettings<z.output<C>> = {
    inputDelayTurns,
    timing: {
      baseTurnMs: 100,
      minTurnMs: 30,
      maxTurnMs: 1000,
      stepMs: 50,
      maxIterations: 32,
      jitterMarginMs: 10,
      ...options.timing,
      inputDelayTurns,
    },
    lagGraceMs: options.lagGraceMs ?? 250,
    lagLimitMs: options.lagLimitMs ?? 3000,
    lagPolicy: options.lagPolicy ?? 'drop',
    resendAfterMs: options.resendAfterMs ?? 500,
    maxTurnsAhead: options.maxTurnsAhead ?? 64,
    adaptEveryTurns: options.adaptEveryTurns ?? 10,
    catchupChunk: limits.catchupChunk,
    authority: options.authority,
    turnLogStore: options.turnLogStore,
  };
  return {
    name: 'lockstep',
    messages: lockstepMessages(options.command, limits),
    inputDelayTurns,
    create: (host) => createLockstepEngine(host, settings),
  };
}

export { createLockstepEngine } from './engine.js';
export type { LockstepEngine, LockstepSettings } from './engine.js';
export { lockstepMessages, defaultLockstepLimits } from './messages.js';
export type { LockstepLimits, LockstepMessages } from './messages.js';
export { targetTiming, nextTiming } from './adapt.js';
export type { PlayerTiming, TurnTiming, TurnTimingOptions } from './adapt.js';
export { ChecksumBook } from './checksums.js';
export { MasterLog } from './master-log.js';
export type { MasterLogOptions, TurnLogStore } from './master-log.js';
export { replay } from './turn-log.js';
export type { ReplayResult, TurnLog } from './turn-log.js';
export { applyMaster } from './types.js';
export type { DeterministicEngine, Divergence, MasterPacket, SeatCommands } from './types.js';
