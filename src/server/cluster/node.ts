/**
 * One node of a cluster (docs/scaling.md): heartbeats, the sweep that finds dead nodes' rooms
 * (and rooms this node lost), durable rooms' persisters, recovery and routing. Presence only
 * stores and moves; every decision is made here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../core/clock.js';
import { ErrorCode } from '../../core/errors.js';
import type { ChartroomError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { NodeRecord, Presence, RoomRecord } from '../../core/presence.js';
import type { AnyRoomType } from '../../core/room-type.js';
import type { SyncJournal } from '../../core/sync.js';
import type { CreateRoomRequest } from '../create-server.js';
import type { HttpApiHandlers } from '../http-api.js';
import type { RoomHost } from '../room-host.js';
import { clusterSettings } from './options.js';
import type { ClusterOptions } from './options.js';
import { createRoomPersister } from './persist.js';
import type { RoomPersister } from './persist.js';
import { preferredNode } from './placement.js';
import { createRecovery } from './recovery.js';
import { createRouting } from './routing.js';

/** Rooms one node rebuilds at the same time, at most (the rest wait for the next sweep). */
const MAX_CONCURRENT_RECOVERIES = 8;

/** What a cluster node needs of its server. */
export interface ClusterServer {
  readonly presence: Presence;
  readonly nodeId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly gracePeriodMs: number;
  readonly roomTypes: readonly string[];
  readonly startedAt: number;
  baseUrl(): string;
  endpoints(): Record<string, string>;
  room(roomId: string): RoomHost | undefined;
  roomCount(): number;
  connectionCount(): number;
  createRoom(request: CreateRoomRequest): Promise<RoomHost>;
}

/** The hooks a server calls; see createServer's `cluster` option. */
export interface ClusterNode {
  /** After listen: subscribe, announce this node, start heartbeats and sweeps. */
  start(): Promise<void>;
  stop(): Promise<void>;
  http(handlers: HttpApiHandlers): HttpApiHandlers;
  route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  elsewhere(roomId: string): Promise<ChartroomError | undefined>;
  /** The journal a new room's sync engine logs its turns to (durable rooms only). */
  journalFor(roomId: string, type: AnyRoomType): SyncJournal | undefined;
  created(room: RoomHost): void;
  changed(room: RoomHost): void;
  ended(room: RoomHost): void;
}

