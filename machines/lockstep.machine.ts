import { fromCallback, sendParent, setup } from 'xstate';
import type { EventObject } from 'xstate';
import type { GameInput } from './room.machine.js';

/**
 * The lockstep turn cycle (seed 004, the Age of Empires model), invoked by the room chart as
 * its `game` actor while `running`:
 *
 *     waiting --(TURN_DEADLINE, every packet in)--> issue the master packet, still waiting
 *     waiting --(TURN_DEADLINE, a packet missing)--> behind.late (silent: a packet a few ms
 *                                                    late is a hiccup, not a pause)
 *     behind --(the last packet arrives)--> issue, waiting
 *     behind.late --(lag grace)--> behind.lagging.holding (everyone told; room: paused.lagging)
 *     behind.lagging.holding --(lag limit; policy drop)--> drop the missing players, issue, waiting
 *     behind.lagging.holding --(lag limit; policy wait)--> behind.lagging.stalled (stays paused)
 *     waiting --(room.paused)--> paused --(room.resumed)--> waiting
 *
 * `waiting` invokes the `turnClock`, which sends TURN_DEADLINE one turn length after entering
 * `waiting` and then on a grid of turn lengths (the engine's, adaptive), so a timer that fires
 * late does not push later turns back; a turn that went out late starts a new grid. Every turn
 * is one event of this chart: a guarded targetless transition, the cheapest step a chart can
 * take.
 *
 * Pure: the turn buffer, the turn log and the master packets live in the runtime's engine,
 * which supplies `turnClock`, `turnComplete`, `issueTurn`, `dropMissing` and the reports with
 * `.provide()`. Only turn-level events reach this chart; command packets do not.
 */
export type LockstepEvent =
  /** From the turn clock: the current turn's deadline has come. */
  | { readonly type: 'TURN_DEADLINE' }
  /** The runtime saw the current turn become complete (sent at most once per turn). */
  | { readonly type: 'TURN_COMPLETE' }
  | { readonly type: 'room.paused' }
  | { readonly type: 'room.resumed' }
  | { readonly type: 'room.playerLeft'; readonly seatId: string };

export const lockstepMachine = setup({
  types: {
    events: {} as LockstepEvent,
    input: {} as GameInput,
  },
  actors: {
    /** Sends TURN_DEADLINE every turn length while `waiting` (the runtime's clock and turn length). */
    turnClock: fromCallback<EventObject>(() => undefined),
  },
  delays: {
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
    /** Runtime hook: the engine starts (announces the match) and learns this actor. */
    startMatch: () => undefined,
    stopMatch: () => undefined,
    /** Compile and broadcast the master packet of the current turn. */
    issueTurn: () => undefined,
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
  entry: 'startMatch',
  exit: 'stopMatch',
  on: {
    'room.playerLeft': { actions: 'removePlayer' },
  },
  initial: 'waiting',
  states: {
    waiting: {
      invoke: { id: 'turnClock', src: 'turnClock' },
      on: {
        TURN_DEADLINE: [{ guard: 'turnComplete', actions: 'issueTurn' }, { target: 'behind' }],
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
