import { createActor, enqueueActions } from 'xstate';
import type { Actor, AnyActorLogic, InspectionEvent, Observer } from 'xstate';
import { roomMachine } from '../../machines/room.machine.js';
import type { RoomContext } from '../../machines/room.machine.js';
import type { RoomEmitted, RoomEvent, RoomOptions, Seat } from '../../machines/room.events.js';
import type { Clock } from '../core/clock.js';
import { ChartroomError, ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { RoomView, SeatView, ServerOutput } from '../core/messages.js';
import type { Protocol } from '../core/protocol.js';
import type { AnyRoomType } from '../core/room-type.js';
import type { SyncEngine, SyncHost } from '../core/sync.js';
import { statePath } from '../core/state-path.js';
import { describeIssues } from '../core/describe-issues.js';
import type { SyncJournal } from '../core/sync.js';
import { restoredEvents, restoredSnapshot } from './room-restore.js';
import type { RoomRestore } from './room-restore.js';

/** What a room host needs of a seated connection. */
export interface SeatConnection {
  readonly connectionId: string;
  readonly protocol: Protocol;
  deliver(output: ServerOutput): void;
  deliverPrepared(frame: Uint8Array | string): void;
  /** Bytes queued on the link and not yet written (the slow-consumer signal). */
  readonly bufferedAmount: number;
  /** Another connection took this seat over. */
  supersede(): void;
  /** The server closes this connection. */
  kick(code: ErrorCode, message: string): void;
}

export interface RoomHostOptions {
  readonly roomId: string;
  readonly type: AnyRoomType;
  readonly seed: number;
  readonly config: unknown;
  readonly options: RoomOptions;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called after every change of the room's public view (presence updates, listings). */
  readonly onChange: (host: RoomHost) => void;
  /** Called once per refusal the room sends (counted in the server's metrics). */
  readonly onRefusal?: (code: string) => void;
  /** Called once when the room has ended and every connection was told. */
  readonly onEnded: (host: RoomHost) => void;
  /** XState inspection of the room actor and every actor it invokes (game, setup flow, theirs). */
  readonly inspect?: Observer<InspectionEvent>;
  /** Rebuild the room from its checkpoint and log (another node died; docs/scaling.md). */
  readonly restore?: RoomRestore;
  /** Where the sync engine logs each turn before sending it (durable rooms). */
  readonly journal?: SyncJournal;
}

export interface RoomHost {
  readonly roomId: string;
  readonly type: AnyRoomType;
  readonly actor: Actor<typeof roomMachine>;
  readonly createdAt: number;
  view(): RoomView;
  seat(seatId: string): Seat | undefined;
  /** Offer a JOIN; resolves synchronously inside the room machine (seat id or refusal). */
  join(connectionId: string, userId: string, name: string, role: 'player' | 'viewer' | undefined): string;
  /** Route the seat's outputs to `connection`; an earlier connection of the seat is superseded. */
  bind(seatId: string, connection: SeatConnection): void;
  /** The seat was released (left, grace expired): stop routing and void its resume tokens. */
  release(seatId: string, connection: SeatConnection): void;
  /** The sync model's engine, when the room type has one. */
  readonly sync: SyncEngine | undefined;
  /** Fast path: a validated message of the sync model's own types from a seat's connection. */
  receiveSync(seatId: string, type: string, payload: unknown, requestId?: number): void;
  /** The game's own fields for the seat's join answer (`SyncEngine.joinedPayload`), if any. */
  joinedExtra(seatId: string): Readonly<Record<string, unknown>> | undefined;
  /** Current resume generation of a seat; undefined once released. */
  generation(seatId: string): number | undefined;
  /**
   * Whether a resume token of `generation` may take the seat: the current generation, or, in a
   * rebuilt room until the seat's first resume, any generation from the last saved one on (a
   * crash can lose the save of the newest one).
   */
  resumable(seatId: string, generation: number): boolean;
  /** Start a new resume generation: tokens of earlier generations stop working. */
  nextGeneration(seatId: string): number;
  send(event: RoomEvent): void;
  broadcast(output: ServerOutput): void;
  sendToSeat(seatId: string, output: ServerOutput): void;
  readonly connectionCount: number;
  /** End the room; its connections are closed with `code` (default ROOM_CLOSED). */
  stop(code?: ErrorCode, message?: string): void;
}

const toSeatView = (seat: Seat): SeatView => ({ ...seat });

/** Build the runtime's implementations of the room machine's named game hooks. */
function provideRoomType(type: AnyRoomType, game: AnyActorLogic | undefined, logger: Logger, roomId: string) {
  const fault = (where: string, error: unknown) =>
    logger.error(`Game code threw in ${where}`, { roomId, roomType: type.name, cause: String(error) });

  return roomMachine.provide({
    actors: {
      ...(game ? { game: game as never } : {}),
      ...(type.setupFlow ? { setupFlow: type.setupFlow as never } : {}),
    },
    guards: {
      gameAllowsStart: ({ context }) => {
        if (!type.canStart) return true;
        const players = Object.values(context.seats)
          .filter((s) => s.role === 'player' && !s.left)
          .map(toSeatView);
        try {
          return type.canStart(context.config, players);
        } catch (error) {
          fault('canStart', error);
          return false;
        }
      },
    },
    actions: {
      /** A setup flow's configuration is checked against the room type's schema like a create request's. */
      applyFlowConfig: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'game.config') return;
        const parsed = type.config.schema.safeParse(event.config);
        if (!parsed.success) {
          fault('setupFlow', `invalid configuration: ${describeIssues(parsed.error.issues)}`);
          return;
        }
        enqueue.assign({
          config: parsed.data,
          configVersion: context.configVersion + 1,
          seats: Object.fromEntries(
            Object.entries(context.seats).map(([id, s]) => [id, { ...s, ready: false }]),
          ),
        });
      }),
      applySetupCommand: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'SETUP_COMMAND') return;
        const refuse = (message: string) =>
          enqueue.emit({
            type: 'refused',
            seatId: event.seatId,
            code: 'ROOM_INVALID_SETUP',
            message,
            ref: event.type,
          });
        const setup = type.setup;
        const seat = context.seats[event.seatId];
        if (!setup || !seat) return refuse(`Room type "${type.name}" takes no setup commands.`);
        const parsed = setup.command.safeParse(event.command);
        if (!parsed.success) return refuse(`Invalid setup command: ${describeIssues(parsed.error.issues)}.`);
        try {
          const why = setup.validate?.(context.config, parsed.data, { seat: toSeatView(seat) });
          if (why !== undefined) return refuse(why);
          const config = setup.apply(context.config, parsed.data, { seat: toSeatView(seat) });
          enqueue.assign({
            config,
            configVersion: context.configVersion + 1,
            seats: Object.fromEntries(
              Object.entries(context.seats).map(([id, s]) => [id, { ...s, ready: false }]),
            ),
          });
        } catch (error) {
          fault('setup', error);
          refuse('The game failed to apply this setup command.');
        }
      }),
    },
  });
}

