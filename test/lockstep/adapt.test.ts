/**
 * Adaptive turn length (adapt.ts, the AoE "1500 archers" scheme): pure functions, so plain
 * examples plus properties over any set of player timings.
 */
import fc from 'fast-check';
import { nextTiming, targetTiming } from 'chartroom/sync/lockstep';
import type { PlayerTiming, TurnTiming, TurnTimingOptions } from 'chartroom/sync/lockstep';
import { describe, expect, it } from 'vitest';

const defaults: TurnTimingOptions = {
  baseTurnMs: 100,
  minTurnMs: 30,
  maxTurnMs: 1000,
  stepMs: 50,
  maxIterations: 32,
  inputDelayTurns: 2,
  jitterMarginMs: 10,
};

const playerArb: fc.Arbitrary<PlayerTiming> = fc.record({
  latencyMs: fc.integer({ min: 0, max: 5000 }),
  fps: fc.integer({ min: 0, max: 240 }),
});
const optionsArb: fc.Arbitrary<TurnTimingOptions> = fc
  .record({
    baseTurnMs: fc.integer({ min: 10, max: 500 }),
    minTurnMs: fc.integer({ min: 1, max: 10 }).map((n) => n * 10),
    spanTurnMs: fc.integer({ min: 0, max: 200 }).map((n) => n * 10),
    stepMs: fc.integer({ min: 5, max: 200 }),
    maxIterations: fc.integer({ min: 1, max: 64 }),
    inputDelayTurns: fc.integer({ min: 0, max: 6 }),
    jitterMarginMs: fc.integer({ min: 0, max: 50 }),
  })
  .map(({ spanTurnMs, ...o }) => ({ ...o, maxTurnMs: o.minTurnMs + spanTurnMs }));

describe('targetTiming', () => {
  it('keeps the base turn length with fast links and machines, and one iteration per stepMs', () => {
    expect(targetTiming([{ latencyMs: 20, fps: 60 }], defaults)).toEqual({ turnMs: 100, iterations: 2 });
    expect(targetTiming([], defaults)).toEqual({ turnMs: 100, iterations: 2 });
  });

  it('stretches the turn so a packet crosses the worst round trip within the input delay', () => {
    // 400 ms round trip over 2 turns of input delay: 200 ms a turn, plus the jitter margin.
    expect(
      targetTiming(
        [
          { latencyMs: 20, fps: 60 },
          { latencyMs: 400, fps: 60 },
        ],
        defaults,
      ),
    ).toEqual({
      turnMs: 210,
      iterations: 4,
    });
    // The same round trip over 4 turns of input delay needs shorter turns.
    expect(targetTiming([{ latencyMs: 400, fps: 60 }], { ...defaults, inputDelayTurns: 4 }).turnMs).toBe(110);
  });

  it('stretches the turn so the slowest machine renders its iterations in real time; unknown rates (0 fps) do not count', () => {
    // 10 fps: 100 ms a frame, 2 iterations a turn: 200 ms.
    expect(
      targetTiming(
        [
          { latencyMs: 0, fps: 60 },
          { latencyMs: 0, fps: 10 },
        ],
        defaults,
      ),
    ).toEqual({
      turnMs: 200,
      iterations: 2,
    });
    expect(targetTiming([{ latencyMs: 0, fps: 0 }], defaults)).toEqual({ turnMs: 100, iterations: 2 });
  });

  it('stays within minTurnMs..maxTurnMs and 1..maxIterations, in 10 ms steps, for any players', () => {
    fc.assert(
      fc.property(fc.array(playerArb, { maxLength: 8 }), optionsArb, (players, options) => {
        const { turnMs, iterations } = targetTiming(players, options);
        expect(turnMs).toBeGreaterThanOrEqual(options.minTurnMs);
        expect(turnMs).toBeLessThanOrEqual(options.maxTurnMs);
        expect(turnMs % 10).toBe(0);
        expect(Number.isInteger(iterations)).toBe(true);
        expect(iterations).toBeGreaterThanOrEqual(1);
        expect(iterations).toBeLessThanOrEqual(options.maxIterations);
      }),
    );
  });

  it('never shortens the turn when a link gets slower, a machine renders fewer frames, or the input delay shrinks', () => {
    fc.assert(
      fc.property(
        fc.array(playerArb, { minLength: 1, maxLength: 8 }),
        fc.nat({ max: 7 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 239 }),
        optionsArb,
        (players, pick, extraLatency, fps, options) => {
          const i = pick % players.length;
          const before = targetTiming(players, options).turnMs;
          const slower = players.map((p, j) =>
            j === i ? { ...p, latencyMs: p.latencyMs + extraLatency } : p,
          );
          expect(targetTiming(slower, options).turnMs).toBeGreaterThanOrEqual(before);
          const lowerFps = players.map((p, j) => (j === i ? { ...p, fps: Math.min(p.fps || 240, fps) } : p));
          const withKnownRate = players.map((p, j) => (j === i ? { ...p, fps: p.fps || 240 } : p));
          expect(targetTiming(lowerFps, options).turnMs).toBeGreaterThanOrEqual(
            targetTiming(withKnownRate, options).turnMs,
          );
          if (options.inputDelayTurns > 1) {
            const shorterDelay = { ...options, inputDelayTurns: options.inputDelayTurns - 1 };
            expect(targetTiming(players, shorterDelay).turnMs).toBeGreaterThanOrEqual(before);
          }
        },
      ),
    );
  });

  it('depends only on the worst latency and the slowest frame rate', () => {
    fc.assert(
      fc.property(fc.array(playerArb, { minLength: 1, maxLength: 8 }), optionsArb, (players, options) => {
        const worst = {
          latencyMs: Math.max(...players.map((p) => p.latencyMs)),
          fps: Math.min(...players.map((p) => (p.fps > 0 ? p.fps : Infinity))),
        };
        const single = [{ latencyMs: worst.latencyMs, fps: Number.isFinite(worst.fps) ? worst.fps : 0 }];
        expect(targetTiming(players, options)).toEqual(targetTiming(single, options));
      }),
    );
  });
});

