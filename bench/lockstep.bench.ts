/**
 * Lockstep relay workload (issue 3): R rooms x 8 clients, one command packet per client per
 * 50 ms turn, one master packet broadcast per room per turn, against a minimal hand-written
 * `ws` relay measured in the same run (bench/lockstep/server-relay.ts).
 *
 * Each server runs in its own process; the load generator (raw `ws` clients, bench/lockstep/load.ts)
 * runs here and is the same for both. Runs are interleaved (relay R=10, Chartroom R=10, relay
 * R=50, ...). Per run: seat every client, warm up, then a measured window in which the server
 * reports its own CPU time and a timestamp per master, and the clients timestamp every arrival.
 *
 * Environment (all optional):
 * - LOCKSTEP_ROOMS=10,50,125   room counts
 * - LOCKSTEP_WARMUP_MS=2500, LOCKSTEP_WINDOW_MS=5000, LOCKSTEP_ROUNDS=2 (rounds repeat the whole
 *   interleaved sequence; a run's figures are the median over rounds)
 * - LOCKSTEP_SERVERS=relay,chartroom   which servers, in run order
 * - LOCKSTEP_TREES=base=/path,...   also run the Chartroom server of other copies of the
 *   repository, under those names (to compare a runtime change against the code before it,
 *   interleaved in one run)
 * - LOCKSTEP_CPU_PROF=/dir   run the servers with --cpu-prof into that directory
 * - LOCKSTEP_NODE_ARGS='--flag ...'   extra node flags for the server processes
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { percentile, table } from './support.js';
import { startLoad } from './lockstep/load.js';
import type { LoadResult, ServerKind } from './lockstep/load.js';
import { CLIENTS_PER_ROOM, LATE_TURN_MS, TURN_MS } from './lockstep/shared.js';
import type { ChildMessage } from './lockstep/shared.js';
import { killAll, startServerProcess } from './lockstep/spawn.js';

export const title = 'Lockstep relay workload';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const ROOMS = env('LOCKSTEP_ROOMS', '10,50,125').split(',').map(Number);
const WARMUP_MS = Number(env('LOCKSTEP_WARMUP_MS', '2500'));
const WINDOW_MS = Number(env('LOCKSTEP_WINDOW_MS', '5000'));
const ROUNDS = Number(env('LOCKSTEP_ROUNDS', '2'));
const CPU_PROF = process.env.LOCKSTEP_CPU_PROF;
const NODE_ARGS = (process.env.LOCKSTEP_NODE_ARGS ?? '').split(' ').filter(Boolean);
const TREES = (process.env.LOCKSTEP_TREES ?? '')
  .split(',')
  .filter(Boolean)
  .map((entry) => entry.split('=') as [string, string]);

interface Variant {
  readonly name: string;
  readonly kind: ServerKind;
  readonly script: string;
  readonly cwd?: string;
}

const here = (file: string) => fileURLToPath(new URL(`./lockstep/${file}`, import.meta.url));
const variants: Record<string, Variant> = {
  relay: { name: 'relay', kind: 'relay', script: here('server-relay.ts') },
  chartroom: { name: 'chartroom', kind: 'chartroom', script: here('server-chartroom.ts') },
  ...Object.fromEntries(
    TREES.map(([name, tree]): [string, Variant] => [
      name,
      {
        name,
        kind: 'chartroom',
        // A .ts tree, or one compiled to JavaScript (exact line numbers in --cpu-prof profiles).
        script: [
          `${tree}/bench/lockstep/server-chartroom.ts`,
          `${tree}/bench/lockstep/server-chartroom.js`,
        ].find((path) => existsSync(path)) as string,
        cwd: tree,
      },
    ]),
  ),
};
const order = env('LOCKSTEP_SERVERS', ['relay', ...TREES.map(([name]) => name), 'chartroom'].join(','))
  .split(',')
  .map((name) => {
    const variant = variants[name];
    if (!variant) throw new Error(`LOCKSTEP_SERVERS: unknown server "${name}"`);
    return variant;
  });

interface Run {
  readonly server: string;
  readonly rooms: number;
  readonly clients: number;
  /** Server CPU ms per client per second of the window. */
  readonly cpuPerClient: number;
  /** Server CPU µs per client per turn issued (independent of how many turns the window held). */
  readonly cpuPerClientTurn: number;
  /** The same, in the window's quietest second (the least disturbed by other work on the machine). */
  readonly cpuPerClientTurnBest: number;
  /** Server CPU as a share of one core. */
  readonly cpuShare: number;
  readonly p50: number;
  readonly p99: number;
  /** Deadline to the master encoded, p99 (the server's own part of the latency, before the sends). */
  readonly issueP99: number;
  readonly lateTurns: number;
  readonly roomTurns: number;
  readonly turnsPerRoomPerSecond: number;
  /** Load generator CPU as a share of one core. */
  readonly loadShare: number;
  readonly problems: readonly string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function analyse(
  variant: Variant,
  rooms: number,
  stopped: Extract<ChildMessage, { event: 'stopped' }>,
  load: LoadResult,
  loadCpuMs: number,
): Run {
  const { issues, wallMs, cpuMs } = stopped;
  const deadlineOf = new Map<number, number>();
  const issueTimes: number[] = [];
  for (let i = 0; i < issues.seq.length; i++) {
    deadlineOf.set(issues.seq[i] as number, issues.deadline[i] as number);
    issueTimes.push((issues.encoded[i] as number) - (issues.deadline[i] as number));
  }
  const latencies: number[] = [];
  const worstInterval = new Map<number, number>(); // room * 2^24 + turn -> worst interval at any client
  for (const client of load.clients) {
    for (let i = 0; i < client.seq.length; i++) {
      const deadline = deadlineOf.get(client.seq[i] as number);
      if (deadline !== undefined) latencies.push((client.at[i] as number) - deadline);
      if (i > 0 && client.turn[i] === (client.turn[i - 1] as number) + 1) {
        const key = client.room * 2 ** 24 + (client.turn[i] as number);
        const interval = (client.at[i] as number) - (client.at[i - 1] as number);
        if (interval > (worstInterval.get(key) ?? -1)) worstInterval.set(key, interval);
      }
    }
  }
  latencies.sort((a, b) => a - b);
  issueTimes.sort((a, b) => a - b);
  let late = 0;
  for (const interval of worstInterval.values()) if (interval > LATE_TURN_MS) late++;
  const clients = rooms * CLIENTS_PER_ROOM;
  const seconds = wallMs / 1000;
  const problems = [...load.errors.slice(0, 3)];
  const errors = stopped.notes.errors as Record<string, number> | undefined;
  if (errors && Object.keys(errors).length) problems.push(`server errors ${JSON.stringify(errors)}`);
  if (latencies.length === 0) problems.push('no master matched');
  return {
    server: variant.name,
    rooms,
    clients,
    cpuPerClient: cpuMs / clients / seconds,
    cpuPerClientTurn: (cpuMs * 1000) / Math.max(1, issues.seq.length * CLIENTS_PER_ROOM),
    cpuPerClientTurnBest: Math.min(
      ...stopped.slices
        .filter((slice) => slice.masters > 0)
        .map((slice) => (slice.cpuMs * 1000) / (slice.masters * CLIENTS_PER_ROOM)),
    ),
    cpuShare: cpuMs / wallMs,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    issueP99: percentile(issueTimes, 99),
    lateTurns: late,
    roomTurns: worstInterval.size,
    turnsPerRoomPerSecond: issues.seq.length / rooms / seconds,
    loadShare: loadCpuMs / wallMs,
    problems,
  };
}

