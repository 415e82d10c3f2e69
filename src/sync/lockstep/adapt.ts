/**
 * Adaptive turn length (the AoE "1500 archers" scheme): the turn must be long enough for a
 * command packet to cross the slowest link within the input delay, and for the slowest machine
 * to run the turn's iterations in real time. Pure, so it can be property-tested.
 */
export interface TurnTimingOptions {
  /** Turn length with fast links and machines. Default 100. */
  readonly baseTurnMs: number;
  readonly minTurnMs: number;
  readonly maxTurnMs: number;
  /** Game time per engine iteration. Default 50 (so a 100 ms turn has 2 iterations). */
  readonly stepMs: number;
  readonly maxIterations: number;
  /** Turns between issuing a command and executing it. */
  readonly inputDelayTurns: number;
  /** Extra time for jitter, added to the latency share of a turn. Default 10. */
  readonly jitterMarginMs: number;
}

export interface PlayerTiming {
  /** Round-trip time, ms. */
  readonly latencyMs: number;
  /** Rendered frames per second (0 = unknown). */
  readonly fps: number;
}

export interface TurnTiming {
  readonly turnMs: number;
  readonly iterations: number;
}

const roundUp10 = (ms: number) => Math.ceil(ms / 10) * 10;

export function targetTiming(players: readonly PlayerTiming[], options: TurnTimingOptions): TurnTiming {
  let worstLatency = 0;
  let slowestFrameMs = 0;
  for (const p of players) {
    if (p.latencyMs > worstLatency) worstLatency = p.latencyMs;
    if (p.fps > 0 && 1000 / p.fps > slowestFrameMs) slowestFrameMs = 1000 / p.fps;
  }
  const delay = Math.max(1, options.inputDelayTurns);
  // A packet sent `delay` turns ahead must arrive within those turns.
  const latencyTurn = Math.max(options.baseTurnMs, worstLatency / delay + options.jitterMarginMs);
  const iterations = Math.min(options.maxIterations, Math.max(1, Math.round(latencyTurn / options.stepMs)));
  // The slowest machine renders one iteration per frame at best: stretch the turn to fit.
  const turnMs = Math.max(latencyTurn, slowestFrameMs * iterations);
  return {
    turnMs: Math.min(options.maxTurnMs, Math.max(options.minTurnMs, roundUp10(turnMs))),
    iterations,
  };
}

/** Hysteresis: move to the target only when it differs by at least 10 % or 20 ms. */
export function nextTiming(current: TurnTiming, target: TurnTiming): TurnTiming {
  const delta = Math.abs(target.turnMs - current.turnMs);
  if (delta < 20 && delta < current.turnMs * 0.1 && target.iterations === current.iterations) return current;
  return target;
}
