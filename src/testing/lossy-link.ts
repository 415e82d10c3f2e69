/**
 * Lossy, delaying links for tests: wrap a memory client end (the client's side), a server
 * `Link`, or a whole `Transport` (every link it accepts) to lose, duplicate, delay and reorder
 * frames. Every decision comes from a seeded PRNG and every delay goes through the injected
 * clock, so a run on a simulated clock is reproducible from its seed.
 *
 * A WebSocket never loses or reorders within a connection; these faults model what a UDP
 * transport, a flaky proxy or a buggy peer does, and what a protocol with its own sequence
 * numbers must survive (or refuse cleanly).
 */
import type { Clock } from '../core/clock.js';
import type { Link, Transport } from '../core/link.js';
import type { WebSocketLike } from '../transports/memory/index.js';
import { createPrng } from '../core/prng.js';

type Frame = Uint8Array | string;

export interface LinkFaults {
  /** Seed of the fault decisions. */
  readonly seed: number;
  /** Drives every delay (a simulated clock in tests: advance it to deliver). */
  readonly clock: Clock;
  /** Chance (0..1) that a frame is lost. Default 0. */
  readonly loss?: number;
  /** Chance (0..1) that a frame arrives twice. Default 0. */
  readonly duplicate?: number;
  /** Chance (0..1) that a frame is held back and overtaken by the next one. Default 0. */
  readonly reorder?: number;
  /** Longest a held-back frame waits for the next one to overtake it. Default 50 ms. */
  readonly holdMs?: number;
  /** Each delivery waits a delay drawn in [min, max] ms (unequal delays reorder too). Default [0, 0]. */
  readonly delayMs?: readonly [number, number];
  /** Which frames the faults apply to (others are only delayed). Default: every frame. */
  readonly applies?: (frame: Frame) => boolean;
}

export interface LinkStats {
  sent: number;
  lost: number;
  duplicated: number;
  reordered: number;
}

/** One direction of a faulty link. */
export interface FaultyChannel {
  readonly stats: LinkStats;
  /** Pass `frame` on through `deliver`, after the faults. */
  pass(frame: Frame, deliver: (frame: Frame) => void): void;
  /** From now on: no loss, duplication or reordering, no delay. */
  heal(): void;
}

/**
 * One direction of a faulty link; `wrapClientEnd`, `wrapLink` and `lossyTransport` use two.
 *
 * @example
 * const channel = createFaultyChannel({ seed: 7, clock, loss: 0.1, delayMs: [5, 40] });
 * channel.pass(frame, (f) => socket.send(f));
 */
export function createFaultyChannel(faults: LinkFaults): FaultyChannel {
  const random = createPrng(faults.seed);
  const stats: LinkStats = { sent: 0, lost: 0, duplicated: 0, reordered: 0 };
  let healed = false;
  let held: { frame: Frame; deliver: (frame: Frame) => void; timer: unknown } | undefined;
  const [minDelay, maxDelay] = faults.delayMs ?? [0, 0];

  const later = (frame: Frame, deliver: (frame: Frame) => void) => {
    const delay = healed ? 0 : minDelay + Math.floor(random() * (maxDelay - minDelay + 1));
    if (delay <= 0) deliver(frame);
    else faults.clock.setTimeout(() => deliver(frame), delay);
  };
  const release = () => {
    const pending = held;
    held = undefined;
    if (!pending) return;
    faults.clock.clearTimeout(pending.timer);
    later(pending.frame, pending.deliver);
  };

  return {
    stats,
    pass(frame, deliver) {
      stats.sent++;
      const faulty = !healed && (faults.applies?.(frame) ?? true);
      if (faulty && random() < (faults.loss ?? 0)) {
        stats.lost++;
        return;
      }
      const copies = faulty && random() < (faults.duplicate ?? 0) ? 2 : 1;
      if (copies === 2) stats.duplicated++;
      if (faulty && !held && random() < (faults.reorder ?? 0)) {
        stats.reordered++;
        // Held until the next frame has gone, or (if none comes) for holdMs.
        held = { frame, deliver, timer: faults.clock.setTimeout(release, faults.holdMs ?? 50) };
        if (copies === 2) later(frame, deliver);
        return;
      }
      for (let i = 0; i < copies; i++) later(frame, deliver);
      release();
    },
    heal() {
      healed = true;
      release();
    },
  };
}

/** A client end behind a faulty link (both directions); `up` is client to server. */
export interface LossyClientEnd extends WebSocketLike {
  readonly up: FaultyChannel;
  readonly down: FaultyChannel;
  /** The wrapped end (to `drop()` a memory end, say). */
  readonly inner: WebSocketLike;
}

/**
 * Wrap a client end (a memory transport's, or any WebSocket-like object): frames it sends and
 * frames it receives both go through the faults (the downstream channel seeded `seed + 1`).
 *
 * @example
 * const end = wrapClientEnd(memory.connect(), { seed: 3, clock, loss: 0.05, delayMs: [1, 30] });
 */
export function wrapClientEnd(inner: WebSocketLike, faults: LinkFaults): LossyClientEnd {
  const up = createFaultyChannel(faults);
  const down = createFaultyChannel({ ...faults, seed: faults.seed + 1 });
  const end: LossyClientEnd = {
    up,
    down,
    inner,
    get readyState() {
      return inner.readyState;
    },
    get binaryType() {
      return inner.binaryType;
    },
    set binaryType(value: string) {
      inner.binaryType = value;
    },
    send: (data) => up.pass(data, (frame) => inner.send(frame)),
    close: (code, reason) => inner.close(code, reason),
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
  };
  inner.onopen = (event) => end.onopen?.(event);
  inner.onclose = (event) => end.onclose?.(event);
  inner.onerror = (event) => end.onerror?.(event);
  inner.onmessage = (event) => down.pass(event.data as Frame, (data) => end.onmessage?.({ data }));
  return end;
}

/** A server link behind a faulty link: `send` goes down, received frames come up. */
export function wrapLink(
  link: Link,
  faults: LinkFaults,
): Link & { readonly up: FaultyChannel; readonly down: FaultyChannel } {
  const up = createFaultyChannel(faults);
  const down = createFaultyChannel({ ...faults, seed: faults.seed + 1 });
  return {
    up,
    down,
    id: link.id,
    remote: link.remote,
    stream: link.stream,
    get bufferedAmount() {
      return link.bufferedAmount;
    },
    send: (frame) => down.pass(frame, (f) => link.send(f)),
    close: (code, reason) => link.close(code, reason),
    ...(link.ping ? { ping: () => link.ping?.() } : {}),
    attach(handlers) {
      link.attach({ ...handlers, frame: (data) => up.pass(data, (f) => handlers.frame(f)) });
    },
  };
}

/**
 * Every link `inner` accepts goes through faults; link `n` (from 0) is seeded `seed + 2n`.
 *
 * @example
 * const memory = createMemoryTransport('json-envelope');
 * createServer({ roomTypes, endpoints: [{ protocol, transport: lossyTransport(memory, faults) }] });
 */
export function lossyTransport(inner: Transport, faults: LinkFaults): Transport {
  let count = 0;
  return {
    name: inner.name,
    endpoint: (base) => inner.endpoint(base),
    stop: () => inner.stop(),
    start: (accept, host) =>
      inner.start(
        (accepted) =>
          accept({
            ...accepted,
            link: wrapLink(accepted.link, { ...faults, seed: faults.seed + 2 * count++ }),
          }),
        host,
      ),
  };
}
