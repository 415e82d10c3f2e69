import { DEEP_SPACE, ZONES } from './data.js';
import type { ZoneContext } from './messages.js';

const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * The blended zone context at a point (seed 002's `you_zone_context`): every zone containing
 * the point weighs in by depth (full weight in its inner half, fading to 0 at its edge), and
 * deep space keeps a fixed weight, so values blend smoothly across borders. Risk and security
 * are 0..1 (the zones' levels are 0..100).
 */
export function zoneContextAt(x: number, y: number): ZoneContext {
  let weight = DEEP_SPACE.weight;
  let risk = DEEP_SPACE.risk * DEEP_SPACE.weight;
  let security = DEEP_SPACE.security * DEEP_SPACE.weight;
  let profit = DEEP_SPACE.profit * DEEP_SPACE.weight;
  const inside: { id: string; w: number }[] = [];
  for (const zone of ZONES) {
    const distance = Math.hypot(x - zone.center.x, y - zone.center.y);
    if (distance >= zone.radius) continue;
    const w = Math.min(1, 2 * (1 - distance / zone.radius));
    inside.push({ id: zone.zone_id, w });
    weight += w;
    risk += (zone.risk_level / 100) * w;
    security += (zone.security_level / 100) * w;
    profit += zone.profit_multiplier * w;
  }
  inside.sort((a, b) => b.w - a.w);
  return {
    zone_ids: inside.map((z) => z.id),
    blended_risk: round2(risk / weight),
    blended_security: round2(security / weight),
    blended_profit_multiplier: round2(profit / weight),
  };
}

/** PvP is allowed at a point unless a zone containing it forbids it. */
export function pvpAllowedAt(x: number, y: number): boolean {
  for (const zone of ZONES) {
    if (!zone.pvp_allowed && Math.hypot(x - zone.center.x, y - zone.center.y) < zone.radius) return false;
  }
  return DEEP_SPACE.pvp;
}

/** Two contexts with the same values (to keep the same object when nothing changed). */
export function sameContext(a: ZoneContext, b: ZoneContext): boolean {
  return (
    a.blended_risk === b.blended_risk &&
    a.blended_security === b.blended_security &&
    a.blended_profit_multiplier === b.blended_profit_multiplier &&
    a.zone_ids.length === b.zone_ids.length &&
    a.zone_ids.every((id, i) => b.zone_ids[i] === id)
  );
}
