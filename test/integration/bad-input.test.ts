import type { SessionError } from 'chartroom/client';
import type { ChartroomServer, ServerOptions } from 'chartroom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { messages, tapRace } from '../../examples/tap-race/room.js';
import { clientFor, startServer, until } from '../support/server.js';
import { connectRaw, requestTicket, seatRaw } from './raw-client.js';
import type { ErrorPayload, RawClient } from './raw-client.js';

interface BadCase {
  readonly name: string;
  readonly send: (raw: RawClient) => void;
  readonly code: string;
  readonly ref?: string;
  readonly refSeq?: (raw: RawClient) => number;
}

/** Each bad input, sent by a seated player of a running game whose last accepted seq is `raw.seq`. */
const cases: readonly BadCase[] = [
  {
    name: 'malformed JSON',
    send: (raw) => raw.sendRaw('{"type":"tap","seq":'),
    code: 'PROTOCOL_MALFORMED_FRAME',
  },
  {
    name: 'a binary frame that is not UTF-8',
    send: (raw) => raw.sendRaw(Buffer.from([0xff, 0xfe, 0xfd])),
    code: 'PROTOCOL_MALFORMED_FRAME',
  },
  {
    name: 'JSON that is not an envelope',
    send: (raw) => raw.sendRaw('[1,2,3]'),
    code: 'PROTOCOL_INVALID_MESSAGE',
  },
  {
    name: 'an envelope without payload',
    send: (raw) => raw.sendRaw(JSON.stringify({ type: 'tap', seq: raw.seq + 1, ts: Date.now() })),
    code: 'PROTOCOL_INVALID_MESSAGE',
    ref: 'tap',
  },
  {
    name: 'an oversize frame',
    send: (raw) => raw.send('tap', { pad: 'x'.repeat(70_000) }),
    code: 'PROTOCOL_FRAME_TOO_LARGE',
  },
  {
    name: 'a stale seq',
    send: (raw) => raw.send('tap', {}, raw.seq),
    code: 'PROTOCOL_STALE_SEQ',
    ref: 'tap',
    refSeq: (raw) => raw.seq,
  },
  {
    name: 'an unknown game message type',
    send: (raw) => raw.send('dance', {}),
    code: 'PROTOCOL_UNKNOWN_TYPE',
    ref: 'dance',
  },
  {
    name: 'an unknown framework message type',
    send: (raw) => raw.send('room.explode', {}),
    code: 'PROTOCOL_UNKNOWN_TYPE',
    ref: 'room.explode',
  },
  {
    name: 'an invalid game payload',
    send: (raw) => raw.send('tap', 42),
    code: 'PROTOCOL_INVALID_MESSAGE',
    ref: 'tap',
  },
  {
    name: 'an invalid framework payload',
    send: (raw) => raw.send('room.ready', { ready: 'yes' }),
    code: 'PROTOCOL_INVALID_MESSAGE',
    ref: 'room.ready',
  },
  {
    name: 'a second auth.login',
    send: (raw) => raw.send('auth.login', { token: 'again', protocol_version: 1 }),
    code: 'AUTH_ALREADY_AUTHENTICATED',
    ref: 'auth.login',
  },
];

