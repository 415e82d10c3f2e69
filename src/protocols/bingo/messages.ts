import { z } from 'zod';
import { describeIssues } from '../../core/describe-issues.js';
import { ErrorCode } from '../../core/errors.js';
import { fail, ok } from '../../core/result.js';
import type { DecodeResult, ProtocolIssue } from '../../core/result.js';
import { CLIENT_ID_MAX, Opcode, REPLIED_ID_BYTES, SERVER_ID_MIN, opcodeName } from './frame.js';
import type { BingoFrame } from './frame.js';

/**
 * The Identification payload (seed 003 "Connection Handshake"): the seed's `login` and
 * `username`, plus Chartroom's optional fields. Which of them a server needs is its choice
 * (docs/protocols/bingo.md "Handshake"): a ticket `token` with its `room`, a `resume` token
 * (the last Ready token), or nothing more when the server has an `identify` hook.
 */
export const identificationSchema = z.object({
  login: z.string().max(128),
  username: z.string().max(64),
  /** A join ticket from `POST /rooms/:id/join` (then `room` is required). */
  token: z.string().min(1).max(4096).optional(),
  /** The room the ticket is for, or the room to ask `identify` for. */
  room: z.string().min(1).max(128).optional(),
  /** The secret token of a previous Ready: take the same seat back. */
  resume: z.string().min(1).max(4096).optional(),
  role: z.enum(['player', 'viewer']).optional(),
});

/** A decoded Identification payload. */
export type BingoIdentity = z.infer<typeof identificationSchema>;

/** Largest `type` of a Request, Event, Data Update or Reply body. */
export const MAX_TYPE_LENGTH = 64;

/** The JSON body of a Request, Event, Data Update and (non-empty) Reply: `{"type", "payload"}`. */

export interface BingoBody {
  readonly type: string;
  /** Any JSON value; `undefined` is sent as an absent `payload` key. */
  readonly payload: unknown;
}

/** A decoded Bingo message. `id` is the frame's message id; `replyTo` the id a reply answers. */
export type BingoMessage =
  | { readonly kind: 'noop' }
  | { readonly kind: 'identification'; readonly id: number; readonly identity: BingoIdentity }
  | { readonly kind: 'ready'; readonly id: number; readonly token: string }
  | { readonly kind: 'ping'; readonly id: number }
  | ({ readonly kind: 'request'; readonly id: number } & BingoBody)
  /** `body` undefined: exactly the 2-byte replied id, an acknowledgement. */
  | { readonly kind: 'reply'; readonly id: number; readonly replyTo: number; readonly body?: BingoBody }
  /** `message` is '' when the client sends it (the seed: "payload must be empty" after the id). */
  | { readonly kind: 'errorReply'; readonly id: number; readonly replyTo: number; readonly message: string }
  | { readonly kind: 'protocolError'; readonly id: number; readonly message: string }
  | ({ readonly kind: 'event'; readonly id: number } & BingoBody)
  | ({ readonly kind: 'dataUpdate'; readonly id: number } & BingoBody);

/** `noop`, `identification`, `ready`, `ping`, `request`, `reply`, `errorReply`, `protocolError`, `event`, `dataUpdate`. */
export type BingoMessageKind = BingoMessage['kind'];

/** Who sent the bytes being decoded: opcodes and id ranges depend on the direction. */
export type BingoSender = 'client' | 'server';

const clientOnly = new Set<number>([Opcode.Identification]);
const serverOnly = new Set<number>([Opcode.Ready, Opcode.Ping, Opcode.DataUpdate]);

const utf8 = new TextDecoder('utf-8', { fatal: true });

const issue = (code: ErrorCode, message: string, id?: number, fatal = true): ProtocolIssue => ({
  code,
  message,
  fatal,
  ...(id !== undefined ? { seq: id } : {}),
});

