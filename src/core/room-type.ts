import type { AnyActorLogic } from 'xstate';
import type { z } from 'zod';
import type { RoomNotification, RoomOptions } from '../../machines/room.events.js';
import { ChartroomError, ErrorCode } from './errors.js';
import type { SeatView } from './messages.js';
import type { SyncModel } from './sync.js';

/** A map from message type to the zod schema of its payload. */
export type MessageSchemas = Readonly<Record<string, z.ZodType>>;

/** The game's own messages, both directions. Share this object between server and client. */
export interface RoomMessages<
  C extends MessageSchemas = MessageSchemas,
  S extends MessageSchemas = MessageSchemas,
> {
  readonly client: C;
  readonly server: S;
}

/**
 * Declare a game's messages once; the server validates every client message against `client`
 * and the client SDK types `send` and `on` from both maps.
 *
 * @example
 * export const messages = defineMessages({
 *   client: { tap: z.object({}) },
 *   server: { score: z.object({ seatId: z.string(), taps: z.number() }) },
 * });
 */
export function defineMessages<const C extends MessageSchemas, const S extends MessageSchemas>(messages: {
  client: C;
  server: S;
}): RoomMessages<C, S> {
  return messages;
}

/**
 * The schema of message `type` in `schemas`, if the map really has one. Message types come from
 * the network: `toString` or `constructor` must not find `Object.prototype`'s members.
 */
export function schemaOf(schemas: MessageSchemas | undefined, type: string): z.ZodType | undefined {
  return schemas && Object.hasOwn(schemas, type) ? schemas[type] : undefined;
}

/** Both directions of two message sets in one (a game's own messages and its sync model's). */
export function mergeMessages<A extends RoomMessages, B extends RoomMessages>(
  a: A,
  b: B,
): RoomMessages<A['client'] & B['client'], A['server'] & B['server']> {
  return { client: { ...a.client, ...b.client }, server: { ...a.server, ...b.server } };
}

/** Payload type of a client message `K` (what the server handler receives). */
export type ClientPayload<M extends RoomMessages, K extends keyof M['client']> = z.output<M['client'][K]>;
/** Payload type of a server message `K` (what the client handler receives). */
export type ServerPayload<M extends RoomMessages, K extends keyof M['server']> = z.output<M['server'][K]>;

/** The events a game machine receives: each client message with the sender's seat, plus room notifications. */
export type GameEvent<M extends RoomMessages> =
  | {
      [K in keyof M['client'] & string]: {
        readonly type: K;
        readonly seatId: string;
        readonly payload: z.output<M['client'][K]>;
      };
    }[keyof M['client'] & string]
  | RoomNotification;

export interface SetupContext {
  /** The seat sending the command. */
  readonly seat: SeatView;
}

export interface RoomTypeSetup<Config, Command> {
  /** Schema of one setup command; commands that fail it never reach `apply`. */
  readonly command: z.ZodType<Command>;
  /** The game's own check against the current configuration: a refusal message, or undefined. */
  readonly validate?: (config: Config, command: Command, context: SetupContext) => string | undefined;
  /** Pure reducer: the configuration after the command (first come, first served). */
  readonly apply: (config: Config, command: Command, context: SetupContext) => Config;
}

/** Everything that makes a room type: messages, configuration, setup, the game machine, options. */
export interface RoomType<M extends RoomMessages = RoomMessages, Config = unknown, Command = unknown> {
  readonly name: string;
  readonly messages: M;
  /** Schema and default of the setup configuration (the create request may override it). */
  readonly config: { readonly schema: z.ZodType<Config>; readonly initial: Config };
  readonly setup?: RoomTypeSetup<Config, Command>;
  /** The game's start guard, checked when every player is ready (seed 004: invalid setup). */
  readonly canStart?: (config: Config, players: readonly SeatView[]) => boolean;
  /** The game author's machine, invoked while the room is `running`. Omit for client-only games. */
  readonly game?: AnyActorLogic;
  /**
   * The game author's setup stages (deck choice, then seating, ...): an actor the room chart
   * invokes while in `setup`, with `SetupFlowInput` (from `chartroom/machines`). Players' game
   * messages in setup go to it (typed `GameEvent`), so do `room.playerJoined` / `room.playerLeft`
   * notifications; it answers with `gameActions` (`broadcast`, `sendToSeat`, `setConfig`). The
   * game starts once every player is ready **and** the flow has reached a final state. Without
   * it, game messages in setup are refused with `ROOM_NOT_RUNNING`.
   */
  readonly setupFlow?: AnyActorLogic;
  /**
   * The sync model (lockstep, snapshot/delta). Its engine runs as the room's `game` actor, so
   * a room type sets either `game` or `sync`.
   */
  readonly sync?: SyncModel;
  /** Framework options; see `defaultRoomOptions`. */
  readonly options?: Partial<RoomOptions>;
}

/** Room options used when a room type or create request leaves them out. */
export const defaultRoomOptions: RoomOptions = {
  capacity: 8,
  minPlayers: 1,
  maxViewers: 16,
  lateJoin: 'viewer',
  pauseOnDisconnect: false,
};

/**
 * Define a room type. Types flow from the schemas: `setup.apply` sees the config and command
 * types, the game machine's events are `GameEvent<typeof messages>`.
 *
 * @example
 * export const tapRace = defineRoom({
 *   name: 'tap-race',
 *   messages,
 *   config: { schema: z.object({ target: z.number().int().min(1) }), initial: { target: 10 } },
 *   setup: { command: z.object({ target: z.number().int().min(1).max(100) }), apply: (c, cmd) => ({ ...c, ...cmd }) },
 *   game: tapRaceMachine,
 *   options: { capacity: 4, minPlayers: 2 },
 * });
 */
export function defineRoom<M extends RoomMessages, Config, Command = unknown>(
  definition: RoomType<M, Config, Command>,
): RoomType<M, Config, Command> {
  if (definition.game && definition.sync) {
    throw new ChartroomError(
      ErrorCode.ROOM_INVALID_CONFIG,
      `Room type "${definition.name}" sets both \`game\` and \`sync\`: the sync model's engine is the room's game actor.`,
    );
  }
  return definition;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any room type, whatever its generics
export type AnyRoomType = RoomType<any, any, any>;
