import { createSimulatedClock } from 'chartroom';
import type { ProtocolIssue, SimulatedClock } from 'chartroom';
import { createChannel } from 'chartroom/protocols/sidereal';
import type { Channel, ChannelFailure, ChannelOptions } from 'chartroom/protocols/sidereal';
import { createPrng } from 'chartroom';

/** Faults of the simulated network, per datagram and direction. */
export interface SimFaults {
  loss: number;
  duplicate: number;
  /** Uniform one-way delay in [minDelayMs, maxDelayMs]: reordering comes from the spread. */
  minDelayMs: number;
  maxDelayMs: number;
}

export const cleanNetwork: SimFaults = { loss: 0, duplicate: 0, minDelayMs: 5, maxDelayMs: 5 };

export interface Received {
  readonly text: string;
  readonly flags: number;
  readonly reliable: boolean;
}

export interface SimEnd {
  readonly channel: Channel;
  readonly received: Received[];
  readonly issues: ProtocolIssue[];
  readonly failures: { reason: ChannelFailure; detail: string }[];
  /** Datagrams this end put on the wire. */
  readonly wire: Uint8Array[];
}

export interface SimPair {
  readonly clock: SimulatedClock;
  readonly a: SimEnd;
  readonly b: SimEnd;
  /** Faults applied from now on (mutable). */
  faults: SimFaults;
  /** Drop everything in both directions. */
  blackhole: boolean;
  /** Advance in 5 ms steps until `done()` or `limitMs` of simulated time passed. */
  runUntil(done: () => boolean, limitMs: number): boolean;
}

const text = new TextDecoder();

/**
 * Two channels joined by a simulated lossy network on a simulated clock (deterministic from the
 * seed): what one end transmits reaches the other after the faults.
 */
export function createSimPair(
  seed: number,
  options: Partial<ChannelOptions> = {},
  faults = cleanNetwork,
): SimPair {
  const clock = createSimulatedClock(1_000_000);
  const random = createPrng(seed);
  const ends: { a?: SimEnd; b?: SimEnd } = {};
  const pair: SimPair = {
    clock,
    faults,
    blackhole: false,
    a: undefined as unknown as SimEnd,
    b: undefined as unknown as SimEnd,
    runUntil(done, limitMs) {
      for (let elapsed = 0; elapsed <= limitMs; elapsed += 5) {
        if (done()) return true;
        clock.advance(5);
      }
      return done();
    },
  };

  const deliver = (to: () => SimEnd | undefined, datagram: Uint8Array) => {
    const f = pair.faults;
    if (pair.blackhole || random() < f.loss) return;
    const copies = random() < f.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = f.minDelayMs + random() * (f.maxDelayMs - f.minDelayMs);
      const copy = datagram.slice();
      clock.setTimeout(() => to()?.channel.receive(copy), delay);
    }
  };

  const makeEnd = (peer: () => SimEnd | undefined): SimEnd => {
    const end: SimEnd = {
      received: [],
      issues: [],
      failures: [],
      wire: [],
      channel: createChannel(
        clock,
        {
          transmit(datagram) {
            end.wire.push(datagram);
            deliver(peer, datagram);
          },
          message: (body, flags, reliable) => end.received.push({ text: text.decode(body), flags, reliable }),
          issue: (issue) => end.issues.push(issue),
          failed: (reason, detail) => end.failures.push({ reason, detail }),
        },
        options,
      ),
    };
    return end;
  };

  ends.a = makeEnd(() => ends.b);
  ends.b = makeEnd(() => ends.a);
  Object.assign(pair, { a: ends.a, b: ends.b });
  return pair;
}
