import { defineMessages, mergeMessages } from 'chartroom';
import { z } from 'zod';
import { card, deckNames } from './rules.js';

/** Messages of the setup stages (handled by the setup flow). */
export const setupMessages = defineMessages({
  client: {
    chooseDeck: z.object({ deck: z.enum(deckNames) }),
    takeSeat: z.object({ position: z.number().int().min(0).max(1) }),
  },
  server: {
    setupState: z.object({
      stage: z.enum(['deckChoice', 'seating', 'done']),
      decks: z.record(z.string(), z.enum(deckNames)),
      order: z.array(z.string().nullable()),
    }),
  },
});

/** Messages of the match (handled by the game machine). */
export const playMessages = defineMessages({
  client: {
    playCard: z.object({ cardId: z.string().min(1).max(16) }),
    pass: z.object({}),
  },
  server: {
    hand: z.object({ cards: z.array(card) }),
    turn: z.object({ seatId: z.string(), turn: z.number().int(), turnMs: z.number().int() }),
    played: z.object({ seatId: z.string(), card, hp: z.record(z.string(), z.number().int()) }),
    timedOut: z.object({ seatId: z.string() }),
    gameOver: z.object({ winner: z.string().nullable(), hp: z.record(z.string(), z.number().int()) }),
  },
});

/** Everything a card-duel client speaks: share this object between server and client. */
export const messages = mergeMessages(setupMessages, playMessages);

export const duelConfig = z.object({
  /** Each player's deck, chosen in setup. */
  decks: z.record(z.string(), z.enum(deckNames)),
  /** Turn order, chosen in setup (seat ids). */
  order: z.array(z.string()),
  /** The turn timer: a player who does nothing for this long loses the turn. */
  turnMs: z.number().int().min(1000).max(120_000),
});
export type DuelConfig = z.infer<typeof duelConfig>;
