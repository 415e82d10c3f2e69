import { z } from 'zod';
import { describeIssues } from '../../core/describe-issues.js';
import { ErrorCode } from '../../core/errors.js';
import { fail, ok } from '../../core/result.js';
import type { DecodeResult } from '../../core/result.js';
import { roomWireSchema } from '../json-envelope/schema.js';

/**
 * Sidereal message bodies (seed 001): one JSON object with a `type`, after the pseudo-header.
 * The seed's types are `knock` and `stop` (client) and `snap`, `diff` and `heartbeat` (server);
 * `welcome`, `room`, `game`, `error` and `bye` are Chartroom's, for what the seed leaves out
 * (the seat and its resume token, refusals, the reason for a close). A seed client ignores them.
 */
export const SIDEREAL_PROTOCOL_VERSION = 1;

/**
 * The game message type a joined client's repeated `knock` becomes: "send me a fresh keyframe".
 * A room type served over Sidereal lists it among its client messages (its sync model's), and
 * answers with one non-initial `snap` per object.
 */
export const KEYFRAME_REQUEST = 'sidereal.keyframe';

/** Limits on bodies, with their defaults (see docs/protocols/sidereal.md). */
export const BODY_LIMITS = {
  /** Longest object id. */
  idLength: 128,
  /** Most traits in one snap or diff. */
  traits: 256,
  /** Longest trait name. */
  traitNameLength: 64,
  /** Longest string trait value. */
  traitStringLength: 1024,
  /** Longest ticket or resume token. */
  tokenLength: 4096,
} as const;

/** A trait value: flat primitives, as in `chartroom/sync/state` entities. */
export type TraitValue = number | string | boolean;
export type Traits = Readonly<Record<string, TraitValue>>;
/** A diff's traits: `null` removes the trait. */
export type TraitChanges = Readonly<Record<string, TraitValue | null>>;

const time = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const objectId = z.string().min(1).max(BODY_LIMITS.idLength);
const traitName = z.string().min(1).max(BODY_LIMITS.traitNameLength);
const traitValue = z.union([
  z.number().refine(Number.isFinite, 'a finite number'),
  z.string().max(BODY_LIMITS.traitStringLength),
  z.boolean(),
]);
/** zod's records drop a `__proto__` key without a word (no plain object can hold it): refuse it. */
const noProtoKey = z.custom(
  (value) => typeof value !== 'object' || value === null || !Object.hasOwn(value, '__proto__'),
  '"__proto__" is not a trait name',
);
const boundedRecord = <T extends z.ZodType>(value: T) =>
  noProtoKey.pipe(z.record(traitName, value)).refine((r) => Object.keys(r).length <= BODY_LIMITS.traits, {
    message: `at most ${BODY_LIMITS.traits} traits`,
  });
const token = z.string().min(1).max(BODY_LIMITS.tokenLength);
const role = z.enum(['player', 'viewer']);
const code = z.string().min(1).max(64);
const text = z.string().max(1024);

export const clientBodySchemas = {
  /** "HAI CAN I COME TO THE PARTY?": join (ticket + room, resume token, or the server's `identify`); on a joined session, a keyframe request. */
  knock: z
    .object({
      ticket: token.optional(),
      room: z.string().min(1).max(128).optional(),
      resume: token.optional(),
      role: role.optional(),
      v: z.number().int().optional(),
    })
    .refine(
      (k) => !(k.ticket !== undefined && k.resume !== undefined),
      'ticket and resume exclude each other',
    )
    .refine((k) => (k.ticket === undefined) === (k.room === undefined), 'ticket and room go together'),
  /** A leave request: the server stops sending to this client. */
  stop: z.object({}),
} as const;