async function measure(variant: Variant, rooms: number): Promise<Run> {
  const nodeArgs = [...NODE_ARGS, ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [])];
  const server = startServerProcess(variant.script, {
    ...(variant.cwd ? { cwd: variant.cwd } : {}),
    nodeArgs,
  });
  let load: ReturnType<typeof startLoad> | undefined;
  try {
    const { port, path } = await server.next('listening', 30_000);
    const { rooms: setups } = await server.request({ cmd: 'setup', rooms }, 'setup', 30_000);
    load = startLoad(variant.kind, port, path, setups);
    await bounded(load.ready, 60_000, `${variant.name} R=${rooms}: seating the clients`);
    await sleep(WARMUP_MS);
    const loadCpu = process.cpuUsage();
    load.startRecording();
    await server.request({ cmd: 'start' }, 'started', 10_000);
    await sleep(WINDOW_MS);
    const stopped = server.request({ cmd: 'stop' }, 'stopped', 30_000);
    const result = load.stopRecording();
    const used = process.cpuUsage(loadCpu);
    return analyse(variant, rooms, await stopped, result, (used.user + used.system) / 1000);
  } finally {
    load?.close();
    await server.stop();
  }
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

function summarise(runs: readonly Run[]): Run {
  const first = runs[0] as Run;
  if (runs.length === 1) return first;
  const m = (pick: (run: Run) => number) => median(runs.map(pick));
  return {
    ...first,
    cpuPerClient: m((r) => r.cpuPerClient),
    cpuPerClientTurn: m((r) => r.cpuPerClientTurn),
    cpuPerClientTurnBest: Math.min(...runs.map((r) => r.cpuPerClientTurnBest)),
    cpuShare: m((r) => r.cpuShare),
    p50: m((r) => r.p50),
    p99: m((r) => r.p99),
    issueP99: m((r) => r.issueP99),
    lateTurns: runs.reduce((sum, r) => sum + r.lateTurns, 0),
    roomTurns: runs.reduce((sum, r) => sum + r.roomTurns, 0),
    turnsPerRoomPerSecond: m((r) => r.turnsPerRoomPerSecond),
    loadShare: m((r) => r.loadShare),
    problems: runs.flatMap((r) => r.problems),
  };
}

