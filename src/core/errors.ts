/**
 * The one registry of error codes. Every code is prefixed by the layer that raises it
 * (`PROTOCOL_`, `AUTH_`, `ROOM_`, `CONN_`, `HTTP_`, `GAME_`, `SYNC_`, `CLUSTER_`) and documented in the
 * README's error-code table. Protocols carry these codes on the wire in their own framing
 * (an envelope `error`, a Bingo Protocol Error, ...).
 */
export const ErrorCode = {
  PROTOCOL_MALFORMED_FRAME: 'PROTOCOL_MALFORMED_FRAME',
  PROTOCOL_FRAME_TOO_LARGE: 'PROTOCOL_FRAME_TOO_LARGE',
  PROTOCOL_INVALID_MESSAGE: 'PROTOCOL_INVALID_MESSAGE',
  PROTOCOL_UNKNOWN_TYPE: 'PROTOCOL_UNKNOWN_TYPE',
  PROTOCOL_STALE_SEQ: 'PROTOCOL_STALE_SEQ',
  PROTOCOL_VERSION_MISMATCH: 'PROTOCOL_VERSION_MISMATCH',
  PROTOCOL_UNEXPECTED_MESSAGE: 'PROTOCOL_UNEXPECTED_MESSAGE',
  PROTOCOL_TOO_MANY_ERRORS: 'PROTOCOL_TOO_MANY_ERRORS',
  PROTOCOL_INTEGRITY_FAILED: 'PROTOCOL_INTEGRITY_FAILED',
  AUTH_REQUIRED: 'AUTH_REQUIRED',
  AUTH_INVALID_TOKEN: 'AUTH_INVALID_TOKEN',
  AUTH_TOKEN_EXPIRED: 'AUTH_TOKEN_EXPIRED',
  AUTH_WRONG_ROOM: 'AUTH_WRONG_ROOM',
  AUTH_RESUME_REJECTED: 'AUTH_RESUME_REJECTED',
  AUTH_HANDSHAKE_TIMEOUT: 'AUTH_HANDSHAKE_TIMEOUT',
  AUTH_ALREADY_AUTHENTICATED: 'AUTH_ALREADY_AUTHENTICATED',
  AUTH_IDENTITY_MISMATCH: 'AUTH_IDENTITY_MISMATCH',
  ROOM_NOT_FOUND: 'ROOM_NOT_FOUND',
  ROOM_UNKNOWN_TYPE: 'ROOM_UNKNOWN_TYPE',
  ROOM_FULL: 'ROOM_FULL',
  ROOM_LOCKED: 'ROOM_LOCKED',
  ROOM_ALREADY_JOINED: 'ROOM_ALREADY_JOINED',
  ROOM_NOT_IN_ROOM: 'ROOM_NOT_IN_ROOM',
  ROOM_NOT_IN_SETUP: 'ROOM_NOT_IN_SETUP',
  ROOM_NOT_RUNNING: 'ROOM_NOT_RUNNING',
  ROOM_INVALID_SETUP: 'ROOM_INVALID_SETUP',
  ROOM_INVALID_CONFIG: 'ROOM_INVALID_CONFIG',
  ROOM_FORBIDDEN: 'ROOM_FORBIDDEN',
  ROOM_CLOSED: 'ROOM_CLOSED',
  ROOM_REQUEST_REFUSED: 'ROOM_REQUEST_REFUSED',
  ROOM_MOVED: 'ROOM_MOVED',
  CONN_HEARTBEAT_TIMEOUT: 'CONN_HEARTBEAT_TIMEOUT',
  CONN_SLOW_CONSUMER: 'CONN_SLOW_CONSUMER',
  CONN_SUPERSEDED: 'CONN_SUPERSEDED',
  CONN_GRACE_EXPIRED: 'CONN_GRACE_EXPIRED',
  CONN_SERVER_SHUTDOWN: 'CONN_SERVER_SHUTDOWN',
  CONN_REQUEST_TIMEOUT: 'CONN_REQUEST_TIMEOUT',
  CONN_LINK_LOST: 'CONN_LINK_LOST',
  CONN_CLIENT_STOPPED: 'CONN_CLIENT_STOPPED',
  HTTP_UNAUTHORIZED: 'HTTP_UNAUTHORIZED',
  HTTP_BAD_REQUEST: 'HTTP_BAD_REQUEST',
  HTTP_NOT_FOUND: 'HTTP_NOT_FOUND',
  HTTP_BODY_TOO_LARGE: 'HTTP_BODY_TOO_LARGE',
  HTTP_METHOD_NOT_ALLOWED: 'HTTP_METHOD_NOT_ALLOWED',
  GAME_FAULT: 'GAME_FAULT',
  SYNC_TURN_OUT_OF_RANGE: 'SYNC_TURN_OUT_OF_RANGE',
  SYNC_DIVERGED: 'SYNC_DIVERGED',
  CLUSTER_UNAVAILABLE: 'CLUSTER_UNAVAILABLE',
  CLUSTER_JOURNAL_CONFLICT: 'CLUSTER_JOURNAL_CONFLICT',
  SYNC_RATE_LIMITED: 'SYNC_RATE_LIMITED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One line per code: what it means and what to do about it (rendered into the README). */
export const errorDescriptions: Readonly<Record<ErrorCode, string>> = {
  PROTOCOL_MALFORMED_FRAME: 'The frame could not be parsed at all (not JSON, truncated binary, ...).',
  PROTOCOL_FRAME_TOO_LARGE: 'The frame is larger than the protocol accepts (maxFrameBytes).',
  PROTOCOL_INVALID_MESSAGE: 'The frame parsed but a field is missing, mistyped or out of range.',
  PROTOCOL_UNKNOWN_TYPE: 'The message type is not one this protocol or room type knows.',
  PROTOCOL_STALE_SEQ:
    'The sequence number is not greater than the last accepted one; the message is ignored.',
  PROTOCOL_VERSION_MISMATCH: 'The client speaks another protocol version; upgrade the client.',
  PROTOCOL_UNEXPECTED_MESSAGE: 'The message is valid but not allowed in the connection state it arrived in.',
  PROTOCOL_TOO_MANY_ERRORS: 'The peer sent too many bad frames (maxProtocolErrors) and was disconnected.',
  PROTOCOL_INTEGRITY_FAILED:
    'An encrypted frame failed authentication (tampered, corrupted or under another key); the link is closed.',
  AUTH_REQUIRED: 'Nothing but the handshake is accepted before the connection authenticates.',
  AUTH_INVALID_TOKEN: 'The session token is malformed, tampered with or signed by another server secret.',
  AUTH_TOKEN_EXPIRED: 'The session token has expired; ask the HTTP API for a new one.',
  AUTH_WRONG_ROOM: 'The token was issued for another room.',
  AUTH_RESUME_REJECTED:
    'The resume token was already used, is for a released seat, or the grace period ended.',
  AUTH_HANDSHAKE_TIMEOUT: 'The client did not authenticate within handshakeTimeoutMs.',
  AUTH_ALREADY_AUTHENTICATED: 'The connection is already authenticated.',
  AUTH_IDENTITY_MISMATCH:
    'The message names another player than the seat this connection holds (spoofing); it is refused.',
  ROOM_NOT_FOUND: 'No room with that id lives on this server.',
  ROOM_UNKNOWN_TYPE: 'No room type with that name is registered on the server.',
  ROOM_FULL: 'Every player seat (capacity) and viewer seat (maxViewers) is taken.',
  ROOM_LOCKED: 'The game is running: players are locked and this room refuses newcomers.',
  ROOM_ALREADY_JOINED: 'This user already holds a connected seat in the room; resume it instead.',
  ROOM_NOT_IN_ROOM: 'The message needs a joined room.',
  ROOM_NOT_IN_SETUP: 'Ready and setup commands are only accepted while the room is in setup.',
  ROOM_NOT_RUNNING: 'Game messages are only accepted while the room is running.',
  ROOM_INVALID_SETUP: 'The game refused the setup command (its own validation says why).',
  ROOM_INVALID_CONFIG: "The setup configuration in the create request does not match the room type's schema.",
  ROOM_FORBIDDEN: 'Viewers cannot send game messages, ready or setup commands.',
  ROOM_CLOSED: 'The room has ended or halted and accepts no more input.',
  ROOM_REQUEST_REFUSED: "The game refused a request; the message says why in the game's terms.",
  ROOM_MOVED:
    'The room lives on another node (the message names its URL): connect there; the client SDK follows it.',
  CONN_HEARTBEAT_TIMEOUT: 'The peer did not answer a heartbeat ping within heartbeatTimeoutMs.',
  CONN_SLOW_CONSUMER: 'The peer stopped reading; its send buffer passed maxBufferedBytes.',
  CONN_SUPERSEDED: 'Another connection resumed this seat.',
  CONN_GRACE_EXPIRED: 'The player did not come back within gracePeriodMs and lost the seat.',
  CONN_SERVER_SHUTDOWN: 'The server is shutting down.',
  CONN_REQUEST_TIMEOUT: 'A request got no reply within its timeoutMs; the late reply, if any, is ignored.',
  CONN_LINK_LOST: 'The link dropped while a request was in flight; it may or may not have been handled.',
  CONN_CLIENT_STOPPED:
    'The client asked the server to stop sending (Sidereal `stop`): its seat was released and the link closed.',
  HTTP_UNAUTHORIZED: 'Missing or wrong bearer secret for an authorized HTTP route.',
  HTTP_BAD_REQUEST: 'The HTTP body is not valid JSON or does not match the route schema.',
  HTTP_NOT_FOUND: 'No such HTTP route.',
  HTTP_BODY_TOO_LARGE: 'The HTTP body is larger than maxHttpBodyBytes.',
  HTTP_METHOD_NOT_ALLOWED: 'The route exists but not for this method.',
  GAME_FAULT: "The game author's code threw; the room halted and the cause was logged.",
  SYNC_TURN_OUT_OF_RANGE: 'A lockstep command packet targets a turn too far ahead (maxTurnsAhead).',
  SYNC_DIVERGED: 'Lockstep checksums disagree: the room halted at that turn (ls.halt names the players).',
  CLUSTER_UNAVAILABLE:
    'No live node can host the room type, or the chosen node did not answer in time (forwardTimeoutMs); retry.',
  CLUSTER_JOURNAL_CONFLICT:
    'A turn was written to a room journal out of order or twice; the write was refused (a turn is never logged twice).',
  SYNC_RATE_LIMITED:
    'The seat sent inputs faster than the sync model accepts (maxInputsPerSecond); the excess was dropped.',
};

/** An error thrown by Chartroom itself: always carries a registry `code`, optionally a `cause`. */
export class ChartroomError extends Error {
  readonly code: ErrorCode;
  override readonly name = 'ChartroomError';

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A refusal that travels to a peer: a registry code plus a human-readable message. */
export interface Refusal {
  readonly code: ErrorCode;
  readonly message: string;
}

export function refusal(code: ErrorCode, message: string): Refusal {
  return { code, message };
}

export function isChartroomError(value: unknown): value is ChartroomError {
  return value instanceof ChartroomError;
}
