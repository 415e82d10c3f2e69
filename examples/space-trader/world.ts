import type { StateWorld } from 'chartroom/sync/state';
import { repair, trade } from './actions.js';
import { moveProjectiles, respawnDue, tryFire } from './combat.js';
import { STATIONS, TRADE, VIEW_RADIUS, ZONES } from './data.js';
import type { Entity, InputCommand, WorldEvent, inputs, sections, serverMessages } from './messages.js';
import { pirateThink, spawnPirates } from './pirates.js';
import { createPlayerShip, fly, handleDockRequest, refreshShipEntity, youOf } from './ships.js';
import { clamp, createState, idleInput } from './state.js';
import type { TraderInit, WorldState } from './state.js';
import { sameContext, zoneContextAt } from './zones.js';

export type SpaceWorld = StateWorld<
  typeof inputs,
  Entity,
  typeof sections,
  WorldEvent,
  typeof serverMessages
> & {
  /** The world's state, for tests and tools (read it, do not write it). */
  readonly state: WorldState;
};

const stationEntities: readonly Entity[] = STATIONS.map((s) => ({
  id: s.id,
  kind: 'station',
  x: s.x,
  y: s.y,
}));
const zonesView = ZONES.map((zone) => ({ ...zone, center: { ...zone.center } }));

/** Seed 002: "clamp out-of-range input values" (never refuse them). */
export const clampInput = (input: InputCommand): InputCommand => ({
  thrust: clamp(input.thrust, 0, 1),
  turn: clamp(input.turn, -1, 1),
  fire_primary: input.fire_primary,
  dock_request: input.dock_request,
});

/** One tick: respawns, pirate minds, flight, docking, fire, projectiles, markets, then views. */
function step(state: WorldState, tick: number): void {
  state.time = tick * state.init.tickMs;
  state.events = [];
  respawnDue(state);
  const rebuildTargets = () => {
    state.targets.clear();
    for (const ship of state.ships.values()) if (ship.alive && !ship.dockedAt) state.targets.insert(ship);
  };
  rebuildTargets();
  for (const ship of state.ships.values()) if (ship.kind === 'pirate') pirateThink(state, ship);
  for (const ship of state.ships.values()) {
    if (!ship.alive) continue;
    if (ship.kind === 'player_ship') handleDockRequest(state, ship);
    fly(state, ship);
    tryFire(state, ship);
  }
  rebuildTargets();
  moveProjectiles(state);
  if (tick % TRADE.recoveryEveryTicks === 0) state.markets.recover();
  state.bodies.clear();
  for (const ship of state.ships.values()) {
    if (!ship.alive) continue;
    refreshShipEntity(ship);
    if (ship.kind === 'player_ship') {
      const context = zoneContextAt(ship.x, ship.y);
      if (!sameContext(context, ship.context)) ship.context = context;
    }
    state.bodies.insert(ship);
  }
  for (const projectile of state.projectiles.values()) {
    // Ballistic: sent once, where it is at the end of its first tick; clients extrapolate.
    projectile.entity ??= {
      id: projectile.id,
      kind: 'projectile',
      x: Math.round(projectile.x),
      y: Math.round(projectile.y),
      vx: Math.round(projectile.vx),
      vy: Math.round(projectile.vy),
      t: tick,
    };
    state.bodies.insert(projectile);
  }
}

/**
 * The space-trading world of seed 002, server-authoritative: ships fly on the server from the
 * clients' clamped inputs, and everything a client holds (position, hull, cargo, credits) is
 * what the server says.
 */
export function createSpaceWorld(init: TraderInit): SpaceWorld {
  const state = createState(init);
  spawnPirates(state);

  return {
    state,
    join(seat) {
      if (state.bySeat.has(seat.seatId)) return;
      const ship = createPlayerShip(state, seat.seatId);
      state.ships.set(ship.id, ship);
      state.bySeat.set(seat.seatId, ship);
      refreshShipEntity(ship);
      state.bodies.insert(ship);
    },
    leave(seatId) {
      const ship = state.bySeat.get(seatId);
      state.bySeat.delete(seatId);
      if (!ship) return;
      state.ships.delete(ship.id);
      // Out of every view at once, even one taken before the next tick rebuilds the grids.
      ship.alive = false;
      ship.entity = undefined;
    },
    disconnected(seatId) {
      const ship = state.bySeat.get(seatId);
      if (ship) ship.input = idleInput;
    },
    input(seatId, input, request) {
      const ship = state.bySeat.get(seatId);
      switch (input.type) {
        case 'input.command':
          if (ship) ship.input = clampInput(input.payload);
          return;
        case 'trade.buy':
          return trade(state, ship, 'buy', input.payload, request);
        case 'trade.sell':
          return trade(state, ship, 'sell', input.payload, request);
        case 'ship.repair_request':
          return repair(state, ship, input.payload.station_id, request);
      }
    },
    tick: (tick) => step(state, tick),
    view(seatId, role) {
      const ship = role === 'player' ? state.bySeat.get(seatId) : undefined;
      const entities: Entity[] = [...stationEntities];
      const markets = state.markets.view();
      if (!ship) {
        for (const body of state.bodies.all()) if (body.entity) entities.push(body.entity);
        return {
          entities,
          sections: { markets, zones: zonesView },
          events: state.events.map((e) => e.event),
        };
      }
      state.bodies.query(ship.x, ship.y, VIEW_RADIUS, (body) => {
        if (body.entity) entities.push(body.entity);
      });
      const events: WorldEvent[] = [];
      for (const e of state.events) {
        const near = (e.x - ship.x) ** 2 + (e.y - ship.y) ** 2 <= VIEW_RADIUS ** 2;
        if (e.seatId === undefined ? near : e.seatId === seatId) events.push(e.event);
      }
      return {
        entities,
        sections: { you: youOf(ship), markets, zones: zonesView, you_zone_context: ship.context },
        events,
      };
    },
    joinedPayload(seatId) {
      const ship = state.bySeat.get(seatId);
      if (!ship) return undefined;
      return {
        ship_id: ship.id,
        spawn: { x: Math.round(ship.x), y: Math.round(ship.y), rotation: Math.round(ship.r * 100) / 100 },
      };
    },
  };
}
