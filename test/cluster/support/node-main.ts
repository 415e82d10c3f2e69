/**
 * One node of the test cluster, as its own process: a server on 127.0.0.1:PORT (0: any) on the
 * Redis presence under CHARTROOM_PREFIX, with fast cluster timings from the environment. Prints
 * one JSON line `{"ready": url, "nodeId": id}` once listening; logs JSON lines on stdout.
 */
import { createConsoleLogger } from 'chartroom';
import type { LogLevel } from 'chartroom';
import { createRedisPresence } from 'chartroom/presence/redis';
import { createServer } from 'chartroom/server';
import { clusterRoomTypes } from './room-types.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const presence = createRedisPresence({
  url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: process.env.CHARTROOM_PREFIX ?? 'chartroom-test:',
});
const server = createServer({
  roomTypes: clusterRoomTypes,
  presence,
  cluster: {
    journal: presence.journal,
    heartbeatMs: env('CLUSTER_HEARTBEAT_MS', 100),
    nodeTtlMs: env('CLUSTER_NODE_TTL_MS', 600),
    sweepMs: env('CLUSTER_SWEEP_MS', 100),
    recoveryStaggerMs: env('CLUSTER_STAGGER_MS', 300),
    recoveryHoldMs: env('CLUSTER_HOLD_MS', 5000),
  },
  ...(process.env.CHARTROOM_SECRET ? { secret: process.env.CHARTROOM_SECRET } : {}),
  ...(process.env.CHARTROOM_ADMIN_SECRET ? { adminSecret: process.env.CHARTROOM_ADMIN_SECRET } : {}),
  logger: createConsoleLogger((process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info'),
  timing: { gracePeriodMs: 20_000 },
});
const { url } = await server.listen({ port: env('PORT', 0), host: '127.0.0.1' });
console.log(JSON.stringify({ ready: url, nodeId: server.nodeId }));

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
