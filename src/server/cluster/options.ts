import type { RoomJournal } from '../../core/room-journal.js';

/**
 * Several nodes on one shared presence (docs/scaling.md). Every node of a cluster must be given
 * the same `secret` (tokens verify on any node) and `adminSecret`, and the same presence.
 */
export interface ClusterOptions {
  /**
   * Where durable rooms (lockstep) keep their checkpoint and turn log, so that another node can
   * rebuild them when theirs dies: usually the presence's own (`presence.journal`). Without
   * one, a room dies with its node and its players are told ROOM_CLOSED.
   */
  readonly journal?: RoomJournal;
  /** Time between heartbeats. Default 1000. */
  readonly heartbeatMs?: number;
  /** A node missing heartbeats this long is dead and its rooms are recovered. Default 5000. */
  readonly nodeTtlMs?: number;
  /** Time between scans for dead nodes' rooms (and for rooms this node lost). Default 1000. */
  readonly sweepMs?: number;
  /**
   * The node a dead room hashes to (rendezvous hashing) recovers it at once; any other live node
   * tries after this much longer, in case the preferred one is gone too. Default 2000.
   */
  readonly recoveryStaggerMs?: number;
  /** A forwarded room creation not answered in this time fails with CLUSTER_UNAVAILABLE. Default 5000. */
  readonly forwardTimeoutMs?: number;
  /**
   * A recovered running room stays paused until every remaining player is back, or this long.
   * Default 10_000.
   */
  readonly recoveryHoldMs?: number;
  /** A room closed for good is remembered (refusals name why) this long. Default 600_000. */
  readonly closedRoomTtlMs?: number;
}

export type ClusterSettings = Required<Omit<ClusterOptions, 'journal'>> & {
  readonly journal: RoomJournal | undefined;
};

export const defaultClusterSettings: Omit<ClusterSettings, 'journal'> = {
  heartbeatMs: 1000,
  nodeTtlMs: 5000,
  sweepMs: 1000,
  recoveryStaggerMs: 2000,
  forwardTimeoutMs: 5000,
  recoveryHoldMs: 10_000,
  closedRoomTtlMs: 600_000,
};

export function clusterSettings(options: ClusterOptions): ClusterSettings {
  return { ...defaultClusterSettings, ...stripUndefined(options), journal: options.journal };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
