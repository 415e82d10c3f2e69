import { createSimulatedClock } from 'chartroom';
import type { SimulatedClock } from 'chartroom';
import type { RoomWire } from 'chartroom/protocols/json-envelope';
import type { ChartroomServer } from 'chartroom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { tapRace } from '../../examples/tap-race/room.js';
import { startServer, until } from '../support/server.js';
import { connectRaw, requestTicket, seatRaw } from './raw-client.js';
import type { ErrorPayload, JoinedPayload, RawClient } from './raw-client.js';

/** Flip one character in the middle of `part` (0 = claims, 1 = signature) of a token. */
function tamper(token: string, part: 0 | 1): string {
  const pieces = token.split('.');
  const piece = pieces[part]!;
  const i = Math.floor(piece.length / 2);
  const flipped = piece[i] === 'A' ? 'B' : 'A';
  pieces[part] = piece.slice(0, i) + flipped + piece.slice(i + 1);
  return pieces.join('.');
}

describe('handshake over WebSocket', () => {
  let server: ChartroomServer | undefined;
  const raws: RawClient[] = [];
  afterEach(async () => {
    for (const raw of raws.splice(0)) raw.ws.terminate();
    await server?.close();
    server = undefined;
  });

  it('ticket, auth.login, auth.ok, session.join_system, session.joined for several clients; another room is unaffected', async () => {
    const started = await startServer([tapRace]);
    server = started.server;
    const { url } = started;
    const roomA = await server.createRoom({ type: 'tap-race' });
    const roomB = await server.createRoom({ type: 'tap-race' });

    const seated: { raw: RawClient; joined: JoinedPayload; playerId: string }[] = [];
    for (const name of ['ada', 'bob', 'cyd']) {
      const ticket = await requestTicket(url, roomA.roomId, { name });
      expect(ticket.room_id).toBe(roomA.roomId);
      expect(ticket.name).toBe(name);
      expect(ticket.endpoints['json-envelope']).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/json-envelope$/);
      const raw = await connectRaw(url);
      raws.push(raw);
      const ok = await raw.login(ticket.token);
      expect(ok.type).toBe('auth.ok');
      expect(ok.payload).toEqual({ player_id: ticket.player_id, name });
      const joined = await raw.join(roomA.roomId);
      expect(joined.type).toBe('session.joined');
      seated.push({ raw, joined: joined.payload as unknown as JoinedPayload, playerId: ticket.player_id });
    }

    expect(seated.map((s) => s.joined.seat_id)).toEqual(['p1', 'p2', 'p3']);
    for (const [i, { joined, playerId }] of seated.entries()) {
      expect(joined.system_id).toBe(roomA.roomId);
      expect(joined.role).toBe('player');
      expect(joined.resume_token).toMatch(/^[\w-]+\.[\w-]+$/);
      expect(joined.room.room_id).toBe(roomA.roomId);
      // The room view in session.joined already holds the new seat and every earlier one.
      expect(joined.room.seats.map((s) => s.seat_id)).toEqual(['p1', 'p2', 'p3'].slice(0, i + 1));
      expect(joined.room.seats[i]).toMatchObject({ user_id: playerId, connected: true, ready: false });
    }
    // Resume tokens are distinct per seat.
    expect(new Set(seated.map((s) => s.joined.resume_token)).size).toBe(3);

    // The first client saw the later joins as room.state broadcasts.
    const latest = await seated[0]!.raw.next<RoomWire>(
      (f) => f.type === 'room.state' && (f.payload as unknown as RoomWire).seats.length === 3,
    );
    expect(latest.payload.seats.map((s) => s.name)).toEqual(['ada', 'bob', 'cyd']);

    // Room B: a client there sees only its own room.
    const { raw: other, joined: otherJoined } = await seatRaw(url, roomB.roomId, 'dee');
    raws.push(other);
    expect(otherJoined.payload.seat_id).toBe('p1');
    expect(otherJoined.payload.room.seats.map((s) => s.name)).toEqual(['dee']);
    seated[1]!.raw.send('room.ready', { ready: true });
    await until(() => roomA.view().seats.some((s) => s.ready), 2000, 'ready in room A');
    expect(roomB.view().seats).toHaveLength(1);
    expect(roomB.view().seats[0]?.ready).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 30));
    for (const frame of other.frames.filter((f) => f.type === 'room.state')) {
      expect((frame.payload as unknown as RoomWire).room_id).toBe(roomB.roomId);
    }
    for (const { raw } of seated) {
      for (const frame of raw.frames.filter((f) => f.type === 'room.state')) {
        expect((frame.payload as unknown as RoomWire).room_id).toBe(roomA.roomId);
      }
    }
    expect(server.connections.size).toBe(4);
  });

  it('accepts protocol_version from the connect URL query instead of the payload', async () => {
    const started = await startServer([tapRace]);
    server = started.server;
    const room = await server.createRoom({ type: 'tap-race' });
    const ticket = await requestTicket(started.url, room.roomId, { name: 'ada' });
    const raw = await connectRaw(started.url, {}, '?protocol_version=1');
    raws.push(raw);
    raw.send('auth.login', { token: ticket.token });
    expect((await raw.next((f) => f.type.startsWith('auth.'))).type).toBe('auth.ok');
  });

  describe('refused credentials', () => {
    /** Log in with `token`; expect auth.error `code`, then session.closing and a 1008 close. */
    async function expectAuthRefused(raw: RawClient, token: string, code: string) {
      const connections = server!.connections.size;
      const answer = await raw.login(token);
      expect(answer.type).toBe('auth.error');
      expect(answer.payload).toMatchObject({ code });
      const closing = await raw.next('session.closing');
      expect(closing.payload).toMatchObject({ code });
      expect(await raw.closed).toEqual({ code: 1008, reason: code });
      expect(server!.metrics().errors[code]).toBe(1);
      await until(() => server!.connections.size === connections - 1, 2000, 'connection disposed');
    }

    async function setup(options: Parameters<typeof startServer>[1] = {}) {
      const started = await startServer([tapRace], options);
      server = started.server;
      const room = await server.createRoom({ type: 'tap-race' });
      const raw = await connectRaw(started.url);
      raws.push(raw);
      return { ...started, room, raw };
    }

    it('refuses a garbage token with AUTH_INVALID_TOKEN and closes the link', async () => {
      const { raw, room } = await setup();
      await expectAuthRefused(raw, 'garbage', 'AUTH_INVALID_TOKEN');
      expect(room.view().seats).toEqual([]);
    });

    it('refuses a token whose claims were tampered with (AUTH_INVALID_TOKEN)', async () => {
      const { raw, url, room } = await setup();
      const { token } = await requestTicket(url, room.roomId, { name: 'mallory' });
      await expectAuthRefused(raw, tamper(token, 0), 'AUTH_INVALID_TOKEN');
    });

    it('refuses a token whose signature was tampered with (AUTH_INVALID_TOKEN)', async () => {
      const { raw, url, room } = await setup();
      const { token } = await requestTicket(url, room.roomId, { name: 'mallory' });
      await expectAuthRefused(raw, tamper(token, 1), 'AUTH_INVALID_TOKEN');
    });

    it('refuses a token signed by another server secret (AUTH_INVALID_TOKEN)', async () => {
      const { raw, room } = await setup({ secret: 'server-one-secret-0123456789' });
      const { server: otherServer } = await startServer([tapRace], {
        secret: 'server-two-secret-0123456789',
      });
      try {
        await otherServer.createRoom({ type: 'tap-race', roomId: room.roomId });
        const foreign = otherServer.issueTicket(room.roomId, { name: 'eve' });
        await expectAuthRefused(raw, foreign.token, 'AUTH_INVALID_TOKEN');
      } finally {
        await otherServer.close();
      }
    });

    it('refuses an expired ticket with AUTH_TOKEN_EXPIRED (simulated clock)', async () => {
      const clock: SimulatedClock = createSimulatedClock(Date.now());
      const { raw, url, room } = await setup({ clock, limits: { ticketTtlMs: 1000 } });
      const ticket = await requestTicket(url, room.roomId, { name: 'late' });
      expect(ticket.expires_at).toBe(clock.now() + 1000);
      clock.advance(1000);
      await expectAuthRefused(raw, ticket.token, 'AUTH_TOKEN_EXPIRED');
    });

    it('accepts a ticket one millisecond before it expires (simulated clock)', async () => {
      const clock = createSimulatedClock(Date.now());
      const { raw, url, room } = await setup({ clock, limits: { ticketTtlMs: 1000 } });
      const ticket = await requestTicket(url, room.roomId, { name: 'just-in-time' });
      clock.advance(999);
      expect((await raw.login(ticket.token)).type).toBe('auth.ok');
    });

    it('refuses a resume token presented as a ticket (AUTH_INVALID_TOKEN)', async () => {
      const { raw, url, room } = await setup();
      const { raw: seated, joined } = await seatRaw(url, room.roomId, 'ada');
      raws.push(seated);
      await expectAuthRefused(raw, joined.payload.resume_token, 'AUTH_INVALID_TOKEN');
    });

    it('refuses a login without protocol_version with PROTOCOL_VERSION_MISMATCH and closes', async () => {
      const { raw, url, room } = await setup();
      const { token } = await requestTicket(url, room.roomId);
      raw.send('auth.login', { token });
      const answer = await raw.next('auth.error');
      expect(answer.payload).toMatchObject({ code: 'PROTOCOL_VERSION_MISMATCH' });
      expect((await raw.closed).code).toBe(1008);
    });

    it('refuses join_system for another room with an AUTH_WRONG_ROOM error and keeps the link usable', async () => {
      const { raw, url, room, logger } = await setup();
      const otherRoom = await server!.createRoom({ type: 'tap-race' });
      const { token } = await requestTicket(url, room.roomId, { name: 'ada' });
      expect((await raw.login(token)).type).toBe('auth.ok');

      const refused = await raw.join(otherRoom.roomId);
      expect(refused.type).toBe('error');
      expect(refused.payload).toMatchObject({ code: 'AUTH_WRONG_ROOM', ref_type: 'session.join_system' });
      expect(otherRoom.view().seats).toEqual([]);
      expect(server!.metrics().errors.AUTH_WRONG_ROOM).toBe(1);
      expect(logger.entries.filter((e) => e.fields.code === 'AUTH_WRONG_ROOM')).toHaveLength(1);

      // Not an authentication failure: the connection stays and can join its own room.
      expect(raw.isClosed).toBe(false);
      const joined = await raw.join(room.roomId);
      expect(joined.type).toBe('session.joined');
      expect((joined.payload as unknown as JoinedPayload).seat_id).toBe('p1');
    });

    it('refuses join_system for an unknown room with ROOM_NOT_FOUND', async () => {
      const { raw, url, room } = await setup();
      const { token } = await requestTicket(url, room.roomId);
      await raw.login(token);
      server!.room(room.roomId)?.stop();
      const refused = await raw.join(room.roomId);
      expect((refused.payload as unknown as ErrorPayload).code).toBe('ROOM_NOT_FOUND');
    });
  });

  describe('handshake timeout (simulated clock)', () => {
    it('closes a client that says nothing with session.closing AUTH_HANDSHAKE_TIMEOUT, then a ws close', async () => {
      const clock = createSimulatedClock(Date.now());
      const started = await startServer([tapRace], { clock, timing: { handshakeTimeoutMs: 5000 } });
      server = started.server;
      const silent = await connectRaw(started.url);
      raws.push(silent);
      await until(() => server!.connections.size === 1, 2000, 'connection accepted');

      clock.advance(4999);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(silent.isClosed).toBe(false);

      clock.advance(1);
      const closing = await silent.next('session.closing');
      expect(closing.payload).toMatchObject({ code: 'AUTH_HANDSHAKE_TIMEOUT' });
      expect(await silent.closed).toEqual({ code: 1008, reason: 'AUTH_HANDSHAKE_TIMEOUT' });
      await until(() => server!.connections.size === 0, 2000, 'connection disposed');
      expect(server.metrics()).toMatchObject({ connectionsOpened: 1, connectionsClosed: 1 });
    });

    it('does not close a client that authenticated in time', async () => {
      const clock = createSimulatedClock(Date.now());
      const started = await startServer([tapRace], { clock, timing: { handshakeTimeoutMs: 5000 } });
      server = started.server;
      const room = await server.createRoom({ type: 'tap-race' });
      const { raw } = await seatRaw(started.url, room.roomId, 'ada');
      raws.push(raw);
      clock.advance(6000);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(raw.isClosed).toBe(false);
      expect(raw.frames.some((f) => f.type === 'session.closing')).toBe(false);
    });
  });
});
