import { ErrorCode } from '../../core/errors.js';
import type { ClientIntent, ServerOutput } from '../../core/messages.js';
import type { ProtocolPeer, ProtocolSession } from '../../core/protocol.js';
import { roomToWire } from '../json-envelope/codec.js';
import { createChannel } from './channel.js';
import type { ChannelFailure, Delivery } from './channel.js';
import { Flag, decodePacket } from './header.js';
import {
  KEYFRAME_REQUEST,
  SIDEREAL_PROTOCOL_VERSION,
  decodeClientBody,
  encodeBody,
  mergeDiffs,
} from './messages.js';
import type { ClientBody, DiffBody, ServerBody, TraitChanges, Traits } from './messages.js';
import type { SiderealSettings } from './server.js';

const RELIABLE: Delivery = { kind: 'reliable' };
const ONCE: Delivery = { kind: 'once' };
const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** Merge two diff bodies of one object (both our own encodings, so they parse). */
function mergeDiffBytes(older: Uint8Array, newer: Uint8Array): Uint8Array {
  const a = JSON.parse(utf8.decode(older)) as DiffBody;
  const b = JSON.parse(utf8.decode(newer)) as DiffBody;
  return encodeBody(mergeDiffs(a, b));
}

/** A well-formed ACK datagram (its size is the channel's to check). */
const isAck = (bytes: Uint8Array): boolean => {
  const packet = decodePacket(bytes, bytes.byteLength);
  return packet.ok && (packet.value.flags & Flag.ACK) !== 0;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The body of a game message and how it travels: the room's `snap` and `diff` messages become
 * the seed's packets (fields picked in a fixed order, so bytes are canonical); anything else is
 * a Chartroom `game` message.
 */
export function gameBody(
  type: string,
  payload: unknown,
  types: SiderealSettings['types'],
): { body: Uint8Array; delivery: Delivery } {
  if (isRecord(payload) && typeof payload.id === 'string') {
    if (type === types.snap) {
      const snap: ServerBody = {
        type: 'snap',
        id: payload.id,
        time: payload.time as number,
        total: payload.total as number,
        ...(payload.initial === true ? { initial: true } : {}),
        traits: payload.traits as Traits,
      };
      return { body: encodeBody(snap), delivery: RELIABLE };
    }
    if (type === types.diff) {
      const diff: ServerBody = {
        type: 'diff',
        id: payload.id,
        time: payload.time as number,
        traits: payload.traits as TraitChanges,
      };
      return {
        body: encodeBody(diff),
        delivery: { kind: 'latest', key: `diff:${payload.id}`, merge: mergeDiffBytes },
      };
    }
  }
  return { body: encodeBody({ type: 'game', name: type, payload }), delivery: RELIABLE };
}

const failureCode: Record<ChannelFailure, ErrorCode> = {
  unresponsive: ErrorCode.CONN_HEARTBEAT_TIMEOUT,
  overflow: ErrorCode.CONN_SLOW_CONSUMER,
  exhausted: ErrorCode.PROTOCOL_STALE_SEQ,
};

/**
 * awaiting: nothing valid yet, a knock (or stop) is expected. knocking: credentials and join
 * under way. joined: welcome sent, everything flows. closed: stopped, closing or closed; the
 * session sends nothing more.
 */
type Phase = 'awaiting' | 'knocking' | 'joined' | 'closed';

/** One Sidereal peer on the server: its reliable channel, handshake and heartbeats. */
export function openSiderealSession(peer: ProtocolPeer, settings: SiderealSettings): ProtocolSession {
  let phase: Phase = 'awaiting';
  let pendingJoin: { roomId: string; role?: 'player' | 'viewer' } | undefined;
  let awaitingPong = false;
  let heartbeatTimer: unknown;

  const channel = createChannel(
    settings.clock,
    {
      transmit: (datagram) => peer.send(datagram),
      message: (body) => onMessage(body),
      issue: (issue) => peer.report(issue),
      failed(reason, detail) {
        const code = failureCode[reason];
        peer.report({ code, message: `Sidereal channel failed (${reason}): ${detail}` });
        shut(code, detail);
      },
    },
    settings.channel,
  );

  const send = (body: ServerBody, delivery: Delivery = RELIABLE) => channel.send(encodeBody(body), delivery);

  const stopHeartbeats = () => {
    if (heartbeatTimer !== undefined) settings.clock.clearTimeout(heartbeatTimer);
    heartbeatTimer = undefined;
  };

  const heartbeat = () => {
    const rtt = channel.rtt.srtt;
    send(
      {
        type: 'heartbeat',
        time: settings.now(),
        ...(rtt !== undefined ? { rtt: Math.round(rtt * 10) / 10 } : {}),
      },
      ONCE,
    );
  };

  const pace = () => {
    if (settings.heartbeatMs <= 0 || phase !== 'joined') return;
    heartbeatTimer = settings.clock.setTimeout(() => {
      heartbeatTimer = undefined;
      if (phase !== 'joined') return;
      heartbeat();
      pace();
    }, settings.heartbeatMs);
  };

  /** Close the session; `bye` (sent once, best effort) says why, except after a stop or to a stranger. */
  const shut = (code: ErrorCode, message: string, bye = code !== ErrorCode.CONN_CLIENT_STOPPED) => {
    if (phase === 'closed') return;
    if (bye) send({ type: 'bye', code, message }, ONCE);
    phase = 'closed';
    stopHeartbeats();
    peer.close(code, message);
  };

  const refuse = (code: ErrorCode, message: string) => {
    send({ type: 'error', code, message, ref: 'knock' });
    shut(code, message);
  };

  const dispatch = (intent: ClientIntent) => peer.dispatch(intent);

  const onKnock = (knock: Extract<ClientBody, { type: 'knock' }>) => {
    if (knock.v !== undefined && knock.v !== SIDEREAL_PROTOCOL_VERSION) {
      const message = `Protocol version mismatch: expected ${SIDEREAL_PROTOCOL_VERSION}, received ${knock.v}. Upgrade the client.`;
      peer.report({ code: ErrorCode.PROTOCOL_VERSION_MISMATCH, message, messageType: 'knock' });
      return refuse(ErrorCode.PROTOCOL_VERSION_MISMATCH, message);
    }
    if (phase === 'joined') return dispatch({ kind: 'game', type: KEYFRAME_REQUEST, payload: {} });
    if (phase !== 'awaiting') return; // a second knock while the first is under way
    phase = 'knocking';
    if (knock.resume !== undefined) return dispatch({ kind: 'resume', resumeToken: knock.resume });
    if (knock.ticket !== undefined && knock.room !== undefined) {
      pendingJoin = { roomId: knock.room, ...(knock.role ? { role: knock.role } : {}) };
      return dispatch({ kind: 'authenticate', token: knock.ticket });
    }
    const identify = settings.identify;
    if (!identify) {
      return refuse(
        ErrorCode.AUTH_REQUIRED,
        'A bare knock needs credentials: send {ticket, room} (from POST /rooms/:id/join) or {resume}.',
      );
    }
    Promise.resolve()
      .then(() => identify({ connectionId: peer.connectionId, params: peer.params, role: knock.role }))
      .then(
        (ticket) => {
          if (phase !== 'knocking') return;
          const role = knock.role ?? ticket.role;
          pendingJoin = { roomId: ticket.roomId, ...(role ? { role } : {}) };
          dispatch({ kind: 'authenticate', token: ticket.token });
        },
        (error: unknown) => {
          if (phase !== 'knocking') return;
          const code =
            isRecord(error) && typeof error.code === 'string'
              ? (error.code as ErrorCode)
              : ErrorCode.AUTH_REQUIRED;
          refuse(code, error instanceof Error ? error.message : 'The server refused the knock.');
        },
      );
  };

  const onStop = () => {
    if (phase === 'closed') return;
    if (phase === 'joined') dispatch({ kind: 'leave' });
    shut(ErrorCode.CONN_CLIENT_STOPPED, 'The client sent stop.');
  };

  const onMessage = (body: Uint8Array) => {
    if (phase === 'closed') return;
    const decoded = decodeClientBody(body);
    if (!decoded.ok) return peer.report(decoded.issue);
    if (decoded.value.type === 'knock') return onKnock(decoded.value);
    return onStop();
  };

  const deliver = (output: ServerOutput) => {
    if (phase === 'closed') return;
    switch (output.kind) {
      case 'authOk': {
        const join = pendingJoin;
        pendingJoin = undefined;
        if (join) dispatch({ kind: 'join', ...join });
        return;
      }
      case 'authError':
        return send({ type: 'error', code: output.code, message: output.message, ref: 'knock' });
      case 'joined': {
        phase = 'joined';
        send({
          type: 'welcome',
          room: output.roomId,
          seat: output.seatId,
          role: output.role,
          resume: output.resumeToken,
          view: roomToWire(output.room),
          ...(output.extra ? { extra: { ...output.extra } } : {}),
        });
        heartbeat();
        stopHeartbeats();
        pace();
        // After the runtime bound the seat (it does so right after this returns).
        if (settings.autoReady && output.role === 'player' && output.room.phase.startsWith('setup')) {
          queueMicrotask(() => {
            if (phase === 'joined') dispatch({ kind: 'ready', ready: true });
          });
        }
        return;
      }
      case 'room':
        return send({ type: 'room', view: roomToWire(output.room) });
      case 'game': {
        const made = gameBody(output.type, output.payload, settings.types);
        return channel.send(made.body, made.delivery);
      }
      case 'reply':
        return send({ type: 'game', name: output.type, payload: output.payload });
      case 'replyError':
        return send({
          type: 'error',
          code: output.code,
          message: output.message,
          ref: String(output.requestId),
        });
      case 'error':
        return send({
          type: 'error',
          code: output.code,
          message: output.message,
          ...(output.ref !== undefined ? { ref: output.ref } : {}),
        });
      case 'ping':
        awaitingPong = true;
        return heartbeat();
      case 'closing':
        send({ type: 'bye', code: output.code, message: output.message }, ONCE);
        phase = 'closed';
        return stopHeartbeats();
    }
  };

  return {
    receive(frame) {
      const bytes = typeof frame === 'string' ? encoder.encode(frame) : frame;
      // Before a knock this session has sent nothing, so an ACK acknowledges another session's
      // packet: the peer is a client this server already forgot, e.g. its ACKs of diffs that were
      // on the way when its stop arrived. Close at once and say nothing; waiting would hold a
      // connection until the handshake timeout, whose `bye` would reach a client that stopped.
      if (phase === 'awaiting' && isAck(bytes)) {
        return shut(
          ErrorCode.PROTOCOL_UNEXPECTED_MESSAGE,
          'An ACK before any knock: the peer belongs to a session that was already closed.',
          false,
        );
      }
      const malformed = channel.stats.malformed;
      channel.receive(bytes);
      // Any well-formed datagram proves the peer alive: the connection chart's pong.
      if (awaitingPong && channel.stats.malformed === malformed && phase !== 'closed') {
        awaitingPong = false;
        dispatch({ kind: 'pong' });
      }
    },
    deliver,
    deliverPrepared(frame) {
      const delivery = typeof frame === 'string' ? undefined : settings.prepared.get(frame);
      if (!delivery) {
        return peer.report({
          code: ErrorCode.PROTOCOL_INVALID_MESSAGE,
          message:
            'A prepared frame this protocol did not make was handed to a Sidereal session; it was dropped.',
        });
      }
      if (phase !== 'closed') channel.send(frame as Uint8Array, delivery);
    },
    close() {
      if (phase !== 'closed') phase = 'closed';
      stopHeartbeats();
      channel.close();
    },
  };
}
