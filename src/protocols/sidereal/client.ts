import { createSystemClock } from '../../core/clock.js';
import type { Clock } from '../../core/clock.js';
import type { Role, RoomView } from '../../core/messages.js';
import { roomFromWire } from '../json-envelope/codec.js';
import { createChannel } from './channel.js';
import type { Channel, ChannelStats } from './channel.js';
import type { DatagramLink } from './datagram.js';
import type { SiderealClientError, SiderealClientEvents, SiderealClientOptions } from './client-options.js';
import { SIDEREAL_PROTOCOL_VERSION, decodeServerBody, encodeBody } from './messages.js';
import type { ClientBody, ServerBody } from './messages.js';
import { WorldMirror } from './mirror.js';

type Handler<K extends keyof SiderealClientEvents> = (event: SiderealClientEvents[K]) => void;

/** Heartbeats the clock offset is estimated from (16 s of them at the default pace). */
const OFFSET_SAMPLES = 16;

const fault = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}`), { code });

/**
 * A Sidereal client (seed 001): knocks, keeps a mirror of the world (`world`), estimates the
 * server's clock from heartbeats, and stops. Browser-safe; the transport is a `DatagramConnect`
 * (`webSocketDatagrams`, or `udpDatagrams` from `chartroom/protocols/sidereal/node`).
 *
 * Register handlers before `connect()` to see every event: the keyframe can arrive in the same
 * turn of the event loop as the welcome. `world` is complete either way.
 *
 * @example
 * const client = new SiderealClient({ connect: udpDatagrams({ host: '127.0.0.1', port: 8082 }) });
 * client.on('keyframe', () => console.log(client.world.snapshot()));
 * await client.connect();
 * await client.stop();
 */
export class SiderealClient {
  readonly world: WorldMirror;
  #channel: Channel;
  #link: DatagramLink | undefined;
  #clock: Clock;
  #now: () => number;
  #handlers = new Map<keyof SiderealClientEvents, Set<(event: never) => void>>();
  #status: 'connecting' | 'joined' | 'closed' = 'connecting';
  #welcome: { resolve: () => void; reject: (error: Error) => void } | undefined;
  #seat = { seatId: '', role: 'player' as Role, roomId: '', resumeToken: '' };
  #room: RoomView | undefined;
  #offset: number | undefined;
  /** The latest offset samples (at most OFFSET_SAMPLES), newest last. */
  #offsets: number[] = [];
  #latency: number | undefined;
  #lastHeard = 0;
  #silenceMs: number;
  #silenceTimer: unknown;
  #stopped: (() => void) | undefined;
  #options: SiderealClientOptions;

  constructor(options: SiderealClientOptions) {
    this.#options = options;
    this.#clock = options.clock ?? createSystemClock();
    this.#now = options.now ?? Date.now;
    this.#silenceMs = options.silenceTimeoutMs ?? 10_000;
    this.world = new WorldMirror(options.mirror);
    this.#channel = createChannel(
      this.#clock,
      {
        transmit: (datagram) => this.#link?.send(datagram),
        message: (body) => this.#onBody(body),
        issue: (issue) =>
          this.#emit('error', { code: issue.code, message: `Bad datagram from server: ${issue.message}` }),
        failed: (reason, detail) =>
          this.#end({
            code: reason === 'unresponsive' ? 'CONN_HEARTBEAT_TIMEOUT' : 'CONN_SLOW_CONSUMER',
            message: detail,
          }),
        drained: () => this.#stopped?.(),
      },
      options.channel,
    );
  }

  /** `new SiderealClient(options).connect()`: fine when the handlers can come after the keyframe. */
  static connect(options: SiderealClientOptions): Promise<SiderealClient> {
    return new SiderealClient(options).connect();
  }

  /** Open the link, knock, and resolve once the server welcomes this client (rejects with its refusal). */
  async connect(): Promise<this> {
    if (this.#link || this.#status !== 'connecting')
      throw new Error('SiderealClient.connect() was already called.');
    const options = this.#options;
    this.#link = await options.connect({
      datagram: (bytes) => this.#receive(bytes),
      close: () => this.#end({ code: 'CONN_LINK_LOST', message: 'The link closed.' }),
    });
    const timeoutMs = options.welcomeTimeoutMs ?? 10_000;
    const welcomed = new Promise<void>((resolve, reject) => {
      this.#welcome = { resolve, reject };
    });
    const timer = this.#clock.setTimeout(
      () => this.#end({ code: 'AUTH_HANDSHAKE_TIMEOUT', message: `No welcome within ${timeoutMs} ms.` }),
      timeoutMs,
    );
    this.#lastHeard = this.#clock.now();
    this.#watchSilence();
    this.#send({ type: 'knock', ...(options.knock ?? {}), v: SIDEREAL_PROTOCOL_VERSION } as ClientBody);
    try {
      await welcomed;
      return this;
    } finally {
      this.#clock.clearTimeout(timer);
    }
  }

  get status(): 'connecting' | 'joined' | 'closed' {
    return this.#status;
  }
  get seatId(): string {
    return this.#seat.seatId;
  }
  get role(): Role {
    return this.#seat.role;
  }
  get roomId(): string {
    return this.#seat.roomId;
  }
  /** Knock with `{ resume }` to take the seat back after the server dropped this client. */
  get resumeToken(): string {
    return this.#seat.resumeToken;
  }
  get room(): RoomView | undefined {
    return this.#room;
  }
  /**
   * Server clock minus local clock, ms: the largest of the last 16 heartbeat samples (server
   * time + half the round trip - local time); undefined before the first heartbeat.
   */
  get clockOffsetMs(): number | undefined {
    return this.#offset;
  }
  /** One-way latency estimate, ms: half the round trip the server measured. */
  get latencyMs(): number | undefined {
    return this.#latency;
  }
  /** The server's unix time now, as estimated from heartbeats. */
  serverNow(): number | undefined {
    return this.#offset === undefined ? undefined : this.#now() + this.#offset;
  }
  get stats(): Readonly<ChannelStats> {
    return this.#channel.stats;
  }

  on<K extends keyof SiderealClientEvents>(event: K, handler: Handler<K>): () => void {
    let set = this.#handlers.get(event);
    if (!set) this.#handlers.set(event, (set = new Set()));
    set.add(handler as (event: never) => void);
    return () => set.delete(handler as (event: never) => void);
  }

  /** Ask for a fresh keyframe (a knock on a joined session). */
  requestKeyframe(): void {
    if (this.#status === 'joined') this.#send({ type: 'knock' });
  }

  /** Send `stop` (the server releases the seat and stops sending), wait for its ACK, close. */
  async stop(timeoutMs = 2000): Promise<void> {
    if (this.#status === 'closed') return;
    await new Promise<void>((resolve) => {
      const timer = this.#clock.setTimeout(resolve, timeoutMs);
      this.#stopped = () => {
        this.#clock.clearTimeout(timer);
        resolve();
      };
      this.#send({ type: 'stop' });
    });
    this.close();
  }

  /** Close without a stop: the server keeps the seat until its heartbeat or idle timeout. */
  close(): void {
    this.#end(undefined);
  }

  #send(body: ClientBody) {
    this.#channel.send(encodeBody(body), { kind: 'reliable' });
  }

  #emit<K extends keyof SiderealClientEvents>(event: K, value: SiderealClientEvents[K]) {
    for (const handler of this.#handlers.get(event) ?? []) (handler as Handler<K>)(value);
  }

  #end(reason: SiderealClientError | undefined) {
    if (this.#status === 'closed') return;
    this.#status = 'closed';
    this.#clock.clearTimeout(this.#silenceTimer);
    this.#channel.close();
    this.#link?.close();
    this.#welcome?.reject(
      fault(reason?.code ?? 'CONN_LINK_LOST', reason?.message ?? 'Closed before welcome.'),
    );
    this.#welcome = undefined;
    this.#emit('close', reason);
  }

  #watchSilence() {
    const check = () => {
      if (this.#status === 'closed') return;
      const silent = this.#clock.now() - this.#lastHeard;
      if (silent >= this.#silenceMs) {
        return this.#end({
          code: 'CONN_HEARTBEAT_TIMEOUT',
          message: `The server was silent for ${silent} ms.`,
        });
      }
      this.#silenceTimer = this.#clock.setTimeout(check, Math.max(10, this.#silenceMs - silent));
    };
    this.#silenceTimer = this.#clock.setTimeout(check, this.#silenceMs);
  }

  #receive(bytes: Uint8Array) {
    if (this.#status === 'closed') return;
    this.#lastHeard = this.#clock.now();
    this.#channel.receive(bytes);
  }

  #onBody(bytes: Uint8Array) {
    const decoded = decodeServerBody(bytes);
    if (!decoded.ok) {
      return this.#emit('error', {
        code: decoded.issue.code,
        message: `Bad message from server: ${decoded.issue.message}`,
      });
    }
    this.#onMessage(decoded.value);
  }

  #onMessage(body: ServerBody) {
    switch (body.type) {
      case 'snap': {
        const { keyframe } = this.world.applySnap(body);
        this.#emit('snap', body);
        if (keyframe.complete && keyframe.received === keyframe.total) this.#emit('keyframe', keyframe);
        return;
      }
      case 'diff':
        this.world.applyDiff(body);
        return this.#emit('diff', body);
      case 'heartbeat': {
        const rtt = body.rtt ?? this.#channel.rtt.srtt;
        this.#latency = rtt === undefined ? undefined : rtt / 2;
        // A heartbeat held up anywhere (queues, a busy event loop) only makes its sample smaller,
        // so the largest of the recent samples is the least delayed one (Cristian's rule).
        this.#offsets.push(body.time + (this.#latency ?? 0) - this.#now());
        if (this.#offsets.length > OFFSET_SAMPLES) this.#offsets.shift();
        this.#offset = Math.max(...this.#offsets);
        return this.#emit('heartbeat', body);
      }
      case 'welcome':
        this.#seat = { seatId: body.seat, role: body.role, roomId: body.room, resumeToken: body.resume };
        this.#room = roomFromWire(body.view);
        this.#status = 'joined';
        this.#welcome?.resolve();
        this.#welcome = undefined;
        return;
      case 'room':
        this.#room = roomFromWire(body.view);
        return this.#emit('room', this.#room);
      case 'game':
        return this.#emit('game', { name: body.name, payload: body.payload });
      case 'error': {
        const error = {
          code: body.code,
          message: body.message,
          ...(body.ref !== undefined ? { ref: body.ref } : {}),
        };
        if (this.#welcome && body.ref === 'knock') return this.#end(error);
        return this.#emit('error', error);
      }
      case 'bye':
        return this.#end({ code: body.code, message: body.message });
    }
  }
}
