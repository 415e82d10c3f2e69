/**
 * The Transport contract: every transport must pass the same tests. Each harness starts a
 * transport on its own (no server, no protocol), accepts links and opens client ends; the
 * tests speak to links directly, with the server side echoing when asked to. The last block
 * runs the real server with a WebSocket and a memory endpoint side by side.
 */
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryLogger } from 'chartroom';
import type { AcceptedLink, Link, Transport } from 'chartroom';
import { createClient } from 'chartroom/client';
import type { RoomSession, SessionError, WebSocketLike } from 'chartroom/client';
import { createJsonEnvelopeProtocol } from 'chartroom/protocols/json-envelope';
import { createServer } from 'chartroom/server';
import type { ChartroomServer } from 'chartroom/server';
import { createMemoryTransport } from 'chartroom/transports/memory';
import type { MemoryTransport } from 'chartroom/transports/memory';
import { createWebSocketTransport } from 'chartroom/transports/ws';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { messages, tapRace } from '../../examples/tap-race/room.js';
import { until } from '../support/server.js';

const text = new TextDecoder();
const toText = (frame: Uint8Array | string): string =>
  typeof frame === 'string' ? frame : text.decode(frame);
const toBytes = (frame: Uint8Array | string): Uint8Array =>
  typeof frame === 'string' ? new TextEncoder().encode(frame) : new Uint8Array(frame);
const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

/** The server side of one link, recorded. */
interface ServerEnd {
  readonly link: Link;
  readonly params: Readonly<Record<string, string>>;
  readonly frames: (Uint8Array | string)[];
  closes: number;
  pongs: number;
  /** Send every frame received straight back. */
  echo: boolean;
}

/** The client side of one link, recorded. */
interface ClientEnd {
  readonly socket: WebSocketLike;
  readonly frames: (Uint8Array | string)[];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Drop the link without a close handshake (a network failure). */
  drop(): void;
}

interface Harness {
  readonly name: string;
  start(accept: (accepted: AcceptedLink) => void): Promise<void>;
  /** A client end; `answerPings: false` makes a peer that never answers transport pings. */
  connect(query?: string, options?: { answerPings?: boolean }): ClientEnd;
  stop(): Promise<void>;
}

function recordClient(socket: WebSocketLike, drop: () => void): ClientEnd {
  const frames: (Uint8Array | string)[] = [];
  socket.binaryType = 'arraybuffer';
  socket.onmessage = ({ data }) => {
    frames.push(
      typeof data === 'string'
        ? data
        : data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : new Uint8Array(data as Uint8Array),
    );
  };
  socket.onerror = () => undefined;
  const opened = new Promise<void>((resolve) => {
    socket.onopen = () => resolve();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.onclose = ({ code, reason }) => resolve({ code, reason: String(reason) });
  });
  return { socket, frames, opened, closed, drop };
}

