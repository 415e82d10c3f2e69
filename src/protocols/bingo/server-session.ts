import { ErrorCode } from '../../core/errors.js';
import type { ClientIntent } from '../../core/messages.js';
import type { ProtocolPeer, ProtocolSession } from '../../core/protocol.js';
import type { ProtocolIssue } from '../../core/result.js';
import {
  BingoType,
  codedText,
  frameworkIntent,
  isErrorCode,
  isFrameworkType,
  parseCodedText,
} from './framework.js';
import {
  CLIENT_ID_MAX,
  CLIENT_ID_MIN,
  Opcode,
  SERVER_ID_MAX,
  SERVER_ID_MIN,
  createBingoFramer,
  opcodeName,
  setFrameId,
} from './frame.js';
import { encodeMessage } from './encode.js';
import { decodeMessage } from './messages.js';
import type { BingoMessage } from './messages.js';
import { createHandshake } from './server-handshake.js';
import { broadcastMessage } from './server-settings.js';
import type { BingoSettings } from './server-settings.js';

/**
 * awaiting: nothing received yet, only Identification (or Noop) is allowed.
 * identifying: Identification received, credentials and join under way; Replies to Pings pass.
 * ready: Ready sent; everything flows.  closed: a Protocol Error went out, input is ignored.
 */
type Phase = 'awaiting' | 'identifying' | 'ready' | 'closed';

const encoder = new TextEncoder();

const isClientId = (id: number) => Number.isInteger(id) && id >= CLIENT_ID_MIN && id <= CLIENT_ID_MAX;

