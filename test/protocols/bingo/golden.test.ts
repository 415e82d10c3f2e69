import { describe, expect, it } from 'vitest';
import {
  Opcode,
  createBingoFramer,
  decodeMessage,
  encodeMessage,
  opcodeName,
  readFrame,
} from 'chartroom/protocols/bingo';
import type { BingoMessage } from 'chartroom/protocols/bingo';
import { hex, readGolden } from './golden-format.js';

/**
 * Golden frames for the Bingo protocol (seed 003). The fixtures are the reference: the bytes
 * are written by hand (hex and quoted UTF-8 text) and both decoding and encoding must match.
 */
const frames = readGolden('frames.golden');
const rejections = readGolden('rejections.golden');

describe('bingo golden frames (fixtures/frames.golden)', () => {
  it('covers every opcode in both directions where the seed allows it', () => {
    const seen = new Set(frames.map((c) => `${c.from}:${c.bytes[0]}`));
    for (const op of Object.values(Opcode)) {
      const senders =
        op === Opcode.Identification
          ? ['client']
          : [Opcode.Ready, Opcode.Ping, Opcode.DataUpdate].includes(op as 2 | 3 | 9)
            ? ['server']
            : ['client', 'server'];
      for (const from of senders)
        expect(seen, `${opcodeName(op)} from the ${from}`).toContain(`${from}:${op}`);
    }
  });

  it.each(frames)('decodes "$title" into its message', (c) => {
    const read = readFrame(c.bytes, 0, 0xffff);
    expect(read.kind, hex(c.bytes)).toBe('frame');
    if (read.kind !== 'frame') return;
    expect(read.size).toBe(c.bytes.length);
    const decoded = decodeMessage(read.frame, c.from);
    expect(decoded).toEqual({ ok: true, value: c.decoded });
  });

  it.each(frames)('encodes "$title" into exactly the fixture bytes', (c) => {
    const encoded = encodeMessage(c.decoded as BingoMessage);
    expect(encoded.ok).toBe(true);
    if (encoded.ok) expect(hex(encoded.value)).toBe(hex(c.bytes));
  });

  it('decodes every fixture of one direction from a single stream chunk, in order', () => {
    for (const from of ['client', 'server'] as const) {
      const cases = frames.filter((c) => c.from === from);
      const stream = Uint8Array.from(cases.flatMap((c) => Array.from(c.bytes)));
      const framer = createBingoFramer(0xffff);
      framer.push(stream);
      const decoded: unknown[] = [];
      for (let i = 0; i <= cases.length; i++) {
        const next = framer.next();
        if (next.kind !== 'frame') {
          expect(next.kind).toBe('incomplete');
          break;
        }
        const message = decodeMessage(next.frame, from);
        decoded.push(message.ok ? message.value : message.issue);
      }
      expect(decoded).toEqual(cases.map((c) => c.decoded));
      expect(framer.buffered).toBe(0);
    }
  });
});

describe('bingo golden rejections (fixtures/rejections.golden)', () => {
  it.each(rejections)('refuses "$title"', (c) => {
    const framer = createBingoFramer();
    framer.push(c.bytes);
    const next = framer.next();
    const issue =
      next.kind === 'malformed'
        ? next.issue
        : next.kind === 'frame'
          ? (() => {
              const decoded = decodeMessage(next.frame, c.from);
              return decoded.ok ? undefined : decoded.issue;
            })()
          : undefined;
    expect(issue, `${hex(c.bytes)} gave ${next.kind}`).toBeDefined();
    expect(issue?.code).toBe(c.issue?.code);
    expect(issue?.fatal ?? false).toBe(c.issue?.fatal);
    // Messages say what was expected and what was received, never an empty string.
    expect(issue?.message.length).toBeGreaterThan(20);
  });

  it('refuses an oversize payload from its header, before any of it is buffered', () => {
    const framer = createBingoFramer(1024);
    framer.push(Uint8Array.of(Opcode.Request, 0x00, 0x01, 0x04, 0x01));
    const next = framer.next();
    expect(next).toMatchObject({
      kind: 'malformed',
      issue: { code: 'PROTOCOL_FRAME_TOO_LARGE', fatal: true },
    });
    expect(next.kind === 'malformed' && next.issue.message).toContain(
      'expected <= 1024 bytes, received a length of 1025',
    );
    expect(framer.buffered).toBe(0);
  });

  it('stays broken after a malformed frame: framing cannot be recovered', () => {
    const framer = createBingoFramer();
    framer.push(Uint8Array.of(0x0a, Opcode.Noop));
    expect(framer.next().kind).toBe('malformed');
    framer.push(Uint8Array.of(Opcode.Noop));
    expect(framer.next().kind).toBe('malformed');
  });
});
