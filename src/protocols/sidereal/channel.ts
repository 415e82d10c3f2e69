import { createActor } from 'xstate';
import { reliableChannelMachine } from '../../../machines/reliable-channel.machine.js';
import type { Clock } from '../../core/clock.js';
import type { ProtocolIssue } from '../../core/result.js';
import {
  DEFAULT_MAX_DATAGRAM_BYTES,
  Flag,
  HEADER_BYTES,
  MIN_DATAGRAM_BYTES,
  decodePacket,
  encodePacket,
} from './header.js';
import { createReceiver } from './receiver.js';
import type { ReceiverLimits, ReceiverStats } from './receiver.js';
import { createRttEstimator } from './rtt.js';
import type { RttEstimator, RttOptions } from './rtt.js';
import { createSender } from './sender.js';
import type { ChannelFailure, Delivery, SenderStats } from './sender.js';

/** Options of a reliable channel; every one has a default (`defaultChannelOptions`). */
export interface ChannelOptions extends ReceiverLimits {
  /** Largest datagram sent or accepted, header included. Default 1200; at least 64. */
  readonly maxDatagramBytes: number;
  /** Acknowledged packets (reliable and latest) in flight at once. Default 64. */
  readonly maxInFlight: number;
  /** Packets waiting for room in flight; past it the channel fails with 'overflow'. Default 1024. */
  readonly maxQueued: number;
  /** Retransmission timeouts in a row before the channel gives up. Default 8. */
  readonly maxTimeouts: number;
  /** A packet is declared lost once this many packets sent after it were acknowledged (RFC 9002 6.1.1). Default 3. */
  readonly lossThreshold: number;
  readonly rtt: Partial<RttOptions>;
}

export const defaultChannelOptions: ChannelOptions = {
  maxDatagramBytes: DEFAULT_MAX_DATAGRAM_BYTES,
  maxInFlight: 64,
  maxQueued: 1024,
  maxTimeouts: 8,
  lossThreshold: 3,
  maxReorder: 256,
  duplicateWindow: 1024,
  maxMessageBytes: 64 * 1024,
  rtt: {},
};

export type { ChannelFailure, Delivery } from './sender.js';

export interface ChannelEvents {
  /** Write one datagram to the peer. */
  transmit(datagram: Uint8Array): void;
  /** A message from the peer, complete (fragments joined), with its pass-through flags. */
  message(body: Uint8Array, flags: number, reliable: boolean): void;
  /** A datagram that was dropped (malformed, too large, oversized message). Never answered. */
  issue(issue: ProtocolIssue): void;
  /** The channel gave up; it is closed and sends nothing more. */
  failed(reason: ChannelFailure, detail: string): void;
  /** Every message sent so far was acknowledged (or superseded): nothing in flight or queued. */
  drained?(): void;
}

export interface ChannelStats extends ReceiverStats, SenderStats {
  acksSent: number;
  delivered: number;
  /** Datagrams that failed the header checks (too short, too large, bad flags). */
  malformed: number;
}

const EMPTY_OBJECT = new TextEncoder().encode('{}');

/**
 * A reliable channel over an unreliable datagram link, one per peer: sequence numbers per
 * stream and direction, per-packet ACKs (seed 001), retransmission on an RFC 6298 timeout and
 * on packet-threshold loss detection, duplicates dropped, a bounded number of packets in flight
 * and a per-message delivery choice. The channel's mode is a chart
 * (machines/reliable-channel.machine.ts); the in-flight table and the queue live in the sender
 * (./sender.ts), the inbound streams in the receiver (./receiver.ts).
 *
 * @example
 * const channel = createChannel(clock, { transmit: (d) => socket.send(d), message, issue, failed });
 * channel.send(encodeBody(snap), { kind: 'reliable' });
 * socket.on('message', (datagram) => channel.receive(datagram));
 */
