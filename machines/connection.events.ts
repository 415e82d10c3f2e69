/** Events and emitted outputs of the connection machine, shared by every protocol. */
import type { Role } from './room.events.js';

export interface ConnectionTiming {
  /** Time to authenticate after the link opens. */
  readonly handshakeTimeoutMs: number;
  /** Time between heartbeat pings (a server spreads its connections' over a share of it: `heartbeatSpread`). */
  readonly heartbeatIntervalMs: number;
  /** Time to answer a ping before the link counts as dead. */
  readonly heartbeatTimeoutMs: number;
  /** Time a seated player may be away and still resume the seat. */
  readonly gracePeriodMs: number;
}

export interface ConnectionInput {
  readonly connectionId: string;
  readonly timing: ConnectionTiming;
}

/** Who the connection is, once its credentials are verified. */
export interface Identity {
  readonly userId: string;
  readonly name: string;
  /** The room the credentials were issued for. */
  readonly roomId: string;
  readonly role?: Role;
}

/** The seat a connection holds. */
export interface SeatRef {
  readonly roomId: string;
  readonly seatId: string;
  readonly role: Role;
}

/** Messages forwarded to the room once seated (the protocol-neutral intents that rooms handle). */
export type RoomIntent =
  | { readonly kind: 'ready'; readonly ready: boolean }
  | { readonly kind: 'setup'; readonly command: unknown }
  | { readonly kind: 'pause'; readonly paused: boolean }
  | { readonly kind: 'game'; readonly type: string; readonly payload: unknown; readonly requestId?: number }
  | { readonly kind: 'reply'; readonly requestId: number; readonly ok: boolean; readonly payload: unknown };

/** A registry error code (see src/core/errors.ts) and a message. */
export interface CloseReason {
  readonly code: string;
  readonly message: string;
}

export type ConnectionEvent =
  | { readonly type: 'LINK_OPEN' }
  | { readonly type: 'LINK_CLOSED' }
  | { readonly type: 'AUTHENTICATE'; readonly token: string }
  | { readonly type: 'RESUME'; readonly resumeToken: string }
  | { readonly type: 'JOIN'; readonly roomId: string; readonly role?: Role }
  | { readonly type: 'LEAVE' }
  | { readonly type: 'PONG' }
  | { readonly type: 'ROOM_MESSAGE'; readonly intent: RoomIntent }
  /** Another link resumed this connection's seat. */
  | { readonly type: 'SUPERSEDED' }
  /** The server closes the connection (slow consumer, too many errors, room closed, shutdown). */
  | ({ readonly type: 'KICK' } & CloseReason);

export type ConnectionEmitted =
  | { readonly type: 'authenticated'; readonly identity: Identity }
  | ({ readonly type: 'authFailed' } & CloseReason)
  | { readonly type: 'joined'; readonly seat: SeatRef }
  | ({ readonly type: 'joinFailed' } & CloseReason)
  | { readonly type: 'ping' }
  | { readonly type: 'forward'; readonly seat: SeatRef; readonly intent: RoomIntent }
  | ({ readonly type: 'refused'; readonly ref: string } & CloseReason)
  | { readonly type: 'seatAway'; readonly seat: SeatRef }
  | { readonly type: 'seatReleased'; readonly seat: SeatRef; readonly reason: string }
  | ({ readonly type: 'closeLink' } & CloseReason);
