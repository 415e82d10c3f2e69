import { ErrorCode } from '../../core/errors.js';
import type { ErrorCode as ErrorCodeType } from '../../core/errors.js';
import type { ClientIntent, ServerOutput } from '../../core/messages.js';
import type { ClientProtocol, ClientProtocolSession } from '../../core/protocol.js';
import { fail, ok } from '../../core/result.js';
import { describeIssues } from '../../core/describe-issues.js';
import { decodeEnvelope, encodeEnvelope, roomFromWire } from './codec.js';
import {
  ENVELOPE_PROTOCOL_VERSION,
  isReservedType,
  serverPayloadSchemas,
  wireIntentKinds,
} from './schema.js';
import type { RoomWire, ServerFrameworkType } from './schema.js';

export interface JsonEnvelopeClientOptions {
  /** Largest server frame accepted, in bytes. Default 1 MiB (snapshots can be large). */
  readonly maxFrameBytes?: number;
  readonly now?: () => number;
}

function fromWire(type: ServerFrameworkType, payload: never): ServerOutput {
  switch (type) {
    case 'auth.ok': {
      const p = payload as { player_id: string; name?: string };
      // Without a name (seed 002's example), the player id is the display name.
      return { kind: 'authOk', userId: p.player_id, name: p.name ?? p.player_id };
    }
    case 'auth.error': {
      const p = payload as { code: string; message: string };
      return { kind: 'authError', code: p.code as ErrorCodeType, message: p.message };
    }
    case 'session.joined': {
      const { system_id, seat_id, role, resume_token, room, ...extra } = payload as {
        system_id: string;
        seat_id: string;
        role: 'player' | 'viewer';
        resume_token: string;
        room: RoomWire;
      } & Record<string, unknown>;
      // Every other field is the game's (SyncEngine.joinedPayload): ship_id, spawn, ...
      return {
        kind: 'joined',
        roomId: system_id,
        seatId: seat_id,
        role,
        resumeToken: resume_token,
        room: roomFromWire(room),
        ...(Object.keys(extra).length > 0 ? { extra } : {}),
      };
    }
    case 'session.closing': {
      const p = payload as { code: string; message: string };
      return { kind: 'closing', code: p.code as ErrorCodeType, message: p.message };
    }
    case 'room.state':
      return { kind: 'room', room: roomFromWire(payload as RoomWire) };
    case 'error': {
      const p = payload as { code: string; message: string; ref_type?: string };
      return {
        kind: 'error',
        code: p.code as ErrorCodeType,
        message: p.message,
        ...(p.ref_type !== undefined ? { ref: wireIntentKinds.get(p.ref_type) ?? p.ref_type } : {}),
      };
    }
  }
}

/** The client half of the JSON envelope protocol, for `chartroom/client`. */
export function createJsonEnvelopeClientProtocol(options: JsonEnvelopeClientOptions = {}): ClientProtocol {
  const maxFrameBytes = options.maxFrameBytes ?? 1024 * 1024;
  const now = options.now ?? Date.now;
  return {
    name: 'json-envelope',
    version: ENVELOPE_PROTOCOL_VERSION,
    frames: 'text',
    open(): ClientProtocolSession {
      let seq = 0;
      const frame = (type: string, payload: unknown) => [
        encodeEnvelope({ type, seq: ++seq, ts: now(), payload }),
      ];
      return {
        encode(intent: ClientIntent) {
          switch (intent.kind) {
            case 'authenticate':
              return frame('auth.login', {
                token: intent.token,
                protocol_version: ENVELOPE_PROTOCOL_VERSION,
              });
            case 'resume':
              return frame('auth.login', {
                resume_token: intent.resumeToken,
                protocol_version: ENVELOPE_PROTOCOL_VERSION,
              });
            case 'join':
              return frame('session.join_system', {
                system_id: intent.roomId,
                ...(intent.role ? { role: intent.role } : {}),
              });
            case 'leave':
              return frame('session.leave', {});
            case 'ready':
              return frame('room.ready', { ready: intent.ready });
            case 'setup':
              return frame('room.setup', { command: intent.command });
            case 'pause':
              return frame('room.pause', { paused: intent.paused });
            case 'game':
              return frame(intent.type, intent.payload);
            case 'pong':
            case 'reply':
              // Pongs are WebSocket frames; the envelope has no server-initiated requests.
              return [];
          }
        },
        decode(data) {
          const decoded = decodeEnvelope(data, maxFrameBytes);
          if (!decoded.ok) return decoded;
          const { type, payload } = decoded.value;
          if (!isReservedType(type)) return ok([{ kind: 'game', type, payload }]);
          const schema = (
            serverPayloadSchemas as Record<string, (typeof serverPayloadSchemas)[ServerFrameworkType]>
          )[type];
          if (!schema) {
            return fail({
              code: ErrorCode.PROTOCOL_UNKNOWN_TYPE,
              message: `Unknown server message type "${type}".`,
              messageType: type,
            });
          }
          const parsed = schema.safeParse(payload);
          if (!parsed.success) {
            return fail({
              code: ErrorCode.PROTOCOL_INVALID_MESSAGE,
              message: `Invalid ${type} payload: ${describeIssues(parsed.error.issues)}.`,
              messageType: type,
            });
          }
          return ok([fromWire(type as ServerFrameworkType, parsed.data as never)]);
        },
      };
    },
  };
}
