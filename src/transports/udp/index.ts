import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { createSystemClock } from '../../core/clock.js';
import type { Clock } from '../../core/clock.js';
import type { AcceptedLink, Link, LinkHandlers, Transport } from '../../core/link.js';

export interface UdpTransportOptions {
  /** Interface to bind. Default `'127.0.0.1'` (loopback only; `'0.0.0.0'` accepts remote peers). */
  readonly host?: string;
  /** Port to bind; 0 picks a free one (read it from `address()` after start). Default 0. */
  readonly port?: number;
  /** `'udp6'` for an IPv6 interface. Default `'udp4'`. */
  readonly type?: 'udp4' | 'udp6';
  /** Host name put in `endpoint()` when bound to a wildcard address. Default: the HTTP base URL's host. */
  readonly publicHost?: string;
  /**
   * Largest datagram accepted or sent, bytes; larger inbound ones are dropped and counted, larger
   * outbound ones are dropped and counted (the protocol should have split them). Default 1200.
   */
  readonly maxDatagramBytes?: number;
  /** A peer silent for this long is dropped (its link closes). Default 30000 ms. */
  readonly idleTimeoutMs?: number;
  /** Peers at once; datagrams from new peers past it are dropped and counted. Default 1024. */
  readonly maxPeers?: number;
  /** Datagrams held for a new link before the runtime attaches it. Default 16. */
  readonly maxEarlyDatagrams?: number;
  /** Transport name in logs. Default `udp:<port>` once bound. */
  readonly name?: string;
  /** Drives the idle sweep. Default: the system clock (its timers do not keep the process alive). */
  readonly clock?: Clock;
}

/** What the transport dropped, by reason (monotonic counters). */
export interface UdpTransportStats {
  /** Inbound datagrams over maxDatagramBytes. */
  oversizeIn: number;
  /** Outbound datagrams over maxDatagramBytes. */
  oversizeOut: number;
  /** Datagrams from new peers while maxPeers were connected. */
  peerLimit: number;
  /** Peers dropped after idleTimeoutMs of silence. */
  idleDrops: number;
  /** Datagrams that arrived before attach, past maxEarlyDatagrams. */
  early: number;
}

export interface UdpTransport extends Transport {
  /** The bound address after `start` (undefined before and after `stop`). */
  address(): { readonly host: string; readonly port: number } | undefined;
  /** Peers with a live link right now. */
  readonly peerCount: number;
  readonly stats: Readonly<UdpTransportStats>;
}

interface Peer {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  handlers: LinkHandlers | undefined;
  early: Uint8Array[];
  lastHeard: number;
  closed: boolean;
}

const wildcard = new Set(['0.0.0.0', '::', '']);

/**
 * A UDP transport (node:dgram) for datagram protocols such as Sidereal. One socket; each remote
 * `address:port` is a peer with its own message-based link (`stream: false`, one frame per
 * datagram). UDP has no connections, so a peer exists from its first datagram until it goes
 * silent for `idleTimeoutMs`, its link is closed, or the transport stops; the number of peers
 * is bounded by `maxPeers`. `bufferedAmount` is always 0: datagrams are not queued per peer (the
 * kernel drops what it cannot send), so flow control is the protocol's (Sidereal's window).
 *
 * @example
 * const udp = createUdpTransport({ host: '0.0.0.0', port: 8082 });
 * createServer({ roomTypes, endpoints: [{ protocol: createSiderealProtocol({ name: 'sidereal-udp' }), transport: udp }] });
 */
