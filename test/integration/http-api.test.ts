import type { ChartroomServer } from 'chartroom/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tapRace } from '../../examples/tap-race/room.js';
import { startServer } from '../support/server.js';
import { connectRaw } from './raw-client.js';

const adminSecret = 'test-admin-secret-0123456789';

interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

describe('HTTP API', () => {
  let server: ChartroomServer;
  let url: string;
  beforeEach(async () => {
    const started = await startServer([tapRace], {
      adminSecret,
      pageFor: (type, roomId) => (type === 'tap-race' ? `/play/${type}.html?room=${roomId}` : undefined),
    });
    server = started.server;
    url = started.url;
  });
  afterEach(async () => server.close());

  /** `secret: null` sends no Authorization header. */
  const createRoom = (body: unknown, secret: string | null = adminSecret) =>
    fetch(`${url}/rooms`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(secret !== null ? { authorization: `Bearer ${secret}` } : {}),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const errorOf = async (response: Response) => ((await response.json()) as ErrorBody).error;

  it('GET /health reports status, node id and counts', async () => {
    await server.createRoom({ type: 'tap-race' });
    const raw = await connectRaw(url);
    try {
      const response = await fetch(`${url}/health`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ status: 'ok', node_id: server.nodeId, rooms: 1, connections: 1 });
      expect(body.uptime_ms).toEqual(expect.any(Number));
    } finally {
      raw.ws.terminate();
    }
  });

  it('POST /rooms with the bearer secret creates a room (201) that GET /rooms lists', async () => {
    const response = await createRoom({ type: 'tap-race', seed: 42, config: { target: 7 } });
    expect(response.status).toBe(201);
    const created = (await response.json()) as Record<string, unknown>;
    expect(created).toMatchObject({ type: 'tap-race', seed: 42 });
    const roomId = created.room_id as string;
    expect(roomId).toMatch(/^[a-z2-9]{10}$/);
    expect(created.join_url).toBe(`${url}/rooms/${roomId}/join`);
    expect(created.info_url).toBe(`${url}/rooms/${roomId}`);
    expect(created.page_url).toBe(`${url}/join?game_id=${roomId}`);
    expect(created.endpoints).toEqual({ 'json-envelope': `${url.replace('http', 'ws')}/ws/json-envelope` });
    expect(server.room(roomId)?.view().config).toEqual({ target: 7 });

    const list = await fetch(`${url}/rooms`);
    expect(list.status).toBe(200);
    const { rooms } = (await list.json()) as { rooms: Record<string, unknown>[] };
    expect(rooms).toHaveLength(1);
    expect(rooms[0]).toMatchObject({
      roomId,
      type: 'tap-race',
      nodeId: server.nodeId,
      nodeUrl: url,
      phase: 'setup.open',
      players: 0,
      viewers: 0,
      capacity: 4,
    });
  });

  it('POST /rooms accepts room options in the body', async () => {
    const response = await createRoom({ type: 'tap-race', options: { capacity: 2, lateJoin: 'refuse' } });
    expect(response.status).toBe(201);
    const { room_id } = (await response.json()) as { room_id: string };
    expect(server.room(room_id)?.actor.getSnapshot().context.options).toMatchObject({
      capacity: 2,
      lateJoin: 'refuse',
      minPlayers: 2,
    });
  });

  it('POST /rooms without or with a wrong bearer secret is 401 HTTP_UNAUTHORIZED and creates nothing', async () => {
    for (const secret of [null, 'wrong', `${adminSecret}x`, adminSecret.slice(0, -1) + 'X', '']) {
      const response = await createRoom({ type: 'tap-race' }, secret);
      expect(response.status).toBe(401);
      expect((await errorOf(response)).code).toBe('HTTP_UNAUTHORIZED');
    }
    expect(server.rooms()).toHaveLength(0);
  });

  it.each([
    { what: 'a body that is not JSON', body: '{"type":', status: 400, code: 'HTTP_BAD_REQUEST' },
    { what: 'a body without type', body: {}, status: 400, code: 'HTTP_BAD_REQUEST' },
    { what: 'a mistyped seed', body: { type: 'tap-race', seed: 'x' }, status: 400, code: 'HTTP_BAD_REQUEST' },
    {
      what: 'out-of-range options',
      body: { type: 'tap-race', options: { capacity: 0 } },
      status: 400,
      code: 'HTTP_BAD_REQUEST',
    },
    { what: 'an unknown room type', body: { type: 'chess' }, status: 400, code: 'ROOM_UNKNOWN_TYPE' },
    {
      what: 'a config the room type refuses',
      body: { type: 'tap-race', config: { target: 0 } },
      status: 400,
      code: 'ROOM_INVALID_CONFIG',
    },
    {
      what: 'minPlayers above capacity',
      body: { type: 'tap-race', options: { capacity: 1 } },
      status: 400,
      code: 'ROOM_INVALID_CONFIG',
    },
  ])('POST /rooms with $what is $status $code', async ({ body, status, code }) => {
    const response = await createRoom(body);
    expect(response.status).toBe(status);
    expect(await errorOf(response)).toMatchObject({ code, message: expect.any(String) });
    expect(server.rooms()).toHaveLength(0);
  });

  it('POST /rooms with a body over maxHttpBodyBytes is 413 HTTP_BODY_TOO_LARGE', async () => {
    const response = await createRoom({ type: 'tap-race', config: { pad: 'x'.repeat(70_000) } });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('HTTP_BODY_TOO_LARGE');
  });

  it('GET /rooms/:id gives the room view and endpoints; an unknown id is 404 ROOM_NOT_FOUND', async () => {
    const room = await server.createRoom({ type: 'tap-race', seed: 5 });
    const response = await fetch(`${url}/rooms/${room.roomId}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      room: { roomId: room.roomId, type: 'tap-race', seed: 5, phase: 'setup.open', seats: [] },
      node_url: url,
      endpoints: { 'json-envelope': expect.stringMatching(/\/ws\/json-envelope$/) },
    });

    const missing = await fetch(`${url}/rooms/nosuchroom`);
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('ROOM_NOT_FOUND');
  });

  it('POST /rooms/:id/join issues a ticket; bad bodies are 400, unknown rooms 404', async () => {
    const room = await server.createRoom({ type: 'tap-race' });
    const response = await fetch(`${url}/rooms/${room.roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '  ada  ' }),
    });
    expect(response.status).toBe(200);
    const ticket = (await response.json()) as Record<string, unknown>;
    expect(ticket).toMatchObject({ name: 'ada', room_id: room.roomId, player_id: expect.any(String) });
    expect(ticket.token).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(ticket.expires_at).toBeGreaterThan(Date.now());

    // No body at all: a guest name.
    const guest = await fetch(`${url}/rooms/${room.roomId}/join`, { method: 'POST' });
    expect(guest.status).toBe(200);
    expect(((await guest.json()) as { name: string }).name).toMatch(/^guest-/);

    const tooLong = await fetch(`${url}/rooms/${room.roomId}/join`, {
      method: 'POST',
      body: JSON.stringify({ name: 'x'.repeat(33) }),
    });
    expect(tooLong.status).toBe(400);
    expect((await errorOf(tooLong)).code).toBe('HTTP_BAD_REQUEST');

    const badRole = await fetch(`${url}/rooms/${room.roomId}/join`, {
      method: 'POST',
      body: JSON.stringify({ role: 'referee' }),
    });
    expect(badRole.status).toBe(400);

    const missing = await fetch(`${url}/rooms/nosuchroom/join`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('ROOM_NOT_FOUND');
  });

  it('GET /join?game_id= redirects to the page of the room type, or answers 400/404', async () => {
    const room = await server.createRoom({ type: 'tap-race' });
    const page = await fetch(`${url}/join?game_id=${room.roomId}`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe(`/play/tap-race.html?room=${room.roomId}`);

    const noId = await fetch(`${url}/join`);
    expect(noId.status).toBe(400);
    expect((await errorOf(noId)).code).toBe('HTTP_BAD_REQUEST');

    const missing = await fetch(`${url}/join?game_id=nosuchroom`);
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('ROOM_NOT_FOUND');
  });

  it('GET /join?game_id= answers with the room info when no page is configured', async () => {
    const { server: plain, url: plainUrl } = await startServer([tapRace]);
    try {
      const room = await plain.createRoom({ type: 'tap-race' });
      const response = await fetch(`${plainUrl}/join?game_id=${room.roomId}`, { redirect: 'manual' });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ room: { roomId: room.roomId, type: 'tap-race' } });
    } finally {
      await plain.close();
    }
  });

  it('unknown routes are 404 HTTP_NOT_FOUND; wrong methods 405 HTTP_METHOD_NOT_ALLOWED', async () => {
    const nowhere = await fetch(`${url}/nowhere`);
    expect(nowhere.status).toBe(404);
    expect((await errorOf(nowhere)).code).toBe('HTTP_NOT_FOUND');

    const deep = await fetch(`${url}/rooms/a/b/c`);
    expect(deep.status).toBe(404);

    const del = await fetch(`${url}/rooms`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect((await errorOf(del)).code).toBe('HTTP_METHOD_NOT_ALLOWED');

    const getJoin = await fetch(`${url}/rooms/abc/join`);
    expect(getJoin.status).toBe(405);
  });

  it('answers CORS preflights with 204', async () => {
    const response = await fetch(`${url}/rooms`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('refuses a WebSocket upgrade on an unknown path', async () => {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/nope`);
    const failure = await new Promise<string>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('error', (error) => resolve(error.message));
    });
    expect(failure).toMatch(/404/);
  });
});
