import type { StateLimits } from './types.js';

interface Bucket {
  tokens: number;
  at: number;
  warnedAt: number;
}

/** What to do with one input: take it, drop it, or drop it and tell the seat (once a second). */
export type LimitVerdict = 'allow' | 'drop' | 'warn';

/**
 * A token bucket per seat: `inputBurst` inputs at once, refilled at `maxInputsPerSecond`. The
 * seat is told at most once a second that it is being limited, so a flood is not answered
 * with a flood.
 */
export function createInputLimiter(limits: Pick<StateLimits, 'maxInputsPerSecond' | 'inputBurst'>) {
  const buckets = new Map<string, Bucket>();
  return {
    check(seatId: string, at: number): LimitVerdict {
      let bucket = buckets.get(seatId);
      if (!bucket) buckets.set(seatId, (bucket = { tokens: limits.inputBurst, at, warnedAt: -Infinity }));
      bucket.tokens = Math.min(
        limits.inputBurst,
        bucket.tokens + ((at - bucket.at) * limits.maxInputsPerSecond) / 1000,
      );
      bucket.at = at;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 'allow';
      }
      if (at - bucket.warnedAt < 1000) return 'drop';
      bucket.warnedAt = at;
      return 'warn';
    },
    forget(seatId: string): void {
      buckets.delete(seatId);
    },
    clear(): void {
      buckets.clear();
    },
  };
}
