import { ErrorCode } from '../../core/errors.js';
import { fail, ok } from '../../core/result.js';
import type { DecodeResult } from '../../core/result.js';
import { ERROR_CODE_PATTERN, SALT_BYTES, actionCodes, actionSizes } from './codec.js';
import type { SeigneurPacket, WeaponAction } from './codec.js';
import { HEADER_BYTES, MAX_ERROR_CODE_BYTES, PacketType, U16_MAX, U32_MAX } from './wire.js';

const utf8 = new TextEncoder();

/** Cut a string to at most `max` UTF-8 bytes on a character boundary. */
export function truncateUtf8(text: string, max: number): Uint8Array {
  const bytes = utf8.encode(text);
  if (bytes.byteLength <= max) return bytes;
  let end = max;
  // Step back over continuation bytes (10xxxxxx) so a multi-byte character is not split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

function bad(
  packet: SeigneurPacket,
  field: string,
  expected: string,
  received: unknown,
): DecodeResult<never> {
  return fail({
    code: ErrorCode.PROTOCOL_INVALID_MESSAGE,
    message: `Cannot encode ${packet.type}: ${field} must be ${expected}, received ${String(received)}.`,
    messageType: packet.type,
  });
}

/** An issue when `value` is not a whole number in 0..max (the field's wire width). */
function range(
  packet: SeigneurPacket,
  field: string,
  value: number,
  max: number,
): DecodeResult<never> | undefined {
  return Number.isInteger(value) && value >= 0 && value <= max
    ? undefined
    : bad(packet, field, `an integer 0..${max}`, value);
}

// Big-endian writes: module-level, so encoding allocates nothing but the frame itself.
function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}
function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 8;
  b[at + 1] = v;
}
function frame(tick: number, type: number, payloadBytes: number): Uint8Array {
  const b = new Uint8Array(HEADER_BYTES + payloadBytes);
  put32(b, 0, tick);
  b[4] = type;
  return b;
}

/**
 * Encode one packet. Returns an issue (never throws) when a field does not fit its wire width:
 * integers must be whole and in range, names 1..255 bytes, tokens 0..255 bytes. Error
 * messages longer than 65535 bytes are cut (the server cuts at 1 KiB before this).
 */
