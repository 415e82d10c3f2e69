/**
 * The space-trader world on its own, tick by tick: exact cooldowns, bounties, invulnerable
 * docked ships, fuel, markets, zones, pirates' respawn, bounds and interest management.
 */
import { describe, expect, it } from 'vitest';
import { createSilentLogger } from 'chartroom';
import { damage } from '../../examples/space-trader/combat.js';
import { PIRATE, VIEW_RADIUS } from '../../examples/space-trader/data.js';
import { Markets } from '../../examples/space-trader/market.js';
import { defaultTraderConfig } from '../../examples/space-trader/messages.js';
import type { CombatEvent, TraderConfig } from '../../examples/space-trader/messages.js';
import type { TraderInit } from '../../examples/space-trader/state.js';
import { createSpaceWorld } from '../../examples/space-trader/world.js';
import { pvpAllowedAt, zoneContextAt } from '../../examples/space-trader/zones.js';

function harness(config: Partial<TraderConfig> = {}) {
  const sent: { seatId: string; type: string; payload: unknown }[] = [];
  let tick = 0;
  const init: TraderInit = {
    roomId: 'sol-test',
    seed: 3,
    config: { ...defaultTraderConfig, pirates: 0, ...config },
    tickMs: 50,
    now: () => tick * 50,
    logger: createSilentLogger(),
    send: (seatId, type, payload) => void sent.push({ seatId, type, payload }),
    broadcast: () => undefined,
  };
  const world = createSpaceWorld(init);
  const join = (seatId: string) => {
    world.join({ seatId, userId: `u-${seatId}`, name: seatId });
    return world.state.bySeat.get(seatId)!;
  };
  const run = (n: number, each?: (tick: number) => void) => {
    for (let i = 0; i < n; i++) {
      world.tick(++tick);
      each?.(tick);
    }
  };
  const combat = (seatId: string) =>
    sent.filter((m) => m.seatId === seatId && m.type === 'combat.event').map((m) => m.payload as CombatEvent);
  return { world, state: world.state, join, run, combat };
}

const idle = { thrust: 0, turn: 0, fire_primary: false, dock_request: false };

describe('space-trader world', () => {
  it('fires exactly every 400 ms (8 ticks) while the trigger is held', () => {
    const { state, join, run } = harness();
    const ship = join('p1');
    ship.input = { ...idle, fire_primary: true };
    const shots: number[] = [];
    run(40, (tick) => {
      if (state.events.some((e) => e.event.kind === 'projectile_fired')) shots.push(tick);
    });
    expect(shots).toEqual([1, 9, 17, 25, 33]);
  });

  it('pays a bounty for a pirate and tells the shooter', () => {
    const { state, join, combat } = harness({ pirates: 1 });
    const ship = join('p1');
    const pirate = [...state.ships.values()].find((s) => s.kind === 'pirate')!;
    damage(state, ship.id, pirate, PIRATE.hp);
    expect(pirate.alive).toBe(false);
    expect(ship.credits).toBe(5000 + 150);
    expect(combat('p1').map((e) => e.kind)).toEqual(['hit', 'destroyed']);
  });

  it('never hits a docked ship', () => {
    const { join, run } = harness();
    const target = join('p1');
    const shooter = join('p2');
    Object.assign(target, { x: 1200, y: 400, dockedAt: 'earth-orbit-station' });
    Object.assign(shooter, { x: 1000, y: 400, r: 0, vx: 0, vy: 0, input: { ...idle, fire_primary: true } });
    run(20);
    expect(target.hp).toBe(100);
  });

  it('gives no thrust on an empty tank', () => {
    const { join, run } = harness();
    const ship = join('p1');
    Object.assign(ship, { fuel: 0, input: { ...idle, thrust: 1 } });
    run(10);
    expect([ship.vx, ship.vy]).toEqual([0, 0]);
  });

  it('keeps ships inside the system', () => {
    const { join, run } = harness();
    const ship = join('p1');
    Object.assign(ship, { x: 10, y: 10, r: Math.PI, input: { ...idle, thrust: 1 } });
    run(20);
    expect(ship.x).toBeGreaterThanOrEqual(0);
    expect(ship.vx).toBe(0);
  });

  it('makes bought goods dearer and sold goods cheaper, and lets stocks recover', () => {
    const markets = new Markets();
    const base = markets.quote('earth-orbit-station', 'food')!;
    markets.moveStock('earth-orbit-station', 'food', -150);
    const scarce = markets.quote('earth-orbit-station', 'food')!;
    expect(scarce.buy).toBeGreaterThan(base.buy);
    for (let i = 0; i < 60; i++) markets.recover();
    expect(markets.quote('earth-orbit-station', 'food')).toEqual(base);
    markets.moveStock('earth-orbit-station', 'food', 400);
    expect(markets.quote('earth-orbit-station', 'food')!.sell).toBeLessThan(base.sell);
    // Never a free lunch at one station: what it pays is below what it asks.
    for (const market of markets.view()) for (const p of market.prices) expect(p.sell).toBeLessThan(p.buy);
  });

  it('blends the zone context by depth, and forbids PvP only where a zone says so', () => {
    const center = zoneContextAt(1200, 400);
    expect(center.zone_ids).toEqual(['z_earth_approach']);
    expect(center.blended_risk).toBeGreaterThan(0.3);
    expect(center.blended_risk).toBeLessThan(0.72);
    expect(zoneContextAt(9500, 1000)).toEqual({
      zone_ids: [],
      blended_risk: 0.3,
      blended_security: 0.2,
      blended_profit_multiplier: 1,
    });
    expect(pvpAllowedAt(1200, 400)).toBe(true);
    expect(pvpAllowedAt(4200, 2600)).toBe(false);
  });

  it('brings a destroyed pirate back in its lair after its respawn time', () => {
    const { state, run } = harness({ pirates: 1 });
    const pirate = [...state.ships.values()].find((s) => s.kind === 'pirate')!;
    damage(state, 'test', pirate, PIRATE.hp);
    run(PIRATE.respawnMs / 50 - 1);
    expect(pirate.alive).toBe(false);
    run(1);
    expect(pirate.alive).toBe(true);
    expect(pirate.hp).toBe(PIRATE.hp);
    expect(Math.hypot(pirate.x - pirate.home!.x, pirate.y - pirate.home!.y)).toBeLessThan(
      pirate.home!.radius,
    );
  });

  it('shows a player what is within its view radius only, and only its own `you`', () => {
    const { world, join, run } = harness();
    const near = join('p1');
    const far = join('p2');
    Object.assign(far, { x: near.x + VIEW_RADIUS + 500, y: near.y });
    run(1);
    const view = world.view('p1', 'player');
    const ids = [...view.entities].map((e) => e.id);
    expect(ids).toContain(near.id);
    expect(ids).not.toContain(far.id);
    expect(view.sections?.you?.ship_id).toBe(near.id);
    const watcher = world.view('v9', 'viewer');
    expect([...watcher.entities].map((e) => e.id)).toEqual(expect.arrayContaining([near.id, far.id]));
    expect(watcher.sections?.you).toBeUndefined();
  });
});
