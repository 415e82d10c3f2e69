import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  createBingoFramer,
  createBingoProtocol,
  decodeMessage,
  encodeMessage,
  readFrame,
} from 'chartroom/protocols/bingo';
import type { BingoMessage, BingoSender } from 'chartroom/protocols/bingo';
import { createFakePeer } from '../support/fake-peer.js';
import { clientMessage, cuts, serverMessage, split } from './arbitraries.js';

const encode = (message: BingoMessage): Uint8Array => {
  const encoded = encodeMessage(message);
  if (!encoded.ok) throw new Error(encoded.issue.message);
  return encoded.value;
};

/** Frames and messages out of a stream fed in chunks, the way a TCP socket delivers it. */
function decodeStream(chunks: readonly Uint8Array[], from: BingoSender): unknown[] {
  const framer = createBingoFramer(0xffff);
  const out: unknown[] = [];
  for (const chunk of chunks) {
    framer.push(chunk);
    for (let i = 0; i <= chunk.length; i++) {
      const next = framer.next();
      if (next.kind === 'incomplete') break;
      if (next.kind === 'malformed') return [...out, next.issue];
      const decoded = decodeMessage(next.frame, from);
      out.push(decoded.ok ? decoded.value : decoded.issue);
    }
  }
  return out;
}

describe('bingo codec properties', () => {
  test.prop([clientMessage])('decode(encode(m)) equals m for every client message', (message) => {
    const bytes = encode(message);
    const read = readFrame(bytes, 0, 0xffff);
    expect(read.kind === 'frame' && read.size).toBe(bytes.length);
    if (read.kind === 'frame')
      expect(decodeMessage(read.frame, 'client')).toEqual({ ok: true, value: message });
  });

  test.prop([serverMessage])('decode(encode(m)) equals m for every server message', (message) => {
    const bytes = encode(message);
    const read = readFrame(bytes, 0, 0xffff);
    if (read.kind === 'frame')
      expect(decodeMessage(read.frame, 'server')).toEqual({ ok: true, value: message });
    else expect.fail(`not a frame: ${read.kind}`);
  });

  test.prop([fc.oneof(clientMessage, serverMessage)])(
    'every strict prefix of a frame is incomplete',
    (message) => {
      const bytes = encode(message);
      for (let length = 0; length < bytes.length; length++) {
        expect(readFrame(bytes.subarray(0, length), 0, 0xffff).kind).toBe('incomplete');
        const framer = createBingoFramer(0xffff);
        framer.push(bytes.subarray(0, length));
        expect(framer.next().kind).toBe('incomplete');
      }
    },
  );

  test.prop([fc.uint8Array({ maxLength: 300 }), fc.constantFrom<BingoSender>('client', 'server')])(
    'arbitrary bytes never throw: each read is a frame, incomplete, or a typed issue',
    (bytes, from) => {
      const framer = createBingoFramer(64);
      framer.push(bytes);
      for (let i = 0; i <= bytes.length; i++) {
        const next = framer.next();
        if (next.kind !== 'frame') {
          if (next.kind === 'malformed') expect(next.issue.code).toMatch(/^PROTOCOL_/);
          break;
        }
        const decoded = decodeMessage(next.frame, from);
        if (!decoded.ok) expect(decoded.issue.code).toMatch(/^PROTOCOL_/);
      }
    },
  );

  test.prop([fc.array(clientMessage, { minLength: 1, maxLength: 8 }), fc.nat()])(
    'a TCP stream split at any byte boundaries decodes the same frames',
    (messages, seed) => {
      const stream = Uint8Array.from(messages.flatMap((m) => Array.from(encode(m))));
      const whole = decodeStream([stream], 'client');
      expect(whole).toEqual(messages);
      const at = fc.sample(cuts(stream.length), { seed, numRuns: 1 })[0] ?? [];
      expect(decodeStream(split(stream, at), 'client')).toEqual(messages);
      // One byte at a time, the worst split.
      expect(
        decodeStream(
          split(
            stream,
            Array.from({ length: stream.length - 1 }, (_, i) => i + 1),
          ),
          'client',
        ),
      ).toEqual(messages);
    },
  );
});

describe('bingo server session properties', () => {
  test.prop([fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 6 })])(
    'arbitrary bytes before the handshake never throw and get a Protocol Error then a close, or nothing yet',
    (chunks) => {
      const peer = createFakePeer({ ping: false });
      const session = createBingoProtocol().open(peer);
      for (const chunk of chunks) session.receive(chunk);
      // Whatever was sent is a Protocol Error, and it was sent exactly when the session closed.
      for (const frame of peer.bytes()) expect(frame[0]).toBe(0x07);
      expect(peer.sent.length).toBe(peer.closes.length);
      expect(peer.closes.length).toBeLessThanOrEqual(1);
      // Only an Identification can become an intent before the handshake.
      for (const intent of peer.intents) expect(['authenticate', 'resume']).toContain(intent.kind);
    },
  );

  test.prop([fc.uint8Array({ minLength: 1, maxLength: 200 })])(
    'arbitrary bytes after the handshake never throw, and any close is preceded by a Protocol Error',
    (bytes) => {
      const peer = createFakePeer({ ping: false });
      const session = createBingoProtocol().open(peer);
      session.receive(
        encode({
          kind: 'identification',
          id: 0,
          identity: { login: 'a', username: 'A', token: 't', room: 'r' },
        }),
      );
      session.deliver({ kind: 'authOk', userId: 'a', name: 'A' });
      session.deliver({
        kind: 'joined',
        roomId: 'r',
        seatId: 'p1',
        role: 'player',
        resumeToken: 'rt',
        room: {
          roomId: 'r',
          type: 't',
          seed: 1,
          phase: 'setup.open',
          config: {},
          configVersion: 0,
          seats: [],
        },
      });
      peer.clear();
      session.receive(bytes);
      if (peer.closes.length > 0) expect(peer.bytes().at(-1)?.[0]).toBe(0x07);
      expect(peer.closes.length).toBeLessThanOrEqual(1);
    },
  );
});
