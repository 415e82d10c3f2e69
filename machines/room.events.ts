/**
 * Events and emitted outputs of the room machine. Shared by the machine, the runtime that
 * drives it and the game author's machine that runs inside `running`.
 */
export type Role = 'player' | 'viewer';

/**
 * What newcomers become once the game runs: viewers, refused, or players (drop-in games such as
 * an arena; the game is told with `room.playerJoined`).
 */
export type LateJoinPolicy = 'viewer' | 'refuse' | 'player';

/** Framework options of a room (what a room type and a create request may set). */
export interface RoomOptions {
  /** Player seats. */
  readonly capacity: number;
  /** Players needed before the ready check can start the game. */
  readonly minPlayers: number;
  /** Viewer seats (0 = no viewers). */
  readonly maxViewers: number;
  /** What newcomers become once the game runs: viewers, players (while seats are free), or refused with ROOM_LOCKED. */
  readonly lateJoin: LateJoinPolicy;
  /** Pause the running game (`running.paused.disconnected`) while a player is away. */
  readonly pauseOnDisconnect: boolean;
  /**
   * A drop-in world that outlives its players: it does not end when every player has left,
   * and the server does not close it for being empty. Default false: a match ends when
   * abandoned, and an empty room closes after `emptyRoomTtlMs`.
   */
  readonly persistent?: boolean;
}

/** A seat in the room (what every client may know about it). */
export interface Seat {
  readonly seatId: string;
  readonly userId: string;
  readonly name: string;
  readonly role: Role;
  readonly ready: boolean;
  readonly connected: boolean;
  /** A player who left a running game keeps the seat (their turns become empty) but is gone. */
  readonly left: boolean;
}

export interface RoomInput {
  readonly roomId: string;
  readonly type: string;
  readonly seed: number;
  readonly config: unknown;
  readonly options: RoomOptions;
  /**
   * The room type has a setup flow (an actor invoked while in `setup`, receiving the players'
   * game messages there): the game starts only once that flow has reached its final state.
   */
  readonly setupFlow?: boolean;
}

export type HaltCause = 'divergence' | 'fault';

export type RoomEvent =
  | {
      readonly type: 'JOIN';
      readonly connectionId: string;
      readonly userId: string;
      readonly name: string;
      readonly role?: Role;
    }
  | { readonly type: 'LEAVE'; readonly seatId: string }
  | { readonly type: 'DISCONNECTED'; readonly seatId: string }
  | { readonly type: 'RECONNECTED'; readonly seatId: string }
  | { readonly type: 'READY'; readonly seatId: string; readonly ready: boolean }
  | { readonly type: 'SETUP_COMMAND'; readonly seatId: string; readonly command: unknown }
  | { readonly type: 'PAUSE'; readonly seatId?: string }
  | { readonly type: 'RESUME'; readonly seatId?: string }
  | { readonly type: 'LAGGING'; readonly seatIds: readonly string[] }
  | { readonly type: 'CAUGHT_UP' }
  | { readonly type: 'GAME_MESSAGE'; readonly seatId: string; readonly message: GameMessage }
  /** A player's answer to a request the game sent it (`game.send` with a requestId). */
  | {
      readonly type: 'GAME_REPLY';
      readonly seatId: string;
      readonly requestId: number;
      readonly ok: boolean;
      readonly payload: unknown;
    }
  | { readonly type: 'HALT'; readonly cause: HaltCause; readonly detail: unknown }
  | { readonly type: 'CLOSE'; readonly reason: string }
  | GameOutputEvent;

/** A game message; `requestId` marks one that expects a reply. */
export interface GameMessage {
  readonly type: string;
  readonly payload: unknown;
  readonly requestId?: number;
}

/** Events a game author's machine sends to its parent room (see `chartroom`'s game helpers). */
export type GameOutputEvent =
  | { readonly type: 'game.broadcast'; readonly message: GameMessage }
  | { readonly type: 'game.send'; readonly seatId: string; readonly message: GameMessage }
  | {
      readonly type: 'game.reply';
      readonly seatId: string;
      readonly requestId: number;
      readonly message: { readonly type: string; readonly payload: unknown };
    }
  | {
      readonly type: 'game.replyError';
      readonly seatId: string;
      readonly requestId: number;
      readonly message: string;
      /** The game's own code; default ROOM_REQUEST_REFUSED. */
      readonly code?: string;
    }
  | { readonly type: 'game.end'; readonly result: unknown }
  /** A setup flow replaces the room's configuration (ignored once the game runs). */
  | { readonly type: 'game.config'; readonly config: unknown };

/** Events the room forwards to the game author's machine besides the players' own messages. */
export type RoomNotification =
  /** A player took a seat while the game runs (`lateJoin: 'player'`). */
  | {
      readonly type: 'room.playerJoined';
      readonly seatId: string;
      readonly userId: string;
      readonly name: string;
    }
  | { readonly type: 'room.playerLeft'; readonly seatId: string }
  | { readonly type: 'room.playerDisconnected'; readonly seatId: string }
  | { readonly type: 'room.playerReconnected'; readonly seatId: string }
  | { readonly type: 'room.paused' }
  | { readonly type: 'room.resumed' }
  | {
      readonly type: 'room.reply';
      readonly seatId: string;
      readonly requestId: number;
      readonly ok: boolean;
      readonly payload: unknown;
    };

export type RoomRefusalCode =
  | 'ROOM_FULL'
  | 'ROOM_LOCKED'
  | 'ROOM_ALREADY_JOINED'
  | 'ROOM_NOT_IN_SETUP'
  | 'ROOM_NOT_RUNNING'
  | 'ROOM_INVALID_SETUP'
  | 'ROOM_FORBIDDEN'
  | 'ROOM_CLOSED';

/** Outputs the room machine emits; the runtime turns them into protocol frames. */
export type RoomEmitted =
  | {
      readonly type: 'joined';
      readonly connectionId: string;
      readonly seatId: string;
      readonly rejoined: boolean;
    }
  | {
      readonly type: 'joinRefused';
      readonly connectionId: string;
      readonly code: RoomRefusalCode;
      readonly message: string;
    }
  | {
      readonly type: 'refused';
      readonly seatId: string;
      readonly code: RoomRefusalCode;
      readonly message: string;
      readonly ref: string;
    }
  | { readonly type: 'roomChanged' }
  | { readonly type: 'seatRemoved'; readonly seatId: string }
  | { readonly type: 'gameBroadcast'; readonly message: GameMessage }
  | { readonly type: 'gameSend'; readonly seatId: string; readonly message: GameMessage }
  | {
      readonly type: 'gameReply';
      readonly seatId: string;
      readonly requestId: number;
      readonly message: { readonly type: string; readonly payload: unknown };
    }
  | {
      readonly type: 'gameReplyError';
      readonly seatId: string;
      readonly requestId: number;
      readonly message: string;
      /** The game's own code; default ROOM_REQUEST_REFUSED. */
      readonly code?: string;
    };
