import type { ErrorCode } from '../core/errors.js';
import type { RoomView, ServerOutput } from '../core/messages.js';
import type { ClientProtocol, ClientProtocolSession } from '../core/protocol.js';
import { schemaOf } from '../core/room-type.js';
import type { ClientPayload, RoomMessages, ServerPayload } from '../core/room-type.js';
import { validate } from '../core/validate.js';
import type { WebSocketLike } from '../transports/memory/index.js';

export type WebSocketFactory = (url: string) => WebSocketLike;

export type SessionStatus = 'connected' | 'reconnecting' | 'closed';

/** An error the server sent, or one the client detected (a bad server frame). */
export interface SessionError {
  readonly code: ErrorCode | string;
  readonly message: string;
  readonly ref?: string;
}

export interface ReconnectOptions {
  /** Attempts before giving up. Default 10. */
  readonly retries: number;
  /** First delay; doubles each attempt up to `maxDelayMs`. Default 250. */
  readonly baseDelayMs: number;
  /** Default 5000. */
  readonly maxDelayMs: number;
}

export const defaultReconnect: ReconnectOptions = { retries: 10, baseDelayMs: 250, maxDelayMs: 5000 };

/** Close codes after which resuming is pointless: the seat is gone or the credentials are bad. */
const terminal = new Set([
  'AUTH_INVALID_TOKEN',
  'AUTH_TOKEN_EXPIRED',
  'AUTH_WRONG_ROOM',
  'AUTH_RESUME_REJECTED',
  'ROOM_CLOSED',
  'CONN_SUPERSEDED',
  'CONN_GRACE_EXPIRED',
  'PROTOCOL_VERSION_MISMATCH',
  'PROTOCOL_TOO_MANY_ERRORS',
]);

interface Waiter {
  readonly accept: (output: ServerOutput) => boolean;
  readonly resolve: (output: ServerOutput) => void;
  readonly reject: (error: SessionError) => void;
}

export interface SessionInit<M extends RoomMessages> {
  readonly endpoint: string;
  readonly protocol: ClientProtocol;
  readonly open: WebSocketFactory;
  readonly messages: M | undefined;
  readonly reconnect: ReconnectOptions | false;
  /** Called with every new resume token (persist it to survive a page reload). */
  readonly onResumeToken?: (token: string) => void;
  /**
   * Where the room lives now (its endpoint URL), asked after a failed resume, `moved` when the
   * server said ROOM_MOVED: in a cluster a room moves when its node dies (docs/scaling.md).
   * Undefined: no idea, keep the endpoint. Rejects with ROOM_CLOSED when the room is gone.
   */
  readonly locate?: (roomId: string, moved: boolean) => Promise<string | undefined>;
}

/**
 * One seat in one room, over one protocol. Reconnects by itself after a drop and resumes the
 * seat with its latest (single-use) resume token.
 */
export class RoomSession<M extends RoomMessages = RoomMessages> {
  #init: SessionInit<M>;
  #socket: WebSocketLike | undefined;
  #codec: ClientProtocolSession | undefined;
  #waiters: Waiter[] = [];
  #handlers = new Map<string, Set<(payload: never) => void>>();
  #roomHandlers = new Set<(room: RoomView) => void>();
  #errorHandlers = new Set<(error: SessionError) => void>();
  #statusHandlers = new Set<(status: SessionStatus) => void>();
  #queue: (() => void)[] = [];
  /** Frames waiting for the codec's asynchronous layer (`opening`, `seal`), sent in order. */
  #outbound: Promise<void> = Promise.resolve();
  /** Received frames waiting for `unseal`, decoded in arrival order. */
  #inbound: Promise<void> = Promise.resolve();
  #closeCode: string | undefined;
  #reconnecting = false;
  #status: SessionStatus = 'connected';
  #resumeToken = '';
  #room: RoomView | undefined;
  #seatId = '';
  #role: 'player' | 'viewer' = 'player';
  #userId = '';
  #joinedExtra: Readonly<Record<string, unknown>> = {};
  #endpoint: string;

  constructor(init: SessionInit<M>) {
    this.#init = init;
    this.#endpoint = init.endpoint;
  }

