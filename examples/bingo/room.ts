import { defineMessages, defineRoom, gameActions } from 'chartroom';
import type { GameEvent, RoomNotification } from 'chartroom';
import type { GameInput } from 'chartroom/machines';
import { assign, enqueueActions, setup, stateIn } from 'xstate';
import { z } from 'zod';
import { announce, callingOrder, completedLine, daubRefusal, dealCard } from './cards.js';
import type { Card } from './cards.js';

/**
 * Bingo (seed 003's game): cards dealt per player from the room seed, numbers called on a
 * timer, daubs checked by the server, winners. Shared by server and clients.
 *
 * Over the Bingo protocol: `card` is a server Request (0x04) each client acknowledges; `call`
 * and `winner` are Events (0x08); `called` and `round` are Data Updates (0x09, listed in
 * `bingoDataUpdates`); `daub` and `bingo` are client Requests answered with a Reply
 * (`daubbed`, `bingo`) or an Error Reply.
 */
const winner = z.object({ seatId: z.string(), name: z.string(), line: z.array(z.number().int()) });
const roundState = z.enum(['dealing', 'calling', 'lastCall', 'over']);

export const messages = defineMessages({
  client: {
    daub: z.object({ number: z.number().int().min(1).max(75) }),
    bingo: z.object({}),
  },
  server: {
    card: z.object({ card: z.array(z.number().int()).length(25) }),
    call: z.object({ number: z.number().int(), label: z.string(), index: z.number().int() }),
    called: z.array(z.number().int()),
    round: z.object({ state: roundState, calls: z.number().int(), winners: z.array(winner) }),
    winner,
    daubbed: z.object({ number: z.number().int() }),
    bingo: z.object({ line: z.array(z.number().int()) }),
  },
});

/** Server messages sent as Data Updates (shared variables the client mirrors). */
export const bingoDataUpdates = ['called', 'round'] as const;

export const bingoConfig = z.object({
  /** Time between two calls. */
  callIntervalMs: z.number().int().min(10).max(60_000),
  /** How long the deal waits for every player to acknowledge their card (a server Request). */
  confirmTimeoutMs: z.number().int().min(10).max(60_000),
  /** After the first bingo, others may still claim for this long (same-call ties share the win). */
  claimWindowMs: z.number().int().min(0).max(60_000),
});
export type BingoConfig = z.infer<typeof bingoConfig>;

type Winner = z.infer<typeof winner>;
type Event = GameEvent<typeof messages>;
type Claim = Extract<Event, { type: 'daub' | 'bingo' }>;
type Reply = Extract<RoomNotification, { type: 'room.reply' }>;

interface Context {
  readonly config: BingoConfig;
  readonly players: readonly { readonly seatId: string; readonly name: string }[];
  readonly cards: Readonly<Record<string, Card>>;
  /** The server Request id of each seat's card, to match its Reply. */
  readonly cardRequests: Readonly<Record<string, number>>;
  readonly confirmed: readonly string[];
  readonly order: readonly number[];
  readonly called: readonly number[];
  readonly daubs: Readonly<Record<string, readonly number[]>>;
  readonly winners: readonly Winner[];
}

const { broadcast, reply, replyError } = gameActions(messages);

const lineOf = (context: Context, seatId: string) =>
  completedLine(context.cards[seatId] ?? [], context.daubs[seatId] ?? []);

/** Reply to the winner with its line, and tell everyone. */
const announceWin = [
  reply('bingo', ({ context, event }: { context: Context; event: Event }) => ({
    line: lineOf(context, (event as Claim).seatId) ?? [],
  })),
  broadcast('winner', ({ context, event }: { context: Context; event: Event }) => {
    const seatId = (event as Claim).seatId;
    const found = context.winners.find((w) => w.seatId === seatId);
    return found ?? { seatId, name: seatId, line: [] };
  }),
];

const roundPayload =
  (state: z.infer<typeof roundState>) =>
  ({ context }: { context: Context }) => ({
    state,
    calls: context.called.length,
    winners: [...context.winners],
  });

