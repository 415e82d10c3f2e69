import type { Clock } from '../../core/clock.js';
import { Flag, MAX_SEQ, PASS_THROUGH_FLAGS, encodePacket } from './header.js';
import type { RttEstimator } from './rtt.js';

/**
 * How one message travels:
 * - `reliable`: acknowledged, retransmitted until acknowledged, delivered exactly once and in
 *   order with every other reliable message (keyframe snaps, welcome, errors);
 * - `latest`: acknowledged and retransmitted until acknowledged *or superseded* by a newer
 *   message with the same key, whose body then absorbs it through `merge` (diffs of one object);
 *   delivered at most once, in any order;
 * - `once`: sent once, never retransmitted, not counted in flight (heartbeats, bye).
 *
 * A message too large for one datagram always goes `reliable`, split into MORE fragments.
 */
export type Delivery =
  | { readonly kind: 'reliable' }
  | {
      readonly kind: 'latest';
      readonly key: string;
      /** The body that replaces `older` and `newer` (newer wins a conflict). */
      readonly merge: (older: Uint8Array, newer: Uint8Array) => Uint8Array;
    }
  | { readonly kind: 'once' };

export type ChannelFailure = 'unresponsive' | 'overflow' | 'exhausted';

export interface SenderLimits {
  /** Largest body in one datagram (maxDatagramBytes minus the header). */
  readonly maxBody: number;
  readonly maxInFlight: number;
  readonly maxQueued: number;
  readonly lossThreshold: number;
}

export interface SenderStats {
  /** Data packets transmitted for the first time. */
  sent: number;
  retransmissions: number;
  /** Unacknowledged latest packets dropped because a newer one for the same key replaced them. */
  superseded: number;
  acksReceived: number;
  /** ACKs for nothing in flight (duplicates, or for superseded packets). */
  staleAcks: number;
}

export interface SenderHooks {
  transmit(datagram: Uint8Array): void;
  failed(reason: ChannelFailure, detail: string): void;
  /** The first packet went in flight while none was. */
  started(): void;
  /** An ACK retired a packet; `drained` when none is left in flight. */
  acked(drained: boolean): void;
  /** Nothing in flight and nothing queued. */
  idle(): void;
}

interface Entry {
  seq: number;
  readonly reliable: boolean;
  body: Uint8Array;
  readonly flags: number;
  readonly key: string | undefined;
  datagram: Uint8Array | undefined;
  firstSentAt: number;
  lastSentAt: number;
  /** Transmission order of the last send (not on the wire). */
  order: number;
  /** Transmission order of the first send. */
  firstOrder: number;
  retransmitted: boolean;
  dead: boolean;
}

/**
 * The sending half of a channel: sequence numbers per stream (assigned at first transmission,
 * so the reliable stream has no gaps and the other only those of lost packets), the in-flight
 * table, the queue behind it, superseding, fragmentation, and which packets to retransmit.
 * Time-outs are the chart's; this decides what goes out when it says so.
 */
