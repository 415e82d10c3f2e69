import { ErrorCode } from '../../core/errors.js';
import type { ClientIntent, ServerOutput } from '../../core/messages.js';
import type { Protocol, ProtocolPeer, ProtocolSession } from '../../core/protocol.js';
import type { ProtocolIssue } from '../../core/result.js';
import { describeIssues } from '../../core/describe-issues.js';
import { decodeEnvelope, encodeEnvelope, encodeEnvelopeJson, roomToWire } from './codec.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  ENVELOPE_PROTOCOL_VERSION,
  clientPayloadSchemas,
  intentWireTypes,
  isReservedType,
} from './schema.js';
import type { ClientFrameworkType } from './schema.js';

export interface JsonEnvelopeProtocolOptions {
  /** Largest frame accepted, in UTF-8 bytes. Default 65536. */
  readonly maxFrameBytes?: number;
  /** Source of `ts` (unix ms). Default `Date.now`. */
  readonly now?: () => number;
}

/** Server wire form of an output: `[type, payload]`, or undefined when the transport carries it. */
function toWire(output: ServerOutput): [string, unknown] | undefined {
  switch (output.kind) {
    case 'authOk':
      return ['auth.ok', { player_id: output.userId, name: output.name }];
    case 'authError':
      return ['auth.error', { code: output.code, message: output.message }];
    case 'joined':
      return [
        'session.joined',
        {
          // The game's fields first: the framework's own always win a name clash.
          ...output.extra,
          system_id: output.roomId,
          seat_id: output.seatId,
          role: output.role,
          resume_token: output.resumeToken,
          room: roomToWire(output.room),
        },
      ];
    case 'room':
      return ['room.state', roomToWire(output.room)];
    case 'game':
    case 'reply':
      return [output.type, output.payload];
    case 'replyError':
      return ['error', { code: output.code, message: output.message, ref_seq: output.requestId }];
    case 'error':
      return [
        'error',
        {
          code: output.code,
          message: output.message,
          ...(output.ref ? { ref_type: intentWireTypes.get(output.ref) ?? output.ref } : {}),
        },
      ];
    case 'closing':
      return ['session.closing', { code: output.code, message: output.message }];
    case 'ping':
      return undefined;
  }
}

function toIntent(type: ClientFrameworkType, payload: never): ClientIntent {
  switch (type) {
    case 'auth.login': {
      const p = payload as { token?: string; resume_token?: string };
      return p.token !== undefined
        ? { kind: 'authenticate', token: p.token }
        : { kind: 'resume', resumeToken: p.resume_token as string };
    }
    case 'session.join_system': {
      const p = payload as { system_id: string; role?: 'player' | 'viewer' };
      return { kind: 'join', roomId: p.system_id, ...(p.role ? { role: p.role } : {}) };
    }
    case 'session.leave':
      return { kind: 'leave' };
    case 'room.ready':
      return { kind: 'ready', ready: (payload as { ready: boolean }).ready };
    case 'room.setup':
      return { kind: 'setup', command: (payload as { command: unknown }).command };
    case 'room.pause':
      return { kind: 'pause', paused: (payload as { paused: boolean }).paused };
  }
}

/**
 * The JSON envelope protocol (seed 002) over WebSocket text frames.
 *
 * - Client `seq` must increase strictly per connection; a stale one is answered with
 *   `error` PROTOCOL_STALE_SEQ and the message is ignored.
 * - Server `seq` is one counter per protocol instance, so one broadcast is encoded once and
 *   every recipient gets the same bytes; a client sees increasing numbers with gaps.
 * - `protocol_version` comes in the `auth.login` payload or the connect URL's query.
 *
 * @example
 * const server = createServer({ protocols: [createJsonEnvelopeProtocol()], ... });
 */
