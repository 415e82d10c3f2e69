import type { ErrorCode } from '../../core/errors.js';
import type { ProtocolIssue } from '../../core/result.js';
import { codedText } from './framework.js';
import { CLIENT_ID_MAX, CLIENT_ID_MIN, MAX_WIRE_PAYLOAD_BYTES, createBingoFramer } from './frame.js';
import { encodeMessage } from './encode.js';
import { decodeMessage } from './messages.js';
import type { BingoMessage } from './messages.js';

/** A byte stream to a Bingo server (a TCP socket, or anything that carries bytes in order). */
export interface BingoStream {
  /** Queue bytes for the server. */
  write(bytes: Uint8Array): void;
  /** Close after flushing what was written. */
  close(): void;
}

/** What a `BingoConnect` reports back: received bytes and the end of the stream. */
export interface BingoStreamHandlers {
  /** Bytes from the server, in order, in chunks of any size. */
  data(chunk: Uint8Array): void;
  /** The stream ended (either side). Called once. */
  close(): void;
}

/** Opens a stream; resolves once bytes can be written. `chartroom/protocols/bingo/node` has the TCP one. */
export type BingoConnect = (handlers: BingoStreamHandlers) => Promise<BingoStream>;

/** A message without its id: the link numbers it. */
export type OutgoingMessage = BingoMessage extends infer M
  ? M extends { readonly id: number }
    ? Omit<M, 'id'>
    : never
  : never;

/** What a `BingoLink` hands its owner: decoded messages, recoverable issues, the end. */
export interface BingoLinkEvents {
  message(message: BingoMessage): void;
  /** A server frame that decoded with a non-fatal issue (a bad body): reported, the stream goes on. */
  issue(issue: ProtocolIssue): void;
  close(): void;
}

/**
 * One stream's worth of client state: framer, message ids (0x0000-0x7fff, wrapping to 0 and
 * skipping ids of requests still pending) and encoding. A fatal server framing error is
 * answered with a Protocol Error and the stream is closed.
 */
export class BingoLink {
  #stream: BingoStream | undefined;
  #framer;
  #nextId = CLIENT_ID_MIN;
  #closed = false;
  #endReported = false;
  #events: BingoLinkEvents;
  #maxPayloadBytes: number;

  private constructor(events: BingoLinkEvents, maxPayloadBytes: number) {
    this.#events = events;
    this.#maxPayloadBytes = maxPayloadBytes;
    this.#framer = createBingoFramer(maxPayloadBytes);
  }

  /** Open a stream and wire it to a new link. */
  static async open(
    connect: BingoConnect,
    events: BingoLinkEvents,
    maxPayloadBytes: number,
  ): Promise<BingoLink> {
    const link = new BingoLink(events, Math.min(maxPayloadBytes, MAX_WIRE_PAYLOAD_BYTES));
    const stream = await connect({ data: (chunk) => link.#receive(chunk), close: () => link.#ended() });
    if (link.#closed) stream.close();
    link.#stream = stream;
    return link;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Next client id, skipping `busy` ids (bounded by `busy.size + 1` tries). */
  allocate(busy: ReadonlySet<number> | ReadonlyMap<number, unknown>): number {
    let id = this.#nextId;
    for (let tries = 0; tries <= busy.size; tries++) {
      id = this.#nextId;
      this.#nextId = id === CLIENT_ID_MAX ? CLIENT_ID_MIN : id + 1;
      if (!busy.has(id)) break;
    }
    return id;
  }

  /** Encode and write; returns the id used, or a refusal when the message is too large. */
  send(message: OutgoingMessage, id: number): { ok: true } | { ok: false; issue: ProtocolIssue } {
    const encoded = encodeMessage({ ...message, id } as BingoMessage, this.#maxPayloadBytes);
    if (!encoded.ok) return encoded;
    if (!this.#closed) this.#stream?.write(encoded.value);
    return { ok: true };
  }

  /**
   * Answer a server Request with `handler`'s value (a Reply; `undefined` gives a bare
   * acknowledgement), or an empty Error Reply when there is no handler or it throws.
   */
  answer(
    message: Extract<BingoMessage, { kind: 'request' }>,
    handler: ((payload: unknown) => unknown) | undefined,
    busy: ReadonlyMap<number, unknown>,
  ): void {
    const respond = (result: unknown, failed: boolean) => {
      if (this.#closed) return;
      const id = this.allocate(busy);
      const replyTo = message.id;
      if (failed) this.send({ kind: 'errorReply', replyTo, message: '' }, id);
      else if (result === undefined) this.send({ kind: 'reply', replyTo }, id);
      else this.send({ kind: 'reply', replyTo, body: { type: message.type, payload: result } }, id);
    };
    if (!handler) return respond(undefined, true);
    Promise.resolve()
      .then(() => handler(message.payload))
      .then(
        (result) => respond(result, false),
        () => respond(undefined, true),
      );
  }

  /** Say why in a Protocol Error, then close. */
  fail(code: ErrorCode, message: string): void {
    if (this.#closed) return;
    this.send({ kind: 'protocolError', message: codedText(code, message) }, this.allocate(new Set()));
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stream?.close();
  }

  #ended(): void {
    this.#closed = true;
    if (this.#endReported) return;
    this.#endReported = true;
    this.#events.close();
  }

  #receive(chunk: Uint8Array): void {
    if (this.#closed) return;
    this.#framer.push(chunk);
    const bound = this.#framer.buffered + 1;
    for (let i = 0; i < bound && !this.#closed; i++) {
      const next = this.#framer.next();
      if (next.kind === 'incomplete') return;
      if (next.kind === 'malformed') return this.fail(next.issue.code, next.issue.message);
      const decoded = decodeMessage(next.frame, 'server');
      if (decoded.ok) this.#events.message(decoded.value);
      else if (decoded.issue.fatal) return this.fail(decoded.issue.code, decoded.issue.message);
      else this.#events.issue(decoded.issue);
    }
  }
}
