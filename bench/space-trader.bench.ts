/**
 * Space trader (issue 4): how many players one core holds at 20 Hz, and what the deltas save.
 *
 * In one process, on a simulated clock: the real space-trader world, the real snapshot/delta
 * engine and chart, and per client a real JSON-envelope protocol session whose frames are
 * counted instead of written to a socket. Each measured tick is the wall time of one clock
 * step: world simulation (ships, pirates, projectiles, markets) + every client's view + its
 * diff + its envelope encoding. Clients steer like bots (seeded random inputs, a fifth of
 * them firing), sent between ticks and not timed.
 *
 * Tick time is the process's CPU time (user + system, `process.cpuUsage`) per tick, not wall
 * time: this machine's two cores are shared, and a wall clock counts the other processes'
 * turns (DESIGN.md, "Benchmarks on this machine"). Wall-time percentiles are reported too.
 *
 * Three scenarios: players all over the system, all flying (each sees the ships within its
 * 3000-unit view); the same with half of them docked and idle (a more typical moment); and
 * everyone flying within one view radius (each sees everyone: the worst case). For each, N
 * grows (x2) until the p99 tick passes the 50 ms budget, then a bisection finds the largest N
 * under it. Bytes: the same run with deltas, and with a full snapshot every tick.
 *
 * Environment: TRADER_WARMUP_TICKS (40), TRADER_TICKS (200), TRADER_MAX_PLAYERS (3200).
 */
import { createActor } from 'xstate';
import { createSilentLogger, createSimulatedClock } from 'chartroom';
import type { SeatView, ServerOutput, SyncHost } from 'chartroom';
import { createJsonEnvelopeProtocol } from 'chartroom/protocols/json-envelope';
import { snapshotSync } from 'chartroom/sync/state';
import { STATIONS, WORLD_SIZE } from '../examples/space-trader/data.js';
import {
  entity,
  inputs,
  sections,
  serverMessages,
  traderConfig,
  worldEvent,
} from '../examples/space-trader/messages.js';
import { createPrng } from 'chartroom';
import { createSpaceWorld } from '../examples/space-trader/world.js';
import type { SpaceWorld } from '../examples/space-trader/world.js';
import { format, percentile, table } from './support.js';

export const title = 'Space trader (snapshot/delta)';

const WARMUP = Number(process.env.TRADER_WARMUP_TICKS ?? 40);
const TICKS = Number(process.env.TRADER_TICKS ?? 200);
const MAX_PLAYERS = Number(process.env.TRADER_MAX_PLAYERS ?? 3200);
const BUDGET_MS = 50;

interface Scenario {
  readonly name: string;
  /** Everyone within one view radius (else: all over the system). */
  readonly crowded: boolean;
  /** Share of players docked at a station, sending nothing. */
  readonly idle: number;
}

const scenarios: readonly Scenario[] = [
  { name: 'spread, all flying', crowded: false, idle: 0 },
  { name: 'spread, half docked', crowded: false, idle: 0.5 },
  { name: 'crowded, all flying', crowded: true, idle: 0 },
];

interface Run {
  readonly players: number;
  /** CPU ms per tick. */
  readonly p50: number;
  readonly p99: number;
  /** Wall ms per tick (inflated by other processes on a shared machine). */
  readonly wallP99: number;
  /** Bytes per client per second. */
  readonly bytes: number;
}

function model(snapshotEveryMs: number) {
  return snapshotSync({
    inputs,
    entity,
    sections,
    event: worldEvent,
    serverMessages,
    world: (init) => createSpaceWorld({ ...init, config: traderConfig.parse(init.config) }),
    tickRate: 20,
    snapshotEveryMs,
    // The bench sends one input per client per tick: keep the limiter out of the way.
    limits: { maxInputsPerSecond: 1000, inputBurst: 1000 },
  });
}

