/**
 * Seed 002's connection flow and streaming over real ws: auth.login -> auth.ok / auth.error,
 * session.join_system -> session.joined (with ship and spawn), then world.snapshot and
 * world.delta, exactly in the seed's shapes, to several players at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChartroomServer } from 'chartroom/server';
import { ENVELOPE_PROTOCOL_VERSION } from 'chartroom/protocols/json-envelope';
import { traderMessages } from '../../examples/space-trader/room.js';
import { connectRaw, requestTicket } from '../integration/raw-client.js';
import type { ErrorPayload, Frame } from '../integration/raw-client.js';
import { SYSTEM, dockAtHome, pilot, startSystem } from './support.js';

const keys = (value: unknown) => Object.keys(value as object).sort();

describe('space trader: session and streaming over ws', () => {
  let server: ChartroomServer | undefined;
  afterEach(async () => server?.close());

  it('answers auth.login with auth.ok, and a bad token with auth.error', async () => {
    const started = await startSystem();
    server = started.server;
    const ticket = await requestTicket(started.url, SYSTEM, { name: 'ada' });
    const raw = await connectRaw(started.url);
    const ok = await raw.login(ticket.token);
    expect(ok.type).toBe('auth.ok');
    expect(ok.payload).toEqual({ player_id: ticket.player_id, name: 'ada' });

    const intruder = await connectRaw(started.url);
    const refused = await intruder.login(`${ticket.token.slice(0, -4)}AAAA`);
    expect(refused.type).toBe('auth.error');
    expect(refused.payload).toMatchObject({ code: 'AUTH_INVALID_TOKEN' });
    raw.close();
  });

  it('refuses another protocol_version with a clear auth.error and closes', async () => {
    const started = await startSystem();
    server = started.server;
    const ticket = await requestTicket(started.url, SYSTEM);
    const raw = await connectRaw(started.url);
    raw.send('auth.login', { token: ticket.token, protocol_version: ENVELOPE_PROTOCOL_VERSION + 1 });
    const answer = await raw.next('auth.error');
    expect(answer.payload).toMatchObject({ code: 'PROTOCOL_VERSION_MISMATCH' });
    expect(String(answer.payload.message)).toContain(`expected ${ENVELOPE_PROTOCOL_VERSION}, received 2`);
    expect((await raw.closed).reason).toBe('PROTOCOL_VERSION_MISMATCH');
  });

  it('joins with session.joined carrying system_id, ship_id and spawn, then streams a snapshot and deltas', async () => {
    const started = await startSystem();
    server = started.server;
    const ada = await pilot(started.url, 'ada');
    const joined = ada.joined.payload;
    expect(joined.system_id).toBe(SYSTEM);
    expect(joined.ship_id).toMatch(/^s_\d+$/);
    expect(keys(joined.spawn)).toEqual(['rotation', 'x', 'y']);
    const ship = started.world().state.bySeat.get(joined.seat_id);
    expect(ship?.id).toBe(joined.ship_id);

    const snapshot = ada.raw.frames.find((f) => f.type === 'world.snapshot') as Frame;
    expect(keys(snapshot.payload)).toEqual(['entities', 'markets', 'tick', 'you', 'zones']);
    expect(traderMessages.server['world.snapshot'].safeParse(snapshot.payload).success).toBe(true);
    const you = snapshot.payload.you as Record<string, unknown>;
    expect(keys(you)).toEqual(['cargo', 'credits', 'docked_at', 'fuel', 'hull', 'ship_id']);
    expect(you).toMatchObject({ ship_id: joined.ship_id, credits: 5000, hull: 100, fuel: 100, cargo: [] });
    const own = (snapshot.payload.entities as Record<string, unknown>[]).find((e) => e.id === joined.ship_id);
    expect(keys(own)).toEqual(['hp', 'id', 'kind', 'r', 'vx', 'vy', 'x', 'y']);
    expect(own).toMatchObject({ kind: 'player_ship', x: joined.spawn.x, y: joined.spawn.y, hp: 100 });
    expect((snapshot.payload.zones as { zone_id: string }[]).map((z) => z.zone_id)).toContain(
      'z_earth_approach',
    );
    expect((snapshot.payload.markets as { station_id: string }[]).length).toBe(4);

    const delta = await ada.raw.next('world.delta');
    expect(delta.payload.tick).toBeGreaterThan(snapshot.payload.tick as number);
    expect(keys(delta.payload)).toEqual(
      expect.arrayContaining(['entity_removed', 'entity_updates', 'events', 'tick', 'you_zone_context']),
    );
    expect(delta.payload.you_zone_context).toMatchObject({ zone_ids: ['z_earth_approach'] });
    expect(traderMessages.server['world.delta'].safeParse(delta.payload).success).toBe(true);
    ada.raw.close();
  });

  it('streams several players each other’s ships, but each one only its own cargo and credits', async () => {
    const started = await startSystem();
    server = started.server;
    const pilots = await Promise.all(['ada', 'bob', 'cy', 'dee'].map((name) => pilot(started.url, name)));
    const ships = pilots.map((p) => p.joined.payload.ship_id);
    expect(new Set(ships).size).toBe(4);
    for (const p of pilots) {
      await p.until((m) => ships.every((id) => m.entities.has(id)), 'every ship in view');
      expect(p.mirror.sections.you?.ship_id).toBe(p.joined.payload.ship_id);
    }
    // Privacy: no frame to ada ever names another ship's credits or cargo.
    await dockAtHome(pilots[1]!);
    const seq = pilots[1]!.raw.send('trade.buy', {
      station_id: 'earth-orbit-station',
      commodity_id: 'food',
      quantity: 3,
    });
    expect((await pilots[1]!.answer(seq)).type).toBe('trade.result');
    await pilots[0]!.raw.next('world.delta');
    for (const frame of pilots[0]!.raw.frames) {
      const you = (frame.payload as { you?: { ship_id: string } }).you;
      if (you) expect(you.ship_id).toBe(ships[0]);
    }
    for (const p of pilots) p.raw.close();
  });

  it('ignores a stale seq: the trade it carries never happens', async () => {
    const started = await startSystem();
    server = started.server;
    const ada = await pilot(started.url, 'ada');
    await dockAtHome(ada);
    const last = ada.raw.seq;
    ada.raw.send('trade.buy', { station_id: 'earth-orbit-station', commodity_id: 'food', quantity: 1 }, last);
    const error = await ada.raw.next<ErrorPayload>('error');
    expect(error.payload).toMatchObject({ code: 'PROTOCOL_STALE_SEQ', ref_seq: last });
    const ship = started.world().state.bySeat.get(ada.joined.payload.seat_id);
    expect(ship?.credits).toBe(5000);
    expect(ship?.cargo.size).toBe(0);
    ada.raw.close();
  });

  it('sends a returning player a fresh snapshot after a dropped connection', async () => {
    const started = await startSystem();
    server = started.server;
    const ada = await pilot(started.url, 'ada');
    const token = ada.joined.payload.resume_token;
    ada.raw.ws.terminate();
    await ada.raw.closed;
    const again = await connectRaw(started.url);
    const joined = await again.resume(token);
    expect(joined.type).toBe('session.joined');
    expect(joined.payload).toMatchObject({ system_id: SYSTEM, ship_id: ada.joined.payload.ship_id });
    const snapshot = await again.next('world.snapshot');
    expect((snapshot.payload.you as { ship_id: string }).ship_id).toBe(ada.joined.payload.ship_id);
    const firstWorld = again.frames.findIndex((f) => f.type.startsWith('world.'));
    expect(again.frames[firstWorld]?.type).toBe('world.snapshot');
    again.close();
  });
});
