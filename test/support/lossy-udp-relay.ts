import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { createPrng } from 'chartroom';

/** What the relay does to each datagram, per direction; probabilities in [0, 1]. */
export interface Faults {
  readonly loss: number;
  readonly duplicate: number;
  /** Probability a datagram is held back an extra `reorderMs` (so later ones overtake it). */
  readonly reorder: number;
  /** Every datagram waits a uniform delay in [minDelayMs, maxDelayMs]. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly reorderMs: number;
}

export const noFaults: Faults = {
  loss: 0,
  duplicate: 0,
  reorder: 0,
  minDelayMs: 0,
  maxDelayMs: 0,
  reorderMs: 0,
};

export interface LossyRelayOptions {
  /** Where datagrams from clients go (the server). */
  readonly target: { readonly host: string; readonly port: number };
  /** PRNG seed: the same seed and the same traffic give the same faults. */
  readonly seed: number;
  readonly faults?: Faults;
  /** Clients relayed at once (one upstream socket each). Default 64. */
  readonly maxClients?: number;
  /** Datagrams held in delay timers at once; past it they are dropped (counted). Default 10000. */
  readonly maxHeld?: number;
}

export interface RelayStats {
  forwarded: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  /** Datagrams toward the server / toward the clients that were forwarded. */
  toServer: number;
  toClient: number;
  overflow: number;
}

export interface LossyUdpRelay {
  /** Clients send here instead of to the server. */
  readonly port: number;
  readonly stats: RelayStats;
  /** Change the faults from now on (e.g. `noFaults` when the chaos phase ends). */
  setFaults(faults: Faults): void;
  /** Stop relaying: every datagram in either direction is dropped silently (a dead network). */
  blackhole(on: boolean): void;
  close(): Promise<void>;
}

const bind = (socket: Socket) =>
  new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });

/**
 * A UDP proxy on 127.0.0.1 that drops, duplicates, reorders and delays datagrams with a seeded
 * PRNG. Each client (source address:port) gets its own upstream socket, so the server sees one
 * peer per client. Bounded: at most `maxHeld` datagrams wait in timers and `maxClients` clients.
 */
export async function createLossyUdpRelay(options: LossyRelayOptions): Promise<LossyUdpRelay> {
  const random = createPrng(options.seed);
  let faults = options.faults ?? noFaults;
  let dead = false;
  const maxClients = options.maxClients ?? 64;
  const maxHeld = options.maxHeld ?? 10_000;
  const stats: RelayStats = {
    forwarded: 0,
    dropped: 0,
    duplicated: 0,
    reordered: 0,
    toServer: 0,
    toClient: 0,
    overflow: 0,
  };
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const front = createSocket('udp4');
  const upstreams = new Map<string, Promise<Socket>>();
  let closed = false;

  const later = (send: () => void, delayMs: number) => {
    if (timers.size >= maxHeld) {
      stats.overflow++;
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) send();
    }, delayMs);
    timers.add(timer);
  };

  /** Apply the faults to one datagram and schedule what survives. */
  const relay = (message: Buffer, send: (bytes: Buffer) => void, toServer: boolean) => {
    if (dead || closed) return;
    if (random() < faults.loss) {
      stats.dropped++;
      return;
    }
    const copies = random() < faults.duplicate ? 2 : 1;
    if (copies === 2) stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      let delay = faults.minDelayMs + random() * (faults.maxDelayMs - faults.minDelayMs);
      if (random() < faults.reorder) {
        delay += faults.reorderMs;
        stats.reordered++;
      }
      later(() => {
        stats.forwarded++;
        if (toServer) stats.toServer++;
        else stats.toClient++;
        send(message);
      }, delay);
    }
  };

  /** The client's upstream socket, bound once (datagrams arriving meanwhile wait for the same bind). */
  const upstreamFor = (info: RemoteInfo): Promise<Socket> | undefined => {
    const key = `${info.address}:${info.port}`;
    const existing = upstreams.get(key);
    if (existing || upstreams.size >= maxClients) return existing;
    const socket = createSocket('udp4');
    socket.on('error', () => undefined);
    socket.on('message', (message) =>
      relay(message, (bytes) => front.send(bytes, info.port, info.address, () => undefined), false),
    );
    const bound = bind(socket).then(() => socket);
    upstreams.set(key, bound);
    return bound;
  };

  front.on('error', () => undefined);
  front.on('message', (message, info) => {
    void upstreamFor(info)?.then((upstream) => {
      relay(
        message,
        (bytes) => upstream.send(bytes, options.target.port, options.target.host, () => undefined),
        true,
      );
    });
  });
  await bind(front);

  return {
    port: front.address().port,
    stats,
    setFaults(next) {
      faults = next;
    },
    blackhole(on) {
      dead = on;
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const sockets = [front, ...(await Promise.all(upstreams.values()))];
      upstreams.clear();
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