  get roomId(): string {
    return this.#room?.roomId ?? '';
  }
  get seatId(): string {
    return this.#seatId;
  }
  get role(): 'player' | 'viewer' {
    return this.#role;
  }
  get userId(): string {
    return this.#userId;
  }
  get room(): RoomView | undefined {
    return this.#room;
  }
  /** The game's own fields of the latest join answer (e.g. seed 002's `ship_id` and `spawn`); `{}` when none. */
  get joinedExtra(): Readonly<Record<string, unknown>> {
    return this.#joinedExtra;
  }
  /** The endpoint this session connects to (it changes when the room moves to another node). */
  get endpoint(): string {
    return this.#endpoint;
  }
  get status(): SessionStatus {
    return this.#status;
  }
  /** The latest resume token (each one works once; the server sends a new one on every join). */
  get resumeToken(): string {
    return this.#resumeToken;
  }

  /** Authenticate with a ticket and join its room. */
  async start(credentials: { token: string; roomId: string; role?: 'player' | 'viewer' }): Promise<this> {
    try {
      await this.#start(credentials);
      return this;
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Take a seat back with a resume token (after a reload; the automatic reconnect uses it too). */
  async resume(resumeToken: string): Promise<this> {
    try {
      await this.#resume(resumeToken);
      return this;
    } catch (error) {
      this.close();
      throw error;
    }
  }

  async #start(credentials: { token: string; roomId: string; role?: 'player' | 'viewer' }): Promise<void> {
    await this.#connect();
    const join: Parameters<ClientProtocolSession['encode']>[0] = {
      kind: 'join',
      roomId: credentials.roomId,
      ...(credentials.role ? { role: credentials.role } : {}),
    };
    if (this.#init.protocol.handshake === 'combined') {
      const joined = await this.#request(
        [{ kind: 'authenticate', token: credentials.token }, join],
        (o) => o.kind === 'joined' || o.kind === 'authError' || (o.kind === 'error' && o.ref === 'join'),
      );
      if (joined.kind !== 'joined') throw this.#fail(joined as SessionError);
      return this.#adopt(joined);
    }
    const auth = await this.#request(
      [{ kind: 'authenticate', token: credentials.token }],
      (o) => o.kind === 'authOk' || o.kind === 'authError',
    );
    if (auth.kind === 'authError') throw this.#fail(auth);
    if (auth.kind === 'authOk') this.#userId = auth.userId;
    const joined = await this.#request(
      [join],
      (o) => o.kind === 'joined' || (o.kind === 'error' && o.ref === 'join'),
    );
    if (joined.kind !== 'joined') throw this.#fail(joined as SessionError);
    this.#adopt(joined);
  }

  async #resume(resumeToken: string): Promise<void> {
    await this.#connect();
    const joined = await this.#request(
      [{ kind: 'resume', resumeToken }],
      (o) => o.kind === 'joined' || o.kind === 'authError',
    );
    if (joined.kind !== 'joined') throw this.#fail(joined as SessionError);
    this.#adopt(joined);
  }

  /** Send a game message; typed from the room's client schemas. Queued while reconnecting. */
  send<K extends keyof M['client'] & string>(type: K, payload: ClientPayload<M, K>): void {
    this.#write({ kind: 'game', type, payload });
  }

  ready(ready = true): void {
    this.#write({ kind: 'ready', ready });
  }

  setup(command: unknown): void {
    this.#write({ kind: 'setup', command });
  }

  pause(paused = true): void {
    this.#write({ kind: 'pause', paused });
  }

  /** Handle a server game message; typed from the room's server schemas. Returns an unsubscribe. */
  on<K extends keyof M['server'] & string>(
    type: K,
    handler: (payload: ServerPayload<M, K>) => void,
  ): () => void {
    let set = this.#handlers.get(type);
    if (!set) this.#handlers.set(type, (set = new Set()));
    set.add(handler as (payload: never) => void);
    return () => set.delete(handler as (payload: never) => void);
  }

  onRoom(handler: (room: RoomView) => void): () => void {
    this.#roomHandlers.add(handler);
    return () => this.#roomHandlers.delete(handler);
  }

  onError(handler: (error: SessionError) => void): () => void {
    this.#errorHandlers.add(handler);
    return () => this.#errorHandlers.delete(handler);
  }

  onStatus(handler: (status: SessionStatus) => void): () => void {
    this.#statusHandlers.add(handler);
    return () => this.#statusHandlers.delete(handler);
  }

  /** Resolve with the next server message of `type` (tests, scripted bots). */
  next<K extends keyof M['server'] & string>(type: K, timeoutMs = 5000): Promise<ServerPayload<M, K>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`No "${type}" message within ${timeoutMs} ms.`));
      }, timeoutMs);
      const off = this.on(type, (payload) => {
        clearTimeout(timer);
        off();
        resolve(payload);
      });
    });
  }

  /** Leave the room (the seat is released) and close. */
  leave(): void {
    this.#write({ kind: 'leave' });
    const codec = this.#codec;
    if (!codec?.seal) return this.close();
    // A sealed leave is still being encrypted: close once it has gone out.
    const socket = this.#socket;
    this.#setStatus('closed');
    void this.#outbound.then(() => socket?.close(1000, 'client closed'));
  }

  /** Close without leaving: the seat is kept for the server's grace period. */
  close(): void {
    this.#setStatus('closed');
    this.#socket?.close(1000, 'client closed');
  }

  /** Drop the link without a close handshake, as a network failure would (tests). */
  simulateDrop(): void {
    this.#socket?.close(4000, 'simulated drop');
  }

  #adopt(joined: Extract<ServerOutput, { kind: 'joined' }>) {
    this.#seatId = joined.seatId;
    this.#role = joined.role;
    this.#resumeToken = joined.resumeToken;
    this.#room = joined.room;
    this.#joinedExtra = joined.extra ?? {};
    this.#init.onResumeToken?.(joined.resumeToken);
    this.#setStatus('connected');
    for (const send of this.#queue.splice(0)) send();
  }

  #fail(output: SessionError): SessionError & Error {
    return Object.assign(new Error(`${output.code}: ${output.message}`), { code: output.code });
  }

  /** Encode and send; through the codec's asynchronous layer, in order, when it has one. */
  #encode(intent: Parameters<ClientProtocolSession['encode']>[0]) {
    const codec = this.#codec;
    const socket = this.#socket;
    if (!codec || !socket) return;
    const frames = codec.encode(intent);
    if (!codec.seal) {
      for (const frame of frames) socket.send(frame);
      return;
    }
    for (const frame of frames) this.#later(socket, () => codec.seal?.(frame).then((sealed) => [sealed]));
  }

  /** Queue frames made asynchronously behind the ones before them; errors reach `onError`. */
  #later(socket: WebSocketLike, make: () => Promise<(Uint8Array | string)[]> | undefined) {
    this.#outbound = this.#outbound.then(make).then(
      (frames) => {
        if (this.#socket === socket) for (const frame of frames ?? []) socket.send(frame);
      },
      (error: unknown) =>
        this.#emitError({
          code: 'PROTOCOL_INVALID_MESSAGE',
          message: `Could not encode a frame: ${String(error)}`,
        }),
    );
  }

  #write(intent: Parameters<ClientProtocolSession['encode']>[0]) {
    const send = () => this.#encode(intent);
    if (this.#status === 'connected' && this.#socket?.readyState === 1) send();
    else if (this.#status === 'reconnecting' && this.#queue.length < 1000) this.#queue.push(send);
  }

  #request(
    intents: Parameters<ClientProtocolSession['encode']>[0][],
    accept: (o: ServerOutput) => boolean,
  ): Promise<ServerOutput> {
    return new Promise((resolve, reject) => {
      this.#waiters.push({ accept, resolve, reject });
      for (const intent of intents) this.#encode(intent);
    });
  }

  #connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = this.#init.open(this.#endpoint);
      socket.binaryType = 'arraybuffer';
      this.#socket = socket;
      const codec = this.#init.protocol.open();
      this.#codec = codec;
      this.#closeCode = undefined;
      this.#outbound = Promise.resolve();
      this.#inbound = Promise.resolve();
      let opened = false;
      socket.onopen = () => {
        opened = true;
        if (codec.opening) this.#later(socket, () => codec.opening?.());
        resolve();
      };
      socket.onerror = () => undefined;
      socket.onmessage = (event) => this.#receive(event.data);
      socket.onclose = (event) => {
        if (this.#socket !== socket) return;
        if (!opened)
          reject(Object.assign(new Error(`Could not connect to ${this.#endpoint}`), { code: 'CONN_FAILED' }));
        this.#onClose(event.code, event.reason);
      };
    });
  }

  #receive(data: unknown) {
    const frame =
      typeof data === 'string'
        ? data
        : data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : (data as Uint8Array);
    const codec = this.#codec;
    if (!codec?.unseal) return this.#decode(codec?.decode(frame));
    this.#inbound = this.#inbound
      .then(() => codec.unseal?.(frame))
      .then((opened) => {
        if (this.#codec !== codec || !opened) return;
        if (!opened.ok) return this.#decode(opened);
        if (opened.value !== undefined) this.#decode(codec.decode(opened.value));
      });
  }

  #decode(decoded: ReturnType<ClientProtocolSession['decode']> | undefined) {
    if (!decoded) return;
    if (!decoded.ok) {
      this.#emitError({
        code: decoded.issue.code,
        message: `Bad frame from server: ${decoded.issue.message}`,
      });
      return;
    }
    for (const output of decoded.value) this.#dispatch(output);
  }

  #dispatch(output: ServerOutput) {
    const waiter = this.#waiters.find((w) => w.accept(output));
    if (waiter) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(output);
      if (output.kind === 'joined') return;
    }
    switch (output.kind) {
      case 'room':
        this.#room = output.room;
        for (const handler of this.#roomHandlers) handler(output.room);
        return;
      case 'game': {
        const schema = schemaOf(this.#init.messages?.server, output.type);
        let payload = output.payload;
        if (schema) {
          const parsed = validate(schema, output.payload);
          if (!parsed.success) {
            this.#emitError({
              code: 'PROTOCOL_INVALID_MESSAGE',
              message: `Server sent an invalid "${output.type}".`,
            });
            return;
          }
          payload = parsed.data;
        }
        for (const handler of this.#handlers.get(output.type) ?? []) handler(payload as never);
        return;
      }
      case 'error':
        if (!waiter) this.#emitError(output);
        return;
      case 'closing':
        this.#closeCode = output.code;
        return;
      case 'authOk':
        this.#userId = output.userId;
        return;
      default:
        return;
    }
  }

  #onClose(code: number, closeReason = '') {
    // The server puts the registry code in the close reason: the only word a protocol whose last
    // frame is still being encrypted can get through.
    this.#closeCode ??= /^[A-Z]+_[A-Z_]+$/.test(closeReason) ? closeReason : undefined;
    const reason: SessionError = { code: this.#closeCode ?? `WS_${code}`, message: 'The connection closed.' };
    for (const waiter of this.#waiters.splice(0)) waiter.reject(reason);
    if (this.#status === 'closed' || this.#reconnecting) return;
    const { reconnect } = this.#init;
    if (!reconnect || !this.#resumeToken || (this.#closeCode && terminal.has(this.#closeCode))) {
      this.#setStatus('closed');
      if (this.#closeCode) this.#emitError(reason);
      return;
    }
    this.#setStatus('reconnecting');
    void this.#reconnect(reconnect);
  }

  async #reconnect(options: ReconnectOptions) {
    this.#reconnecting = true;
    try {
      for (let attempt = 0; attempt < options.retries && this.#status === 'reconnecting'; attempt++) {
        const delay = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (this.#status !== 'reconnecting') return;
        try {
          await this.#resume(this.#resumeToken);
          return;
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code && terminal.has(code)) {
            this.#emitError({ code, message: (error as Error).message });
            break;
          }
          if (!(await this.#follow(code === 'ROOM_MOVED'))) break;
        }
      }
      this.#socket?.close(1000, 'giving up');
      this.#setStatus('closed');
    } finally {
      this.#reconnecting = false;
    }
  }

  /** After a failed resume: the room may have moved to another node. False: it is gone for good. */
  async #follow(moved: boolean): Promise<boolean> {
    const { locate } = this.#init;
    if (!locate || !this.roomId) return true;
    try {
      this.#endpoint = (await locate(this.roomId, moved)) ?? this.#endpoint;
      return true;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (!code || !terminal.has(code)) return true; // The lookup failed for now: retry later.
      this.#emitError({ code, message: (error as Error).message });
      return false;
    }
  }

  #setStatus(status: SessionStatus) {
    if (this.#status === status) return;
    this.#status = status;
    for (const handler of this.#statusHandlers) handler(status);
  }

  #emitError(error: SessionError) {
    for (const handler of this.#errorHandlers) handler(error);
  }
}