export function createSender(
  clock: Clock,
  rtt: RttEstimator,
  o: SenderLimits,
  hooks: SenderHooks,
  stats: SenderStats = { sent: 0, retransmissions: 0, superseded: 0, acksReceived: 0, staleAcks: 0 },
) {
  const inFlight = { reliable: new Map<number, Entry>(), latest: new Map<number, Entry>() };
  const byKey = new Map<string, Entry>();
  const queue: Entry[] = [];
  let queueHead = 0;
  let queued = 0;
  const nextSeq = { reliable: 1, latest: 1 };
  let order = 0;
  let largestAckedOrder = 0;
  let closed = false;
  const maxBody = o.maxBody;

  const flying = () => inFlight.reliable.size + inFlight.latest.size;

  const fail = (reason: ChannelFailure, detail: string) => {
    if (closed) return;
    closed = true;
    hooks.failed(reason, detail);
  };

  const transmit = (entry: Entry, again: boolean) => {
    const now = clock.now();
    if (!entry.datagram) {
      const stream = entry.reliable ? 'reliable' : 'latest';
      if (nextSeq[stream] > MAX_SEQ)
        return fail('exhausted', `The ${stream} stream used every sequence number.`);
      entry.seq = nextSeq[stream]++;
      entry.firstSentAt = now;
      entry.datagram = encodePacket(
        entry.seq,
        entry.flags | (entry.reliable ? Flag.RELIABLE : 0),
        entry.body,
      );
    }
    entry.lastSentAt = now;
    entry.order = ++order;
    if (!again) entry.firstOrder = entry.order;
    if (again) {
      entry.retransmitted = true;
      stats.retransmissions++;
    } else {
      stats.sent++;
    }
    hooks.transmit(entry.datagram);
  };

  const pump = () => {
    const wasEmpty = flying() === 0;
    while (queued > 0 && flying() < o.maxInFlight && !closed) {
      const entry = queue[queueHead++] as Entry;
      if (entry.dead) continue;
      queued--;
      transmit(entry, false);
      if (closed) return;
      (entry.reliable ? inFlight.reliable : inFlight.latest).set(entry.seq, entry);
    }
    if (queueHead > 256 && queueHead * 2 > queue.length) {
      queue.splice(0, queueHead);
      queueHead = 0;
    }
    if (wasEmpty && flying() > 0) hooks.started();
  };

  const enqueue = (entry: Entry) => {
    if (queued >= o.maxQueued) {
      return fail('overflow', `More than ${o.maxQueued} packets waiting for the peer's acknowledgements.`);
    }
    queue.push(entry);
    queued++;
    pump();
  };

  const entryOf = (body: Uint8Array, flags: number, reliable: boolean, key?: string): Entry => ({
    seq: 0,
    reliable,
    body,
    // The application's pass-through bits, and MORE on a fragment (set by sendFragmented only).
    flags: flags & (PASS_THROUGH_FLAGS | Flag.MORE),
    key,
    datagram: undefined,
    firstSentAt: 0,
    lastSentAt: 0,
    order: 0,
    firstOrder: 0,
    retransmitted: false,
    dead: false,
  });

  const sendFragmented = (body: Uint8Array, flags: number) => {
    for (let at = 0; at < body.byteLength || at === 0; at += maxBody) {
      const last = at + maxBody >= body.byteLength;
      enqueue(
        entryOf(body.subarray(at, at + maxBody), (flags & PASS_THROUGH_FLAGS) | (last ? 0 : Flag.MORE), true),
      );
      if (closed) return;
    }
  };

  const retire = (entry: Entry) => {
    (entry.reliable ? inFlight.reliable : inFlight.latest).delete(entry.seq);
    if (entry.key !== undefined && byKey.get(entry.key) === entry) byKey.delete(entry.key);
  };

  const onAck = (seq: number, reliable: boolean) => {
    stats.acksReceived++;
    const entry = (reliable ? inFlight.reliable : inFlight.latest).get(seq);
    if (!entry) {
      stats.staleAcks++;
      return;
    }
    retire(entry);
    if (!entry.retransmitted) rtt.sample(clock.now() - entry.firstSentAt); // Karn's rule
    rtt.resetBackOff();
    // An ACK of a retransmitted packet may answer any of its transmissions: count only the first,
    // or a late ACK of an original would declare everything sent since lost (a storm).
    largestAckedOrder = Math.max(largestAckedOrder, entry.retransmitted ? entry.firstOrder : entry.order);
    // Loss detection (RFC 9002 6.1): a packet sent lossThreshold packets before an acknowledged one
    // AND at least 9/8 RTT ago is lost. QUIC needs either; both here, as jitter reorders game
    // traffic often and a spurious resend costs the link more than waiting a round trip.
    const now = clock.now();
    const age = (9 / 8) * (rtt.srtt ?? 0);
    for (const map of [inFlight.reliable, inFlight.latest]) {
      for (const other of map.values()) {
        if (other.order + o.lossThreshold <= largestAckedOrder && now - other.lastSentAt >= age) {
          transmit(other, true);
        }
      }
    }
    pump();
    if (closed) return;
    hooks.acked(flying() === 0);
    if (flying() === 0 && queued === 0) hooks.idle();
  };

  const retransmitExpired = () => {
    const cutoff = clock.now() - rtt.rto;
    let oldest: Entry | undefined;
    let resent = 0;
    for (const map of [inFlight.reliable, inFlight.latest]) {
      for (const entry of map.values()) {
        if (!oldest || entry.lastSentAt < oldest.lastSentAt) oldest = entry;
        if (entry.lastSentAt <= cutoff) {
          transmit(entry, true);
          resent++;
        }
      }
    }
    if (resent === 0 && oldest) transmit(oldest, true);
  };

  return {
    stats,
    get inFlight() {
      return flying();
    },
    get queued() {
      return queued;
    },
    onAck,
    retransmitExpired,
    /** Forget everything; nothing more is sent. */
    release() {
      closed = true;
      inFlight.reliable.clear();
      inFlight.latest.clear();
      byKey.clear();
      queue.length = 0;
      queueHead = 0;
      queued = 0;
    },
    /** Send one message. `flags` may carry the pass-through bits (RAINBOW, AWESOME). */
    send(body: Uint8Array, delivery: Delivery, flags = 0): void {
      if (closed) return;
      if (body.byteLength > maxBody) return sendFragmented(body, flags);
      flags &= PASS_THROUGH_FLAGS;
      if (delivery.kind === 'reliable') return enqueue(entryOf(body, flags, true));
      if (delivery.kind === 'once') {
        if (nextSeq.latest > MAX_SEQ)
          return fail('exhausted', 'The unreliable stream used every sequence number.');
        stats.sent++;
        hooks.transmit(encodePacket(nextSeq.latest++, flags & PASS_THROUGH_FLAGS, body));
        return;
      }
      const older = byKey.get(delivery.key);
      if (older && !older.dead) {
        older.dead = true;
        stats.superseded++;
        if (older.datagram) retire(older);
        else queued--;
        const merged = delivery.merge(older.body, body);
        if (merged.byteLength > maxBody) {
          byKey.delete(delivery.key);
          return sendFragmented(merged, flags);
        }
        body = merged;
      }
      const entry = entryOf(body, flags, false, delivery.key);
      byKey.set(delivery.key, entry);
      // Superseding never drains the flight (the new entry takes the freed slot), so the chart
      // hears nothing: its timer keeps running for the packets still out.
      enqueue(entry);
    },
  };
}

export type Sender = ReturnType<typeof createSender>;
