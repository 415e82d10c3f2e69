import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RoomOptions } from '../../machines/room.events.js';
import { createSystemClock } from '../core/clock.js';
import type { Clock } from '../core/clock.js';
import { ChartroomError, ErrorCode } from '../core/errors.js';
import type { Transport } from '../core/link.js';
import { createConsoleLogger } from '../core/logger.js';
import type { Logger } from '../core/logger.js';
import type { Presence, RoomRecord } from '../core/presence.js';
import type { Protocol } from '../core/protocol.js';
import { defaultRoomOptions } from '../core/room-type.js';
import type { AnyRoomType } from '../core/room-type.js';
import { createMemoryPresence } from '../presence/memory/index.js';
import { createJsonEnvelopeProtocol } from '../protocols/json-envelope/server.js';
import { createWebSocketTransport } from '../transports/ws/index.js';
import { createConnectionHosts } from './connection-host.js';
import type { ConnectionHost } from './connection-host.js';
import { defaultLimits, defaultTiming } from './context.js';
import type { ServerContext, ServerLimits, ServerTiming } from './context.js';
import { createHttpApi } from './http-api.js';
import type { CreateRoomBody, HttpApiHandlers, JoinRoomBody } from './http-api.js';
import { createMetrics } from './metrics.js';
import type { MetricsSnapshot } from './metrics.js';
import { createRoomHost } from './room-host.js';
import type { RoomHost } from './room-host.js';
import { createTokenService, generateSecret } from './tokens.js';
import { startInspection } from './inspect.js';
import { createClusterNode } from './cluster/node.js';
import type { ClusterOptions } from './cluster/options.js';
import type { RoomRestore } from './room-restore.js';
import type { InspectOption, ServerInspection } from './inspect.js';

/** A protocol served on a transport; a bare protocol is served over WebSocket at `/ws/<name>`. */
export type Endpoint = Protocol | { readonly protocol: Protocol; readonly transport?: Transport };

export interface ServerOptions {
  /** The room types this server can host. */
  readonly roomTypes: readonly AnyRoomType[];
  /** Protocols and their transports. Default: the JSON envelope over WebSocket. */
  readonly endpoints?: readonly Endpoint[];
  /** HMAC secret for session tokens (>= 16 chars). Default: random per process. */
  readonly secret?: string;
  /** Bearer secret for `POST /rooms`. Default: random per process (read it from `server.adminSecret`). */
  readonly adminSecret?: string;
  /** Where rooms are registered. Default: in-memory (one process). */
  readonly presence?: Presence;
  readonly clock?: Clock;
  /** Default: JSON lines on the console at `info`. */
  readonly logger?: Logger;
  /** Connection timeouts and the heartbeat spread; defaults in `defaultTiming`. */
  readonly timing?: Partial<ServerTiming>;
  /** Limits; defaults in `defaultLimits`. */
  readonly limits?: Partial<ServerLimits>;
  /** This process's node id in presence. Default: random. */
  readonly nodeId?: string;
  /** Base URL clients should use (behind a proxy). Default: the listen address. */
  readonly publicUrl?: string;
  /** Serve HTTPS and wss with these (PEM) credentials. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Page that `GET /join?game_id=` redirects to for a room type, if any. */
  readonly pageFor?: (roomType: string, roomId: string) => string | undefined;
  /**
   * Live inspection (docs/inspection.md): every room actor (`room:<id>`), connection actor
   * (`connection:<id>`) and the actors they invoke report to the Stately inspector. `{ url }`
   * opens @statelyai/inspect's WebSocket inspector (an optional dependency) on that URL; an
   * XState inspection observer is used as it is. Default: none.
   */
  readonly inspect?: InspectOption;
  /** Extra HTTP routes (static pages of the examples); return true when handled. */
  readonly http?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;
  /**
   * Run as one node of a cluster on a shared presence (docs/scaling.md): heartbeats, placement
   * and routing between nodes, and recovery of dead nodes' rooms. Default: a single process.
   */
  readonly cluster?: ClusterOptions;
}

export interface CreateRoomRequest {
  readonly type: string;
  readonly seed?: number;
  readonly config?: unknown;
  readonly options?: Partial<RoomOptions>;
  /** Room id to use (recovery, tests). Default: random. */
  readonly roomId?: string;
  /** Rebuild the room from its journal (recovery of a dead node's room; docs/scaling.md). */
  readonly restore?: RoomRestore;
}

export interface JoinTicket {
  readonly token: string;
  readonly userId: string;
  readonly name: string;
  readonly roomId: string;
  readonly expiresAt: number;
  /** Where to connect, by protocol name. */
  readonly endpoints: Readonly<Record<string, string>>;
}

