import { createActor, fromPromise } from 'xstate';
import type { Actor } from 'xstate';
import { connectionMachine } from '../../machines/connection.machine.js';
import type {
  ConnectionEmitted,
  ConnectionTiming,
  Identity,
  RoomIntent,
  SeatRef,
} from '../../machines/connection.events.js';
import type { RoomEvent } from '../../machines/room.events.js';
import { describeIssues } from '../core/describe-issues.js';
import { ChartroomError, ErrorCode } from '../core/errors.js';
import type { AcceptedLink } from '../core/link.js';
import type { ClientIntent } from '../core/messages.js';
import type { Protocol, ProtocolPeer } from '../core/protocol.js';
import type { ProtocolIssue } from '../core/result.js';
import { schemaOf } from '../core/room-type.js';
import { validate } from '../core/validate.js';
import type { ServerContext } from './context.js';
import type { SeatConnection } from './room-host.js';

export interface ConnectionHost extends SeatConnection {
  readonly actor: Actor<typeof connectionMachine>;
  readonly remote: string;
}

/** WebSocket close code for a registry code: 1001 going away, 1000 normal ends, 1008 policy. */
function closeCodeFor(code: string): number {
  switch (code) {
    case ErrorCode.CONN_SERVER_SHUTDOWN:
      return 1001;
    case ErrorCode.ROOM_CLOSED:
    case ErrorCode.CONN_SUPERSEDED:
      return 1000;
    default:
      return 1008;
  }
}

function toRoomEvent(seat: SeatRef, intent: RoomIntent): RoomEvent {
  switch (intent.kind) {
    case 'ready':
      return { type: 'READY', seatId: seat.seatId, ready: intent.ready };
    case 'setup':
      return { type: 'SETUP_COMMAND', seatId: seat.seatId, command: intent.command };
    case 'pause':
      return intent.paused ? { type: 'PAUSE', seatId: seat.seatId } : { type: 'RESUME', seatId: seat.seatId };
    case 'game':
      return {
        type: 'GAME_MESSAGE',
        seatId: seat.seatId,
        message: {
          type: intent.type,
          payload: intent.payload,
          ...(intent.requestId !== undefined ? { requestId: intent.requestId } : {}),
        },
      };
    case 'reply':
      return {
        type: 'GAME_REPLY',
        seatId: seat.seatId,
        requestId: intent.requestId,
        ok: intent.ok,
        payload: intent.payload,
      };
  }
}

/** The golden ratio's fraction: successive connections' phases fall evenly over [0, 1). */
const GOLDEN = 0.6180339887498949;

/**
 * The heartbeat interval of a server's `n`th connection: at most `intervalMs`, shortened by up
 * to `spread` of it, evenly over successive connections (`ServerTiming.heartbeatSpread`).
 */
export function spreadHeartbeat(intervalMs: number, spread: number, n: number): number {
  return Math.round(intervalMs * (1 - spread * ((n * GOLDEN) % 1)));
}

/** What one connection host gets from the server's `ConnectionHosts`. */
interface HostShared {
  readonly logic: typeof connectionMachine;
  /** Live connection hosts by id: each takes the seat its join was granted. */
  readonly holders: Map<string, (seat: SeatRef) => void>;
  /** This connection's timing: the server's, with its own heartbeat interval. */
  readonly timing: ConnectionTiming;
}

/** Opens the connection hosts of one server. */
export interface ConnectionHosts {
  /** A host for a newly accepted link, numbered `c1`, `c2`, ... */
  open(accepted: AcceptedLink, protocol: Protocol, onClosed: (host: ConnectionHost) => void): ConnectionHost;
}

/**
 * The connection hosts of one server. They share the connection chart, provided once here (its
 * actors need only the server context and the actor's input: provided per connection, every
 * connection would hold its own copy of the chart's state nodes and transitions), and a way
 * back from the chart's join to the host it was for.
 */
