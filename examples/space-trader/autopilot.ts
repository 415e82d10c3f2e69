import { DOCKING, SHIP } from './data.js';
import type { Entity, InputCommand, Market } from './messages.js';

/**
 * Piloting helpers for the headless bot: steer the velocity vector toward a point, aim at a
 * target, and pick profitable trades from the markets a client sees. Pure functions.
 */

const wrap = (a: number) => Math.atan2(Math.sin(a), Math.cos(a));
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Fly to (x, y) and arrive slowly: the wanted velocity points at the goal with a speed that
 * falls with distance; the ship turns toward the velocity error and thrusts once facing it.
 */
export function flyTo(ship: Entity, x: number, y: number): InputCommand {
  const dx = x - ship.x;
  const dy = y - ship.y;
  const distance = Math.hypot(dx, dy);
  const speed = Math.min(SHIP.maxSpeed, distance * 0.6);
  const ex = (distance > 0 ? (dx / distance) * speed : 0) - (ship.vx ?? 0);
  const ey = (distance > 0 ? (dy / distance) * speed : 0) - (ship.vy ?? 0);
  const error = Math.hypot(ex, ey);
  const off = wrap(Math.atan2(ey, ex) - (ship.r ?? 0));
  return {
    thrust: error < 10 ? 0 : Math.abs(off) < 0.4 ? clamp(error / 120, 0.2, 1) : 0,
    turn: clamp(off * 2.5, -1, 1),
    fire_primary: false,
    dock_request: false,
  };
}

/** Close enough and slow enough to dock. */
export function canDock(ship: Entity, x: number, y: number): boolean {
  const speed = Math.hypot(ship.vx ?? 0, ship.vy ?? 0);
  return Math.hypot(x - ship.x, y - ship.y) < DOCKING.range * 0.8 && speed < DOCKING.maxSpeed * 0.8;
}

/** Face a target and fire once aligned and in range. */
export function attack(ship: Entity, target: Entity): InputCommand {
  const distance = Math.hypot(target.x - ship.x, target.y - ship.y);
  const off = wrap(Math.atan2(target.y - ship.y, target.x - ship.x) - (ship.r ?? 0));
  return {
    thrust: distance > 450 && Math.abs(off) < 0.5 ? 0.6 : 0,
    turn: clamp(off * 3, -1, 1),
    fire_primary: Math.abs(off) < 0.15 && distance < 700,
    dock_request: false,
  };
}

export interface TradePlan {
  readonly commodity: string;
  readonly buyAt: string;
  readonly sellAt: string;
  readonly margin: number;
}

/** The best trade starting from `station`: buy here, sell where the price is highest. */
export function bestTrade(markets: readonly Market[], station: string): TradePlan | undefined {
  const here = markets.find((m) => m.station_id === station);
  let best: TradePlan | undefined;
  for (const price of here?.prices ?? []) {
    for (const market of markets) {
      if (market.station_id === station) continue;
      const sell = market.prices.find((p) => p.commodity_id === price.commodity_id)?.sell;
      if (sell === undefined) continue;
      const margin = sell - price.buy;
      if (margin > 0 && (!best || margin > best.margin)) {
        best = { commodity: price.commodity_id, buyAt: station, sellAt: market.station_id, margin };
      }
    }
  }
  return best;
}

/** Where a commodity sells best (the station's id), if anywhere. */
export function bestOutlet(markets: readonly Market[], commodity: string): string | undefined {
  let best: { station: string; sell: number } | undefined;
  for (const market of markets) {
    const sell = market.prices.find((p) => p.commodity_id === commodity)?.sell;
    if (sell !== undefined && (!best || sell > best.sell)) best = { station: market.station_id, sell };
  }
  return best?.station;
}
