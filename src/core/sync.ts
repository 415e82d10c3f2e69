import type { AnyActorLogic } from 'xstate';
import type { RoomEvent } from '../../machines/room.events.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { Role, SeatView, ServerOutput } from './messages.js';
import type { RoomMessages } from './room-type.js';

/**
 * The sync-model seam: how a room keeps its players' game state in step (deterministic
 * lockstep, authoritative snapshot/delta, ...). A sync model is chosen per room type and
 * plugs into the room in two places:
 *
 * - its `logic` is the actor the room chart invokes while `running` (so its cycle is a chart
 *   the inspector shows, and it reports LAGGING / CAUGHT_UP / HALT to the room with
 *   `sendParent`);
 * - its `receive` is the per-message fast path: the runtime validates each message of the
 *   model's types once against `messages.client` and hands it over without a statechart
 *   event, gated on the seat the connection chart granted.
 */
export interface SyncModel {
  readonly name: string;
  /** Wire messages this model adds to the room type's own (merged by `defineRoom`). */
  readonly messages: RoomMessages;
  /** Create the engine of one room. */
  create(host: SyncHost): SyncEngine;
}

/** What the room runtime lends a sync engine. */
export interface SyncHost {
  readonly roomId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The room's seed and current setup configuration. */
  seed(): number;
  config(): unknown;
  seats(): readonly SeatView[];
  /** Encode once per protocol, send to every seat. */
  broadcast(output: ServerOutput): void;
  sendToSeat(seatId: string, output: ServerOutput): void;
  /**
   * Bytes queued on the seat's link and not yet written (the slow-consumer signal); undefined
   * when the seat has no connection.
   */
  bufferedBytes(seatId: string): number | undefined;
  /** Tell the room chart something (LAGGING, CAUGHT_UP, HALT, game.end). */
  sendToRoom(event: RoomEvent): void;
  /**
   * Durable rooms (multi-node, docs/scaling.md): where the engine logs each turn before anyone
   * is sent it. Undefined: nothing is logged and nothing waits (the single-process default).
   */
  readonly journal?: SyncJournal;
  /** A room rebuilt on another node: the engine's last checkpoint and its turn log. */
  readonly restored?: SyncRestore;
}

/** The turn log of a durable room, as the sync engine sees it. */
export interface SyncJournal {
  /** Store the entry of `turn`; resolves once it is durable. Turns come in order, each once. */
  append(turn: number, entry: unknown): Promise<void>;
}

export interface SyncRestore {
  /** What `SyncEngine.checkpoint()` returned last (undefined: none was saved). */
  readonly state: unknown;
  /** Every logged entry, in turn order. */
  readonly turns: readonly { readonly turn: number; readonly entry: unknown }[];
}

export interface SyncEngine {
  /** Invoked by the room chart as its `game` actor while `running`. */
  readonly logic: AnyActorLogic;
  /**
   * One validated message of the model's own types from a seated connection. `requestId` is
   * the protocol's correlation id when it has one (the envelope's client seq): answer with a
   * `reply` or `replyError` output carrying it.
   */
  receive(seatId: string, role: Role, type: string, payload: unknown, requestId?: number): void;
  /** A seat got a connection (join, rejoin or resume): time to send it a catch-up. */
  attached?(seatId: string, role: Role): void;
  /**
   * Game fields added to the join answer (`joined` output's `extra`; the envelope's
   * `session.joined`), asked just before the answer is sent, so before `attached`. Framework
   * fields always win a name clash.
   */
  joinedPayload?(seatId: string, role: Role): Readonly<Record<string, unknown>> | undefined;
  /** What the model can export about the match (lockstep: the turn log), as plain JSON. */
  exportLog?(): unknown;
  /**
   * The engine's own state apart from its turn log, as small JSON, for the room's checkpoint.
   * Only engines that have it can be rebuilt on another node (`SyncHost.restored`).
   */
  checkpoint?(): unknown;
  dispose(): void;
}
