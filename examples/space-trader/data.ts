/**
 * The Sol-1 system of the space-trading game (seed 002): stations, commodities, zones and the
 * tuning of ships, pirates and combat. Plain data, shared by the server world, the bot and the
 * page.
 */

/** World bounds: both axes run 0..WORLD_SIZE. */
export const WORLD_SIZE = 10_000;

export const SHIP = {
  maxSpeed: 450,
  /** units/s² at full thrust */
  accel: 320,
  /** rad/s at full turn */
  turnRate: 3.2,
  /** fraction of velocity lost per second */
  drag: 0.35,
  hull: 100,
  fuel: 100,
  /** fuel per second at full thrust (an empty tank: no thrust) */
  fuelPerSecond: 1.5,
  /** refuel per second while docked (stations refuel for free) */
  refuelPerSecond: 20,
  /** collision radius for hits */
  radius: 28,
} as const;

export const DOCKING = {
  /** distance to a station within which a dock request succeeds */
  range: 180,
  /** speed under which a dock request succeeds */
  maxSpeed: 80,
  /** thrust above this launches a docked ship */
  launchThrust: 0.05,
} as const;

export const COMBAT = {
  fireCooldownMs: 400,
  projectileSpeed: 800,
  projectileLifeMs: 1000,
  damage: 12,
  respawnMs: 3000,
  /** credits for destroying a pirate */
  bounty: 150,
} as const;

export const PIRATE = {
  hp: 80,
  speedFactor: 0.8,
  aggroRange: 1400,
  fireRange: 750,
  fireCooldownMs: 900,
  /** pirates do not attack ships where the blended security is at least this */
  fleeSecurity: 0.7,
  respawnMs: 12_000,
  /** Station guns: pirates leave alone ships this close to a station. */
  stationStandoff: 600,
} as const;

export const TRADE = {
  /** minimum time between two accepted trades or repairs of one ship (action spam) */
  actionCooldownMs: 150,
  maxQuantity: 1000,
  repairCostPerHp: 4,
  /** buy price = mid * (1 + spread), sell price = mid * (1 - spread) * zone profit multiplier */
  spread: 0.08,
  /** ticks between two steps of stock recovery toward equilibrium */
  recoveryEveryTicks: 100,
} as const;

/** How far a player sees (interest management): entities beyond it are not in its view. */
export const VIEW_RADIUS = 3000;

export interface Commodity {
  readonly id: string;
  readonly basePrice: number;
}

export const COMMODITIES: readonly Commodity[] = [
  { id: 'food', basePrice: 10 },
  { id: 'water', basePrice: 8 },
  { id: 'ore', basePrice: 20 },
  { id: 'fuel_cells', basePrice: 30 },
  { id: 'electronics', basePrice: 60 },
  { id: 'medicine', basePrice: 80 },
];

export interface Station {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  /** Price factor per commodity it trades: < 1 it produces (cheap), > 1 it needs (dear). */
  readonly factors: Readonly<Record<string, number>>;
}

export const STATIONS: readonly Station[] = [
  {
    id: 'earth-orbit-station',
    x: 1200,
    y: 400,
    factors: { food: 1, water: 0.9, ore: 1.4, electronics: 0.7, medicine: 0.8, fuel_cells: 1.1 },
  },
  {
    id: 'mars-orbit-station',
    x: 4200,
    y: 2600,
    factors: { food: 1.5, water: 1.6, ore: 0.8, electronics: 1.2, fuel_cells: 0.9 },
  },
  {
    id: 'belt-outpost',
    x: 6800,
    y: 5200,
    factors: { food: 1.7, water: 1.8, ore: 0.5, medicine: 1.6, fuel_cells: 1.3 },
  },
  {
    id: 'jupiter-relay',
    x: 8600,
    y: 8200,
    factors: { food: 1.3, ore: 1.2, electronics: 1.5, medicine: 1.4, fuel_cells: 0.6 },
  },
];

/** Where new and respawning player ships appear. */
export const HOME_STATION = 'earth-orbit-station';

export interface Zone {
  readonly zone_id: string;
  readonly zone_type: string;
  readonly center: { readonly x: number; readonly y: number };
  readonly radius: number;
  /** 0..100 */
  readonly risk_level: number;
  /** 0..100 */
  readonly security_level: number;
  readonly profit_multiplier: number;
  readonly pvp_allowed: boolean;
}

export const ZONES: readonly Zone[] = [
  {
    // Seed 002's own example zone.
    zone_id: 'z_earth_approach',
    zone_type: 'approach_high_value',
    center: { x: 1200, y: 400 },
    radius: 900,
    risk_level: 72,
    security_level: 35,
    profit_multiplier: 1.35,
    pvp_allowed: true,
  },
  {
    zone_id: 'z_inner_lane',
    zone_type: 'patrolled_lane',
    center: { x: 2700, y: 1500 },
    radius: 1400,
    risk_level: 20,
    security_level: 85,
    profit_multiplier: 0.95,
    pvp_allowed: false,
  },
  {
    zone_id: 'z_mars_orbit',
    zone_type: 'secure_orbit',
    center: { x: 4200, y: 2600 },
    radius: 1000,
    risk_level: 15,
    security_level: 90,
    profit_multiplier: 1,
    pvp_allowed: false,
  },
  {
    zone_id: 'z_asteroid_belt',
    zone_type: 'lawless_belt',
    center: { x: 6800, y: 5200 },
    radius: 2200,
    risk_level: 90,
    security_level: 5,
    profit_multiplier: 1.6,
    pvp_allowed: true,
  },
  {
    zone_id: 'z_jupiter_frontier',
    zone_type: 'frontier',
    center: { x: 8600, y: 8200 },
    radius: 1500,
    risk_level: 55,
    security_level: 40,
    profit_multiplier: 1.2,
    pvp_allowed: true,
  },
];

/** Deep space, outside every zone (and the weight it keeps inside them). */
export const DEEP_SPACE = { risk: 0.3, security: 0.2, profit: 1, weight: 0.25, pvp: true } as const;
