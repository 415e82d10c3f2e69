/**
 * Bingo over real TCP when peers misbehave: heartbeat Pings and their empty Replies, a silent
 * peer dropped, the handshake timeout, bad bytes mid-session (each answered with a Protocol
 * Error before the close, while the other clients carry on) and a peer that stops reading.
 */
import { connectBingoTcp } from 'chartroom/protocols/bingo/node';
import type { BingoClient } from 'chartroom/protocols/bingo/node';
import { afterEach, describe, expect, it } from 'vitest';
import { messages } from '../../examples/bingo/room.js';
import { startBingoServer } from '../../examples/bingo/server.js';
import type { BingoServer, BingoServerOptions } from '../../examples/bingo/server.js';
import { until } from '../support/server.js';
import { rawBingo } from './bingo-raw.js';
import type { RawBingo } from './bingo-raw.js';

const config = { callIntervalMs: 60_000, confirmTimeoutMs: 1000, claimWindowMs: 50 };

describe('bingo over TCP: robustness', () => {
  let bingo: BingoServer | undefined;
  const clients: BingoClient<typeof messages>[] = [];
  const raws: RawBingo[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const raw of raws.splice(0)) raw.socket.destroy();
    await bingo?.stop();
    bingo = undefined;
  });

  async function start(options: BingoServerOptions = {}) {
    bingo = await startBingoServer({ config, ...options });
    const ada = await connectBingoTcp({
      host: '127.0.0.1',
      port: bingo.port,
      messages,
      identity: { login: 'ada', username: 'Ada' },
      reconnect: false,
    });
    clients.push(ada);
    return { ada, roomId: ada.seat?.roomId ?? '' };
  }

  /** A raw peer; `identified` completes the seed handshake into the lobby room first. */
  async function raw(identified: boolean, login = 'raw') {
    const peer = await rawBingo(bingo?.port ?? 0);
    raws.push(peer);
    if (identified) {
      peer.send({ kind: 'identification', id: 0, identity: { login, username: login } });
      await peer.next('ready');
    }
    return peer;
  }

  it('pings at the heartbeat interval; peers that answer with an empty Reply stay connected', async () => {
    const { ada } = await start({ timing: { heartbeatIntervalMs: 60, heartbeatTimeoutMs: 150 } });
    const peer = await raw(true);
    for (let i = 0; i < 4; i++) {
      const ping = await peer.next('ping');
      expect(ping.id).toBeGreaterThanOrEqual(0x8000);
      peer.send({ kind: 'reply', id: i + 1, replyTo: ping.id });
    }
    expect(peer.isClosed()).toBe(false);
    // The SDK answers Pings by itself.
    expect(ada.status).toBe('ready');
    await expect(ada.ready(false)).resolves.toBeUndefined();
  });

  it('drops a peer that stops answering Pings: Protocol Error CONN_HEARTBEAT_TIMEOUT, close, seat away', async () => {
    const { ada } = await start({
      timing: { heartbeatIntervalMs: 60, heartbeatTimeoutMs: 120, gracePeriodMs: 60_000 },
    });
    const peer = await raw(true, 'ghost');
    await until(() => ada.room?.seats.length === 2, 2000, 'two seats');
    await peer.next('ping');
    const error = await peer.next('protocolError', 2000);
    expect(error.message).toMatch(/^CONN_HEARTBEAT_TIMEOUT: /);
    await peer.closed;
    await until(
      () => ada.room?.seats.find((s) => s.name === 'ghost')?.connected === false,
      2000,
      'ghost away',
    );
    expect(ada.status).toBe('ready');
  });

  it('closes a peer that never identifies with a Protocol Error AUTH_HANDSHAKE_TIMEOUT', async () => {
    await start({ timing: { handshakeTimeoutMs: 150 } });
    const peer = await raw(false);
    const error = await peer.next('protocolError', 2000);
    expect(error.message).toMatch(/^AUTH_HANDSHAKE_TIMEOUT: /);
    await peer.closed;
    expect(peer.received.map((m) => m.kind)).toEqual(['protocolError']);
  });

  it.each([
    {
      what: 'an unknown opcode',
      identified: true,
      bytes: [[0x0a, 0x00, 0x01, 0x00, 0x00]],
      code: 'PROTOCOL_UNKNOWN_TYPE',
    },
    {
      what: 'a bad length (a Reply of 1 byte)',
      identified: true,
      bytes: [[0x05, 0x00, 0x01, 0x00, 0x01, 0x80]],
      code: 'PROTOCOL_MALFORMED_FRAME',
    },
    {
      what: 'a payload over the limit, header split over chunks',
      identified: true,
      bytes: [[0x04, 0x00], [0x01, 0x40], [0x01]],
      code: 'PROTOCOL_FRAME_TOO_LARGE',
    },
    {
      what: 'a server-only opcode (Ping) from the client',
      identified: true,
      bytes: [[0x03, 0x00, 0x01, 0x00, 0x00]],
      code: 'PROTOCOL_UNEXPECTED_MESSAGE',
    },
    {
      what: 'a Request before the handshake',
      identified: false,
      bytes: [[0x04, 0x00, 0x00, 0x00, 0x0f, ...new TextEncoder().encode('{"type":"daub"}')]],
      code: 'AUTH_REQUIRED',
    },
    {
      what: 'an Identification that is not JSON',
      identified: false,
      bytes: [[0x01, 0x00, 0x00, 0x00, 0x02, 0x68, 0x69]],
      code: 'PROTOCOL_INVALID_MESSAGE',
    },
  ])(
    'answers $what with a Protocol Error ($code) and a close; the others carry on',
    async ({ identified, bytes, code }) => {
      const { ada } = await start();
      const peer = await raw(identified);
      for (const chunk of bytes) {
        peer.write(chunk);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const error = await peer.next('protocolError');
      expect(error.message.startsWith(`${code}: `), error.message).toBe(true);
      await peer.closed;
      expect(bingo!.server.metrics().errors[code as 'AUTH_REQUIRED']).toBeGreaterThanOrEqual(1);
      // Another client on the same server (and room) is unaffected.
      await ada.ready();
      await until(() => ada.room?.phase.startsWith('running') === true, 2000, 'ada plays on');
    },
  );

  it('recovers from a bad Request body without closing: Error Reply, then the next request works', async () => {
    await start();
    const peer = await raw(true);
    peer.write([0x04, 0x00, 0x01, 0x00, 0x03, 0x61, 0x62, 0x63]);
    const refusal = await peer.next('errorReply');
    expect(refusal).toMatchObject({
      replyTo: 1,
      message: expect.stringMatching(/^PROTOCOL_INVALID_MESSAGE: /),
    });
    peer.send({ kind: 'request', id: 2, type: 'room.ready', payload: { ready: true } });
    expect(await peer.next('reply')).toMatchObject({ replyTo: 2 });
    expect(peer.isClosed()).toBe(false);
  });

  it('closes a peer that stops reading once its write buffer passes maxBufferedBytes (slow consumer)', async () => {
    const { ada, roomId } = await start({ limits: { maxBufferedBytes: 256 * 1024 } });
    const peer = await raw(true, 'sloth');
    peer.socket.pause();
    const room = bingo!.server.room(roomId);
    const big = 'x'.repeat(60_000);
    for (let i = 0; i < 400 && !peer.isClosed(); i++) {
      room?.broadcast({ kind: 'game', type: 'noise', payload: big });
      await new Promise((resolve) => setImmediate(resolve));
      if ((bingo!.server.metrics().errors.CONN_SLOW_CONSUMER ?? 0) > 0) break;
    }
    expect(bingo!.server.metrics().errors.CONN_SLOW_CONSUMER).toBe(1);
    // The server side lets go at once (after closeTimeoutMs at most); the paused peer cannot notice
    // until it reads again.
    await until(
      () => ada.room?.seats.find((s) => s.name === 'sloth')?.connected === false,
      3000,
      'sloth away',
    );
    await until(() => bingo!.tcp.connectionCount === 1, 3000, 'socket released');
    peer.socket.resume();
    await peer.closed;
    expect(ada.status).toBe('ready');
  });
});
