import { z } from 'zod';

/**
 * The arena's rules as pure functions: the room machine (room.ts) only routes events to them.
 * Coordinates are Seigneur world units (u16), y grows downwards; angles are binary angles
 * (65536 = one turn, 0 = +x, 16384 = +y); speeds are world units per second.
 */
export const arenaConfigSchema = z.object({
  width: z.number().int().min(100).max(65535),
  height: z.number().int().min(100).max(65535),
  /** Fastest a player may move, in units per second (a Move's velocity is capped to it). */
  maxSpeed: z.number().int().min(1).max(65535),
  /** Server tick length: the tick counter, respawns and cooldowns advance on it. */
  tickMs: z.number().int().min(10).max(1000),
  maxHp: z.number().int().min(1).max(65535),
  shotDamage: z.number().int().min(1).max(65535),
  shotRange: z.number().int().min(1).max(65535),
  /** How close to the line of fire a body must be to be hit. */
  hitRadius: z.number().int().min(1).max(1000),
  shotCooldownTicks: z.number().int().min(0).max(1000),
  respawnTicks: z.number().int().min(0).max(10_000),
  dashDistance: z.number().int().min(0).max(65535),
  dashCooldownTicks: z.number().int().min(0).max(10_000),
  shieldTicks: z.number().int().min(0).max(10_000),
  shieldCooldownTicks: z.number().int().min(0).max(10_000),
  /** Kills that win the match (the room then ends); 0 plays forever. */
  fragLimit: z.number().int().min(0).max(1000),
});

export type ArenaConfig = z.infer<typeof arenaConfigSchema>;

export const defaultArenaConfig: ArenaConfig = {
  width: 1000,
  height: 1000,
  maxSpeed: 300,
  tickMs: 50,
  maxHp: 100,
  shotDamage: 25,
  shotRange: 500,
  hitRadius: 20,
  shotCooldownTicks: 5,
  respawnTicks: 60,
  dashDistance: 150,
  dashCooldownTicks: 40,
  shieldTicks: 40,
  shieldCooldownTicks: 200,
  fragLimit: 0,
};

/** Ability numbers carried by Weapon Action 0x03. */
export const Ability = { Dash: 1, Shield: 2 } as const;

export interface Fighter {
  readonly playerId: number;
  readonly seatId: string;
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly velocity: number;
  readonly hp: number;
  readonly alive: boolean;
  /** Distance the player may still cover (a leaky bucket refilled every tick). */
  readonly budget: number;
  readonly budgetTick: number;
  readonly respawnAt: number;
  readonly shotReadyAt: number;
  readonly dashReadyAt: number;
  readonly shieldReadyAt: number;
  readonly shieldUntil: number;
  readonly kills: number;
  readonly deaths: number;
  /** Announce at the next tick: a newcomer to everyone, or the world to a returning player. */
  readonly welcome: 'new' | 'back' | undefined;
}

/** A deterministic spawn point: the room seed and a spawn counter (mulberry32). */
export function spawnPoint(seed: number, count: number, config: ArenaConfig): { x: number; y: number } {
  let t = (seed ^ Math.imul(count + 1, 0x9e3779b9)) >>> 0;
  const next = () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  const margin = 50;
  return {
    x: Math.round(margin + next() * Math.max(0, config.width - 2 * margin)),
    y: Math.round(margin + next() * Math.max(0, config.height - 2 * margin)),
  };
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** Units one tick of movement allows, and the bucket's size (two ticks, for network jitter). */
export function movePerTick(config: ArenaConfig): { perTick: number; capacity: number } {
  const perTick = (config.maxSpeed * config.tickMs) / 1000;
  return { perTick, capacity: 2 * perTick };
}

/**
 * Where the server accepts a player to be: the requested point inside the arena, but no
 * further from the current one than the player's movement budget allows. The client never
 * sets its position; it asks, and the broadcast Move says where it actually is.
 */
export function acceptMove(
  fighter: Fighter,
  requested: { readonly x: number; readonly y: number; readonly velocity: number },
  config: ArenaConfig,
  tick: number,
): Fighter {
  const { perTick, capacity } = movePerTick(config);
  const budget = Math.min(capacity, fighter.budget + (tick - fighter.budgetTick) * perTick);
  const targetX = clamp(requested.x, 0, config.width);
  const targetY = clamp(requested.y, 0, config.height);
  const dx = targetX - fighter.x;
  const dy = targetY - fighter.y;
  const distance = Math.hypot(dx, dy);
  const scale = distance > budget ? budget / distance : 1;
  const x = clamp(Math.round(fighter.x + dx * scale), 0, config.width);
  const y = clamp(Math.round(fighter.y + dy * scale), 0, config.height);
  const moved = Math.hypot(x - fighter.x, y - fighter.y);
  return {
    ...fighter,
    x,
    y,
    velocity: Math.min(requested.velocity, config.maxSpeed),
    budget: Math.max(0, budget - moved),
    budgetTick: tick,
  };
}

/** Unit vector of a binary angle. */
export function direction(angle: number): { dx: number; dy: number } {
  const radians = (angle / 65536) * 2 * Math.PI;
  return { dx: Math.cos(radians), dy: Math.sin(radians) };
}

/** The first living, unshielded player on the line of fire within range, if any. */
export function traceShot(
  shooter: Fighter,
  angle: number,
  players: readonly Fighter[],
  config: ArenaConfig,
  tick: number,
): Fighter | undefined {
  const { dx, dy } = direction(angle);
  let best: { fighter: Fighter; along: number } | undefined;
  for (const target of players) {
    if (target.seatId === shooter.seatId || !target.alive || target.shieldUntil > tick) continue;
    const tx = target.x - shooter.x;
    const ty = target.y - shooter.y;
    const along = tx * dx + ty * dy;
    const across = Math.abs(tx * dy - ty * dx);
    if (along < 0 || along > config.shotRange || across > config.hitRadius) continue;
    if (!best || along < best.along) best = { fighter: target, along };
  }
  return best?.fighter;
}

/** Where a dash ends: `dashDistance` along the angle, stopped by the walls. */
export function dashTarget(fighter: Fighter, angle: number, config: ArenaConfig): { x: number; y: number } {
  const { dx, dy } = direction(angle);
  return {
    x: clamp(Math.round(fighter.x + dx * config.dashDistance), 0, config.width),
    y: clamp(Math.round(fighter.y + dy * config.dashDistance), 0, config.height),
  };
}

/** A fresh fighter at a spawn point, to be announced at the next tick. */
export function newFighter(
  seatId: string,
  playerId: number,
  name: string,
  at: { x: number; y: number },
  config: ArenaConfig,
  tick: number,
): Fighter {
  return {
    playerId,
    seatId,
    name,
    x: at.x,
    y: at.y,
    velocity: 0,
    hp: config.maxHp,
    alive: true,
    budget: movePerTick(config).capacity,
    budgetTick: tick,
    respawnAt: 0,
    shotReadyAt: 0,
    dashReadyAt: 0,
    shieldReadyAt: 0,
    shieldUntil: 0,
    kills: 0,
    deaths: 0,
    welcome: 'new',
  };
}