export const bingoMachine = setup({
  types: { context: {} as Context, events: {} as Event, input: {} as GameInput },
  delays: {
    callInterval: ({ context }) => context.config.callIntervalMs,
    confirmTimeout: ({ context }) => context.config.confirmTimeoutMs,
    claimWindow: ({ context }) => context.config.claimWindowMs,
  },
  guards: {
    isCardAnswer: ({ context, event }) =>
      event.type === 'room.reply' &&
      context.cardRequests[(event as Reply).seatId] === (event as Reply).requestId,
    allConfirmed: ({ context }) => context.confirmed.length >= context.players.length,
    deckEmpty: ({ context }) => context.called.length >= context.order.length,
    daubAllowed: ({ context, event }) => {
      const { seatId, payload } = event as Extract<Claim, { type: 'daub' }>;
      return daubRefusal(context.cards[seatId] ?? [], context.called, payload.number) === undefined;
    },
    notOnCard: ({ context, event }) => {
      const { seatId, payload } = event as Extract<Claim, { type: 'daub' }>;
      return !(context.cards[seatId] ?? []).includes(payload.number);
    },
    hasLine: ({ context, event }) => lineOf(context, (event as Claim).seatId) !== undefined,
  },
  actions: {
    /**
     * The server-request pattern: `game.send` with a `requestId` goes out as a Request; the
     * client's Reply comes back as `room.reply` with the same id; `after` bounds the wait.
     */
    dealCards: enqueueActions(({ context, enqueue }) => {
      for (const player of context.players) {
        enqueue.sendParent({
          type: 'game.send',
          seatId: player.seatId,
          message: {
            type: 'card',
            payload: { card: [...(context.cards[player.seatId] ?? [])] },
            requestId: context.cardRequests[player.seatId],
          },
        });
      }
    }),
    confirm: assign({
      confirmed: ({ context, event }) => {
        const { seatId } = event as Reply;
        return context.confirmed.includes(seatId) ? context.confirmed : [...context.confirmed, seatId];
      },
    }),
    callNext: assign({
      called: ({ context }) => [...context.called, context.order[context.called.length] as number],
    }),
    recordDaub: assign({
      daubs: ({ context, event }) => {
        const { seatId, payload } = event as Extract<Claim, { type: 'daub' }>;
        const mine = context.daubs[seatId] ?? [];
        return mine.includes(payload.number)
          ? context.daubs
          : { ...context.daubs, [seatId]: [...mine, payload.number] };
      },
    }),
    recordWinner: assign({
      winners: ({ context, event }) => {
        const { seatId } = event as Claim;
        if (context.winners.some((w) => w.seatId === seatId)) return context.winners;
        const name = context.players.find((p) => p.seatId === seatId)?.name ?? seatId;
        return [...context.winners, { seatId, name, line: lineOf(context, seatId) ?? [] }];
      },
    }),
  },
}).createMachine({
  id: 'bingo',
  context: ({ input }) => {
    const players = input.players.map(({ seatId, name }) => ({ seatId, name }));
    return {
      config: input.config as BingoConfig,
      players,
      cards: Object.fromEntries(players.map((p) => [p.seatId, dealCard(input.seed, p.seatId)])),
      cardRequests: Object.fromEntries(players.map((p, index) => [p.seatId, index + 1])),
      confirmed: [],
      order: callingOrder(input.seed),
      called: [],
      daubs: {},
      winners: [],
    };
  },
  initial: 'dealing',
  on: {
    // A daub is judged the same in every state: refused while dealing, checked afterwards.
    daub: [
      {
        guard: stateIn('#bingo.dealing'),
        actions: replyError('NOT_STARTED', 'The round has not started: wait for the first call.'),
      },
      {
        guard: 'daubAllowed',
        actions: [
          'recordDaub',
          reply('daubbed', ({ event }: { event: Event }) => ({ number: daubed(event) })),
        ],
      },
      {
        guard: 'notOnCard',
        actions: replyError(
          'NOT_ON_CARD',
          ({ event }: { event: Event }) => `${announce(daubed(event))} is not on your card.`,
        ),
      },
      {
        actions: replyError(
          'NOT_CALLED',
          ({ event }: { event: Event }) => `${announce(daubed(event))} has not been called yet.`,
        ),
      },
    ],
    bingo: { actions: replyError('NOT_STARTED', 'The round has not started: wait for the first call.') },
  },
  states: {
    dealing: {
      entry: ['dealCards', broadcast('round', roundPayload('dealing'))],
      on: { 'room.reply': { guard: 'isCardAnswer', actions: 'confirm' } },
      always: { guard: 'allConfirmed', target: 'calling' },
      after: { confirmTimeout: 'calling' },
    },
    calling: {
      entry: broadcast('round', roundPayload('calling')),
      after: {
        callInterval: [
          { guard: 'deckEmpty', target: 'over' },
          {
            target: 'calling',
            reenter: true,
            actions: [
              'callNext',
              broadcast('call', ({ context }: { context: Context }) => {
                const number = context.called[context.called.length - 1] as number;
                return { number, label: announce(number), index: context.called.length };
              }),
              broadcast('called', ({ context }: { context: Context }) => [...context.called]),
            ],
          },
        ],
      },
      on: {
        bingo: [
          { guard: 'hasLine', target: 'lastCall', actions: ['recordWinner', ...announceWin] },
          { actions: replyError('NO_LINE', 'No complete line on your card: daub called numbers first.') },
        ],
      },
    },
    lastCall: {
      entry: broadcast('round', roundPayload('lastCall')),
      after: { claimWindow: 'over' },
      on: {
        bingo: [
          { guard: 'hasLine', actions: ['recordWinner', ...announceWin] },
          { actions: replyError('NO_LINE', 'No complete line on your card: daub called numbers first.') },
        ],
      },
    },
    over: {
      type: 'final',
      entry: broadcast('round', roundPayload('over')),
    },
  },
  output: ({ context }) => ({ winners: context.winners, calls: context.called.length }),
});

function daubed(event: Event): number {
  return (event as Extract<Claim, { type: 'daub' }>).payload.number;
}

export const bingo = defineRoom({
  name: 'bingo',
  messages,
  config: {
    schema: bingoConfig,
    initial: { callIntervalMs: 2000, confirmTimeoutMs: 3000, claimWindowMs: 1500 },
  },
  // Players may retune the round in setup (first come, first served; readiness resets).
  setup: {
    command: bingoConfig.partial(),
    apply: (current: BingoConfig, command): BingoConfig => ({ ...current, ...stripUndefined(command) }),
  },
  game: bingoMachine,
  options: { capacity: 8, minPlayers: 1, lateJoin: 'viewer' },
});

function stripUndefined(value: Partial<Record<keyof BingoConfig, number | undefined>>): Partial<BingoConfig> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