export interface ChartroomServer {
  /** Start the HTTP listener and every transport. Default `127.0.0.1:0`. */
  listen(options?: { port?: number; host?: string }): Promise<{ url: string; port: number }>;
  /** Start the transports only (in-memory servers for tests). */
  start(): Promise<void>;
  close(): Promise<void>;
  createRoom(request: CreateRoomRequest): Promise<RoomHost>;
  /** A join ticket, as `POST /rooms/:id/join` gives. */
  issueTicket(roomId: string, request?: JoinRoomBody & { userId?: string }): JoinTicket;
  room(roomId: string): RoomHost | undefined;
  rooms(): RoomHost[];
  metrics(): MetricsSnapshot;
  readonly url: string | undefined;
  readonly adminSecret: string;
  readonly nodeId: string;
  readonly connections: ReadonlySet<ConnectionHost>;
  /** Endpoint URLs by protocol name (after listen). */
  endpoints(): Record<string, string>;
}

const roomIdAlphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
const newRoomId = () =>
  Array.from(randomBytes(10), (b) => roomIdAlphabet[b % roomIdAlphabet.length]).join('');

/**
 * Create a Chartroom server: HTTP API and every protocol endpoint on one port.
 *
 * @example
 * const server = createServer({ roomTypes: [tapRace] });
 * const { url } = await server.listen({ port: 8080 });
 */
