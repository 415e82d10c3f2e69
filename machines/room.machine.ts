import { and, assign, emit, enqueueActions, fromCallback, not, sendTo, setup } from 'xstate';
import type { AnyActorRef, EventObject } from 'xstate';
import type {
  RoomEmitted,
  RoomEvent,
  RoomInput,
  RoomNotification,
  RoomRefusalCode,
  Role,
  Seat,
} from './room.events.js';
import { activePlayers, countRole, refOf, seatOf, seatOfUser, withSeat } from './room.context.js';
import type { GameInput, JoinEvent, RoomContext, SetupFlowInput } from './room.context.js';

export type { GameInput, RoomContext, SetupFlowInput } from './room.context.js';

/**
 * The room chart (seed 004 "Game Room"):
 *
 *     setup (open -> readyCheck) -> running (iterating | paused.{lagging,disconnected,requested})
 *       -> halted.{divergence,fault} | ended
 *
 * Pure: no I/O. Everything a room tells the outside world leaves as an emitted event
 * (`RoomEmitted`); the runtime turns those into protocol frames. The game author's machine
 * is the `game` actor invoked while `running`; supply it with `.provide({ actors: { game } })`.
 */

/** A game actor that does nothing: rooms whose game runs entirely on the clients (lockstep). */
const noGame = fromCallback<EventObject, GameInput>(() => undefined);
/** A setup flow that does nothing: rooms whose setup is only setup commands and readiness. */
const noSetupFlow = fromCallback<EventObject, SetupFlowInput>(() => undefined);

