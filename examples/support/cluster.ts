/**
 * The demo server as one node of a cluster on Redis (docs/scaling.md), when REDIS_URL is set:
 *
 *     CHARTROOM_SECRET=dev-cluster-secret-0123 CHARTROOM_ADMIN_SECRET=dev-admin REDIS_URL=redis://127.0.0.1:6379 npm start
 *     CHARTROOM_SECRET=dev-cluster-secret-0123 CHARTROOM_ADMIN_SECRET=dev-admin REDIS_URL=redis://127.0.0.1:6379 \
 *       PORT=8090 BINGO_PORT=8091 SIDEREAL_PORT=8092 npm start
 *
 * Without REDIS_URL nothing here runs and nothing Redis is loaded.
 */
import type { ServerOptions } from 'chartroom/server';

/** Presence and cluster options for a node on `redisUrl`; exits with a hint when secrets are missing. */
export async function redisClusterOptions(
  redisUrl: string,
): Promise<Pick<ServerOptions, 'presence' | 'cluster'>> {
  if (!process.env.CHARTROOM_SECRET || !process.env.CHARTROOM_ADMIN_SECRET) {
    console.error(
      'REDIS_URL is set, so this server joins a cluster: every node needs the same CHARTROOM_SECRET ' +
        '(>= 16 characters; tokens must verify on any node) and CHARTROOM_ADMIN_SECRET. Set both and start again.',
    );
    process.exit(1);
  }
  // Loaded only here: `npm start` without Redis never needs the ioredis package.
  const { createRedisPresence } = await import('chartroom/presence/redis');
  const presence = createRedisPresence({
    url: redisUrl,
    prefix: process.env.CHARTROOM_REDIS_PREFIX ?? 'chartroom:',
  });
  return { presence, cluster: { journal: presence.journal } };
}