export function createRoomHost(options: RoomHostOptions): RoomHost {
  const { roomId, type, logger } = options;
  // The sync engine is created before the actor; its host reaches the actor lazily.
  const syncHost: SyncHost = {
    roomId,
    clock: options.clock,
    logger,
    seed: () => actor.getSnapshot().context.seed,
    config: () => actor.getSnapshot().context.config,
    seats: () => view().seats,
    broadcast: (output) => broadcast(output),
    sendToSeat: (seatId, output) => sendToSeat(seatId, output),
    bufferedBytes: (seatId) => connections.get(seatId)?.bufferedAmount,
    sendToRoom: (event) => host.send(event),
    ...(options.journal ? { journal: options.journal } : {}),
    ...(options.restore?.sync ? { restored: options.restore.sync } : {}),
  };
  const engine: SyncEngine | undefined = type.sync?.create(syncHost);
  const machine = provideRoomType(type, engine?.logic ?? type.game, logger, roomId);
  const actor = createActor(machine, {
    id: `room:${roomId}`,
    clock: options.clock,
    ...(options.inspect ? { inspect: options.inspect } : {}),
    ...(options.restore ? { snapshot: restoredSnapshot(machine, options.restore) } : {}),
    input: {
      roomId,
      type: type.name,
      seed: options.seed,
      config: options.config,
      options: options.options,
      setupFlow: type.setupFlow !== undefined,
    },
  });

  const connections = new Map<string, SeatConnection>();
  const generations = new Map<string, number>(Object.entries(options.restore?.generations ?? {}));
  /** Seats of a rebuilt room not resumed since: their saved generation is a floor. */
  const restoredSeats = new Set(generations.keys());
  const joinResults = new Map<string, string | ChartroomError>();
  let dirty = false;
  let lastViewKey: readonly [unknown, number, string] | undefined;
  let ended = false;

  const view = (): RoomView => {
    const snapshot = actor.getSnapshot();
    const context: RoomContext = snapshot.context;
    return {
      roomId,
      type: type.name,
      seed: context.seed,
      phase: statePath(snapshot.value),
      config: context.config,
      configVersion: context.configVersion,
      seats: Object.values(context.seats).map(toSeatView),
    };
  };

  const broadcast = (output: ServerOutput) => {
    // Encode once per protocol and hand the same bytes to every recipient of that protocol.
    let protocol: Protocol | undefined;
    let prepared: Uint8Array | string | undefined;
    let mixed: Map<Protocol, Uint8Array | string | undefined> | undefined;
    for (const connection of connections.values()) {
      let frame: Uint8Array | string | undefined;
      if (protocol === undefined) {
        protocol = connection.protocol;
        prepared = protocol.prepare?.(output);
        frame = prepared;
      } else if (connection.protocol === protocol) {
        frame = prepared;
      } else {
        mixed ??= new Map();
        if (!mixed.has(connection.protocol))
          mixed.set(connection.protocol, connection.protocol.prepare?.(output));
        frame = mixed.get(connection.protocol);
      }
      if (frame === undefined) connection.deliver(output);
      else connection.deliverPrepared(frame);
    }
  };

  const sendToSeat = (seatId: string, output: ServerOutput) => connections.get(seatId)?.deliver(output);

  actor.on('*', (emitted: RoomEmitted) => {
    switch (emitted.type) {
      case 'joined':
        joinResults.set(emitted.connectionId, emitted.seatId);
        break;
      case 'joinRefused':
        joinResults.set(emitted.connectionId, new ChartroomError(emitted.code, emitted.message));
        break;
      case 'refused':
        logger.warn(`Refused: ${emitted.message}`, {
          roomId,
          seatId: emitted.seatId,
          code: emitted.code,
          ref: emitted.ref,
        });
        options.onRefusal?.(emitted.code);
        sendToSeat(emitted.seatId, {
          kind: 'error',
          code: emitted.code,
          message: emitted.message,
          ref: emitted.ref,
        });
        break;
      case 'roomChanged':
        dirty = true;
        break;
      case 'seatRemoved':
        generations.delete(emitted.seatId);
        connections.delete(emitted.seatId);
        break;
      case 'gameBroadcast':
        broadcast({ kind: 'game', type: emitted.message.type, payload: emitted.message.payload });
        break;
      case 'gameSend':
        sendToSeat(emitted.seatId, {
          kind: 'game',
          type: emitted.message.type,
          payload: emitted.message.payload,
          ...(emitted.message.requestId !== undefined ? { requestId: emitted.message.requestId } : {}),
        });
        break;
      case 'gameReply':
        sendToSeat(emitted.seatId, {
          kind: 'reply',
          requestId: emitted.requestId,
          type: emitted.message.type,
          payload: emitted.message.payload,
        });
        break;
      case 'gameReplyError':
        sendToSeat(emitted.seatId, {
          kind: 'replyError',
          requestId: emitted.requestId,
          code: emitted.code ?? ErrorCode.ROOM_REQUEST_REFUSED,
          message: emitted.message,
        });
        break;
    }
  });

  const finish = (code: ErrorCode = ErrorCode.ROOM_CLOSED, message = `Room ${roomId} has ended.`) => {
    if (ended) return;
    ended = true;
    for (const connection of [...connections.values()]) {
      connection.kick(code, message);
    }
    connections.clear();
    generations.clear();
    engine?.dispose();
    options.onEnded(host);
  };

  actor.subscribe({
    next(snapshot) {
      if (dirty) {
        dirty = false;
        const key = [
          snapshot.context.seats,
          snapshot.context.configVersion,
          statePath(snapshot.value),
        ] as const;
        if (!lastViewKey || key.some((part, i) => part !== lastViewKey?.[i])) {
          lastViewKey = key;
          broadcast({ kind: 'room', room: view() });
          options.onChange(host);
        }
      }
      if (snapshot.status === 'done') finish();
    },
    error(error) {
      // A bug in the room chart or in code it calls: this room stops, no other room is touched.
      logger.error('Room actor failed', { roomId, roomType: type.name, cause: String(error) });
      finish();
    },
  });

  const host: RoomHost = {
    roomId,
    type,
    sync: engine,
    actor,
    createdAt: options.clock.now(),
    view,
    seat: (seatId) => actor.getSnapshot().context.seats[seatId],
    join(connectionId, userId, name, role) {
      if (ended) throw new ChartroomError(ErrorCode.ROOM_CLOSED, `Room ${roomId} has ended.`);
      actor.send({ type: 'JOIN', connectionId, userId, name, ...(role ? { role } : {}) });
      const result = joinResults.get(connectionId);
      joinResults.delete(connectionId);
      if (result === undefined)
        throw new ChartroomError(ErrorCode.ROOM_CLOSED, `Room ${roomId} refused the join.`);
      if (result instanceof ChartroomError) throw result;
      return result;
    },
    bind(seatId, connection) {
      const previous = connections.get(seatId);
      connections.set(seatId, connection);
      if (previous && previous !== connection) previous.supersede();
      const seat = actor.getSnapshot().context.seats[seatId];
      if (seat) engine?.attached?.(seatId, seat.role);
    },
    receiveSync(seatId, messageType, payload, requestId) {
      const seat = actor.getSnapshot().context.seats[seatId];
      if (!engine || !seat || ended) return;
      try {
        engine.receive(seatId, seat.role, messageType, payload, requestId);
      } catch (error) {
        logger.error('Sync engine failed on a message', {
          roomId,
          seatId,
          messageType,
          cause: String(error),
        });
        host.send({ type: 'HALT', cause: 'fault', detail: String(error) });
      }
    },
    joinedExtra(seatId) {
      const seat = actor.getSnapshot().context.seats[seatId];
      if (!engine?.joinedPayload || !seat) return undefined;
      try {
        return engine.joinedPayload(seatId, seat.role);
      } catch (error) {
        // The join still succeeds; only the game's extra fields are missing.
        logger.error('Sync engine failed on joinedPayload', { roomId, seatId, cause: String(error) });
        return undefined;
      }
    },
    release(seatId, connection) {
      if (connections.get(seatId) !== connection) return;
      connections.delete(seatId);
      generations.delete(seatId);
    },
    generation: (seatId) => generations.get(seatId),
    resumable(seatId, generation) {
      const current = generations.get(seatId);
      if (current === undefined) return false;
      return current === generation || (restoredSeats.has(seatId) && generation >= current);
    },
    nextGeneration(seatId) {
      restoredSeats.delete(seatId);
      const next = (generations.get(seatId) ?? 0) + 1;
      generations.set(seatId, next);
      return next;
    },
    send(event) {
      if (!ended) actor.send(event);
    },
    broadcast,
    sendToSeat,
    get connectionCount() {
      return connections.size;
    },
    stop(code, message) {
      finish(code, message);
      actor.stop();
    },
  };

  actor.start();
  if (options.restore) for (const event of restoredEvents(options.restore)) actor.send(event);
  return host;
}
