/**
 * Time as an injectable dependency. Every timeout in Chartroom (handshake, heartbeat, grace
 * period, turn deadlines) goes through a `Clock`, which is also what XState's `createActor`
 * accepts as its `clock` option, so tests run on simulated time instead of sleeping.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The wall clock. */
export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}

/** A clock that only moves when told to: `advance(ms)` fires every timer due, in order. */
export interface SimulatedClock extends Clock {
  advance(ms: number): void;
  /** Number of timers waiting to fire. */
  readonly pending: number;
}

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/**
 * @example
 * const clock = createSimulatedClock();
 * clock.setTimeout(() => console.log('fired'), 1000);
 * clock.advance(1000); // logs "fired"
 */
export function createSimulatedClock(start = 0): SimulatedClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, Timer>();

  const nextDue = (until: number): Timer | undefined => {
    let best: Timer | undefined;
    for (const timer of timers.values()) {
      if (timer.at > until) continue;
      if (!best || timer.at < best.at || (timer.at === best.at && timer.id < best.id)) best = timer;
    }
    return best;
  };

  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { id, at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const until = now + ms;
      for (let timer = nextDue(until); timer; timer = nextDue(until)) {
        timers.delete(timer.id);
        now = timer.at;
        timer.fn();
      }
      now = until;
    },
    get pending() {
      return timers.size;
    },
  };
}
