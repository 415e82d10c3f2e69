import type { Role } from '../../core/messages.js';
import type { Protocol } from '../../core/protocol.js';
import { openBingoSession } from './server-session.js';
import { broadcastMessage, settingsOf } from './server-settings.js';
import { SERVER_ID_MIN } from './frame.js';
import { encodeMessage } from './encode.js';
import type { BingoIdentity } from './messages.js';

/** Bingo has one wire version; the seed document defines no version negotiation. */
export const BINGO_PROTOCOL_VERSION = 1;

/** What `identify` returns: a join ticket (as `server.issueTicket` makes) for one room. */
export interface BingoTicket {
  readonly token: string;
  readonly roomId: string;
  readonly role?: Role;
}

/** The connection an Identification arrived on. */
export interface BingoIdentifyContext {
  readonly connectionId: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Turns a bare seed Identification (`{login, username}`, optionally `room`) into a ticket.
 * Throw (ideally a `ChartroomError` with an `AUTH_` or `ROOM_` code) to refuse: the client
 * gets an Error Reply and a Protocol Error with that code, then the link closes.
 */
export type BingoIdentify = (
  identity: BingoIdentity,
  connection: BingoIdentifyContext,
) => BingoTicket | Promise<BingoTicket>;

/** Options of `createBingoProtocol`; every one has a default. */
export interface BingoProtocolOptions {
  /** Endpoint name (logs, metrics, `server.endpoints()`). Default `'bingo'`. */
  readonly name?: string;
  /** Largest payload accepted from a client, in bytes. Default 16384; at most 65535. */
  readonly maxPayloadBytes?: number;
  /** Largest payload sent to a client; larger outputs are dropped and reported. Default 65535. */
  readonly maxOutboundPayloadBytes?: number;
  /**
   * Which server game messages are Data Updates (0x09, "sync network variables") rather than
   * Events (0x08): a list of types or a predicate. Default: none. `room.state` and
   * `session.seat` are always Data Updates.
   */
  readonly dataUpdates?: readonly string[] | ((type: string) => boolean);
  /**
   * Maps a seed Identification without `token` or `resume` to a ticket, e.g.
   * `(id) => server.issueTicket(roomId, { userId: id.login, name: id.username })`. Default:
   * none, and such an Identification is refused with AUTH_REQUIRED.
   */
  readonly identify?: BingoIdentify;
  /**
   * Server Requests (0x04) awaiting a Reply per connection; past it, the oldest is forgotten
   * (its late Reply is ignored). Default 64.
   */
  readonly maxPendingRequests?: number;
}

/**
 * The Bingo protocol (seed 003) on the server: hosts Bingo clients byte for byte over a stream
 * transport (TCP) and maps their messages onto the same intents as every other protocol.
 *
 * - Handshake: Identification `{login, username}` plus `token`+`room`, or `resume`, or an
 *   `identify` hook -> authenticate + join -> Ready carrying the seat's resume token.
 * - Requests become game messages with `requestId` = the Bingo message id; the game's reply
 *   is a Reply, its refusal an Error Reply `CODE: message`.
 * - Server game messages are Events, or Data Updates for the types in `dataUpdates`; one with
 *   a `requestId` is a server Request, and the client's Reply becomes a `reply` intent.
 * - The connection chart's heartbeat is a Ping (0x03); the empty Reply is the pong.
 * - Any violation (unknown opcode, bad length, payload over `maxPayloadBytes`, a message
 *   before the handshake) is answered with a Protocol Error `CODE: message`, then the link
 *   closes. Every server-side close is announced the same way.
 *
 * @example
 * const server = createServer({
 *   roomTypes: [bingo],
 *   endpoints: [{ protocol: createBingoProtocol({ dataUpdates: ['called'] }), transport: createTcpTransport({ port: 8081 }) }],
 * });
 */
export function createBingoProtocol(options: BingoProtocolOptions = {}): Protocol {
  const settings = settingsOf(options);
  return {
    name: options.name ?? 'bingo',
    version: BINGO_PROTOCOL_VERSION,
    frames: 'binary',
    open: (peer) => openBingoSession(peer, settings),
    prepare(output) {
      // Encoded once per broadcast with a placeholder id; each session copies it and writes its
      // own id (Bingo ids are per connection).
      const message = broadcastMessage(output, settings, SERVER_ID_MIN);
      if (!message) return undefined;
      const encoded = encodeMessage(message, settings.maxOutboundPayloadBytes);
      return encoded.ok ? encoded.value : undefined;
    },
  };
}