export const roomMachine = setup({
  types: {
    context: {} as RoomContext,
    events: {} as RoomEvent,
    input: {} as RoomInput,
    emitted: {} as RoomEmitted,
  },
  actors: { game: noGame, setupFlow: noSetupFlow },
  guards: {
    isPlayer: ({ context, event }) => {
      const seat = seatOf(context, event);
      return seat !== undefined && seat.role === 'player' && !seat.left;
    },
    /** The seat exists but its player left a running game: later LEAVE / RECONNECTED change nothing. */
    hasLeft: ({ context, event }) => seatOf(context, event)?.left === true,
    isRejoin: ({ context, event }) => {
      const seat = seatOfUser(context, (event as JoinEvent).userId);
      return seat !== undefined && !seat.connected;
    },
    isAlreadyJoined: ({ context, event }) => seatOfUser(context, (event as JoinEvent).userId) !== undefined,
    requestsViewer: ({ event }) => (event as JoinEvent).role === 'viewer',
    playerSeatFree: ({ context }) => countRole(context, 'player') < context.options.capacity,
    viewerSeatFree: ({ context }) => countRole(context, 'viewer') < context.options.maxViewers,
    lateJoinAsViewer: ({ context }) => context.options.lateJoin === 'viewer',
    lateJoinAsPlayer: ({ context }) => context.options.lateJoin === 'player',
    someoneReady: ({ context }) => activePlayers(context).some((seat) => seat.ready),
    nobodyReady: ({ context }) => !activePlayers(context).some((seat) => seat.ready),
    allPlayersReady: ({ context }) => {
      const players = activePlayers(context);
      return players.length >= context.options.minPlayers && players.every((seat) => seat.ready);
    },
    /** The game's own start guard (seed 004: the game recognises an invalid setup). */
    gameAllowsStart: () => true,
    playerAway: ({ context }) =>
      context.options.pauseOnDisconnect && activePlayers(context).some((seat) => !seat.connected),
    isDivergence: ({ event }) => event.type === 'HALT' && event.cause === 'divergence',
    /** Every player of the match has left for good: nobody is left to play it. */
    abandoned: ({ context }) => !context.options.persistent && activePlayers(context).length === 0,
    setupFlowActive: ({ context }) => context.setupFlow === 'active',
    setupFlowFinished: ({ context }) => context.setupFlow !== 'active',
  },
  actions: {
    broadcastRoom: emit({ type: 'roomChanged' } as const),
    admit: enqueueActions(({ context, event, enqueue }, params: { role: Role; notifyGame?: boolean }) => {
      const join = event as JoinEvent;
      const seatId = `${params.role === 'player' ? 'p' : 'v'}${context.nextSeat}`;
      const seat: Seat = {
        seatId,
        userId: join.userId,
        name: join.name,
        role: params.role,
        ready: false,
        connected: true,
        left: false,
      };
      enqueue.assign({ seats: { ...context.seats, [seatId]: seat }, nextSeat: context.nextSeat + 1 });
      enqueue.emit({ type: 'joined', connectionId: join.connectionId, seatId, rejoined: false });
      if (params.notifyGame) {
        enqueue.sendTo('game', { type: 'room.playerJoined', seatId, userId: join.userId, name: join.name });
      }
    }),
    rejoin: enqueueActions(({ context, event, enqueue }, params: { notifyGame: boolean }) => {
      const join = event as JoinEvent;
      const seat = seatOfUser(context, join.userId);
      if (!seat) return;
      enqueue.assign({ seats: withSeat(context, seat.seatId, { connected: true }) });
      enqueue.emit({ type: 'joined', connectionId: join.connectionId, seatId: seat.seatId, rejoined: true });
      // A seat taken back with a new ticket (not a resume token) is a reconnection too.
      if (params.notifyGame) enqueue.sendTo('game', { type: 'room.playerReconnected', seatId: seat.seatId });
    }),
    refuseJoin: emit(({ event }, params: { code: RoomRefusalCode; message: string }) => ({
      type: 'joinRefused' as const,
      connectionId: (event as JoinEvent).connectionId,
      code: params.code,
      message: params.message,
    })),
    refuse: emit(({ event }, params: { code: RoomRefusalCode; message: string }) => ({
      type: 'refused' as const,
      seatId: 'seatId' in event && typeof event.seatId === 'string' ? event.seatId : '',
      code: params.code,
      message: params.message,
      ref: refOf(event),
    })),
    removeSeat: enqueueActions(({ context, event, enqueue }) => {
      const seat = seatOf(context, event);
      if (!seat) return;
      const { [seat.seatId]: _removed, ...rest } = context.seats;
      enqueue.assign({ seats: rest });
      enqueue.emit({ type: 'seatRemoved', seatId: seat.seatId });
    }),
    markLeft: assign({
      seats: ({ context, event }) =>
        withSeat(context, (event as { seatId: string }).seatId, {
          left: true,
          connected: false,
          ready: false,
        }),
    }),
    markConnected: assign({
      seats: ({ context, event }) =>
        withSeat(context, (event as { seatId: string }).seatId, { connected: true }),
    }),
    markDisconnected: assign({
      seats: ({ context, event }) =>
        withSeat(context, (event as { seatId: string }).seatId, { connected: false }),
    }),
    setReady: assign({
      seats: ({ context, event }) => {
        const ready = event as Extract<RoomEvent, { type: 'READY' }>;
        return withSeat(context, ready.seatId, { ready: ready.ready });
      },
    }),
    /**
     * Apply a setup command first-come-first-served. The runtime supplies the game's own
     * reducer; this default merges an object command into an object configuration. Any
     * accepted change resets readiness: "ready" means "I accept this configuration".
     */
    applySetupCommand: enqueueActions(({ context, event, enqueue }) => {
      const { command } = event as Extract<RoomEvent, { type: 'SETUP_COMMAND' }>;
      const base = typeof context.config === 'object' && context.config !== null ? context.config : {};
      const patch = typeof command === 'object' && command !== null ? command : {};
      enqueue.assign({
        config: { ...base, ...patch },
        configVersion: context.configVersion + 1,
        seats: Object.fromEntries(
          Object.entries(context.seats).map(([id, s]) => [id, { ...s, ready: false }]),
        ),
      });
    }),
    forwardToGame: sendTo('game', ({ event }) => {
      const { seatId, message } = event as Extract<RoomEvent, { type: 'GAME_MESSAGE' }>;
      return {
        type: message.type,
        seatId,
        payload: message.payload,
        ...(message.requestId !== undefined ? { requestId: message.requestId } : {}),
      };
    }),
    forwardToSetupFlow: sendTo('setupFlow', ({ event }) => {
      const { seatId, message } = event as Extract<RoomEvent, { type: 'GAME_MESSAGE' }>;
      return { type: message.type, seatId, payload: message.payload };
    }),
    /** Tell the setup flow about a player (joined, left, away, back) while it is still running. */
    notifySetupFlow: enqueueActions(
      ({ context, event, enqueue }, params: { type: RoomNotification['type'] }) => {
        if (context.setupFlow !== 'active') return;
        if (event.type === 'JOIN') {
          const seat = seatOfUser(context, event.userId);
          if (seat?.role !== 'player') return;
          enqueue.sendTo('setupFlow', {
            type: params.type,
            seatId: seat.seatId,
            userId: seat.userId,
            name: seat.name,
          });
        } else if ('seatId' in event && context.seats[String(event.seatId)]?.role === 'player') {
          enqueue.sendTo('setupFlow', { type: params.type, seatId: event.seatId });
        }
      },
    ),
    /** A setup flow's new configuration; like an accepted setup command, it resets readiness. */
    applyFlowConfig: assign(({ context, event }) => ({
      config: (event as Extract<RoomEvent, { type: 'game.config' }>).config,
      configVersion: context.configVersion + 1,
      seats: Object.fromEntries(Object.entries(context.seats).map(([id, s]) => [id, { ...s, ready: false }])),
    })),
    markSetupFlowDone: assign({ setupFlow: 'done' as const }),
    forwardReplyToGame: sendTo('game', ({ event }) => {
      const { seatId, requestId, ok, payload } = event as Extract<RoomEvent, { type: 'GAME_REPLY' }>;
      return { type: 'room.reply', seatId, requestId, ok, payload };
    }),
    /** Tell the game actor, if it is still running (it may have finished as the room leaves `running`). */
    notifyGame: enqueueActions(({ event, self, enqueue }, params: { type: RoomNotification['type'] }) => {
      const game = (self.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> } | undefined)
        ?.children?.game;
      if (game?.getSnapshot().status !== 'active') return;
      enqueue.sendTo(game, { type: params.type, seatId: 'seatId' in event ? event.seatId : undefined });
    }),
    emitGameOutput: emit(({ event }): RoomEmitted => {
      switch (event.type) {
        case 'game.send':
          return { type: 'gameSend', seatId: event.seatId, message: event.message };
        case 'game.reply':
          return {
            type: 'gameReply',
            seatId: event.seatId,
            requestId: event.requestId,
            message: event.message,
          };
        case 'game.replyError':
          return {
            type: 'gameReplyError',
            seatId: event.seatId,
            requestId: event.requestId,
            message: event.message,
            ...(event.code !== undefined ? { code: event.code } : {}),
          };
        default:
          return {
            type: 'gameBroadcast',
            message: (event as Extract<RoomEvent, { type: 'game.broadcast' }>).message,
          };
      }
    }),
    recordHalt: assign({
      halt: ({ event }) => {
        if (event.type === 'HALT') return { cause: event.cause, detail: event.detail };
        const error = (event as { error?: unknown }).error;
        return { cause: 'fault' as const, detail: error instanceof Error ? error.message : error };
      },
    }),
    recordResult: assign({
      result: ({ event }) => {
        if (event.type === 'game.end') return event.result;
        return (event as { output?: unknown }).output;
      },
    }),
  },
}).createMachine({
  id: 'room',
  context: ({ input }) => ({
    roomId: input.roomId,
    type: input.type,
    seed: input.seed,
    options: input.options,
    config: input.config,
    configVersion: 0,
    seats: {},
    nextSeat: 1,
    halt: undefined,
    result: undefined,
    setupFlow: input.setupFlow === true ? ('active' as const) : ('none' as const),
  }),
  initial: 'setup',
  on: {
    CLOSE: { target: '.ended' },
  },
  states: {
    setup: {
      initial: 'open',
      // The room type's own setup stages (deck choice, seating, ...) run here as an actor; the
      // default does nothing and the room starts on readiness alone.
      invoke: {
        id: 'setupFlow',
        src: 'setupFlow',
        input: ({ context }): SetupFlowInput => ({
          roomId: context.roomId,
          seed: context.seed,
          config: context.config,
        }),
        onDone: { actions: ['markSetupFlowDone', 'broadcastRoom'] },
        onError: { target: '#room.halted.fault', actions: 'recordHalt' },
      },
      on: {
        JOIN: [
          {
            guard: 'isRejoin',
            actions: [
              { type: 'rejoin', params: { notifyGame: false } },
              { type: 'notifySetupFlow', params: { type: 'room.playerReconnected' } },
              'broadcastRoom',
            ],
          },
          {
            guard: 'isAlreadyJoined',
            actions: {
              type: 'refuseJoin',
              params: { code: 'ROOM_ALREADY_JOINED', message: 'This user already holds a connected seat.' },
            },
          },
          {
            guard: and(['requestsViewer', 'viewerSeatFree']),
            actions: [{ type: 'admit', params: { role: 'viewer' } }, 'broadcastRoom'],
          },
          {
            guard: and([not('requestsViewer'), 'playerSeatFree']),
            actions: [
              { type: 'admit', params: { role: 'player' } },
              { type: 'notifySetupFlow', params: { type: 'room.playerJoined' } },
              'broadcastRoom',
            ],
          },
          {
            actions: {
              type: 'refuseJoin',
              params: { code: 'ROOM_FULL', message: 'Every seat of that kind is taken.' },
            },
          },
        ],
        LEAVE: {
          actions: [
            { type: 'notifySetupFlow', params: { type: 'room.playerLeft' } },
            'removeSeat',
            'broadcastRoom',
          ],
        },
        DISCONNECTED: {
          actions: [
            'markDisconnected',
            { type: 'notifySetupFlow', params: { type: 'room.playerDisconnected' } },
            'broadcastRoom',
          ],
        },
        RECONNECTED: {
          actions: [
            'markConnected',
            { type: 'notifySetupFlow', params: { type: 'room.playerReconnected' } },
            'broadcastRoom',
          ],
        },
        READY: [
          { guard: 'isPlayer', actions: ['setReady', 'broadcastRoom'] },
          {
            actions: {
              type: 'refuse',
              params: { code: 'ROOM_FORBIDDEN', message: 'Only players commit readiness.' },
            },
          },
        ],
        SETUP_COMMAND: [
          { guard: 'isPlayer', actions: ['applySetupCommand', 'broadcastRoom'] },
          {
            actions: {
              type: 'refuse',
              params: { code: 'ROOM_FORBIDDEN', message: 'Only players configure.' },
            },
          },
        ],
        GAME_MESSAGE: [
          { guard: and(['setupFlowActive', 'isPlayer']), actions: 'forwardToSetupFlow' },
          {
            guard: 'setupFlowActive',
            actions: { type: 'refuse', params: { code: 'ROOM_FORBIDDEN', message: 'Viewers only watch.' } },
          },
          {
            actions: {
              type: 'refuse',
              params: { code: 'ROOM_NOT_RUNNING', message: 'The game has not started yet.' },
            },
          },
        ],
        PAUSE: {
          actions: { type: 'refuse', params: { code: 'ROOM_NOT_RUNNING', message: 'Nothing to pause yet.' } },
        },
        // What the setup flow tells the players, and its configuration changes.
        'game.broadcast': { actions: 'emitGameOutput' },
        'game.send': { actions: 'emitGameOutput' },
        'game.reply': { actions: 'emitGameOutput' },
        'game.replyError': { actions: 'emitGameOutput' },
        'game.config': { guard: 'setupFlowActive', actions: ['applyFlowConfig', 'broadcastRoom'] },
      },
      states: {
        open: {
          entry: 'broadcastRoom',
          always: { guard: 'someoneReady', target: 'readyCheck' },
        },
        readyCheck: {
          entry: 'broadcastRoom',
          always: [
            {
              guard: and(['allPlayersReady', 'setupFlowFinished', 'gameAllowsStart']),
              target: '#room.running',
            },
            { guard: 'nobodyReady', target: 'open' },
          ],
        },
      },
    },
    running: {
      initial: 'iterating',
      // A match whose players all left (grace periods over) ends instead of running on empty.
      always: { guard: 'abandoned', target: 'ended' },
      invoke: {
        id: 'game',
        src: 'game',
        input: ({ context }): GameInput => ({
          roomId: context.roomId,
          seed: context.seed,
          config: context.config,
          players: activePlayers(context).map(({ seatId, userId, name }) => ({ seatId, userId, name })),
        }),
        onDone: { target: 'ended', actions: 'recordResult' },
        onError: { target: 'halted.fault', actions: 'recordHalt' },
      },
      on: {
        JOIN: [
          { guard: 'isRejoin', actions: [{ type: 'rejoin', params: { notifyGame: true } }, 'broadcastRoom'] },
          {
            guard: 'isAlreadyJoined',
            actions: {
              type: 'refuseJoin',
              params: { code: 'ROOM_ALREADY_JOINED', message: 'This user already holds a connected seat.' },
            },
          },
          {
            guard: and(['lateJoinAsPlayer', not('requestsViewer'), 'playerSeatFree']),
            actions: [{ type: 'admit', params: { role: 'player', notifyGame: true } }, 'broadcastRoom'],
          },
          {
            guard: and(['lateJoinAsPlayer', 'requestsViewer', 'viewerSeatFree']),
            actions: [{ type: 'admit', params: { role: 'viewer' } }, 'broadcastRoom'],
          },
          {
            guard: and(['viewerSeatFree', 'lateJoinAsViewer']),
            actions: [{ type: 'admit', params: { role: 'viewer' } }, 'broadcastRoom'],
          },
          {
            actions: {
              type: 'refuseJoin',
              params: { code: 'ROOM_LOCKED', message: 'The game is running and players are locked.' },
            },
          },
        ],
        LEAVE: [
          { guard: 'hasLeft' },
          {
            guard: 'isPlayer',
            actions: [
              'markLeft',
              { type: 'notifyGame', params: { type: 'room.playerLeft' } },
              'broadcastRoom',
            ],
          },
          { actions: ['removeSeat', 'broadcastRoom'] },
        ],
        DISCONNECTED: {
          actions: [
            'markDisconnected',
            { type: 'notifyGame', params: { type: 'room.playerDisconnected' } },
            'broadcastRoom',
          ],
        },
        RECONNECTED: {
          guard: not('hasLeft'),
          actions: [
            'markConnected',
            { type: 'notifyGame', params: { type: 'room.playerReconnected' } },
            'broadcastRoom',
          ],
        },
        READY: {
          actions: { type: 'refuse', params: { code: 'ROOM_NOT_IN_SETUP', message: 'The game is running.' } },
        },
        SETUP_COMMAND: {
          actions: { type: 'refuse', params: { code: 'ROOM_NOT_IN_SETUP', message: 'The game is running.' } },
        },
        GAME_MESSAGE: [
          { guard: 'isPlayer', actions: 'forwardToGame' },
          { actions: { type: 'refuse', params: { code: 'ROOM_FORBIDDEN', message: 'Viewers only watch.' } } },
        ],
        GAME_REPLY: { guard: 'isPlayer', actions: 'forwardReplyToGame' },
        'game.broadcast': { actions: 'emitGameOutput' },
        'game.send': { actions: 'emitGameOutput' },
        'game.reply': { actions: 'emitGameOutput' },
        'game.replyError': { actions: 'emitGameOutput' },
        'game.end': { target: 'ended', actions: 'recordResult' },
        HALT: [
          { guard: 'isDivergence', target: 'halted.divergence', actions: 'recordHalt' },
          { target: 'halted.fault', actions: 'recordHalt' },
        ],
      },
      states: {
        iterating: {
          entry: 'broadcastRoom',
          always: { guard: 'playerAway', target: 'paused.disconnected' },
          on: {
            PAUSE: { target: 'paused.requested' },
            LAGGING: { target: 'paused.lagging' },
          },
        },
        paused: {
          initial: 'requested',
          entry: { type: 'notifyGame', params: { type: 'room.paused' } },
          exit: { type: 'notifyGame', params: { type: 'room.resumed' } },
          states: {
            lagging: {
              entry: 'broadcastRoom',
              on: { CAUGHT_UP: { target: '#room.running.iterating' } },
            },
            disconnected: {
              entry: 'broadcastRoom',
              always: { guard: not('playerAway'), target: '#room.running.iterating' },
            },
            requested: {
              entry: 'broadcastRoom',
              on: { RESUME: { target: '#room.running.iterating' } },
            },
          },
        },
      },
    },
    halted: {
      initial: 'fault',
      on: {
        JOIN: {
          actions: { type: 'refuseJoin', params: { code: 'ROOM_CLOSED', message: 'The room has halted.' } },
        },
        LEAVE: [
          { guard: 'hasLeft' },
          { guard: 'isPlayer', actions: ['markLeft', 'broadcastRoom'] },
          { actions: ['removeSeat', 'broadcastRoom'] },
        ],
        DISCONNECTED: { actions: ['markDisconnected', 'broadcastRoom'] },
        RECONNECTED: { guard: not('hasLeft'), actions: ['markConnected', 'broadcastRoom'] },
      },
      states: {
        divergence: { entry: 'broadcastRoom' },
        fault: { entry: 'broadcastRoom' },
      },
    },
    ended: {
      type: 'final',
      entry: 'broadcastRoom',
    },
  },
  output: ({ context }) => ({ result: context.result, halt: context.halt }),
});

export type RoomMachine = typeof roomMachine;
