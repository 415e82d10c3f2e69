import { gameActions } from 'chartroom';
import type { GameEvent } from 'chartroom';
import type { SetupFlowInput } from 'chartroom/machines';
import { assign, setup } from 'xstate';
import { setupMessages } from './messages.js';
import type { DuelConfig } from './messages.js';
import type { DeckName } from './rules.js';

/**
 * The card duel's setup stages, as the author's own chart inside the room's `setup`: every
 * player picks a deck, then the two players take the first and second seat. Each change is
 * published as the room's configuration (`setConfig`) and as a `setupState` broadcast; the
 * final state lets the room start once both players are ready.
 */
type Event = GameEvent<typeof setupMessages>;
interface Context {
  readonly players: readonly string[];
  readonly decks: Readonly<Record<string, DeckName>>;
  readonly order: readonly (string | null)[];
  readonly turnMs: number;
}

const { broadcast, setConfig, replyError } = gameActions(setupMessages);
const publish = [
  broadcast('setupState', ({ context }: { context: Context }) => ({
    stage:
      context.players.length >= 2 && context.players.every((p) => context.decks[p])
        ? context.order.every(Boolean)
          ? 'done'
          : 'seating'
        : 'deckChoice',
    decks: { ...context.decks },
    order: [...context.order],
  })),
  setConfig(({ context }: { context: Context }): DuelConfig => ({
    decks: { ...context.decks },
    order: context.order.filter((seat): seat is string => seat !== null),
    turnMs: context.turnMs,
  })),
];

export const duelSetupFlow = setup({
  types: { context: {} as Context, events: {} as Event, input: {} as SetupFlowInput },
  guards: {
    everyDeckChosen: ({ context }) =>
      context.players.length === 2 && context.players.every((p) => context.decks[p]),
    seatFree: ({ context, event }) =>
      event.type === 'takeSeat' &&
      context.order[event.payload.position] === null &&
      !context.order.includes(event.seatId),
    everySeatTaken: ({ context }) => context.order.every((seat) => seat !== null),
  },
}).createMachine({
  id: 'duelSetup',
  context: ({ input }) => ({
    players: [],
    decks: {},
    order: [null, null],
    turnMs: (input.config as Partial<DuelConfig>).turnMs ?? 20_000,
  }),
  initial: 'deckChoice',
  on: {
    'room.playerJoined': {
      actions: [assign({ players: ({ context, event }) => [...context.players, event.seatId] }), ...publish],
    },
    // A player who leaves gives up their deck and seat: choose again.
    'room.playerLeft': {
      target: '.deckChoice',
      actions: [
        assign({
          players: ({ context, event }) => context.players.filter((p) => p !== event.seatId),
          decks: ({ context, event }) =>
            Object.fromEntries(Object.entries(context.decks).filter(([seat]) => seat !== event.seatId)),
          order: ({ context, event }) => context.order.map((seat) => (seat === event.seatId ? null : seat)),
        }),
        ...publish,
      ],
    },
  },
  states: {
    deckChoice: {
      always: { guard: 'everyDeckChosen', target: 'seating' },
      on: {
        chooseDeck: {
          actions: [
            assign({
              decks: ({ context, event }) => ({ ...context.decks, [event.seatId]: event.payload.deck }),
            }),
            ...publish,
          ],
        },
      },
    },
    seating: {
      always: { guard: 'everySeatTaken', target: 'done' },
      on: {
        takeSeat: [
          {
            guard: 'seatFree',
            actions: [
              assign({
                order: ({ context, event }) =>
                  context.order.map((seat, i) => (i === event.payload.position ? event.seatId : seat)),
              }),
              ...publish,
            ],
          },
          { actions: replyError('SEAT_TAKEN', 'That seat is taken, or you already sit.') },
        ],
        // Changing decks is still allowed while seating.
        chooseDeck: {
          actions: [
            assign({
              decks: ({ context, event }) => ({ ...context.decks, [event.seatId]: event.payload.deck }),
            }),
            ...publish,
          ],
        },
      },
    },
    done: { type: 'final' },
  },
});
