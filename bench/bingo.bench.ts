/**
 * Bingo codec and framer against plain JSON of the same message: how much the binary framing
 * (header, ids, validation) costs or saves. Baseline and candidate run interleaved, three
 * rounds each, and the median is kept; figures are ratios to the baseline.
 */
import { createBingoFramer, decodeMessage, encodeMessage } from 'chartroom/protocols/bingo';
import type { BingoMessage } from 'chartroom/protocols/bingo';
import { opsPerSecond, table } from './support.js';

export const title = 'Bingo codec vs JSON (encode, decode, stream framing)';

const room = {
  roomId: 'eas2grezzz',
  type: 'bingo',
  seed: 123456,
  phase: 'running.iterating',
  config: { callIntervalMs: 2000, confirmTimeoutMs: 3000, claimWindowMs: 1500 },
  configVersion: 0,
  seats: Array.from({ length: 8 }, (_, i) => ({
    seatId: `p${i + 1}`,
    userId: `user-${i}`,
    name: `Player ${i}`,
    role: 'player',
    ready: true,
    connected: true,
    left: false,
  })),
};

const cases: { name: string; message: BingoMessage; from: 'client' | 'server' }[] = [
  {
    name: 'Ping ack (Reply, 2-byte payload)',
    message: { kind: 'reply', id: 3, replyTo: 0x8001 },
    from: 'client',
  },
  {
    name: 'daub Request (client)',
    message: { kind: 'request', id: 2, type: 'daub', payload: { number: 42 } },
    from: 'client',
  },
  {
    name: 'call Event (server)',
    message: { kind: 'event', id: 0x8006, type: 'call', payload: { number: 42, label: 'N 42', index: 7 } },
    from: 'server',
  },
  {
    name: 'room.state Data Update, 8 seats',
    message: { kind: 'dataUpdate', id: 0x8007, type: 'room.state', payload: room },
    from: 'server',
  },
];

const encoder = new TextEncoder();
const utf8 = new TextDecoder();

/** Run baseline and candidate alternately, three times, and keep each one's median. */
function interleaved(baseline: () => void, candidate: () => void): [number, number] {
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < 3; round++) {
    a.push(opsPerSecond(baseline, 200));
    b.push(opsPerSecond(candidate, 200));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[1] ?? Number.NaN;
  return [median(a), median(b)];
}

export async function run(): Promise<string> {
  const rows: (string | number)[][] = [];
  let sink = 0;
  for (const { name, message, from } of cases) {
    const encoded = encodeMessage(message);
    if (!encoded.ok) throw new Error(encoded.issue.message);
    const frame = encoded.value;
    // The JSON baseline carries the same fields as a JSON object, as a JSON protocol would.
    const json = JSON.stringify(message);
    const jsonBytes = encoder.encode(json);

    const [jsonEncode, bingoEncode] = interleaved(
      () => void (sink += encoder.encode(JSON.stringify(message)).length),
      () => {
        const out = encodeMessage(message);
        sink += out.ok ? out.value.length : 0;
      },
    );
    // One framer for the whole run, as a connection keeps one.
    const framer = createBingoFramer(0xffff);
    const [jsonDecode, bingoDecode] = interleaved(
      () => void (sink += (JSON.parse(utf8.decode(jsonBytes)) as { id?: number }).id ?? 0),
      () => {
        framer.push(frame);
        const next = framer.next();
        if (next.kind === 'frame') sink += decodeMessage(next.frame, from).ok ? 1 : 0;
      },
    );
    rows.push([
      name,
      frame.length,
      jsonBytes.length,
      jsonEncode,
      bingoEncode,
      `${(bingoEncode / jsonEncode).toFixed(2)}x`,
      jsonDecode,
      bingoDecode,
      `${(bingoDecode / jsonDecode).toFixed(2)}x`,
    ]);
  }

  // Framing alone: 1000 call Events in one TCP chunk, then the same bytes one 1460-byte segment at a time.
  const event = encodeMessage(cases[2]?.message ?? { kind: 'noop' });
  const one = event.ok ? event.value : new Uint8Array(1);
  const stream = new Uint8Array(one.length * 1000);
  for (let i = 0; i < 1000; i++) stream.set(one, i * one.length);
  const frames = (segment: number) => () => {
    const framer = createBingoFramer(0xffff);
    for (let offset = 0; offset < stream.length; offset += segment) {
      framer.push(stream.subarray(offset, offset + segment));
      for (let i = 0; i <= segment; i++) {
        const next = framer.next();
        if (next.kind !== 'frame') break;
        sink += next.frame.opcode;
      }
    }
  };
  const [whole, segments] = interleaved(frames(stream.length), frames(1460));
  if (sink === 42) console.log('');

  return [
    table(
      [
        'message',
        'Bingo bytes',
        'JSON bytes',
        'JSON.stringify+UTF-8 ops/s',
        'Bingo encode ops/s',
        'encode ratio',
        'UTF-8+JSON.parse ops/s',
        'Bingo framer+decode ops/s',
        'decode ratio',
      ],
      rows,
    ),
    '',
    table(
      ['framer alone (no body decode)', 'frames/s'],
      [
        ['1000 call Events in one chunk', whole * 1000],
        ['same bytes in 1460-byte TCP segments', segments * 1000],
      ],
    ),
    '',
    'Ratios > 1 mean Bingo is faster than the JSON baseline. Bingo encode/decode include the JSON body ' +
      '(`{"type","payload"}`), so the ratio is the price of the header, ids and validation; header-only ' +
      'frames (Ping acks) skip JSON entirely.',
  ].join('\n');
}
