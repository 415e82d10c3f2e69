import { z } from 'zod';

/**
 * The JSON envelope (seed 002 "Realtime Protocol"): `{ type, seq, ts, payload }`.
 * See docs/protocols/json-envelope.md for the choices the seed leaves open.
 */
export const ENVELOPE_PROTOCOL_VERSION = 1;

/** Default largest frame accepted, in bytes (UTF-8). */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

export const envelopeSchema = z.object({
  type: z.string().min(1).max(64),
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  ts: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  payload: z.unknown(),
});

export type Envelope = z.infer<typeof envelopeSchema>;

const role = z.enum(['player', 'viewer']);

/** Framework messages a client sends. Every other `type` is a game message. */
export const clientPayloadSchemas = {
  'auth.login': z
    .object({
      token: z.string().min(1).max(4096).optional(),
      resume_token: z.string().min(1).max(4096).optional(),
      protocol_version: z.number().int().optional(),
    })
    .refine((p) => (p.token === undefined) !== (p.resume_token === undefined), {
      message: 'exactly one of token and resume_token is required',
    }),
  'session.join_system': z.object({ system_id: z.string().min(1).max(128), role: role.optional() }),
  'session.leave': z.object({}),
  'room.ready': z.object({ ready: z.boolean() }),
  'room.setup': z.object({ command: z.unknown() }),
  'room.pause': z.object({ paused: z.boolean() }),
} as const;

export type ClientFrameworkType = keyof typeof clientPayloadSchemas;

const seatWire = z.object({
  seat_id: z.string(),
  user_id: z.string(),
  name: z.string(),
  role,
  ready: z.boolean(),
  connected: z.boolean(),
  left: z.boolean(),
});

export const roomWireSchema = z.object({
  room_id: z.string(),
  type: z.string(),
  seed: z.number(),
  phase: z.string(),
  // Optional: a room type without configuration has config undefined, which JSON leaves out.
  config: z.unknown().optional(),
  config_version: z.number(),
  seats: z.array(seatWire),
});

export type RoomWire = z.infer<typeof roomWireSchema>;

/** Framework messages the server sends. Every other `type` is a game message. */
export const serverPayloadSchemas = {
  // Seed 002's own auth.ok example carries only player_id; chartroom's server also sends name.
  'auth.ok': z.object({ player_id: z.string(), name: z.string().optional() }),
  'auth.error': z.object({ code: z.string(), message: z.string() }),
  'session.joined': z
    .object({
      system_id: z.string(),
      seat_id: z.string(),
      role,
      resume_token: z.string(),
      room: roomWireSchema,
      // Loose: a game adds its own fields (seed 002's ship_id and spawn), kept as the output's `extra`.
    })
    .loose(),
  'session.closing': z.object({ code: z.string(), message: z.string() }),
  'room.state': roomWireSchema,
  error: z.object({
    code: z.string(),
    message: z.string(),
    ref_type: z.string().optional(),
    ref_seq: z.number().optional(),
  }),
} as const;

export type ServerFrameworkType = keyof typeof serverPayloadSchemas;

/**
 * Wire type of each framework intent kind, for `error.ref_type` (game messages keep their own
 * type). A Map, not an object: a game type may be any string, `valueOf` included.
 */
export const intentWireTypes: ReadonlyMap<string, string> = new Map([
  ['authenticate', 'auth.login'],
  ['resume', 'auth.login'],
  ['join', 'session.join_system'],
  ['leave', 'session.leave'],
  ['ready', 'room.ready'],
  ['setup', 'room.setup'],
  ['pause', 'room.pause'],
]);

/** Intent kind of each framework wire type (the inverse of `intentWireTypes`). */
export const wireIntentKinds: ReadonlyMap<string, string> = new Map([
  ['auth.login', 'authenticate'],
  ['session.join_system', 'join'],
  ['session.leave', 'leave'],
  ['room.ready', 'ready'],
  ['room.setup', 'setup'],
  ['room.pause', 'pause'],
]);

/** Type prefixes the framework owns; game message types must not start with them. */
export const RESERVED_PREFIXES = ['auth.', 'session.', 'room.'] as const;

export function isReservedType(type: string): boolean {
  return type === 'error' || RESERVED_PREFIXES.some((prefix) => type.startsWith(prefix));
}