function measure(players: number, scenario: Scenario, snapshotsOnly: boolean): Run {
  const clock = createSimulatedClock(0);
  const protocol = createJsonEnvelopeProtocol({ now: () => 0 });
  const seats: SeatView[] = [];
  const sessions = new Map<string, ReturnType<typeof protocol.open>>();
  let bytes = 0;
  const host: SyncHost = {
    roomId: 'bench',
    clock,
    logger: createSilentLogger(),
    seed: () => 1,
    config: () => ({ pirates: 7, startCredits: 5000, cargoCapacity: 50 }),
    seats: () => seats,
    broadcast: (output: ServerOutput) => {
      for (const session of sessions.values()) session.deliver(output);
    },
    sendToSeat: (seatId, output) => sessions.get(seatId)?.deliver(output),
    bufferedBytes: () => 0,
    sendToRoom: () => undefined,
  };
  const engine = model(snapshotsOnly ? 50 : 3000).create(host);
  const world = engine.world() as unknown as SpaceWorld;
  const chart = createActor(engine.logic, {
    clock,
    input: { roomId: 'bench', seed: 1, config: {}, players: [] },
  }).start();
  const random = createPrng(players * 7 + (scenario.crowded ? 1 : 0));
  const idle = new Set<string>();
  for (let i = 0; i < players; i++) {
    const seatId = `p${i}`;
    seats.push({
      seatId,
      userId: seatId,
      name: seatId,
      role: 'player',
      ready: true,
      connected: true,
      left: false,
    });
    sessions.set(
      seatId,
      protocol.open({
        connectionId: seatId,
        params: {},
        send: (frame) => void (bytes += frame.length),
        dispatch: () => undefined,
        report: () => undefined,
        close: () => undefined,
        ping: undefined,
      }),
    );
    engine.joinedPayload?.(seatId, 'player');
    engine.attached?.(seatId, 'player');
    const ship = world.state.bySeat.get(seatId);
    if (!ship) continue;
    if (i < players * scenario.idle) {
      const station = STATIONS[i % STATIONS.length] as (typeof STATIONS)[number];
      Object.assign(ship, { x: station.x, y: station.y, dockedAt: station.id });
      idle.add(seatId);
    } else if (scenario.crowded)
      Object.assign(ship, { x: 2000 + random() * 1500, y: 2000 + random() * 1500 });
    else Object.assign(ship, { x: random() * WORLD_SIZE, y: random() * WORLD_SIZE });
  }
  const steer = new Map<string, number>();
  const times: number[] = [];
  const walls: number[] = [];
  let measuredBytes = 0;
  for (let t = 0; t < WARMUP + TICKS; t++) {
    let seq = t * players;
    for (const { seatId } of seats) {
      if (idle.has(seatId)) continue;
      const turn = Math.max(-1, Math.min(1, (steer.get(seatId) ?? 0) + (random() - 0.5) * 0.4));
      steer.set(seatId, turn);
      const command = {
        thrust: 0.3 + random() * 0.7,
        turn,
        fire_primary: random() < 0.2,
        dock_request: false,
      };
      engine.receive(seatId, 'player', 'input.command', command, ++seq);
    }
    const before = bytes;
    const wall = performance.now();
    const cpu = process.cpuUsage();
    clock.advance(50);
    const used = process.cpuUsage(cpu);
    if (t >= WARMUP) {
      times.push((used.user + used.system) / 1000);
      walls.push(performance.now() - wall);
      measuredBytes += bytes - before;
    }
  }
  chart.stop();
  engine.dispose();
  times.sort((a, b) => a - b);
  walls.sort((a, b) => a - b);
  return {
    players,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    wallP99: percentile(walls, 99),
    bytes: measuredBytes / players / (TICKS * 0.05),
  };
}

/** Largest N with p99 under the budget: doubling, then bisection to within 5 %. */
function capacity(scenario: Scenario): { best: Run | undefined; runs: Run[] } {
  const runs: Run[] = [];
  let best: Run | undefined;
  let failed: number | undefined;
  for (let n = 25; n <= MAX_PLAYERS; n *= 2) {
    const run = measure(n, scenario, false);
    runs.push(run);
    if (run.p99 >= BUDGET_MS) {
      failed = n;
      break;
    }
    best = run;
  }
  let low = best?.players ?? 0;
  let high = failed ?? low;
  for (let i = 0; i < 6 && high - low > Math.max(5, low * 0.05); i++) {
    const mid = Math.round((low + high) / 2);
    const run = measure(mid, scenario, false);
    runs.push(run);
    if (run.p99 < BUDGET_MS) {
      best = run;
      low = mid;
    } else high = mid;
  }
  return { best, runs: runs.sort((a, b) => a.players - b.players) };
}

export async function run(): Promise<string> {
  const out: string[] = [];
  const summary: (string | number)[][] = [];
  for (const scenario of scenarios) {
    const { best, runs } = capacity(scenario);
    out.push(
      `**${scenario.name}**: tick time (simulation + views + diffs + envelope encoding) by players\n\n` +
        table(
          ['players', 'p50 tick CPU ms', 'p99 tick CPU ms', 'p99 tick wall ms', 'bytes/client/s (deltas)'],
          runs.map((r) => [r.players, r.p50, r.p99, r.wallP99, r.bytes]),
        ),
    );
    const n = Math.min(best?.players ?? 25, 100);
    const deltas = measure(n, scenario, false);
    const snapshots = measure(n, scenario, true);
    summary.push([
      scenario.name,
      best ? best.players : `< 25`,
      best ? format(best.p99) : '-',
      n,
      deltas.bytes,
      snapshots.bytes,
      `${format(snapshots.bytes / deltas.bytes)}x`,
      `${format(deltas.p99)} / ${format(snapshots.p99)}`,
    ]);
  }
  return [
    `Node ${process.version}, one process, one core (single-threaded tick), ${TICKS} measured ticks at 20 Hz after ${WARMUP} warm-up ticks; 7 pirates; budget ${BUDGET_MS} ms per tick.`,
    '',
    table(
      [
        'scenario',
        'max players (p99 CPU < 50 ms)',
        'p99 at max (CPU ms)',
        'players in the byte comparison',
        'deltas: B/client/s',
        'full snapshot every tick: B/client/s',
        'snapshot/delta',
        'p99 CPU ms delta / snapshot',
      ],
      summary,
    ),
    '',
    ...out.flatMap((section) => [section, '']),
  ].join('\n');
}
