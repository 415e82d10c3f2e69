import type { Redis } from 'ioredis';
import { ChartroomError, ErrorCode } from '../../core/errors.js';
import type { JournaledTurn, RoomJournal } from '../../core/room-journal.js';
import type { RunScript } from './scripts.js';

/** Stream entries read per XRANGE while loading a turn log. */
const READ_CHUNK = 1000;

const notOwner = (roomId: string, owner: string, actual: unknown) =>
  new ChartroomError(
    ErrorCode.ROOM_MOVED,
    `Room "${roomId}" is owned by node ${actual === '' ? '(none)' : String(actual)}, not ${owner}: this node lost it and may not write its journal.`,
  );

/**
 * Room journals in Redis: the checkpoint is a string, the turn log a stream whose entry ids are
 * `<turn>-1`, so Redis itself refuses a turn logged twice or out of order. Writes go through
 * Lua scripts that check the owner first (fencing off a node that lost the room).
 */
export function createRedisJournal(
  redis: Redis,
  run: RunScript,
  options: { readonly prefix: string; readonly maxTurns: number },
): RoomJournal {
  const owner = (roomId: string) => `${options.prefix}owner:${roomId}`;
  const checkpoint = (roomId: string) => `${options.prefix}room:${roomId}:checkpoint`;
  const turns = (roomId: string) => `${options.prefix}room:${roomId}:turns`;

  return {
    async saveRoom(roomId, nodeId, state) {
      const result = await run(
        'saveRoom',
        [owner(roomId), checkpoint(roomId)],
        [nodeId, JSON.stringify(state)],
      );
      if (result !== 1) throw notOwner(roomId, nodeId, result);
    },
    async appendTurn(roomId, nodeId, turn, entry) {
      const result = await run(
        'appendTurn',
        [owner(roomId), turns(roomId)],
        [nodeId, `${turn}-1`, JSON.stringify(entry)],
      );
      if (result === 1) return;
      if (result === -1) {
        throw new ChartroomError(
          ErrorCode.CLUSTER_JOURNAL_CONFLICT,
          `Turn ${turn} of room "${roomId}" is not after the last logged turn: refused (a turn is never logged twice).`,
        );
      }
      throw notOwner(roomId, nodeId, result);
    },
    async loadRoom(roomId) {
      const [state, length] = await Promise.all([redis.get(checkpoint(roomId)), redis.xlen(turns(roomId))]);
      if (state === null && length === 0) return undefined;
      if (length > options.maxTurns) {
        throw new ChartroomError(
          ErrorCode.CLUSTER_JOURNAL_CONFLICT,
          `The turn log of room "${roomId}" has ${length} turns: expected <= ${options.maxTurns}. Raise maxTurns to load it.`,
        );
      }
      const log: JournaledTurn[] = [];
      let start = '-';
      for (let read = 0; read <= length; read += READ_CHUNK) {
        const chunk = await redis.xrange(turns(roomId), start, '+', 'COUNT', READ_CHUNK);
        for (const [id, fields] of chunk) {
          const json = fields[0] === 'e' ? fields[1] : undefined;
          if (json === undefined) continue;
          log.push({ turn: Number(id.slice(0, id.indexOf('-'))), entry: JSON.parse(json) as unknown });
        }
        const last = chunk.at(-1);
        if (!last || chunk.length < READ_CHUNK) break;
        start = `(${last[0]}`;
      }
      return { checkpoint: state === null ? undefined : (JSON.parse(state) as unknown), turns: log };
    },
    async forgetRoom(roomId) {
      await redis.del(checkpoint(roomId), turns(roomId));
    },
  };
}
