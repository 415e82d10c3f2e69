import type { DeterministicEngine, SeatCommands } from 'chartroom/sync/lockstep';
import { z } from 'zod';

/**
 * Lockstep arena: a deterministic real-time game. Each player steers one ship on an integer
 * grid; a `move` command sets its destination, `fire` launches a shot toward a point. Shots
 * hit ships within a radius; a ship at 0 hp respawns at a spot drawn from the seeded PRNG.
 * Integer maths only, so every client computes the same state bit for bit.
 */
export const WORLD = 1000;
const SPEED = 12;
const SHOT_SPEED = 30;
const SHOT_LIFE = 40;
const HIT_RADIUS = 18;
const DAMAGE = 25;
const RELOAD = 8;

export const arenaCommand = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('move'),
    x: z.number().int().min(0).max(WORLD),
    y: z.number().int().min(0).max(WORLD),
  }),
  z.object({
    kind: z.literal('fire'),
    x: z.number().int().min(0).max(WORLD),
    y: z.number().int().min(0).max(WORLD),
  }),
]);
export type ArenaCommand = z.infer<typeof arenaCommand>;

export const arenaConfig = z.object({ respawnTicks: z.number().int().min(1).max(1000) });
export type ArenaConfig = z.infer<typeof arenaConfig>;

export interface Ship {
  seat: string;
  x: number;
  y: number;
  tx: number;
  ty: number;
  hp: number;
  reload: number;
  dead: number;
  score: number;
}
export interface Shot {
  owner: string;
  x: number;
  y: number;
  vx: number;
  vy: number;
  life: number;
}
export interface ArenaState {
  tick: number;
  rng: number;
  ships: Ship[];
  shots: Shot[];
}

/** mulberry32: a tiny seeded PRNG with 32-bit integer state. */
function nextRandom(state: ArenaState): number {
  state.rng = (state.rng + 0x6d2b79f5) | 0;
  let t = state.rng;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** Integer square root (floor), exact for the ranges used here. */
function isqrt(n: number): number {
  if (n <= 0) return 0;
  let x = Math.floor(Math.sqrt(n));
  while (x * x > n) x--;
  while ((x + 1) * (x + 1) <= n) x++;
  return x;
}

/** Move (x, y) toward (tx, ty) by at most `speed`, integer-exact. */
function stepToward(ship: Ship): void {
  const dx = ship.tx - ship.x;
  const dy = ship.ty - ship.y;
  const distance = isqrt(dx * dx + dy * dy);
  if (distance <= SPEED) {
    ship.x = ship.tx;
    ship.y = ship.ty;
    return;
  }
  ship.x += Math.trunc((dx * SPEED) / distance);
  ship.y += Math.trunc((dy * SPEED) / distance);
}

function respawn(state: ArenaState, ship: Ship): void {
  ship.x = ship.tx = nextRandom(state) % WORLD;
  ship.y = ship.ty = nextRandom(state) % WORLD;
  ship.hp = 100;
  ship.dead = 0;
}

/** FNV-1a over a canonical encoding of the state (fixed field order, integers only). */
export function checksumOf(state: ArenaState): string {
  let hash = 0x811c9dc5;
  const mix = (n: number) => {
    hash ^= n & 0xffff;
    hash = Math.imul(hash, 0x01000193);
    hash ^= (n >>> 16) & 0xffff;
    hash = Math.imul(hash, 0x01000193);
  };
  mix(state.tick);
  mix(state.rng);
  for (const s of state.ships)
    for (const n of [s.x, s.y, s.tx, s.ty, s.hp, s.reload, s.dead, s.score]) mix(n);
  for (const s of state.shots) for (const n of [s.x, s.y, s.vx, s.vy, s.life]) mix(n);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

export function createArenaEngine(): DeterministicEngine<ArenaCommand, ArenaConfig> & {
  readonly state: ArenaState;
} {
  let state: ArenaState = { tick: 0, rng: 0, ships: [], shots: [] };
  let config: ArenaConfig = { respawnTicks: 40 };
  return {
    get state() {
      return state;
    },
    init(seed, cfg, players) {
      config = cfg;
      state = { tick: 0, rng: seed | 0, ships: [], shots: [] };
      for (const seat of players) {
        const ship: Ship = { seat, x: 0, y: 0, tx: 0, ty: 0, hp: 100, reload: 0, dead: 0, score: 0 };
        respawn(state, ship);
        state.ships.push(ship);
      }
    },
    step(commands: readonly SeatCommands<ArenaCommand>[]) {
      for (const { seat, commands: list } of commands) {
        const ship = state.ships.find((s) => s.seat === seat);
        if (!ship || ship.hp <= 0) continue;
        for (const command of list) {
          if (command.kind === 'move') {
            ship.tx = command.x;
            ship.ty = command.y;
          } else if (ship.reload === 0) {
            const dx = command.x - ship.x;
            const dy = command.y - ship.y;
            const distance = isqrt(dx * dx + dy * dy) || 1;
            state.shots.push({
              owner: seat,
              x: ship.x,
              y: ship.y,
              vx: Math.trunc((dx * SHOT_SPEED) / distance),
              vy: Math.trunc((dy * SHOT_SPEED) / distance),
              life: SHOT_LIFE,
            });
            ship.reload = RELOAD;
          }
        }
      }
      for (const ship of state.ships) {
        if (ship.hp <= 0) {
          if (++ship.dead >= config.respawnTicks) respawn(state, ship);
          continue;
        }
        if (ship.reload > 0) ship.reload--;
        stepToward(ship);
      }
      for (const shot of state.shots) {
        shot.x += shot.vx;
        shot.y += shot.vy;
        shot.life--;
        for (const ship of state.ships) {
          if (ship.seat === shot.owner || ship.hp <= 0 || shot.life <= 0) continue;
          const dx = ship.x - shot.x;
          const dy = ship.y - shot.y;
          if (dx * dx + dy * dy <= HIT_RADIUS * HIT_RADIUS) {
            ship.hp -= DAMAGE;
            shot.life = 0;
            if (ship.hp <= 0) {
              const owner = state.ships.find((s) => s.seat === shot.owner);
              if (owner) owner.score++;
            }
          }
        }
      }
      state.shots = state.shots.filter(
        (s) => s.life > 0 && s.x >= 0 && s.x <= WORLD && s.y >= 0 && s.y <= WORLD,
      );
      state.tick++;
    },
    checksum: () => checksumOf(state),
    snapshot: () => structuredClone(state),
    restore(saved) {
      state = structuredClone(saved as ArenaState);
    },
  };
}