function wsHarness(): Harness {
  const transport: Transport = createWebSocketTransport({ path: '/ws/contract', frames: 'text' });
  const upgrades = new Map<string, (request: unknown, socket: unknown, head: unknown) => void>();
  let http: HttpServer | undefined;
  let port = 0;
  return {
    name: 'ws',
    async start(accept) {
      await transport.start(accept, { upgrade: (path, handler) => upgrades.set(path, handler) });
      const server = createHttpServer();
      http = server;
      server.on('upgrade', (req, socket, head) => {
        const handler = upgrades.get(new URL(req.url ?? '/', 'http://localhost').pathname);
        if (handler) handler(req, socket, head);
        else socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
      expect(transport.endpoint(`http://127.0.0.1:${port}`)).toBe(`ws://127.0.0.1:${port}/ws/contract`);
    },
    connect(query = '', { answerPings = true } = {}) {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/ws/contract${query}`, { autoPong: answerPings });
      return recordClient(socket as unknown as WebSocketLike, () => socket.terminate());
    },
    async stop() {
      await transport.stop();
      const server = http;
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

function memoryHarness(): Harness {
  const transport: MemoryTransport = createMemoryTransport('contract');
  return {
    name: 'memory',
    async start(accept) {
      await transport.start(accept, { upgrade: () => undefined });
      expect(transport.endpoint('http://ignored')).toBe('memory://contract');
    },
    connect(query = '', { answerPings = true } = {}) {
      const end = transport.connect(`memory://contract${query}`);
      if (!answerPings) end.silence();
      return recordClient(end, () => end.drop());
    },
    stop: () => transport.stop(),
  };
}

/** Cases a transport cannot run, and why. */
type Skips = Partial<Record<'frameCap', string>>;

describe.each<{ name: string; make: () => Harness; skip: Skips }>([
  { name: 'ws', make: wsHarness, skip: {} },
  {
    name: 'memory',
    make: memoryHarness,
    skip: {},
  },
])('transport contract', ({ name, make, skip }) => {
  /** A fresh transport per test: a stopped transport is not restarted. */
  let harness: Harness | undefined;
  let servers: ServerEnd[] = [];

  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
    servers = [];
  });

  async function start() {
    harness = make();
    await harness.start(({ link, params }) => {
      const end: ServerEnd = { link, params, frames: [], closes: 0, pongs: 0, echo: false };
      link.attach({
        frame(data) {
          end.frames.push(data);
          if (end.echo) link.send(data);
        },
        close: () => void end.closes++,
        pong: () => void end.pongs++,
      });
      servers.push(end);
    });
  }

  /** Open a client end and wait until both sides have the link. */
  async function open(query?: string, options?: { answerPings?: boolean }) {
    const count = servers.length;
    const client = harness!.connect(query, options);
    await client.opened;
    await until(() => servers.length === count + 1, 2000, `${name}: link accepted`);
    return { client, server: servers[count]! };
  }

  describe(name, () => {
    it('opens a link: the server gets it with the connect parameters, the client sees open', async () => {
      await start();
      const { client, server } = await open('?protocol_version=1&room=abc');
      expect(server.params).toEqual({ protocol_version: '1', room: 'abc' });
      expect(server.link.stream).toBe(false);
      expect(server.link.id).toEqual(expect.any(String));
      expect(server.link.remote).toEqual(expect.any(String));
      expect(server.link.bufferedAmount).toBeGreaterThanOrEqual(0);
      expect(client.socket.readyState).toBe(1);
      const second = await open();
      expect(second.server.link.id).not.toBe(server.link.id);
      expect(second.server.params).toEqual({});
    });

    it('carries text frames both ways, in order', async () => {
      await start();
      const { client, server } = await open();
      server.echo = true;
      const sent = Array.from({ length: 100 }, (_, i) => `frame ${i} ${'é'.repeat(i % 5)}`);
      for (const frame of sent) client.socket.send(frame);
      await until(() => client.frames.length === sent.length, 2000, 'echoes');
      expect(server.frames.map(toText)).toEqual(sent);
      // Text frames reach the protocol as text (checked UTF-8), so it neither decodes nor checks again.
      expect(server.frames.every((frame) => typeof frame === 'string')).toBe(true);
      expect(client.frames.map(toText)).toEqual(sent);

      // Server-initiated frames, given as strings and as UTF-8 bytes (a prepared broadcast).
      server.echo = false;
      const pushed = Array.from({ length: 50 }, (_, i) => `push ${i}`);
      pushed.forEach((frame, i) => server.link.send(i % 2 ? new TextEncoder().encode(frame) : frame));
      await until(() => client.frames.length === sent.length + pushed.length, 2000, 'pushes');
      expect(client.frames.slice(sent.length).map(toText)).toEqual(pushed);
    });

    it('carries binary frames from the client byte-exact', async () => {
      await start();
      const { client, server } = await open();
      const bytes = new Uint8Array([0, 1, 2, 127, 128, 254, 255]);
      client.socket.send(bytes);
      bytes[0] = 99; // mutating after send must not change what arrives
      await until(() => server.frames.length === 1, 2000, 'binary frame');
      expect(server.frames[0]).toBeInstanceOf(Uint8Array);
      expect([...toBytes(server.frames[0]!)]).toEqual([0, 1, 2, 127, 128, 254, 255]);
    });

    it('delivers frames the client sent just before closing, then the close, once', async () => {
      await start();
      const { client, server } = await open();
      client.socket.send('one');
      client.socket.send('last words');
      client.socket.close(1000, 'bye');
      await until(() => server.closes > 0, 2000, 'server sees the close');
      expect(server.frames.map(toText)).toEqual(['one', 'last words']);
      await client.closed;
      await settle();
      expect(server.closes).toBe(1);
    });

    it('delivers frames the server sent just before closing, then the close code and reason', async () => {
      await start();
      const { client, server } = await open();
      server.link.send('session.closing');
      server.link.close(4001, 'GOODBYE');
      expect(await client.closed).toEqual({ code: 4001, reason: 'GOODBYE' });
      expect(client.frames.map(toText)).toEqual(['session.closing']);
      expect(client.socket.readyState).toBe(3);
      await until(() => server.closes === 1, 2000, "the server's own close handler");
    });

    it('ignores sends and closes after the link closed, on both sides', async () => {
      await start();
      const { client, server } = await open();
      server.link.close(1000, 'done');
      await client.closed;
      expect(() => server.link.send('late')).not.toThrow();
      expect(() => server.link.close()).not.toThrow();
      expect(() => client.socket.send('late')).not.toThrow();
      expect(() => client.socket.close()).not.toThrow();
      await settle();
      expect(client.frames).toEqual([]);
      expect(server.frames).toEqual([]);
      expect(server.closes).toBe(1);
    });

    it('reports an abrupt client drop to the server as a close', async () => {
      await start();
      const { client, server } = await open();
      client.drop();
      await until(() => server.closes === 1, 2000, 'server sees the drop');
      expect((await client.closed).code).toBe(1006);
    });

    it('answers a transport ping with a pong', async () => {
      await start();
      const { server } = await open();
      expect(server.link.ping).toBeTypeOf('function');
      server.link.ping?.();
      server.link.ping?.();
      await until(() => server.pongs === 2, 2000, 'pongs');
    });

    it('gives no pong for a peer that does not answer pings', async () => {
      await start();
      const { server, client } = await open('', { answerPings: false });
      server.link.ping?.();
      server.link.send('still alive');
      await until(() => client.frames.length === 1, 2000, 'frame after the ping');
      await settle();
      expect(server.pongs).toBe(0);
    });

    it('closes every open link on stop()', async () => {
      await start();
      const a = await open();
      const b = await open();
      await harness!.stop();
      harness = undefined;
      await Promise.all([a.client.closed, b.client.closed]);
      await until(() => a.server.closes === 1 && b.server.closes === 1, 2000, 'server sides closed');
    });

    const frameCapSkip = skip.frameCap;
    it.skipIf(frameCapSkip !== undefined)(
      `closes a link with 1009 on a frame over the transport's cap${frameCapSkip ? ` (skipped: ${frameCapSkip})` : ''}`,
      async () => {
        await start();
        const { client, server } = await open();
        client.socket.send('x'.repeat(1024 * 1024 + 1));
        expect((await client.closed).code).toBe(1009);
        await until(() => server.closes === 1, 2000, 'server side closed');
        expect(server.frames).toEqual([]);
      },
    );
  });
});

