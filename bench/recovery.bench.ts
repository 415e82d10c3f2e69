/**
 * Recovery time of a lockstep room after kill -9 of its node (docs/scaling.md): two surviving
 * nodes and, per round, a fresh victim node hosting one running 2-player match (30 ms turns);
 * the victim is killed and we time (a) until the room's record names a survivor and (b) until
 * both players apply a new turn on it. Nodes are child processes on the local Redis with the
 * test cluster's timings (heartbeat 100 ms, node TTL 600 ms, sweep 100 ms).
 *
 * `npm run bench recovery` (ROUNDS=10 by default).
 */
import { randomBytes } from 'node:crypto';
import { clusterClient, joinPlayer, stopPlayers, until } from '../test/cluster/support/match.js';
import { spawnNode } from '../test/cluster/support/nodes.js';
import type { NodeProcess } from '../test/cluster/support/nodes.js';
import { REDIS_URL, deletePrefix, redisUnavailable, uniquePrefix } from '../test/support/redis.js';
import { percentile, table } from './support.js';

export const title = 'Lockstep room recovery after kill -9 of its node';

const ROUNDS = Number(process.env.ROUNDS ?? 10);

export async function run(): Promise<string> {
  const unavailable = await redisUnavailable();
  if (unavailable) return `Skipped: ${unavailable}.`;
  const prefix = uniquePrefix('bench-recovery');
  const adminSecret = randomBytes(16).toString('hex');
  const env = {
    REDIS_URL,
    CHARTROOM_PREFIX: prefix,
    CHARTROOM_SECRET: randomBytes(24).toString('hex'),
    CHARTROOM_ADMIN_SECRET: adminSecret,
    LOG_LEVEL: 'warn',
  };
  const nodes: NodeProcess[] = [];
  const detect: number[] = [];
  const resume: number[] = [];
  try {
    nodes.push(...(await Promise.all([spawnNode('s1', env), spawnNode('s2', env)])));
    const survivor = nodes[0] as NodeProcess;
    for (let round = 0; round < ROUNDS; round++) {
      const victim = await spawnNode(`v${round}`, env);
      nodes.push(victim);
      const response = await fetch(`${victim.url}/rooms`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminSecret}` },
        body: JSON.stringify({ type: 'arena', seed: round }),
      });
      const { room_id: roomId, join_url: joinUrl } = (await response.json()) as {
        room_id: string;
        join_url: string;
      };
      if (!joinUrl.startsWith(victim.url))
        throw new Error(`Round ${round}: the room was not placed on the fresh node`);
      const players = await Promise.all(
        ['a', 'b'].map((n) => joinPlayer(clusterClient(survivor.url), roomId, n)),
      );
      try {
        for (const player of players) player.session.ready();
        await until(() => players.every((p) => p.runner.turn >= 20), 10_000, 'turn 20');
        const atKill = Math.max(...players.map((p) => p.runner.turn));
        const killedAt = performance.now();
        await victim.crash();
        let moved: number | undefined;
        await until(
          async () => {
            if (moved === undefined) {
              const info = (await (await fetch(`${survivor.url}/rooms/${roomId}`)).json()) as {
                node_url?: string;
              };
              if (info.node_url && info.node_url !== victim.url) moved = performance.now() - killedAt;
            }
            return moved !== undefined && players.every((p) => p.runner.turn > atKill);
          },
          20_000,
          'the match going on elsewhere',
        );
        resume.push(performance.now() - killedAt);
        detect.push(moved as number);
        for (const player of players) {
          const turns = player.applied.map((m) => m.turn);
          if (turns.some((t, i) => t !== i)) throw new Error(`Round ${round}: a turn was lost or repeated`);
        }
      } finally {
        stopPlayers(players);
      }
    }
  } finally {
    await Promise.all(nodes.map((n) => n.crash()));
    await deletePrefix(prefix);
  }
  const row = (what: string, values: number[]) => {
    const sorted = [...values].sort((x, y) => x - y);
    const ms = (p: number) => Math.round(percentile(sorted, p));
    return [what, ms(50), ms(99), Math.round(sorted.at(-1) ?? Number.NaN)];
  };
  return [
    table(
      ['from kill -9 until', 'p50 ms', 'p99 ms', 'max ms'],
      [row('the room is registered on a survivor', detect), row('both players apply a new turn', resume)],
    ),
    '',
    `${ROUNDS} kills; node TTL 600 ms, heartbeat 100 ms, sweep 100 ms, 30 ms turns. Every round checked that no` +
      ' turn was lost or repeated. Detection is bounded by nodeTtlMs + sweepMs; the rest is the rebuild,' +
      ' the players reconnecting (client backoff 50-250 ms) and the hold until both are back.',
  ].join('\n');
}
