import { ErrorCode } from '../../core/errors.js';
import type { ProtocolIssue } from '../../core/result.js';
import { Flag } from './header.js';

/** Limits of the receiving side, with their defaults (see `defaultChannelOptions`). */
export interface ReceiverLimits {
  /** Reliable packets buffered ahead of the next expected one; further ones are dropped unacknowledged. */
  readonly maxReorder: number;
  /** Unreliable sequence numbers remembered for duplicate detection. */
  readonly duplicateWindow: number;
  /** Largest reassembled message, bytes. */
  readonly maxMessageBytes: number;
}

/** What the receiver decided about one data packet. */
export type Verdict =
  /** Acknowledge it (the packet is, or was, accepted). */
  | 'ack'
  /** Drop it without an acknowledgement: the sender will retransmit when there is room. */
  | 'drop';

export interface ReceiverEvents {
  /** A complete message, in order on the reliable stream, at once on the other. */
  deliver(body: Uint8Array, flags: number, reliable: boolean): void;
  issue(issue: ProtocolIssue): void;
}

export interface ReceiverStats {
  duplicates: number;
  /** Reliable packets too far ahead of the next expected one. */
  outOfWindow: number;
  /** Unreliable packets older than the duplicate window. */
  stale: number;
  /** Messages dropped because their fragments exceeded maxMessageBytes. */
  oversized: number;
}

/**
 * Both inbound streams of one channel. The reliable stream (flag RELIABLE) is delivered exactly
 * once and in sequence order, starting at 1, with fragments (flag MORE) joined; the unreliable
 * stream is delivered at once, duplicates and packets older than the window dropped.
 */
export function createReceiver(
  limits: ReceiverLimits,
  events: ReceiverEvents,
  stats: ReceiverStats = { duplicates: 0, outOfWindow: 0, stale: 0, oversized: 0 },
) {
  let nextReliable = 1;
  const ahead = new Map<number, { flags: number; body: Uint8Array }>();
  let parts: Uint8Array[] = [];
  let partBytes = 0;
  let discarding = false;
  // Unreliable duplicate window: `seen[seq % size]` holds seq once received.
  const size = limits.duplicateWindow;
  const seen = new Float64Array(size);
  let highest = 0;

  const acceptReliable = (flags: number, body: Uint8Array) => {
    if (!discarding && partBytes + body.byteLength > limits.maxMessageBytes) {
      stats.oversized++;
      events.issue({
        code: ErrorCode.PROTOCOL_FRAME_TOO_LARGE,
        message: `Message too large: expected <= ${limits.maxMessageBytes} bytes reassembled, received more (packet ${nextReliable}). Raise maxMessageBytes to accept it.`,
        seq: nextReliable,
      });
      discarding = true;
      parts = [];
      partBytes = 0;
    }
    if (flags & Flag.MORE) {
      if (!discarding) {
        parts.push(body.slice());
        partBytes += body.byteLength;
      }
      return;
    }
    if (discarding) {
      discarding = false;
      return;
    }
    let message = body;
    if (parts.length) {
      message = new Uint8Array(partBytes + body.byteLength);
      let at = 0;
      for (const part of [...parts, body]) {
        message.set(part, at);
        at += part.byteLength;
      }
      parts = [];
      partBytes = 0;
    }
    events.deliver(message, flags & ~Flag.MORE, true);
  };

  const reliable = (seq: number, flags: number, body: Uint8Array): Verdict => {
    if (seq < nextReliable || ahead.has(seq)) {
      stats.duplicates++;
      return 'ack';
    }
    if (seq - nextReliable >= limits.maxReorder) {
      stats.outOfWindow++;
      return 'drop';
    }
    if (seq > nextReliable) {
      ahead.set(seq, { flags, body: body.slice() });
      return 'ack';
    }
    acceptReliable(flags, body);
    nextReliable++;
    // Bounded by maxReorder: each step consumes one buffered packet.
    for (let next = ahead.get(nextReliable); next; next = ahead.get(nextReliable)) {
      ahead.delete(nextReliable);
      acceptReliable(next.flags, next.body);
      nextReliable++;
    }
    return 'ack';
  };

  const unreliable = (seq: number, flags: number, body: Uint8Array): Verdict => {
    // A sender only skips numbers of lost packets: a jump this large is garbage, and accepting it
    // would make every later packet look stale.
    if (seq - highest > size * 16) {
      stats.outOfWindow++;
      return 'drop';
    }
    if (seq > highest) {
      // Forget the slots the window slides over (at most `size` of them).
      const from = Math.max(highest + 1, seq - size + 1);
      for (let s = from; s < seq; s++) seen[s % size] = 0;
      highest = seq;
    } else if (highest - seq >= size) {
      stats.stale++;
      return 'ack';
    } else if (seen[seq % size] === seq) {
      stats.duplicates++;
      return 'ack';
    }
    seen[seq % size] = seq;
    events.deliver(body, flags, false);
    return 'ack';
  };

  return {
    stats,
    /** The next reliable sequence number this side waits for. */
    get expected() {
      return nextReliable;
    },
    receive(seq: number, flags: number, body: Uint8Array): Verdict {
      return flags & Flag.RELIABLE ? reliable(seq, flags, body) : unreliable(seq, flags, body);
    },
    clear() {
      ahead.clear();
      parts = [];
    },
  };
}

export type Receiver = ReturnType<typeof createReceiver>;
