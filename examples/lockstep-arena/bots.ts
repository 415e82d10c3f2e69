/**
 * Headless arena bots (Node): each bot is an ordinary client, the same SDK, lockstep runner and
 * deterministic engine as the browser page, with a seeded PRNG in place of a mouse. Use them to
 * fill a room, from tests, and from the benchmark.
 *
 * CLI, against a running demo server (`npm start`):
 *
 *     node --conditions=chartroom-source --import tsx examples/lockstep-arena/bots.ts \
 *       --url http://127.0.0.1:8080 --room demo-arena --count 4 [--turns 600] [--seed 1]
 *
 * The bots join the room (while it is in setup), press ready, play until every bot applied
 * `--turns` turns, print each bot's checksum after that turn and leave. The exit code is 1 when
 * the checksums differ (the game diverged) or something failed.
 *
 * To play against them, give the bots a fresh room and yourself time to join it first:
 *
 *     ... bots.ts --create --admin-secret <from npm start's output> --ready-delay 30 --count 3
 *
 * `--create` makes a new `lockstep-arena` room (`POST /rooms`; the secret may also come from
 * CHARTROOM_ADMIN_SECRET) and prints its page; the bots press ready after `--ready-delay`
 * seconds, and the match starts once every player, bot or human, is ready.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { createClient, createLockstepRunner } from 'chartroom/client';
import type { LockstepRunner, RoomSession, WebSocketFactory, WebSocketLike } from 'chartroom/client';
import type { Divergence } from 'chartroom/sync/lockstep';
import { WORLD, createArenaEngine } from './engine.js';
import type { ArenaCommand, ArenaState } from './engine.js';
import { arenaMessages } from './room.js';
import { createPrng } from 'chartroom';

export interface BotOptions {
  /** HTTP base URL of the server, e.g. `http://127.0.0.1:8080`. */
  readonly baseUrl: string;
  /** A room of type `lockstep-arena` that is still in setup. */
  readonly roomId: string;
  /** Bots to seat (the room holds 8 players in all). */
  readonly count: number;
  /** The turn every bot plays to; each reports its checksum after exactly this turn. */
  readonly turns: number;
  /** Opens a WebSocket. Default: the `ws` package (Node 20 has no global WebSocket). */
  readonly webSocket?: WebSocketFactory;
  /** Seed of the bots' decisions; bot i draws from its own stream. Default 1. */
  readonly seed?: number;
  /** Bot names are `${namePrefix}${i + 1}`. Default `bot-`. */
  readonly namePrefix?: string;
  /** Chance per turn that a bot orders a move, and that it fires at the nearest ship. Defaults 0.08, 0.15. */
  readonly moveChance?: number;
  readonly fireChance?: number;
  /** Wait this long after seating every bot before pressing ready (lets humans join). Default 0. */
  readonly readyDelayMs?: number;
  /** Give up (and reject) after this long, counted from pressing ready. Default 120 000 ms. */
  readonly timeoutMs?: number;
  /** Leave the room when done (default); `false` only closes the links, keeping the seats for the grace period. */
  readonly leave?: boolean;
  /** Progress: the lowest turn every bot has applied, after each turn of the slowest bot. */
  readonly onProgress?: (turn: number) => void;
}

export interface BotResult {
  readonly name: string;
  readonly seatId: string;
  /** The turn the checksum is taken after (`turns`). */
  readonly turn: number;
  /** The bot's engine checksum after `turn`: the same for every bot unless the game diverged. */
  readonly checksum: string;
  /** The last turn the bot applied before it stopped (>= `turn`). */
  readonly lastTurn: number;
  /** Commands the bot issued. */
  readonly commands: number;
  /** Smoothed round-trip time to the server at the end, ms. */
  readonly latencyMs: number;
}

