import { ErrorCode } from '../../core/errors.js';
import type { RoomView, SeatView } from '../../core/messages.js';
import { fail, ok } from '../../core/result.js';
import type { DecodeResult } from '../../core/result.js';
import { describeIssues } from '../../core/describe-issues.js';
import { envelopeSchema } from './schema.js';
import type { Envelope, RoomWire } from './schema.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

const byteLength = (frame: Uint8Array | string): number =>
  typeof frame === 'string' ? encoder.encode(frame).byteLength : frame.byteLength;

/** `envelopeSchema`'s rules without zod: type 1-64 chars, seq and ts safe integers >= 0, payload present. */
function isEnvelope(json: unknown): json is Envelope {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const { type, seq, ts, payload } = json as Record<string, unknown>;
  return (
    typeof type === 'string' &&
    type.length >= 1 &&
    type.length <= 64 &&
    Number.isSafeInteger(seq) &&
    (seq as number) >= 0 &&
    Number.isSafeInteger(ts) &&
    (ts as number) >= 0 &&
    // JSON has no undefined: a payload that is undefined is a missing key, which zod refuses.
    payload !== undefined
  );
}

/**
 * Parse and validate one envelope frame. Never throws: too large, not UTF-8, not JSON and
 * not an envelope each give their own typed issue.
 */
export function decodeEnvelope(frame: Uint8Array | string, maxFrameBytes: number): DecodeResult<Envelope> {
  const size =
    typeof frame === 'string' && frame.length * 3 <= maxFrameBytes ? frame.length : byteLength(frame);
  if (size > maxFrameBytes) {
    return fail({
      code: ErrorCode.PROTOCOL_FRAME_TOO_LARGE,
      message: `Frame too large: expected <= ${maxFrameBytes} bytes, received ${size}. Split the message or raise maxFrameBytes.`,
    });
  }
  let text: string;
  if (typeof frame === 'string') {
    text = frame;
  } else {
    try {
      text = utf8.decode(frame);
    } catch {
      return fail({ code: ErrorCode.PROTOCOL_MALFORMED_FRAME, message: 'Frame is not valid UTF-8 text.' });
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail({
      code: ErrorCode.PROTOCOL_MALFORMED_FRAME,
      message: `Frame is not JSON: ${error instanceof Error ? error.message : String(error)}.`,
    });
  }
  // Hot path (every inbound message): a well-formed envelope is checked by hand, with exactly
  // `envelopeSchema`'s rules and output (the four keys, unknown ones dropped); zod runs only to
  // word the refusal of anything else.
  if (isEnvelope(json)) return ok({ type: json.type, seq: json.seq, ts: json.ts, payload: json.payload });
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    const partial = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
    return fail({
      code: ErrorCode.PROTOCOL_INVALID_MESSAGE,
      message: `Not an envelope {type, seq, ts, payload}: ${describeIssues(parsed.error.issues)}.`,
      ...(typeof partial.type === 'string' ? { messageType: partial.type.slice(0, 64) } : {}),
      ...(typeof partial.seq === 'number' && Number.isFinite(partial.seq) ? { seq: partial.seq } : {}),
    });
  }
  // zod 4 requires the `payload` key itself: a frame without one is refused above.
  return ok(parsed.data);
}

/** Encode an envelope; a message without a body carries `payload: {}` (JSON has no undefined). */
export function encodeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope.payload === undefined ? { ...envelope, payload: {} } : envelope);
}

/**
 * The same text as `encodeEnvelope({ type, seq, ts, payload })`, from the payload's JSON text
 * (`JSON.stringify(payload)`, made once by whoever built the payload).
 */
export function encodeEnvelopeJson(type: string, seq: number, ts: number, payloadJson: string): string {
  return `{"type":${JSON.stringify(type)},"seq":${seq},"ts":${ts},"payload":${payloadJson}}`;
}

export function roomToWire(room: RoomView): RoomWire {
  return {
    room_id: room.roomId,
    type: room.type,
    seed: room.seed,
    phase: room.phase,
    config: room.config,
    config_version: room.configVersion,
    seats: room.seats.map((seat) => ({
      seat_id: seat.seatId,
      user_id: seat.userId,
      name: seat.name,
      role: seat.role,
      ready: seat.ready,
      connected: seat.connected,
      left: seat.left,
    })),
  };
}

export function roomFromWire(wire: RoomWire): RoomView {
  return {
    roomId: wire.room_id,
    type: wire.type,
    seed: wire.seed,
    phase: wire.phase,
    config: wire.config,
    configVersion: wire.config_version,
    seats: wire.seats.map((seat): SeatView => ({
      seatId: seat.seat_id,
      userId: seat.user_id,
      name: seat.name,
      role: seat.role,
      ready: seat.ready,
      connected: seat.connected,
      left: seat.left,
    })),
  };
}