describe('the real server with a WebSocket and a memory endpoint', () => {
  let server: ChartroomServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start() {
    const memory = createMemoryTransport('mem');
    const protocol = createJsonEnvelopeProtocol();
    // The ws endpoint is listed last, so `endpoints()['json-envelope']` is the ws URL.
    server = createServer({
      roomTypes: [tapRace],
      logger: createMemoryLogger(),
      endpoints: [{ protocol, transport: memory }, protocol],
    });
    const { url } = await server.listen({ port: 0, host: '127.0.0.1' });
    const overWs = createClient({
      baseUrl: url,
      messages,
      reconnect: false,
      webSocket: (endpoint) => new WebSocket(endpoint) as unknown as WebSocketLike,
    });
    const overMemory = createClient({
      baseUrl: url,
      messages,
      reconnect: false,
      webSocket: () => memory.connect('memory://mem'),
    });
    return { overWs, overMemory };
  }

  it('seats clients of both transports in one room and relays game messages to both', async () => {
    const { overWs, overMemory } = await start();
    const room = await server!.createRoom({ type: 'tap-race', config: { target: 3 } });
    const ada = await overMemory.join(room.roomId, { name: 'ada' });
    const bob = await overWs.join(room.roomId, { name: 'bob' });
    expect([ada.seatId, bob.seatId]).toEqual(['p1', 'p2']);
    expect([...server!.connections].map((c) => c.remote)).toEqual([
      expect.stringMatching(/^memory:/),
      expect.stringMatching(/^127\.0\.0\.1:/),
    ]);
    ada.ready();
    bob.ready();
    await until(() => ada.room?.phase === 'running.iterating' && bob.room?.phase === 'running.iterating');
    const winnerForAda = ada.next('winner');
    const winnerForBob = bob.next('winner');
    for (let i = 0; i < 3; i++) bob.send('tap', {});
    expect(await winnerForAda).toEqual({ seatId: 'p2' });
    expect(await winnerForBob).toEqual({ seatId: 'p2' });
  });

  it.each([{ via: 'memory' as const }, { via: 'ws' as const }])(
    'refuses a bad token over $via with auth.error, then session.closing before the close',
    async ({ via }) => {
      const { overWs, overMemory } = await start();
      const room = await server!.createRoom({ type: 'tap-race' });
      const client = via === 'ws' ? overWs : overMemory;
      await expect(client.connect({ token: 'garbage', roomId: room.roomId })).rejects.toMatchObject({
        code: 'AUTH_INVALID_TOKEN',
      });
      expect(server!.metrics().errors.AUTH_INVALID_TOKEN).toBe(1);
      await until(() => server!.connections.size === 0, 2000, 'connection disposed');
    },
  );

  it.each([{ via: 'memory' as const }, { via: 'ws' as const }])(
    'tells a client over $via why the server closed its session (session.closing arrives before the close)',
    async ({ via }) => {
      const { overWs, overMemory } = await start();
      const room = await server!.createRoom({ type: 'tap-race' });
      const session: RoomSession = await (via === 'ws' ? overWs : overMemory).join(room.roomId);
      const errors: SessionError[] = [];
      session.onError((error) => errors.push(error));
      const closed = new Promise<void>((resolve) => session.onStatus((s) => s === 'closed' && resolve()));
      room.stop();
      await closed;
      expect(errors).toEqual([expect.objectContaining({ code: 'ROOM_CLOSED' })]);
    },
  );
});