export function createConnectionHosts(ctx: ServerContext): ConnectionHosts {
  const holders = new Map<string, (seat: SeatRef) => void>();

  /** A room this node does not host: on another node (ROOM_MOVED, naming it), closed, or unknown. */
  const missingRoom = async (roomId: string): Promise<never> => {
    throw (
      (await ctx.elsewhere?.(roomId)) ??
      new ChartroomError(ErrorCode.ROOM_NOT_FOUND, `No room "${roomId}" on this server.`)
    );
  };

  const logic = connectionMachine.provide({
    actors: {
      verifyCredentials: fromPromise(async ({ input }: { input: { token: string } }) => {
        const claims = ctx.tokens.verify(input.token, 'ticket');
        return {
          userId: claims.userId,
          name: claims.name,
          roomId: claims.roomId,
          ...(claims.role ? { role: claims.role } : {}),
        };
      }),
      resumeSeat: fromPromise(async ({ input }: { input: { resumeToken: string; connectionId: string } }) => {
        const claims = ctx.tokens.verify(input.resumeToken, 'resume');
        const room = ctx.room(claims.roomId);
        const moved = room ? undefined : await ctx.elsewhere?.(claims.roomId);
        if (moved) throw moved;
        const seat = room?.seat(claims.seatId);
        if (!room || !seat || seat.left || !room.resumable(claims.seatId, claims.generation)) {
          throw new ChartroomError(
            ErrorCode.AUTH_RESUME_REJECTED,
            'Resume token refused: already used, or the seat was released. Join again with a new ticket.',
          );
        }
        room.nextGeneration(claims.seatId);
        room.send({ type: 'RECONNECTED', seatId: claims.seatId });
        return {
          identity: { userId: claims.userId, name: claims.name, roomId: claims.roomId },
          seat: { roomId: claims.roomId, seatId: claims.seatId, role: seat.role },
        };
      }),
      joinRoom: fromPromise(
        async ({
          input,
        }: {
          input: { identity: Identity; roomId: string; role?: 'player' | 'viewer'; connectionId: string };
        }) => {
          if (input.identity.roomId !== input.roomId) {
            throw new ChartroomError(
              ErrorCode.AUTH_WRONG_ROOM,
              `The session token is for room "${input.identity.roomId}", not "${input.roomId}".`,
            );
          }
          const room = ctx.room(input.roomId) ?? (await missingRoom(input.roomId));
          const role = input.role ?? input.identity.role;
          const seatId = room.join(input.connectionId, input.identity.userId, input.identity.name, role);
          const seat: SeatRef = { roomId: input.roomId, seatId, role: room.seat(seatId)?.role ?? 'viewer' };
          const hold = holders.get(input.connectionId);
          // Should the connection be gone by now, the seat goes back at once rather than stay
          // taken by nobody.
          if (!hold) room.send({ type: 'LEAVE', seatId });
          else hold(seat);
          return seat;
        },
      ),
    },
  });
  let opened = 0;
  return {
    open(accepted, protocol, onClosed) {
      const n = ++opened;
      const { handshakeTimeoutMs, heartbeatIntervalMs, heartbeatTimeoutMs, gracePeriodMs, heartbeatSpread } =
        ctx.timing;
      const timing: ConnectionTiming = {
        handshakeTimeoutMs,
        heartbeatIntervalMs: spreadHeartbeat(heartbeatIntervalMs, heartbeatSpread, n),
        heartbeatTimeoutMs,
        gracePeriodMs,
      };
      return createConnectionHost(`c${n}`, accepted, protocol, ctx, { logic, holders, timing }, onClosed);
    },
  };
}

/**
 * Drives one link: frames go through the protocol session into the connection machine, and
 * what the machine emits goes to the room or back through the protocol.
 */
