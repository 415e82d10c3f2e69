import { z } from 'zod';

/**
 * Every game message of seed 002 (the envelope's auth.* and session.* are the framework's).
 * Shared by the server world, the bot and the page.
 */

/**
 * `input.command` (seed: thrust in [0, 1], turn in [-1, 1]). Any finite number is accepted and
 * clamped by the world ("clamp out-of-range input values"); unknown fields (a client's idea of
 * its position or hp) are stripped and never read.
 */
export const inputCommand = z.object({
  thrust: z.number(),
  turn: z.number(),
  fire_primary: z.boolean(),
  dock_request: z.boolean(),
});
export type InputCommand = z.infer<typeof inputCommand>;

const id = z.string().min(1).max(64);
/** Quantities are checked by the world (INVALID_QUANTITY), so a refusal names the request's seq. */
const quantity = z.number().int();

export const tradeRequest = z.object({ station_id: id, commodity_id: id, quantity });
export type TradeRequest = z.infer<typeof tradeRequest>;
export const repairRequest = z.object({ station_id: id });

export const inputs = {
  'input.command': inputCommand,
  'trade.buy': tradeRequest,
  'trade.sell': tradeRequest,
  'ship.repair_request': repairRequest,
} as const;

/** One entity of `world.snapshot` / `world.delta` (seed fields; stations are entities too). */
export const entity = z.object({
  id: z.string(),
  kind: z.enum(['player_ship', 'pirate', 'projectile', 'station']),
  x: z.number(),
  y: z.number(),
  vx: z.number().optional(),
  vy: z.number().optional(),
  r: z.number().optional(),
  hp: z.number().optional(),
  /**
   * Projectiles only (extension): the tick (x, y) is from. Projectiles fly straight, so they
   * are sent once and clients place them at (x, y) + (vx, vy) × (tick − t) / tickRate.
   */
  t: z.number().int().optional(),
});
export type Entity = z.infer<typeof entity>;

export const cargoItem = z.object({ commodity_id: z.string(), qty: z.number().int() });
export type CargoItem = z.infer<typeof cargoItem>;

/** The player's own ship: only its owner sees it (credits and cargo are private). */
export const you = z.object({
  ship_id: z.string(),
  credits: z.number(),
  hull: z.number(),
  fuel: z.number(),
  cargo: z.array(cargoItem),
  /** Extension: the station the ship is docked at, or null (the seed leaves docking state implicit). */
  docked_at: z.string().nullable(),
});
export type You = z.infer<typeof you>;

export const market = z.object({
  station_id: z.string(),
  prices: z.array(z.object({ commodity_id: z.string(), buy: z.number(), sell: z.number() })),
});
export type Market = z.infer<typeof market>;

export const zone = z.object({
  zone_id: z.string(),
  zone_type: z.string(),
  center: z.object({ x: z.number(), y: z.number() }),
  radius: z.number(),
  risk_level: z.number(),
  security_level: z.number(),
  profit_multiplier: z.number(),
  pvp_allowed: z.boolean(),
});

export const zoneContext = z.object({
  zone_ids: z.array(z.string()),
  blended_risk: z.number(),
  blended_security: z.number(),
  blended_profit_multiplier: z.number(),
});
export type ZoneContext = z.infer<typeof zoneContext>;

/**
 * The sections of a view and how they travel: `you` and `markets` when they change (an
 * extension of seed 002's delta, which has no field for them), `zones` in snapshots only
 * (static), `you_zone_context` in every delta and no snapshot (exactly as the seed shows).
 */
export const sections = {
  you: { schema: you },
  markets: { schema: z.array(market) },
  zones: { schema: z.array(zone), delta: 'snapshot' },
  you_zone_context: { schema: zoneContext, delta: 'always', snapshot: false },
} as const;

/** Transient events of a tick, in `world.delta`'s `events`. */
export const worldEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('projectile_fired'), source_id: z.string(), projectile_id: z.string() }),
  z.object({ kind: z.literal('docked'), ship_id: z.string(), station_id: z.string() }),
  z.object({ kind: z.literal('undocked'), ship_id: z.string(), station_id: z.string() }),
  z.object({
    kind: z.literal('dock_denied'),
    ship_id: z.string(),
    reason: z.enum(['too_far', 'too_fast', 'destroyed']),
  }),
  z.object({ kind: z.literal('ship_destroyed'), ship_id: z.string(), source_id: z.string() }),
  z.object({ kind: z.literal('ship_respawned'), ship_id: z.string(), station_id: z.string() }),
]);
export type WorldEvent = z.infer<typeof worldEvent>;

export const tradeResult = z.object({
  ok: z.boolean(),
  credits: z.number(),
  cargo: z.array(cargoItem),
  details: z.object({
    station_id: z.string(),
    commodity_id: z.string(),
    quantity: z.number(),
    unit_price: z.number(),
    total: z.number(),
  }),
});
export type TradeResult = z.infer<typeof tradeResult>;

export const combatEvent = z.object({
  kind: z.enum(['hit', 'destroyed', 'respawned']),
  source_id: z.string(),
  target_id: z.string(),
  damage: z.number(),
  target_hp: z.number(),
});
export type CombatEvent = z.infer<typeof combatEvent>;

/** Extension: seed 002 lists `ship.repair_request` but no answer; this is it (final, like trade.result). */
export const repairResult = z.object({
  ok: z.boolean(),
  credits: z.number(),
  hull: z.number(),
  cost: z.number(),
});

export const serverMessages = {
  'trade.result': tradeResult,
  'combat.event': combatEvent,
  'ship.repair_result': repairResult,
} as const;

/** The game's own refusal codes (sent as `error` with `ref_seq`). */
export const TradeError = {
  NOT_DOCKED: 'NOT_DOCKED',
  UNKNOWN_STATION: 'UNKNOWN_STATION',
  UNKNOWN_COMMODITY: 'UNKNOWN_COMMODITY',
  INSUFFICIENT_CREDITS: 'INSUFFICIENT_CREDITS',
  INSUFFICIENT_CARGO: 'INSUFFICIENT_CARGO',
  INSUFFICIENT_STOCK: 'INSUFFICIENT_STOCK',
  CARGO_FULL: 'CARGO_FULL',
  INVALID_QUANTITY: 'INVALID_QUANTITY',
  SHIP_DESTROYED: 'SHIP_DESTROYED',
  NOTHING_TO_REPAIR: 'NOTHING_TO_REPAIR',
  RATE_LIMITED: 'RATE_LIMITED',
} as const;
export type TradeError = (typeof TradeError)[keyof typeof TradeError];

/** Room configuration: tests switch pirates off or change the economy. */
export const traderConfig = z.object({
  /** NPC pirates in the system, spread over the risky zones. */
  pirates: z.number().int().min(0).max(64),
  startCredits: z.number().int().min(0).max(1_000_000_000),
  /** Cargo units a ship holds. */
  cargoCapacity: z.number().int().min(1).max(10_000),
});
export type TraderConfig = z.infer<typeof traderConfig>;
export const defaultTraderConfig: TraderConfig = { pirates: 7, startCredits: 5000, cargoCapacity: 50 };
