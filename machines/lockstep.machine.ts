import { assign, sendParent, setup } from 'xstate';
import type { GameInput } from './room.machine.js';

/**
 * The lockstep turn cycle (seed 004, the Age of Empires model), invoked by the room chart as
 * its `game` actor while `running`:
 *
 *     waiting --(turn deadline, every packet in)--> issue the master packet, waiting again
 *     waiting --(turn deadline, a packet missing)--> behind.late (silent: a packet a few ms late
 *                                                    is a hiccup, not a pause)
 *     behind --(the last packet arrives)--> issue, waiting
 *     behind.late --(lag grace)--> behind.lagging.holding (everyone told; room: paused.lagging)
 *     behind.lagging.holding --(lag limit; policy drop)--> drop the missing players, issue, waiting
 *     behind.lagging.holding --(lag limit; policy wait)--> behind.lagging.stalled (stays paused)
 *     waiting --(room.paused)--> paused --(room.resumed)--> waiting
 *
 * Pure: the turn buffer, the turn log and the master packets live in the runtime's engine,
 * which supplies `turnComplete`, `issueTurn`, `dropMissing` and the reports with `.provide()`.
 * Only turn-level events reach this chart; command packets do not.
 */
export interface LockstepContext {
  /** The next turn to issue. */
  readonly turn: number;
  /** Current turn length (adaptive; set by `startMatch` and `issueTurn`). */
  readonly turnMs: number;
}

export type LockstepEvent =
  /** The runtime saw the current turn become complete (sent at most once per turn). */
  | { readonly type: 'TURN_COMPLETE' }
  | { readonly type: 'room.paused' }
  | { readonly type: 'room.resumed' }
  | { readonly type: 'room.playerLeft'; readonly seatId: string };

export const lockstepMachine = setup({
  types: {
    context: {} as LockstepContext,
    events: {} as LockstepEvent,
    input: {} as GameInput,
  },
  delays: {
    turnDeadline: ({ context }) => context.turnMs,
    /** How long a turn may be late, silently, before everyone is told who holds it up. */
    lagGrace: 250,
    /** How long a missing packet may hold the game, once announced, before the lag policy applies. */
    lagLimit: 3000,
  },
  guards: {
    turnComplete: () => false,
    /** Lag policy: drop the missing players (their turns become empty) or stay paused. */
    dropsLaggards: () => true,
  },
  actions: {
    /** Runtime hook: the engine starts (announces the match), learns this actor, sets the turn length. */
    startMatch: assign({ turnMs: 100 }),
    stopMatch: () => undefined,
    /** Compile and broadcast the master packet of `context.turn`; returns the next turn length. */
    issueTurn: assign(({ context }) => ({ turn: context.turn + 1, turnMs: context.turnMs })),
    dropMissing: () => undefined,
    /** A player left for good (grace period over): the engine stops waiting for them. */
    removePlayer: () => undefined,
    announceLag: () => undefined,
    announceCaughtUp: () => undefined,
    reportLagToRoom: sendParent(() => ({ type: 'LAGGING', seatIds: [] as string[] })),
    reportCaughtUpToRoom: sendParent({ type: 'CAUGHT_UP' }),
  },
}).createMachine({
  id: 'lockstep',
  context: { turn: 0, turnMs: 100 },
  entry: 'startMatch',
  exit: 'stopMatch',
  on: {
    'room.playerLeft': { actions: 'removePlayer' },
  },
  initial: 'waiting',
  states: {
    waiting: {
      after: {
        turnDeadline: [
          { guard: 'turnComplete', target: 'waiting', reenter: true, actions: 'issueTurn' },
          { target: 'behind' },
        ],
      },
      on: {
        'room.paused': 'paused',
      },
    },
    behind: {
      initial: 'late',
      on: {
        TURN_COMPLETE: { guard: 'turnComplete', target: 'waiting', actions: 'issueTurn' },
      },
      states: {
        late: {
          after: { lagGrace: 'lagging' },
        },
        lagging: {
          initial: 'holding',
          entry: ['announceLag', 'reportLagToRoom'],
          exit: ['announceCaughtUp', 'reportCaughtUpToRoom'],
          states: {
            holding: {
              after: {
                lagLimit: [
                  {
                    guard: 'dropsLaggards',
                    target: '#lockstep.waiting',
                    actions: ['dropMissing', 'issueTurn'],
                  },
                  { target: 'stalled' },
                ],
              },
            },
            stalled: {},
          },
        },
      },
    },
    paused: {
      on: {
        'room.resumed': 'waiting',
      },
    },
  },
});

export type LockstepMachine = typeof lockstepMachine;