function createConnectionHost(
  connectionId: string,
  accepted: AcceptedLink,
  protocol: Protocol,
  ctx: ServerContext,
  { logic, holders, timing }: HostShared,
  onClosed: (host: ConnectionHost) => void,
): ConnectionHost {
  const { link, params } = accepted;
  const logFields = { connectionId, protocol: protocol.name, remote: link.remote };
  let seat: SeatRef | undefined;
  let identity: Identity | undefined;
  /** A seat the room granted while the chart was still joining; released if never adopted. */
  let granted: SeatRef | undefined;
  let errors = 0;
  let linkOpen = true;
  let disposed = false;

  /** Events after the machine reached `closed` are moot (a late link close, a late pong). */
  const send = (event: Parameters<typeof actor.send>[0]) => {
    if (actor.getSnapshot().status === 'active') actor.send(event);
  };
  const kick = (code: ErrorCode, message: string) => send({ type: 'KICK', code, message });

  const peer: ProtocolPeer = {
    connectionId,
    params,
    send(frame) {
      if (!linkOpen) return;
      if (link.bufferedAmount > ctx.limits.maxBufferedBytes) {
        ctx.logger.warn('Slow consumer closed', { ...logFields, bufferedAmount: link.bufferedAmount });
        linkOpen = false;
        ctx.metrics.error(ErrorCode.CONN_SLOW_CONSUMER);
        link.close(1008, ErrorCode.CONN_SLOW_CONSUMER);
        return;
      }
      ctx.metrics.frameOut();
      link.send(frame);
    },
    dispatch: (intent) => onIntent(intent),
    report(issue) {
      errors++;
      ctx.metrics.error(issue.code);
      ctx.logger.warn(issue.message, {
        ...logFields,
        code: issue.code,
        ref: issue.messageType,
        seq: issue.seq,
      });
      if (errors === ctx.limits.maxProtocolErrors + 1) {
        kick(ErrorCode.PROTOCOL_TOO_MANY_ERRORS, `More than ${ctx.limits.maxProtocolErrors} bad frames.`);
      }
    },
    close: (code, message) => kick(code, message),
    ping: link.ping ? () => link.ping?.() : undefined,
  };
  const session = protocol.open(peer);

  /** Answer an input the protocol decoded but the room type refuses (unknown or invalid game message). */
  const reject = (issue: ProtocolIssue) => {
    peer.report(issue);
    session.deliver({
      kind: 'error',
      code: issue.code,
      message: issue.message,
      ...(issue.messageType ? { ref: issue.messageType } : {}),
    });
  };

  holders.set(connectionId, (seat) => {
    granted = seat;
  });
  const actor = createActor(logic, {
    id: `connection:${connectionId}`,
    clock: ctx.clock,
    ...(ctx.inspect ? { inspect: ctx.inspect } : {}),
    input: { connectionId, timing },
  });

  const onIntent = (intent: ClientIntent) => {
    switch (intent.kind) {
      case 'authenticate':
        return send({ type: 'AUTHENTICATE', token: intent.token });
      case 'resume':
        return send({ type: 'RESUME', resumeToken: intent.resumeToken });
      case 'join':
        return send({ type: 'JOIN', roomId: intent.roomId, ...(intent.role ? { role: intent.role } : {}) });
      case 'leave':
        return send({ type: 'LEAVE' });
      case 'pong':
        return send({ type: 'PONG' });
      case 'game': {
        const room = seat && ctx.room(seat.roomId);
        if (!seat || !room) return send({ type: 'ROOM_MESSAGE', intent });
        // Fast path: the sync model's own messages (command packets, acks) skip the statechart
        // events; `seat` is set only while the connection chart holds the seat (inRoom).
        const syncSchema = schemaOf(room.type.sync?.messages.client, intent.type);
        if (syncSchema) {
          const parsed = validate(syncSchema, intent.payload);
          if (!parsed.success) {
            return reject({
              code: ErrorCode.PROTOCOL_INVALID_MESSAGE,
              message: `Invalid ${intent.type} payload: ${describeIssues(parsed.error.issues)}.`,
              messageType: intent.type,
            });
          }
          return room.receiveSync(seat.seatId, intent.type, parsed.data, intent.requestId);
        }
        const schema = schemaOf(room.type.messages.client, intent.type);
        if (!schema) {
          return reject({
            code: ErrorCode.PROTOCOL_UNKNOWN_TYPE,
            message: `Unknown message type "${intent.type}" for room type "${room.type.name}".`,
            messageType: intent.type,
          });
        }
        const parsed = validate(schema, intent.payload);
        if (!parsed.success) {
          return reject({
            code: ErrorCode.PROTOCOL_INVALID_MESSAGE,
            message: `Invalid ${intent.type} payload: ${describeIssues(parsed.error.issues)}.`,
            messageType: intent.type,
          });
        }
        return send({
          type: 'ROOM_MESSAGE',
          intent: {
            kind: 'game',
            type: intent.type,
            payload: parsed.data,
            ...(intent.requestId !== undefined ? { requestId: intent.requestId } : {}),
          },
        });
      }
      default:
        return send({ type: 'ROOM_MESSAGE', intent });
    }
  };

  const onEmitted = (emitted: ConnectionEmitted) => {
    switch (emitted.type) {
      case 'authenticated':
        identity = emitted.identity;
        return session.deliver({
          kind: 'authOk',
          userId: emitted.identity.userId,
          name: emitted.identity.name,
        });
      case 'authFailed':
        ctx.metrics.error(emitted.code);
        ctx.logger.warn(`Authentication refused: ${emitted.message}`, { ...logFields, code: emitted.code });
        return session.deliver({
          kind: 'authError',
          code: emitted.code as ErrorCode,
          message: emitted.message,
        });
      case 'joined': {
        granted = undefined;
        const room = ctx.room(emitted.seat.roomId);
        if (!room || !identity) return kick(ErrorCode.ROOM_CLOSED, 'The room closed during the join.');
        seat = emitted.seat;
        const resumeToken = ctx.tokens.sign({
          kind: 'resume',
          userId: identity.userId,
          name: identity.name,
          roomId: seat.roomId,
          seatId: seat.seatId,
          generation: room.nextGeneration(seat.seatId),
          exp: ctx.clock.now() + ctx.limits.resumeTtlMs,
        });
        const extra = room.joinedExtra(seat.seatId);
        session.deliver({
          kind: 'joined',
          roomId: seat.roomId,
          seatId: seat.seatId,
          role: seat.role,
          resumeToken,
          room: room.view(),
          ...(extra ? { extra } : {}),
        });
        // After `joined`: binding lets the sync model greet the seat (ls.start), and a client
        // can only subscribe to a session it has been handed.
        return room.bind(seat.seatId, host);
      }
      case 'joinFailed':
      case 'refused':
        ctx.metrics.error(emitted.code);
        ctx.logger.warn(`Refused: ${emitted.message}`, { ...logFields, code: emitted.code });
        return session.deliver({
          kind: 'error',
          code: emitted.code as ErrorCode,
          message: emitted.message,
          ref: emitted.type === 'refused' ? emitted.ref : 'join',
        });
      case 'ping':
        return session.deliver({ kind: 'ping' });
      case 'forward':
        return ctx.room(emitted.seat.roomId)?.send(toRoomEvent(emitted.seat, emitted.intent));
      case 'seatAway':
        return ctx.room(emitted.seat.roomId)?.send({ type: 'DISCONNECTED', seatId: emitted.seat.seatId });
      case 'seatReleased': {
        const room = ctx.room(emitted.seat.roomId);
        seat = undefined;
        if (!room) return;
        room.release(emitted.seat.seatId, host);
        return room.send({ type: 'LEAVE', seatId: emitted.seat.seatId });
      }
      case 'closeLink':
        if (!linkOpen) return;
        session.deliver({ kind: 'closing', code: emitted.code as ErrorCode, message: emitted.message });
        linkOpen = false;
        return link.close(closeCodeFor(emitted.code), emitted.code);
    }
  };

  const dispose = () => {
    if (disposed) return;
    disposed = true;
    holders.delete(connectionId);
    session.close?.();
    // The link closed between the room granting a seat and the chart adopting it: give it back.
    if (granted) ctx.room(granted.roomId)?.send({ type: 'LEAVE', seatId: granted.seatId });
    if (linkOpen) {
      linkOpen = false;
      link.close(1000, 'closed');
    }
    ctx.metrics.connectionClosed();
    onClosed(host);
  };

  const host: ConnectionHost = {
    connectionId,
    protocol,
    actor,
    remote: link.remote,
    deliver: (output) => session.deliver(output),
    deliverPrepared: (frame) => session.deliverPrepared(frame),
    get bufferedAmount() {
      return link.bufferedAmount;
    },
    supersede: () => send({ type: 'SUPERSEDED' }),
    kick,
  };

  actor.on('*', onEmitted);
  actor.subscribe({
    next(snapshot) {
      if (snapshot.status === 'done') dispose();
    },
    error(error) {
      ctx.logger.error('Connection actor failed', { ...logFields, cause: String(error) });
      dispose();
    },
  });
  actor.start();
  ctx.metrics.connectionOpened();
  link.attach({
    frame(data) {
      ctx.metrics.frameIn();
      try {
        session.receive(data);
      } catch (error) {
        // Protocols never throw by contract; if one does, only this link pays for it.
        ctx.logger.error('Protocol session threw', { ...logFields, cause: String(error) });
        kick(ErrorCode.PROTOCOL_MALFORMED_FRAME, 'The server could not process a frame.');
      }
    },
    close() {
      linkOpen = false;
      session.close?.();
      // Frames still being decrypted were sent before the close: let them reach the machine first.
      const settled = session.settled?.();
      if (settled) void settled.then(() => send({ type: 'LINK_CLOSED' }));
      else send({ type: 'LINK_CLOSED' });
    },
    pong: () => send({ type: 'PONG' }),
    fault(code, reason) {
      // The transport closes the link itself (a WebSocket close code); here it is logged and counted once.
      const error = code === 1009 ? ErrorCode.PROTOCOL_FRAME_TOO_LARGE : ErrorCode.PROTOCOL_MALFORMED_FRAME;
      ctx.metrics.error(error);
      ctx.logger.warn(`Transport protocol error: ${reason}`, { ...logFields, code: error, closeCode: code });
    },
  });
  actor.send({ type: 'LINK_OPEN' });
  return host;
}