export function createChannel(clock: Clock, events: ChannelEvents, options: Partial<ChannelOptions> = {}) {
  const o: ChannelOptions = { ...defaultChannelOptions, ...options };
  const maxDatagram = Math.max(MIN_DATAGRAM_BYTES, o.maxDatagramBytes);
  const rtt: RttEstimator = createRttEstimator(o.rtt);
  let closed = false;
  const stats: ChannelStats = {
    ...{ duplicates: 0, outOfWindow: 0, stale: 0, oversized: 0 },
    ...{ sent: 0, retransmissions: 0, superseded: 0, acksReceived: 0, staleAcks: 0 },
    ...{ acksSent: 0, delivered: 0, malformed: 0 },
  };
  /** Messages the receiver released for the datagram being read: handed over after its ACK went out. */
  const ready: { body: Uint8Array; flags: number; reliable: boolean }[] = [];
  const receiver = createReceiver(
    o,
    {
      deliver: (body, flags, reliable) => ready.push({ body, flags, reliable }),
      issue: (issue) => events.issue(issue),
    },
    stats,
  );
  const sender = createSender(
    clock,
    rtt,
    {
      maxBody: maxDatagram - HEADER_BYTES,
      maxInFlight: o.maxInFlight,
      maxQueued: o.maxQueued,
      lossThreshold: o.lossThreshold,
    },
    {
      transmit: (datagram) => events.transmit(datagram),
      failed(reason, detail) {
        close();
        events.failed(reason, detail);
      },
      started: () => actor.send({ type: 'SENT' }),
      acked: (drained) => actor.send({ type: 'ACKED', drained }),
      idle: () => events.drained?.(),
    },
    stats,
  );
  const actor = createActor(
    reliableChannelMachine.provide({
      delays: { rto: () => rtt.rto },
      actions: {
        retransmit: () => sender.retransmitExpired(),
        backOff: () => rtt.backOff(),
        giveUp: () => {
          // The chart is already on its way to `closed`: no CLOSE event, just the news.
          closed = true;
          events.failed('unresponsive', `No acknowledgement after ${o.maxTimeouts} retransmission timeouts.`);
        },
        release: () => {
          sender.release();
          receiver.clear();
        },
      },
    }),
    { clock, input: { maxTimeouts: o.maxTimeouts } },
  );
  actor.start();

  function close() {
    if (closed) return;
    closed = true;
    actor.send({ type: 'CLOSE' });
  }

  return {
    stats: stats as Readonly<ChannelStats>,
    rtt,
    /** The chart's state: idle, awaitingAck, retransmitting or closed. */
    get mode(): string {
      return String(actor.getSnapshot().value);
    },
    get closed() {
      return closed;
    },
    /** Packets in flight and waiting. */
    get backlog() {
      return { inFlight: sender.inFlight, queued: sender.queued };
    },
    /**
     * Send one message. `flags` may carry the pass-through bits (RAINBOW, AWESOME). The channel
     * keeps `body` until it is acknowledged: do not modify it afterwards.
     */
    send(body: Uint8Array, delivery: Delivery, flags = 0): void {
      if (!closed) sender.send(body, delivery, flags);
    },
    /** Feed one datagram from the peer. Never throws; bad datagrams are dropped and reported. */
    receive(datagram: Uint8Array): void {
      if (closed) return;
      const decoded = decodePacket(datagram, maxDatagram);
      if (!decoded.ok) {
        stats.malformed++;
        return events.issue(decoded.issue);
      }
      const { seq, flags, body } = decoded.value;
      const reliable = (flags & Flag.RELIABLE) !== 0;
      if (flags & Flag.ACK) return sender.onAck(seq, reliable);
      ready.length = 0;
      const verdict = receiver.receive(seq, flags, body);
      // The ACK goes out before the messages are handed over: a `stop` must be acknowledged even
      // though handling it closes the channel.
      if (verdict === 'ack') {
        stats.acksSent++;
        events.transmit(encodePacket(seq, Flag.ACK | (reliable ? Flag.RELIABLE : 0), EMPTY_OBJECT));
      }
      for (const message of ready.splice(0)) {
        if (closed) return;
        stats.delivered++;
        events.message(message.body, message.flags, message.reliable);
      }
    },
    close,
  };
}

export type Channel = ReturnType<typeof createChannel>;
