import type { Clock } from '../../core/clock.js';
import { ErrorCode } from '../../core/errors.js';
import type { RoomView } from '../../core/messages.js';
import type { ClientPayload, RoomMessages, ServerPayload } from '../../core/room-type.js';
import { BingoLink } from './client-link.js';
import { Inbox } from './client-inbox.js';
import type { InboxHandler } from './client-inbox.js';
import { RequestTable } from './client-requests.js';
import { BingoError, defaultBingoReconnect, isTerminal } from './client-types.js';
import type {
  BingoClientError,
  BingoClientOptions,
  BingoMessageMeta,
  BingoReconnectOptions,
  BingoStatus,
} from './client-types.js';
import { BingoType, parseCodedText } from './framework.js';
import type { BingoSeat } from './framework.js';
import { MAX_WIRE_PAYLOAD_BYTES } from './frame.js';
import type { BingoBody, BingoIdentity, BingoMessage } from './messages.js';

interface Handshake {
  readonly id: number;
  readonly resolve: () => void;
  readonly reject: (error: BingoError) => void;
  readonly timer: unknown;
}

/**
 * A Bingo client (seed 003): handshake, requests with timeouts, Event and Data Update
 * handlers, a mirror of every Data Update (`vars`), answers to Pings and server Requests, and
 * automatic resume with the last Ready token. Browser-safe: bring the stream with `connect`.
 *
 * @example
 * const client = await connectBingoTcp({ host: '127.0.0.1', port: 8081, identity: { login: 'ada', username: 'Ada' } });
 * client.on('call', (call) => console.log(call));
 * await client.ready();
 * const reply = await client.request('daub', { number: 42 }, { timeoutMs: 2000 });
 */
export class BingoClient<M extends RoomMessages = RoomMessages> {
  #options: BingoClientOptions<M>;
  #timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  #link: BingoLink | undefined;
  #generation = 0;
  #linkReady = false;
  #handshake: Handshake | undefined;
  #requests: RequestTable;
  #inbox: Inbox;
  #requestHandlers = new Map<string, (payload: unknown) => unknown>();
  #statusHandlers = new Set<(status: BingoStatus) => void>();
  #token = '';
  #status: BingoStatus = 'connecting';
  #closeCode: string | undefined;
  #userClosed = false;

  private constructor(options: BingoClientOptions<M>) {
    this.#options = options;
    this.#timers = options.timers ?? {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    this.#requests = new RequestTable(this.#timers, options.maxPendingRequests ?? 256);
    this.#inbox = new Inbox(options.messages);
  }

