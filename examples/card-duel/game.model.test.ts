/**
 * Model test of the card duel's game machine (fast-check `fc.commands` on the test kit's game
 * harness and simulated clock): an independent account of whose turn it is and everyone's hp,
 * checked against the machine after every command.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGameHarness, createSimulatedClock } from 'chartroom/testing';
import type { GameHarness } from 'chartroom/testing';
import { cardDuelMachine } from './game.js';
import { MAX_HP } from './rules.js';

const TURN_MS = 3000;
const seats = ['p1', 'p2'] as const;
interface Model {
  turn: number;
  hp: Record<string, number>;
}
type Real = GameHarness<typeof cardDuelMachine>;
const duelOf = (real: Real) => real.snapshot().context.duel;
const running = (real: Real) => real.snapshot().status === 'active';

function check(model: Model, real: Real) {
  if (!running(real)) return;
  expect(duelOf(real).turn).toBe(model.turn);
  expect(duelOf(real).hp).toEqual(model.hp);
  for (const seat of seats) expect(duelOf(real).hp[seat]).toBeLessThanOrEqual(MAX_HP);
}

const playCard = (mine: boolean, index: number): fc.Command<Model, Real> => ({
  check: () => true,
  run(model, real) {
    if (!running(real)) return;
    const seat = seats[model.turn % 2]!;
    const other = seats[(model.turn + 1) % 2]!;
    const hand = duelOf(real).hands[seat] ?? [];
    const card = hand[index % Math.max(1, hand.length)];
    const errors = real.outputs.filter((o) => o.type === 'game.replyError').length;
    real.send({ type: 'playCard', seatId: mine ? seat : other, payload: { cardId: card?.id ?? 'none' } });
    const refused = real.outputs.filter((o) => o.type === 'game.replyError').length > errors;
    if (!mine || !card) {
      expect(refused).toBe(true);
    } else {
      const target = card.kind === 'strike' ? other : seat;
      const delta = card.kind === 'strike' ? -card.value : card.value;
      model.hp[target] = Math.min(MAX_HP, Math.max(0, model.hp[target]! + delta));
      model.turn++;
    }
    check(model, real);
  },
  toString: () => `playCard(${mine ? 'mine' : 'out of turn'}, ${index})`,
});

const pass: fc.Command<Model, Real> = {
  check: () => true,
  run(model, real) {
    if (!running(real)) return;
    real.send({ type: 'pass', seatId: seats[model.turn % 2]!, payload: {} });
    model.turn++;
    check(model, real);
  },
  toString: () => 'pass',
};

const timeout: fc.Command<Model, Real> = {
  check: () => true,
  run(model, real) {
    if (!running(real)) return;
    (real.clock as ReturnType<typeof createSimulatedClock>).advance(TURN_MS - 1);
    check(model, real); // not a millisecond early
    (real.clock as ReturnType<typeof createSimulatedClock>).advance(1);
    model.turn++;
    check(model, real);
  },
  toString: () => 'timeout',
};

describe('card duel game machine, model-based', () => {
  it('keeps turns, hp and the turn timer as the model says, and ends when a player falls', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.commands(
          [
            fc.tuple(fc.boolean(), fc.nat(3)).map(([mine, i]) => playCard(mine, i)),
            fc.constant(pass),
            fc.constant(timeout),
          ],
          {
            maxCommands: 40,
          },
        ),
        (seed, commands) => {
          const real = createGameHarness(cardDuelMachine, {
            clock: createSimulatedClock(),
            input: {
              roomId: 'r',
              seed,
              config: { decks: { p1: 'ember', p2: 'tide' }, order: ['p1', 'p2'], turnMs: TURN_MS },
              players: seats.map((seatId) => ({ seatId, userId: seatId, name: seatId })),
            },
          });
          const model: Model = { turn: 0, hp: { p1: MAX_HP, p2: MAX_HP } };
          fc.modelRun(() => ({ model, real }), commands);
          const over = Object.values(model.hp).some((hp) => hp === 0);
          if (over) expect(real.ending?.kind).toBe('done');
          if (real.ending) expect(real.broadcasts('gameOver')).toHaveLength(1);
          real.stop();
        },
      ),
      { numRuns: 150 },
    );
  });
});
