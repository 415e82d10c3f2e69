import { COMBAT, HOME_STATION, PIRATE, SHIP, WORLD_SIZE } from './data.js';
import type { CombatEvent } from './messages.js';
import { stationById } from './ships.js';
import type { Projectile, Ship, WorldState } from './state.js';
import { pvpAllowedAt } from './zones.js';

/** Tell the player seats involved (attacker and target) about a combat event. */
function tell(state: WorldState, event: CombatEvent, ...ships: (Ship | undefined)[]): void {
  const told = new Set<string>();
  for (const ship of ships) {
    if (!ship?.seatId || told.has(ship.seatId)) continue;
    told.add(ship.seatId);
    state.init.send(ship.seatId, 'combat.event', event);
  }
}

/** Fire the primary weapon if the input asks and the cooldown allows (seed: "enforce cooldowns"). */
export function tryFire(state: WorldState, ship: Ship): void {
  if (!ship.input.fire_primary || !ship.alive || ship.dockedAt || state.time < ship.fireReadyAt) return;
  ship.fireReadyAt = state.time + (ship.kind === 'pirate' ? PIRATE.fireCooldownMs : COMBAT.fireCooldownMs);
  const cos = Math.cos(ship.r);
  const sin = Math.sin(ship.r);
  const projectile: Projectile = {
    id: `pr_${state.nextId++}`,
    ownerId: ship.id,
    ownerKind: ship.kind,
    x: ship.x + cos * (SHIP.radius + 4),
    y: ship.y + sin * (SHIP.radius + 4),
    vx: ship.vx + cos * COMBAT.projectileSpeed,
    vy: ship.vy + sin * COMBAT.projectileSpeed,
    expiresAt: state.time + COMBAT.projectileLifeMs,
    entity: undefined,
  };
  state.projectiles.set(projectile.id, projectile);
  state.events.push({
    event: { kind: 'projectile_fired', source_id: ship.id, projectile_id: projectile.id },
    x: ship.x,
    y: ship.y,
  });
}

/** Whether a projectile may hurt a ship: not its owner's, no pirate on pirate, PvP only where allowed. */
function canHit(projectile: Projectile, ship: Ship): boolean {
  if (ship.id === projectile.ownerId) return false;
  if (projectile.ownerKind === 'pirate') return ship.kind === 'player_ship';
  if (ship.kind === 'pirate') return true;
  return pvpAllowedAt(ship.x, ship.y);
}

/** Distance from (px, py) to the segment (x0, y0)-(x1, y1). */
function segmentDistance(px: number, py: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / length2));
  return Math.hypot(px - (x0 + t * dx), py - (y0 + t * dy));
}

/** Move every projectile along its path this tick; the first ship on the path takes the hit. */
export function moveProjectiles(state: WorldState): void {
  for (const projectile of state.projectiles.values()) {
    const x0 = projectile.x;
    const y0 = projectile.y;
    projectile.x += projectile.vx * state.dt;
    projectile.y += projectile.vy * state.dt;
    const outside =
      projectile.x < 0 || projectile.y < 0 || projectile.x > WORLD_SIZE || projectile.y > WORLD_SIZE;
    if (state.time >= projectile.expiresAt || outside) {
      state.projectiles.delete(projectile.id);
      continue;
    }
    const mx = (x0 + projectile.x) / 2;
    const my = (y0 + projectile.y) / 2;
    const reach = Math.hypot(projectile.x - x0, projectile.y - y0) / 2 + SHIP.radius;
    let hit: Ship | undefined;
    let nearest = Infinity;
    state.targets.query(mx, my, reach, (ship) => {
      if (!canHit(projectile, ship)) return;
      if (segmentDistance(ship.x, ship.y, x0, y0, projectile.x, projectile.y) > SHIP.radius) return;
      const along = Math.hypot(ship.x - x0, ship.y - y0);
      if (along < nearest) {
        nearest = along;
        hit = ship;
      }
    });
    if (!hit) continue;
    state.projectiles.delete(projectile.id);
    damage(state, projectile.ownerId, hit, COMBAT.damage);
  }
}

/** Apply damage: `combat.event` hit, and destruction at 0 hp. */
export function damage(state: WorldState, attackerId: string, target: Ship, amount: number): void {
  if (!target.alive) return;
  target.hp = Math.max(0, target.hp - amount);
  const attacker = state.ships.get(attackerId);
  const hit: CombatEvent = {
    kind: 'hit',
    source_id: attackerId,
    target_id: target.id,
    damage: amount,
    target_hp: target.hp,
  };
  tell(state, hit, attacker, target);
  if (target.hp <= 0) destroy(state, target, attackerId, attacker);
}

function destroy(state: WorldState, target: Ship, attackerId: string, attacker: Ship | undefined): void {
  target.alive = false;
  target.dockedAt = undefined;
  target.vx = 0;
  target.vy = 0;
  target.targetId = undefined;
  target.respawnAt = state.time + (target.kind === 'pirate' ? PIRATE.respawnMs : COMBAT.respawnMs);
  // A destroyed ship's cargo is lost; its credits are banked.
  target.cargo.clear();
  if (target.kind === 'pirate' && attacker?.kind === 'player_ship') attacker.credits += COMBAT.bounty;
  state.events.push({
    event: { kind: 'ship_destroyed', ship_id: target.id, source_id: attackerId },
    x: target.x,
    y: target.y,
  });
  tell(
    state,
    { kind: 'destroyed', source_id: attackerId, target_id: target.id, damage: 0, target_hp: 0 },
    attacker,
    target,
  );
}

/** Bring destroyed ships back when their time comes: players docked at home, pirates in their zone. */
export function respawnDue(state: WorldState): void {
  for (const ship of state.ships.values()) {
    if (ship.alive || state.time < ship.respawnAt) continue;
    ship.alive = true;
    ship.vx = 0;
    ship.vy = 0;
    if (ship.kind === 'pirate') {
      ship.hp = PIRATE.hp;
      const spot = pointInHome(state, ship);
      ship.x = spot.x;
      ship.y = spot.y;
      continue;
    }
    const home = stationById.get(HOME_STATION);
    if (!home) continue;
    ship.hp = SHIP.hull;
    ship.fuel = SHIP.fuel;
    ship.x = home.x;
    ship.y = home.y;
    ship.dockedAt = home.id;
    state.events.push({
      event: { kind: 'ship_respawned', ship_id: ship.id, station_id: home.id },
      x: ship.x,
      y: ship.y,
    });
    tell(
      state,
      { kind: 'respawned', source_id: home.id, target_id: ship.id, damage: 0, target_hp: ship.hp },
      ship,
    );
  }
}

/** A random point in a pirate's home zone (its inner 70 %). */
export function pointInHome(state: WorldState, ship: Ship): { x: number; y: number } {
  const home = ship.home ?? { x: WORLD_SIZE / 2, y: WORLD_SIZE / 2, radius: 1000 };
  const angle = state.random() * 2 * Math.PI;
  const distance = Math.sqrt(state.random()) * home.radius * 0.7;
  return {
    x: Math.min(WORLD_SIZE, Math.max(0, home.x + Math.cos(angle) * distance)),
    y: Math.min(WORLD_SIZE, Math.max(0, home.y + Math.sin(angle) * distance)),
  };
}
