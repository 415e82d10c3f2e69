import { gameActions } from 'chartroom';
import type { GameEvent } from 'chartroom';
import type { GameInput } from 'chartroom/machines';
import { and, assign, enqueueActions, setup } from 'xstate';
import { playMessages } from './messages.js';
import type { DuelConfig } from './messages.js';
import { current, isOver, nextTurn, play, startDuel, winner } from './rules.js';
import type { Duel } from './rules.js';

/**
 * The card duel's authority: an XState machine invoked while the room runs. Each turn has a
 * timer (`after: turnTimer`): a player who neither plays nor passes in time loses the turn.
 * Hands go to their owner only (`sendToSeat`); plays, turns and the result to everyone.
 */
type Event = GameEvent<typeof playMessages>;
interface Context {
  readonly duel: Duel;
  readonly turnMs: number;
}

const { broadcast, sendToSeat, replyError } = gameActions(playMessages);

export const cardDuelMachine = setup({
  types: { context: {} as Context, events: {} as Event, input: {} as GameInput },
  delays: { turnTimer: ({ context }) => context.turnMs },
  guards: {
    isTurnOf: ({ context, event }) => 'seatId' in event && event.seatId === current(context.duel),
    holdsCard: ({ context, event }) =>
      event.type === 'playCard' &&
      (context.duel.hands[event.seatId] ?? []).some((c) => c.id === event.payload.cardId),
    over: ({ context }) => isOver(context.duel),
  },
  actions: {
    dealHands: enqueueActions(({ context, enqueue }) => {
      for (const seat of context.duel.order) {
        enqueue(sendToSeat(seat, 'hand', { cards: [...(context.duel.hands[seat] ?? [])] }));
      }
      enqueue(
        broadcast('turn', { seatId: current(context.duel), turn: context.duel.turn, turnMs: context.turnMs }),
      );
    }),
    advance: assign({ duel: ({ context }) => nextTurn(context.duel) }),
  },
}).createMachine({
  id: 'cardDuel',
  context: ({ input }) => {
    const config = input.config as DuelConfig;
    const seats = input.players.map((p) => p.seatId);
    const order = config.order.length === seats.length ? config.order : seats;
    return { duel: startDuel(order, config.decks, input.seed), turnMs: config.turnMs };
  },
  initial: 'turn',
  states: {
    turn: {
      entry: 'dealHands',
      always: { guard: 'over', target: 'over' },
      after: {
        turnTimer: {
          target: 'turn',
          reenter: true,
          actions: [
            broadcast('timedOut', ({ context }: { context: Context }) => ({ seatId: current(context.duel) })),
            'advance',
          ],
        },
      },
      on: {
        playCard: [
          {
            guard: and(['isTurnOf', 'holdsCard']),
            target: 'turn',
            reenter: true,
            actions: [
              broadcast('played', ({ context, event }: { context: Context; event: Event }) => {
                const { seatId, payload } = event as Extract<Event, { type: 'playCard' }>;
                const card = (context.duel.hands[seatId] ?? []).find((c) => c.id === payload.cardId);
                const after = play(context.duel, seatId, payload.cardId);
                return {
                  seatId,
                  card: card ?? { id: payload.cardId, kind: 'strike', value: 1 },
                  hp: { ...after.hp },
                };
              }),
              assign({
                duel: ({ context, event }) => play(context.duel, event.seatId, event.payload.cardId),
              }),
              'advance',
            ],
          },
          { guard: 'isTurnOf', actions: replyError('NO_SUCH_CARD', 'That card is not in your hand.') },
          { actions: replyError('NOT_YOUR_TURN', 'Wait for your turn.') },
        ],
        pass: [
          { guard: 'isTurnOf', target: 'turn', reenter: true, actions: 'advance' },
          { actions: replyError('NOT_YOUR_TURN', 'Wait for your turn.') },
        ],
      },
    },
    over: {
      type: 'final',
      entry: broadcast('gameOver', ({ context }: { context: Context }) => ({
        winner: winner(context.duel),
        hp: { ...context.duel.hp },
      })),
    },
  },
  output: ({ context }) => ({ winner: winner(context.duel), hp: context.duel.hp }),
});