export function encodePacket(packet: SeigneurPacket): DecodeResult<Uint8Array> {
  const wrongTick = range(packet, 'tick', packet.tick, U32_MAX);
  if (wrongTick) return wrongTick;
  switch (packet.type) {
    case 'move': {
      const wrong =
        range(packet, 'playerId', packet.playerId, U32_MAX) ??
        range(packet, 'x', packet.x, U16_MAX) ??
        range(packet, 'y', packet.y, U16_MAX) ??
        range(packet, 'velocity', packet.velocity, U16_MAX);
      if (wrong) return wrong;
      const b = frame(packet.tick, PacketType.Move, 10);
      put32(b, 5, packet.playerId);
      put16(b, 9, packet.x);
      put16(b, 11, packet.y);
      put16(b, 13, packet.velocity);
      return ok(b);
    }
    case 'join': {
      const name = utf8.encode(packet.name);
      const wrong =
        range(packet, 'playerId', packet.playerId, U32_MAX) ??
        (name.byteLength >= 1 && name.byteLength <= 255
          ? undefined
          : bad(packet, 'name', '1..255 UTF-8 bytes', `${name.byteLength} bytes`));
      if (wrong) return wrong;
      const b = frame(packet.tick, PacketType.PlayerJoin, 5 + name.byteLength);
      put32(b, 5, packet.playerId);
      b[9] = name.byteLength;
      b.set(name, 10);
      return ok(b);
    }
    case 'leave': {
      const wrong = range(packet, 'playerId', packet.playerId, U32_MAX);
      if (wrong) return wrong;
      const b = frame(packet.tick, PacketType.PlayerLeave, 4);
      put32(b, 5, packet.playerId);
      return ok(b);
    }
    case 'sanityCheck': {
      const { token } = packet;
      const wrong =
        range(packet, 'roomId', packet.roomId, U32_MAX) ??
        range(packet, 'playerId', packet.playerId, U32_MAX) ??
        (token.byteLength <= 255 ? undefined : bad(packet, 'token', '0..255 bytes', token.byteLength));
      if (wrong) return wrong;
      const b = frame(packet.tick, PacketType.SanityCheck, 9 + token.byteLength);
      put32(b, 5, packet.roomId);
      put32(b, 9, packet.playerId);
      b[13] = token.byteLength;
      b.set(token, 14);
      return ok(b);
    }
    case 'weapon':
      return encodeWeapon(packet);
    case 'error': {
      const code = utf8.encode(packet.code);
      if (code.byteLength > MAX_ERROR_CODE_BYTES || !ERROR_CODE_PATTERN.test(packet.code)) {
        return bad(packet, 'code', `1..${MAX_ERROR_CODE_BYTES} characters of [A-Z0-9_]`, packet.code);
      }
      const wrong = range(packet, 'ref', packet.ref, 0xff);
      if (wrong) return wrong;
      const message = truncateUtf8(packet.message, U16_MAX);
      const at = 6 + code.byteLength;
      const b = frame(packet.tick, PacketType.Error, 5 + code.byteLength + message.byteLength);
      b[5] = code.byteLength;
      b.set(code, 6);
      b[at] = packet.ref;
      b[at + 1] = packet.fatal ? 1 : 0;
      put16(b, at + 2, message.byteLength);
      b.set(message, at + 4);
      return ok(b);
    }
    case 'keyRequest':
    case 'keyResponse': {
      const key = packet.publicKey;
      const salt = packet.type === 'keyResponse' ? packet.salt : undefined;
      const wrong =
        range(packet, 'suite', packet.suite, 0xff) ??
        (key.byteLength >= 1 && key.byteLength <= 255
          ? undefined
          : bad(packet, 'publicKey', '1..255 bytes', key.byteLength)) ??
        (salt === undefined || salt.byteLength === SALT_BYTES
          ? undefined
          : bad(packet, 'salt', `${SALT_BYTES} bytes`, salt.byteLength));
      if (wrong) return wrong;
      const type = salt ? PacketType.KeyExchangeResponse : PacketType.KeyExchangeRequest;
      const b = frame(packet.tick, type, 2 + key.byteLength + (salt?.byteLength ?? 0));
      b[5] = packet.suite;
      b[6] = key.byteLength;
      b.set(key, 7);
      if (salt) b.set(salt, 7 + key.byteLength);
      return ok(b);
    }
  }
}

function actionIssue(packet: SeigneurPacket, action: WeaponAction): DecodeResult<never> | undefined {
  switch (action.kind) {
    case 'shoot':
      return range(packet, 'angle', action.angle, U16_MAX);
    case 'damage':
      return (
        range(packet, 'target', action.target, U32_MAX) ??
        range(packet, 'amount', action.amount, U16_MAX) ??
        range(packet, 'hp', action.hp, U16_MAX)
      );
    case 'ability':
      return range(packet, 'ability', action.ability, 0xff) ?? range(packet, 'angle', action.angle, U16_MAX);
    case 'death':
      return range(packet, 'killer', action.killer, U32_MAX);
    case 'respawn':
      return (
        range(packet, 'x', action.x, U16_MAX) ??
        range(packet, 'y', action.y, U16_MAX) ??
        range(packet, 'hp', action.hp, U16_MAX)
      );
  }
}

function encodeWeapon(packet: Extract<SeigneurPacket, { type: 'weapon' }>): DecodeResult<Uint8Array> {
  const { action } = packet;
  const size = actionSizes[action.kind] as number | undefined;
  if (size === undefined)
    return bad(packet, 'action.kind', 'shoot, damage, ability, death or respawn', action.kind);
  const wrong = range(packet, 'playerId', packet.playerId, U32_MAX) ?? actionIssue(packet, action);
  if (wrong) return wrong;
  const b = frame(packet.tick, PacketType.WeaponAction, 5 + size);
  put32(b, 5, packet.playerId);
  b[9] = actionCodes[action.kind];
  switch (action.kind) {
    case 'shoot':
      put16(b, 10, action.angle);
      break;
    case 'damage':
      put32(b, 10, action.target);
      put16(b, 14, action.amount);
      put16(b, 16, action.hp);
      break;
    case 'ability':
      b[10] = action.ability;
      put16(b, 11, action.angle);
      break;
    case 'death':
      put32(b, 10, action.killer);
      break;
    case 'respawn':
      put16(b, 10, action.x);
      put16(b, 12, action.y);
      put16(b, 14, action.hp);
      break;
  }
  return ok(b);
}