export function createClusterNode(server: ClusterServer, options: ClusterOptions): ClusterNode {
  const settings = clusterSettings(options);
  const { presence, nodeId, clock, logger } = server;
  const persisters = new Map<string, RoomPersister>();
  const lostRooms = new Set<string>();
  const recovering = new Set<string>();
  const orphanSince = new Map<string, number>();
  let live = new Map<string, NodeRecord>();
  const timers = new Set<unknown>();
  let stopped = true;
  let unsubscribe: (() => Promise<void>) | undefined;

  const self = (): NodeRecord => ({
    nodeId,
    url: server.baseUrl(),
    endpoints: server.endpoints(),
    roomTypes: server.roomTypes,
    rooms: server.roomCount(),
    connections: server.connectionCount(),
    startedAt: server.startedAt,
    heartbeatAt: clock.now(),
  });

  /** This node lost a room it hosts (declared dead while alive): its players follow the room. */
  const lost = (roomId: string) => {
    const room = server.room(roomId);
    if (!room || lostRooms.has(roomId)) return;
    lostRooms.add(roomId);
    logger.warn('Room lost to another node: closing the local copy', { roomId });
    room.stop(ErrorCode.ROOM_MOVED, `Room ${roomId} moved to another node; reconnect to follow it.`);
  };

  const recovery = createRecovery({
    presence,
    journal: settings.journal,
    nodeId,
    clock,
    logger,
    gracePeriodMs: server.gracePeriodMs,
    recoveryHoldMs: settings.recoveryHoldMs,
    baseUrl: server.baseUrl,
    createRoom: server.createRoom,
  });

  const routing = createRouting({
    presence,
    nodeId,
    clock,
    logger,
    forwardTimeoutMs: settings.forwardTimeoutMs,
    hosts: (roomId) => server.room(roomId) !== undefined,
    nodes: async () => {
      const nodes = await presence.listNodes();
      return nodes.some((n) => n.nodeId === nodeId) ? nodes : [...nodes, self()];
    },
    liveNode: async (id) => {
      if (id === nodeId) return self();
      // A node started since the last sweep is not in the cache yet: ask presence.
      if (!live.has(id)) live = new Map((await presence.listNodes()).map((n) => [n.nodeId, n]));
      return live.get(id);
    },
    liveUrls: () => [...new Set([server.baseUrl(), ...[...live.values()].map((n) => n.url)])],
  });

  const considerOrphan = (record: RoomRecord, nodes: readonly NodeRecord[], now: number) => {
    if (!server.roomTypes.includes(record.type) || recovering.has(record.roomId)) return;
    if (recovering.size >= MAX_CONCURRENT_RECOVERIES) return;
    const since = orphanSince.get(record.roomId) ?? now;
    orphanSince.set(record.roomId, since);
    const candidates = nodes.filter((n) => n.roomTypes.includes(record.type)).map((n) => n.nodeId);
    if (preferredNode(record.roomId, candidates) !== nodeId && now - since < settings.recoveryStaggerMs)
      return;
    recovering.add(record.roomId);
    void recovery
      .recover(record)
      .catch((error: unknown) =>
        logger.error('Recovery failed', { roomId: record.roomId, cause: String(error) }),
      )
      .finally(() => {
        recovering.delete(record.roomId);
        orphanSince.delete(record.roomId);
      });
  };

  const sweep = async () => {
    const [nodes, records] = await Promise.all([presence.listNodes(), presence.listRooms()]);
    live = new Map(nodes.map((n) => [n.nodeId, n]));
    const now = clock.now();
    for (const record of records) {
      if (record.closed) {
        if (now - record.closed.at > settings.closedRoomTtlMs)
          await presence.removeRoom(record.roomId, record.nodeId);
      } else if (record.nodeId === nodeId) {
        // A room of this node id that this process never hosted: a previous life of a node
        // restarted with the same nodeId (its rooms are orphans like any dead node's).
        const previousLife = record.createdAt < server.startedAt && !server.room(record.roomId);
        if (previousLife) considerOrphan(record, nodes, now);
      } else if (server.room(record.roomId) && !recovering.has(record.roomId)) {
        // The listing may predate this node's own rebuild of the room: the owner key decides.
        if (!(await presence.claimRoom(record.roomId, nodeId))) lost(record.roomId);
      } else if (live.has(record.nodeId)) {
        orphanSince.delete(record.roomId);
      } else {
        considerOrphan(record, nodes, now);
      }
    }
  };

  /** Run `task` every `ms` (each run after the previous one finished) until stopped. */
  const every = (ms: number, what: string, task: () => Promise<void>) => {
    const tick = async () => {
      try {
        await task();
      } catch (error) {
        logger.warn(`Cluster ${what} failed`, { nodeId, cause: String(error) });
      }
      if (stopped) return;
      const timer = clock.setTimeout(() => {
        timers.delete(timer);
        void tick();
      }, ms);
      timers.add(timer);
    };
    void tick();
  };

  return {
    async start() {
      if (!stopped) return;
      stopped = false;
      unsubscribe = await presence.subscribe(nodeId, (message) => routing.receive(message));
      await presence.heartbeat(self(), settings.nodeTtlMs);
      every(settings.heartbeatMs, 'heartbeat', () => presence.heartbeat(self(), settings.nodeTtlMs));
      every(settings.sweepMs, 'sweep', sweep);
      logger.info('Cluster node started', { nodeId, url: server.baseUrl() });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clock.clearTimeout(timer);
      timers.clear();
      routing.dispose();
      recovery.dispose();
      await unsubscribe?.().catch(() => undefined);
      // The server ended its rooms; their records must be gone before this node is (else a
      // sweep elsewhere would take them for a dead node's rooms and recover them).
      const records = await presence.listRooms().catch(() => []);
      for (const record of records) {
        if (record.nodeId === nodeId && !record.closed) {
          await presence.removeRoom(record.roomId, nodeId).catch(() => undefined);
        }
      }
      await presence.removeNode(nodeId).catch(() => undefined);
    },
    http: (handlers) => routing.wrap(handlers),
    route: (req, res, url) => routing.route(req, res, url),
    elsewhere: (roomId) => routing.elsewhere(roomId),
    journalFor(roomId, type) {
      if (!settings.journal || !type.sync) return undefined;
      const persister = createRoomPersister({
        roomId,
        nodeId,
        journal: settings.journal,
        logger,
        now: () => clock.now(),
        room: () => server.room(roomId),
        lost,
      });
      persisters.set(roomId, persister);
      return persister.journal;
    },
    created(room) {
      // Only engines that checkpoint can be rebuilt: the others keep no journal at all.
      if (!room.sync?.checkpoint) persisters.delete(room.roomId);
      persisters.get(room.roomId)?.changed();
    },
    changed(room) {
      persisters.get(room.roomId)?.changed();
      recovery.changed(room);
    },
    ended(room) {
      const durable = persisters.delete(room.roomId);
      recovery.ended(room.roomId);
      // A room this node lost lives on elsewhere: its journal is the new owner's.
      if (durable && !lostRooms.delete(room.roomId)) {
        settings.journal?.forgetRoom(room.roomId).catch(() => undefined);
      }
    },
  };
}