export function createUdpTransport(options: UdpTransportOptions = {}): UdpTransport {
  const host = options.host ?? '127.0.0.1';
  const maxDatagram = options.maxDatagramBytes ?? 1200;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const maxPeers = options.maxPeers ?? 1024;
  const maxEarly = options.maxEarlyDatagrams ?? 16;
  const clock = options.clock ?? createSystemClock();
  const peers = new Map<string, Peer>();
  const stats: UdpTransportStats = { oversizeIn: 0, oversizeOut: 0, peerLimit: 0, idleDrops: 0, early: 0 };
  let socket: Socket | undefined;
  let bound: { host: string; port: number } | undefined;
  let sweeper: unknown;
  let count = 0;

  const drop = (peer: Peer) => {
    if (peer.closed) return;
    peer.closed = true;
    peers.delete(peer.key);
    const handlers = peer.handlers;
    // Asynchronous, as a socket's 'close' event is: the runtime may be closing the link itself.
    queueMicrotask(() => handlers?.close());
  };

  const linkFor = (peer: Peer): Link => ({
    id: `udp${++count}`,
    remote: peer.key,
    stream: false,
    bufferedAmount: 0,
    send(frame) {
      if (peer.closed || !socket) return;
      const bytes = typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame;
      if (bytes.byteLength > maxDatagram) {
        stats.oversizeOut++;
        return;
      }
      socket.send(bytes, peer.port, peer.address, () => undefined);
    },
    close() {
      // UDP has no close handshake: the protocol said why in its own datagram before this.
      drop(peer);
    },
    attach(handlers) {
      peer.handlers = handlers;
      for (const datagram of peer.early.splice(0)) if (!peer.closed) handlers.frame(datagram);
    },
  });

  const onMessage = (accept: (accepted: AcceptedLink) => void, message: Buffer, info: RemoteInfo) => {
    if (message.byteLength > maxDatagram) {
      stats.oversizeIn++;
      return;
    }
    const key = info.family === 'IPv6' ? `[${info.address}]:${info.port}` : `${info.address}:${info.port}`;
    let peer = peers.get(key);
    if (!peer) {
      if (peers.size >= maxPeers) {
        stats.peerLimit++;
        return;
      }
      peer = {
        key,
        address: info.address,
        port: info.port,
        handlers: undefined,
        early: [],
        lastHeard: 0,
        closed: false,
      };
      peers.set(key, peer);
      accept({ link: linkFor(peer), params: {} });
    }
    peer.lastHeard = clock.now();
    if (peer.handlers) return peer.handlers.frame(message);
    if (peer.early.length < maxEarly) peer.early.push(message);
    else stats.early++;
  };

  /** Every quarter of the idle timeout (10 ms .. 1 s): drop the peers silent for idleTimeoutMs. */
  const sweepEveryMs = Math.max(10, Math.min(1000, idleTimeoutMs / 4));
  const sweep = () => {
    const cutoff = clock.now() - idleTimeoutMs;
    for (const peer of [...peers.values()]) {
      if (peer.lastHeard > cutoff) continue;
      stats.idleDrops++;
      drop(peer);
    }
    schedule();
  };
  const schedule = () => {
    if (!socket) return;
    sweeper = clock.setTimeout(sweep, sweepEveryMs);
    (sweeper as { unref?: () => void }).unref?.();
  };

  return {
    get name() {
      return options.name ?? `udp:${bound?.port ?? options.port ?? 0}`;
    },
    async start(accept) {
      if (socket) return;
      const created = createSocket(options.type ?? 'udp4');
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject);
        created.bind(options.port ?? 0, host, () => {
          created.off('error', reject);
          resolve();
        });
      });
      // Errors on a bound socket (ICMP unreachable from a gone peer) concern one datagram, not the socket.
      created.on('error', () => undefined);
      created.on('message', (message, info) => onMessage(accept, message, info));
      const address = created.address();
      bound = { host: address.address, port: address.port };
      socket = created;
      schedule();
    },
    async stop() {
      const closing = socket;
      socket = undefined;
      bound = undefined;
      clock.clearTimeout(sweeper);
      sweeper = undefined;
      for (const peer of [...peers.values()]) drop(peer);
      if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
    endpoint(httpBase) {
      const port = bound?.port ?? options.port ?? 0;
      let name = options.publicHost ?? bound?.host ?? host;
      if (!options.publicHost && wildcard.has(name)) {
        name = httpBase ? new URL(httpBase).hostname : '127.0.0.1';
      }
      return `udp://${name.includes(':') && !name.startsWith('[') ? `[${name}]` : name}:${port}`;
    },
    address: () => bound,
    get peerCount() {
      return peers.size;
    },
    stats,
  };
}
