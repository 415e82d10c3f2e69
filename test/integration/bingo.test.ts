/**
 * Bingo over real TCP on 127.0.0.1:0 with several clients: the handshake in its three forms,
 * requests and replies both ways with timeouts, resume with the Ready token and a full round
 * with winners. Robustness (pings, silent peers, bad input, slow consumers) is in
 * bingo-robustness.test.ts.
 */
import { createServer as createNetServer, connect as netConnect } from 'node:net';
import type { Server, Socket } from 'node:net';
import {
  BingoClient,
  BingoError,
  connectBingoTcp,
  encodeMessage,
  readFrame,
  decodeMessage,
} from 'chartroom/protocols/bingo/node';
import type { BingoConnect, BingoIdentity } from 'chartroom/protocols/bingo/node';
import { afterEach, describe, expect, it } from 'vitest';
import { completedLine, dealCard } from '../../examples/bingo/cards.js';
import { startBingoBot } from '../../examples/bingo/bot.js';
import type { BingoBotResult } from '../../examples/bingo/bot.js';
import { messages } from '../../examples/bingo/room.js';
import { startBingoServer } from '../../examples/bingo/server.js';
import type { BingoServer, BingoServerOptions } from '../../examples/bingo/server.js';
import { until } from '../support/server.js';
import { rawBingo } from './bingo-raw.js';

const fast = { callIntervalMs: 30, confirmTimeoutMs: 2000, claimWindowMs: 60 };

