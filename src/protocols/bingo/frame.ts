import { ErrorCode } from '../../core/errors.js';
import type { ProtocolIssue } from '../../core/result.js';

/**
 * Bingo frames (seed 003 "Frame Description"): a 1-byte opcode, then (every opcode but Noop)
 * a 16-bit message id and a 16-bit payload length, then the payload. Both 16-bit fields are
 * big-endian (network byte order, as in WebSocket framing, which the seed says the protocol
 * resembles). See docs/protocols/bingo.md for the byte tables.
 */
export const Opcode = {
  Noop: 0x00,
  Identification: 0x01,
  Ready: 0x02,
  Ping: 0x03,
  Request: 0x04,
  Reply: 0x05,
  ErrorReply: 0x06,
  ProtocolError: 0x07,
  Event: 0x08,
  DataUpdate: 0x09,
} as const;

/** One of the ten opcodes. */
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** Opcode (1) + message id (2) + payload length (2). */
export const HEADER_BYTES = 5;
/** The length field is 16 bits: no payload can be longer, whatever the configured limit. */
export const MAX_WIRE_PAYLOAD_BYTES = 0xffff;
/** Default largest payload a server accepts from a client (client messages are small). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024;
/** Client message ids run 0x0000-0x7fff and wrap to 0 (seed 003 "Message IDs"). */
export const CLIENT_ID_MIN = 0x0000;
/** Last client id before wrapping to `CLIENT_ID_MIN`. */
export const CLIENT_ID_MAX = 0x7fff;
/** Server message ids have the top bit set: 0x8000-0xffff, wrapping to 0x8000. */
export const SERVER_ID_MIN = 0x8000;
/** Last server id before wrapping to `SERVER_ID_MIN`. */
export const SERVER_ID_MAX = 0xffff;

/** The length of a Reply or Error Reply payload that is only the replied id (an acknowledgement). */
export const REPLIED_ID_BYTES = 2;

const names: Readonly<Record<number, string>> = {
  0x00: 'Noop',
  0x01: 'Identification',
  0x02: 'Ready',
  0x03: 'Ping',
  0x04: 'Request',
  0x05: 'Reply',
  0x06: 'Error Reply',
  0x07: 'Protocol Error',
  0x08: 'Event',
  0x09: 'Data Update',
};

/** Human name of an opcode for messages and logs, e.g. `Reply (0x05)`. */
export function opcodeName(opcode: number): string {
  return `${names[opcode] ?? 'unknown'} (0x${opcode.toString(16).padStart(2, '0')})`;
}

/** `true` for 0x00-0x09. */
export function isOpcode(value: number): value is Opcode {
  return value >= Opcode.Noop && value <= Opcode.DataUpdate;
}

/** One frame off the wire. The payload is a view into the received bytes (no copy). */
export type BingoFrame =
  | { readonly opcode: typeof Opcode.Noop }
  | {
      readonly opcode: Exclude<Opcode, typeof Opcode.Noop>;
      readonly id: number;
      readonly payload: Uint8Array;
    };

/** What reading at an offset gives: a whole frame and its size, a need for more bytes, or a violation. */
export type ReadResult =
  | { readonly kind: 'frame'; readonly frame: BingoFrame; readonly size: number }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'malformed'; readonly issue: ProtocolIssue };

const malformed = (code: ErrorCode, message: string, seq?: number): ReadResult => ({
  kind: 'malformed',
  issue: { code, message, fatal: true, ...(seq !== undefined ? { seq } : {}) },
});

/**
 * Length rules every peer checks, whoever sent the frame: a Ping carries nothing, a Reply and
 * an Error Reply start with the 2-byte replied id. Returns a message when `length` breaks one.
 */
function lengthRule(opcode: Opcode, length: number): string | undefined {
  if (opcode === Opcode.Ping && length !== 0) return `expected 0 bytes, received ${length}`;
  if ((opcode === Opcode.Reply || opcode === Opcode.ErrorReply) && length < REPLIED_ID_BYTES) {
    return `expected >= ${REPLIED_ID_BYTES} bytes (the replied message id), received ${length}`;
  }
  return undefined;
}

/**
 * Read one frame from `bytes` at `offset`. Never throws. Checks the opcode as soon as byte 0 is
 * there and the length as soon as the header is, so a violation is caught before its payload
 * is buffered: at most `HEADER_BYTES + maxPayloadBytes` bytes of one frame are ever waited for.
 */