/** One bot's choice for this turn, from the (read-only) engine state and its own PRNG. */
function decide(
  state: ArenaState,
  seat: string,
  next: () => number,
  chances: { move: number; fire: number },
): ArenaCommand[] {
  const me = state.ships.find((s) => s.seat === seat);
  if (!me || me.hp <= 0) return [];
  const commands: ArenaCommand[] = [];
  if (next() < chances.move) {
    commands.push({ kind: 'move', x: Math.floor(next() * (WORLD + 1)), y: Math.floor(next() * (WORLD + 1)) });
  }
  if (me.reload === 0 && next() < chances.fire) {
    let target: { x: number; y: number } | undefined;
    let best = Infinity;
    for (const ship of state.ships) {
      if (ship.seat === seat || ship.hp <= 0) continue;
      const d = (ship.x - me.x) ** 2 + (ship.y - me.y) ** 2;
      if (d < best) [best, target] = [d, ship];
    }
    if (target) {
      const aim = (n: number) => Math.min(WORLD, Math.max(0, n + Math.floor(next() * 41) - 20));
      commands.push({ kind: 'fire', x: aim(target.x), y: aim(target.y) });
    }
  }
  return commands;
}

const nodeWebSocket: WebSocketFactory = (url) => new WebSocket(url) as unknown as WebSocketLike;

interface Bot {
  readonly name: string;
  readonly session: RoomSession<typeof arenaMessages>;
  readonly runner: LockstepRunner<ArenaCommand>;
  checksum: string | undefined;
  commands: number;
}

/**
 * Seat `count` bots in a room, ready them and play until every bot applied turn `turns`;
 * resolves with each bot's checksum after that turn. Rejects on a divergence (the room halts),
 * a bot losing its seat, or the timeout.
 *
 * @example
 * const results = await runBots({ baseUrl: url, roomId, count: 4, turns: 300 });
 * expect(new Set(results.map((r) => r.checksum)).size).toBe(1);
 */
export async function runBots(options: BotOptions): Promise<BotResult[]> {
  const { baseUrl, roomId, count, turns, seed = 1, namePrefix = 'bot-', timeoutMs = 120_000 } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
  if (!Number.isInteger(turns) || turns < 0) throw new RangeError('turns must be a non-negative integer');
  const chances = { move: options.moveChance ?? 0.08, fire: options.fireChance ?? 0.15 };
  const client = createClient({
    baseUrl,
    messages: arenaMessages,
    webSocket: options.webSocket ?? nodeWebSocket,
  });

  const bots: Bot[] = [];
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined); // a failure after the race is decided is not unhandled
  const fail = (error: Error) => settle?.reject(error);
  let reported = -1;
  const progress = () => {
    const slowest = Math.min(...bots.map((b) => b.runner.turn));
    if (slowest > reported) {
      reported = slowest;
      options.onProgress?.(slowest);
    }
    if (bots.length === count && bots.every((b) => b.checksum !== undefined)) settle?.resolve();
  };

  try {
    for (let i = 0; i < count; i++) {
      const name = `${namePrefix}${i + 1}`;
      const session = await client.join(roomId, { name });
      if (session.role !== 'player') {
        session.close();
        throw new Error(
          `${name} joined ${roomId} as a ${session.role}: bots need a room in setup with free seats.`,
        );
      }
      const engine = createArenaEngine();
      const next = createPrng(Math.imul(seed, 0x9e3779b1) + i);
      const bot: Bot = {
        name,
        session,
        checksum: undefined,
        commands: 0,
        runner: createLockstepRunner<ArenaCommand>({
          session,
          engine,
          onTurn: (turn) => {
            if (turn === turns) bot.checksum = engine.checksum();
            // Queued here, the commands go out with the packet the runner sends after this turn.
            if (turn < turns) {
              for (const command of decide(engine.state, session.seatId, next, chances)) {
                bot.runner.queue(command);
                bot.commands++;
              }
            }
            progress();
          },
          onHalt: (divergence: Divergence) =>
            fail(
              new Error(`The room halted at turn ${divergence.turn}: ${JSON.stringify(divergence.groups)}`),
            ),
        }),
      };
      session.onStatus((status) => {
        if (status === 'closed' && bot.checksum === undefined) fail(new Error(`${name} lost its seat.`));
      });
      bots.push(bot);
    }
    if (options.readyDelayMs) await new Promise((resolve) => setTimeout(resolve, options.readyDelayMs));
    for (const bot of bots) bot.session.ready();

    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `Bots did not reach turn ${turns} within ${timeoutMs} ms (at ${bots.map((b) => b.runner.turn).join(', ')}).`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      // Every bot keeps playing until all reached the turn: one that stopped would hold the others up.
      await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return bots.map((bot) => ({
      name: bot.name,
      seatId: bot.session.seatId,
      turn: turns,
      checksum: bot.checksum as string,
      lastTurn: bot.runner.turn,
      commands: bot.commands,
      latencyMs: Math.round(bot.runner.latencyMs),
    }));
  } finally {
    for (const bot of bots) {
      bot.runner.stop();
      if (options.leave === false) bot.session.close();
      else bot.session.leave();
    }
  }
}

