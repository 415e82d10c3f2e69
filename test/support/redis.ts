/**
 * The local Redis for tests: 127.0.0.1:6379, started (without persistence) when it is not
 * running and `redis-server` is installed. Each test run works under its own key prefix and
 * deletes it afterwards.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.CHARTROOM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function ping(): Promise<boolean> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Resolve to undefined when Redis answers (starting it if needed), or to the reason it cannot
 * be used (tests that need it are then skipped with that reason in their name).
 */
export async function redisUnavailable(): Promise<string | undefined> {
  if (await ping()) return undefined;
  if (process.env.CHARTROOM_TEST_REDIS_URL) return `no Redis at ${REDIS_URL}`;
  const started = spawnSync(
    'redis-server',
    ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  if (started.error) return 'redis-server is not installed and no Redis answers at 127.0.0.1:6379';
  for (let i = 0; i < 40; i++) {
    if (await ping()) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return 'redis-server did not answer within 2 s of starting it';
}

/** A key prefix no other run uses. */
export function uniquePrefix(what: string): string {
  return `chartroom-test:${what}:${randomBytes(6).toString('hex')}:`;
}

/** Delete every key under `prefix` (bounded SCAN). */
export async function deletePrefix(prefix: string): Promise<void> {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    let cursor = '0';
    for (let i = 0; i < 10_000; i++) {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await client.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    client.disconnect();
  }
}