const pct = (share: number) => `${(share * 100).toFixed(0)} %`;
const ms = (value: number) => value.toFixed(2);
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');

export async function run(): Promise<string> {
  const load0 = loadavg()[0] ?? 0;
  const runs: Run[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const rooms of ROOMS) {
        for (const variant of order) {
          const result = await measure(variant, rooms);
          runs.push(result);
          console.error(
            `lockstep: ${variant.name} R=${rooms}: ${result.cpuPerClient.toFixed(3)} ms/client/s, ` +
              `${result.cpuPerClientTurn.toFixed(1)} µs/client-turn (best 1 s ${result.cpuPerClientTurnBest.toFixed(1)}), ` +
              `${result.turnsPerRoomPerSecond.toFixed(1)} turns/s, ` +
              `p50 ${ms(result.p50)} ms, p99 ${ms(result.p99)} ms, late ${result.lateTurns}/${result.roomTurns}`,
          );
        }
      }
    }
  } finally {
    killAll();
  }

  const summary = ROOMS.flatMap((rooms) =>
    order.map((variant) => summarise(runs.filter((r) => r.rooms === rooms && r.server === variant.name))),
  );
  const measured = table(
    [
      'Rooms x 8',
      'Clients',
      'Server',
      'CPU ms / client / s',
      'CPU µs / client-turn',
      'best 1 s',
      'Server CPU (1 core)',
      'p50 ms',
      'p99 ms',
      'Issue p99 ms',
      'Late turns',
      'Turns / room / s',
      'Load gen CPU',
    ],
    summary.map((r) => [
      String(r.rooms),
      String(r.clients),
      r.server,
      r.cpuPerClient.toFixed(4),
      r.cpuPerClientTurn.toFixed(1),
      r.cpuPerClientTurnBest.toFixed(1),
      pct(r.cpuShare),
      ms(r.p50),
      ms(r.p99),
      ms(r.issueP99),
      `${r.lateTurns} / ${r.roomTurns}`,
      r.turnsPerRoomPerSecond.toFixed(1),
      pct(r.loadShare),
    ]),
  );
  const candidates = order.filter((v) => v.kind === 'chartroom');
  const ratios = table(
    [
      'Rooms x 8',
      'Clients',
      ...candidates.flatMap((v) => [
        `CPU / s ${v.name}/relay`,
        `CPU / turn ${v.name}/relay`,
        `CPU best 1 s ${v.name}/relay`,
        `p50 ${v.name}/relay`,
        `p99 ${v.name}/relay`,
      ]),
    ],
    ROOMS.map((rooms) => {
      const relay = summary.find((r) => r.rooms === rooms && r.server === 'relay');
      return [
        String(rooms),
        String(rooms * CLIENTS_PER_ROOM),
        ...candidates.flatMap((v) => {
          const c = summary.find((r) => r.rooms === rooms && r.server === v.name);
          if (!relay || !c) return ['n/a', 'n/a', 'n/a', 'n/a', 'n/a'];
          return [
            ratio(c.cpuPerClient, relay.cpuPerClient),
            ratio(c.cpuPerClientTurn, relay.cpuPerClientTurn),
            ratio(c.cpuPerClientTurnBest, relay.cpuPerClientTurnBest),
            ratio(c.p50, relay.p50),
            ratio(c.p99, relay.p99),
          ];
        }),
      ];
    }),
  );
  const problems = summary.flatMap((r) => r.problems.map((p) => `${r.server} R=${r.rooms}: ${p}`));
  const cpu = cpus();
  return [
    `Node ${process.version}, ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}) shared with other work ` +
      `(load average ${load0.toFixed(1)} at start); ${ROUNDS} round(s), warm-up ${WARMUP_MS} ms, ` +
      `measured window ${WINDOW_MS} ms per run, runs interleaved (${order.map((v) => v.name).join(', ')} per room count).`,
    '',
    measured,
    '',
    ratios,
    '',
    `- **CPU ms / client / s**: the server process's own CPU time (user + system, \`process.cpuUsage\`) ` +
      `over the window, divided by clients and seconds; **µs / client-turn**: the same CPU time divided by ` +
      `the masters issued in the window x 8 (the cost of one client's turn, whatever the turn rate); ` +
      `**best 1 s**: the same in the window's quietest second (the least disturbed by other work).`,
    `- **Latency** (p50, p99 over every master arrival at every client): from the turn's deadline at the ` +
      `server (the start of the callback that issued it: the ${TURN_MS} ms turn timer, or the arrival of ` +
      `the turn's last command packet if it was incomplete at the timer) to the master's arrival at the ` +
      `client, both on CLOCK_MONOTONIC. **Issue p99**: deadline to the master packet encoded (before the sends).`,
    `- **Late turns**: room-turns whose master reached some client more than ${LATE_TURN_MS} ms after the ` +
      `previous one; out of every room-turn observed in the window.`,
    ...(problems.length ? ['', `Problems: ${problems.slice(0, 10).join('; ')}`] : []),
  ].join('\n');
}
