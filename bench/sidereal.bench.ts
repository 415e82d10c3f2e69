/**
 * Sidereal reliable channel (issue 6): throughput of `reliable` messages from one channel to
 * another over real UDP sockets on 127.0.0.1, through the seeded lossy relay
 * (test/support/lossy-udp-relay.ts) dropping the given share of datagrams in *both* directions
 * (data and ACKs), with no added delay or reordering. The sender keeps at most 256 messages
 * queued behind its 64-packet window (an application pacing itself on `backlog`).
 *
 * Per run: N messages of ~100 bytes; the clock runs from the first send until the receiver has
 * them all (in order: checked). Reported: messages delivered per second, retransmissions per
 * message, against the expectation for independent loss p each way, 1 / (1 - p)^2 - 1. Loss
 * levels are interleaved over the rounds and the median run is kept.
 *
 * Environment (optional): SIDEREAL_MESSAGES=5000, SIDEREAL_ROUNDS=5.
 */
import { cpus } from 'node:os';
import { createUdpChannelPair } from '../test/support/udp-channel-pair.js';
import { format, table } from './support.js';

export const title = 'Sidereal reliable channel';

const MESSAGES = Number(process.env.SIDEREAL_MESSAGES ?? 5000);
const ROUNDS = Number(process.env.SIDEREAL_ROUNDS ?? 5);
const LOSSES = [0, 0.05, 0.2];
const TIME_LIMIT_MS = 60_000;

interface Run {
  readonly loss: number;
  readonly ms: number;
  readonly perSecond: number;
  readonly retransmissionsPerMessage: number;
  readonly dropped: number;
  readonly cpuMs: number;
}

async function runOnce(loss: number, seed: number): Promise<Run> {
  const pair = await createUdpChannelPair(seed, {
    loss,
    duplicate: 0,
    reorder: 0,
    minDelayMs: 0,
    maxDelayMs: 0,
    reorderMs: 0,
  });
  try {
    await pair.introduce();
    const encoder = new TextEncoder();
    const padding = 'x'.repeat(80);
    const cpu = process.cpuUsage();
    const start = performance.now();
    let sent = 0;
    const want = MESSAGES + 1; // and the hello
    while (pair.b.received.length < want) {
      while (sent < MESSAGES && pair.a.channel.backlog.queued < 256) {
        pair.a.channel.send(encoder.encode(`{"n":${sent++},"pad":"${padding}"}`), { kind: 'reliable' });
      }
      if (pair.a.channel.closed) throw new Error(`The channel failed: ${pair.b.received.at(-1) ?? ''}`);
      if (performance.now() - start > TIME_LIMIT_MS) throw new Error(`No completion in ${TIME_LIMIT_MS} ms.`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    pair.b.received.slice(1).forEach((text, i) => {
      if (!text.startsWith(`{"n":${i},`)) throw new Error(`Out of order at ${i}: ${text.slice(0, 20)}`);
    });
    return {
      loss,
      ms,
      perSecond: (MESSAGES * 1000) / ms,
      retransmissionsPerMessage: pair.a.channel.stats.retransmissions / MESSAGES,
      dropped: pair.relay.stats.dropped,
      cpuMs: (used.user + used.system) / 1000,
    };
  } finally {
    await pair.close();
  }
}

const median = (runs: Run[]): Run => {
  const sorted = [...runs].sort((a, b) => a.perSecond - b.perSecond);
  return sorted[Math.floor(sorted.length / 2)] as Run;
};

export async function run(): Promise<string> {
  const runs = new Map<number, Run[]>(LOSSES.map((loss) => [loss, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const loss of LOSSES) runs.get(loss)?.push(await runOnce(loss, 1000 + round));
  }
  const rows = LOSSES.map((loss) => {
    const all = runs.get(loss) ?? [];
    const m = median(all);
    const rates = all.map((r) => r.perSecond);
    const expected = 1 / (1 - loss) ** 2 - 1;
    return [
      `${Math.round(loss * 100)} %`,
      m.perSecond,
      `${format(Math.min(...rates))} – ${format(Math.max(...rates))}`,
      m.retransmissionsPerMessage,
      expected,
      String(m.dropped),
      (m.cpuMs * 1000) / MESSAGES,
    ];
  });
  return [
    `${MESSAGES} reliable messages of ~100 bytes, one way, over real UDP on loopback through the lossy relay ` +
      `(loss applied to data and ACKs; no added delay); median of ${ROUNDS} interleaved rounds. ` +
      `Node ${process.version}, ${cpus().length} cores (shared).`,
    '',
    table(
      [
        'loss (each way)',
        'messages/s delivered (median)',
        'range over rounds',
        'retransmissions / message',
        'expected (1/(1-p)² - 1)',
        'datagrams dropped',
        'CPU µs / message (both ends + relay)',
      ],
      rows,
    ),
    '',
    'Retransmissions follow the expectation for independent loss of a packet or of its ACK: ' +
      'losses are found by ACKs of later packets (RFC 9002 thresholds) rather than by timeouts, ' +
      'so throughput degrades with the loss rate, not with the RTO. At 0 % the bound is this one ' +
      'thread sending, receiving and relaying every datagram; on this shared two-core machine the ' +
      'wall-clock rate swings with other load (see the range), CPU per message much less.',
  ].join('\n');
}
