import type { InspectionEvent, Observer } from 'xstate';
import type { ConnectionTiming } from '../../machines/connection.events.js';
import type { Clock } from '../core/clock.js';
import type { ChartroomError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { RoomHost } from './room-host.js';
import type { Metrics } from './metrics.js';
import type { TokenService } from './tokens.js';

/** Limits with their defaults (see `defaultLimits`). */
export interface ServerLimits {
  /** Bad frames a connection may send before it is closed with PROTOCOL_TOO_MANY_ERRORS. */
  readonly maxProtocolErrors: number;
  /** Bytes queued to one peer before it counts as a slow consumer and is closed. */
  readonly maxBufferedBytes: number;
  /** Largest HTTP request body. */
  readonly maxHttpBodyBytes: number;
  /** Lifetime of a join ticket. */
  readonly ticketTtlMs: number;
  /** Lifetime of a resume token (it also dies with its seat). */
  readonly resumeTtlMs: number;
  /** Rooms that stay empty this long (no seats at all) are closed. */
  readonly emptyRoomTtlMs: number;
}

export const defaultLimits: ServerLimits = {
  maxProtocolErrors: 20,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxHttpBodyBytes: 64 * 1024,
  ticketTtlMs: 10 * 60_000,
  resumeTtlMs: 24 * 60 * 60_000,
  emptyRoomTtlMs: 5 * 60_000,
};

/** The connection chart's timing, and how a server spreads its connections' heartbeats. */
export interface ServerTiming extends ConnectionTiming {
  /**
   * Share of `heartbeatIntervalMs` over which the server spreads its connections' intervals
   * (each gets one within the last `heartbeatSpread` of it), so connections opened together do
   * not all ping, and all answer, in the same few milliseconds every interval after. 0: every
   * connection pings exactly every `heartbeatIntervalMs`. Default 0.2.
   */
  readonly heartbeatSpread: number;
}

export const defaultTiming: ServerTiming = {
  handshakeTimeoutMs: 10_000,
  heartbeatIntervalMs: 15_000,
  heartbeatTimeoutMs: 10_000,
  gracePeriodMs: 60_000,
  heartbeatSpread: 0.2,
};

/** What connection hosts share: the server's rooms and services. */
export interface ServerContext {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly tokens: TokenService;
  readonly metrics: Metrics;
  readonly timing: ServerTiming;
  readonly limits: ServerLimits;
  room(roomId: string): RoomHost | undefined;
  /** XState inspection of every connection actor (the server's `inspect` option). */
  readonly inspect?: Observer<InspectionEvent> | undefined;
  /**
   * Multi-node (docs/scaling.md): the refusal for a room that is not on this node (ROOM_MOVED
   * naming its node, or ROOM_CLOSED with the reason it was closed); undefined when no node knows it.
   */
  readonly elsewhere?: ((roomId: string) => Promise<ChartroomError | undefined>) | undefined;
}
