import type { Divergence } from './types.js';

/**
 * Collects client checksums per turn and compares them (seed 004: "gamestate hashes generated
 * client-side, compared server-side"). With an authority checksum, every report is compared to
 * it at once; without, a turn is compared when every expected player reported it, or when it
 * is `staleAfterTurns` old (then among those who did).
 */
export class ChecksumBook {
  #reports = new Map<number, Map<string, string>>();
  #authority = new Map<number, string>();
  /**
   * Agreed checksums by turn: one per turn for the whole match. Turns settle close to in order,
   * so a list stays dense (a slot per turn, where a map keeps an entry and a rehash per turn); a
   * stray far turn only makes it sparse.
   */
  #agreed: (string | undefined)[] = [];
  #staleAfterTurns: number;

  constructor(staleAfterTurns = 64) {
    this.#staleAfterTurns = staleAfterTurns;
  }

  /** The checksum everyone agreed on for a turn, once known. */
  agreed(turn: number): string | undefined {
    return this.#agreed[turn];
  }

  setAuthority(turn: number, checksum: string): void {
    this.#authority.set(turn, checksum);
  }

  /** A checksum agreed before this book existed (a room rebuilt from its journal). */
  restoreAgreed(turn: number, checksum: string): void {
    this.#agreed[turn] = checksum;
  }

  /**
   * Record one report; returns a divergence when this report settles a disagreement.
   * `expected` are the players whose reports a turn waits for.
   */
  report(turn: number, seat: string, checksum: string, expected: readonly string[]): Divergence | undefined {
    const agreed = this.#agreed[turn];
    if (agreed !== undefined) {
      return agreed === checksum ? undefined : this.#divergence(turn, new Map([[seat, checksum]]), agreed);
    }
    let reports = this.#reports.get(turn);
    if (!reports) this.#reports.set(turn, (reports = new Map()));
    reports.set(seat, checksum);
    const authority = this.#authority.get(turn);
    if (authority !== undefined && checksum !== authority) return this.#divergence(turn, reports, authority);
    // Most reports are not a turn's last: a count settles that before any lookup.
    if (reports.size < expected.length) return undefined;
    for (const s of expected) if (!reports.has(s)) return undefined;
    return this.#settle(turn, reports);
  }

  /** Settle turns older than the stale limit among the players who reported. */
  sweep(currentTurn: number): Divergence | undefined {
    for (const [turn, reports] of this.#reports) {
      if (turn > currentTurn - this.#staleAfterTurns) continue;
      const divergence = this.#settle(turn, reports);
      if (divergence) return divergence;
    }
    for (const turn of this.#authority.keys())
      if (turn <= currentTurn - this.#staleAfterTurns) this.#authority.delete(turn);
    return undefined;
  }

  #settle(turn: number, reports: Map<string, string>): Divergence | undefined {
    this.#reports.delete(turn);
    let value: string | undefined;
    for (const sum of reports.values()) {
      if (value === undefined) value = sum;
      else if (sum !== value) return this.#divergence(turn, reports, this.#authority.get(turn));
    }
    const authority = this.#authority.get(turn);
    if (value !== undefined && authority !== undefined && value !== authority)
      return this.#divergence(turn, reports, authority);
    if (value !== undefined) this.#agreed[turn] = value;
    this.#authority.delete(turn);
    return undefined;
  }

  #divergence(turn: number, reports: Map<string, string>, reference: string | undefined): Divergence {
    const bySum = new Map<string, string[]>();
    for (const [seat, sum] of reports) bySum.set(sum, [...(bySum.get(sum) ?? []), seat]);
    const groups = [...bySum.entries()]
      .map(([checksum, seats]) => ({ checksum, seats: seats.sort() }))
      .sort((a, b) => b.seats.length - a.seats.length || a.checksum.localeCompare(b.checksum));
    let diverged: string[];
    if (reference !== undefined) {
      diverged = groups.filter((g) => g.checksum !== reference).flatMap((g) => g.seats);
    } else {
      const top = groups[0];
      const majority = top && top.seats.length > (groups[1]?.seats.length ?? 0) ? top.checksum : undefined;
      diverged = groups.filter((g) => g.checksum !== majority).flatMap((g) => g.seats);
    }
    return { turn, groups, diverged: diverged.sort() };
  }
}
