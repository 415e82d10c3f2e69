import { z } from 'zod';

/**
 * Card duel rules, pure data and functions (no XState here): two players, a deck each, strike
 * cards hurt the opponent and mend cards heal. Shuffles come from the room's seed, so a match
 * replays exactly.
 */
export const deckNames = ['ember', 'tide', 'stone'] as const;
export type DeckName = (typeof deckNames)[number];

export const card = z.object({
  id: z.string(),
  kind: z.enum(['strike', 'mend']),
  value: z.number().int().min(1).max(9),
});
export type Card = z.infer<typeof card>;

const recipes: Readonly<Record<DeckName, readonly [Card['kind'], number][]>> = {
  ember: [
    ['strike', 4],
    ['strike', 3],
    ['strike', 3],
    ['strike', 2],
    ['mend', 1],
    ['strike', 5],
  ],
  tide: [
    ['strike', 2],
    ['mend', 3],
    ['strike', 3],
    ['mend', 2],
    ['strike', 3],
    ['strike', 4],
  ],
  stone: [
    ['strike', 3],
    ['strike', 3],
    ['mend', 2],
    ['strike', 3],
    ['mend', 2],
    ['strike', 3],
  ],
};

/** mulberry32 over 32-bit state: the room's seed decides every shuffle. */
function random(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seat's deck, shuffled: card ids are `<seat>-<n>`, unique in the match. */
export function shuffledDeck(name: DeckName, seatId: string, seed: number): Card[] {
  const cards = recipes[name].map(([kind, value], n) => ({ id: `${seatId}-${n}`, kind, value }));
  const next = random(seed);
  for (let i = cards.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [cards[i], cards[j]] = [cards[j] as Card, cards[i] as Card];
  }
  return cards;
}

export const HAND_SIZE = 3;
export const MAX_HP = 12;

/** The whole match state (small: it lives in the game machine's context). */
export interface Duel {
  readonly order: readonly string[];
  readonly turn: number;
  readonly hp: Readonly<Record<string, number>>;
  readonly hands: Readonly<Record<string, readonly Card[]>>;
  readonly piles: Readonly<Record<string, readonly Card[]>>;
}

export function startDuel(
  order: readonly string[],
  decks: Readonly<Record<string, DeckName>>,
  seed: number,
): Duel {
  const piles = Object.fromEntries(
    order.map((seat, i) => [seat, shuffledDeck(decks[seat] ?? 'stone', seat, seed + i)]),
  );
  return {
    order,
    turn: 0,
    hp: Object.fromEntries(order.map((seat) => [seat, MAX_HP])),
    hands: Object.fromEntries(order.map((seat) => [seat, (piles[seat] ?? []).slice(0, HAND_SIZE)])),
    piles: Object.fromEntries(order.map((seat) => [seat, (piles[seat] ?? []).slice(HAND_SIZE)])),
  };
}

export const current = (duel: Duel): string => duel.order[duel.turn % duel.order.length] ?? '';
export const opponent = (duel: Duel, seatId: string): string => duel.order.find((s) => s !== seatId) ?? '';

/** Play a card from the current player's hand (the caller checked it is theirs). */
export function play(duel: Duel, seatId: string, cardId: string): Duel {
  const played = duel.hands[seatId]?.find((c) => c.id === cardId);
  if (!played) return duel;
  const target = played.kind === 'strike' ? opponent(duel, seatId) : seatId;
  const delta = played.kind === 'strike' ? -played.value : played.value;
  return {
    ...duel,
    hp: { ...duel.hp, [target]: Math.min(MAX_HP, Math.max(0, (duel.hp[target] ?? 0) + delta)) },
    hands: { ...duel.hands, [seatId]: (duel.hands[seatId] ?? []).filter((c) => c.id !== cardId) },
  };
}

/** The next player's turn: they draw a card if their pile has one. */
export function nextTurn(duel: Duel): Duel {
  const next = { ...duel, turn: duel.turn + 1 };
  const seat = current(next);
  const [drawn, ...rest] = duel.piles[seat] ?? [];
  if (!drawn) return next;
  return {
    ...next,
    hands: { ...next.hands, [seat]: [...(next.hands[seat] ?? []), drawn] },
    piles: { ...next.piles, [seat]: rest },
  };
}

/** A player at 0 hp, or nobody holds a card any more. */
export const isOver = (duel: Duel): boolean =>
  duel.order.some((seat) => (duel.hp[seat] ?? 0) <= 0) ||
  duel.order.every((seat) => (duel.hands[seat]?.length ?? 0) === 0 && (duel.piles[seat]?.length ?? 0) === 0);

/** The player with more hp, or null for a draw. */
export function winner(duel: Duel): string | null {
  const [a, b] = duel.order;
  if (a === undefined || b === undefined) return a ?? null;
  const diff = (duel.hp[a] ?? 0) - (duel.hp[b] ?? 0);
  return diff === 0 ? null : diff > 0 ? a : b;
}
