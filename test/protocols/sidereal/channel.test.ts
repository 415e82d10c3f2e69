import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { Flag, createRttEstimator, decodePacket } from 'chartroom/protocols/sidereal';
import type { Delivery } from 'chartroom/protocols/sidereal';
import { cleanNetwork, createSimPair } from './sim-link.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const RELIABLE: Delivery = { kind: 'reliable' };
const merge = (older: Uint8Array, newer: Uint8Array) => {
  const a = JSON.parse(new TextDecoder().decode(older)) as Record<string, unknown>;
  const b = JSON.parse(new TextDecoder().decode(newer)) as Record<string, unknown>;
  return bytes(JSON.stringify({ ...a, ...b }));
};
const latest = (key: string): Delivery => ({ kind: 'latest', key, merge });

describe('RTT estimator (RFC 6298)', () => {
  it('starts at the initial RTO and follows SRTT + 4 RTTVAR after samples', () => {
    const rtt = createRttEstimator({ initialRtoMs: 1000, minRtoMs: 0, maxRtoMs: 60_000 });
    expect(rtt.rto).toBe(1000);
    rtt.sample(100); // 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR
    expect([rtt.srtt, rtt.rttvar, rtt.rto]).toEqual([100, 50, 300]);
    rtt.sample(200); // 2.3: RTTVAR = 3/4 50 + 1/4 |100 - 200|, SRTT = 7/8 100 + 1/8 200
    expect(rtt.rttvar).toBeCloseTo(62.5);
    expect(rtt.srtt).toBeCloseTo(112.5);
    expect(rtt.rto).toBeCloseTo(112.5 + 250);
  });

  it('clamps to minRtoMs and backs off by doubling up to maxRtoMs, reset by an ACK', () => {
    const rtt = createRttEstimator({ minRtoMs: 100, maxRtoMs: 1000 });
    rtt.sample(1);
    expect(rtt.rto).toBe(100);
    const seen = [];
    for (let i = 0; i < 6; i++) {
      rtt.backOff();
      seen.push(rtt.rto);
    }
    expect(seen).toEqual([200, 400, 800, 1000, 1000, 1000]);
    rtt.resetBackOff();
    expect(rtt.rto).toBe(100);
  });
});

