import type { ServerOutput } from '../../core/messages.js';
import { BingoType } from './framework.js';
import { DEFAULT_MAX_PAYLOAD_BYTES, MAX_WIRE_PAYLOAD_BYTES } from './frame.js';
import type { BingoMessage } from './messages.js';
import type { BingoIdentify, BingoProtocolOptions } from './server.js';

/** Options after defaults: what a session works with. */
export interface BingoSettings {
  readonly maxPayloadBytes: number;
  readonly maxOutboundPayloadBytes: number;
  readonly isDataUpdate: (type: string) => boolean;
  readonly identify: BingoIdentify | undefined;
  readonly maxPendingRequests: number;
}

/**
 * The server message for a broadcastable output (a game message that expects no reply, or the
 * room state), numbered `id`; undefined for outputs that belong to one connection.
 */
export function broadcastMessage(
  output: ServerOutput,
  settings: BingoSettings,
  id: number,
): BingoMessage | undefined {
  if (output.kind === 'room')
    return { kind: 'dataUpdate', id, type: BingoType.roomState, payload: output.room };
  if (output.kind !== 'game' || output.requestId !== undefined) return undefined;
  const kind = settings.isDataUpdate(output.type) ? 'dataUpdate' : 'event';
  return { kind, id, type: output.type, payload: output.payload };
}

/** Apply the documented defaults and clamps to the protocol's options. */
export function settingsOf(options: BingoProtocolOptions): BingoSettings {
  const listed = options.dataUpdates;
  const set = Array.isArray(listed) ? new Set<string>(listed) : undefined;
  const custom = typeof listed === 'function' ? listed : undefined;
  const clamp = (value: number | undefined, fallback: number) =>
    Math.min(Math.max(0, Math.floor(value ?? fallback)), MAX_WIRE_PAYLOAD_BYTES);
  return {
    maxPayloadBytes: clamp(options.maxPayloadBytes, DEFAULT_MAX_PAYLOAD_BYTES),
    maxOutboundPayloadBytes: clamp(options.maxOutboundPayloadBytes, MAX_WIRE_PAYLOAD_BYTES),
    isDataUpdate: (type) =>
      type === BingoType.roomState ||
      type === BingoType.seat ||
      (set?.has(type) ?? false) ||
      (custom?.(type) ?? false),
    identify: options.identify,
    maxPendingRequests: Math.max(1, Math.min(Math.floor(options.maxPendingRequests ?? 64), 0x4000)),
  };
}
