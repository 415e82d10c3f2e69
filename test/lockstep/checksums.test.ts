/**
 * ChecksumBook (checksums.ts): client checksums compared server-side per turn, with or without
 * an authority checksum, settled when every expected player reported or when stale.
 */
import fc from 'fast-check';
import { ChecksumBook } from 'chartroom/sync/lockstep';
import { describe, expect, it } from 'vitest';

const seats = ['p1', 'p2', 'p3', 'p4', 'p5'];

describe('ChecksumBook without an authority', () => {
  it('settles a turn once every expected player reported the same checksum', () => {
    const book = new ChecksumBook();
    expect(book.report(3, 'p1', 'aa', ['p1', 'p2'])).toBeUndefined();
    expect(book.agreed(3)).toBeUndefined();
    expect(book.report(3, 'p2', 'aa', ['p1', 'p2'])).toBeUndefined();
    expect(book.agreed(3)).toBe('aa');
  });

  it('waits for every expected player before judging, then names the minority', () => {
    const book = new ChecksumBook();
    const expected = ['p1', 'p2', 'p3'];
    expect(book.report(7, 'p3', 'bad', expected)).toBeUndefined();
    expect(book.report(7, 'p1', 'ok', expected)).toBeUndefined();
    expect(book.report(7, 'p2', 'ok', expected)).toEqual({
      turn: 7,
      groups: [
        { checksum: 'ok', seats: ['p1', 'p2'] },
        { checksum: 'bad', seats: ['p3'] },
      ],
      diverged: ['p3'],
    });
    expect(book.agreed(7)).toBeUndefined();
  });

  it('names every player when no checksum has a strict majority', () => {
    const book = new ChecksumBook();
    book.report(1, 'p1', 'x', ['p1', 'p2']);
    expect(book.report(1, 'p2', 'y', ['p1', 'p2'])?.diverged).toEqual(['p1', 'p2']);
  });

  it('compares a late report with the agreed checksum: a disagreeing latecomer alone is named', () => {
    const book = new ChecksumBook();
    book.report(2, 'p1', 'same', ['p1', 'p2']);
    book.report(2, 'p2', 'same', ['p1', 'p2']);
    expect(book.report(2, 'p3', 'same', ['p1', 'p2'])).toBeUndefined();
    expect(book.report(2, 'p4', 'other', ['p1', 'p2'])).toEqual({
      turn: 2,
      groups: [{ checksum: 'other', seats: ['p4'] }],
      diverged: ['p4'],
    });
  });

  it('settles stale turns among the players who reported, and only stale ones', () => {
    const book = new ChecksumBook(10);
    book.report(5, 'p1', 'a', ['p1', 'p2', 'p3']);
    book.report(5, 'p2', 'a', ['p1', 'p2', 'p3']);
    book.report(6, 'p1', 'a', ['p1', 'p2', 'p3']);
    book.report(6, 'p2', 'b', ['p1', 'p2', 'p3']);
    expect(book.sweep(14)).toBeUndefined();
    expect(book.agreed(5)).toBeUndefined();
    expect(book.sweep(15)).toBeUndefined();
    expect(book.agreed(5)).toBe('a');
    expect(book.sweep(16)).toEqual({
      turn: 6,
      groups: [
        { checksum: 'a', seats: ['p1'] },
        { checksum: 'b', seats: ['p2'] },
      ],
      diverged: ['p1', 'p2'],
    });
  });

  it('for any reports of one turn: a divergence exactly when checksums differ, naming everyone outside a strict majority', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: seats.length }),
        fc.nat(),
        (sums, turn) => {
          const book = new ChecksumBook();
          const players = seats.slice(0, sums.length);
          let divergence;
          players.forEach((seat, i) => {
            const result = book.report(turn, seat, sums[i]!, players);
            if (i < players.length - 1) expect(result).toBeUndefined();
            else divergence = result;
          });
          const counts = new Map<string, number>();
          for (const s of sums) counts.set(s, (counts.get(s) ?? 0) + 1);
          if (counts.size === 1) {
            expect(divergence).toBeUndefined();
            expect(book.agreed(turn)).toBe(sums[0]);
            return;
          }
          const sizes = [...counts.values()].sort((a, b) => b - a);
          const majority =
            sizes[0]! > sizes[1]! ? [...counts].find(([, n]) => n === sizes[0])![0] : undefined;
          expect(divergence).toMatchObject({
            turn,
            diverged: players.filter((_, i) => sums[i] !== majority).sort(),
          });
          const groups = (divergence as unknown as { groups: { seats: string[] }[] }).groups;
          expect(groups.map((g) => g.seats.length)).toEqual(sizes);
          expect(groups.flatMap((g) => g.seats).sort()).toEqual([...players].sort());
        },
      ),
    );
  });
});

describe('ChecksumBook with an authority', () => {
  it('judges each report at once against the authority: a matching one passes, an off one is named', () => {
    const book = new ChecksumBook();
    book.setAuthority(4, 'truth');
    expect(book.report(4, 'p1', 'truth', ['p1', 'p2', 'p3'])).toBeUndefined();
    expect(book.report(4, 'p2', 'lie', ['p1', 'p2', 'p3'])).toEqual({
      turn: 4,
      groups: [
        { checksum: 'lie', seats: ['p2'] },
        { checksum: 'truth', seats: ['p1'] },
      ],
      diverged: ['p2'],
    });
  });

  it('names a player off the authority even when the other players would agree with it', () => {
    const book = new ChecksumBook();
    book.setAuthority(0, 'truth');
    expect(book.report(0, 'p1', 'shared-lie', ['p1', 'p2'])?.diverged).toEqual(['p1']);
  });

  it('settles a stale turn whose reports matched the authority as agreed', () => {
    const book = new ChecksumBook(4);
    book.setAuthority(1, 'truth');
    expect(book.report(1, 'p1', 'truth', ['p1', 'p2'])).toBeUndefined();
    expect(book.sweep(5)).toBeUndefined();
    expect(book.agreed(1)).toBe('truth');
  });
});
