import type { WorldInit } from 'chartroom/sync/state';
import { SpatialGrid } from './grid.js';
import { Markets } from './market.js';
import type { Entity, InputCommand, TraderConfig, WorldEvent, ZoneContext } from './messages.js';
import type { serverMessages } from './messages.js';
import { createPrng } from 'chartroom';

/** A ship: a player's (with a seat) or a pirate's. Plain mutable state owned by the world. */
export interface Ship {
  readonly id: string;
  readonly kind: 'player_ship' | 'pirate';
  /** The owning seat (players only). */
  readonly seatId: string | undefined;
  x: number;
  y: number;
  vx: number;
  vy: number;
  /** Heading in radians, (-π, π]. */
  r: number;
  hp: number;
  fuel: number;
  credits: number;
  /** Commodity -> units, in the order first acquired (kept at 0 after selling, as seed 002 shows). */
  readonly cargo: Map<string, number>;
  /** The latest input, already clamped. Pirates steer through it too. */
  input: InputCommand;
  /** dock_request of the previous input: docking acts on its rising edge. */
  dockHeld: boolean;
  dockedAt: string | undefined;
  alive: boolean;
  /** Game time (ms) of the respawn while destroyed. */
  respawnAt: number;
  /** Game time (ms) the primary weapon is ready again. */
  fireReadyAt: number;
  /** Clock time (ms) the next trade or repair is accepted. */
  actionReadyAt: number;
  /** The entity as clients see it; the same object while its rounded fields do not change. */
  entity: Entity | undefined;
  /** The blended zone context at the ship (players), refreshed each tick. */
  context: ZoneContext;
  /** Pirates: home zone and current goal. */
  readonly home: { readonly x: number; readonly y: number; readonly radius: number } | undefined;
  targetId: string | undefined;
  waypoint: { x: number; y: number } | undefined;
}

export interface Projectile {
  readonly id: string;
  readonly ownerId: string;
  readonly ownerKind: Ship['kind'];
  x: number;
  y: number;
  readonly vx: number;
  readonly vy: number;
  readonly expiresAt: number;
  entity: Entity | undefined;
}

/** A world event of this tick, where it happened (who may see it), or addressed to one seat. */
export interface TickEvent {
  readonly event: WorldEvent;
  readonly x: number;
  readonly y: number;
  readonly seatId?: string;
}

export type TraderInit = WorldInit<typeof serverMessages, TraderConfig>;

export interface WorldState {
  readonly init: TraderInit;
  readonly config: TraderConfig;
  /** Seconds per tick. */
  readonly dt: number;
  /** Game time in ms (tick × tickMs): cooldowns and respawns. */
  time: number;
  readonly ships: Map<string, Ship>;
  readonly bySeat: Map<string, Ship>;
  readonly projectiles: Map<string, Projectile>;
  readonly markets: Markets;
  /** Alive, undocked ships: hits and pirate targeting. */
  readonly targets: SpatialGrid<Ship>;
  /** Every visible body (ships, docked ones too, and projectiles): players' views. */
  readonly bodies: SpatialGrid<Ship | Projectile>;
  events: TickEvent[];
  readonly random: () => number;
  nextId: number;
}

export function createState(init: TraderInit): WorldState {
  return {
    init,
    config: init.config,
    dt: init.tickMs / 1000,
    time: 0,
    ships: new Map(),
    bySeat: new Map(),
    projectiles: new Map(),
    markets: new Markets(),
    targets: new SpatialGrid(1000),
    bodies: new SpatialGrid(1000),
    events: [],
    random: createPrng(init.seed),
    nextId: 1,
  };
}

export const idleInput: InputCommand = { thrust: 0, turn: 0, fire_primary: false, dock_request: false };

export const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** Wrap an angle to (-π, π]. */
export function wrapAngle(angle: number): number {
  let a = angle % (2 * Math.PI);
  if (a <= -Math.PI) a += 2 * Math.PI;
  else if (a > Math.PI) a -= 2 * Math.PI;
  return a;
}
