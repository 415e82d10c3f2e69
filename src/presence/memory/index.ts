import { createSystemClock } from '../../core/clock.js';
import type { Clock } from '../../core/clock.js';
import { ChartroomError, ErrorCode } from '../../core/errors.js';
import type { NodeRecord, Presence, RoomRecord } from '../../core/presence.js';
import type { JournaledTurn, RoomJournal } from '../../core/room-journal.js';

/**
 * What memory presences share: give one space to several in-process servers and they see each
 * other as nodes of one cluster (tests, simulations). Every value is stored as JSON text, so a
 * memory presence accepts exactly what a Redis one does.
 */
export interface MemorySpace {
  readonly rooms: Map<string, string>;
  readonly owners: Map<string, string>;
  readonly nodes: Map<string, { readonly json: string; readonly expiresAt: number }>;
  readonly listeners: Map<string, Set<(message: unknown) => void>>;
  readonly checkpoints: Map<string, string>;
  readonly turns: Map<string, { turn: number; json: string }[]>;
}

export function createMemorySpace(): MemorySpace {
  return {
    rooms: new Map(),
    owners: new Map(),
    nodes: new Map(),
    listeners: new Map(),
    checkpoints: new Map(),
    turns: new Map(),
  };
}

export interface MemoryPresenceOptions {
  /** Share one space between several presences (in-process clusters). Default: a private one. */
  readonly space?: MemorySpace;
  /** Node heartbeats expire on this clock. Default: the system clock. */
  readonly clock?: Clock;
}

/** A presence that also keeps room journals (checkpoints and turn logs). */
export interface MemoryPresence extends Presence {
  readonly journal: RoomJournal;
}

const notOwner = (roomId: string, owner: string, actual: string | undefined) =>
  new ChartroomError(
    ErrorCode.ROOM_MOVED,
    `Room "${roomId}" is owned by node ${actual ?? '(none)'}, not ${owner}: this node lost it and may not write its journal.`,
  );

/**
 * The embedded default: one process, rooms in maps, no external service. With a shared
 * `space`, several servers in one process form a cluster (same semantics as the Redis presence).
 */
export function createMemoryPresence(options: MemoryPresenceOptions = {}): MemoryPresence {
  const space = options.space ?? createMemorySpace();
  const clock = options.clock ?? createSystemClock();
  const mine = new Map<string, (message: unknown) => void>();
  let subscriptions = 0;

  const claim = (roomId: string, nodeId: string, from: string | undefined): boolean => {
    const owner = space.owners.get(roomId);
    if (owner === nodeId) return true;
    if (owner !== from) return false;
    space.owners.set(roomId, nodeId);
    return true;
  };

  const journal: RoomJournal = {
    async saveRoom(roomId, owner, checkpoint) {
      const actual = space.owners.get(roomId);
      if (actual !== owner) throw notOwner(roomId, owner, actual);
      space.checkpoints.set(roomId, JSON.stringify(checkpoint));
    },
    async appendTurn(roomId, owner, turn, entry) {
      const actual = space.owners.get(roomId);
      if (actual !== owner) throw notOwner(roomId, owner, actual);
      let log = space.turns.get(roomId);
      if (!log) space.turns.set(roomId, (log = []));
      const last = log.at(-1)?.turn ?? -1;
      if (turn <= last) {
        throw new ChartroomError(
          ErrorCode.CLUSTER_JOURNAL_CONFLICT,
          `Turn ${turn} of room "${roomId}": expected > ${last} (the last logged turn).`,
        );
      }
      log.push({ turn, json: JSON.stringify(entry) });
    },
    async loadRoom(roomId) {
      const checkpoint = space.checkpoints.get(roomId);
      const log = space.turns.get(roomId);
      if (checkpoint === undefined && !log) return undefined;
      const turns: JournaledTurn[] = (log ?? []).map(({ turn, json }) => ({ turn, entry: JSON.parse(json) }));
      return { checkpoint: checkpoint === undefined ? undefined : JSON.parse(checkpoint), turns };
    },
    async forgetRoom(roomId) {
      space.checkpoints.delete(roomId);
      space.turns.delete(roomId);
    },
  };

  return {
    journal,
    async registerRoom(record) {
      if (!claim(record.roomId, record.nodeId, undefined)) return false;
      space.rooms.set(record.roomId, JSON.stringify(record));
      return true;
    },
    async findRoom(roomId) {
      const json = space.rooms.get(roomId);
      return json === undefined ? undefined : (JSON.parse(json) as RoomRecord);
    },
    async listRooms() {
      return [...space.rooms.values()].map((json) => JSON.parse(json) as RoomRecord);
    },
    async removeRoom(roomId, owner) {
      if (owner !== undefined && space.owners.get(roomId) !== owner) return;
      space.rooms.delete(roomId);
      space.owners.delete(roomId);
    },
    async claimRoom(roomId, nodeId, from) {
      return claim(roomId, nodeId, from);
    },
    async heartbeat(node, ttlMs) {
      space.nodes.set(node.nodeId, { json: JSON.stringify(node), expiresAt: clock.now() + ttlMs });
    },
    async listNodes() {
      const now = clock.now();
      const live: NodeRecord[] = [];
      for (const [nodeId, { json, expiresAt }] of space.nodes) {
        if (expiresAt <= now) space.nodes.delete(nodeId);
        else live.push(JSON.parse(json) as NodeRecord);
      }
      return live;
    },
    async removeNode(nodeId) {
      space.nodes.delete(nodeId);
    },
    async publish(nodeId, message) {
      const json = JSON.stringify(message);
      // Delivered later, never inside the publisher's call stack (as over a network).
      for (const handler of space.listeners.get(nodeId) ?? [])
        queueMicrotask(() => handler(JSON.parse(json)));
    },
    async subscribe(nodeId, handler) {
      const key = `${nodeId}#${++subscriptions}`;
      let set = space.listeners.get(nodeId);
      if (!set) space.listeners.set(nodeId, (set = new Set()));
      set.add(handler);
      mine.set(key, handler);
      return async () => {
        space.listeners.get(nodeId)?.delete(handler);
        mine.delete(key);
      };
    },
    async close() {
      for (const [key, handler] of mine)
        space.listeners.get(key.slice(0, key.lastIndexOf('#')))?.delete(handler);
      mine.clear();
      if (!options.space) {
        space.rooms.clear();
        space.owners.clear();
        space.nodes.clear();
      }
    },
  };
}
