/**
 * A seeded pseudo-random source: reproducible choices from a seed (bots, lossy links, world
 * generation). Not for deterministic lockstep state: a lockstep engine keeps its PRNG state
 * inside its own game state, so checksums cover it.
 */

/** Uniform numbers in [0, 1), mulberry32 over 32-bit integer state. */
export type Prng = () => number;

/**
 * @example
 * const random = createPrng(42);
 * random(); // always the same first number for seed 42
 */
export function createPrng(seed: number): Prng {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