function text(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function json(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false; why: string } {
  const source = text(bytes);
  if (source === undefined) return { ok: false, why: 'not valid UTF-8' };
  try {
    return { ok: true, value: JSON.parse(source) as unknown };
  } catch (error) {
    return { ok: false, why: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}

/**
 * Decode a body. Its issues are not fatal: the frame boundary is intact, so a server answers a
 * bad Request body with an Error Reply and carries on.
 */
function decodeBody(frame: { opcode: number; id: number; payload: Uint8Array }): DecodeResult<BingoBody> {
  const parsed = json(frame.payload);
  const refuse = (why: string) =>
    fail(
      issue(
        ErrorCode.PROTOCOL_INVALID_MESSAGE,
        `${opcodeName(frame.opcode)} body (message id ${frame.id}) ${why}`,
        frame.id,
        false,
      ),
    );
  if (!parsed.ok) return refuse(`is ${parsed.why}: expected UTF-8 JSON {"type": string, "payload": any}.`);
  // Checked by hand rather than with zod: this runs for every message (see bench/bingo.bench.ts).
  const value = parsed.value as { type?: unknown; payload?: unknown } | null;
  const type = typeof value === 'object' && value !== null && !Array.isArray(value) ? value.type : undefined;
  if (typeof type !== 'string' || type.length < 1 || type.length > MAX_TYPE_LENGTH) {
    const received = typeof type === 'string' ? `a type of ${type.length} chars` : `type ${typeof type}`;
    return refuse(
      `is not {"type": string (1-${MAX_TYPE_LENGTH} chars), "payload": any}: received ${Array.isArray(value) ? 'an array' : received}.`,
    );
  }
  return ok({ type, payload: (value as { payload?: unknown }).payload });
}

const u16 = (payload: Uint8Array): number => ((payload[0] as number) << 8) | (payload[1] as number);

/**
 * Turn one frame into a typed message, checking what the frame layer cannot: which side may
 * send the opcode, the id range of the sender, the replied id's range and each payload's
 * shape. Never throws. Issues are fatal (answer with a Protocol Error and close) except a bad
 * body in a Request, Event, Data Update or Reply, which leaves the stream in sync.
 */
export function decodeMessage(frame: BingoFrame, from: BingoSender): DecodeResult<BingoMessage> {
  if (frame.opcode === Opcode.Noop) return ok({ kind: 'noop' });
  const { opcode, id, payload } = frame;
  if ((from === 'client' && serverOnly.has(opcode)) || (from === 'server' && clientOnly.has(opcode))) {
    return fail(
      issue(
        ErrorCode.PROTOCOL_UNEXPECTED_MESSAGE,
        `${opcodeName(opcode)} is sent by the ${from === 'client' ? 'server' : 'client'} only; received from the ${from} (message id ${id}).`,
        id,
      ),
    );
  }
  const ownRange = from === 'client' ? id <= CLIENT_ID_MAX : id >= SERVER_ID_MIN;
  if (!ownRange) {
    return fail(
      issue(
        ErrorCode.PROTOCOL_INVALID_MESSAGE,
        `${opcodeName(opcode)} has message id 0x${id.toString(16)}: a ${from} numbers its messages ${from === 'client' ? '0x0000-0x7fff' : '0x8000-0xffff'}.`,
        id,
      ),
    );
  }
  switch (opcode) {
    case Opcode.Identification: {
      const parsed = json(payload);
      const identity = parsed.ok ? identificationSchema.safeParse(parsed.value) : undefined;
      if (!identity?.success) {
        const why = parsed.ok ? describeIssues(identity?.error.issues ?? []) : parsed.why;
        return fail(
          issue(
            ErrorCode.PROTOCOL_INVALID_MESSAGE,
            `Identification (message id ${id}) is not JSON {"login": string, "username": string, ...}: ${why}.`,
            id,
          ),
        );
      }
      return ok({ kind: 'identification', id, identity: identity.data });
    }
    case Opcode.Ready: {
      const token = text(payload);
      if (!token) {
        return fail(
          issue(ErrorCode.PROTOCOL_INVALID_MESSAGE, `Ready (message id ${id}) has no UTF-8 token.`, id),
        );
      }
      return ok({ kind: 'ready', id, token });
    }
    case Opcode.Ping:
      return ok({ kind: 'ping', id });
    case Opcode.Reply:
    case Opcode.ErrorReply: {
      const replyTo = u16(payload);
      const towardOther = from === 'client' ? replyTo >= SERVER_ID_MIN : replyTo <= CLIENT_ID_MAX;
      if (!towardOther) {
        return fail(
          issue(
            ErrorCode.PROTOCOL_INVALID_MESSAGE,
            `${opcodeName(opcode)} (message id ${id}) replies to 0x${replyTo.toString(16)}, which is not a ${from === 'client' ? 'server' : 'client'} message id.`,
            id,
          ),
        );
      }
      const rest = payload.subarray(REPLIED_ID_BYTES);
      if (opcode === Opcode.ErrorReply) {
        if (from === 'client' && rest.length > 0) {
          return fail(
            issue(
              ErrorCode.PROTOCOL_MALFORMED_FRAME,
              `Bad length for ${opcodeName(opcode)} from a client (message id ${id}): expected exactly ${REPLIED_ID_BYTES} bytes (the replied id; the seed says its message must be empty), received ${payload.length}.`,
              id,
            ),
          );
        }
        const message = text(rest);
        if (message === undefined) {
          return fail(
            issue(
              ErrorCode.PROTOCOL_INVALID_MESSAGE,
              `${opcodeName(opcode)} (message id ${id}) is not UTF-8.`,
              id,
            ),
          );
        }
        return ok({ kind: 'errorReply', id, replyTo, message });
      }
      if (rest.length === 0) return ok({ kind: 'reply', id, replyTo });
      const body = decodeBody({ opcode, id, payload: rest });
      return body.ok ? ok({ kind: 'reply', id, replyTo, body: body.value }) : body;
    }
    case Opcode.ProtocolError: {
      const message = text(payload);
      return ok({ kind: 'protocolError', id, message: message ?? '(not UTF-8)' });
    }
    case Opcode.Request:
    case Opcode.Event:
    case Opcode.DataUpdate: {
      const body = decodeBody({ opcode, id, payload });
      if (!body.ok) return body;
      const kind = opcode === Opcode.Request ? 'request' : opcode === Opcode.Event ? 'event' : 'dataUpdate';
      return ok({ kind, id, type: body.value.type, payload: body.value.payload });
    }
  }
}
