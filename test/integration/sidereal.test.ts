/**
 * Sidereal end to end on real sockets (127.0.0.1, port 0): the universe example's server,
 * SiderealClient over UDP (directly, and through a seeded lossy relay) and over ws.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Flag, SiderealClient, webSocketDatagrams } from 'chartroom/protocols/sidereal';
import type { DatagramLink, KeyframeProgress, SnapBody } from 'chartroom/protocols/sidereal';
import { connectSiderealUdp, udpDatagrams } from 'chartroom/protocols/sidereal/node';
import { startSiderealServer } from '../../examples/sidereal/server.js';
import type { SiderealServer } from '../../examples/sidereal/server.js';
import type { UniverseEngine } from '../../examples/sidereal/sync.js';
import { createUniverse, universeConfig } from '../../examples/sidereal/universe.js';
import { createLossyUdpRelay, noFaults } from '../support/lossy-udp-relay.js';
import { until } from '../support/server.js';
import { createUdpChannelPair } from '../support/udp-channel-pair.js';
import { observedUdp } from './sidereal-support.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const universe = { bodies: 2, ships: 3, turrets: 2, tickMs: 50 };
const TOTAL = 7;

async function start(options: Parameters<typeof startSiderealServer>[0] = {}): Promise<SiderealServer> {
  const sidereal = await startSiderealServer({ universe, ...options });
  cleanups.push(() => sidereal.stop());
  return sidereal;
}

const engineOf = (sidereal: SiderealServer) => sidereal.server.room(sidereal.roomId)?.sync as UniverseEngine;
const traitsById = (objects: readonly { id: string }[]) =>
  Object.fromEntries(objects.map(({ id, ...traits }) => [id, traits]));

function keyframes(client: SiderealClient): KeyframeProgress[] {
  const seen: KeyframeProgress[] = [];
  client.on('keyframe', (k) => seen.push(k));
  return seen;
}

describe('sidereal over UDP', () => {
  it('answers a bare knock with a welcome and a full initial keyframe of `total` snaps', async () => {
    const sidereal = await start();
    const snaps: SnapBody[] = [];
    const client = new SiderealClient({ connect: udpDatagrams({ host: '127.0.0.1', port: sidereal.port }) });
    cleanups.push(() => client.close());
    client.on('snap', (snap) => snaps.push(snap));
    const done = keyframes(client);
    await client.connect();
    await until(() => done.length === 1, 3000, 'the keyframe');
    expect(client.seatId).toBe('p1');
    expect(done[0]).toEqual({ time: 0, total: TOTAL, initial: true, received: TOTAL, complete: true });
    expect(snaps.map((s) => [s.total, s.initial, s.time])).toEqual(Array(TOTAL).fill([TOTAL, true, 0]));
    // The keyframe is the universe at time 0, as its seed makes it.
    const seed = sidereal.server.room(sidereal.roomId)?.view().seed ?? -1;
    const fresh = createUniverse(seed, universeConfig.parse(universe));
    expect(Object.fromEntries(snaps.map((s) => [s.id, s.traits]))).toEqual(traitsById(fresh.objects()));
    // Knocking started the room (auto-ready), so the universe ticks and diffs flow.
    await until(() => client.world.time > 3, 3000, 'ticks');
    expect(sidereal.server.room(sidereal.roomId)?.view().phase).toBe('running.iterating');
  });

  it('sends a fresh (non-initial) keyframe when a joined client knocks again', async () => {
    const sidereal = await start();
    const client = await connectSiderealUdp({ host: '127.0.0.1', port: sidereal.port });
    cleanups.push(() => client.close());
    await until(() => client.world.keyframe?.complete === true, 3000, 'the first keyframe');
    const done = keyframes(client);
    client.requestKeyframe();
    await until(() => done.length === 1, 3000, 'the requested keyframe');
    expect(done[0]).toMatchObject({ total: TOTAL, initial: false, complete: true });
  });

  it('stops all traffic to a client after its stop, and releases its seat', async () => {
    const sidereal = await start();
    const observed = observedUdp(sidereal.port);
    cleanups.push(() => observed.dispose());
    const client = await SiderealClient.connect({ connect: observed.connect });
    await until(() => client.world.time > 2, 3000, 'a running universe');
    await client.stop();
    // `stop` resolved on the stop's ACK, the server's last datagram to this client (its only
    // one): count from there, not from a time. ACKs of packets that were on the way when the
    // stop arrived reach the server after it forgot the client; they must change nothing.
    const { framesOut } = sidereal.server.metrics();
    const heard = observed.seen.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sidereal.server.metrics().framesOut).toBe(framesOut);
    expect(observed.seen.slice(heard)).toEqual([]);
    expect(sidereal.server.connections.size).toBe(0);
    // Its seat was released; the universe is a persistent room, so it runs on without players...
    const universe = sidereal.server.room(sidereal.roomId);
    expect(universe?.view().seats.filter((seat) => seat.connected && !seat.left)).toEqual([]);
    expect(universe?.view().phase.startsWith('running')).toBe(true);
    // ...and the next knock joins it.
    const next = await connectSiderealUdp({ host: '127.0.0.1', port: sidereal.port });
    cleanups.push(() => next.close());
    await until(() => next.world.keyframe?.complete === true, 3000, 'the universe again');
  });

  it('opens no session for a late ACK from a stopped client, and answers nothing', async () => {
    const sidereal = await start();
    const observed = observedUdp(sidereal.port);
    cleanups.push(() => observed.dispose());
    let link: DatagramLink | undefined;
    const acks: Uint8Array[] = [];
    const client = await SiderealClient.connect({
      connect: async (handlers) => {
        const opened = await observed.connect(handlers);
        link = opened;
        return {
          send: (datagram) => {
            if (datagram[4]! & Flag.ACK) acks.push(datagram);
            opened.send(datagram);
          },
          close: () => opened.close(),
        };
      },
    });
    await until(() => client.world.time > 2, 3000, 'a running universe');
    await client.stop();
    const { framesIn, framesOut } = sidereal.server.metrics();
    // The network delivers the client's last ACK again, after the server forgot the client.
    link!.send(acks.at(-1)!);
    await until(() => sidereal.server.metrics().framesIn > framesIn, 3000, 'the late ACK read');
    expect(sidereal.server.connections.size).toBe(0);
    expect(sidereal.udp.peerCount).toBe(0);
    expect(sidereal.server.metrics().framesOut).toBe(framesOut);
  });

  it('drops a client that goes silent once the UDP idle timeout passes', async () => {
    const sidereal = await start({ udp: { idleTimeoutMs: 400 }, timing: { gracePeriodMs: 300 } });
    const observed = observedUdp(sidereal.port);
    cleanups.push(() => observed.dispose());
    const client = await SiderealClient.connect({ connect: observed.connect, silenceTimeoutMs: 60_000 });
    cleanups.push(() => client.close());
    await until(() => client.world.time > 2, 3000, 'a running universe');
    observed.silence();
    const silentAt = Date.now();
    await until(() => sidereal.udp.stats.idleDrops === 1, 3000, 'the idle drop');
    const droppedAt = Date.now();
    expect(droppedAt - silentAt).toBeGreaterThanOrEqual(350);
    expect(sidereal.udp.peerCount).toBe(0);
    // The seat waits its grace period as disconnected, then the connection is gone for good.
    expect(sidereal.server.room(sidereal.roomId)?.view().seats[0]?.connected).toBe(false);
    await until(() => sidereal.server.connections.size === 0, 3000, 'the end of the grace period');
    // Nothing was sent to the dropped peer after the drop.
    expect(observed.seen.filter((s) => s.at > droppedAt + 20)).toEqual([]);
  });

  it('converges to the server world within 3 s after 3 s of loss, duplication, reordering and delay', async () => {
    const sidereal = await start();
    const relay = await createLossyUdpRelay({
      target: { host: '127.0.0.1', port: sidereal.port },
      seed: 20240601,
      faults: { loss: 0.2, duplicate: 0.05, reorder: 0.1, minDelayMs: 0, maxDelayMs: 15, reorderMs: 40 },
    });
    cleanups.push(() => relay.close());
    const client = new SiderealClient({ connect: udpDatagrams({ host: '127.0.0.1', port: relay.port }) });
    cleanups.push(() => client.close());
    const done = keyframes(client);
    await client.connect();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(relay.stats.dropped).toBeGreaterThan(20);
    expect(relay.stats.duplicated).toBeGreaterThan(0);
    relay.setFaults(noFaults);
    // Freeze the universe so "the same world" is one state, then measure how long the mirror takes.
    sidereal.server.room(sidereal.roomId)?.send({ type: 'PAUSE' });
    const engine = engineOf(sidereal);
    const calm = Date.now();
    const expected = () => traitsById(engine.universe.objects());
    await until(
      () => JSON.stringify(client.world.snapshot()) === JSON.stringify(expected()),
      3000,
      'convergence',
    );
    const convergedMs = Date.now() - calm;
    expect(client.world.time).toBe(engine.universe.time);
    expect(done[0]).toMatchObject({ total: TOTAL, complete: true });
    expect(client.stats.duplicates + client.stats.stale).toBeGreaterThan(0);
    expect(convergedMs).toBeLessThan(3000);
  });
});

describe('sidereal reliable channel over a lossy UDP relay', () => {
  it('delivers 400 reliable messages each way exactly once and in order (20% loss, duplicates, reordering)', async () => {
    const pair = await createUdpChannelPair(7, {
      loss: 0.2,
      duplicate: 0.1,
      reorder: 0.2,
      minDelayMs: 0,
      maxDelayMs: 10,
      reorderMs: 30,
    });
    cleanups.push(() => pair.close());
    await pair.introduce();
    const count = 400;
    for (let i = 0; i < count; i++) {
      pair.a.channel.send(new TextEncoder().encode(`c${i}`), { kind: 'reliable' });
      pair.b.channel.send(new TextEncoder().encode(`s${i}`), { kind: 'reliable' });
    }
    const { a, b } = pair;
    await until(
      () => b.received.length === count + 1 && a.received.length === count,
      15_000,
      'every message',
    );
    expect(b.received).toEqual(['hello', ...Array.from({ length: count }, (_, i) => `c${i}`)]);
    expect(a.received).toEqual(Array.from({ length: count }, (_, i) => `s${i}`));
    expect(a.channel.stats.retransmissions + b.channel.stats.retransmissions).toBeGreaterThan(0);
    expect(a.channel.stats.duplicates + b.channel.stats.duplicates).toBeGreaterThan(0);
    expect(pair.relay.stats.dropped).toBeGreaterThan(50);
  });
});

describe('sidereal over ws', () => {
  it('serves the same protocol on the WebSocket endpoint: knock, welcome, keyframe', async () => {
    const sidereal = await start();
    expect(sidereal.wsEndpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/sidereal$/);
    const client = new SiderealClient({
      connect: webSocketDatagrams(sidereal.wsEndpoint, { webSocket: (url) => new WebSocket(url) as never }),
      knock: { role: 'viewer' },
    });
    cleanups.push(() => client.close());
    const done = keyframes(client);
    await client.connect();
    await until(() => done.length === 1, 3000, 'the keyframe');
    expect(client.role).toBe('viewer');
    expect(done[0]).toMatchObject({ total: TOTAL, initial: true });
    expect(client.stats.retransmissions).toBe(0);
    await client.stop();
    await until(() => sidereal.server.connections.size === 0, 2000, 'the close');
  });
});
