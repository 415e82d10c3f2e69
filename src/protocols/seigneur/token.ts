import { ErrorCode } from '../../core/errors.js';
import { fail, ok } from '../../core/result.js';
import type { DecodeResult } from '../../core/result.js';

/**
 * Compact session tokens for the Sanity Check's 1-byte token length (seed 000 §Sanity Check).
 *
 * A Chartroom token is `base64url(JSON claims) "." base64url(HMAC-SHA-256)`: 200-300
 * characters, too long for 255 bytes. Its compact forms are lossless: the server rebuilds the
 * exact string and verifies the HMAC as for any other protocol, so a compact form can only
 * carry a token the server signed. First byte:
 *
 * - `0x01` packed: the claims JSON bytes, then the 32-byte MAC (any signed token).
 * - `0x02` ticket fields: flags, user id, name, expiry, MAC. The room id is the Sanity Check's.
 * - `0x03` resume fields: as 0x02 plus the seat generation; the seat is the Sanity Check's
 *   player id, with the role in the flags.
 *
 * Encoders pick the fields form when rebuilding it gives back the very same string, the packed
 * form otherwise; a token neither fits is refused with a clear issue.
 */
export const TokenForm = { Packed: 0x01, Ticket: 0x02, Resume: 0x03 } as const;

/** Bytes of an HMAC-SHA-256. */
const MAC_BYTES = 32;
const FLAG_UUID = 0x01;
const FLAG_ROLE = 0x02;
const FLAG_VIEWER = 0x04;
const U48 = 2 ** 48;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = new Map([...ALPHABET].map((c, i) => [c, i]));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** base64url without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += ALPHABET[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

/** Strict base64url decoding; undefined for a character outside the alphabet or a bad length. */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (text.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const char of text) {
    const digit = LOOKUP.get(char);
    if (digit === undefined) return undefined;
    value = (value << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

/** The claims a compact form carries (those of src/server/tokens.ts). */
export interface TokenClaimsView {
  readonly kind: 'ticket' | 'resume';
  readonly userId: string;
  readonly name: string;
  readonly roomId: string;
  readonly role?: 'player' | 'viewer';
  readonly seatId?: string;
  readonly generation?: number;
  readonly exp: number;
}

/** Split a signed token into its claims (parsed) and MAC; undefined when it is not one. */
export function readToken(
  token: string,
): { claims: TokenClaimsView; body: Uint8Array; mac: Uint8Array } | undefined {
  const dot = token.indexOf('.');
  const body = dot > 0 ? fromBase64Url(token.slice(0, dot)) : undefined;
  const mac = dot > 0 ? fromBase64Url(token.slice(dot + 1)) : undefined;
  if (!body || !mac || mac.byteLength !== MAC_BYTES) return undefined;
  try {
    const claims = JSON.parse(strictUtf8.decode(body)) as Partial<TokenClaimsView> | null;
    if (!claims || (claims.kind !== 'ticket' && claims.kind !== 'resume')) return undefined;
    if (typeof claims.userId !== 'string' || typeof claims.name !== 'string') return undefined;
    if (typeof claims.roomId !== 'string' || typeof claims.exp !== 'number') return undefined;
    return { claims: claims as TokenClaimsView, body, mac };
  } catch {
    return undefined;
  }
}

/** Where a compact form gets what it leaves out: the Sanity Check's room and player ids. */
export interface TokenContext {
  readonly roomId: number;
  readonly playerId: number;
}

/** Rebuild the claims JSON exactly as src/server/tokens.ts signs it (key order matters). */
function claimsJson(kind: 'ticket' | 'resume', fields: Omit<TokenClaimsView, 'kind'>): string {
  const { userId, name, roomId, exp } = fields;
  return kind === 'ticket'
    ? JSON.stringify({ kind, userId, name, roomId, exp, ...(fields.role ? { role: fields.role } : {}) })
    : JSON.stringify({
        kind,
        userId,
        name,
        roomId,
        seatId: fields.seatId,
        generation: fields.generation,
        exp,
      });
}

/**
 * The smallest compact form of `token`, or an issue when no form fits in 255 bytes.
 * Never throws.
 */
export function compactToken(token: string, context: TokenContext): DecodeResult<Uint8Array> {
  const read = readToken(token);
  const refuse = (why: string) =>
    fail({
      code: ErrorCode.AUTH_INVALID_TOKEN,
      message: `Cannot fit the session token into a Sanity Check: ${why}.`,
      messageType: 'sanityCheck',
    });
  if (!read) return refuse('it is not a Chartroom token (<base64url claims>.<base64url 32-byte MAC>)');
  const fields = fieldsForm(read.claims, read.mac, context);
  if (fields && fields.byteLength <= 255) {
    const back = expandToken(fields, context);
    if (back.ok && back.value.token === token) return ok(fields);
  }
  const packed = new Uint8Array(1 + read.body.byteLength + MAC_BYTES);
  packed[0] = TokenForm.Packed;
  packed.set(read.body, 1);
  packed.set(read.mac, 1 + read.body.byteLength);
  if (packed.byteLength <= 255) return ok(packed);
  return refuse(
    `its packed form takes ${packed.byteLength} bytes, expected <= 255; use a shorter name or user id`,
  );
}

function fieldsForm(claims: TokenClaimsView, mac: Uint8Array, context: TokenContext): Uint8Array | undefined {
  if (!Number.isInteger(claims.exp) || claims.exp < 0 || claims.exp >= U48) return undefined;
  if (claims.roomId !== String(context.roomId)) return undefined;
  const resume = claims.kind === 'resume';
  if (resume && (!Number.isInteger(claims.generation) || (claims.generation ?? -1) < 0)) return undefined;
  if (resume && claims.generation !== undefined && claims.generation > 0xffffffff) return undefined;
  const role = resume ? (claims.seatId?.startsWith('v') ? 'viewer' : 'player') : claims.role;
  const uuid = UUID.test(claims.userId);
  const user = uuid ? uuidBytes(claims.userId) : utf8.encode(claims.userId);
  const name = utf8.encode(claims.name);
  if ((!uuid && user.byteLength > 255) || name.byteLength > 255) return undefined;
  const parts: number[] = [resume ? TokenForm.Resume : TokenForm.Ticket];
  parts.push((uuid ? FLAG_UUID : 0) | (role ? FLAG_ROLE : 0) | (role === 'viewer' ? FLAG_VIEWER : 0));
  if (!uuid) parts.push(user.byteLength);
  parts.push(...user, name.byteLength, ...name);
  if (resume) parts.push(...u32Bytes(claims.generation ?? 0));
  parts.push(...u32Bytes(Math.floor(claims.exp / 2 ** 32)).slice(2), ...u32Bytes(claims.exp % 2 ** 32));
  parts.push(...mac);
  return Uint8Array.from(parts);
}

/**
 * The token string a compact form stands for, and its kind (ticket: authenticate and join;
 * resume: take the seat back). Never throws; a form that cannot be read is AUTH_INVALID_TOKEN.
 */
export function expandToken(
  bytes: Uint8Array,
  context: TokenContext,
): DecodeResult<{ kind: 'ticket' | 'resume'; token: string }> {
  const invalid = (why: string) =>
    fail({
      code: ErrorCode.AUTH_INVALID_TOKEN,
      message: `Invalid Sanity Check token: ${why}. Send the token the HTTP join returned, in a compact form.`,
      messageType: 'sanityCheck',
    });
  const form = bytes[0];
  if (form === TokenForm.Packed) {
    if (bytes.byteLength <= 1 + MAC_BYTES) return invalid('packed form shorter than its 32-byte MAC');
    const body = bytes.subarray(1, bytes.byteLength - MAC_BYTES);
    const token = `${toBase64Url(body)}.${toBase64Url(bytes.subarray(bytes.byteLength - MAC_BYTES))}`;
    const read = readToken(token);
    if (!read) return invalid('packed claims are not a Chartroom ticket or resume token');
    return ok({ kind: read.claims.kind, token });
  }
  if (form !== TokenForm.Ticket && form !== TokenForm.Resume) {
    return invalid(
      form === undefined ? 'empty token' : `unknown form 0x${form.toString(16)}, expected 0x01..0x03`,
    );
  }
  const resume = form === TokenForm.Resume;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2;
  const flags = bytes[1] ?? 0;
  const need = (n: number) => at + n <= bytes.byteLength;
  let userId: string;
  if (flags & FLAG_UUID) {
    if (!need(16)) return invalid('truncated user id');
    userId = uuidString(bytes.subarray(at, at + 16));
    at += 16;
  } else {
    const length = bytes[at++] ?? 0;
    if (!need(length)) return invalid('truncated user id');
    userId = decodeUtf8(bytes.subarray(at, (at += length))) ?? '';
  }
  const nameLength = bytes[at++] ?? 0;
  if (!need(nameLength)) return invalid('truncated name');
  const name = decodeUtf8(bytes.subarray(at, (at += nameLength)));
  if (name === undefined || !userId) return invalid('user id or name is not UTF-8');
  const fixed = (resume ? 4 : 0) + 6 + MAC_BYTES;
  if (bytes.byteLength - at !== fixed)
    return invalid(`expected ${fixed} bytes after the name, received ${bytes.byteLength - at}`);
  const generation = resume ? view.getUint32(at) : 0;
  if (resume) at += 4;
  const exp = view.getUint16(at) * 2 ** 32 + view.getUint32(at + 2);
  const mac = bytes.subarray(at + 6);
  const viewer = (flags & FLAG_VIEWER) !== 0;
  const json = claimsJson(resume ? 'resume' : 'ticket', {
    userId,
    name,
    roomId: String(context.roomId),
    exp,
    ...(flags & FLAG_ROLE && !resume ? { role: viewer ? 'viewer' : 'player' } : {}),
    ...(resume ? { seatId: `${viewer ? 'v' : 'p'}${context.playerId}`, generation } : {}),
  });
  return ok({
    kind: resume ? 'resume' : 'ticket',
    token: `${toBase64Url(utf8.encode(json))}.${toBase64Url(mac)}`,
  });
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

const u32Bytes = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replaceAll('-', '');
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

function uuidString(bytes: Uint8Array): string {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