export function createJsonEnvelopeProtocol(options: JsonEnvelopeProtocolOptions = {}): Protocol {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const now = options.now ?? Date.now;
  const encoder = new TextEncoder();
  let seq = 0;

  const frame = (type: string, payload: unknown) => encodeEnvelope({ type, seq: ++seq, ts: now(), payload });
  /** An output's frame: a game payload serialized already is spliced in, not serialized again. */
  const frameOf = (output: ServerOutput, type: string, payload: unknown) =>
    output.kind === 'game' && output.payloadJson !== undefined
      ? encodeEnvelopeJson(type, ++seq, now(), output.payloadJson)
      : frame(type, payload);

  const open = (peer: ProtocolPeer): ProtocolSession => {
    let lastSeq = -1;
    /** The seq of the message being dispatched: a refusal answering it names it as `ref_seq`. */
    let inFlight: number | undefined;
    const dispatch = (intent: ClientIntent, seq: number) => {
      inFlight = seq;
      try {
        peer.dispatch(intent);
      } finally {
        inFlight = undefined;
      }
    };

    const answer = (issue: ProtocolIssue) => {
      peer.report(issue);
      peer.send(
        frame('error', {
          code: issue.code,
          message: issue.message,
          ...(issue.messageType !== undefined ? { ref_type: issue.messageType } : {}),
          ...(issue.seq !== undefined ? { ref_seq: issue.seq } : {}),
        }),
      );
      if (issue.fatal) peer.close(issue.code, issue.message);
    };

    const checkVersion = (announced: number | undefined): string | undefined => {
      const version =
        announced ?? (peer.params.protocol_version ? Number(peer.params.protocol_version) : undefined);
      if (version === ENVELOPE_PROTOCOL_VERSION) return undefined;
      return version === undefined
        ? `protocol_version missing: expected ${ENVELOPE_PROTOCOL_VERSION} in the auth.login payload or the connect URL.`
        : `protocol_version mismatch: expected ${ENVELOPE_PROTOCOL_VERSION}, received ${version}. Upgrade the client.`;
    };

    return {
      receive(data) {
        const decoded = decodeEnvelope(data, maxFrameBytes);
        if (!decoded.ok) return answer(decoded.issue);
        const { type, seq: clientSeq, payload } = decoded.value;
        if (clientSeq <= lastSeq) {
          return answer({
            code: ErrorCode.PROTOCOL_STALE_SEQ,
            message: `Stale seq: expected > ${lastSeq}, received ${clientSeq}; the message was ignored.`,
            messageType: type,
            seq: clientSeq,
          });
        }
        lastSeq = clientSeq;
        // The client's seq doubles as the request id: a game's refusal comes back as `error` with ref_seq.
        if (!isReservedType(type))
          return dispatch({ kind: 'game', type, payload, requestId: clientSeq }, clientSeq);

        const schema = (
          clientPayloadSchemas as Record<string, (typeof clientPayloadSchemas)[ClientFrameworkType]>
        )[type];
        if (!schema) {
          return answer({
            code: ErrorCode.PROTOCOL_UNKNOWN_TYPE,
            message: `Unknown message type "${type}": the auth.*, session.* and room.* types are the framework's.`,
            messageType: type,
            seq: clientSeq,
          });
        }
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          return answer({
            code: ErrorCode.PROTOCOL_INVALID_MESSAGE,
            message: `Invalid ${type} payload: ${describeIssues(parsed.error.issues)}.`,
            messageType: type,
            seq: clientSeq,
          });
        }
        if (type === 'auth.login') {
          const mismatch = checkVersion((parsed.data as { protocol_version?: number }).protocol_version);
          if (mismatch) {
            peer.report({
              code: ErrorCode.PROTOCOL_VERSION_MISMATCH,
              message: mismatch,
              messageType: type,
              seq: clientSeq,
            });
            peer.send(frame('auth.error', { code: ErrorCode.PROTOCOL_VERSION_MISMATCH, message: mismatch }));
            return peer.close(ErrorCode.PROTOCOL_VERSION_MISMATCH, mismatch);
          }
        }
        dispatch(toIntent(type as ClientFrameworkType, parsed.data as never), clientSeq);
      },
      deliver(output) {
        if (output.kind === 'ping') return peer.ping?.();
        const wire = toWire(output);
        if (!wire) return;
        const payload =
          output.kind === 'error' && inFlight !== undefined
            ? { ...(wire[1] as object), ref_seq: inFlight }
            : wire[1];
        peer.send(frameOf(output, wire[0], payload));
      },
      deliverPrepared(prepared) {
        peer.send(prepared);
      },
    };
  };

  return {
    name: 'json-envelope',
    version: ENVELOPE_PROTOCOL_VERSION,
    frames: 'text',
    open,
    prepare(output) {
      const wire = toWire(output);
      return wire ? encoder.encode(frameOf(output, wire[0], wire[1])) : undefined;
    },
  };
}
