import { ErrorCode } from '../../core/errors.js';
import { fail, ok } from '../../core/result.js';
import type { DecodeResult } from '../../core/result.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  HEADER_BYTES,
  MAX_ERROR_CODE_BYTES,
  PacketType,
  WeaponActionType,
  packetNames,
} from './wire.js';
import type { PacketTypeCode } from './wire.js';

/** One weapon action (seed "Weapon Action" data, by action type). */
export type WeaponAction =
  | { readonly kind: 'shoot'; readonly angle: number }
  | { readonly kind: 'damage'; readonly target: number; readonly amount: number; readonly hp: number }
  | { readonly kind: 'ability'; readonly ability: number; readonly angle: number }
  | { readonly kind: 'death'; readonly killer: number }
  | { readonly kind: 'respawn'; readonly x: number; readonly y: number; readonly hp: number };

/** Every Seigneur packet, decoded. `tick` is the frame header's game tick (u32). */
export type SeigneurPacket =
  | {
      readonly type: 'move';
      readonly tick: number;
      readonly playerId: number;
      readonly x: number;
      readonly y: number;
      readonly velocity: number;
    }
  | { readonly type: 'join'; readonly tick: number; readonly playerId: number; readonly name: string }
  | { readonly type: 'leave'; readonly tick: number; readonly playerId: number }
  | {
      readonly type: 'sanityCheck';
      readonly tick: number;
      readonly roomId: number;
      readonly playerId: number;
      readonly token: Uint8Array;
    }
  | {
      readonly type: 'weapon';
      readonly tick: number;
      readonly playerId: number;
      readonly action: WeaponAction;
    }
  | {
      readonly type: 'error';
      readonly tick: number;
      readonly code: string;
      /** The packet type this error answers, 0 when none. */
      readonly ref: number;
      /** The server closes the link after this packet. */
      readonly fatal: boolean;
      readonly message: string;
    }
  | {
      readonly type: 'keyRequest';
      readonly tick: number;
      readonly suite: number;
      readonly publicKey: Uint8Array;
    }
  | {
      readonly type: 'keyResponse';
      readonly tick: number;
      readonly suite: number;
      readonly publicKey: Uint8Array;
      readonly salt: Uint8Array;
    };

export type SeigneurPacketType = SeigneurPacket['type'];

/** Bytes of the HKDF salt in a Key Exchange Response. */
export const SALT_BYTES = 32;

