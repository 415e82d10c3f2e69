import type { SessionError } from 'chartroom/client';
import type { ChartroomServer, RoomHost } from 'chartroom/server';
import type { RoomOptions } from 'chartroom';
import { afterEach, describe, expect, it } from 'vitest';
import { messages, tapRace } from '../../examples/tap-race/room.js';
import { clientFor, startServer, until } from '../support/server.js';
import { seatRaw } from './raw-client.js';
import type { ErrorPayload, RawClient } from './raw-client.js';

describe('viewer admission while the room runs', () => {
  let server: ChartroomServer | undefined;
  const raws: RawClient[] = [];
  afterEach(async () => {
    for (const raw of raws.splice(0)) raw.ws.terminate();
    await server?.close();
    server = undefined;
  });

  /** A tap-race room whose two players are ready, so the game runs. */
  async function runningRoom(options: Partial<RoomOptions> = {}) {
    const started = await startServer([tapRace]);
    server = started.server;
    const room: RoomHost = await server.createRoom({ type: 'tap-race', config: { target: 100 }, options });
    const client = clientFor(started.url, messages, false);
    const ada = await client.join(room.roomId, { name: 'ada' });
    const bob = await client.join(room.roomId, { name: 'bob' });
    ada.ready();
    bob.ready();
    await until(() => ada.room?.phase === 'running.iterating', 2000, 'running');
    return { ...started, room, client, ada, bob };
  }

  it("admits a newcomer as a viewer under lateJoin 'viewer'; its game messages are refused with ROOM_FORBIDDEN", async () => {
    const { room, client, ada, bob } = await runningRoom({ lateJoin: 'viewer' });
    const cat = await client.join(room.roomId, { name: 'cat' });
    expect(cat.role).toBe('viewer');
    expect(cat.seatId).toBe('v3');
    expect(cat.room?.phase).toBe('running.iterating');
    await until(() => ada.room?.seats.length === 3, 2000, 'viewer in the room view of the players');
    expect(ada.room?.seats.find((s) => s.seatId === 'v3')).toMatchObject({ role: 'viewer', name: 'cat' });

    const errors: SessionError[] = [];
    cat.onError((error) => errors.push(error));
    cat.send('tap', {});
    await until(() => errors.length === 1, 2000, 'refusal');
    expect(errors[0]).toMatchObject({ code: 'ROOM_FORBIDDEN' });

    // The viewer's tap never reached the game; the players' taps do, and the viewer watches them.
    const watched = cat.next('score');
    const seen = bob.next('score');
    ada.send('tap', {});
    expect(await seen).toEqual({ taps: { p1: 1, p2: 0 } });
    expect(await watched).toEqual({ taps: { p1: 1, p2: 0 } });
    expect(room.view().phase).toBe('running.iterating');
  });

  it("answers a late viewer's raw game message with ROOM_FORBIDDEN and its ready with ROOM_NOT_IN_SETUP", async () => {
    const { url, room } = await runningRoom({ lateJoin: 'viewer' });
    const { raw, joined } = await seatRaw(url, room.roomId, 'cat');
    raws.push(raw);
    expect(joined.payload).toMatchObject({ role: 'viewer', seat_id: 'v3' });
    raw.send('tap', {});
    const forbidden = await raw.next<ErrorPayload>('error');
    expect(forbidden.payload).toMatchObject({ code: 'ROOM_FORBIDDEN' });
    raw.send('room.ready', { ready: true });
    expect((await raw.next<ErrorPayload>('error')).payload.code).toBe('ROOM_NOT_IN_SETUP');
    expect(raw.isClosed).toBe(false);
  });

  it("refuses a newcomer with ROOM_LOCKED under lateJoin 'refuse', as player or viewer", async () => {
    const { room, client, ada } = await runningRoom({ lateJoin: 'refuse' });
    await expect(client.join(room.roomId, { name: 'cat' })).rejects.toMatchObject({ code: 'ROOM_LOCKED' });
    await expect(client.join(room.roomId, { name: 'dan', role: 'viewer' })).rejects.toMatchObject({
      code: 'ROOM_LOCKED',
    });
    expect(room.view().seats.map((s) => s.seatId)).toEqual(['p1', 'p2']);
    expect(server!.metrics().errors.ROOM_LOCKED).toBe(2);
    // The players are untouched.
    const score = ada.next('score');
    ada.send('tap', {});
    expect(await score).toEqual({ taps: { p1: 1, p2: 0 } });
  });

  it('refuses a late viewer with ROOM_LOCKED when the room has no viewer seats', async () => {
    const { room, client } = await runningRoom({ lateJoin: 'viewer', maxViewers: 0 });
    await expect(client.join(room.roomId, { name: 'cat' })).rejects.toMatchObject({ code: 'ROOM_LOCKED' });
  });

  it('lets a viewer who joined during setup watch, without counting it as a player for the ready check', async () => {
    const started = await startServer([tapRace]);
    server = started.server;
    const room = await server.createRoom({ type: 'tap-race', config: { target: 100 } });
    const client = clientFor(started.url, messages, false);
    const ada = await client.join(room.roomId, { name: 'ada' });
    const cat = await client.join(room.roomId, { name: 'cat', role: 'viewer' });
    expect(cat.role).toBe('viewer');
    const errors: SessionError[] = [];
    cat.onError((error) => errors.push(error));
    cat.ready();
    await until(() => errors.length === 1, 2000, 'refusal');
    expect(errors[0]).toMatchObject({ code: 'ROOM_FORBIDDEN' });

    // minPlayers is 2: ada alone being ready does not start the game.
    ada.ready();
    await until(() => room.view().phase === 'setup.readyCheck', 2000, 'ready check');
    const bob = await client.join(room.roomId, { name: 'bob' });
    bob.ready();
    await until(() => cat.room?.phase === 'running.iterating', 2000, 'viewer sees the game start');
  });
});