describe('reliable channel on a simulated network', () => {
  fcTest.prop(
    [
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.double({ min: 0, max: 0.3, noNaN: true }),
      fc.double({ min: 0, max: 0.2, noNaN: true }),
      fc.integer({ min: 0, max: 80 }),
    ],
    {
      numRuns: 25,
      // Found by CI: at 28 % loss each way the default channel once gave up (see below).
      examples: [[2147483627, 0.28211092227138584, 0, 8]],
    },
  )(
    'delivers every reliable message exactly once and in order despite loss, duplication and reordering',
    (seed, loss, duplicate, spread) => {
      // At 30 % loss each way a retransmission's round trip fails half the time, so the default
      // give-up (8 timeouts in a row, "unresponsive") comes about once in 360 stalls: right for
      // a peer that is gone, and tested below. This property is about delivery, so the channel
      // is given 30 (a give-up about once in three billion stalls).
      const pair = createSimPair(
        seed,
        { maxTimeouts: 30 },
        { loss, duplicate, minDelayMs: 5, maxDelayMs: 5 + spread },
      );
      const count = 150;
      for (let i = 0; i < count; i++) {
        pair.a.channel.send(bytes(`{"n":${i}}`), RELIABLE);
        if (i % 10 === 0) pair.clock.advance(5);
      }
      const done = pair.runUntil(
        () => pair.b.received.length >= count && pair.a.channel.backlog.inFlight === 0,
        120_000,
      );
      expect(done).toBe(true);
      expect(pair.b.received.map((r) => r.text)).toEqual(
        Array.from({ length: count }, (_, i) => `{"n":${i}}`),
      );
      expect(pair.a.failures).toEqual([]);
      expect(pair.a.channel.mode).toBe('idle');
    },
  );

  it('retransmits on the RTO with back-off, then gives up when the peer never answers', () => {
    const pair = createSimPair(1, {
      maxTimeouts: 3,
      rtt: { initialRtoMs: 100, minRtoMs: 100, maxRtoMs: 10_000 },
    });
    pair.blackhole = true;
    pair.a.channel.send(bytes('{}'), RELIABLE);
    expect(pair.a.channel.mode).toBe('awaitingAck');
    const sentAt: number[] = [];
    const start = pair.clock.now();
    for (let t = 0; t < 2000 && pair.a.failures.length === 0; t += 1) {
      const before = pair.a.wire.length;
      pair.clock.advance(1);
      if (pair.a.wire.length > before) sentAt.push(pair.clock.now() - start);
    }
    // RTO 100, then 200, 400 (backed off); the 4th expiry (after 800) gives up.
    expect(sentAt).toEqual([100, 300, 700]);
    expect(pair.a.failures.map((f) => f.reason)).toEqual(['unresponsive']);
    expect(pair.clock.now() - start).toBe(1500);
    expect(pair.a.channel.closed).toBe(true);
    expect(pair.a.channel.mode).toBe('closed');
  });

  it('bounds the packets in flight and sends the rest once acknowledgements make room', () => {
    const pair = createSimPair(2, { maxInFlight: 8 });
    pair.blackhole = true;
    for (let i = 0; i < 30; i++) pair.a.channel.send(bytes(`{"n":${i}}`), RELIABLE);
    expect(pair.a.channel.backlog).toEqual({ inFlight: 8, queued: 22 });
    expect(pair.a.wire.length).toBe(8);
    pair.blackhole = false;
    expect(pair.runUntil(() => pair.b.received.length === 30, 10_000)).toBe(true);
    expect(pair.b.received.map((r) => r.text)).toEqual(Array.from({ length: 30 }, (_, i) => `{"n":${i}}`));
  });

  it('fails with overflow when more than maxQueued packets wait', () => {
    const pair = createSimPair(3, { maxInFlight: 2, maxQueued: 5 });
    pair.blackhole = true;
    for (let i = 0; i < 8; i++) pair.a.channel.send(bytes('{}'), RELIABLE);
    expect(pair.a.failures.map((f) => f.reason)).toEqual(['overflow']);
    expect(pair.a.channel.closed).toBe(true);
  });

  it('drops an unacknowledged latest message superseded by a newer one for the same key, merging it in', () => {
    const pair = createSimPair(4);
    pair.blackhole = true;
    pair.a.channel.send(bytes('{"a":1,"b":1}'), latest('ship'));
    pair.a.channel.send(bytes('{"x":1}'), latest('other'));
    pair.a.channel.send(bytes('{"b":2}'), latest('ship'));
    expect(pair.a.channel.stats.superseded).toBe(1);
    expect(pair.a.channel.backlog.inFlight).toBe(2);
    pair.blackhole = false;
    expect(
      pair.runUntil(() => pair.b.received.length === 2 && pair.a.channel.backlog.inFlight === 0, 5000),
    ).toBe(true);
    expect(pair.b.received.map((r) => r.text).sort()).toEqual(['{"a":1,"b":2}', '{"x":1}']);
    expect(pair.b.received.every((r) => !r.reliable)).toBe(true);
  });

  it('sends a once message a single time, without retransmission', () => {
    const pair = createSimPair(5);
    pair.blackhole = true;
    pair.a.channel.send(bytes('{"hb":1}'), { kind: 'once' });
    pair.clock.advance(10_000);
    expect(pair.a.wire.length).toBe(1);
    expect(pair.a.channel.stats.retransmissions).toBe(0);
    expect(pair.a.channel.mode).toBe('idle');
  });

  it('splits a message larger than a datagram into MORE fragments and joins them, under loss', () => {
    const pair = createSimPair(6, { maxDatagramBytes: 200 }, { ...cleanNetwork, loss: 0.2, maxDelayMs: 30 });
    const big = `{"blob":"${'x'.repeat(3000)}"}`;
    pair.a.channel.send(bytes(big), latest('big'));
    pair.a.channel.send(bytes('{"after":1}'), RELIABLE);
    expect(pair.a.wire.every((d) => d.byteLength <= 200)).toBe(true);
    const first = decodePacket(pair.a.wire[0]!, 200);
    expect(first.ok && first.value.flags).toBe(Flag.RELIABLE | Flag.MORE);
    expect(pair.runUntil(() => pair.b.received.length === 2, 20_000)).toBe(true);
    expect(pair.b.received.map((r) => r.text)).toEqual([big, '{"after":1}']);
  });

  it('drops a message whose fragments exceed maxMessageBytes and keeps the stream going', () => {
    const pair = createSimPair(7, { maxDatagramBytes: 100, maxMessageBytes: 500 });
    pair.a.channel.send(bytes(`"${'y'.repeat(1000)}"`), RELIABLE);
    pair.a.channel.send(bytes('{"ok":true}'), RELIABLE);
    expect(
      pair.runUntil(() => pair.b.received.length === 1 && pair.a.channel.backlog.inFlight === 0, 5000),
    ).toBe(true);
    expect(pair.b.received.map((r) => r.text)).toEqual(['{"ok":true}']);
    expect(pair.b.issues.map((i) => i.code)).toEqual(['PROTOCOL_FRAME_TOO_LARGE']);
    expect(pair.b.channel.stats.oversized).toBe(1);
  });

  it('delivers a duplicated reliable packet once and acknowledges every copy', () => {
    const pair = createSimPair(8);
    pair.a.channel.send(bytes('{"n":1}'), RELIABLE);
    const datagram = pair.a.wire[0]!;
    pair.clock.advance(100);
    pair.b.channel.receive(datagram);
    pair.b.channel.receive(datagram);
    expect(pair.b.received.length).toBe(1);
    expect(pair.b.channel.stats.duplicates).toBe(2);
    expect(pair.b.channel.stats.acksSent).toBe(3);
  });

  it('carries the RAINBOW and AWESOME flags through untouched', () => {
    const pair = createSimPair(9);
    pair.a.channel.send(bytes('{}'), RELIABLE, Flag.RAINBOW | Flag.AWESOME | Flag.ACK);
    pair.clock.advance(50);
    expect(pair.b.received[0]?.flags).toBe(Flag.RAINBOW | Flag.AWESOME | Flag.RELIABLE);
  });

  it('drops reliable packets too far ahead unacknowledged, and junk without an answer', () => {
    const pair = createSimPair(10, { maxReorder: 4 });
    const far = new Uint8Array([0, 0, 0, 9, Flag.RELIABLE, 0x7b, 0x7d]);
    pair.b.channel.receive(far);
    pair.b.channel.receive(new Uint8Array([1, 2]));
    expect(pair.b.wire.length).toBe(0);
    expect(pair.b.channel.stats.outOfWindow).toBe(1);
    expect(pair.b.channel.stats.malformed).toBe(1);
    expect(pair.b.issues.map((i) => i.code)).toEqual(['PROTOCOL_MALFORMED_FRAME']);
  });

  it('measures the round trip from first transmissions only (Karn) and retransmits fast on later ACKs', () => {
    const pair = createSimPair(11, {}, { loss: 0, duplicate: 0, minDelayMs: 20, maxDelayMs: 20 });
    pair.a.channel.send(bytes('{}'), RELIABLE);
    pair.clock.advance(100);
    expect(pair.a.channel.rtt.srtt).toBe(40);
    // Lose exactly the next packet. Three packets sent after it and acknowledged declare it lost,
    // once it is 9/8 RTT old (45 ms), well before the RTO (40 + 4 * 20 = 120 ms).
    expect(pair.a.channel.rtt.rto).toBe(120);
    pair.blackhole = true;
    pair.a.channel.send(bytes('{"lost":1}'), RELIABLE);
    pair.blackhole = false;
    pair.a.channel.send(bytes('{"n":0}'), RELIABLE);
    pair.clock.advance(10);
    pair.a.channel.send(bytes('{"n":1}'), RELIABLE);
    pair.a.channel.send(bytes('{"n":2}'), RELIABLE);
    pair.clock.advance(39); // the ACK of n:0 arrived at 40 ms: too young, and only one later packet
    expect(pair.a.channel.stats.retransmissions).toBe(0);
    pair.clock.advance(1); // the ACKs of n:1 and n:2 arrive at 50 ms
    expect(pair.a.channel.stats.retransmissions).toBe(1);
    pair.clock.advance(40);
    expect(pair.b.received.map((r) => r.text)).toEqual(['{}', '{"lost":1}', '{"n":0}', '{"n":1}', '{"n":2}']);
  });
});
