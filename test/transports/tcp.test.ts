/**
 * The TCP transport on its own (no server, no protocol): the transport contract's cases that
 * apply to a byte stream. Not applicable, and why: connect parameters (a socket has no URL),
 * text frames (TCP carries bytes), close codes and reasons (TCP has none; protocols say why
 * in their own frame first), transport pings (none; protocols ping in-band), the 1009 frame
 * cap (frames are the protocol's; the Bingo framer caps its payloads).
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { AcceptedLink, Link } from 'chartroom';
import { createTcpTransport } from 'chartroom/transports/tcp';
import type { TcpTransport } from 'chartroom/transports/tcp';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../support/server.js';

interface ServerEnd {
  readonly link: Link;
  readonly params: Readonly<Record<string, string>>;
  readonly chunks: Uint8Array[];
  closes: number;
  echo: boolean;
}

interface ClientEnd {
  readonly socket: Socket;
  readonly received: () => Buffer;
  readonly closed: Promise<void>;
}

const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));
const joined = (chunks: readonly Uint8Array[]) => Buffer.concat(chunks.map((c) => Buffer.from(c)));

describe('tcp transport', () => {
  let transport: TcpTransport | undefined;
  let servers: ServerEnd[] = [];
  const clients: Socket[] = [];

  afterEach(async () => {
    for (const socket of clients.splice(0)) socket.destroy();
    await transport?.stop();
    transport = undefined;
    servers = [];
  });

  async function start(options: Parameters<typeof createTcpTransport>[0] = {}) {
    transport = createTcpTransport({ host: '127.0.0.1', port: 0, ...options });
    await transport.start(
      ({ link, params }: AcceptedLink) => {
        const end: ServerEnd = { link, params, chunks: [], closes: 0, echo: false };
        link.attach({
          frame(data) {
            end.chunks.push(typeof data === 'string' ? Buffer.from(data) : data);
            if (end.echo) link.send(data);
          },
          close: () => void end.closes++,
        });
        servers.push(end);
      },
      { upgrade: () => undefined },
    );
    return transport;
  }

  async function open(): Promise<{ client: ClientEnd; server: ServerEnd }> {
    const address = transport?.address();
    if (!address) throw new Error('not started');
    const count = servers.length;
    const socket = connect({ host: address.host, port: address.port });
    clients.push(socket);
    const parts: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => parts.push(chunk));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await until(() => servers.length === count + 1, 2000, 'link accepted');
    return { client: { socket, received: () => Buffer.concat(parts), closed }, server: servers[count]! };
  }

  it('binds 127.0.0.1 on a free port and says where: address(), endpoint(), name', async () => {
    const tcp = await start();
    const address = tcp.address();
    expect(address?.host).toBe('127.0.0.1');
    expect(address?.port).toBeGreaterThan(0);
    expect(tcp.endpoint('http://127.0.0.1:8080')).toBe(`tcp://127.0.0.1:${address?.port}`);
    expect(tcp.name).toBe(`tcp:${address?.port}`);
  });

  it('puts the HTTP host (or publicHost) in the endpoint when bound to every interface', async () => {
    const tcp = await start({ host: '0.0.0.0' });
    const port = tcp.address()?.port;
    expect(tcp.endpoint('http://game.example:8080')).toBe(`tcp://game.example:${port}`);
    await tcp.stop();
    transport = createTcpTransport({ host: '0.0.0.0', publicHost: 'play.example' });
    await transport.start(() => undefined, { upgrade: () => undefined });
    expect(transport.endpoint('http://ignored')).toBe(`tcp://play.example:${transport.address()?.port}`);
  });

  it('opens stream links: raw chunks, a peer address, no connect parameters, distinct ids', async () => {
    await start();
    const { server } = await open();
    const second = await open();
    expect(server.link.stream).toBe(true);
    expect(server.link.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(server.params).toEqual({});
    expect(second.server.link.id).not.toBe(server.link.id);
    expect(server.link.bufferedAmount).toBe(0);
    expect(transport?.connectionCount).toBe(2);
  });

  it('carries bytes both ways, in order and byte-exact, whatever the chunking', async () => {
    await start();
    const { client, server } = await open();
    server.echo = true;
    const sent = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7) % 256));
    for (let i = 0; i < sent.length; i += 777) client.socket.write(sent.subarray(i, i + 777));
    await until(() => client.received().length === sent.length, 5000, 'echo');
    expect(joined(server.chunks).equals(sent)).toBe(true);
    expect(client.received().equals(sent)).toBe(true);
  });

  it('delivers bytes the client wrote just before closing, then the close, once', async () => {
    await start();
    const { client, server } = await open();
    client.socket.end(Buffer.from('last words'));
    await until(() => server.closes > 0, 2000, 'server sees the close');
    expect(joined(server.chunks).toString()).toBe('last words');
    await settle();
    expect(server.closes).toBe(1);
  });

  it('flushes bytes the server sent just before closing (a Protocol Error), then closes', async () => {
    await start();
    const { client, server } = await open();
    server.link.send(Uint8Array.of(0x07, 0x80, 0x00, 0x00, 0x02, 0x68, 0x69));
    server.link.close(1008, 'ignored by TCP');
    await client.closed;
    expect([...client.received()]).toEqual([0x07, 0x80, 0x00, 0x00, 0x02, 0x68, 0x69]);
    await until(() => server.closes === 1, 2000, "the server's own close handler");
  });

  it('ignores sends and closes after the link closed', async () => {
    await start();
    const { client, server } = await open();
    server.link.close();
    await client.closed;
    expect(() => server.link.send(Uint8Array.of(1))).not.toThrow();
    expect(() => server.link.close()).not.toThrow();
    await settle();
    expect(server.closes).toBe(1);
  });

  it('reports an abrupt client drop (RST) to the server as a close', async () => {
    await start();
    const { client, server } = await open();
    client.socket.resetAndDestroy();
    await until(() => server.closes === 1, 2000, 'server sees the drop');
  });

  it('counts unwritten bytes in bufferedAmount when the peer stops reading (the slow-consumer signal)', async () => {
    await start();
    const { client, server } = await open();
    client.socket.pause();
    const block = new Uint8Array(64 * 1024);
    for (let i = 0; i < 256 && server.link.bufferedAmount < 1024 * 1024; i++) server.link.send(block);
    expect(server.link.bufferedAmount).toBeGreaterThan(0);
    client.socket.resume();
    await until(() => server.link.bufferedAmount === 0, 5000, 'buffer drains once the peer reads');
  });

  it('destroys a socket whose peer never reads after close, once closeTimeoutMs passes', async () => {
    await start({ closeTimeoutMs: 100 });
    const { client, server } = await open();
    client.socket.pause();
    const block = new Uint8Array(64 * 1024);
    for (let i = 0; i < 256 && server.link.bufferedAmount < 1024 * 1024; i++) server.link.send(block);
    server.link.close();
    await until(() => server.closes === 1, 3000, 'forced close');
  });

  it('closes every open link and the listener on stop()', async () => {
    const tcp = await start();
    const port = tcp.address()?.port;
    const a = await open();
    const b = await open();
    await tcp.stop();
    transport = undefined;
    await Promise.all([a.client.closed, b.client.closed]);
    await until(() => a.server.closes === 1 && b.server.closes === 1, 2000, 'server sides closed');
    expect(tcp.address()).toBeUndefined();
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: port ?? 0 });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('refuses a second bind of a port in use with the listen error', async () => {
    const tcp = await start();
    const other = createTcpTransport({ port: tcp.address()?.port ?? 0 });
    await expect(other.start(() => undefined, { upgrade: () => undefined })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});