describe('bad input mid-session over WebSocket', () => {
  let server: ChartroomServer | undefined;
  const raws: RawClient[] = [];
  afterEach(async () => {
    for (const raw of raws.splice(0)) raw.ws.terminate();
    await server?.close();
    server = undefined;
  });

  /** A running tap-race room: a raw offender in p1, an SDK player in p2. */
  async function runningRoom(options: Partial<ServerOptions> = {}) {
    const started = await startServer([tapRace], options);
    server = started.server;
    const room = await server.createRoom({ type: 'tap-race', config: { target: 100 } });
    const { raw } = await seatRaw(started.url, room.roomId, 'offender');
    raws.push(raw);
    const bob = await clientFor(started.url, messages, false).join(room.roomId, { name: 'bob' });
    const bobErrors: SessionError[] = [];
    bob.onError((error) => bobErrors.push(error));
    raw.send('room.ready', { ready: true });
    bob.ready();
    await until(() => room.view().phase === 'running.iterating', 2000, 'running');
    return { ...started, room, raw, bob, bobErrors };
  }

  it.each(cases)(
    'answers $name with an error $code, counts and logs it once, and play goes on',
    async (bad) => {
      const { raw, bob, bobErrors, logger } = await runningRoom();
      const before = server!.metrics();
      const expectedRefSeq = bad.refSeq?.(raw);

      bad.send(raw);
      const error = await raw.next<ErrorPayload>('error');
      expect(error.payload.code).toBe(bad.code);
      expect(error.payload.message).toEqual(expect.any(String));
      if (bad.ref !== undefined) expect(error.payload.ref_type).toBe(bad.ref);
      if (expectedRefSeq !== undefined) expect(error.payload.ref_seq).toBe(expectedRefSeq);

      const after = server!.metrics();
      expect(after.errors[bad.code]).toBe(1);
      expect(Object.values(after.errors).reduce((a, b) => a + b, 0)).toBe(
        Object.values(before.errors).reduce((a, b) => a + b, 0) + 1,
      );
      expect(logger.entries.filter((entry) => entry.fields.code === bad.code)).toHaveLength(1);

      // The offender's own valid traffic still works (and the bad frame did not count as a tap)...
      const bobSees = bob.next('score');
      raw.send('tap', {});
      expect(await bobSees).toEqual({ taps: { p1: 1, p2: 0 } });
      // ...and the other player carries on, untouched.
      bob.send('tap', {});
      const echoed = await raw.next<{ taps: Record<string, number> }>(
        (f) => f.type === 'score' && (f.payload as { taps: Record<string, number> }).taps.p2 === 1,
      );
      expect(echoed.payload.taps).toEqual({ p1: 1, p2: 1 });
      expect(raw.isClosed).toBe(false);
      expect(bob.status).toBe('connected');
      expect(bobErrors).toEqual([]);
      expect(raw.frames.filter((f) => f.type === 'error')).toHaveLength(1);
    },
  );

  it('answers every message before auth.login with AUTH_REQUIRED, then lets the client authenticate', async () => {
    const started = await startServer([tapRace]);
    server = started.server;
    const { logger } = started;
    const room = await server.createRoom({ type: 'tap-race' });
    const bob = await clientFor(started.url, messages, false).join(room.roomId, { name: 'bob' });
    const raw = await connectRaw(started.url);
    raws.push(raw);

    raw.send('session.join_system', { system_id: room.roomId });
    raw.send('tap', {});
    raw.send('room.ready', { ready: true });
    raw.send('session.leave', {});
    const refusals = [
      await raw.next<ErrorPayload>('error'),
      await raw.next<ErrorPayload>('error'),
      await raw.next<ErrorPayload>('error'),
      await raw.next<ErrorPayload>('error'),
    ];
    expect(refusals.map((f) => f.payload.code)).toEqual([
      'AUTH_REQUIRED',
      'AUTH_REQUIRED',
      'AUTH_REQUIRED',
      'AUTH_REQUIRED',
    ]);
    expect(refusals.map((f) => f.payload.ref_type)).toEqual([
      'session.join_system',
      'tap',
      'room.ready',
      'session.leave',
    ]);
    expect(server.metrics().errors.AUTH_REQUIRED).toBe(4);
    expect(logger.entries.filter((e) => e.fields.code === 'AUTH_REQUIRED')).toHaveLength(4);
    expect(room.view().seats.map((s) => s.name)).toEqual(['bob']);

    const ticket = await requestTicket(started.url, room.roomId, { name: 'ada' });
    expect((await raw.login(ticket.token)).type).toBe('auth.ok');
    expect((await raw.join(room.roomId)).type).toBe('session.joined');
    await until(() => bob.room?.seats.length === 2, 2000, 'ada seated');
    expect(bob.status).toBe('connected');
  });

  it('closes the offender with PROTOCOL_TOO_MANY_ERRORS after more than maxProtocolErrors bad frames', async () => {
    const { raw, bob, room } = await runningRoom({ limits: { maxProtocolErrors: 3 } });

    for (let i = 0; i < 3; i++) {
      raw.sendRaw('not json');
      expect((await raw.next<ErrorPayload>('error')).payload.code).toBe('PROTOCOL_MALFORMED_FRAME');
    }
    // At the limit the link is still open and usable.
    const score = bob.next('score');
    raw.send('tap', {});
    expect(await score).toEqual({ taps: { p1: 1, p2: 0 } });
    expect(raw.isClosed).toBe(false);

    raw.sendRaw('not json');
    const closing = await raw.next<ErrorPayload>('session.closing');
    expect(closing.payload.code).toBe('PROTOCOL_TOO_MANY_ERRORS');
    expect(await raw.closed).toEqual({ code: 1008, reason: 'PROTOCOL_TOO_MANY_ERRORS' });
    expect(server!.metrics().errors.PROTOCOL_MALFORMED_FRAME).toBe(4);

    // The kicked player's seat is released (left, in a running game); the other player carries on.
    await until(() => bob.room?.seats.find((s) => s.seatId === 'p1')?.left === true, 2000, 'p1 left');
    const next = bob.next('score');
    bob.send('tap', {});
    expect(await next).toEqual({ taps: { p1: 1, p2: 1 } });
    expect(room.view().phase).toBe('running.iterating');
    await until(() => server!.connections.size === 1, 2000, 'offender disposed');
  });

  it('closes a link that breaks the WebSocket protocol itself with 1002, counts and logs it once, and play goes on', async () => {
    const { raw, bob, logger } = await runningRoom();
    const before = server!.metrics().errors.PROTOCOL_MALFORMED_FRAME ?? 0;
    // An unmasked client frame (RFC 6455 section 5.1), written under the ws client's feet.
    const unmasked = Buffer.concat([Buffer.from([0x81, 2]), Buffer.from('hi')]);
    (raw.ws as unknown as { _socket: { write(bytes: Buffer): void } })._socket.write(unmasked);
    expect((await raw.closed).code).toBe(1002);
    expect(server!.metrics().errors.PROTOCOL_MALFORMED_FRAME).toBe(before + 1);
    const logged = logger.entries.filter((entry) => entry.fields.closeCode === 1002);
    expect(logged).toHaveLength(1);
    expect(logged[0]?.message).toMatch(/masked/);
    // The other player carries on.
    const next = bob.next('score');
    bob.send('tap', {});
    expect(await next).toEqual({ taps: { p1: 0, p2: 1 } });
    expect(bob.status).toBe('connected');
  });
});

describe('message types that name Object.prototype members', () => {
  let server: ChartroomServer | undefined;
  afterEach(async () => server?.close());

  it('answers a game message typed "toString" or "constructor" with PROTOCOL_UNKNOWN_TYPE', async () => {
    const started = await startServer([tapRace]);
    server = started.server;
    const room = await server.createRoom({ type: 'tap-race' });
    const raw = await connectRaw(started.url);
    const ticket = await requestTicket(started.url, room.roomId, { name: 'ada' });
    await raw.login(ticket.token);
    await raw.join(room.roomId);
    for (const type of ['toString', 'constructor', '__proto__', 'valueOf']) {
      raw.send(type, {});
      const error = await raw.next<ErrorPayload>('error');
      expect(error.payload).toMatchObject({ code: 'PROTOCOL_UNKNOWN_TYPE', ref_type: type });
    }
    expect(raw.isClosed).toBe(false);
    raw.close();
  });
});