/** One Bingo connection on the server: framer, message ids, handshake and request maps. */
export function openBingoSession(peer: ProtocolPeer, settings: BingoSettings): ProtocolSession {
  const framer = createBingoFramer(settings.maxPayloadBytes);
  let phase: Phase = 'awaiting';
  let nextId = SERVER_ID_MIN;
  let pingId: number | undefined;
  /** Server Request id -> the game's request id, oldest first. */
  const pending = new Map<number, number>();
  /** The client Request being dispatched: refusals delivered meanwhile answer it. */
  let scope: { id: number; answered: boolean } | undefined;

  /** Next server id, skipping ids of Requests still awaiting a Reply (bounded: pending.size + 1 tries). */
  const allocate = (): number => {
    let id = nextId;
    for (let tries = 0; tries <= pending.size; tries++) {
      id = nextId;
      nextId = id === SERVER_ID_MAX ? SERVER_ID_MIN : id + 1;
      if (!pending.has(id)) break;
    }
    return id;
  };

  const send = (message: BingoMessage): void => {
    const encoded = encodeMessage(message, settings.maxOutboundPayloadBytes);
    // An output too large for a frame is the server's own bug: say so in the log, skip it.
    if (!encoded.ok) return peer.report(encoded.issue);
    peer.send(encoded.value);
  };

  const errorReply = (replyTo: number, code: string, message: string) =>
    send({ kind: 'errorReply', id: allocate(), replyTo, message: codedText(code, message) });

  /** Announce the close with a Protocol Error; `kick` asks the runtime to close the link too. */
  const shut = (code: ErrorCode, message: string, kick: boolean) => {
    if (phase === 'closed') return;
    send({ kind: 'protocolError', id: allocate(), message: codedText(code, message) });
    phase = 'closed';
    if (kick) peer.close(code, message);
  };

  const violation = (issue: ProtocolIssue) => {
    if (phase === 'closed') return;
    peer.report(issue);
    shut(issue.code, issue.message, true);
  };

  const beforeHandshake = (what: string, id: number): ProtocolIssue => ({
    code: ErrorCode.AUTH_REQUIRED,
    message: `${what} (message id ${id}) before the handshake finished: send Identification first and wait for Ready.`,
    seq: id,
    fatal: true,
  });

  const gameError = (code: string, message: string, ref?: string) =>
    send({
      kind: 'event',
      id: allocate(),
      type: BingoType.error,
      payload: { code, message, ...(ref !== undefined ? { ref } : {}) },
    });

  /** Dispatch with `id` in scope, so a refusal delivered synchronously answers that Request. */
  const dispatchFor = (id: number, intent: ClientIntent): boolean => {
    const outer = scope;
    const current = { id, answered: false };
    scope = current;
    try {
      peer.dispatch(intent);
    } finally {
      scope = outer;
    }
    return current.answered;
  };

  const handshake = createHandshake({
    peer,
    identify: settings.identify,
    waiting: () => phase === 'identifying',
    errorReply,
    shut,
    violation,
  });

  /** A client Reply or Error Reply: a pong, or the answer to a server Request. */
  const answer = (message: Extract<BingoMessage, { kind: 'reply' | 'errorReply' }>) => {
    if (message.replyTo === pingId) {
      pingId = undefined;
      return peer.dispatch({ kind: 'pong' });
    }
    const requestId = pending.get(message.replyTo);
    // A Reply to nothing pending is late (the game gave up, or it was evicted): ignore it.
    if (requestId === undefined) return;
    pending.delete(message.replyTo);
    const ok = message.kind === 'reply';
    const payload = message.kind === 'reply' ? message.body?.payload : undefined;
    peer.dispatch({ kind: 'reply', requestId, ok, payload });
  };

  const onRequestOrEvent = (message: Extract<BingoMessage, { kind: 'request' | 'event' }>) => {
    const { id, type, payload } = message;
    const isRequest = message.kind === 'request';
    if (isFrameworkType(type)) {
      const intent = frameworkIntent(type, payload, id);
      if (!intent.ok) {
        peer.report({ ...intent.issue, fatal: false });
        if (isRequest) return errorReply(id, intent.issue.code, intent.issue.message);
        return gameError(intent.issue.code, intent.issue.message, type);
      }
      if (!isRequest) return peer.dispatch(intent.value);
      // Framework requests have no reply of their own: acknowledge unless refused meanwhile.
      if (!dispatchFor(id, intent.value)) send({ kind: 'reply', id: allocate(), replyTo: id });
      return;
    }
    if (!isRequest) return peer.dispatch({ kind: 'game', type, payload });
    dispatchFor(id, { kind: 'game', type, payload, requestId: id });
  };

  const onMessage = (message: BingoMessage) => {
    switch (message.kind) {
      case 'noop':
        return;
      case 'identification':
        if (phase !== 'awaiting') {
          return violation({
            code: ErrorCode.PROTOCOL_UNEXPECTED_MESSAGE,
            message: `A second Identification (message id ${message.id}): identify once, first.`,
            seq: message.id,
            fatal: true,
          });
        }
        phase = 'identifying';
        return handshake.start(message.id, message.identity);
      case 'reply':
      case 'errorReply':
        if (phase === 'awaiting') return violation(beforeHandshake(message.kind, message.id));
        return answer(message);
      case 'request':
      case 'event':
        if (phase !== 'ready') return violation(beforeHandshake(message.kind, message.id));
        return onRequestOrEvent(message);
      case 'protocolError': {
        const said = parseCodedText(message.message, ErrorCode.PROTOCOL_MALFORMED_FRAME);
        const code = isErrorCode(said.code) ? said.code : ErrorCode.PROTOCOL_MALFORMED_FRAME;
        peer.report({
          code,
          message: `The client closed with a Protocol Error: ${message.message.slice(0, 200)}`,
          fatal: true,
        });
        phase = 'closed';
        return peer.close(code, `Client Protocol Error: ${said.message.slice(0, 200)}`);
      }
      default:
        // Ready, Ping and Data Update from a client are refused by decodeMessage already.
        return violation({
          code: ErrorCode.PROTOCOL_UNEXPECTED_MESSAGE,
          message: `Unexpected ${message.kind} from a client.`,
          fatal: true,
        });
    }
  };

  const onBadMessage = (opcode: number, issue: ProtocolIssue) => {
    if (issue.fatal || phase !== 'ready') return violation({ ...issue, fatal: true });
    peer.report(issue);
    if (opcode === Opcode.Request && issue.seq !== undefined)
      return errorReply(issue.seq, issue.code, issue.message);
    gameError(issue.code, issue.message, opcodeName(opcode));
  };

  return {
    receive(data) {
      if (phase === 'closed') return;
      framer.push(typeof data === 'string' ? encoder.encode(data) : data);
      // Each frame takes at least one byte: no more iterations than buffered bytes.
      const bound = framer.buffered + 1;
      // `phase` may turn `closed` inside the loop (a violation): re-read it every time.
      for (let i = 0; i < bound && (phase as Phase) !== 'closed'; i++) {
        const next = framer.next();
        if (next.kind === 'incomplete') return;
        if (next.kind === 'malformed') return violation(next.issue);
        const decoded = decodeMessage(next.frame, 'client');
        if (decoded.ok) onMessage(decoded.value);
        else onBadMessage(next.frame.opcode, decoded.issue);
      }
    },
    deliver(output) {
      if (phase === 'closed') return;
      switch (output.kind) {
        case 'authOk':
          return handshake.authenticated();
        case 'authError':
          // The chart closes the link next: the `closing` output becomes the Protocol Error.
          return errorReply(handshake.identificationId, output.code, output.message);
        case 'joined':
          phase = 'ready';
          send({ kind: 'ready', id: allocate(), token: output.resumeToken });
          send({
            kind: 'dataUpdate',
            id: allocate(),
            type: BingoType.seat,
            payload: { roomId: output.roomId, seatId: output.seatId, role: output.role },
          });
          return send({
            kind: 'dataUpdate',
            id: allocate(),
            type: BingoType.roomState,
            payload: output.room,
          });
        case 'room':
          return send({
            kind: 'dataUpdate',
            id: allocate(),
            type: BingoType.roomState,
            payload: output.room,
          });
        case 'game': {
          if (output.requestId === undefined) {
            const message = broadcastMessage(output, settings, allocate());
            return message && send(message);
          }
          const id = allocate();
          pending.set(id, output.requestId);
          if (pending.size > settings.maxPendingRequests)
            pending.delete(pending.keys().next().value as number);
          return send({ kind: 'request', id, type: output.type, payload: output.payload });
        }
        case 'reply':
          if (scope?.id === output.requestId) scope.answered = true;
          // Only answers to Bingo requests (client ids) can be framed; anything else is a stray.
          if (!isClientId(output.requestId)) return;
          return send({
            kind: 'reply',
            id: allocate(),
            replyTo: output.requestId,
            body: { type: output.type, payload: output.payload },
          });
        case 'replyError':
          if (scope?.id === output.requestId) scope.answered = true;
          if (!isClientId(output.requestId)) return;
          return errorReply(output.requestId, output.code, output.message);
        case 'error':
          if (phase === 'identifying') {
            // The join (or something else during the handshake) was refused: the handshake failed.
            errorReply(handshake.identificationId, output.code, output.message);
            return shut(output.code, output.message, true);
          }
          if (scope && !scope.answered) {
            scope.answered = true;
            return errorReply(scope.id, output.code, output.message);
          }
          return gameError(output.code, output.message, output.ref);
        case 'ping':
          pingId = allocate();
          return send({ kind: 'ping', id: pingId });
        case 'closing':
          // The runtime closes the link right after; asking it to close again would be a second KICK.
          return shut(output.code, output.message, false);
      }
    },
    deliverPrepared(frame) {
      if (phase === 'closed' || typeof frame === 'string') return;
      // The prepared bytes are shared by every recipient: copy, then number for this peer.
      const own = frame.slice();
      setFrameId(own, allocate());
      peer.send(own);
    },
  };
}
