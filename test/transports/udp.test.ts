/**
 * The UDP transport on real sockets (127.0.0.1, port 0). The shared transport contract suite
 * (contract.test.ts) is WebSocket-shaped (client ends are WebSocketLike, with close codes and
 * pings), which UDP has none of, so its cases that apply are here: links per peer, frames both
 * ways, close, stop; plus UDP's own: idle timeout, size limits, peer bound.
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { AcceptedLink, Link } from 'chartroom';
import { createUdpTransport } from 'chartroom/transports/udp';
import type { UdpTransport, UdpTransportOptions } from 'chartroom/transports/udp';
import { until } from '../support/server.js';

interface ServerEnd {
  readonly link: Link;
  readonly frames: Uint8Array[];
  closes: number;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startUdp(options: UdpTransportOptions = {}) {
  const transport: UdpTransport = createUdpTransport(options);
  const ends: ServerEnd[] = [];
  await transport.start(
    ({ link }: AcceptedLink) => {
      const end: ServerEnd = { link, frames: [], closes: 0 };
      ends.push(end);
      link.attach({
        frame: (data) => end.frames.push(new Uint8Array(data as Uint8Array)),
        close: () => {
          end.closes++;
        },
      });
    },
    { upgrade: () => undefined },
  );
  cleanups.push(() => transport.stop());
  return { transport, ends, port: transport.address()?.port ?? 0 };
}

async function client(port: number) {
  const socket: Socket = createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (message) => received.push(message));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return {
    received,
    port: socket.address().port,
    send: (bytes: Uint8Array) => socket.send(bytes, port, '127.0.0.1'),
  };
}

describe('udp transport', () => {
  it('binds 127.0.0.1 on a free port and names its endpoint udp://host:port', async () => {
    const { transport, port } = await startUdp();
    expect(port).toBeGreaterThan(0);
    expect(transport.endpoint('http://127.0.0.1:8080')).toBe(`udp://127.0.0.1:${port}`);
    const wild = createUdpTransport({ host: '0.0.0.0', port });
    expect(wild.endpoint('http://games.example:8080')).toBe(`udp://games.example:${port}`);
  });

  it('gives each peer address:port its own message link, both ways', async () => {
    const { ends, port } = await startUdp();
    const a = await client(port);
    const b = await client(port);
    a.send(Uint8Array.of(1));
    b.send(Uint8Array.of(2));
    a.send(Uint8Array.of(3));
    await until(() => ends.reduce((n, e) => n + e.frames.length, 0) === 3, 2000, 'three datagrams');
    expect(ends.map((e) => [e.link.remote, e.link.stream, e.frames.map((f) => Array.from(f))])).toEqual([
      [`127.0.0.1:${a.port}`, false, [[1], [3]]],
      [`127.0.0.1:${b.port}`, false, [[2]]],
    ]);
    ends[1]!.link.send(Uint8Array.of(9, 9));
    ends[0]!.link.send('text');
    await until(() => a.received.length === 1 && b.received.length === 1, 2000, 'replies');
    expect([a.received[0]!.toString(), Array.from(b.received[0]!)]).toEqual(['text', [9, 9]]);
    expect(ends[0]!.link.bufferedAmount).toBe(0);
  });

  it('drops a peer after idleTimeoutMs of silence; its next datagram opens a new link', async () => {
    const { transport, ends, port } = await startUdp({ idleTimeoutMs: 150 });
    const a = await client(port);
    a.send(Uint8Array.of(1));
    await until(() => ends.length === 1, 2000, 'a link');
    const opened = Date.now();
    await until(() => ends[0]!.closes === 1, 2000, 'the idle drop');
    expect(Date.now() - opened).toBeGreaterThanOrEqual(140);
    expect(transport.peerCount).toBe(0);
    expect(transport.stats.idleDrops).toBe(1);
    a.send(Uint8Array.of(2));
    await until(() => ends.length === 2, 2000, 'a new link');
    expect(ends[1]!.link.id).not.toBe(ends[0]!.link.id);
  });

  it('keeps a peer that keeps talking past the idle timeout', async () => {
    const { ends, port } = await startUdp({ idleTimeoutMs: 150 });
    const a = await client(port);
    for (let i = 0; i < 8; i++) {
      a.send(Uint8Array.of(i));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(ends.length).toBe(1);
    expect(ends[0]!.closes).toBe(0);
  });

  it('drops datagrams over maxDatagramBytes in both directions, and counts them', async () => {
    const { transport, ends, port } = await startUdp({ maxDatagramBytes: 100 });
    const a = await client(port);
    a.send(new Uint8Array(101));
    a.send(new Uint8Array(100));
    await until(() => ends[0]?.frames.length === 1, 2000, 'the small datagram');
    expect(transport.stats.oversizeIn).toBe(1);
    ends[0]!.link.send(new Uint8Array(101));
    expect(transport.stats.oversizeOut).toBe(1);
  });

  it('bounds the number of peers and counts the datagrams it turns away', async () => {
    const { transport, ends, port } = await startUdp({ maxPeers: 2 });
    const peers = [await client(port), await client(port), await client(port)];
    for (const peer of peers) peer.send(Uint8Array.of(1));
    await until(() => transport.stats.peerLimit + ends.length === 3, 2000, 'three datagrams');
    expect(ends.length).toBe(2);
    expect(transport.stats.peerLimit).toBe(1);
  });

  it('closes a link on request (close reported once, asynchronously) and every link on stop', async () => {
    const { transport, ends, port } = await startUdp();
    const a = await client(port);
    const b = await client(port);
    a.send(Uint8Array.of(1));
    b.send(Uint8Array.of(1));
    await until(() => ends.length === 2, 2000, 'two links');
    ends[0]!.link.close();
    ends[0]!.link.close();
    expect(ends[0]!.closes).toBe(0);
    await until(() => ends[0]!.closes === 1, 2000, 'the close');
    ends[0]!.link.send(Uint8Array.of(5));
    await transport.stop();
    await until(() => ends[1]!.closes === 1, 2000, 'the stop');
    expect(transport.peerCount).toBe(0);
    expect(transport.address()).toBeUndefined();
    expect(a.received.length).toBe(0);
  });
});
