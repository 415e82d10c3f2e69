/**
 * 75-ball bingo, pure: seeded dealing, the calling order, daub and line checks. Shared by the
 * server's game machine and the bot. Deterministic from the room seed (no Math.random).
 */
import { createPrng } from 'chartroom';

/** Numbers 1-75; a card is 5x5 row-major, column B 1-15, I 16-30, N 31-45, G 46-60, O 61-75. */
export const HIGHEST = 75;
export const SIZE = 5;
/** The free centre square. */
export const FREE = 0;

/** A card: 25 numbers, row-major, `FREE` in the centre. */
export type Card = readonly number[];

/** FNV-1a of a string, to give every seat its own stream from the room seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function shuffle(values: number[], random: () => number): number[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [values[i], values[j]] = [values[j] as number, values[i] as number];
  }
  return values;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The card dealt to `seatId` in a room with `seed`: same inputs, same card. */
export function dealCard(seed: number, seatId: string): Card {
  const random = createPrng((seed ^ hash(seatId)) >>> 0);
  const columns = range(0, SIZE - 1).map((c) =>
    shuffle(range(c * 15 + 1, c * 15 + 15), random).slice(0, SIZE),
  );
  const card: number[] = [];
  for (let row = 0; row < SIZE; row++) {
    for (let col = 0; col < SIZE; col++) card.push((columns[col] as number[])[row] as number);
  }
  card[12] = FREE;
  return card;
}

/** The calling order for a round: 1-75 shuffled from the room seed. */
export function callingOrder(seed: number): number[] {
  return shuffle(range(1, HIGHEST), createPrng((seed ^ 0x9e3779b9) >>> 0));
}

/** "B 7", "N 42": how a number is announced. */
export function announce(number: number): string {
  return `${'BINGO'[Math.floor((number - 1) / 15)] ?? '?'} ${number}`;
}

/** Every line of a card as cell indexes: 5 rows, 5 columns, 2 diagonals. */
export const LINES: readonly (readonly number[])[] = [
  ...range(0, SIZE - 1).map((r) => range(0, SIZE - 1).map((c) => r * SIZE + c)),
  ...range(0, SIZE - 1).map((c) => range(0, SIZE - 1).map((r) => r * SIZE + c)),
  range(0, SIZE - 1).map((i) => i * SIZE + i),
  range(0, SIZE - 1).map((i) => i * SIZE + (SIZE - 1 - i)),
];

/** Why a daub is refused, or undefined when it is fine. */
export function daubRefusal(card: Card, called: readonly number[], number: number): string | undefined {
  if (!card.includes(number)) return `${announce(number)} is not on your card.`;
  if (!called.includes(number)) return `${announce(number)} has not been called yet.`;
  return undefined;
}

/** A completed line (its numbers, FREE for the centre) from daubed numbers, if there is one. */
export function completedLine(card: Card, daubs: readonly number[]): number[] | undefined {
  const marked = (cell: number) => card[cell] === FREE || daubs.includes(card[cell] as number);
  const line = LINES.find((cells) => cells.every(marked));
  return line?.map((cell) => card[cell] as number);
}
