import { createSimulatedClock } from 'chartroom';
import type { SimulatedClock } from 'chartroom';
import type { ChartroomServer, ConnectionHost } from 'chartroom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { messages, tapRace } from '../../examples/tap-race/room.js';
import { clientFor, startServer, until } from '../support/server.js';
import { connectRaw, requestTicket, seatRaw } from './raw-client.js';
import type { RawClient } from './raw-client.js';

/**
 * Heartbeat every 10 s, 1 s to answer, 5 s of grace: a grace period ends before the next ping.
 * No spread: every connection pings exactly every 10 s (heartbeat-spread.test.ts covers the spread).
 */
const timing = {
  handshakeTimeoutMs: 60_000,
  heartbeatIntervalMs: 10_000,
  heartbeatTimeoutMs: 1_000,
  gracePeriodMs: 5_000,
  heartbeatSpread: 0,
};

const hostOfSeat = (server: ChartroomServer, seatId: string): ConnectionHost | undefined =>
  [...server.connections].find((c) => c.actor.getSnapshot().context.seat?.seatId === seatId);

const heartbeatState = (host: ConnectionHost | undefined): string => {
  const value = host?.actor.getSnapshot().value;
  if (typeof value !== 'object' || !('live' in value)) return String(value);
  return String((value.live as { heartbeat: string }).heartbeat);
};

describe('heartbeat over WebSocket (simulated clock)', () => {
  let server: ChartroomServer | undefined;
  const raws: RawClient[] = [];
  afterEach(async () => {
    for (const raw of raws.splice(0)) raw.ws.terminate();
    await server?.close();
    server = undefined;
  });

  async function setup() {
    const clock: SimulatedClock = createSimulatedClock(Date.now());
    const started = await startServer([tapRace], { clock, timing });
    server = started.server;
    const room = await server.createRoom({ type: 'tap-race' });
    return { ...started, clock, room };
  }

  it('detects a seated client that stops answering pings: seat disconnected, then released after the grace period', async () => {
    const { url, clock, room } = await setup();
    // `autoPong: false`: the socket still receives pings but never answers them.
    const { raw: ghost, joined } = await seatRaw(url, room.roomId, 'ghost', { autoPong: false });
    raws.push(ghost);
    expect(joined.payload.seat_id).toBe('p1');
    const bob = await clientFor(url, messages, false).join(room.roomId, { name: 'bob' });
    expect(bob.seatId).toBe('p2');
    const bobHost = hostOfSeat(server!, 'p2');
    const ghostHost = hostOfSeat(server!, 'p1');
    expect(heartbeatState(bobHost)).toBe('idle');
    expect(heartbeatState(ghostHost)).toBe('idle');

    // First ping: bob's socket answers, the ghost's does not.
    clock.advance(timing.heartbeatIntervalMs);
    await until(() => ghost.pings === 1, 2000, 'ping reaches the ghost');
    await until(() => heartbeatState(bobHost) === 'idle', 2000, "bob's pong");
    expect(heartbeatState(ghostHost)).toBe('awaitingPong');

    clock.advance(timing.heartbeatTimeoutMs);
    const closing = await ghost.next('session.closing');
    expect(closing.payload).toMatchObject({ code: 'CONN_HEARTBEAT_TIMEOUT' });
    expect(await ghost.closed).toEqual({ code: 1008, reason: 'CONN_HEARTBEAT_TIMEOUT' });

    // The seat is kept for the grace period, marked disconnected, and everyone is told.
    await until(
      () => bob.room?.seats.find((s) => s.seatId === 'p1')?.connected === false,
      2000,
      'p1 disconnected in the room view',
    );
    expect(room.view().seats.find((s) => s.seatId === 'p1')).toMatchObject({ connected: false, left: false });
    expect(bob.status).toBe('connected');
    expect(heartbeatState(bobHost)).toBe('idle');

    clock.advance(timing.gracePeriodMs - 1);
    expect(room.view().seats.map((s) => s.seatId)).toEqual(['p1', 'p2']);
    clock.advance(1);
    await until(() => bob.room?.seats.length === 1, 2000, 'p1 released in the room view');
    expect(bob.room?.seats.map((s) => s.seatId)).toEqual(['p2']);
    expect(room.view().seats.map((s) => s.seatId)).toEqual(['p2']);
    expect(server!.connections.size).toBe(1);
    expect(bob.status).toBe('connected');
    bob.close();
  });

  it('keeps a client that answers every ping over many intervals', async () => {
    const { url, clock, room } = await setup();
    const ada = await clientFor(url, messages, false).join(room.roomId, { name: 'ada' });
    const host = hostOfSeat(server!, 'p1');
    for (let round = 0; round < 5; round++) {
      clock.advance(timing.heartbeatIntervalMs);
      expect(heartbeatState(host)).toBe('awaitingPong');
      await until(() => heartbeatState(host) === 'idle', 2000, `pong ${round}`);
    }
    clock.advance(timing.heartbeatTimeoutMs);
    expect(ada.status).toBe('connected');
    expect(room.view().seats[0]?.connected).toBe(true);
    ada.close();
  });

  it('closes an authenticated but unseated client that stops answering pings, with nothing to keep', async () => {
    const { url, clock, room } = await setup();
    const ticket = await requestTicket(url, room.roomId, { name: 'lurker' });
    const raw = await connectRaw(url, { autoPong: false });
    raws.push(raw);
    expect((await raw.login(ticket.token)).type).toBe('auth.ok');
    clock.advance(timing.heartbeatIntervalMs);
    await until(() => raw.pings === 1, 2000, 'ping');
    clock.advance(timing.heartbeatTimeoutMs);
    expect((await raw.next('session.closing')).payload).toMatchObject({ code: 'CONN_HEARTBEAT_TIMEOUT' });
    expect((await raw.closed).code).toBe(1008);
    await until(() => server!.connections.size === 0, 2000, 'connection disposed');
    expect(room.view().seats).toEqual([]);
  });
});
