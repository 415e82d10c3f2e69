import { ErrorCode } from '../../core/errors.js';
import { fail, ok } from '../../core/result.js';
import type { DecodeResult } from '../../core/result.js';
import { MAX_WIRE_PAYLOAD_BYTES, Opcode, REPLIED_ID_BYTES, opcodeName, writeFrame } from './frame.js';
import type { BingoBody, BingoMessage } from './messages.js';

const encoder = new TextEncoder();

const bodyBytes = (body: BingoBody): Uint8Array =>
  encoder.encode(
    JSON.stringify(
      body.payload === undefined ? { type: body.type } : { type: body.type, payload: body.payload },
    ),
  );

const withRepliedId = (replyTo: number, rest: Uint8Array): Uint8Array => {
  const payload = new Uint8Array(REPLIED_ID_BYTES + rest.length);
  payload[0] = (replyTo >>> 8) & 0xff;
  payload[1] = replyTo & 0xff;
  payload.set(rest, REPLIED_ID_BYTES);
  return payload;
};

/** The opcode and payload of a message (before the length check). */
function parts(message: Exclude<BingoMessage, { kind: 'noop' }>): [Opcode, Uint8Array] {
  switch (message.kind) {
    case 'identification':
      return [Opcode.Identification, encoder.encode(JSON.stringify(message.identity))];
    case 'ready':
      return [Opcode.Ready, encoder.encode(message.token)];
    case 'ping':
      return [Opcode.Ping, new Uint8Array(0)];
    case 'request':
      return [Opcode.Request, bodyBytes(message)];
    case 'reply':
      return [
        Opcode.Reply,
        withRepliedId(message.replyTo, message.body ? bodyBytes(message.body) : new Uint8Array(0)),
      ];
    case 'errorReply':
      return [Opcode.ErrorReply, withRepliedId(message.replyTo, encoder.encode(message.message))];
    case 'protocolError':
      return [Opcode.ProtocolError, encoder.encode(message.message)];
    case 'event':
      return [Opcode.Event, bodyBytes(message)];
    case 'dataUpdate':
      return [Opcode.DataUpdate, bodyBytes(message)];
  }
}

/**
 * Encode one message into one frame. Never throws: a payload longer than the 16-bit length
 * field (65535 bytes) or than `maxPayloadBytes` is refused with PROTOCOL_FRAME_TOO_LARGE.
 */
export function encodeMessage(
  message: BingoMessage,
  maxPayloadBytes: number = MAX_WIRE_PAYLOAD_BYTES,
): DecodeResult<Uint8Array> {
  if (message.kind === 'noop') return ok(writeFrame(Opcode.Noop, 0));
  const [opcode, payload] = parts(message);
  const limit = Math.min(maxPayloadBytes, MAX_WIRE_PAYLOAD_BYTES);
  if (payload.length > limit) {
    return fail({
      code: ErrorCode.PROTOCOL_FRAME_TOO_LARGE,
      message: `Cannot encode ${opcodeName(opcode)} (message id ${message.id}): payload of ${payload.length} bytes, expected <= ${limit}. Send less per message (split the state) or raise maxPayloadBytes (at most 65535).`,
      seq: message.id,
      fatal: false,
    });
  }
  return ok(writeFrame(opcode, message.id, payload));
}
