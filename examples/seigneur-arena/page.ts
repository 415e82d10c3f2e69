import { createClient } from 'chartroom/client';
import type { RoomSession } from 'chartroom/client';
import { createSeigneurClientProtocol, playerIdOf } from 'chartroom/protocols/seigneur';
import { messages } from './room.js';
import { Ability, defaultArenaConfig } from './rules.js';

/**
 * The arena in a browser: the client SDK over the Seigneur protocol, a canvas, the keyboard
 * to move (the server decides where you really are), the mouse to aim, Space to shoot.
 */
interface Body {
  name: string;
  x: number;
  y: number;
  hp: number;
  alive: boolean;
  kills: number;
  shieldUntil: number;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const roomId = new URLSearchParams(location.search).get('game_id') ?? '1001';
const canvas = $<HTMLCanvasElement>('arena');
const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
const { width, height, maxHp, maxSpeed, tickMs, shotRange } = defaultArenaConfig;
const scale = canvas.width / width;
const bodies = new Map<number, Body>();
const tracers: { x: number; y: number; angle: number; until: number }[] = [];
const held = new Set<string>();
const aim = { x: width / 2, y: height / 2 };
let session: RoomSession<typeof messages> | undefined;
let me = 0;
let tick = 0;
$('room').textContent = roomId;

const log = (text: string) => ($('log').textContent = text);
const body = (id: number) => {
  let b = bodies.get(id);
  if (!b) bodies.set(id, (b = { name: `#${id}`, x: 0, y: 0, hp: 0, alive: false, kills: 0, shieldUntil: 0 }));
  return b;
};
const angleTo = (from: Body, to: { x: number; y: number }) =>
  Math.round((Math.atan2(to.y - from.y, to.x - from.x) / (2 * Math.PI)) * 65536) & 0xffff;

function attach(s: RoomSession<typeof messages>) {
  session = s;
  me = playerIdOf(s.seatId) ?? 0;
  $('me').textContent = `player ${me}`;
  ($('join') as HTMLButtonElement).disabled = true;
  ($('leave') as HTMLButtonElement).disabled = false;
  s.onStatus((status) => ($('status').textContent = status));
  $('status').textContent = s.status;
  s.onError((error) => log(`${error.code}: ${error.message}`));
  s.on('join', (p) => void (body(p.playerId).name = p.name));
  s.on('leave', (p) => void bodies.delete(p.playerId));
  s.on('move', (p) => {
    tick = Math.max(tick, p.tick);
    Object.assign(body(p.playerId), { x: p.x, y: p.y });
  });
  s.on('weapon', ({ tick: at, playerId, action }) => {
    tick = Math.max(tick, at);
    const b = body(playerId);
    switch (action.kind) {
      case 'shoot':
        tracers.push({ x: b.x, y: b.y, angle: action.angle, until: performance.now() + 120 });
        break;
      case 'damage':
        body(action.target).hp = action.hp;
        break;
      case 'death':
        b.alive = false;
        if (bodies.has(action.killer)) body(action.killer).kills++;
        if (playerId === me) log(`You were shot by ${body(action.killer).name}.`);
        break;
      case 'respawn':
        Object.assign(b, { x: action.x, y: action.y, hp: action.hp, alive: true });
        break;
      case 'ability':
        if (action.ability === Ability.Shield) b.shieldUntil = performance.now() + 2000;
        break;
    }
  });
}

/** Every tick: ask to move one tick's worth in the held direction (the server may say less). */
setInterval(() => {
  const mine = bodies.get(me);
  if (!session || session.status !== 'connected' || !mine?.alive) return;
  const dx = Number(held.has('right')) - Number(held.has('left'));
  const dy = Number(held.has('down')) - Number(held.has('up'));
  if (!dx && !dy) return;
  const step = (maxSpeed * tickMs) / 1000 / Math.hypot(dx, dy);
  const x = Math.max(0, Math.min(width, Math.round(mine.x + dx * step)));
  const y = Math.max(0, Math.min(height, Math.round(mine.y + dy * step)));
  session.send('move', { tick, x, y, velocity: maxSpeed });
}, tickMs);

const keys: Record<string, string> = {
  KeyW: 'up',
  ArrowUp: 'up',
  KeyS: 'down',
  ArrowDown: 'down',
  KeyA: 'left',
  ArrowLeft: 'left',
  KeyD: 'right',
  ArrowRight: 'right',
};
addEventListener('keydown', (event) => {
  if (document.activeElement instanceof HTMLInputElement) return;
  const mine = bodies.get(me);
  if (keys[event.code]) held.add(keys[event.code] as string);
  if (!session || !mine) return;
  const angle = angleTo(mine, aim);
  if (event.code === 'Space') session.send('weapon', { tick, action: { kind: 'shoot', angle } });
  if (event.code === 'KeyQ')
    session.send('weapon', { tick, action: { kind: 'ability', ability: Ability.Dash, angle } });
  if (event.code === 'KeyE')
    session.send('weapon', { tick, action: { kind: 'ability', ability: Ability.Shield, angle } });
  if (keys[event.code] || event.code === 'Space') event.preventDefault();
});
addEventListener('keyup', (event) => void held.delete(keys[event.code] ?? ''));
canvas.addEventListener('mousemove', (event) => {
  const rect = canvas.getBoundingClientRect();
  aim.x = (event.clientX - rect.left) / scale;
  aim.y = (event.clientY - rect.top) / scale;
});

function draw() {
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const now = performance.now();
  for (const t of tracers.filter((t) => t.until > now)) {
    const radians = (t.angle / 65536) * 2 * Math.PI;
    ctx.strokeStyle = '#ffd166';
    ctx.beginPath();
    ctx.moveTo(t.x * scale, t.y * scale);
    ctx.lineTo((t.x + Math.cos(radians) * shotRange) * scale, (t.y + Math.sin(radians) * shotRange) * scale);
    ctx.stroke();
  }
  tracers.splice(0, tracers.length, ...tracers.filter((t) => t.until > now));
  for (const [id, b] of bodies) {
    const x = b.x * scale;
    const y = b.y * scale;
    ctx.fillStyle = !b.alive ? '#444' : id === me ? '#06d6a0' : '#ef476f';
    ctx.beginPath();
    ctx.arc(x, y, 8, 0, 2 * Math.PI);
    ctx.fill();
    if (b.shieldUntil > now) {
      ctx.strokeStyle = '#118ab2';
      ctx.beginPath();
      ctx.arc(x, y, 13, 0, 2 * Math.PI);
      ctx.stroke();
    }
    ctx.fillStyle = '#ddd';
    ctx.fillText(b.name, x + 11, y - 6);
    ctx.fillStyle = '#06d6a0';
    ctx.fillRect(x - 10, y + 11, (20 * b.hp) / maxHp, 3);
  }
  $('scores').innerHTML = [...bodies.entries()]
    .sort(([, a], [, b]) => b.kills - a.kills)
    .map(
      ([id, b]) =>
        `<li>${id === me ? '<b>' : ''}${b.name.replace(/[<&]/g, '')} · ${b.kills} kills · ${b.hp} hp${id === me ? '</b>' : ''}</li>`,
    )
    .join('');
  requestAnimationFrame(draw);
}
requestAnimationFrame(draw);

const storageKey = `chartroom:seigneur:${roomId}`;
const clientFor = () =>
  createClient({
    baseUrl: location.origin,
    messages,
    protocol: createSeigneurClientProtocol({ encryption: ($('encrypt') as HTMLInputElement).checked }),
    onResumeToken: (token) => sessionStorage.setItem(storageKey, token),
  });

$('join').onclick = async () => {
  const name = ($('name') as HTMLInputElement).value.trim();
  try {
    attach(await clientFor().join(roomId, name ? { name } : {}));
    canvas.focus();
  } catch (error) {
    log(String(error));
  }
};
$('leave').onclick = () => {
  session?.leave();
  sessionStorage.removeItem(storageKey);
  bodies.clear();
  ($('join') as HTMLButtonElement).disabled = false;
  ($('leave') as HTMLButtonElement).disabled = true;
};

const stored = sessionStorage.getItem(storageKey);
if (stored)
  clientFor()
    .resume(stored)
    .then(attach, () => sessionStorage.removeItem(storageKey));
