import { createSimulatedClock } from 'chartroom';
import type { SessionStatus } from 'chartroom/client';
import type { ChartroomServer } from 'chartroom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { messages, tapRace } from '../../examples/tap-race/room.js';
import { clientFor, startServer, until } from '../support/server.js';
import { connectRaw, seatRaw } from './raw-client.js';
import type { JoinedPayload, RawClient } from './raw-client.js';

const timing = {
  handshakeTimeoutMs: 60_000,
  heartbeatIntervalMs: 600_000,
  heartbeatTimeoutMs: 10_000,
  gracePeriodMs: 5_000,
};

describe('reconnect and resume over WebSocket (simulated clock)', () => {
  let server: ChartroomServer | undefined;
  const raws: RawClient[] = [];
  afterEach(async () => {
    for (const raw of raws.splice(0)) raw.ws.terminate();
    await server?.close();
    server = undefined;
  });

  async function setup(config?: { target: number }) {
    const clock = createSimulatedClock(Date.now());
    const started = await startServer([tapRace], { clock, timing });
    server = started.server;
    const room = await server.createRoom({ type: 'tap-race', ...(config ? { config } : {}) });
    return { ...started, clock, room };
  }

  /** A raw client that resumes with `token`. */
  async function resumeRaw(url: string, token: string) {
    const raw = await connectRaw(url);
    raws.push(raw);
    return { raw, answer: await raw.resume(token) };
  }

  it('restores the same seat within the grace period; the used resume token is then refused', async () => {
    const { url, clock, room } = await setup();
    const { raw: ada, joined } = await seatRaw(url, room.roomId, 'ada');
    raws.push(ada);
    const bob = await clientFor(url, messages, false).join(room.roomId, { name: 'bob' });
    const firstToken = joined.payload.resume_token;

    ada.ws.terminate(); // a network failure: no close handshake
    await until(() => bob.room?.seats.find((s) => s.seatId === 'p1')?.connected === false, 2000, 'p1 away');
    clock.advance(timing.gracePeriodMs - 1);

    const { raw: back, answer } = await resumeRaw(url, firstToken);
    expect(answer.type).toBe('session.joined');
    const resumed = answer.payload as unknown as JoinedPayload;
    expect(resumed.seat_id).toBe('p1');
    expect(resumed.system_id).toBe(room.roomId);
    expect(resumed.role).toBe('player');
    expect(resumed.resume_token).not.toBe(firstToken);
    expect(resumed.room.seats.find((s) => s.seat_id === 'p1')).toMatchObject({
      name: 'ada',
      connected: true,
    });
    await until(() => bob.room?.seats.find((s) => s.seatId === 'p1')?.connected === true, 2000, 'p1 back');
    // The dropped connection's host is gone: one connection per seat.
    await until(() => server!.connections.size === 2, 2000, 'old connection disposed');

    // The old grace timer no longer runs: the seat survives well past it.
    clock.advance(timing.gracePeriodMs * 3);
    expect(room.view().seats.find((s) => s.seatId === 'p1')).toMatchObject({ connected: true, left: false });

    // The resumed link carries traffic for the seat.
    back.send('room.ready', { ready: true });
    await until(() => room.view().seats.find((s) => s.seatId === 'p1')?.ready === true, 2000, 'p1 ready');

    // The token that was just used is refused, and the refusal does not disturb the seat.
    const { raw: replay, answer: refused } = await resumeRaw(url, firstToken);
    expect(refused.type).toBe('auth.error');
    expect(refused.payload).toMatchObject({ code: 'AUTH_RESUME_REJECTED' });
    expect(await replay.closed).toEqual({ code: 1008, reason: 'AUTH_RESUME_REJECTED' });
    expect(back.isClosed).toBe(false);
    expect(room.view().seats.find((s) => s.seatId === 'p1')?.connected).toBe(true);
    expect(server!.metrics().errors.AUTH_RESUME_REJECTED).toBe(1);
    bob.close();
  });

  it('refuses a resume after the grace period: the seat was released', async () => {
    const { url, clock, room } = await setup();
    const { raw: ada, joined } = await seatRaw(url, room.roomId, 'ada');
    raws.push(ada);
    const bob = await clientFor(url, messages, false).join(room.roomId, { name: 'bob' });

    ada.close();
    await until(() => room.view().seats.find((s) => s.seatId === 'p1')?.connected === false, 2000, 'p1 away');
    clock.advance(timing.gracePeriodMs);
    await until(() => bob.room?.seats.length === 1, 2000, 'p1 released');
    expect(room.view().seats.map((s) => s.seatId)).toEqual(['p2']);

    const { raw: late, answer } = await resumeRaw(url, joined.payload.resume_token);
    expect(answer.type).toBe('auth.error');
    expect(answer.payload).toMatchObject({ code: 'AUTH_RESUME_REJECTED' });
    expect((await late.closed).code).toBe(1008);
    await until(() => server!.connections.size === 1, 2000, 'only bob left');
    bob.close();
  });

  it('keeps a released player of a running game as left, and refuses its resume', async () => {
    const { url, clock, room } = await setup({ target: 100 });
    const { raw: ada, joined } = await seatRaw(url, room.roomId, 'ada');
    raws.push(ada);
    const bob = await clientFor(url, messages, false).join(room.roomId, { name: 'bob' });
    ada.send('room.ready', { ready: true });
    bob.ready();
    await until(() => room.view().phase === 'running.iterating', 2000, 'running');

    ada.ws.terminate();
    await until(() => room.view().seats.find((s) => s.seatId === 'p1')?.connected === false, 2000, 'p1 away');
    clock.advance(timing.gracePeriodMs);
    await until(() => bob.room?.seats.find((s) => s.seatId === 'p1')?.left === true, 2000, 'p1 left');

    const { answer } = await resumeRaw(url, joined.payload.resume_token);
    expect(answer.payload).toMatchObject({ code: 'AUTH_RESUME_REJECTED' });
    bob.close();
  });

  it('supersedes a still-open connection when its seat is resumed elsewhere', async () => {
    const { url, room } = await setup();
    const { raw: first, joined } = await seatRaw(url, room.roomId, 'ada');
    raws.push(first);
    const { raw: second, answer } = await resumeRaw(url, joined.payload.resume_token);
    expect((answer.payload as unknown as JoinedPayload).seat_id).toBe('p1');
    expect((await first.next('session.closing')).payload).toMatchObject({ code: 'CONN_SUPERSEDED' });
    expect(await first.closed).toEqual({ code: 1000, reason: 'CONN_SUPERSEDED' });
    await until(() => server!.connections.size === 1, 2000, 'superseded connection disposed');
    expect(second.isClosed).toBe(false);
    expect(room.view().seats).toHaveLength(1);
    expect(room.view().seats[0]).toMatchObject({ seatId: 'p1', connected: true });
  });

  it("the client SDK's automatic reconnect resumes the same seat after a drop", async () => {
    const { url, room } = await setup({ target: 100 });
    const adaClient = clientFor(url, messages, { retries: 5, baseDelayMs: 20, maxDelayMs: 100 });
    const ada = await adaClient.join(room.roomId, { name: 'ada' });
    const bob = await clientFor(url, messages, false).join(room.roomId, { name: 'bob' });
    const statuses: SessionStatus[] = [];
    ada.onStatus((status) => {
      statuses.push(status);
      // Sent while reconnecting: queued, and delivered once the seat is resumed.
      if (status === 'reconnecting') ada.send('tap', {});
    });
    const firstToken = ada.resumeToken;
    ada.ready();
    bob.ready();
    await until(() => room.view().phase === 'running.iterating', 2000, 'running');

    const score = bob.next('score');
    ada.simulateDrop();
    await until(() => statuses.includes('connected'), 3000, 'reconnected');
    expect(statuses).toEqual(['reconnecting', 'connected']);
    expect(ada.seatId).toBe('p1');
    expect(ada.role).toBe('player');
    expect(ada.resumeToken).not.toBe(firstToken);
    expect(room.view().seats.find((s) => s.seatId === 'p1')).toMatchObject({ connected: true, left: false });
    expect(room.view().seats).toHaveLength(2);
    expect(await score).toEqual({ taps: { p1: 1, p2: 0 } });
    await until(() => server!.connections.size === 2, 2000, 'one connection per seat');

    // Traffic flows both ways on the resumed session.
    const next = ada.next('score');
    bob.send('tap', {});
    expect(await next).toEqual({ taps: { p1: 1, p2: 1 } });
    ada.close();
    bob.close();
  });
});
