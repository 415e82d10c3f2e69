import { assign, setup } from 'xstate';
import type { GameInput } from './room.machine.js';

/**
 * The snapshot/delta world cycle (seed 002, authoritative server), invoked by the room chart as
 * its `game` actor while `running`:
 *
 *     ticking --(tick delay)--> step the world, send each client a snapshot or a delta, ticking
 *     ticking --(room.paused)--> paused --(room.resumed)--> ticking (the tick clock re-anchors)
 *
 * Pure: the world, the per-client views and the diffs live in the runtime's engine, which
 * supplies `step`, `tickDelay` and the seat hooks with `.provide()`. Client inputs never reach
 * this chart (they take the fast path); only tick-level and seat events do.
 */
export interface SnapshotContext {
  /** Ticks stepped so far (the engine's tick counter, mirrored for the inspector). */
  readonly tick: number;
}

export type SnapshotEvent =
  | { readonly type: 'room.paused' }
  | { readonly type: 'room.resumed' }
  | {
      readonly type: 'room.playerJoined';
      readonly seatId: string;
      readonly userId: string;
      readonly name: string;
    }
  | { readonly type: 'room.playerLeft'; readonly seatId: string }
  | { readonly type: 'room.playerDisconnected'; readonly seatId: string };

export const snapshotMachine = setup({
  types: {
    context: {} as SnapshotContext,
    events: {} as SnapshotEvent,
    input: {} as GameInput,
  },
  delays: {
    /** Time to the next tick: the runtime keeps a fixed rate (tickMs minus the overrun). */
    tickDelay: 50,
  },
  actions: {
    /**
     * Runtime hook: create or resume the world, seat the players, learn this actor (the room
     * stops it when it leaves `running`; XState runs no exit action then, so the runtime reads
     * the actor's status instead of waiting for one).
     */
    startWorld: () => undefined,
    /** Step the world one tick and stream it; returns the new tick. */
    step: assign(({ context }) => ({ tick: context.tick + 1 })),
    /** Entering a pause: the runtime stops streaming (newcomers still get a snapshot). */
    holdWorld: () => undefined,
    /** After a pause: streaming resumes (`tickDelay` re-anchors the clock: no burst of catch-up ticks). */
    resumeClock: () => undefined,
    /** Seat hooks: a late joiner gets a ship, a leaver loses it, an away player stops steering. */
    addPlayer: () => undefined,
    removePlayer: () => undefined,
    playerAway: () => undefined,
  },
}).createMachine({
  id: 'snapshot',
  context: { tick: 0 },
  entry: 'startWorld',
  on: {
    'room.playerJoined': { actions: 'addPlayer' },
    'room.playerLeft': { actions: 'removePlayer' },
    'room.playerDisconnected': { actions: 'playerAway' },
  },
  initial: 'ticking',
  states: {
    ticking: {
      after: {
        tickDelay: { target: 'ticking', reenter: true, actions: 'step' },
      },
      on: {
        'room.paused': 'paused',
      },
    },
    paused: {
      entry: 'holdWorld',
      on: {
        'room.resumed': { target: 'ticking', actions: 'resumeClock' },
      },
    },
  },
});

export type SnapshotMachine = typeof snapshotMachine;
