import { DOCKING, HOME_STATION, PIRATE, SHIP, STATIONS, WORLD_SIZE } from './data.js';
import type { Station } from './data.js';
import type { Entity, WorldEvent, You } from './messages.js';
import { idleInput, wrapAngle } from './state.js';
import type { Ship, WorldState } from './state.js';
import { zoneContextAt } from './zones.js';

export const stationById = new Map(STATIONS.map((station) => [station.id, station]));

/** A new player ship near the home station, facing away from it, ready to dock. */
export function createPlayerShip(state: WorldState, seatId: string): Ship {
  const home = stationById.get(HOME_STATION) as Station;
  const angle = state.random() * 2 * Math.PI;
  const distance = 60 + state.random() * 80;
  const x = home.x + Math.cos(angle) * distance;
  const y = home.y + Math.sin(angle) * distance;
  return {
    id: `s_${state.nextId++}`,
    kind: 'player_ship',
    seatId,
    x,
    y,
    vx: 0,
    vy: 0,
    r: wrapAngle(angle),
    hp: SHIP.hull,
    fuel: SHIP.fuel,
    credits: state.config.startCredits,
    cargo: new Map(),
    input: idleInput,
    dockHeld: false,
    dockedAt: undefined,
    alive: true,
    respawnAt: 0,
    fireReadyAt: 0,
    actionReadyAt: 0,
    entity: undefined,
    context: zoneContextAt(x, y),
    home: undefined,
    targetId: undefined,
    waypoint: undefined,
  };
}

const event = (state: WorldState, ship: Ship, e: WorldEvent) =>
  state.events.push({ event: e, x: ship.x, y: ship.y });

/** Move one ship a tick under its input: turn, thrust (fuel permitting), drag, speed cap, bounds. */
export function fly(state: WorldState, ship: Ship): void {
  const { dt } = state;
  if (ship.dockedAt) {
    ship.fuel = Math.min(SHIP.fuel, ship.fuel + SHIP.refuelPerSecond * dt);
    if (ship.input.thrust <= DOCKING.launchThrust) return;
    event(state, ship, { kind: 'undocked', ship_id: ship.id, station_id: ship.dockedAt });
    ship.dockedAt = undefined;
  }
  const pirate = ship.kind === 'pirate';
  const thrust = pirate || ship.fuel > 0 ? ship.input.thrust : 0;
  ship.r = wrapAngle(ship.r + ship.input.turn * SHIP.turnRate * dt);
  ship.vx += Math.cos(ship.r) * SHIP.accel * thrust * dt;
  ship.vy += Math.sin(ship.r) * SHIP.accel * thrust * dt;
  if (!pirate) ship.fuel = Math.max(0, ship.fuel - thrust * SHIP.fuelPerSecond * dt);
  const keep = 1 - SHIP.drag * dt;
  ship.vx *= keep;
  ship.vy *= keep;
  const max = SHIP.maxSpeed * (pirate ? PIRATE.speedFactor : 1);
  const speed = Math.hypot(ship.vx, ship.vy);
  if (speed > max) {
    ship.vx *= max / speed;
    ship.vy *= max / speed;
  }
  ship.x += ship.vx * dt;
  ship.y += ship.vy * dt;
  if (ship.x < 0 || ship.x > WORLD_SIZE) {
    ship.x = Math.min(WORLD_SIZE, Math.max(0, ship.x));
    ship.vx = 0;
  }
  if (ship.y < 0 || ship.y > WORLD_SIZE) {
    ship.y = Math.min(WORLD_SIZE, Math.max(0, ship.y));
    ship.vy = 0;
  }
}

/** The nearest station and its distance. */
export function nearestStation(x: number, y: number): { station: Station; distance: number } {
  let best = { station: STATIONS[0] as Station, distance: Infinity };
  for (const station of STATIONS) {
    const distance = Math.hypot(station.x - x, station.y - y);
    if (distance < best.distance) best = { station, distance };
  }
  return best;
}

/** A dock request acts once per press (rising edge): dock at a station in range, or say why not. */
export function handleDockRequest(state: WorldState, ship: Ship): void {
  const pressed = ship.input.dock_request && !ship.dockHeld;
  ship.dockHeld = ship.input.dock_request;
  if (!pressed || ship.dockedAt) return;
  const deny = (reason: 'too_far' | 'too_fast' | 'destroyed'): void => {
    state.events.push({
      event: { kind: 'dock_denied', ship_id: ship.id, reason },
      x: ship.x,
      y: ship.y,
      ...(ship.seatId ? { seatId: ship.seatId } : {}),
    });
  };
  if (!ship.alive) return deny('destroyed');
  const { station, distance } = nearestStation(ship.x, ship.y);
  if (distance > DOCKING.range) return deny('too_far');
  if (Math.hypot(ship.vx, ship.vy) > DOCKING.maxSpeed) return deny('too_fast');
  ship.dockedAt = station.id;
  ship.x = station.x;
  ship.y = station.y;
  ship.vx = 0;
  ship.vy = 0;
  event(state, ship, { kind: 'docked', ship_id: ship.id, station_id: station.id });
}

/** Refresh the ship's entity, keeping the same object while nothing visible changed. */
export function refreshShipEntity(ship: Ship): Entity {
  const x = Math.round(ship.x);
  const y = Math.round(ship.y);
  const vx = Math.round(ship.vx);
  const vy = Math.round(ship.vy);
  const r = Math.round(ship.r * 100) / 100;
  const hp = Math.round(ship.hp);
  const e = ship.entity;
  if (e && e.x === x && e.y === y && e.vx === vx && e.vy === vy && e.r === r && e.hp === hp) return e;
  ship.entity = { id: ship.id, kind: ship.kind, x, y, vx, vy, r, hp };
  return ship.entity;
}

/** The `you` section: what only the ship's owner sees. */
export function youOf(ship: Ship): You {
  return {
    ship_id: ship.id,
    credits: ship.credits,
    hull: Math.round(ship.hp),
    fuel: Math.round(ship.fuel * 10) / 10,
    cargo: [...ship.cargo].map(([commodity_id, qty]) => ({ commodity_id, qty })),
    docked_at: ship.dockedAt ?? null,
  };
}

/** Units of cargo a ship carries. */
export const cargoUnits = (ship: Ship): number => {
  let units = 0;
  for (const qty of ship.cargo.values()) units += qty;
  return units;
};
