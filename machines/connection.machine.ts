import { assign, emit, fromPromise, setup } from 'xstate';
import type { ErrorCode } from '../src/core/errors.js';
import type {
  ConnectionEmitted,
  ConnectionEvent,
  ConnectionInput,
  ConnectionTiming,
  Identity,
  SeatRef,
} from './connection.events.js';

/**
 * The connection chart: one per link, shared by every protocol (protocols map their own
 * handshake messages onto AUTHENTICATE / RESUME / JOIN).
 *
 *     connecting -> identifying (timeout) -> live (session: authenticated -> joining -> inRoom,
 *     parallel with heartbeat) -> disconnected (grace period) -> closed
 *
 * Verifying credentials, resuming a seat and joining a room are invoked actors supplied by
 * the runtime through `.provide({ actors })`, so asynchronous auth providers fit in; their
 * defaults refuse. Everything the connection tells the outside world is emitted
 * (`ConnectionEmitted`).
 */
export interface ConnectionContext {
  readonly connectionId: string;
  readonly timing: ConnectionTiming;
  readonly identity: Identity | undefined;
  readonly seat: SeatRef | undefined;
}

/** Errors thrown by the invoked actors carry a registry code; anything else is a plain refusal. */
const reasonOf = (error: unknown, fallback: ErrorCode): { code: string; message: string } => {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return { code: error.code, message: error instanceof Error ? error.message : String(error.code) };
  }
  return { code: fallback, message: error instanceof Error ? error.message : String(error) };
};

const notProvided = (name: string) => () => Promise.reject(new Error(`${name} is not provided`));

type CloseParams = { code: ErrorCode; message: string };

/** The protocol-neutral name of what a refusal answers: an intent kind, or a game message's type. */
function refOf(event: ConnectionEvent): string {
  switch (event.type) {
    case 'ROOM_MESSAGE':
      return event.intent.kind === 'game' ? event.intent.type : event.intent.kind;
    case 'AUTHENTICATE':
      return 'authenticate';
    case 'RESUME':
      return 'resume';
    case 'JOIN':
      return 'join';
    case 'LEAVE':
      return 'leave';
    default:
      return event.type.toLowerCase();
  }
}

