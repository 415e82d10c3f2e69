import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { describeIssues } from '../core/describe-issues.js';
import { ChartroomError, ErrorCode, isChartroomError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** Body of `POST /rooms`: the room type, its seed and setup configuration, and options. */
export const createRoomBody = z.object({
  type: z.string().min(1).max(64),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  config: z.unknown().optional(),
  options: z
    .object({
      capacity: z.number().int().min(1).max(1024),
      minPlayers: z.number().int().min(1).max(1024),
      maxViewers: z.number().int().min(0).max(10_000),
      lateJoin: z.enum(['viewer', 'refuse', 'player']),
      pauseOnDisconnect: z.boolean(),
      persistent: z.boolean(),
    })
    .partial()
    .optional(),
});

/** Body of `POST /rooms/:id/join`: a display name (a guest name is made when absent). */
export const joinRoomBody = z.object({
  name: z.string().trim().min(1).max(32).optional(),
  role: z.enum(['player', 'viewer']).optional(),
});

export type CreateRoomBody = z.infer<typeof createRoomBody>;
export type JoinRoomBody = z.infer<typeof joinRoomBody>;

/** What the routes need from the server. */
export interface HttpApiHandlers {
  health(): unknown;
  listRooms(): Promise<unknown>;
  roomInfo(roomId: string): Promise<unknown>;
  /** The sync model's export (a lockstep turn log), for replays and audits. */
  roomLog(roomId: string): Promise<unknown>;
  createRoom(body: CreateRoomBody): Promise<unknown>;
  joinRoom(roomId: string, body: JoinRoomBody): Promise<unknown>;
  /** Seed 004's `GET /join?game_id=`: where the client gets engine, seed and configuration. */
  joinPage(roomId: string): Promise<{ redirect: string } | { body: unknown }>;
}

const statusFor: Partial<Record<ErrorCode, number>> = {
  HTTP_UNAUTHORIZED: 401,
  HTTP_NOT_FOUND: 404,
  HTTP_BODY_TOO_LARGE: 413,
  HTTP_METHOD_NOT_ALLOWED: 405,
  ROOM_NOT_FOUND: 404,
  ROOM_CLOSED: 410,
  CLUSTER_UNAVAILABLE: 503,
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'cache-control': 'no-store',
    'access-control-allow-origin': '*',
  });
  res.end(json);
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > limit) {
      throw new ChartroomError(ErrorCode.HTTP_BODY_TOO_LARGE, `Body too large: expected <= ${limit} bytes.`);
    }
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (cause) {
    throw new ChartroomError(ErrorCode.HTTP_BAD_REQUEST, 'Body is not JSON.', { cause });
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ChartroomError(
      ErrorCode.HTTP_BAD_REQUEST,
      `Invalid body: ${describeIssues(parsed.error.issues)}.`,
    );
  }
  return parsed.data;
}

function bearerMatches(req: IncomingMessage, secret: string): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The HTTP routes (JSON in, JSON out):
 *
 * | route | what |
 * |---|---|
 * | `GET /health` | liveness and counts |
 * | `GET /rooms` | every room (all nodes, through presence) |
 * | `POST` or `PUT /rooms` | create a room; `Authorization: Bearer <adminSecret>` |
 * | `GET /rooms/:id` | one room's public view and endpoints |
 * | `POST` or `PUT /rooms/:id/join` | a join ticket (session token) for a player or viewer |
 * | `GET /rooms/:id/log` | the sync model's export (a lockstep turn log); `Authorization: Bearer <adminSecret>` |
 * | `GET /join?game_id=:id` | seed 004's join URL: the room's page, or its info |
 *
 * Returns `false` for paths it does not own, so the server can try its other handlers.
 */
export function createHttpApi(options: {
  readonly adminSecret: string;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
  readonly handlers: HttpApiHandlers;
}) {
  const { handlers } = options;

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const write = (status: number, body: unknown) => {
      send(res, status, body);
      return true;
    };
    const only = (...methods: string[]) => {
      if (methods.includes(method)) return;
      throw new ChartroomError(
        ErrorCode.HTTP_METHOD_NOT_ALLOWED,
        `${method} ${path}: use ${methods.join(' or ')}.`,
      );
    };

    if (path === '/health') {
      only('GET', 'HEAD');
      return write(200, handlers.health());
    }
    if (path === '/join') {
      only('GET');
      const roomId = url.searchParams.get('game_id');
      if (!roomId)
        throw new ChartroomError(ErrorCode.HTTP_BAD_REQUEST, 'GET /join needs ?game_id=<room id>.');
      const page = await handlers.joinPage(roomId);
      if ('redirect' in page) {
        res.writeHead(302, { location: page.redirect });
        res.end();
        return true;
      }
      return write(200, page.body);
    }
    if (path === '/rooms') {
      if (method === 'GET') return write(200, await handlers.listRooms());
      only('POST', 'PUT');
      if (!bearerMatches(req, options.adminSecret)) {
        throw new ChartroomError(
          ErrorCode.HTTP_UNAUTHORIZED,
          'Creating a room needs "Authorization: Bearer <adminSecret>".',
        );
      }
      const body = parse(createRoomBody, await readJson(req, options.maxBodyBytes));
      return write(201, await handlers.createRoom(body));
    }
    const match = /^\/rooms\/([A-Za-z0-9_-]{1,64})(\/join|\/log)?$/.exec(path);
    if (match?.[1]) {
      if (match[2] === '/log') {
        only('GET');
        if (!bearerMatches(req, options.adminSecret)) {
          throw new ChartroomError(
            ErrorCode.HTTP_UNAUTHORIZED,
            'A room log needs "Authorization: Bearer <adminSecret>".',
          );
        }
        return write(200, await handlers.roomLog(match[1]));
      }
      if (match[2]) {
        only('POST', 'PUT');
        const body = parse(joinRoomBody, await readJson(req, options.maxBodyBytes));
        return write(200, await handlers.joinRoom(match[1], body));
      }
      only('GET');
      return write(200, await handlers.roomInfo(match[1]));
    }
    return false;
  };

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET, POST, PUT, OPTIONS',
        'access-control-allow-headers': 'authorization, content-type',
      });
      res.end();
      return true;
    }
    try {
      return await route(req, res, url);
    } catch (error) {
      const code = isChartroomError(error) ? error.code : ErrorCode.HTTP_BAD_REQUEST;
      const status = statusFor[code] ?? (isChartroomError(error) ? 400 : 500);
      const message = error instanceof Error ? error.message : String(error);
      options.logger.warn(`HTTP ${req.method ?? ''} ${url.pathname} refused: ${message}`, { code, status });
      send(res, status, { error: { code, message } });
      return true;
    }
  };
}
