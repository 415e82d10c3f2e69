/**
 * Routing between nodes (docs/scaling.md):
 *
 * - `POST /rooms` on any node places the room on the least loaded live node; when that is
 *   another node, the create request is forwarded to it **over presence messages** (a
 *   `room.create` request on its channel, answered with `room.created` on ours), and the answer
 *   names the hosting node's URLs.
 * - `POST /rooms/:id/join` on a node that does not host the room answers `307` to the same
 *   route on the owner (fetch and browsers follow it, body and all).
 * - `GET /rooms/:id` names the owner's endpoints; `GET /rooms` lists every node's rooms.
 * - A WebSocket join or resume on the wrong node is refused with ROOM_MOVED naming the owner;
 *   the client SDK looks the room up and follows it.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { ChartroomError, ErrorCode, isChartroomError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { NodeRecord, Presence, RoomRecord } from '../../core/presence.js';
import { createRoomBody } from '../http-api.js';
import type { CreateRoomBody, HttpApiHandlers } from '../http-api.js';
import { pickNode } from './placement.js';

/** Forwarded creations waiting for their answer, at most. */
const MAX_PENDING_FORWARDS = 1000;
/** How long a placement counts towards its node's load (about two heartbeats). */
const RECENT_PLACEMENT_MS = 2000;