/** `POST /rooms` (admin): a new arena room; returns its id and the page to open. */
async function createRoom(baseUrl: string, adminSecret: string): Promise<{ roomId: string; page: string }> {
  const response = await fetch(`${baseUrl}/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminSecret}` },
    body: JSON.stringify({ type: 'lockstep-arena' }),
  });
  const body = (await response.json()) as { room_id?: string; error?: { message: string } };
  if (!response.ok || !body.room_id)
    throw new Error(`Could not create a room: ${body.error?.message ?? response.status}`);
  return { roomId: body.room_id, page: `${baseUrl}/examples/lockstep-arena/?game_id=${body.room_id}` };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:8080' },
      room: { type: 'string', default: 'demo-arena' },
      create: { type: 'boolean', default: false },
      'admin-secret': { type: 'string', default: process.env.CHARTROOM_ADMIN_SECRET ?? '' },
      count: { type: 'string', default: '4' },
      turns: { type: 'string', default: '600' },
      seed: { type: 'string', default: '1' },
      'ready-delay': { type: 'string', default: '0' },
    },
  });
  const baseUrl = values.url.replace(/\/+$/, '');
  const count = Number(values.count);
  const turns = Number(values.turns);
  const readyDelayMs = Number(values['ready-delay']) * 1000;
  let roomId = values.room;
  if (values.create) {
    if (!values['admin-secret'])
      throw new Error('--create needs --admin-secret (or CHARTROOM_ADMIN_SECRET).');
    const room = await createRoom(baseUrl, values['admin-secret']);
    roomId = room.roomId;
    console.log(`Created room ${roomId}; play along at ${room.page}`);
  }
  console.log(`${count} bots joining ${roomId} on ${baseUrl}; playing to turn ${turns}…`);
  if (readyDelayMs > 0) console.log(`They press ready in ${readyDelayMs / 1000} s.`);
  const started = Date.now();
  const results = await runBots({
    baseUrl,
    roomId,
    count,
    turns,
    readyDelayMs,
    timeoutMs: Math.max(120_000, turns * 1000), // turns stretch to 1 s at worst
    seed: Number(values.seed),
    onProgress: (turn) => {
      if (turn > 0 && turn % 100 === 0) console.log(`  turn ${turn}`);
    },
  });
  const seconds = (Date.now() - started) / 1000;
  for (const r of results) {
    console.log(
      `  ${r.name.padEnd(8)} ${r.seatId.padEnd(4)} turn ${r.turn}  checksum ${r.checksum}  ` +
        `${r.commands} commands  rtt ${r.latencyMs} ms`,
    );
  }
  const agreed = new Set(results.map((r) => r.checksum)).size === 1;
  console.log(agreed ? `In sync after ${seconds.toFixed(1)} s.` : 'DIVERGED: the checksums differ.');
  process.exitCode = agreed ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