  /** Connect, identify and wait for Ready. Rejects with the server's code when it refuses. */
  static async connect<M extends RoomMessages = RoomMessages>(
    options: BingoClientOptions<M>,
  ): Promise<BingoClient<M>> {
    const client = new BingoClient<M>(options);
    try {
      await client.#open(options.identity);
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  get status(): BingoStatus {
    return this.#status;
  }
  /** The latest Ready token (the seat's single-use resume token). */
  get token(): string {
    return this.#token;
  }
  /** The seat (Data Update `session.seat`). */
  get seat(): BingoSeat | undefined {
    return this.#inbox.vars.get(BingoType.seat) as BingoSeat | undefined;
  }
  /** The room's public state (Data Update `room.state`). */
  get room(): RoomView | undefined {
    return this.#inbox.vars.get(BingoType.roomState) as RoomView | undefined;
  }
  /** Every Data Update's latest value, by type: the client's mirror of the server's variables. */
  get vars(): ReadonlyMap<string, unknown> {
    return this.#inbox.vars;
  }

  /** Send a Request and wait for its Reply (`undefined` for a bare acknowledgement). */
  request<K extends keyof M['client'] & string>(
    type: K,
    payload: ClientPayload<M, K>,
    options: { timeoutMs?: number } = {},
  ): Promise<BingoBody | undefined> {
    return this.#request(type, payload, options.timeoutMs ?? this.#options.requestTimeoutMs ?? 10_000);
  }

  /** Send an Event (no reply expected). */
  send<K extends keyof M['client'] & string>(type: K, payload: ClientPayload<M, K>): void {
    const link = this.#link;
    if (!link || this.#status !== 'ready') return;
    const sent = link.send({ kind: 'event', type, payload }, link.allocate(this.#requests.ids));
    if (!sent.ok) this.#inbox.emitError({ code: sent.issue.code, message: sent.issue.message, ref: type });
  }

  /** Commit readiness in setup (a framework Request `room.ready`). */
  async ready(ready = true): Promise<void> {
    await this.#request(BingoType.ready, { ready }, this.#options.requestTimeoutMs ?? 10_000);
  }

  /** Leave the room (the seat is released; the connection stays until `close`). */
  async leave(): Promise<void> {
    await this.#request(BingoType.leave, {}, this.#options.requestTimeoutMs ?? 10_000);
  }

  /** Handle a server Event or Data Update of `type`; returns the unsubscribe function. */
  on<K extends keyof M['server'] & string>(
    type: K,
    handler: (payload: ServerPayload<M, K>, meta: BingoMessageMeta) => void,
  ): () => void {
    return this.#inbox.on(type, handler as InboxHandler);
  }

  /**
   * Answer server Requests of `type`: the handler's value is the Reply's payload (`undefined`
   * sends a bare acknowledgement); a throw or rejection sends an (empty) Error Reply.
   */
  onRequest(type: string, handler: (payload: unknown) => unknown): () => void {
    this.#requestHandlers.set(type, handler);
    return () => this.#requestHandlers.delete(type);
  }

  /** Every change of the room's public state (the `room.state` Data Update). */
  onRoom(handler: (room: RoomView) => void): () => void {
    return this.#inbox.on(BingoType.roomState, (room) => handler(room as RoomView));
  }

  /** Server `error` Events, bad server bodies and messages that failed validation. */
  onError(handler: (error: BingoClientError) => void): () => void {
    return this.#inbox.onError(handler);
  }

  onStatus(handler: (status: BingoStatus) => void): () => void {
    this.#statusHandlers.add(handler);
    return () => this.#statusHandlers.delete(handler);
  }

  /** Close for good (no resume). Pending requests reject with CONN_LINK_LOST. */
  close(): void {
    this.#userClosed = true;
    this.#link?.close();
    this.#setStatus('closed');
  }

  #request(type: string, payload: unknown, timeoutMs: number): Promise<BingoBody | undefined> {
    const link = this.#link;
    if (!link || this.#status !== 'ready') {
      return Promise.reject(
        new BingoError(
          ErrorCode.CONN_LINK_LOST,
          `Cannot send request "${type}": the client is ${this.#status}.`,
        ),
      );
    }
    const full = this.#requests.full(type);
    if (full) return Promise.reject(full);
    const id = link.allocate(this.#requests.ids);
    const answer = this.#requests.open(id, type, timeoutMs);
    const sent = link.send({ kind: 'request', type, payload }, id);
    if (!sent.ok) this.#requests.settle(id, new BingoError(sent.issue.code, sent.issue.message));
    return answer;
  }

  async #open(identity: BingoIdentity): Promise<void> {
    const generation = ++this.#generation;
    const current = () => generation === this.#generation;
    this.#linkReady = false;
    const link = await BingoLink.open(
      this.#options.connect,
      {
        message: (message) => current() && this.#onMessage(message),
        issue: (issue) => current() && this.#inbox.emitError({ code: issue.code, message: issue.message }),
        close: () => current() && this.#onClose(),
      },
      this.#options.maxPayloadBytes ?? MAX_WIRE_PAYLOAD_BYTES,
    );
    this.#link = link;
    const timeoutMs = this.#options.handshakeTimeoutMs ?? 10_000;
    await new Promise<void>((resolve, reject) => {
      if (link.closed) {
        reject(new BingoError(ErrorCode.CONN_LINK_LOST, 'The stream closed before the handshake.'));
        return;
      }
      const id = link.allocate(this.#requests.ids);
      const timer = this.#timers.setTimeout(() => {
        this.#failHandshake(
          new BingoError(
            ErrorCode.AUTH_HANDSHAKE_TIMEOUT,
            `No Ready within ${timeoutMs} ms of the Identification.`,
          ),
        );
        link.close();
      }, timeoutMs);
      this.#handshake = { id, resolve, reject, timer };
      link.send({ kind: 'identification', identity }, id);
    });
  }

  #failHandshake(error: BingoError): void {
    const handshake = this.#handshake;
    if (!handshake) return;
    this.#handshake = undefined;
    this.#timers.clearTimeout(handshake.timer);
    handshake.reject(error);
  }

  #onMessage(message: BingoMessage): void {
    const link = this.#link;
    if (!link) return;
    switch (message.kind) {
      case 'ready': {
        this.#token = message.token;
        this.#options.onToken?.(message.token);
        this.#linkReady = true;
        const handshake = this.#handshake;
        this.#handshake = undefined;
        if (handshake) this.#timers.clearTimeout(handshake.timer);
        this.#setStatus('ready');
        return handshake?.resolve();
      }
      case 'ping':
        link.send({ kind: 'reply', replyTo: message.id }, link.allocate(this.#requests.ids));
        return;
      case 'reply':
        return this.#requests.settle(message.replyTo, message.body);
      case 'errorReply': {
        const said = parseCodedText(message.message, ErrorCode.ROOM_REQUEST_REFUSED);
        const error = new BingoError(said.code, said.message);
        if (this.#handshake?.id === message.replyTo) return this.#failHandshake(error);
        return this.#requests.settle(message.replyTo, error);
      }
      case 'protocolError': {
        const said = parseCodedText(message.message, ErrorCode.PROTOCOL_MALFORMED_FRAME);
        this.#closeCode = said.code;
        this.#failHandshake(new BingoError(said.code, said.message));
        this.#inbox.emitError({ code: said.code, message: said.message });
        return link.close();
      }
      case 'request':
        return link.answer(message, this.#requestHandlers.get(message.type), this.#requests.ids);
      case 'event':
      case 'dataUpdate':
        return this.#inbox.deliver(message);
      default:
        return;
    }
  }

  #onClose(): void {
    const code = this.#closeCode ?? ErrorCode.CONN_LINK_LOST;
    const lost = new BingoError(code, `The link closed (${code}) before the reply came.`);
    this.#requests.rejectAll(lost);
    this.#failHandshake(new BingoError(code, `The link closed (${code}) before Ready.`));
    const wasReady = this.#linkReady;
    this.#linkReady = false;
    if (this.#userClosed || !wasReady) return;
    const reconnect = this.#options.reconnect ?? defaultBingoReconnect;
    if (reconnect === false || isTerminal(code) || !this.#token) return this.#setStatus('closed');
    void this.#reconnect(reconnect);
  }

  async #reconnect(options: BingoReconnectOptions): Promise<void> {
    this.#setStatus('reconnecting');
    const { login, username } = this.#options.identity;
    for (let attempt = 0; attempt < options.retries && !this.#userClosed; attempt++) {
      const delay = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
      await new Promise((resolve) => this.#timers.setTimeout(() => resolve(undefined), delay));
      if (this.#userClosed) return;
      this.#closeCode = undefined;
      try {
        await this.#open({ login, username, resume: this.#token });
        return;
      } catch (error) {
        this.#link?.close();
        const code = error instanceof BingoError ? error.code : ErrorCode.CONN_LINK_LOST;
        if (isTerminal(code) && code !== ErrorCode.AUTH_HANDSHAKE_TIMEOUT) break;
      }
    }
    this.#setStatus('closed');
  }

  #setStatus(status: BingoStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    for (const handler of this.#statusHandlers) handler(status);
  }
}
