import { PIRATE, ZONES } from './data.js';
import { pointInHome } from './combat.js';
import { nearestStation } from './ships.js';
import { clamp, idleInput, wrapAngle } from './state.js';
import type { Ship, WorldState } from './state.js';
import { zoneContextAt } from './zones.js';

/** Zones where pirates live: risk 50 and up, each holding a share of the population by risk. */
const lairs = ZONES.filter((zone) => zone.risk_level >= 50);

/** Spawn `config.pirates` NPC ships over the risky zones (largest remainder by risk). */
export function spawnPirates(state: WorldState): void {
  const total = state.config.pirates;
  const riskSum = lairs.reduce((sum, zone) => sum + zone.risk_level, 0);
  const shares = lairs.map((zone) => (total * zone.risk_level) / riskSum);
  const counts = shares.map(Math.floor);
  const order = shares
    .map((share, i) => ({ i, rest: share - Math.floor(share) }))
    .sort((a, b) => b.rest - a.rest);
  for (let k = 0; k < total - counts.reduce((a, b) => a + b, 0); k++) {
    const index = order[k]?.i ?? 0;
    counts[index] = (counts[index] ?? 0) + 1;
  }
  lairs.forEach((zone, i) => {
    for (let n = 0; n < (counts[i] ?? 0); n++) {
      const ship: Ship = {
        id: `npc_${state.nextId++}`,
        kind: 'pirate',
        seatId: undefined,
        x: zone.center.x,
        y: zone.center.y,
        vx: 0,
        vy: 0,
        r: state.random() * 2 * Math.PI - Math.PI,
        hp: PIRATE.hp,
        fuel: 0,
        credits: 0,
        cargo: new Map(),
        input: idleInput,
        dockHeld: false,
        dockedAt: undefined,
        alive: true,
        respawnAt: 0,
        fireReadyAt: 0,
        actionReadyAt: 0,
        entity: undefined,
        context: zoneContextAt(zone.center.x, zone.center.y),
        home: { x: zone.center.x, y: zone.center.y, radius: zone.radius },
        targetId: undefined,
        waypoint: undefined,
      };
      const spot = pointInHome(state, ship);
      ship.x = spot.x;
      ship.y = spot.y;
      state.ships.set(ship.id, ship);
    }
  });
}

/** Whether a pirate still wants `target`: alive, undocked, poorly guarded, not too far from its lair. */
function prey(pirate: Ship, target: Ship): boolean {
  const home = pirate.home;
  if (!home || target.kind !== 'player_ship' || !target.alive || target.dockedAt) return false;
  if (target.context.blended_security >= PIRATE.fleeSecurity) return false;
  if (nearestStation(target.x, target.y).distance < PIRATE.stationStandoff) return false;
  return Math.hypot(target.x - home.x, target.y - home.y) < home.radius * 1.5;
}

/** Steer toward a point: turn to face it, thrust by distance. */
function steerTo(pirate: Ship, x: number, y: number, thrust: number, fire: boolean): void {
  const aim = Math.atan2(y - pirate.y, x - pirate.x);
  const diff = wrapAngle(aim - pirate.r);
  pirate.input = {
    thrust: Math.abs(diff) < 1.2 ? thrust : 0.1,
    turn: clamp(diff * 3, -1, 1),
    fire_primary: fire && Math.abs(diff) < 0.2,
    dock_request: false,
  };
}

/** One tick of a pirate's mind: keep or pick prey in range and attack it, or patrol the lair. */
export function pirateThink(state: WorldState, pirate: Ship): void {
  if (!pirate.alive || !pirate.home) return;
  let target = pirate.targetId ? state.ships.get(pirate.targetId) : undefined;
  if (
    target &&
    (!prey(pirate, target) || Math.hypot(target.x - pirate.x, target.y - pirate.y) > PIRATE.aggroRange * 1.3)
  ) {
    target = undefined;
  }
  if (!target) {
    let nearest = Infinity;
    state.targets.query(pirate.x, pirate.y, PIRATE.aggroRange, (ship) => {
      const distance = Math.hypot(ship.x - pirate.x, ship.y - pirate.y);
      if (distance < nearest && prey(pirate, ship)) {
        nearest = distance;
        target = ship;
      }
    });
  }
  pirate.targetId = target?.id;
  if (target) {
    const distance = Math.hypot(target.x - pirate.x, target.y - pirate.y);
    steerTo(pirate, target.x, target.y, distance > 350 ? 1 : 0.2, distance < PIRATE.fireRange);
    return;
  }
  const waypoint = pirate.waypoint;
  if (!waypoint || Math.hypot(waypoint.x - pirate.x, waypoint.y - pirate.y) < 150)
    pirate.waypoint = pointInHome(state, pirate);
  const goal = pirate.waypoint ?? pirate.home;
  steerTo(pirate, goal.x, goal.y, 0.5, false);
}