export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as ConnectionInput,
    emitted: {} as ConnectionEmitted,
  },
  actors: {
    verifyCredentials: fromPromise<Identity, { token: string }>(notProvided('verifyCredentials')),
    resumeSeat: fromPromise<
      { identity: Identity; seat: SeatRef },
      { resumeToken: string; connectionId: string }
    >(notProvided('resumeSeat')),
    joinRoom: fromPromise<
      SeatRef,
      { identity: Identity; roomId: string; role?: 'player' | 'viewer'; connectionId: string }
    >(notProvided('joinRoom')),
  },
  delays: {
    handshakeTimeout: ({ context }) => context.timing.handshakeTimeoutMs,
    heartbeatInterval: ({ context }) => context.timing.heartbeatIntervalMs,
    heartbeatTimeout: ({ context }) => context.timing.heartbeatTimeoutMs,
    gracePeriod: ({ context }) => context.timing.gracePeriodMs,
  },
  guards: {
    hasSeat: ({ context }) => context.seat !== undefined,
    isViewer: ({ context }) => context.seat?.role === 'viewer',
  },
  actions: {
    sendPing: emit({ type: 'ping' } as const),
    closeLink: emit((_, params: CloseParams) => ({ type: 'closeLink' as const, ...params })),
    closeLinkFromEvent: emit(({ event }) => {
      const kick = event as Extract<ConnectionEvent, { type: 'KICK' }>;
      return { type: 'closeLink' as const, code: kick.code, message: kick.message };
    }),
    refuse: emit(({ event }, params: CloseParams) => ({
      type: 'refused' as const,
      ref: refOf(event),
      ...params,
    })),
    forwardToRoom: emit(({ context, event }) => ({
      type: 'forward' as const,
      seat: context.seat as SeatRef,
      intent: (event as Extract<ConnectionEvent, { type: 'ROOM_MESSAGE' }>).intent,
    })),
    reportSeatAway: emit(({ context }) => ({ type: 'seatAway' as const, seat: context.seat as SeatRef })),
    releaseSeat: emit(({ context }, params: { reason: string }) => ({
      type: 'seatReleased' as const,
      seat: context.seat as SeatRef,
      reason: params.reason,
    })),
    clearSeat: assign({ seat: undefined }),
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({
    connectionId: input.connectionId,
    timing: input.timing,
    identity: undefined,
    seat: undefined,
  }),
  initial: 'connecting',
  states: {
    connecting: {
      on: {
        LINK_OPEN: 'identifying',
        LINK_CLOSED: 'closed',
      },
    },
    identifying: {
      initial: 'awaiting',
      after: {
        handshakeTimeout: {
          target: 'closed',
          actions: {
            type: 'closeLink',
            params: {
              code: 'AUTH_HANDSHAKE_TIMEOUT',
              message: 'No valid credentials within the handshake timeout.',
            },
          },
        },
      },
      on: {
        LINK_CLOSED: 'closed',
        KICK: { target: 'closed', actions: 'closeLinkFromEvent' },
        JOIN: {
          actions: { type: 'refuse', params: { code: 'AUTH_REQUIRED', message: 'Authenticate first.' } },
        },
        LEAVE: {
          actions: { type: 'refuse', params: { code: 'AUTH_REQUIRED', message: 'Authenticate first.' } },
        },
        ROOM_MESSAGE: {
          actions: { type: 'refuse', params: { code: 'AUTH_REQUIRED', message: 'Authenticate first.' } },
        },
      },
      states: {
        awaiting: {
          on: {
            AUTHENTICATE: 'verifying',
            RESUME: 'resuming',
          },
        },
        verifying: {
          invoke: {
            id: 'verifyCredentials',
            src: 'verifyCredentials',
            input: ({ event }) => ({
              token: (event as Extract<ConnectionEvent, { type: 'AUTHENTICATE' }>).token,
            }),
            onDone: {
              target: '#connection.live',
              actions: [
                assign({ identity: ({ event }) => event.output }),
                emit(({ event }) => ({ type: 'authenticated' as const, identity: event.output })),
              ],
            },
            onError: {
              target: '#connection.closed',
              actions: [
                emit(({ event }) => ({
                  type: 'authFailed' as const,
                  ...reasonOf(event.error, 'AUTH_INVALID_TOKEN'),
                })),
                emit(({ event }) => ({
                  type: 'closeLink' as const,
                  ...reasonOf(event.error, 'AUTH_INVALID_TOKEN'),
                })),
              ],
            },
          },
        },
        resuming: {
          invoke: {
            id: 'resumeSeat',
            src: 'resumeSeat',
            input: ({ context, event }) => ({
              resumeToken: (event as Extract<ConnectionEvent, { type: 'RESUME' }>).resumeToken,
              connectionId: context.connectionId,
            }),
            onDone: {
              target: '#connection.live.session.inRoom',
              actions: [
                assign({
                  identity: ({ event }) => event.output.identity,
                  seat: ({ event }) => event.output.seat,
                }),
                emit(({ event }) => ({ type: 'authenticated' as const, identity: event.output.identity })),
                emit(({ event }) => ({ type: 'joined' as const, seat: event.output.seat })),
              ],
            },
            onError: {
              target: '#connection.closed',
              actions: [
                emit(({ event }) => ({
                  type: 'authFailed' as const,
                  ...reasonOf(event.error, 'AUTH_RESUME_REJECTED'),
                })),
                emit(({ event }) => ({
                  type: 'closeLink' as const,
                  ...reasonOf(event.error, 'AUTH_RESUME_REJECTED'),
                })),
              ],
            },
          },
        },
      },
    },
    live: {
      type: 'parallel',
      on: {
        LINK_CLOSED: [{ guard: 'hasSeat', target: 'disconnected' }, { target: 'closed' }],
        SUPERSEDED: {
          target: 'closed',
          actions: {
            type: 'closeLink',
            params: { code: 'CONN_SUPERSEDED', message: 'Another connection resumed this seat.' },
          },
        },
        KICK: [
          {
            guard: 'hasSeat',
            target: 'closed',
            actions: ['closeLinkFromEvent', { type: 'releaseSeat', params: { reason: 'kicked' } }],
          },
          { target: 'closed', actions: 'closeLinkFromEvent' },
        ],
        AUTHENTICATE: {
          actions: {
            type: 'refuse',
            params: {
              code: 'AUTH_ALREADY_AUTHENTICATED',
              message: 'This connection is already authenticated.',
            },
          },
        },
        RESUME: {
          actions: {
            type: 'refuse',
            params: {
              code: 'AUTH_ALREADY_AUTHENTICATED',
              message: 'This connection is already authenticated.',
            },
          },
        },
      },
      states: {
        session: {
          initial: 'authenticated',
          states: {
            authenticated: {
              on: {
                JOIN: 'joining',
                LEAVE: {
                  actions: {
                    type: 'refuse',
                    params: { code: 'ROOM_NOT_IN_ROOM', message: 'Join a room first.' },
                  },
                },
                ROOM_MESSAGE: {
                  actions: {
                    type: 'refuse',
                    params: { code: 'ROOM_NOT_IN_ROOM', message: 'Join a room first.' },
                  },
                },
              },
            },
            joining: {
              invoke: {
                id: 'joinRoom',
                src: 'joinRoom',
                input: ({ context, event }) => {
                  const join = event as Extract<ConnectionEvent, { type: 'JOIN' }>;
                  return {
                    identity: context.identity as Identity,
                    roomId: join.roomId,
                    connectionId: context.connectionId,
                    ...(join.role ? { role: join.role } : {}),
                  };
                },
                onDone: {
                  target: 'inRoom',
                  actions: [
                    assign({ seat: ({ event }) => event.output }),
                    emit(({ event }) => ({ type: 'joined' as const, seat: event.output })),
                  ],
                },
                onError: {
                  target: 'authenticated',
                  actions: emit(({ event }) => ({
                    type: 'joinFailed' as const,
                    ...reasonOf(event.error, 'ROOM_NOT_FOUND'),
                  })),
                },
              },
              on: {
                JOIN: {
                  actions: {
                    type: 'refuse',
                    params: { code: 'PROTOCOL_UNEXPECTED_MESSAGE', message: 'A join is already under way.' },
                  },
                },
                ROOM_MESSAGE: {
                  actions: {
                    type: 'refuse',
                    params: { code: 'ROOM_NOT_IN_ROOM', message: 'The join is not finished yet.' },
                  },
                },
              },
            },
            inRoom: {
              initial: 'entering',
              on: {
                ROOM_MESSAGE: { actions: 'forwardToRoom' },
                LEAVE: {
                  target: 'authenticated',
                  actions: [{ type: 'releaseSeat', params: { reason: 'left' } }, 'clearSeat'],
                },
                JOIN: {
                  actions: {
                    type: 'refuse',
                    params: { code: 'ROOM_ALREADY_JOINED', message: 'Leave this room first.' },
                  },
                },
              },
              states: {
                entering: {
                  always: [{ guard: 'isViewer', target: 'viewer' }, { target: 'player' }],
                },
                player: {},
                viewer: {},
              },
            },
          },
        },
        heartbeat: {
          initial: 'idle',
          states: {
            idle: {
              after: { heartbeatInterval: { target: 'awaitingPong', actions: 'sendPing' } },
            },
            awaitingPong: {
              on: { PONG: 'idle' },
              after: {
                heartbeatTimeout: [
                  {
                    guard: 'hasSeat',
                    target: '#connection.disconnected',
                    actions: {
                      type: 'closeLink',
                      params: { code: 'CONN_HEARTBEAT_TIMEOUT', message: 'No answer to the heartbeat ping.' },
                    },
                  },
                  {
                    target: '#connection.closed',
                    actions: {
                      type: 'closeLink',
                      params: { code: 'CONN_HEARTBEAT_TIMEOUT', message: 'No answer to the heartbeat ping.' },
                    },
                  },
                ],
              },
            },
          },
        },
      },
    },
    disconnected: {
      entry: 'reportSeatAway',
      after: {
        gracePeriod: {
          target: 'closed',
          actions: { type: 'releaseSeat', params: { reason: 'grace period expired' } },
        },
      },
      on: {
        SUPERSEDED: 'closed',
        KICK: { target: 'closed', actions: { type: 'releaseSeat', params: { reason: 'kicked' } } },
      },
    },
    closed: {
      type: 'final',
    },
  },
});

export type ConnectionMachine = typeof connectionMachine;
