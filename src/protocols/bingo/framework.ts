import { z } from 'zod';
import { describeIssues } from '../../core/describe-issues.js';
import { ErrorCode } from '../../core/errors.js';
import type { ClientIntent, RoomView, Role } from '../../core/messages.js';
import { fail, ok } from '../../core/result.js';
import type { DecodeResult } from '../../core/result.js';

/**
 * Chartroom's own messages inside Bingo bodies. A Request or Event whose `type` is one of
 * these is a framework intent, not a game message; the server's framework outputs travel as
 * Data Updates and Events with the types below. Game message types must not start with
 * `room.` or `session.` and must not be `error` (docs/protocols/bingo.md "Types").
 */
export const BingoType = {
  /** Client Request/Event `{ready: boolean}`: commit readiness in setup. */
  ready: 'room.ready',
  /** Client Request/Event `{command}`: a setup command. */
  setup: 'room.setup',
  /** Client Request/Event `{paused: boolean}`. */
  pause: 'room.pause',
  /** Client Request/Event `{}`: leave the room (the connection stays open). */
  leave: 'session.leave',
  /** Server Data Update: the room's public state (a `RoomView`), on every change. */
  roomState: 'room.state',
  /** Server Data Update `{roomId, seatId, role}`, right after every Ready. */
  seat: 'session.seat',
  /** Server Event `{code, message, ref?}`: a refusal that answers no Request. */
  error: 'error',
} as const;

/** The seat a Ready gave: the Data Update `session.seat`. */
export interface BingoSeat {
  readonly roomId: string;
  readonly seatId: string;
  readonly role: Role;
}

/** `true` for types the framework owns (`room.*`, `session.*`, `error`). */
export function isFrameworkType(type: string): boolean {
  return type === BingoType.error || type.startsWith('room.') || type.startsWith('session.');
}

const intentSchemas = {
  [BingoType.ready]: z.object({ ready: z.boolean() }),
  [BingoType.setup]: z.object({ command: z.unknown() }),
  [BingoType.pause]: z.object({ paused: z.boolean() }),
  [BingoType.leave]: z.object({}).optional(),
} as const;

/** Map a framework Request/Event body to its intent, or say why it cannot be. */
export function frameworkIntent(type: string, payload: unknown, id: number): DecodeResult<ClientIntent> {
  const schema = (intentSchemas as Record<string, z.ZodType | undefined>)[type];
  if (!schema) {
    return fail({
      code: ErrorCode.PROTOCOL_UNKNOWN_TYPE,
      message: `Unknown framework type "${type}" (message id ${id}): a client sends ${Object.keys(intentSchemas).join(', ')}; room.*, session.* and error are reserved.`,
      messageType: type,
      seq: id,
    });
  }
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    return fail({
      code: ErrorCode.PROTOCOL_INVALID_MESSAGE,
      message: `Invalid ${type} payload (message id ${id}): ${describeIssues(parsed.error.issues)}.`,
      messageType: type,
      seq: id,
    });
  }
  switch (type) {
    case BingoType.ready:
      return ok({ kind: 'ready', ready: (payload as { ready: boolean }).ready });
    case BingoType.setup:
      return ok({ kind: 'setup', command: (payload as { command: unknown }).command });
    case BingoType.pause:
      return ok({ kind: 'pause', paused: (payload as { paused: boolean }).paused });
    default:
      return ok({ kind: 'leave' });
  }
}

/**
 * Text of an Error Reply or a Protocol Error: `CODE: message`, readable as is ("a message to
 * display", seed 003) and carrying the registry code for programs.
 */
export function codedText(code: string, message: string): string {
  return `${code}: ${message}`;
}

/** A registry code or a game's own code: upper snake case (`ROOM_CLOSED`, `NOT_CALLED`). */
const codePattern = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/**
 * Split `CODE: message`. The code is a registry code (`ROOM_NOT_RUNNING`) or a game's own
 * (`NOT_CALLED`): upper snake case, at most 64 characters. Text without one in front
 * (another server's plain message, the client's empty Error Reply) keeps `fallback`.
 */
export function parseCodedText(text: string, fallback: string): { code: string; message: string } {
  const colon = text.indexOf(': ');
  const code = colon > 0 && colon <= 64 ? text.slice(0, colon) : '';
  if (codePattern.test(code)) return { code, message: text.slice(colon + 2) };
  return { code: fallback, message: text };
}

const registry = new Set<string>(Object.values(ErrorCode));

/** `true` for a code of Chartroom's registry (as opposed to a game's own code). */
export function isErrorCode(code: string): code is ErrorCode {
  return registry.has(code);
}

/** The payload of the `room.state` Data Update (kept as Chartroom's `RoomView`). */
export type BingoRoomState = RoomView;
