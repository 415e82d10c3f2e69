import { setup } from 'xstate';
import type { GameInput } from 'chartroom/machines';

/**
 * The universe's clock, invoked by the room chart as its game actor while `running`:
 *
 *     ticking --(tick)--> ticking (advance the universe one tick, send the diffs)
 *     ticking --room.paused--> paused --room.resumed--> ticking
 *
 * Pure: the universe itself (every object, every trait) lives in the sync engine
 * (./sync.ts), which supplies `tick` with `.provide()`. The tick length comes from the room's
 * configuration, and the delay runs on the room's clock (simulated in tests).
 */
export interface UniverseClockContext {
  readonly tickMs: number;
}

export type UniverseClockEvent = { readonly type: 'room.paused' } | { readonly type: 'room.resumed' };

export const universeClockMachine = setup({
  types: {
    context: {} as UniverseClockContext,
    events: {} as UniverseClockEvent,
    input: {} as GameInput,
  },
  delays: {
    tick: ({ context }) => context.tickMs,
  },
  actions: {
    /** Advance the universe one tick and send what changed. */
    tick: () => undefined,
  },
}).createMachine({
  id: 'universeClock',
  context: ({ input }) => ({ tickMs: (input.config as { tickMs?: number }).tickMs ?? 100 }),
  initial: 'ticking',
  states: {
    ticking: {
      after: { tick: { target: 'ticking', reenter: true, actions: 'tick' } },
      on: { 'room.paused': 'paused' },
    },
    paused: {
      on: { 'room.resumed': 'ticking' },
    },
  },
});