export function readFrame(bytes: Uint8Array, offset: number, maxPayloadBytes: number): ReadResult {
  const available = bytes.length - offset;
  if (available < 1) return { kind: 'incomplete' };
  const opcode = bytes[offset] as number;
  if (!isOpcode(opcode)) {
    return malformed(
      ErrorCode.PROTOCOL_UNKNOWN_TYPE,
      `Unknown opcode 0x${opcode.toString(16).padStart(2, '0')}: expected 0x00-0x09. The stream cannot be resynchronised; check the peer's framing.`,
    );
  }
  if (opcode === Opcode.Noop) return { kind: 'frame', frame: { opcode }, size: 1 };
  if (available < HEADER_BYTES) return { kind: 'incomplete' };
  const id = ((bytes[offset + 1] as number) << 8) | (bytes[offset + 2] as number);
  const length = ((bytes[offset + 3] as number) << 8) | (bytes[offset + 4] as number);
  if (length > maxPayloadBytes) {
    return malformed(
      ErrorCode.PROTOCOL_FRAME_TOO_LARGE,
      `Payload too large: expected <= ${maxPayloadBytes} bytes, received a length of ${length} (${opcodeName(opcode)}, message id ${id}). Split the message or raise maxPayloadBytes.`,
      id,
    );
  }
  const rule = lengthRule(opcode, length);
  if (rule) {
    return malformed(
      ErrorCode.PROTOCOL_MALFORMED_FRAME,
      `Bad length for ${opcodeName(opcode)} (message id ${id}): ${rule}.`,
      id,
    );
  }
  if (available < HEADER_BYTES + length) return { kind: 'incomplete' };
  const start = offset + HEADER_BYTES;
  return {
    kind: 'frame',
    frame: { opcode, id, payload: bytes.subarray(start, start + length) },
    size: HEADER_BYTES + length,
  };
}

/** Build one frame. The caller checks the payload length (see `encodeMessage`). */
export function writeFrame(opcode: Opcode, id: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (opcode === Opcode.Noop) return Uint8Array.of(Opcode.Noop);
  const frame = new Uint8Array(HEADER_BYTES + payload.length);
  frame[0] = opcode;
  frame[1] = (id >>> 8) & 0xff;
  frame[2] = id & 0xff;
  frame[3] = (payload.length >>> 8) & 0xff;
  frame[4] = payload.length & 0xff;
  frame.set(payload, HEADER_BYTES);
  return frame;
}

/** Overwrite the message id of an encoded frame in place (a broadcast encoded once, numbered per peer). */
export function setFrameId(frame: Uint8Array, id: number): void {
  frame[1] = (id >>> 8) & 0xff;
  frame[2] = id & 0xff;
}

/** What `BingoFramer.next` gives. */
export type FramerResult =
  | { readonly kind: 'frame'; readonly frame: BingoFrame }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'malformed'; readonly issue: ProtocolIssue };

/**
 * Cuts a TCP byte stream into frames: a frame split over many chunks waits for the rest, one
 * chunk holding many frames yields them one by one. Buffered bytes are capped: the framer
 * holds at most `HEADER_BYTES + maxPayloadBytes` bytes of an unfinished frame, because the
 * length is checked as soon as the header is in. After a malformed frame the framer stays
 * broken (framing is lost): every later `next` returns the same issue.
 */
export interface BingoFramer {
  /** Add received bytes. Frames already returned stay valid (the framer never writes into them). */
  push(chunk: Uint8Array): void;
  /** The next whole frame, `incomplete` when more bytes are needed, or `malformed`. */
  next(): FramerResult;
  /** Bytes received and not yet returned as frames. */
  readonly buffered: number;
}

/**
 * @param maxPayloadBytes largest payload accepted; default `DEFAULT_MAX_PAYLOAD_BYTES` (16 KiB),
 *   at most 65535 (the width of the length field).
 */
export function createBingoFramer(maxPayloadBytes: number = DEFAULT_MAX_PAYLOAD_BYTES): BingoFramer {
  const limit = Math.min(Math.max(0, Math.floor(maxPayloadBytes)), MAX_WIRE_PAYLOAD_BYTES);
  let buffer: Uint8Array = new Uint8Array(0);
  let offset = 0;
  let broken: FramerResult | undefined;

  return {
    push(chunk) {
      if (broken || chunk.length === 0) return;
      const rest = buffer.length - offset;
      if (rest === 0) {
        // The common case: nothing left over, read the chunk in place.
        buffer = chunk;
      } else {
        // A frame straddles chunks: join the leftover (< one frame) with the new bytes.
        const joined = new Uint8Array(rest + chunk.length);
        joined.set(buffer.subarray(offset), 0);
        joined.set(chunk, rest);
        buffer = joined;
      }
      offset = 0;
    },
    next() {
      if (broken) return broken;
      const read = readFrame(buffer, offset, limit);
      if (read.kind === 'incomplete') return read;
      if (read.kind === 'malformed') {
        broken = read;
        buffer = new Uint8Array(0);
        offset = 0;
        return read;
      }
      offset += read.size;
      return { kind: 'frame', frame: read.frame };
    },
    get buffered() {
      return buffer.length - offset;
    },
  };
}