export function createServer(options: ServerOptions): ChartroomServer {
  const clock = options.clock ?? createSystemClock();
  const logger = options.logger ?? createConsoleLogger();
  const presence = options.presence ?? createMemoryPresence();
  const timing: ServerTiming = { ...defaultTiming, ...options.timing };
  const limits: ServerLimits = { ...defaultLimits, ...options.limits };
  const adminSecret = options.adminSecret ?? generateSecret();
  const tokens = createTokenService(options.secret ?? generateSecret(), clock);
  const metrics = createMetrics();
  const nodeId = options.nodeId ?? randomUUID();
  const roomTypes = new Map(options.roomTypes.map((type) => [type.name, type]));
  const rooms = new Map<string, RoomHost>();
  const emptySince = new Map<string, unknown>();
  const connections = new Set<ConnectionHost>();
  let httpServer: HttpServer | undefined;
  let baseUrl: string | undefined = options.publicUrl;
  let started = false;
  const startedAt = clock.now();

  const endpoints = (options.endpoints ?? [createJsonEnvelopeProtocol()]).map((endpoint) => {
    const protocol = 'protocol' in endpoint ? endpoint.protocol : endpoint;
    const transport =
      ('transport' in endpoint ? endpoint.transport : undefined) ??
      createWebSocketTransport({ path: `/ws/${protocol.name}`, frames: protocol.frames });
    return { protocol, transport };
  });
  const upgrades = new Map<string, (request: unknown, socket: unknown, head: unknown) => void>();

  let inspection: Promise<ServerInspection> | undefined;
  let inspected: ServerInspection | undefined;
  /** Start the inspector once, before the first actor it should see. */
  const inspecting = async () => {
    if (!options.inspect) return;
    inspection ??= startInspection(options.inspect, logger);
    inspected = await inspection;
  };

  const cluster =
    options.cluster &&
    createClusterNode(
      {
        presence,
        nodeId,
        clock,
        logger,
        gracePeriodMs: timing.gracePeriodMs,
        roomTypes: [...roomTypes.keys()],
        startedAt,
        baseUrl: () => baseUrl ?? '',
        endpoints: () => endpointUrls(),
        room: (id) => rooms.get(id),
        roomCount: () => rooms.size,
        connectionCount: () => connections.size,
        createRoom: (request) => createRoom(request),
      },
      options.cluster,
    );

  const ctx: ServerContext = {
    elsewhere: cluster ? (roomId) => cluster.elsewhere(roomId) : undefined,
    clock,
    logger,
    tokens,
    metrics,
    timing,
    limits,
    room: (id) => rooms.get(id),
    get inspect() {
      return inspected?.inspect;
    },
  };
  const hosts = createConnectionHosts(ctx);

  const endpointUrls = (): Record<string, string> =>
    Object.fromEntries(
      endpoints.map(({ protocol, transport }) => [protocol.name, transport.endpoint(baseUrl ?? '')]),
    );

  const record = (room: RoomHost): RoomRecord => {
    const view = room.view();
    return {
      roomId: room.roomId,
      type: room.type.name,
      nodeId,
      nodeUrl: baseUrl ?? '',
      phase: view.phase,
      players: view.seats.filter((s) => s.role === 'player' && !s.left).length,
      viewers: view.seats.filter((s) => s.role === 'viewer').length,
      capacity: room.actor.getSnapshot().context.options.capacity,
      createdAt: room.createdAt,
    };
  };

  const publish = (room: RoomHost) => {
    presence.registerRoom(record(room)).catch((error: unknown) => {
      logger.error('Presence update failed', { roomId: room.roomId, cause: String(error) });
    });
  };

  /** Close rooms where nobody is connected (no seat, or only away and left ones) for emptyRoomTtlMs. */
  const watchEmpty = (room: RoomHost) => {
    if (room.actor.getSnapshot().context.options.persistent) return;
    const empty = !room.view().seats.some((seat) => seat.connected && !seat.left);
    const timer = emptySince.get(room.roomId);
    if (empty && timer === undefined) {
      emptySince.set(
        room.roomId,
        clock.setTimeout(() => {
          emptySince.delete(room.roomId);
          if (!room.view().seats.some((seat) => seat.connected && !seat.left)) {
            room.send({ type: 'CLOSE', reason: 'empty' });
          }
        }, limits.emptyRoomTtlMs),
      );
    } else if (!empty && timer !== undefined) {
      clock.clearTimeout(timer);
      emptySince.delete(room.roomId);
    }
  };

  const createRoom = async (request: CreateRoomRequest): Promise<RoomHost> => {
    const type = roomTypes.get(request.type);
    if (!type) {
      throw new ChartroomError(
        ErrorCode.ROOM_UNKNOWN_TYPE,
        `Unknown room type "${request.type}": this server hosts ${[...roomTypes.keys()].join(', ')}.`,
      );
    }
    const config = type.config.schema.safeParse(request.config ?? type.config.initial);
    if (!config.success) {
      throw new ChartroomError(
        ErrorCode.ROOM_INVALID_CONFIG,
        `Invalid config for room type "${type.name}".`,
        {
          cause: config.error,
        },
      );
    }
    const roomOptions: RoomOptions = { ...defaultRoomOptions, ...type.options, ...request.options };
    if (roomOptions.minPlayers > roomOptions.capacity) {
      throw new ChartroomError(
        ErrorCode.ROOM_INVALID_CONFIG,
        `minPlayers (${roomOptions.minPlayers}) is larger than capacity (${roomOptions.capacity}).`,
      );
    }
    const roomId = request.roomId ?? newRoomId();
    await inspecting();
    if (rooms.has(roomId))
      throw new ChartroomError(ErrorCode.ROOM_INVALID_CONFIG, `Room "${roomId}" exists.`);
    // Atomic in presence: of two nodes creating (or recovering) one room id, one goes on.
    if (!(await presence.claimRoom(roomId, nodeId)))
      throw new ChartroomError(ErrorCode.ROOM_INVALID_CONFIG, `Room "${roomId}" exists on another node.`);
    const journal = cluster?.journalFor(roomId, type);
    const room = createRoomHost({
      roomId,
      type,
      seed: request.seed ?? randomInt(0, 0x7fffffff),
      config: config.data,
      options: roomOptions,
      clock,
      logger,
      ...(inspected ? { inspect: inspected.inspect } : {}),
      ...(request.restore ? { restore: request.restore } : {}),
      ...(journal ? { journal } : {}),
      onRefusal: (code) => metrics.error(code),
      onChange: (host) => {
        publish(host);
        watchEmpty(host);
        cluster?.changed(host);
      },
      onEnded: (host) => {
        rooms.delete(host.roomId);
        const timer = emptySince.get(host.roomId);
        if (timer !== undefined) clock.clearTimeout(timer);
        emptySince.delete(host.roomId);
        presence.removeRoom(host.roomId, nodeId).catch(() => undefined);
        cluster?.ended(host);
        logger.info('Room ended', { roomId: host.roomId, roomType: host.type.name });
      },
    });
    rooms.set(roomId, room);
    cluster?.created(room);
    await presence.registerRoom(record(room));
    watchEmpty(room);
    logger.info('Room created', { roomId, roomType: type.name });
    return room;
  };

  const issueTicket = (roomId: string, request: JoinRoomBody & { userId?: string } = {}): JoinTicket => {
    if (!rooms.has(roomId))
      throw new ChartroomError(ErrorCode.ROOM_NOT_FOUND, `No room "${roomId}" on this server.`);
    const userId = request.userId ?? randomUUID();
    const name = request.name ?? `guest-${userId.slice(0, 8)}`;
    const expiresAt = clock.now() + limits.ticketTtlMs;
    const token = tokens.sign({
      kind: 'ticket',
      userId,
      name,
      roomId,
      exp: expiresAt,
      ...(request.role ? { role: request.role } : {}),
    });
    return { token, userId, name, roomId, expiresAt, endpoints: endpointUrls() };
  };

  const roomInfo = async (roomId: string) => {
    const room = rooms.get(roomId);
    if (room) return { room: room.view(), node_url: baseUrl, endpoints: endpointUrls() };
    const remote = await presence.findRoom(roomId);
    if (!remote) throw new ChartroomError(ErrorCode.ROOM_NOT_FOUND, `No room "${roomId}".`);
    return { room: remote, node_url: remote.nodeUrl };
  };

  /** In a cluster, the routes place rooms on the least loaded node and point at the owner. */
  const routed = (handlers: HttpApiHandlers) => cluster?.http(handlers) ?? handlers;
  const api = createHttpApi({
    adminSecret,
    maxBodyBytes: limits.maxHttpBodyBytes,
    logger,
    handlers: routed({
      health: () => ({
        status: 'ok',
        node_id: nodeId,
        uptime_ms: clock.now() - startedAt,
        rooms: rooms.size,
        connections: connections.size,
      }),
      listRooms: async () => ({ rooms: await presence.listRooms() }),
      roomInfo,
      async roomLog(roomId) {
        const room = rooms.get(roomId);
        if (!room) throw new ChartroomError(ErrorCode.ROOM_NOT_FOUND, `No room "${roomId}" on this server.`);
        if (!room.sync?.exportLog) {
          throw new ChartroomError(ErrorCode.HTTP_NOT_FOUND, `Room type "${room.type.name}" keeps no log.`);
        }
        return room.sync.exportLog();
      },
      async createRoom(body: CreateRoomBody) {
        const room = await createRoom({
          type: body.type,
          ...(body.seed !== undefined ? { seed: body.seed } : {}),
          ...(body.config !== undefined ? { config: body.config } : {}),
          ...(body.options ? { options: stripUndefined(body.options) } : {}),
        });
        const view = room.view();
        return {
          room_id: room.roomId,
          type: view.type,
          seed: view.seed,
          join_url: `${baseUrl ?? ''}/rooms/${room.roomId}/join`,
          page_url: `${baseUrl ?? ''}/join?game_id=${room.roomId}`,
          info_url: `${baseUrl ?? ''}/rooms/${room.roomId}`,
          endpoints: endpointUrls(),
        };
      },
      async joinRoom(roomId, body) {
        const ticket = issueTicket(roomId, body);
        return {
          token: ticket.token,
          player_id: ticket.userId,
          name: ticket.name,
          room_id: ticket.roomId,
          expires_at: ticket.expiresAt,
          endpoints: ticket.endpoints,
        };
      },
      async joinPage(roomId) {
        const info = await roomInfo(roomId);
        const room = rooms.get(roomId);
        const page = room && options.pageFor?.(room.type.name, roomId);
        return page ? { redirect: page } : { body: info };
      },
    }),
  });

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (cluster && (await cluster.route(req, res, url))) return;
    if (await api(req, res, url)) return;
    if (options.http && (await options.http(req, res, url))) return;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ error: { code: ErrorCode.HTTP_NOT_FOUND, message: `No route ${url.pathname}.` } }),
    );
  };

  const start = async () => {
    if (started) return;
    started = true;
    await inspecting();
    for (const { protocol, transport } of endpoints) {
      await transport.start(
        (accepted) => {
          const host = hosts.open(accepted, protocol, (closed) => connections.delete(closed));
          connections.add(host);
        },
        { upgrade: (path, handler) => upgrades.set(path, handler) },
      );
    }
  };

  return {
    async listen({ port = 0, host = '127.0.0.1' } = {}) {
      const server = options.tls ? createHttpsServer(options.tls) : createHttpServer();
      httpServer = server;
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        onRequest(req, res).catch((error: unknown) => {
          logger.error('HTTP handler failed', { cause: String(error) });
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
      });
      server.on('upgrade', (req: IncomingMessage, socket, head) => {
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        const handler = upgrades.get(path);
        if (handler) return handler(req, socket, head);
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      });
      await start();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      baseUrl = options.publicUrl ?? `${options.tls ? 'https' : 'http'}://${host}:${address.port}`;
      for (const room of rooms.values()) publish(room);
      await cluster?.start();
      return { url: baseUrl, port: address.port };
    },
    start,
    async close() {
      for (const connection of [...connections]) {
        connection.kick(ErrorCode.CONN_SERVER_SHUTDOWN, 'The server is shutting down.');
      }
      for (const room of [...rooms.values()]) room.stop();
      for (const timer of emptySince.values()) clock.clearTimeout(timer);
      emptySince.clear();
      for (const { transport } of endpoints) await transport.stop();
      if (httpServer) {
        const server = httpServer;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      await cluster?.stop();
      await presence.close();
      inspected?.stop();
    },
    createRoom,
    issueTicket,
    room: (roomId) => rooms.get(roomId),
    rooms: () => [...rooms.values()],
    metrics: () => metrics.snapshot(),
    get url() {
      return baseUrl;
    },
    adminSecret,
    nodeId,
    connections,
    endpoints: endpointUrls,
  };
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}
