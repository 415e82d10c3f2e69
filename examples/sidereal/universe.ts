import { z } from 'zod';
import { createPrng } from 'chartroom';

/**
 * A small universe (seed 001's world): bodies on circular orbits, ships wandering between them,
 * and turrets that decide every tick whether to shoot the nearest ship in range. Server-side
 * only; clients see it through `snap` and `diff` packets. Every object is a flat record (an id
 * and primitive traits), immutable: a tick builds a new record for each object that changed, so
 * an unchanged object is the same record and costs nothing to diff.
 */
export const universeConfig = z.object({
  bodies: z.number().int().min(0).max(64).default(3),
  ships: z.number().int().min(0).max(256).default(4),
  turrets: z.number().int().min(0).max(64).default(3),
  /** Length of one tick of universe time. */
  tickMs: z.number().int().min(10).max(1000).default(100),
  /** Side of the square the ships wrap around in. */
  size: z.number().int().min(100).max(100_000).default(1000),
});
export type UniverseConfig = z.output<typeof universeConfig>;

export interface Body {
  readonly id: string;
  readonly kind: 'body';
  readonly x: number;
  readonly y: number;
  readonly radius: number;
  readonly orbit: number;
  readonly angle: number;
}
export interface Ship {
  readonly id: string;
  readonly kind: 'ship';
  readonly x: number;
  readonly y: number;
  readonly heading: number;
  readonly hp: number;
}
export interface Turret {
  readonly id: string;
  readonly kind: 'turret';
  readonly x: number;
  readonly y: number;
  readonly aim: number;
  /** The ship aimed at, '' when none is in range. */
  readonly target: string;
  readonly shots: number;
  readonly cooldown: number;
}
export type SpaceObject = Body | Ship | Turret;

export interface Universe {
  /** Universe time: ticks since creation (seed 001's `time`). */
  readonly time: number;
  readonly size: number;
  objects(): readonly SpaceObject[];
  /** Advance one tick: orbits, ships, then every turret decides whether to shoot. */
  step(): void;
}

const SHIP_SPEED = 6;
const SHIP_HP = 10;
const TURRET_RANGE = 300;
const TURRET_COOLDOWN = 5;
const r2 = (value: number) => Math.round(value * 100) / 100;

export function createUniverse(seed: number, config: UniverseConfig): Universe {
  const random = createPrng(seed);
  const half = config.size / 2;
  const spot = () => r2((random() * 2 - 1) * half * 0.9);
  const speeds = new Map<string, number>();
  let time = 0;
  let objects: SpaceObject[] = [];

  for (let i = 0; i < config.bodies; i++) {
    const orbit = 80 + i * 120;
    const angle = r2(random() * Math.PI * 2);
    speeds.set(`body-${i}`, 0.02 + random() * 0.03);
    objects.push({
      id: `body-${i}`,
      kind: 'body',
      x: r2(Math.cos(angle) * orbit),
      y: r2(Math.sin(angle) * orbit),
      radius: 10 + i * 4,
      orbit,
      angle,
    });
  }
  for (let i = 0; i < config.ships; i++) {
    objects.push({
      id: `ship-${i}`,
      kind: 'ship',
      x: spot(),
      y: spot(),
      heading: r2(random() * Math.PI * 2),
      hp: SHIP_HP,
    });
  }
  for (let i = 0; i < config.turrets; i++) {
    objects.push({
      id: `turret-${i}`,
      kind: 'turret',
      x: spot(),
      y: spot(),
      aim: 0,
      target: '',
      shots: 0,
      cooldown: 0,
    });
  }

  const wrap = (v: number) => r2(v > half ? v - config.size : v < -half ? v + config.size : v);

  const moveBody = (body: Body): Body => {
    const angle = r2((body.angle + (speeds.get(body.id) ?? 0)) % (Math.PI * 2));
    return { ...body, angle, x: r2(Math.cos(angle) * body.orbit), y: r2(Math.sin(angle) * body.orbit) };
  };

  const moveShip = (ship: Ship): Ship => {
    const heading = r2(ship.heading + (random() - 0.5) * 0.3);
    return {
      ...ship,
      heading,
      x: wrap(ship.x + Math.cos(heading) * SHIP_SPEED),
      y: wrap(ship.y + Math.sin(heading) * SHIP_SPEED),
    };
  };

  /** A turret's decision for this tick, and the ship it hits (if it shoots). */
  const decide = (turret: Turret, ships: readonly Ship[]): { turret: Turret; hit: string | undefined } => {
    let nearest: Ship | undefined;
    let best = TURRET_RANGE;
    for (const ship of ships) {
      const distance = Math.hypot(ship.x - turret.x, ship.y - turret.y);
      if (distance <= best) [nearest, best] = [ship, distance];
    }
    const cooldown = Math.max(0, turret.cooldown - 1);
    if (!nearest)
      return {
        turret:
          turret.target === '' && cooldown === turret.cooldown ? turret : { ...turret, target: '', cooldown },
        hit: undefined,
      };
    const aim = r2(Math.atan2(nearest.y - turret.y, nearest.x - turret.x));
    if (cooldown > 0) return { turret: { ...turret, aim, target: nearest.id, cooldown }, hit: undefined };
    return {
      turret: { ...turret, aim, target: nearest.id, shots: turret.shots + 1, cooldown: TURRET_COOLDOWN },
      hit: nearest.id,
    };
  };

  return {
    get time() {
      return time;
    },
    size: config.size,
    objects: () => objects,
    step() {
      time++;
      const moved = objects.map((o) =>
        o.kind === 'body' ? moveBody(o) : o.kind === 'ship' ? moveShip(o) : o,
      );
      const ships = moved.filter((o): o is Ship => o.kind === 'ship');
      const hits = new Map<string, number>();
      const decided = moved.map((o) => {
        if (o.kind !== 'turret') return o;
        const { turret, hit } = decide(o, ships);
        if (hit) hits.set(hit, (hits.get(hit) ?? 0) + 1);
        return turret;
      });
      objects = decided.map((o) => {
        const damage = o.kind === 'ship' ? hits.get(o.id) : undefined;
        if (o.kind !== 'ship' || !damage) return o;
        // A destroyed ship jumps back in elsewhere with full hull.
        return o.hp - damage > 0 ? { ...o, hp: o.hp - damage } : { ...o, hp: SHIP_HP, x: spot(), y: spot() };
      });
    },
  };
}
