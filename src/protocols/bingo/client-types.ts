import type { Clock } from '../../core/clock.js';
import { ErrorCode } from '../../core/errors.js';
import type { RoomMessages } from '../../core/room-type.js';
import type { BingoConnect } from './client-link.js';
import type { BingoIdentity } from './messages.js';

/** How the client resumes its seat after a drop: bounded attempts with exponential backoff. */
export interface BingoReconnectOptions {
  /** Attempts before giving up. */
  readonly retries: number;
  /** First delay; doubles each attempt up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** 10 attempts, 250 ms doubling up to 5 s. */
export const defaultBingoReconnect: BingoReconnectOptions = {
  retries: 10,
  baseDelayMs: 250,
  maxDelayMs: 5000,
};

/** Options of `BingoClient.connect` (and `connectBingoTcp`, which adds host and port). */
export interface BingoClientOptions<M extends RoomMessages = RoomMessages> {
  /** Opens the byte stream; `connectBingoTcp` (node entry) passes a TCP one. */
  readonly connect: BingoConnect;
  /** The Identification: `{login, username}` plus `token`+`room` when the server wants a ticket. */
  readonly identity: BingoIdentity;
  /** The room's messages: types `request`/`send`/`on` and validates server payloads. */
  readonly messages?: M;
  /** Default time for `request`. Default 10000 ms. */
  readonly requestTimeoutMs?: number;
  /** Time from connecting to Ready. Default 10000 ms. */
  readonly handshakeTimeoutMs?: number;
  /** Largest payload accepted from the server. Default 65535 (the most a frame can carry). */
  readonly maxPayloadBytes?: number;
  /** Requests in flight; one more is refused with CONN_SLOW_CONSUMER. Default 256. */
  readonly maxPendingRequests?: number;
  /** Resume the seat with the last Ready token after a drop; `false` to disable. */
  readonly reconnect?: BingoReconnectOptions | false;
  /** Timers (inject a simulated clock in tests). Default: the global ones. */
  readonly timers?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** Called with every Ready token (each works once; store the latest to resume after a restart). */
  readonly onToken?: (token: string) => void;
}

/** connecting (first handshake), ready (seated), reconnecting (resuming after a drop), closed (for good). */
export type BingoStatus = 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** How a server message arrived: an Event (0x08) or a Data Update (0x09). */
export interface BingoMessageMeta {
  readonly kind: 'event' | 'dataUpdate';
  readonly id: number;
}

/** A refusal or problem the server reported without it answering one of our requests. */
export interface BingoClientError {
  readonly code: ErrorCode | string;
  readonly message: string;
  readonly ref?: string;
}

/**
 * Why a request, the handshake or the link failed. `code` is a registry code
 * (`CONN_REQUEST_TIMEOUT`, `ROOM_NOT_RUNNING`, ...) or, for a game's refusal, the game's own
 * code (`NOT_CALLED`); `message` is the text to display.
 */
export class BingoError extends Error {
  override readonly name = 'BingoError';
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Codes after which resuming is pointless: bad credentials, a gone seat, our own violations. */
export const isTerminal = (code: string): boolean =>
  code.startsWith('AUTH_') ||
  code.startsWith('PROTOCOL_') ||
  code === ErrorCode.ROOM_CLOSED ||
  code === ErrorCode.CONN_SUPERSEDED ||
  code === ErrorCode.CONN_GRACE_EXPIRED;
