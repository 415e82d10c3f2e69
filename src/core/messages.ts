import type { ErrorCode } from './errors.js';

import type { Role, Seat } from '../../machines/room.events.js';

/** A seat's role: players are counted in capacity and play; viewers watch. */
export type { Role };

/**
 * What every client may know about a seat: exactly the room chart's seat. A player who left a
 * running game keeps the seat (`left`; their turns become empty) but is gone.
 */
export type SeatView = Seat;

/** The full room state broadcast on every change (seed 004: "full configuration state"). */
export interface RoomView {
  readonly roomId: string;
  readonly type: string;
  readonly seed: number;
  /** The room chart's state as a dotted path, e.g. `setup.readyCheck`, `running.paused.lagging`. */
  readonly phase: string;
  readonly config: unknown;
  readonly configVersion: number;
  readonly seats: readonly SeatView[];
}

/**
 * What a client asks of the server, whatever its protocol. Protocols decode their wire
 * messages into intents; the runtime maps intents onto connection-machine events.
 */
export type ClientIntent =
  | { readonly kind: 'authenticate'; readonly token: string }
  | { readonly kind: 'resume'; readonly resumeToken: string }
  | { readonly kind: 'join'; readonly roomId: string; readonly role?: Role }
  | { readonly kind: 'leave' }
  | { readonly kind: 'ready'; readonly ready: boolean }
  | { readonly kind: 'setup'; readonly command: unknown }
  | { readonly kind: 'pause'; readonly paused: boolean }
  | {
      readonly kind: 'game';
      readonly type: string;
      readonly payload: unknown;
      /** Set when the client expects a reply (the protocol's own correlation id). */
      readonly requestId?: number;
    }
  /** The client's answer to a server request (`ServerOutput` game with a `requestId`). */
  | { readonly kind: 'reply'; readonly requestId: number; readonly ok: boolean; readonly payload: unknown }
  | { readonly kind: 'pong' };

/**
 * What the server tells a client, whatever its protocol. Protocols encode outputs into their
 * own wire messages.
 */
export type ServerOutput =
  | { readonly kind: 'authOk'; readonly userId: string; readonly name: string }
  | { readonly kind: 'authError'; readonly code: ErrorCode; readonly message: string }
  | {
      readonly kind: 'joined';
      readonly roomId: string;
      readonly seatId: string;
      readonly role: Role;
      readonly resumeToken: string;
      readonly room: RoomView;
      /** The game's own fields of the join answer (`SyncEngine.joinedPayload`), e.g. a ship and its spawn. */
      readonly extra?: Readonly<Record<string, unknown>>;
    }
  | { readonly kind: 'room'; readonly room: RoomView }
  | {
      readonly kind: 'game';
      readonly type: string;
      readonly payload: unknown;
      /** Set when the server expects the client to reply (`ClientIntent` reply). */
      readonly requestId?: number;
      /**
       * The payload already serialized: exactly `JSON.stringify(payload)`. A JSON protocol may
       * splice it into its frame rather than serialize the payload again (the lockstep engine's
       * master packets, serialized once for the turn log); other protocols ignore it.
       */
      readonly payloadJson?: string;
    }
  /** The game's answer to a client request. */
  | { readonly kind: 'reply'; readonly requestId: number; readonly type: string; readonly payload: unknown }
  /**
   * The game's refusal of a client request, with the game's own code (e.g. `NOT_DOCKED`);
   * game codes must not start with a framework prefix (PROTOCOL_, AUTH_, ROOM_, CONN_, ...).
   */
  | {
      readonly kind: 'replyError';
      readonly requestId: number;
      readonly code: string;
      readonly message: string;
    }
  | {
      readonly kind: 'error';
      readonly code: ErrorCode;
      readonly message: string;
      /**
       * What it answers, protocol-neutral: an intent kind (`authenticate`, `resume`, `join`,
       * `leave`, `ready`, `setup`, `pause`) or a game message's type. Protocols map it to their
       * own names (the envelope: `session.join_system`, ...).
       */
      readonly ref?: string;
    }
  | { readonly kind: 'ping' }
  | { readonly kind: 'closing'; readonly code: ErrorCode; readonly message: string };

export type ServerOutputKind = ServerOutput['kind'];
