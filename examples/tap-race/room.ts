import { defineMessages, defineRoom, gameActions } from 'chartroom';
import type { GameEvent } from 'chartroom';
import type { GameInput } from 'chartroom/machines';
import { assign, setup } from 'xstate';
import { z } from 'zod';

/**
 * Tap race: the smallest complete room. Players agree on a target in setup, commit ready,
 * then tap; the first to reach the target wins. Shared by server and client.
 */
export const messages = defineMessages({
  client: { tap: z.object({}) },
  server: {
    score: z.object({ taps: z.record(z.string(), z.number().int()) }),
    winner: z.object({ seatId: z.string() }),
  },
});

const config = z.object({ target: z.number().int().min(1).max(100) });
type Config = z.infer<typeof config>;

const { broadcast } = gameActions(messages);

interface Context {
  readonly target: number;
  readonly taps: Record<string, number>;
}

export const tapRaceMachine = setup({
  types: { context: {} as Context, events: {} as GameEvent<typeof messages>, input: {} as GameInput },
  guards: {
    reachedTarget: ({ context, event }) =>
      event.type === 'tap' && (context.taps[event.seatId] ?? 0) >= context.target,
  },
}).createMachine({
  id: 'tapRace',
  context: ({ input }) => ({
    target: (input.config as Config).target,
    taps: Object.fromEntries(input.players.map((p) => [p.seatId, 0])),
  }),
  initial: 'racing',
  states: {
    racing: {
      on: {
        tap: {
          actions: [
            assign({
              taps: ({ context, event }) => ({
                ...context.taps,
                [event.seatId]: (context.taps[event.seatId] ?? 0) + 1,
              }),
            }),
            broadcast('score', ({ context }: { context: Context }) => ({ taps: context.taps })),
          ],
        },
      },
      always: { guard: 'reachedTarget', target: 'won' },
    },
    won: {
      type: 'final',
      entry: broadcast('winner', ({ event }: { event: GameEvent<typeof messages> }) => ({
        seatId: 'seatId' in event && event.seatId ? event.seatId : '',
      })),
    },
  },
  output: ({ context }) => ({ taps: context.taps }),
});

export const tapRace = defineRoom({
  name: 'tap-race',
  messages,
  config: { schema: config, initial: { target: 10 } },
  setup: {
    command: z.object({ target: z.number().int().min(1).max(100) }),
    apply: (current: Config, command) => ({ ...current, target: command.target }),
  },
  game: tapRaceMachine,
  options: { capacity: 4, minPlayers: 2, lateJoin: 'viewer' },
});