/** Bytes of each weapon action's data. */
export const actionSizes: Readonly<Record<WeaponAction['kind'], number>> = {
  shoot: 2,
  damage: 8,
  ability: 3,
  death: 4,
  respawn: 6,
};
/** Wire code of each weapon action kind. */
export const actionCodes = {
  shoot: WeaponActionType.Shoot,
  damage: WeaponActionType.Damage,
  ability: WeaponActionType.Ability,
  death: WeaponActionType.Death,
  respawn: WeaponActionType.Respawn,
} as const;
const actionKinds: Readonly<Record<number, WeaponAction['kind']>> = {
  [WeaponActionType.Shoot]: 'shoot',
  [WeaponActionType.Damage]: 'damage',
  [WeaponActionType.Ability]: 'ability',
  [WeaponActionType.Death]: 'death',
  [WeaponActionType.Respawn]: 'respawn',
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** Registry codes on the wire: ASCII upper case, digits and underscores. */
export const ERROR_CODE_PATTERN = /^[A-Z0-9_]+$/;

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

/** Big-endian reads (a DataView per frame costs more than the whole packet). */
const u32 = (f: Uint8Array, at: number) =>
  (((f[at] ?? 0) << 24) | ((f[at + 1] ?? 0) << 16) | ((f[at + 2] ?? 0) << 8) | (f[at + 3] ?? 0)) >>> 0;
const u16 = (f: Uint8Array, at: number) => ((f[at] ?? 0) << 8) | (f[at + 1] ?? 0);

/** Exact-length check: the frame must end exactly where the packet's layout says. */
function exact(name: string, code: number, size: number, bytes: number): DecodeResult<never> | undefined {
  if (size === bytes) return undefined;
  return fail({
    code: ErrorCode.PROTOCOL_MALFORMED_FRAME,
    message:
      size < bytes
        ? `${name} (${hex(code)}) frame truncated: expected ${bytes} bytes, received ${size}.`
        : `${name} (${hex(code)}) frame too long: expected ${bytes} bytes, received ${size} (${size - bytes} trailing).`,
    messageType: name,
    fatal: true,
  });
}

function invalid(name: string, why: string): DecodeResult<never> {
  return fail({
    code: ErrorCode.PROTOCOL_INVALID_MESSAGE,
    message: `Invalid ${name}: ${why}.`,
    messageType: name,
  });
}

/** Read a UTF-8 string strictly; undefined when the bytes are not UTF-8. */
function readUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Decode one frame (one WebSocket message). Never throws. A frame shorter or longer than its
 * packet's layout says is malformed (`fatal`: a binary peer that gets lengths wrong is broken);
 * a well-framed packet with a bad value (unknown action type, name not UTF-8) is invalid.
 *
 * @param maxFrameBytes default 512 (the largest client packet is 269 bytes)
 */
export function decodePacket(
  frame: Uint8Array,
  maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES,
): DecodeResult<SeigneurPacket> {
  const size = frame.byteLength;
  if (size > maxFrameBytes) {
    return fail({
      code: ErrorCode.PROTOCOL_FRAME_TOO_LARGE,
      message: `Frame too large: expected <= ${maxFrameBytes} bytes, received ${size}. Raise maxFrameBytes to accept it.`,
      fatal: true,
    });
  }
  if (size < HEADER_BYTES) {
    return fail({
      code: ErrorCode.PROTOCOL_MALFORMED_FRAME,
      message: `Frame truncated: expected >= ${HEADER_BYTES} bytes (tick u32, type u8), received ${size}.`,
      fatal: true,
    });
  }
  const tick = u32(frame, 0);
  const code = frame[4] ?? 0;
  const name = packetNames[code as PacketTypeCode] as string | undefined;
  if (name === undefined) {
    return fail({
      code: ErrorCode.PROTOCOL_UNKNOWN_TYPE,
      message: `Unknown packet type ${hex(code)}: expected 0x01..0x08. Check that both ends speak Seigneur v1.`,
      messageType: hex(code),
      fatal: true,
    });
  }

  switch (code) {
    case PacketType.Move:
      return (
        exact(name, code, size, 15) ??
        ok({
          type: 'move',
          tick,
          playerId: u32(frame, 5),
          x: u16(frame, 9),
          y: u16(frame, 11),
          velocity: u16(frame, 13),
        })
      );
    case PacketType.PlayerJoin: {
      if (size < 10) return exact(name, code, size, 10) as DecodeResult<never>;
      const length = frame[9] ?? 0;
      const wrong = exact(name, code, size, 10 + length);
      if (wrong) return wrong;
      if (length === 0) return invalid(name, 'name length is 0, expected 1..255 bytes');
      const text = readUtf8(frame.subarray(10));
      if (text === undefined) return invalid(name, 'name is not valid UTF-8');
      return ok({ type: 'join', tick, playerId: u32(frame, 5), name: text });
    }
    case PacketType.PlayerLeave:
      return exact(name, code, size, 9) ?? ok({ type: 'leave', tick, playerId: u32(frame, 5) });
    case PacketType.SanityCheck: {
      if (size < 14) return exact(name, code, size, 14) as DecodeResult<never>;
      const length = frame[13] ?? 0;
      return (
        exact(name, code, size, 14 + length) ??
        ok({
          type: 'sanityCheck',
          tick,
          roomId: u32(frame, 5),
          playerId: u32(frame, 9),
          token: frame.slice(14),
        })
      );
    }
    case PacketType.WeaponAction: {
      if (size < 10) return exact(name, code, size, 10) as DecodeResult<never>;
      const actionType = frame[9] ?? 0;
      const kind = actionKinds[actionType];
      if (kind === undefined) {
        return invalid(name, `unknown action type ${hex(actionType)}, expected 0x01..0x05`);
      }
      const wrong = exact(name, code, size, 10 + actionSizes[kind]);
      if (wrong) return wrong;
      const playerId = u32(frame, 5);
      const action = readAction(kind, frame);
      return ok({ type: 'weapon', tick, playerId, action });
    }
    case PacketType.Error: {
      if (size < 6) return exact(name, code, size, 6) as DecodeResult<never>;
      const codeLength = frame[5] ?? 0;
      if (size < 10 + codeLength) return exact(name, code, size, 10 + codeLength) as DecodeResult<never>;
      const messageLength = u16(frame, 8 + codeLength);
      const wrong = exact(name, code, size, 10 + codeLength + messageLength);
      if (wrong) return wrong;
      const errorCode = readUtf8(frame.subarray(6, 6 + codeLength)) ?? '';
      if (codeLength > MAX_ERROR_CODE_BYTES || !ERROR_CODE_PATTERN.test(errorCode)) {
        return invalid(name, `code must be 1..${MAX_ERROR_CODE_BYTES} characters of [A-Z0-9_]`);
      }
      const flags = frame[7 + codeLength] ?? 0;
      if (flags > 1) return invalid(name, `flags ${hex(flags)} set reserved bits, expected 0x00 or 0x01`);
      const message = readUtf8(frame.subarray(10 + codeLength));
      if (message === undefined) return invalid(name, 'message is not valid UTF-8');
      return ok({
        type: 'error',
        tick,
        code: errorCode,
        ref: frame[6 + codeLength] ?? 0,
        fatal: flags === 1,
        message,
      });
    }
    case PacketType.KeyExchangeRequest: {
      if (size < 7) return exact(name, code, size, 7) as DecodeResult<never>;
      const length = frame[6] ?? 0;
      const wrong = exact(name, code, size, 7 + length);
      if (wrong) return wrong;
      if (length === 0) return invalid(name, 'public key length is 0');
      return ok({ type: 'keyRequest', tick, suite: frame[5] ?? 0, publicKey: frame.slice(7) });
    }
    default: {
      // PacketType.KeyExchangeResponse, the last known type.
      if (size < 7) return exact(name, code, size, 7) as DecodeResult<never>;
      const length = frame[6] ?? 0;
      const wrong = exact(name, code, size, 7 + length + SALT_BYTES);
      if (wrong) return wrong;
      if (length === 0) return invalid(name, 'public key length is 0');
      return ok({
        type: 'keyResponse',
        tick,
        suite: frame[5] ?? 0,
        publicKey: frame.slice(7, 7 + length),
        salt: frame.slice(7 + length),
      });
    }
  }
}

function readAction(kind: WeaponAction['kind'], frame: Uint8Array): WeaponAction {
  switch (kind) {
    case 'shoot':
      return { kind, angle: u16(frame, 10) };
    case 'damage':
      return { kind, target: u32(frame, 10), amount: u16(frame, 14), hp: u16(frame, 16) };
    case 'ability':
      return { kind, ability: frame[10] ?? 0, angle: u16(frame, 11) };
    case 'death':
      return { kind, killer: u32(frame, 10) };
    case 'respawn':
      return { kind, x: u16(frame, 10), y: u16(frame, 12), hp: u16(frame, 14) };
  }
}
