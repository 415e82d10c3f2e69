/**
 * The Lua scripts that make the Redis presence's writes atomic. Each runs as one command on
 * the server, so two nodes racing (to claim a room, to write its journal) are serialised by
 * Redis itself. Keys are passed in KEYS, except `listNodes`, which reads the per-node keys
 * named by its set: use a hash-tagged prefix (`{chartroom}:`) on Redis Cluster.
 */
import type { Redis } from 'ioredis';

/** Register a room record: claim an unowned room for the record's node, write only as its owner. */
const registerRoom = `
local owner = redis.call('GET', KEYS[1])
if not owner then
  redis.call('SET', KEYS[1], ARGV[1])
  owner = ARGV[1]
end
if owner ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1`;

/** Compare-and-set the owner: from nobody (ARGV[2] = '') or from the given (dead) node. */
const claimRoom = `
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then return 1 end
if (ARGV[2] == '' and not owner) or (ARGV[2] ~= '' and owner == ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[1])
  return 1
end
return 0`;

/** Forget a room (and its owner), only while ARGV[2] owns it when given. */
const removeRoom = `
if ARGV[2] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1`;

/** Live node records; ids whose heartbeat key expired are pruned from the set. */
const listNodes = `
local ids = redis.call('SMEMBERS', KEYS[1])
local out = {}
for _, id in ipairs(ids) do
  local record = redis.call('GET', ARGV[1] .. id)
  if record then out[#out + 1] = record else redis.call('SREM', KEYS[1], id) end
end
return out`;

/** Replace a checkpoint as the owner; returns 1, or the actual owner ('' for none). */
const saveRoom = `
local owner = redis.call('GET', KEYS[1])
if owner ~= ARGV[1] then return owner or '' end
redis.call('SET', KEYS[2], ARGV[2])
return 1`;

/**
 * Append a turn as the owner, with the stream id `<turn>-1`: Redis refuses an id that is not
 * above the stream's last, so a turn is never logged twice or out of order. Returns 1, -1 on
 * such a conflict, or the actual owner ('' for none).
 */
const appendTurn = `
local owner = redis.call('GET', KEYS[1])
if owner ~= ARGV[1] then return owner or '' end
local added = redis.pcall('XADD', KEYS[2], ARGV[2], 'e', ARGV[3])
if type(added) == 'table' and added.err then return -1 end
return 1`;

const sources = { registerRoom, claimRoom, removeRoom, listNodes, saveRoom, appendTurn } as const;

export type ScriptName = keyof typeof sources;

/** Run a script by name: EVALSHA, loading it once when Redis does not know it yet. */
export type RunScript = (
  name: ScriptName,
  keys: readonly string[],
  args: readonly string[],
) => Promise<unknown>;

export function createScripts(redis: Redis): RunScript {
  const shas = new Map<ScriptName, string>();
  return async (name, keys, args) => {
    let sha = shas.get(name);
    if (sha === undefined) {
      sha = String(await redis.script('LOAD', sources[name]));
      shas.set(name, sha);
    }
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      // A Redis restart (or SCRIPT FLUSH) forgets loaded scripts: load again once.
      if (!String(error).includes('NOSCRIPT')) throw error;
      shas.delete(name);
      sha = String(await redis.script('LOAD', sources[name]));
      shas.set(name, sha);
      return redis.evalsha(sha, keys.length, ...keys, ...args);
    }
  };
}
