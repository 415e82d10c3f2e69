import { createSystemClock } from '../../core/clock.js';
import type { Clock } from '../../core/clock.js';
import type { Role, ServerOutput } from '../../core/messages.js';
import type { Protocol } from '../../core/protocol.js';
import type { ChannelOptions, Delivery } from './channel.js';
import { SIDEREAL_PROTOCOL_VERSION } from './messages.js';

export { KEYFRAME_REQUEST } from './messages.js';
import { gameBody, openSiderealSession } from './server-session.js';

/** What `identify` returns: a join ticket (as `server.issueTicket` makes) for one room. */
export interface SiderealTicket {
  readonly token: string;
  readonly roomId: string;
  readonly role?: Role;
}

/** The link a bare knock arrived on. */
export interface SiderealIdentifyContext {
  readonly connectionId: string;
  readonly params: Readonly<Record<string, string>>;
  /** The role the knock asked for, if any. */
  readonly role: Role | undefined;
}

/**
 * Turns a bare seed knock (`{"type":"knock"}`, no ticket or resume token) into a ticket, e.g. a
 * guest seat in a fixed universe. Throw (ideally a `ChartroomError` with an `AUTH_` or `ROOM_`
 * code) to refuse: the client gets `error` then `bye`.
 */
export type SiderealIdentify = (context: SiderealIdentifyContext) => SiderealTicket | Promise<SiderealTicket>;

export interface SiderealProtocolOptions {
  /** Endpoint name (logs, metrics, `server.endpoints()`, the ws path `/ws/<name>`). Default `'sidereal'`. */
  readonly name?: string;
  /** Drives retransmission timers and heartbeat pacing. Default: the system clock. */
  readonly clock?: Clock;
  /** Source of a heartbeat's `time` (unix ms). Default `Date.now`. */
  readonly now?: () => number;
  /** Heartbeats to a joined client every this many ms (clock sync); 0: only the connection chart's. Default 1000. */
  readonly heartbeatMs?: number;
  /** Reliable channel limits; see `defaultChannelOptions`. */
  readonly channel?: Partial<ChannelOptions>;
  /** Maps a bare knock to a ticket. Default: none, and a bare knock is refused with AUTH_REQUIRED. */
  readonly identify?: SiderealIdentify;
  /**
   * A player who knocks while the room is in setup also commits ready: a seed client has no
   * other way to say so, and knocking is asking to join the party. Default true.
   */
  readonly autoReady?: boolean;
  /** Game message types sent as `snap` and `diff` packets. Default `{ snap: 'snap', diff: 'diff' }`. */
  readonly types?: { readonly snap: string; readonly diff: string };
}

/** Options after defaults: what a session works with. */
export interface SiderealSettings {
  readonly clock: Clock;
  readonly now: () => number;
  readonly heartbeatMs: number;
  readonly channel: Partial<ChannelOptions>;
  readonly identify: SiderealIdentify | undefined;
  readonly autoReady: boolean;
  readonly types: { readonly snap: string; readonly diff: string };
  /** Bodies made by `prepare`, with how they travel (keyed by the very array handed to every session). */
  readonly prepared: WeakMap<Uint8Array, Delivery>;
}

/**
 * The Sidereal protocol (seed 001) on the server: a pseudo-header (u32 sequence, u8 flags) in
 * front of a JSON body, over a reliable channel with per-packet ACKs, on any message-based
 * transport: UDP (`chartroom/transports/udp`) or WebSocket binary frames.
 *
 * - `knock` authenticates and joins in one message (ticket + room, resume token, or the
 *   `identify` hook); the answer is `welcome`, then the room's keyframe. A knock on a joined
 *   session asks for a fresh keyframe (`KEYFRAME_REQUEST`).
 * - `stop` releases the seat; the server acknowledges it and sends nothing more.
 * - Game messages `snap` go reliable (ordered, exactly once); `diff` goes as `latest` per object
 *   id (an unacknowledged diff is superseded by, and merged into, the object's next one); the
 *   connection chart's ping and a paced timer send `heartbeat`s; anything else is a `game`.
 * - Malformed datagrams are dropped and counted, never answered (no reflection off bad input).
 *
 * @example
 * const udp = createUdpTransport({ port: 8082 });
 * createServer({
 *   roomTypes: [universe],
 *   endpoints: [
 *     { protocol: createSiderealProtocol({ name: 'sidereal-udp' }), transport: udp },
 *     createSiderealProtocol(), // the same protocol over ws at /ws/sidereal
 *   ],
 * });
 */
export function createSiderealProtocol(options: SiderealProtocolOptions = {}): Protocol {
  const settings: SiderealSettings = {
    clock: options.clock ?? createSystemClock(),
    now: options.now ?? Date.now,
    heartbeatMs: Math.max(0, options.heartbeatMs ?? 1000),
    channel: options.channel ?? {},
    identify: options.identify,
    autoReady: options.autoReady ?? true,
    types: options.types ?? { snap: 'snap', diff: 'diff' },
    prepared: new WeakMap(),
  };
  return {
    name: options.name ?? 'sidereal',
    version: SIDEREAL_PROTOCOL_VERSION,
    frames: 'binary',
    open: (peer) => openSiderealSession(peer, settings),
    prepare(output: ServerOutput) {
      // A broadcast's body is encoded once; each session puts its own header in front.
      if (output.kind !== 'game' || output.requestId !== undefined) return undefined;
      const made = gameBody(output.type, output.payload, settings.types);
      settings.prepared.set(made.body, made.delivery);
      return made.body;
    },
  };
}
