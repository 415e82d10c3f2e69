import { ErrorCode } from '../../core/errors.js';
import type { RoomMessages } from '../../core/room-type.js';
import type { BingoClientError, BingoMessageMeta } from './client-types.js';
import { BingoType } from './framework.js';
import type { BingoMessage } from './messages.js';

/** A handler of one server message type: its (validated) payload and how it arrived. */
export type InboxHandler = (payload: unknown, meta: BingoMessageMeta) => void;

/**
 * What a client does with server Events and Data Updates: validates them against the room's
 * messages when given, keeps every Data Update's latest value (`vars`, the mirror of the
 * server's variables) and calls the handlers; `error` Events go to the error handlers.
 */
export class Inbox {
  readonly vars = new Map<string, unknown>();
  readonly #handlers = new Map<string, Set<InboxHandler>>();
  readonly #errorHandlers = new Set<(error: BingoClientError) => void>();
  readonly #messages: RoomMessages | undefined;

  constructor(messages: RoomMessages | undefined) {
    this.#messages = messages;
  }

  on(type: string, handler: InboxHandler): () => void {
    let set = this.#handlers.get(type);
    if (!set) this.#handlers.set(type, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  onError(handler: (error: BingoClientError) => void): () => void {
    this.#errorHandlers.add(handler);
    return () => this.#errorHandlers.delete(handler);
  }

  emitError(error: BingoClientError): void {
    for (const handler of this.#errorHandlers) handler(error);
  }

  deliver(message: Extract<BingoMessage, { kind: 'event' | 'dataUpdate' }>): void {
    if (message.kind === 'event' && message.type === BingoType.error) {
      const p = (message.payload ?? {}) as { code?: unknown; message?: unknown; ref?: unknown };
      return this.emitError({
        code: String(p.code),
        message: String(p.message),
        ...(typeof p.ref === 'string' ? { ref: p.ref } : {}),
      });
    }
    let payload = message.payload;
    const schema = this.#messages?.server[message.type];
    if (schema) {
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        return this.emitError({
          code: ErrorCode.PROTOCOL_INVALID_MESSAGE,
          message: `Server ${message.type} (message id ${message.id}) does not match its schema; it was dropped.`,
          ref: message.type,
        });
      }
      payload = parsed.data;
    }
    if (message.kind === 'dataUpdate') this.vars.set(message.type, payload);
    const meta: BingoMessageMeta = { kind: message.kind, id: message.id };
    for (const handler of this.#handlers.get(message.type) ?? []) handler(payload, meta);
  }
}