const createRequest = z.object({
  type: z.literal('room.create'),
  id: z.string().max(64),
  from: z.string().min(1).max(128),
  body: createRoomBody,
});
const createReply = z.object({
  type: z.literal('room.created'),
  id: z.string().max(64),
  result: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ErrorCode, code);

export interface Routing {
  wrap(handlers: HttpApiHandlers): HttpApiHandlers;
  route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  elsewhere(roomId: string): Promise<ChartroomError | undefined>;
  /** A message on this node's presence channel. */
  receive(message: unknown): void;
  dispose(): void;
}

export function createRouting(deps: {
  readonly presence: Presence;
  readonly nodeId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly forwardTimeoutMs: number;
  readonly hosts: (roomId: string) => boolean;
  /** Live nodes, fresh from presence (this node included). */
  readonly nodes: () => Promise<NodeRecord[]>;
  /** A live node (from the latest sweep, or fresh from presence when unknown there). */
  readonly liveNode: (nodeId: string) => Promise<NodeRecord | undefined>;
  readonly liveUrls: () => string[];
}): Routing {
  const { presence, nodeId, logger } = deps;
  const pending = new Map<
    string,
    { resolve: (r: unknown) => void; reject: (e: Error) => void; timer: unknown }
  >();
  /** Recent placements: a node's heartbeat lags its load, and a burst must not pile on one node. */
  let recent: { readonly nodeId: string; readonly at: number }[] = [];
  const inflight = new Map<string, number>();
  let local: HttpApiHandlers | undefined;

  const forward = (target: NodeRecord, body: CreateRoomBody) =>
    new Promise<unknown>((resolve, reject) => {
      if (pending.size >= MAX_PENDING_FORWARDS) {
        return reject(
          new ChartroomError(
            ErrorCode.CLUSTER_UNAVAILABLE,
            `Too many room creations in flight (${pending.size}).`,
          ),
        );
      }
      const id = randomUUID();
      const timer = deps.clock.setTimeout(() => {
        pending.delete(id);
        reject(
          new ChartroomError(
            ErrorCode.CLUSTER_UNAVAILABLE,
            `Node ${target.nodeId} did not answer a room creation within ${deps.forwardTimeoutMs} ms; retry.`,
          ),
        );
      }, deps.forwardTimeoutMs);
      pending.set(id, { resolve, reject, timer });
      presence
        .publish(target.nodeId, { type: 'room.create', id, from: nodeId, body })
        .catch((error: unknown) => {
          deps.clock.clearTimeout(timer);
          pending.delete(id);
          reject(
            new ChartroomError(ErrorCode.CLUSTER_UNAVAILABLE, 'Presence is unreachable.', { cause: error }),
          );
        });
    });

  const place = async (body: CreateRoomBody): Promise<unknown> => {
    const handlers = local as HttpApiHandlers;
    const nodes = await deps.nodes();
    const now = deps.clock.now();
    recent = recent.filter((p) => now - p.at < RECENT_PLACEMENT_MS);
    // A placement counts while in flight, then until a heartbeat of its node includes the room.
    const heartbeatAt = new Map(nodes.map((n) => [n.nodeId, n.heartbeatAt]));
    const placed = new Map<string, number>(inflight);
    for (const p of recent) {
      if (p.at >= (heartbeatAt.get(p.nodeId) ?? 0)) placed.set(p.nodeId, (placed.get(p.nodeId) ?? 0) + 1);
    }
    const target = pickNode(nodes, body.type, nodeId, placed);
    if (!target) return handlers.createRoom(body);
    const id = target.nodeId;
    inflight.set(id, (inflight.get(id) ?? 0) + 1);
    try {
      return await (id === nodeId ? handlers.createRoom(body) : forward(target, body));
    } finally {
      inflight.set(id, (inflight.get(id) ?? 1) - 1);
      recent.push({ nodeId: id, at: deps.clock.now() });
    }
  };

  /** The room is not here: closed (ROOM_CLOSED), on a live node (its record), or being recovered. */
  const remote = async (roomId: string): Promise<RoomRecord | undefined> => {
    const record = await presence.findRoom(roomId);
    if (record?.closed) throw new ChartroomError(ErrorCode.ROOM_CLOSED, record.closed.reason);
    if (record && record.nodeId !== nodeId && !(await deps.liveNode(record.nodeId))) {
      throw new ChartroomError(
        ErrorCode.CLUSTER_UNAVAILABLE,
        `Room "${roomId}" is on node ${record.nodeId}, which stopped answering; it is being moved, retry in a few seconds.`,
      );
    }
    return record;
  };

  const answerCreate = async (message: z.infer<typeof createRequest>) => {
    let reply: Record<string, unknown>;
    try {
      reply = { result: await (local as HttpApiHandlers).createRoom(message.body) };
    } catch (error) {
      const code = isChartroomError(error) ? error.code : ErrorCode.CLUSTER_UNAVAILABLE;
      reply = { error: { code, message: error instanceof Error ? error.message : String(error) } };
    }
    await presence.publish(message.from, { type: 'room.created', id: message.id, ...reply });
  };

  return {
    wrap(handlers) {
      local = handlers;
      return {
        ...handlers,
        listRooms: async () => ({ rooms: (await presence.listRooms()).filter((r) => !r.closed) }),
        createRoom: place,
        async roomInfo(roomId) {
          if (deps.hosts(roomId)) return handlers.roomInfo(roomId);
          const record = await presence.findRoom(roomId);
          const info = (await handlers.roomInfo(roomId)) as Record<string, unknown>;
          const node = record && (await deps.liveNode(record.nodeId));
          return { ...info, node_live: node !== undefined, ...(node ? { endpoints: node.endpoints } : {}) };
        },
        async joinRoom(roomId, body) {
          if (!deps.hosts(roomId)) await remote(roomId);
          const ticket = (await handlers.joinRoom(roomId, body)) as Record<string, unknown>;
          return { ...ticket, nodes: deps.liveUrls() };
        },
      };
    },
    async route(req, res, url) {
      const match = /^\/rooms\/([A-Za-z0-9_-]{1,64})\/join\/?$/.exec(url.pathname);
      const roomId = match?.[1];
      if (!roomId || (req.method !== 'POST' && req.method !== 'PUT') || deps.hosts(roomId)) return false;
      const record = await presence.findRoom(roomId).catch(() => undefined);
      if (!record || record.closed || record.nodeId === nodeId) return false;
      if (!(await deps.liveNode(record.nodeId))) return false;
      const location = `${record.nodeUrl}/rooms/${roomId}/join${url.search}`;
      const body = JSON.stringify({
        error: { code: ErrorCode.ROOM_MOVED, message: `Room "${roomId}" lives on ${record.nodeUrl}.` },
      });
      res.writeHead(307, {
        location,
        'content-type': 'application/json; charset=utf-8',
        'access-control-allow-origin': '*',
        'access-control-expose-headers': 'location',
      });
      res.end(body);
      return true;
    },
    async elsewhere(roomId) {
      const record = await presence.findRoom(roomId).catch(() => undefined);
      if (!record) return undefined;
      if (record.closed) return new ChartroomError(ErrorCode.ROOM_CLOSED, record.closed.reason);
      if (record.nodeId === nodeId) return undefined;
      return new ChartroomError(
        ErrorCode.ROOM_MOVED,
        `Room "${roomId}" lives on node ${record.nodeId} at ${record.nodeUrl}: connect there (GET ${record.nodeUrl}/rooms/${roomId} names its endpoints).`,
      );
    },
    receive(message) {
      const request = createRequest.safeParse(message);
      if (request.success) {
        answerCreate(request.data).catch((error: unknown) =>
          logger.warn('Could not answer a forwarded room creation', { cause: String(error) }),
        );
        return;
      }
      const reply = createReply.safeParse(message);
      if (!reply.success) return logger.warn('Ignored an unknown cluster message', { nodeId });
      const waiting = pending.get(reply.data.id);
      if (!waiting) return;
      pending.delete(reply.data.id);
      deps.clock.clearTimeout(waiting.timer);
      const { error } = reply.data;
      if (!error) return waiting.resolve(reply.data.result);
      const code = isErrorCode(error.code) ? error.code : ErrorCode.CLUSTER_UNAVAILABLE;
      waiting.reject(new ChartroomError(code, error.message));
    },
    dispose() {
      for (const { reject, timer } of pending.values()) {
        deps.clock.clearTimeout(timer);
        reject(new ChartroomError(ErrorCode.CLUSTER_UNAVAILABLE, 'The node is shutting down.'));
      }
      pending.clear();
    },
  };
}