describe('bingo over TCP', () => {
  let bingo: BingoServer | undefined;
  const clients: BingoClient<typeof messages>[] = [];
  const cleanups: (() => void)[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const cleanup of cleanups.splice(0)) cleanup();
    await bingo?.stop();
    bingo = undefined;
  });

  async function start(options: BingoServerOptions = {}) {
    bingo = await startBingoServer({ config: fast, ...options });
    return bingo;
  }

  async function player(login: string, extra: { identity?: BingoIdentity } = {}) {
    const client = await connectBingoTcp({
      host: '127.0.0.1',
      port: bingo?.port ?? 0,
      messages,
      identity: { login, username: login.toUpperCase() },
      reconnect: false,
      ...extra,
    });
    clients.push(client);
    return client;
  }

  it('identifies several clients with the seed form {login, username} and seats them in one lobby room', async () => {
    await start();
    expect(bingo?.endpoint).toBe(`tcp://127.0.0.1:${bingo?.port}`);
    const [ada, bob, cy] = await Promise.all(['ada', 'bob', 'cy'].map((login) => player(login)));
    for (const client of [ada, bob, cy]) {
      expect(client?.status).toBe('ready');
      expect(client?.token).toMatch(/\./);
    }
    expect(new Set([ada, bob, cy].map((c) => c?.seat?.roomId)).size).toBe(1);
    expect([ada, bob, cy].map((c) => c?.seat?.seatId).sort()).toEqual(['p1', 'p2', 'p3']);
    await until(() => ada?.room?.seats.length === 3, 2000, 'room.state Data Update with three seats');
    expect(ada?.room?.seats.map((s) => s.name).sort()).toEqual(['ADA', 'BOB', 'CY']);
    expect(ada?.vars.get('room.state')).toBe(ada?.room);
  });

  it('identifies with a ticket from POST /rooms/:id/join ({token, room}) and refuses a forged one', async () => {
    await start();
    const room = await bingo!.server.createRoom({ type: 'bingo', config: fast });
    const response = await fetch(`${bingo!.url}/rooms/${room.roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ticketed' }),
    });
    const ticket = (await response.json()) as { token: string; endpoints: Record<string, string> };
    expect(ticket.endpoints.bingo).toBe(bingo!.endpoint);
    const client = await player('ticketed', {
      identity: { login: 'x', username: 'x', token: ticket.token, room: room.roomId },
    });
    expect(client.seat).toEqual({ roomId: room.roomId, seatId: 'p1', role: 'player' });
    expect(client.room?.seats[0]?.name).toBe('Ticketed');

    await expect(
      player('forger', {
        identity: { login: 'f', username: 'f', token: `${ticket.token}x`, room: room.roomId },
      }),
    ).rejects.toMatchObject({ name: 'BingoError', code: 'AUTH_INVALID_TOKEN' });
    expect(bingo!.server.metrics().errors.AUTH_INVALID_TOKEN).toBe(1);
  });

  it('answers client requests: framework refusal before the round, game refusal with its code, Reply when valid', async () => {
    await start({ config: { ...fast, callIntervalMs: 60_000 } });
    const ada = await player('ada');
    // In setup the room refuses game messages: an Error Reply with the registry code.
    await expect(ada.request('daub', { number: 1 })).rejects.toMatchObject({ code: 'ROOM_NOT_RUNNING' });
    // The room type validates payloads: a number out of range is refused before the game sees it.
    await expect(ada.request('daub', { number: 99 })).rejects.toMatchObject({
      code: 'PROTOCOL_INVALID_MESSAGE',
    });
    await ada.ready();
    await until(
      () =>
        ada.vars.get('round') !== undefined &&
        (ada.vars.get('round') as { state: string }).state === 'calling',
      3000,
      'calling',
    );
    const card = dealCard(ada.room?.seed ?? 0, 'p1');
    const onCard = card.find((n) => n !== 0) ?? 1;
    const error = await ada.request('daub', { number: onCard }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BingoError);
    expect(error).toMatchObject({
      code: 'NOT_CALLED',
      message: expect.stringContaining('has not been called yet'),
    });
    const offCard = Array.from({ length: 75 }, (_, i) => i + 1).find((n) => !card.includes(n)) ?? 1;
    await expect(ada.request('daub', { number: offCard })).rejects.toMatchObject({ code: 'NOT_ON_CARD' });
    await expect(ada.request('bingo', {})).rejects.toMatchObject({ code: 'NO_LINE' });
  });

  it('times a client request out when the server never replies (CONN_REQUEST_TIMEOUT) and ignores the late reply', async () => {
    // A Bingo server stub that completes the handshake and keeps every request for later.
    const sockets: Socket[] = [];
    const requests: number[] = [];
    const stub: Server = createNetServer((socket) => {
      sockets.push(socket);
      socket.on('data', (chunk: Buffer) => {
        for (let offset = 0; offset < chunk.length;) {
          const read = readFrame(chunk, offset, 0xffff);
          if (read.kind !== 'frame') break;
          offset += read.size;
          const message = decodeMessage(read.frame, 'client');
          if (!message.ok) continue;
          const reply = (m: Parameters<typeof encodeMessage>[0]) => {
            const encoded = encodeMessage(m);
            if (encoded.ok) socket.write(encoded.value);
          };
          if (message.value.kind === 'identification') reply({ kind: 'ready', id: 0x8000, token: 'T' });
          if (message.value.kind === 'request') requests.push(message.value.id);
        }
      });
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      stub.close();
    });
    const port = (stub.address() as { port: number }).port;
    const client = await connectBingoTcp({
      host: '127.0.0.1',
      port,
      identity: { login: 'a', username: 'a' },
      reconnect: false,
    });
    cleanups.push(() => client.close());
    const started = Date.now();
    await expect(client.request('slow', {}, { timeoutMs: 150 })).rejects.toMatchObject({
      code: 'CONN_REQUEST_TIMEOUT',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    // The late reply arrives and changes nothing; a new request still works.
    const late = encodeMessage({ kind: 'reply', id: 0x8001, replyTo: requests[0] ?? 0 });
    if (late.ok) sockets[0]?.write(late.value);
    const answered = client.request('fast', {}, { timeoutMs: 1000 });
    await until(() => requests.length === 2, 2000, 'second request');
    const reply = encodeMessage({
      kind: 'reply',
      id: 0x8002,
      replyTo: requests[1] ?? 0,
      body: { type: 'fast', payload: 7 },
    });
    if (reply.ok) sockets[0]?.write(reply.value);
    expect(await answered).toEqual({ type: 'fast', payload: 7 });
  });

  it('sends each card as a server Request; once every player acknowledged, the round starts without waiting', async () => {
    await start({ config: { ...fast, callIntervalMs: 60_000, confirmTimeoutMs: 10_000 } });
    const [ada, bob] = await Promise.all([player('ada'), player('bob')]);
    const acked: string[] = [];
    for (const client of [ada, bob])
      client?.onRequest('card', () => void acked.push(client.seat?.seatId ?? ''));
    const started = Date.now();
    await Promise.all([ada?.ready(), bob?.ready()]);
    await until(
      () => (ada?.vars.get('round') as { state?: string } | undefined)?.state === 'calling',
      3000,
      'calling',
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(acked.sort()).toEqual(['p1', 'p2']);
  });

  it('waits confirmTimeoutMs for a player who never answers the card Request, then starts anyway', async () => {
    await start({ config: { ...fast, callIntervalMs: 60_000, confirmTimeoutMs: 400 } });
    const ada = await player('ada');
    const cards: unknown[] = [];
    ada.onRequest('card', (payload) => {
      cards.push(payload);
      return { ok: true };
    });
    // A raw peer that identifies but never answers the card Request.
    const silent = await rawBingo(bingo!.port);
    silent.send({ kind: 'identification', id: 0, identity: { login: 'mute', username: 'Mute' } });
    await silent.next('ready');
    await until(() => ada.room?.seats.length === 2, 2000, 'two seats');
    const readyAt = Date.now();
    silent.send({ kind: 'request', id: 1, type: 'room.ready', payload: { ready: true } });
    await silent.next('reply');
    await ada.ready();
    const request = await silent.next('request');
    expect(request).toMatchObject({ type: 'card', payload: { card: expect.any(Array) } });
    await until(
      () => (ada.vars.get('round') as { state?: string } | undefined)?.state === 'calling',
      3000,
      'calling',
    );
    expect(Date.now() - readyAt).toBeGreaterThanOrEqual(350);
    expect(cards).toEqual([{ card: dealCard(ada.room?.seed ?? 0, ada.seat?.seatId ?? '') }]);
    silent.socket.destroy();
  });

  it('resumes the seat with the last Ready token after the link drops, and gets a new token', async () => {
    await start();
    let socketOf: Socket | undefined;
    // A TCP stream that keeps its socket at hand, to cut it like a network failure would.
    const connect: BingoConnect = async (handlers) => {
      const socket = netConnect({ host: '127.0.0.1', port: bingo!.port });
      socketOf = socket;
      socket.on('data', (chunk: Buffer) => handlers.data(chunk));
      socket.on('error', () => undefined);
      socket.once('close', () => handlers.close());
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      return { write: (b) => void socket.write(b), close: () => socket.end() };
    };
    const tokens: string[] = [];
    const client = await BingoClient.connect({
      connect,
      messages,
      identity: { login: 'ada', username: 'Ada' },
      reconnect: { retries: 5, baseDelayMs: 20, maxDelayMs: 100 },
      onToken: (token) => tokens.push(token),
    });
    clients.push(client);
    const seat = client.seat;
    const first = socketOf;
    first?.resetAndDestroy();
    await until(() => client.status === 'reconnecting', 2000, 'reconnecting');
    await until(() => client.status === 'ready' && socketOf !== first, 3000, 'resumed');
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).not.toBe(tokens[0]);
    expect(client.seat).toEqual(seat);
    await until(() => client.room?.seats.every((s) => s.connected) === true, 2000, 'seat connected again');
    expect(client.room?.seats).toHaveLength(1);
  });

  it('plays a full round with several bots: cards, calls, daubs checked by the server, winners', async () => {
    await start();
    const bots = await Promise.all(
      ['ada', 'bob', 'cy', 'dee'].map((login) =>
        startBingoBot({ host: '127.0.0.1', port: bingo!.port, login, ready: false }),
      ),
    );
    for (const bot of bots) clients.push(bot.client);
    await until(() => bots[0]?.client.room?.seats.length === 4, 2000, 'four seats');
    const calls: number[] = [];
    bots[0]?.client.on('call', (call) => calls.push(call.number));
    await Promise.all(bots.map((bot) => bot.client.ready()));
    const results: BingoBotResult[] = await Promise.all(bots.map((bot) => bot.done));

    const called = bots[0]?.client.vars.get('called') as number[];
    expect(called.length).toBeGreaterThan(3);
    expect(calls).toEqual(called);
    const winners = results[0]?.winners ?? [];
    expect(winners.length).toBeGreaterThanOrEqual(1);
    for (const result of results) {
      expect(result.winners).toEqual(winners);
      expect(result.refused).toEqual([]);
      expect(result.card).toEqual(dealCard(bots[0]?.client.room?.seed ?? 0, result.seatId));
      // Every daub is a called number on the bot's card.
      for (const number of result.daubs) expect(called).toContain(number);
    }
    for (const winner of winners) {
      const result = results.find((r) => r.seatId === winner.seatId);
      expect(result?.won).toBe(true);
      expect(completedLine(result?.card ?? [], result?.daubs ?? [])).toBeDefined();
      expect(winner.line.filter((n) => n !== 0).every((n) => called.includes(n))).toBe(true);
    }
    // The round is over: the room ended and told every client with a Protocol Error ROOM_CLOSED.
    await until(() => bots.every((bot) => bot.client.status === 'closed'), 3000, 'room closed');
    await until(() => bingo!.server.rooms().length === 0, 2000, 'room removed');
  });
});