describe('nextTiming (hysteresis)', () => {
  const timingArb: fc.Arbitrary<TurnTiming> = fc.record({
    turnMs: fc.integer({ min: 10, max: 2000 }),
    iterations: fc.integer({ min: 1, max: 32 }),
  });

  it('keeps the current timing when the target moves by less than 20 ms and 10 %, with the same iterations', () => {
    const current = { turnMs: 300, iterations: 6 };
    expect(nextTiming(current, { turnMs: 310, iterations: 6 })).toBe(current);
    expect(nextTiming(current, { turnMs: 290, iterations: 6 })).toBe(current);
    expect(nextTiming(current, { turnMs: 320, iterations: 6 })).toEqual({ turnMs: 320, iterations: 6 });
    expect(nextTiming(current, { turnMs: 310, iterations: 7 })).toEqual({ turnMs: 310, iterations: 7 });
    // 10 % of a short turn is less than 20 ms: 5 ms on 40 ms is a move.
    expect(nextTiming({ turnMs: 40, iterations: 1 }, { turnMs: 45, iterations: 1 })).toEqual({
      turnMs: 45,
      iterations: 1,
    });
  });

  it('returns either the current timing or the target, moving exactly when the change is large enough', () => {
    fc.assert(
      fc.property(timingArb, timingArb, (current, target) => {
        const next = nextTiming(current, target);
        const delta = Math.abs(target.turnMs - current.turnMs);
        const small = delta < 20 && delta < current.turnMs * 0.1 && target.iterations === current.iterations;
        expect(next).toEqual(small ? current : target);
        expect(nextTiming(next, next)).toEqual(next);
      }),
    );
  });

  it('does not oscillate: jitter within the dead band around a settled timing never moves it', () => {
    fc.assert(
      fc.property(
        timingArb,
        fc.array(fc.integer({ min: -19, max: 19 }), { minLength: 1, maxLength: 30 }),
        (settled, jitter) => {
          let current = settled;
          for (const j of jitter) {
            if (Math.abs(j) >= settled.turnMs * 0.1) continue;
            current = nextTiming(current, { turnMs: settled.turnMs + j, iterations: settled.iterations });
          }
          expect(current).toBe(settled);
        },
      ),
    );
  });
});
