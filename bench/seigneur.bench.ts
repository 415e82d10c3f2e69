/**
 * Seigneur codec and AES-256-GCM costs, against baselines measured in the same run:
 *
 * - encode / decode rates of Move and Weapon Action packets vs JSON.stringify / JSON.parse of
 *   the same message (as the JSON envelope would carry it, type included);
 * - the server's broadcast path (`prepare`: zod check of the game payload, then encode);
 * - AES-256-GCM per frame (seal + open), through WebCrypto (the default, browser-safe) and
 *   node:crypto (`chartroom/protocols/seigneur/node`, a server option), awaited one at a time
 *   and 64 in flight, as a ratio to plain encode + decode of the same packet.
 *
 * Rounds are interleaved (baseline, candidate, baseline, ...) and the median is kept, because
 * this machine is shared (docs/protocols/seigneur.md §Measured).
 */
import {
  createSeigneurProtocol,
  decodePacket,
  defaultCrypto,
  encodePacket,
} from 'chartroom/protocols/seigneur';
import {
  createEphemeralKey,
  createFrameCipher,
  deriveSessionKeys,
  packetOfServerMessage,
  webCryptoAead,
} from 'chartroom/protocols/seigneur';
import type { AeadFactory, SeigneurPacket } from 'chartroom/protocols/seigneur';
import { nodeAead } from 'chartroom/protocols/seigneur/node';
import { format, opsPerSecond, table } from './support.js';

export const title = 'Seigneur protocol: binary codec vs JSON, and AES-256-GCM per frame';

const ROUNDS = 5;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** Interleave the measurements of several candidates and keep each one's median rate. */
function interleaved(fns: Record<string, () => void>, ms = 150): Record<string, number> {
  const rates: Record<string, number[]> = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(fns)) rates[name]?.push(opsPerSecond(fn, ms));
  }
  return Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, median(v)]));
}

const must = (result: ReturnType<typeof encodePacket>) => {
  if (!result.ok) throw new Error(result.issue.message);
  return result.value;
};

function codecRows(name: string, packet: SeigneurPacket) {
  const frame = must(encodePacket(packet));
  const json = JSON.stringify(packet);
  let sink = 0;
  const r = interleaved({
    encode: () => void (sink += must(encodePacket(packet)).byteLength),
    stringify: () => void (sink += JSON.stringify(packet).length),
    decode: () => void (sink += decodePacket(frame).ok ? 1 : 0),
    parse: () => void (sink += (JSON.parse(json) as { tick: number }).tick),
  });
  if (sink < 0) console.log(sink);
  const encode = r.encode ?? NaN;
  const decode = r.decode ?? NaN;
  return {
    rows: [
      [`${name} encode`, encode, r.stringify ?? NaN, `${format(encode / (r.stringify ?? NaN))}x`],
      [`${name} decode`, decode, r.parse ?? NaN, `${format(decode / (r.parse ?? NaN))}x`],
    ],
    sizes: [name, frame.byteLength, json.length],
    plainPerFrameUs: 1e6 / encode + 1e6 / decode,
  };
}

