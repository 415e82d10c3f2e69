/**
 * input.command over real ws: the server flies the ship, clamps out-of-range values, never
 * reads a client's idea of its position, hp or cargo, docks on request, enforces the fire
 * cooldown and the input rate limit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChartroomServer } from 'chartroom/server';
import type { WorldEvent } from '../../examples/space-trader/messages.js';
import type { ErrorPayload } from '../integration/raw-client.js';
import { dockAtHome, framesOf, pilot, place, startSystem } from './support.js';

type Delta = { tick: number; events: WorldEvent[] };

describe('space trader: flight over ws', () => {
  let server: ChartroomServer | undefined;
  afterEach(async () => server?.close());

  const flying = async () => {
    const started = await startSystem();
    server = started.server;
    const p = await pilot(started.url, 'ada');
    const ship = () => started.world().state.ships.get(p.joined.payload.ship_id)!;
    return { started, p, ship };
  };

  it('simulates the flight on the server from thrust and turn', async () => {
    const { p, ship } = await flying();
    const { x, y } = p.joined.payload.spawn;
    p.command({ thrust: 1, turn: 0.2 });
    await p.until((m) => {
      const me = m.entities.get(p.joined.payload.ship_id);
      return me !== undefined && Math.hypot(me.x - x, me.y - y) > 60;
    }, 'the ship to move');
    expect(ship().fuel).toBeLessThan(100);
    expect(Math.hypot(ship().vx, ship().vy)).toBeGreaterThan(0);
  });

  it('clamps out-of-range thrust and turn instead of refusing them', async () => {
    const { p, ship } = await flying();
    p.command({ thrust: 5, turn: -7 });
    await p.until(() => ship().input.thrust === 1, 'the input to land');
    expect(ship().input).toEqual({ thrust: 1, turn: -1, fire_primary: false, dock_request: false });
    p.command({ thrust: -3, turn: 2.5 });
    await p.until(() => ship().input.thrust === 0, 'the second input');
    expect(ship().input.turn).toBe(1);
    expect(framesOf(p, 'error')).toEqual([]);
  });

  it('never trusts a client’s position, hp, credits or cargo', async () => {
    const { p, ship } = await flying();
    const cheat = {
      x: 9000,
      y: 9000,
      hp: 999,
      credits: 1e9,
      cargo: [{ commodity_id: 'medicine', qty: 500 }],
    };
    p.raw.send('input.command', { thrust: 0, turn: 0, fire_primary: false, dock_request: false, ...cheat });
    p.raw.send('ship.teleport', cheat);
    const error = await p.raw.next<ErrorPayload>('error');
    expect(error.payload).toMatchObject({ code: 'PROTOCOL_UNKNOWN_TYPE', ref_type: 'ship.teleport' });
    await p.raw.next('world.delta');
    expect(Math.hypot(ship().x - p.joined.payload.spawn.x, ship().y - p.joined.payload.spawn.y)).toBeLessThan(
      1,
    );
    expect([ship().hp, ship().credits, ship().cargo.size]).toEqual([100, 5000, 0]);
  });

  it('docks on request within range, launches on thrust, and says why it will not dock far away', async () => {
    const { started, p, ship } = await flying();
    await dockAtHome(p);
    expect(ship().dockedAt).toBe('earth-orbit-station');
    const docked = framesOf<Delta>(p, 'world.delta').flatMap((f) => f.payload.events);
    expect(docked).toContainEqual({ kind: 'docked', ship_id: ship().id, station_id: 'earth-orbit-station' });
    p.command({ thrust: 1 });
    await p.until((m) => m.sections.you?.docked_at === null, 'launch');
    p.command({ thrust: 0 });
    place(started.world(), ship().id, 5000, 5000);
    p.command({ dock_request: true });
    await p.until(
      () =>
        framesOf<Delta>(p, 'world.delta').some((f) => f.payload.events.some((e) => e.kind === 'dock_denied')),
      'a dock_denied event',
    );
    const denied = framesOf<Delta>(p, 'world.delta')
      .flatMap((f) => f.payload.events)
      .find((e) => e.kind === 'dock_denied');
    expect(denied).toEqual({ kind: 'dock_denied', ship_id: ship().id, reason: 'too_far' });
    expect(ship().dockedAt).toBeUndefined();
  });

  it('enforces the fire cooldown: holding the trigger fires every 400 ms, not every tick', async () => {
    const { p, ship } = await flying();
    p.command({ fire_primary: true });
    const fired = () =>
      framesOf<Delta>(p, 'world.delta').flatMap((f) =>
        f.payload.events
          .filter((e) => e.kind === 'projectile_fired' && e.source_id === ship().id)
          .map(() => f.payload.tick),
      );
    await p.until(() => fired().length >= 1, 'a first shot');
    const first = fired()[0]!;
    await p.until((m) => m.tick >= first + 40, '40 more ticks');
    p.command({ fire_primary: false });
    // Every 8 ticks (400 ms at 20 Hz): 5 shots in 40 ticks. An event of a snapshot tick rides the
    // next delta, so a shot may show one tick late (exact timing: the world-level test).
    const shots = fired().filter((tick) => tick < first + 40);
    expect(shots.length).toBeGreaterThanOrEqual(4);
    expect(shots.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < shots.length; i++) expect(shots[i]! - shots[i - 1]!).toBeGreaterThanOrEqual(7);
  });

  it('drops input spam beyond the rate limit and says so once', async () => {
    const { p } = await flying();
    for (let i = 0; i < 100; i++) p.command({ thrust: (i % 10) / 10 });
    const error = await p.raw.next<ErrorPayload>('error');
    expect(error.payload).toMatchObject({ code: 'SYNC_RATE_LIMITED', ref_type: 'input.command' });
    await p.raw.next('world.delta');
    expect(framesOf(p, 'error')).toHaveLength(1);
  });
});
