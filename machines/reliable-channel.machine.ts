import { assign, setup } from 'xstate';

/**
 * The sending side of a reliable datagram channel (Sidereal, seed 001), one per peer:
 *
 *     idle --SENT--> awaitingAck --ACKED (more in flight)--> awaitingAck (timer restarts)
 *     awaitingAck --ACKED (drained)--> idle
 *     awaitingAck --(rto)--> retransmitting (retransmit expired packets, back off the RTO)
 *     retransmitting --(rto; timeouts < maxTimeouts)--> retransmitting (again, backed off)
 *     retransmitting --(rto; timeouts = maxTimeouts)--> closed (give up: the peer is gone)
 *     retransmitting --ACKED--> awaitingAck | idle (progress: the timeout count resets)
 *     any --CLOSE--> closed
 *
 * Pure: the channel's mode lives here, its data does not. The in-flight table, the send queue
 * and the RTT estimator are the runtime's (src/protocols/sidereal/channel.ts), which supplies
 * the `rto` delay (RFC 6298) and the `retransmit`, `backOff`, `giveUp` and `release` actions
 * through `.provide()`. Only mode changes reach the chart: SENT when the first packet goes in
 * flight, ACKED when an acknowledgement retires one.
 */
export interface ReliableChannelContext {
  /** Consecutive retransmission timeouts without an acknowledgement. */
  readonly timeouts: number;
  /** Timeouts in a row after which the channel gives up. */
  readonly maxTimeouts: number;
}

export interface ReliableChannelInput {
  readonly maxTimeouts: number;
}

export type ReliableChannelEvent =
  /** A packet went in flight while none was. */
  | { readonly type: 'SENT' }
  /** An acknowledgement retired a packet; `drained` when none is left in flight. */
  | { readonly type: 'ACKED'; readonly drained: boolean }
  /** The link is gone or the owner closes the channel. */
  | { readonly type: 'CLOSE' };

export const reliableChannelMachine = setup({
  types: {
    context: {} as ReliableChannelContext,
    events: {} as ReliableChannelEvent,
    input: {} as ReliableChannelInput,
  },
  delays: {
    /** The current retransmission timeout (RFC 6298), supplied by the runtime's estimator. */
    rto: 1000,
  },
  guards: {
    drained: ({ event }) => event.type === 'ACKED' && event.drained,
    exhausted: ({ context }) => context.timeouts >= context.maxTimeouts,
  },
  actions: {
    /** Resend every in-flight packet outstanding for at least one RTO (at least the oldest). */
    retransmit: () => undefined,
    /** Double the RTO (RFC 6298 5.5). */
    backOff: () => undefined,
    /** The peer stopped acknowledging: tell the owner (who closes the link). */
    giveUp: () => undefined,
    /** Drop the in-flight table and the queue. */
    release: () => undefined,
    countTimeout: assign(({ context }) => ({ timeouts: context.timeouts + 1 })),
    resetTimeouts: assign({ timeouts: 0 }),
  },
}).createMachine({
  id: 'reliableChannel',
  context: ({ input }) => ({ timeouts: 0, maxTimeouts: input.maxTimeouts }),
  initial: 'idle',
  on: {
    CLOSE: '.closed',
  },
  states: {
    idle: {
      on: { SENT: 'awaitingAck' },
    },
    awaitingAck: {
      after: {
        rto: { target: 'retransmitting', actions: ['countTimeout', 'retransmit', 'backOff'] },
      },
      on: {
        ACKED: [
          { guard: 'drained', target: 'idle' },
          // RFC 6298 5.3: an ACK for new data restarts the timer.
          { target: 'awaitingAck', reenter: true },
        ],
      },
    },
    retransmitting: {
      after: {
        rto: [
          { guard: 'exhausted', target: 'closed', actions: 'giveUp' },
          { target: 'retransmitting', reenter: true, actions: ['countTimeout', 'retransmit', 'backOff'] },
        ],
      },
      on: {
        ACKED: [
          { guard: 'drained', target: 'idle', actions: 'resetTimeouts' },
          { target: 'awaitingAck', actions: 'resetTimeouts' },
        ],
      },
    },
    closed: {
      type: 'final',
      entry: 'release',
    },
  },
});

export type ReliableChannelMachine = typeof reliableChannelMachine;
