/**
 * A headless arena bot: joins with the client SDK over the Seigneur protocol (AES-256-GCM on
 * by default), wanders the arena and shoots at the nearest player in range. Run it against the
 * demo (`npm start`, then in another shell):
 *
 *     node --conditions=chartroom-source --import tsx examples/seigneur-arena/bot.ts [baseUrl] [roomId] [bots]
 *
 * defaults: http://127.0.0.1:8080, room 1001, 3 bots.
 */
import { pathToFileURL } from 'node:url';
import { createClient } from 'chartroom/client';
import type { RoomSession, WebSocketFactory } from 'chartroom/client';
import { createSeigneurClientProtocol, playerIdOf } from 'chartroom/protocols/seigneur';
import { WebSocket } from 'ws';
import { messages } from './room.js';
import { defaultArenaConfig, movePerTick } from './rules.js';

export interface ArenaBotOptions {
  readonly baseUrl: string;
  /** A decimal room id (Seigneur rooms are u32). Default "1001". */
  readonly roomId?: string;
  readonly name: string;
  /** AES-256-GCM on every frame. Default true. */
  readonly encryption?: boolean;
  /** Time between decisions. Default 100 ms. */
  readonly thinkMs?: number;
  /** Default: `ws`'s WebSocket (Node 20 has no global one). */
  readonly webSocket?: WebSocketFactory;
  /** Source of wandering and aim jitter. Default Math.random. */
  readonly random?: () => number;
}

/** What the bot knows of one player, from the server's broadcasts only. */
export interface Seen {
  name: string;
  x: number;
  y: number;
  hp: number;
  alive: boolean;
}

export interface ArenaBot {
  readonly session: RoomSession<typeof messages>;
  readonly playerId: number;
  readonly world: ReadonlyMap<number, Seen>;
  readonly stats: { moves: number; shots: number; hits: number; deaths: number };
  stop(): void;
}

const TURN = 65536;
const angleTo = (from: Seen, to: { x: number; y: number }) =>
  Math.round((Math.atan2(to.y - from.y, to.x - from.x) / (2 * Math.PI)) * TURN) & 0xffff;

/** Join and play until `stop()` (or the room ends). */
export async function startArenaBot(options: ArenaBotOptions): Promise<ArenaBot> {
  const random = options.random ?? Math.random;
  const thinkMs = options.thinkMs ?? 100;
  const { width, height, maxSpeed, shotRange } = defaultArenaConfig;
  const client = createClient({
    baseUrl: options.baseUrl,
    messages,
    protocol: createSeigneurClientProtocol({ encryption: options.encryption ?? true }),
    webSocket: options.webSocket ?? ((url) => new WebSocket(url) as never),
  });
  const session = await client.join(options.roomId ?? '1001', { name: options.name });
  const playerId = playerIdOf(session.seatId) ?? 0;
  const world = new Map<number, Seen>();
  const stats = { moves: 0, shots: 0, hits: 0, deaths: 0 };
  let tick = 0;
  let waypoint = { x: random() * width, y: random() * height };

  const seen = (id: number) => {
    let entry = world.get(id);
    if (!entry) world.set(id, (entry = { name: `#${id}`, x: 0, y: 0, hp: 0, alive: false }));
    return entry;
  };
  session.on('join', (p) => void (seen(p.playerId).name = p.name));
  session.on('leave', (p) => void world.delete(p.playerId));
  session.on('move', (p) => {
    tick = Math.max(tick, p.tick);
    Object.assign(seen(p.playerId), { x: p.x, y: p.y });
  });
  session.on('weapon', ({ tick: at, playerId: id, action }) => {
    tick = Math.max(tick, at);
    if (action.kind === 'respawn')
      Object.assign(seen(id), { x: action.x, y: action.y, hp: action.hp, alive: true });
    if (action.kind === 'damage') {
      seen(action.target).hp = action.hp;
      if (id === playerId) stats.hits++;
    }
    if (action.kind === 'death') {
      seen(id).alive = false;
      if (id === playerId) stats.deaths++;
    }
  });

  const think = () => {
    const me = world.get(playerId);
    if (!me?.alive) return;
    let target: Seen | undefined;
    for (const [id, other] of world) {
      if (id === playerId || !other.alive) continue;
      const d = Math.hypot(other.x - me.x, other.y - me.y);
      if (d <= shotRange * 0.9 && (!target || d < Math.hypot(target.x - me.x, target.y - me.y)))
        target = other;
    }
    if (target) {
      const jitter = Math.round((random() - 0.5) * 600);
      session.send('weapon', {
        tick,
        action: { kind: 'shoot', angle: (angleTo(me, target) + jitter) & 0xffff },
      });
      stats.shots++;
    }
    if (Math.hypot(waypoint.x - me.x, waypoint.y - me.y) < 20)
      waypoint = { x: random() * width, y: random() * height };
    const step = (movePerTick(defaultArenaConfig).perTick * thinkMs) / defaultArenaConfig.tickMs;
    const d = Math.max(1, Math.hypot(waypoint.x - me.x, waypoint.y - me.y));
    const x = Math.round(me.x + ((waypoint.x - me.x) / d) * Math.min(step, d));
    const y = Math.round(me.y + ((waypoint.y - me.y) / d) * Math.min(step, d));
    session.send('move', { tick, x, y, velocity: maxSpeed });
    stats.moves++;
  };
  const timer = setInterval(() => {
    if (session.status === 'connected') think();
    if (session.status === 'closed') clearInterval(timer);
  }, thinkMs);

  return {
    session,
    playerId,
    world,
    stats,
    stop() {
      clearInterval(timer);
      session.leave();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [baseUrl = 'http://127.0.0.1:8080', roomId = '1001', count = '3'] = process.argv.slice(2);
  const bots = await Promise.all(
    Array.from({ length: Number(count) }, (_, i) => startArenaBot({ baseUrl, roomId, name: `bot-${i + 1}` })),
  );
  console.log(`${bots.length} bots in room ${roomId}: players ${bots.map((b) => b.playerId).join(', ')}`);
  const report = setInterval(() => {
    for (const bot of bots) console.log(`player ${bot.playerId}: ${JSON.stringify(bot.stats)}`);
  }, 5000);
  process.on('SIGINT', () => {
    clearInterval(report);
    for (const bot of bots) bot.stop();
    setTimeout(() => process.exit(0), 100);
  });
}
