import type { ErrorCode } from './errors.js';
import type { ClientIntent, ServerOutput } from './messages.js';
import type { DecodeResult, ProtocolIssue } from './result.js';

/**
 * The Protocol seam: turns one link's frames into client intents and server outputs back into
 * frames. A protocol owns everything wire-specific (framing, sequence numbers, its handshake
 * messages, how it answers a bad frame) and nothing about rooms.
 *
 * A new protocol is one folder exporting a factory that returns this object, plus its
 * registration in the server's `protocols` option.
 */
export interface Protocol {
  /** Stable name, used in URLs (`/ws/<name>`), logs and metrics. */
  readonly name: string;
  /** Version the server speaks; clients announce theirs during the handshake. */
  readonly version: number;
  /** Text or binary frames: how message-based transports (WebSocket) send this protocol's bytes. */
  readonly frames: 'text' | 'binary';
  /** Start the per-link state (sequence counters, framer buffers, keys). */
  open(peer: ProtocolPeer): ProtocolSession;
  /**
   * Encode an output once for every session of this protocol (a room broadcast). Returns
   * `undefined` when this protocol needs per-session bytes (per-link counters or keys); the
   * runtime then calls `deliver` on each session instead.
   */
  prepare?(output: ServerOutput): Uint8Array | string | undefined;
}

/** What the runtime gives a protocol session: the way out (frames) and the way in (intents). */
export interface ProtocolPeer {
  readonly connectionId: string;
  /** Connect parameters the transport knows (a WebSocket URL's query), e.g. `protocol_version`. */
  readonly params: Readonly<Record<string, string>>;
  /** Write a frame to the link. */
  send(frame: Uint8Array | string): void;
  /** Hand a decoded, validated intent to the connection's machine. */
  dispatch(intent: ClientIntent): void;
  /** Record a protocol issue once (log line + metric). The session answers it itself. */
  report(issue: ProtocolIssue): void;
  /** Close the link after the protocol has said why in its own terms. */
  close(code: ErrorCode, message: string): void;
  /** Transport-level ping, when the link has one (WebSocket). */
  readonly ping: (() => void) | undefined;
}

export interface ProtocolSession {
  /** Feed one frame (or one stream chunk). Never throws. */
  receive(frame: Uint8Array | string): void;
  /** Encode and send one output to this peer. */
  deliver(output: ServerOutput): void;
  /** Send bytes made by `Protocol.prepare` for a broadcast. */
  deliverPrepared(frame: Uint8Array | string): void;
  /**
   * The link is gone (either side closed it): stop timers (retransmissions, heartbeats) and
   * drop per-link state. Optional; the runtime may call it more than once, so make it idempotent.
   */
  close?(): void;
  /**
   * Asynchronous protocols (WebCrypto decryption): resolves once every frame received so far has
   * been handed on. The runtime reports a closed link only after it, so a last message sent just
   * before the close (a sealed Leave) is not overtaken by the close. Never rejects.
   */
  settled?(): Promise<void>;
}

/**
 * The client half of a protocol, used by the client SDK: encodes intents, decodes outputs.
 * Browser-safe, like everything under src/protocols.
 */
export interface ClientProtocol {
  readonly name: string;
  readonly version: number;
  readonly frames: 'text' | 'binary';
  /**
   * `'separate'` (default): the SDK authenticates, waits for `authOk`, then joins. `'combined'`:
   * one wire message carries credentials and room (Seigneur's Sanity Check), so the SDK encodes
   * `authenticate` and `join` back to back and waits for `joined` (or `authError`).
   */
  readonly handshake?: 'separate' | 'combined';
  /** Per-connection codec state (outgoing sequence numbers, keys, framer buffers). */
  open(): ClientProtocolSession;
}

export interface ClientProtocolSession {
  /** Frames for one intent (none for intents the transport carries itself, like pongs). */
  encode(intent: ClientIntent): (Uint8Array | string)[];
  /** Decode one frame from the server into zero or more outputs; never throws. */
  decode(frame: Uint8Array | string): DecodeResult<ServerOutput[]>;
  /**
   * Frames to send as soon as the link opens, before any intent (a key-exchange hello). Sent
   * as they are (not sealed).
   */
  opening?(): Promise<(Uint8Array | string)[]>;
  /**
   * An optional asynchronous frame layer (WebCrypto encryption): every frame `encode` makes
   * goes through `seal` before it is sent. The SDK calls it one frame at a time, in order.
   */
  seal?(frame: Uint8Array | string): Promise<Uint8Array | string>;
  /**
   * The inbound half of that layer: every received frame goes through `unseal` before
   * `decode`, one at a time, in arrival order. `value: undefined` means the layer consumed the
   * frame (a key-exchange answer). Never rejects; a frame it refuses is an issue.
   */
  unseal?(frame: Uint8Array | string): Promise<DecodeResult<Uint8Array | string | undefined>>;
}
