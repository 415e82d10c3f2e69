import { ErrorCode } from '../../core/errors.js';
import { fail, ok } from '../../core/result.js';
import type { DecodeResult } from '../../core/result.js';

/**
 * The Sidereal pseudo-header (seed 001, "Packet Specification"): every datagram is
 *
 *     offset 0  u32 big-endian  sequence number (1 .. 2^32-1)
 *     offset 4  u8              flags
 *     offset 5  ...             body: UTF-8 JSON (an object), or a fragment of one
 *
 * Network byte order like every IETF header; 32 bits so a peer sending 1,000 packets a second
 * runs for 49 days before a stream would wrap (it is closed instead, see docs/protocols/sidereal.md).
 */
export const HEADER_BYTES = 5;

/** The largest sequence number; the next send closes the channel instead of wrapping. */
export const MAX_SEQ = 0xffff_ffff;

/**
 * Flag bits. ACK, RAINBOW and AWESOME are the seed's; RELIABLE and MORE are Chartroom's and use
 * bits the seed leaves unassigned. Reserved bits are carried through untouched, like RAINBOW and
 * AWESOME: a receiver never rejects a packet for them.
 */
export const Flag = {
  /** Seed: this packet acknowledges the packet whose sequence number it carries. Body `{}`. */
  ACK: 0x01,
  /** Chartroom: the packet is on the reliable, ordered stream (on an ACK: the acknowledged one was). */
  RELIABLE: 0x02,
  /** Chartroom: a fragment; more fragments of the same message follow (reliable stream only). */
  MORE: 0x04,
  /** Seed, unused: "This packet has a rainbow flag, and is thus proud." */
  RAINBOW: 0x10,
  /** Seed, unused: "This packet is awesome." */
  AWESOME: 0x80,
} as const;

/** Flags an application may set on a message; the channel owns ACK, RELIABLE and MORE. */
export const PASS_THROUGH_FLAGS = 0xff & ~(Flag.ACK | Flag.RELIABLE | Flag.MORE);

/** Default cap on one datagram, header included: under the 1280-byte IPv6 minimum MTU minus IP/UDP headers. */
export const DEFAULT_MAX_DATAGRAM_BYTES = 1200;

/** The smallest `maxDatagramBytes` a channel accepts: a header, an ACK body and some room for data. */
export const MIN_DATAGRAM_BYTES = 64;

export interface Packet {
  readonly seq: number;
  readonly flags: number;
  /** The bytes after the header (a view into the datagram; copy it to keep it). */
  readonly body: Uint8Array;
}

/** Write a datagram: header then body. */
export function encodePacket(seq: number, flags: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + body.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, seq, false);
  view.setUint8(4, flags & 0xff);
  out.set(body, HEADER_BYTES);
  return out;
}

const hex = (bytes: Uint8Array, max = 8) =>
  Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');

/**
 * Read a datagram's header. Never throws: too short, too large, sequence 0 and impossible flag
 * combinations (MORE without RELIABLE, ACK with MORE) are issues; the body is not parsed here.
 */
export function decodePacket(datagram: Uint8Array, maxDatagramBytes: number): DecodeResult<Packet> {
  if (datagram.byteLength > maxDatagramBytes) {
    return fail({
      code: ErrorCode.PROTOCOL_FRAME_TOO_LARGE,
      message: `Datagram too large: expected <= ${maxDatagramBytes} bytes, received ${datagram.byteLength}. Raise maxDatagramBytes on both ends to accept it.`,
    });
  }
  if (datagram.byteLength < HEADER_BYTES) {
    return fail({
      code: ErrorCode.PROTOCOL_MALFORMED_FRAME,
      message: `Datagram too short: expected >= ${HEADER_BYTES} bytes (u32 sequence + u8 flags), received ${datagram.byteLength} (${hex(datagram)}).`,
    });
  }
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const seq = view.getUint32(0, false);
  const flags = view.getUint8(4);
  if (seq === 0) {
    return fail({
      code: ErrorCode.PROTOCOL_INVALID_MESSAGE,
      message: 'Sequence number 0: expected 1 .. 4294967295 (streams start at 1).',
    });
  }
  if (flags & Flag.MORE && (!(flags & Flag.RELIABLE) || flags & Flag.ACK)) {
    return fail({
      code: ErrorCode.PROTOCOL_INVALID_MESSAGE,
      message: `Flags 0x${flags.toString(16)}: MORE (0x04) is only valid with RELIABLE (0x02) and without ACK (0x01).`,
      seq,
    });
  }
  return ok({ seq, flags, body: datagram.subarray(HEADER_BYTES) });
}
