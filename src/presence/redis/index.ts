/**
 * `chartroom/presence/redis`: rooms, nodes and room journals in Redis, for servers spread over
 * processes and hosts (docs/scaling.md). Needs the `ioredis` package (an optional peer
 * dependency) and Redis >= 6.2.
 *
 * Keys (all under `prefix`): `rooms` (hash of room records), `owner:<room>` (the owning node),
 * `nodes` (set of node ids) and `node:<id>` (a node's record, expiring with its heartbeat),
 * `room:<id>:checkpoint` (string) and `room:<id>:turns` (a stream, one entry per turn).
 * Messages to a node travel on the channel `<prefix>to:<node id>`.
 *
 * @example
 * const presence = createRedisPresence({ url: process.env.REDIS_URL });
 * createServer({ roomTypes, presence, cluster: { journal: presence.journal } });
 */
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { NodeRecord, Presence, RoomRecord } from '../../core/presence.js';
import type { RoomJournal } from '../../core/room-journal.js';
import { createRedisJournal } from './journal.js';
import { createScripts } from './scripts.js';

export interface RedisPresenceOptions {
  /** `redis://[:password@]host:port[/db]`. Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** Prefix of every key and channel. Default `chartroom:`. On Redis Cluster use a hash tag, e.g. `{chartroom}:`. */
  readonly prefix?: string;
  /** Longest turn log `loadRoom` reads. Default 1_000_000 turns. */
  readonly maxTurns?: number;
  /** More ioredis options (TLS, timeouts, retry strategy). */
  readonly redis?: Omit<RedisOptions, 'replyMapping'>;
  /** Connection errors (ioredis reconnects by itself). Default: ignored after the first is printed. */
  readonly onError?: (error: Error) => void;
}

/** A presence that also keeps room journals (checkpoints and turn logs). */
export interface RedisPresence extends Presence {
  readonly journal: RoomJournal;
}

/** Create a Redis presence; connects at once, and reconnects by itself after a drop. */
export function createRedisPresence(options: RedisPresenceOptions = {}): RedisPresence {
  const prefix = options.prefix ?? 'chartroom:';
  const url = options.url ?? 'redis://127.0.0.1:6379';
  let warned = false;
  const onError =
    options.onError ??
    ((error: Error) => {
      if (warned) return;
      warned = true;
      console.error(`Redis presence (${url}): ${error.message}`);
    });
  const redis = options.redis ? new Redis(url, options.redis) : new Redis(url);
  redis.on('error', onError);
  const run = createScripts(redis);
  const key = {
    rooms: `${prefix}rooms`,
    owner: (roomId: string) => `${prefix}owner:${roomId}`,
    nodes: `${prefix}nodes`,
    node: (nodeId: string) => `${prefix}node:${nodeId}`,
    channel: (nodeId: string) => `${prefix}to:${nodeId}`,
  };

  let subscriber: Redis | undefined;
  const handlers = new Map<string, Set<(message: unknown) => void>>();
  const listen = (): Redis => {
    if (subscriber) return subscriber;
    const connection = redis.duplicate();
    connection.on('error', onError);
    connection.on('message', (channel: string, text: string) => {
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        return; // Not one of ours: every publisher here sends JSON.
      }
      for (const handler of handlers.get(channel) ?? []) handler(message);
    });
    subscriber = connection;
    return connection;
  };

  const parseRecord = (json: string): RoomRecord => JSON.parse(json) as RoomRecord;

  return {
    journal: createRedisJournal(redis, run, { prefix, maxTurns: options.maxTurns ?? 1_000_000 }),
    async registerRoom(record) {
      const stored = await run(
        'registerRoom',
        [key.owner(record.roomId), key.rooms],
        [record.nodeId, record.roomId, JSON.stringify(record)],
      );
      return stored === 1;
    },
    async findRoom(roomId) {
      const json = await redis.hget(key.rooms, roomId);
      return json === null ? undefined : parseRecord(json);
    },
    async listRooms() {
      return Object.values(await redis.hgetall(key.rooms)).map(parseRecord);
    },
    async removeRoom(roomId, owner) {
      await run('removeRoom', [key.owner(roomId), key.rooms], [roomId, owner ?? '']);
    },
    async claimRoom(roomId, nodeId, from) {
      return (await run('claimRoom', [key.owner(roomId)], [nodeId, from ?? ''])) === 1;
    },
    async heartbeat(node, ttlMs) {
      await redis
        .multi()
        .set(key.node(node.nodeId), JSON.stringify(node), 'PX', Math.max(1, Math.round(ttlMs)))
        .sadd(key.nodes, node.nodeId)
        .exec();
    },
    async listNodes() {
      const records = (await run('listNodes', [key.nodes], [key.node('')])) as string[];
      return records.map((json) => JSON.parse(json) as NodeRecord);
    },
    async removeNode(nodeId) {
      await redis.multi().del(key.node(nodeId)).srem(key.nodes, nodeId).exec();
    },
    async publish(nodeId, message) {
      await redis.publish(key.channel(nodeId), JSON.stringify(message));
    },
    async subscribe(nodeId, handler) {
      const channel = key.channel(nodeId);
      let set = handlers.get(channel);
      if (!set) {
        handlers.set(channel, (set = new Set()));
        await listen().subscribe(channel);
      }
      set.add(handler);
      return async () => {
        const current = handlers.get(channel);
        current?.delete(handler);
        if (current && current.size === 0) {
          handlers.delete(channel);
          await subscriber?.unsubscribe(channel);
        }
      };
    },
    async close() {
      handlers.clear();
      const connections = [redis, subscriber].filter((c): c is Redis => c !== undefined);
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