export const serverBodySchemas = {
  snap: z.object({
    id: objectId,
    time,
    total: z.number().int().min(1).max(1_000_000),
    initial: z.boolean().optional(),
    traits: boundedRecord(traitValue),
  }),
  diff: z.object({ id: objectId, time, traits: boundedRecord(traitValue.nullable()) }),
  heartbeat: z.object({ time, rtt: z.number().min(0).max(600_000).optional() }),
  welcome: z.object({
    room: z.string().min(1).max(128),
    seat: z.string().min(1).max(64),
    role,
    resume: token,
    view: roomWireSchema,
    extra: z.record(z.string(), z.unknown()).optional(),
  }),
  room: z.object({ view: roomWireSchema }),
  game: z.object({ name: z.string().min(1).max(64), payload: z.unknown() }),
  error: z.object({ code, message: text, ref: z.string().max(64).optional() }),
  bye: z.object({ code, message: text }),
} as const;

/** A schema's fields; zod types an empty object as Record<string, never>, which no `type` fits. */
type Fields<T> = string extends keyof T ? unknown : T;

type Bodies<S extends Record<string, z.ZodType>> = {
  [K in keyof S & string]: { readonly type: K } & Fields<z.output<S[K]>>;
}[keyof S & string];

export type ClientBody = Bodies<typeof clientBodySchemas>;
export type ServerBody = Bodies<typeof serverBodySchemas>;
export type SnapBody = Extract<ServerBody, { type: 'snap' }>;
export type DiffBody = Extract<ServerBody, { type: 'diff' }>;
export type HeartbeatBody = Extract<ServerBody, { type: 'heartbeat' }>;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Encode a body as UTF-8 JSON. `initial: false` is left out: the seed says its absence means false. */
export function encodeBody(body: ClientBody | ServerBody): Uint8Array {
  const value = body.type === 'snap' && body.initial === false ? { ...body, initial: undefined } : body;
  return encoder.encode(JSON.stringify(value));
}

/** Parse a body's JSON object and its `type`. Never throws. */
function parseObject(bytes: Uint8Array): DecodeResult<Record<string, unknown> & { type: string }> {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    return fail({
      code: ErrorCode.PROTOCOL_MALFORMED_FRAME,
      message: `Body is not UTF-8 JSON: ${error instanceof Error ? error.message : String(error)}.`,
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail({ code: ErrorCode.PROTOCOL_INVALID_MESSAGE, message: 'Body is not a JSON object.' });
  }
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return fail({ code: ErrorCode.PROTOCOL_INVALID_MESSAGE, message: 'Body has no string "type".' });
  }
  return ok(json as Record<string, unknown> & { type: string });
}

function decodeWith<B>(
  bytes: Uint8Array,
  schemas: Readonly<Record<string, z.ZodType>>,
  side: string,
): DecodeResult<B> {
  const parsed = parseObject(bytes);
  if (!parsed.ok) return parsed;
  const { type, ...fields } = parsed.value;
  const schema = Object.hasOwn(schemas, type) ? schemas[type] : undefined;
  if (!schema) {
    return fail({
      code: ErrorCode.PROTOCOL_UNKNOWN_TYPE,
      message: `Unknown ${side} message type "${type.slice(0, 64)}": expected one of ${Object.keys(schemas).join(', ')}.`,
      messageType: type.slice(0, 64),
    });
  }
  const checked = schema.safeParse(fields);
  if (!checked.success) {
    return fail({
      code: ErrorCode.PROTOCOL_INVALID_MESSAGE,
      message: `Invalid ${type}: ${describeIssues(checked.error.issues)}.`,
      messageType: type,
    });
  }
  return ok({ type, ...(checked.data as object) } as B);
}

/** Decode and validate a client body (`knock`, `stop`). */
export function decodeClientBody(bytes: Uint8Array): DecodeResult<ClientBody> {
  return decodeWith<ClientBody>(bytes, clientBodySchemas, 'client');
}

/** Decode and validate a server body. */
export function decodeServerBody(bytes: Uint8Array): DecodeResult<ServerBody> {
  return decodeWith<ServerBody>(bytes, serverBodySchemas, 'server');
}

/** Fold an older unacknowledged diff into a newer one for the same object (newer traits win). */
export function mergeDiffs(older: DiffBody, newer: DiffBody): DiffBody {
  return {
    type: 'diff',
    id: newer.id,
    time: Math.max(older.time, newer.time),
    traits: { ...older.traits, ...newer.traits },
  };
}
