import type { StateMirror } from 'chartroom/sync/state';
import { VIEW_RADIUS, ZONES } from './data.js';
import type { Entity, WorldEvent, sections } from './messages.js';

/**
 * Canvas drawing of the system around the player's ship: zones (red = risky, dashed = PvP),
 * stations, ships with hull bars, projectiles. Positions are extrapolated from the last
 * world message with the entities' velocities, so 20 Hz updates draw smoothly at 60 fps.
 */
export type TraderMirror = StateMirror<Entity, typeof sections, WorldEvent>;

const TICK_SECONDS = 0.05;

export function drawSky(canvas: HTMLCanvasElement, mirror: TraderMirror, sinceUpdateMs: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const you = mirror.sections.you;
  const me = you ? mirror.entities.get(you.ship_id) : undefined;
  const ahead = Math.min(sinceUpdateMs, 150) / 1000;
  const at = (e: Entity) => {
    if (e.kind === 'projectile' && e.t !== undefined) {
      const age = (mirror.tick - e.t) * TICK_SECONDS + ahead;
      return { x: e.x + (e.vx ?? 0) * age, y: e.y + (e.vy ?? 0) * age };
    }
    return { x: e.x + (e.vx ?? 0) * ahead, y: e.y + (e.vy ?? 0) * ahead };
  };
  const center = me ? at(me) : { x: 1200, y: 400 };
  // Half the view radius across the short side: close enough to fly by; the rest of the view is off-screen.
  const scale = Math.min(canvas.width, canvas.height) / VIEW_RADIUS;
  const sx = (x: number) => canvas.width / 2 + (x - center.x) * scale;
  const sy = (y: number) => canvas.height / 2 + (y - center.y) * scale;

  ctx.fillStyle = '#0b1020';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = '#141b30';
  for (
    let g = Math.floor((center.x - VIEW_RADIUS * 2) / 500) * 500;
    g < center.x + VIEW_RADIUS * 2;
    g += 500
  ) {
    ctx.beginPath();
    ctx.moveTo(sx(g), 0);
    ctx.lineTo(sx(g), canvas.height);
    ctx.stroke();
  }
  for (
    let g = Math.floor((center.y - VIEW_RADIUS * 2) / 500) * 500;
    g < center.y + VIEW_RADIUS * 2;
    g += 500
  ) {
    ctx.beginPath();
    ctx.moveTo(0, sy(g));
    ctx.lineTo(canvas.width, sy(g));
    ctx.stroke();
  }

  for (const zone of mirror.sections.zones ?? ZONES) {
    const risk = zone.risk_level / 100;
    ctx.fillStyle = `rgba(${Math.round(80 + 170 * risk)}, ${Math.round(160 - 100 * risk)}, 120, 0.08)`;
    ctx.strokeStyle = `rgba(${Math.round(80 + 170 * risk)}, ${Math.round(160 - 100 * risk)}, 120, 0.5)`;
    ctx.setLineDash(zone.pvp_allowed ? [6, 6] : []);
    ctx.beginPath();
    ctx.arc(sx(zone.center.x), sy(zone.center.y), zone.radius * scale, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = '#8891a5';
    ctx.fillText(zone.zone_id, sx(zone.center.x) - 30, sy(zone.center.y - zone.radius) + 14);
  }

  for (const e of mirror.entities.values()) {
    const p = at(e);
    const x = sx(p.x);
    const y = sy(p.y);
    if (e.kind === 'station') {
      ctx.fillStyle = '#ebcb8b';
      ctx.fillRect(x - 7, y - 7, 14, 14);
      ctx.fillText(e.id, x + 10, y + 4);
      continue;
    }
    if (e.kind === 'projectile') {
      ctx.fillStyle = '#eceff4';
      ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
      continue;
    }
    const own = e.id === you?.ship_id;
    ctx.fillStyle = e.kind === 'pirate' ? '#bf616a' : own ? '#a3be8c' : '#81a1c1';
    ctx.save();
    ctx.translate(x, y);
    ctx.rotate(e.r ?? 0);
    ctx.beginPath();
    ctx.moveTo(12, 0);
    ctx.lineTo(-8, 7);
    ctx.lineTo(-8, -7);
    ctx.closePath();
    ctx.fill();
    ctx.restore();
    const hp = (e.hp ?? 0) / (e.kind === 'pirate' ? 80 : 100);
    ctx.fillStyle = '#3b4252';
    ctx.fillRect(x - 12, y + 12, 24, 3);
    ctx.fillStyle = hp > 0.5 ? '#a3be8c' : hp > 0.25 ? '#ebcb8b' : '#bf616a';
    ctx.fillRect(x - 12, y + 12, 24 * Math.max(0, Math.min(1, hp)), 3);
    ctx.fillStyle = '#8891a5';
    ctx.fillText(e.id, x + 12, y - 10);
  }
  if (you && !me) {
    ctx.fillStyle = '#bf616a';
    ctx.font = '20px system-ui';
    ctx.fillText('Destroyed: respawning at earth-orbit-station…', 40, 60);
    ctx.font = '10px sans-serif';
  }
}