async function aesRows(packet: SeigneurPacket, plainPerFrameUs: number) {
  const crypto = defaultCrypto();
  if (!crypto) return { rows: [], note: 'No WebCrypto: AES-GCM not measured.' };
  const a = await createEphemeralKey(crypto);
  const b = await createEphemeralKey(crypto);
  const salt = crypto.getRandomValues(new Uint8Array(32));
  const transcript = { clientPublic: a.publicKey, serverPublic: b.publicKey };
  const ka = await deriveSessionKeys(crypto, a, b.publicKey, salt, transcript);
  const kb = await deriveSessionKeys(crypto, b, a.publicKey, salt, transcript);
  const frame = must(encodePacket(packet));
  const measure = async (aead: AeadFactory, inFlight: number, frames: number) => {
    const sender = createFrameCipher({ aead, sendKey: ka.clientToServer, receiveKey: ka.serverToClient });
    const receiver = createFrameCipher({ aead, sendKey: kb.serverToClient, receiveKey: kb.clientToServer });
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let done = 0; done < frames; done += inFlight) {
      const sealed = await Promise.all(Array.from({ length: inFlight }, () => sender.seal(frame)));
      // Open in order (counters move at call time), all in flight together.
      const opened = await Promise.all(sealed.map((s) => (s.ok ? receiver.open(s.value) : undefined)));
      if (opened.some((o) => !o?.ok)) throw new Error('AES-GCM round trip failed');
    }
    const used = process.cpuUsage(cpu);
    return {
      wallUs: ((performance.now() - start) * 1000) / frames,
      cpuUs: (used.user + used.system) / frames,
    };
  };
  const web = webCryptoAead(crypto);
  await measure(web, 64, 2000); // warm-up
  await measure(nodeAead, 64, 2000);
  type Run = { wallUs: number; cpuUs: number };
  const runs: Record<'webOne' | 'web64' | 'nodeOne' | 'node64', Run[]> = {
    webOne: [],
    web64: [],
    nodeOne: [],
    node64: [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    runs.webOne.push(await measure(web, 1, 2000));
    runs.nodeOne.push(await measure(nodeAead, 1, 2000));
    runs.web64.push(await measure(web, 64, 20_000));
    runs.node64.push(await measure(nodeAead, 64, 20_000));
  }
  const row = (name: string, runs: { wallUs: number; cpuUs: number }[]) => {
    const wall = median(runs.map((r) => r.wallUs));
    const cpu = median(runs.map((r) => r.cpuUs));
    return [name, wall, cpu, `${format(wall / plainPerFrameUs)}x`, `${format(cpu / plainPerFrameUs)}x`];
  };
  return {
    rows: [
      row('WebCrypto, one at a time', runs.webOne),
      row('WebCrypto, 64 in flight', runs.web64),
      row('node:crypto (server option), one at a time', runs.nodeOne),
      row('node:crypto (server option), 64 in flight', runs.node64),
    ],
    note: '',
  };
}

export async function run(): Promise<string> {
  const move: SeigneurPacket = { type: 'move', tick: 123_456, playerId: 7, x: 512, y: 384, velocity: 300 };
  const weapon: SeigneurPacket = {
    type: 'weapon',
    tick: 123_456,
    playerId: 7,
    action: { kind: 'damage', target: 9, amount: 25, hp: 75 },
  };
  const m = codecRows('Move', move);
  const w = codecRows('Weapon Action (damage)', weapon);

  const protocol = createSeigneurProtocol();
  const output = { kind: 'game', type: 'move', payload: { ...move, type: undefined } } as const;
  const envelope = { type: 'move', seq: 1, ts: 1_700_000_000_000, payload: output.payload };
  let sink = 0;
  const broadcast = interleaved({
    prepare: () => void (sink += protocol.prepare?.(output) ? 1 : 0),
    validateOnly: () => void (sink += packetOfServerMessage('move', output.payload).ok ? 1 : 0),
    envelope: () => void (sink += JSON.stringify(envelope).length),
  });
  if (sink < 0) console.log(sink);

  const aes = await aesRows(move, m.plainPerFrameUs);
  return [
    table(['operation', 'Seigneur ops/s', 'JSON ops/s', 'Seigneur / JSON'], [...m.rows, ...w.rows]),
    '',
    table(['message', 'Seigneur bytes', 'JSON bytes'], [m.sizes, w.sizes]),
    '',
    table(
      ['broadcast encode (server)', 'ops/s', 'vs JSON envelope'],
      [
        [
          'Seigneur prepare (zod check + encode)',
          broadcast.prepare ?? NaN,
          `${format((broadcast.prepare ?? NaN) / (broadcast.envelope ?? NaN))}x`,
        ],
        ['  of which the zod check', broadcast.validateOnly ?? NaN, ''],
        ['JSON envelope stringify', broadcast.envelope ?? NaN, '1x'],
      ],
    ),
    '',
    aes.note ||
      table(
        [
          'AES-256-GCM on a Move frame',
          'wall µs/frame',
          'CPU µs/frame',
          'wall / plain codec',
          'CPU / plain codec',
        ],
        aes.rows,
      ),
    '',
    `Plain codec baseline for the ratios: encode + decode of one Move = ${format(m.plainPerFrameUs)} µs. ` +
      'Each sealed frame is 20 bytes larger (4-byte counter, 16-byte tag). WebCrypto work runs on ' +
      "libuv's thread pool, so CPU time can exceed wall time when frames are in flight together.",
  ].join('\n');
}
