/**
 * Chartroom's own WebSocket server framing (src/transports/ws/frames.ts, handshake.ts), from
 * RFC 6455: the reader against frames a client would send, split into chunks anywhere, and
 * every protocol violation closing with the code the RFC names; then the handshake and the
 * close codes over a real socket, spoken byte by byte.
 */
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import fc from 'fast-check';
import type { AcceptedLink } from 'chartroom';
import { createWebSocketTransport } from 'chartroom/transports/ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameReader, closeFrame, controlFrame, dataFrame } from '../../src/transports/ws/frames.js';
import type { FrameSink } from '../../src/transports/ws/frames.js';
import { acceptKey } from '../../src/transports/ws/handshake.js';
import { until } from '../support/server.js';

/** A frame as a client sends it: FIN bit, opcode, masked payload (RFC 6455 section 5.2). */
function clientFrame(
  opcode: number,
  payload: Uint8Array,
  { fin = true, mask = [0x37, 0xfa, 0x21, 0x3d], rsv = 0, masked = true } = {},
): Buffer {
  const length = payload.length;
  const size = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const out = Buffer.alloc(size + (masked ? 4 : 0) + length);
  out[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  out[1] = (masked ? 0x80 : 0) | (size === 2 ? length : size === 4 ? 126 : 127);
  if (size === 4) out.writeUInt16BE(length, 2);
  if (size === 10) out.writeBigUInt64BE(BigInt(length), 2);
  let at = size;
  if (masked) {
    out.set(mask, at);
    at += 4;
  }
  for (let i = 0; i < length; i++)
    out[at + i] = (payload[i] as number) ^ (masked ? (mask[i % 4] as number) : 0);
  return out;
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');

type Event =
  | { readonly kind: 'message'; readonly data: string | number[] }
  | { readonly kind: 'ping'; readonly data: number[] }
  | { readonly kind: 'pong' }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string }
  | { readonly kind: 'fail'; readonly code: number };

function recorder(maxPayload = 1024 * 1024) {
  const events: Event[] = [];
  const sink: FrameSink = {
    message: (data) => events.push({ kind: 'message', data: typeof data === 'string' ? data : [...data] }),
    ping: (payload) => events.push({ kind: 'ping', data: [...payload] }),
    pong: () => events.push({ kind: 'pong' }),
    close: (code, reason) => events.push({ kind: 'close', code, reason }),
    fail: (code) => events.push({ kind: 'fail', code }),
  };
  return { events, reader: new FrameReader(sink, maxPayload) };
}

/** Feed `bytes` to a reader cut at the given points. */
function feed(reader: FrameReader, bytes: Buffer, cuts: readonly number[]) {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const point of [...points, bytes.length]) {
    if (point > from) reader.push(Buffer.from(bytes.subarray(from, point)));
    from = point;
  }
}

/** One message a client sends: text or bytes, in one frame or several, with pings between. */
const messageArb = fc.record({
  text: fc.boolean(),
  value: fc.oneof(
    fc.string({ maxLength: 300, unit: 'binary' }),
    fc.string({ minLength: 126, maxLength: 70_000 }),
  ),
  bytes: fc.uint8Array({ maxLength: 300 }),
  pieces: fc.integer({ min: 1, max: 4 }),
  ping: fc.option(fc.uint8Array({ maxLength: 125 }), { nil: undefined }),
  mask: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
});

describe('FrameReader', () => {
  it('reads any sequence of messages, fragmented, with pings between fragments, split anywhere', () => {
    fc.assert(
      fc.property(
        fc.array(messageArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (messages, cuts) => {
          const expected: Event[] = [];
          const wire: Buffer[] = [];
          for (const m of messages) {
            const payload = m.text ? utf8(m.value) : Buffer.from(m.bytes);
            // Cut the payload into `pieces` fragments (never inside nothing: empty pieces are fine).
            const step = Math.ceil(payload.length / m.pieces) || 1;
            const parts: Buffer[] = [];
            for (let at = 0; at < payload.length; at += step) parts.push(payload.subarray(at, at + step));
            if (parts.length === 0) parts.push(Buffer.alloc(0));
            parts.forEach((part, i) => {
              const opcode = i === 0 ? (m.text ? 0x1 : 0x2) : 0x0;
              wire.push(clientFrame(opcode, part, { fin: i === parts.length - 1, mask: m.mask }));
              // A control frame may come between the fragments of a message (section 5.4).
              if (i === 0 && m.ping) wire.push(clientFrame(0x9, m.ping, { mask: m.mask }));
            });
            const message: Event = { kind: 'message', data: m.text ? m.value : [...m.bytes] };
            // The ping goes out after the first frame: before the message ends, or after it when
            // the message is one frame.
            if (m.ping && parts.length > 1) expected.push({ kind: 'ping', data: [...m.ping] });
            expected.push(message);
            if (m.ping && parts.length === 1) expected.push({ kind: 'ping', data: [...m.ping] });
          }
          wire.push(clientFrame(0x8, Buffer.concat([Buffer.from([0x0f, 0xa1]), utf8('bye ✓')])));
          expected.push({ kind: 'close', code: 4001, reason: 'bye ✓' });
          const { events, reader } = recorder();
          feed(reader, Buffer.concat(wire), cuts);
          expect(events).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('never throws on arbitrary bytes: each input ends in frames read, or one failure with an RFC code', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 16 }),
        fc.boolean(),
        (chunks, startValid) => {
          const { events, reader } = recorder(1000);
          // Half the time after a valid frame, so the garbage lands mid-stream.
          if (startValid) reader.push(clientFrame(0x1, utf8('ok')));
          for (const chunk of chunks) expect(() => reader.push(Buffer.from(chunk))).not.toThrow();
          const failures = events.filter((e) => e.kind === 'fail');
          expect(failures.length).toBeLessThanOrEqual(1);
          for (const failure of failures)
            expect([1002, 1007, 1009]).toContain((failure as { code: number }).code);
          // Nothing is read after a failure or a close.
          const end = events.findIndex((e) => e.kind === 'fail' || e.kind === 'close');
          if (end >= 0) expect(events).toHaveLength(end + 1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads nothing after a close frame', () => {
    const { events, reader } = recorder();
    reader.push(Buffer.concat([clientFrame(0x8, Buffer.alloc(0)), clientFrame(0x1, utf8('late'))]));
    expect(events).toEqual([{ kind: 'close', code: 1005, reason: '' }]);
  });

  const violations: [string, Buffer, number][] = [
    ['an unmasked frame', clientFrame(0x1, utf8('hi'), { masked: false }), 1002],
    ['RSV bits with no extension', clientFrame(0x1, utf8('hi'), { rsv: 4 }), 1002],
    ['an unknown data opcode', clientFrame(0x3, utf8('hi')), 1002],
    ['an unknown control opcode', clientFrame(0xb, utf8('hi')), 1002],
    ['a control frame over 125 bytes', clientFrame(0x9, Buffer.alloc(126)), 1002],
    ['a fragmented control frame', clientFrame(0x9, utf8('hi'), { fin: false }), 1002],
    ['a continuation with nothing to continue', clientFrame(0x0, utf8('hi')), 1002],
    [
      'a new message inside a fragmented one',
      Buffer.concat([clientFrame(0x1, utf8('a'), { fin: false }), clientFrame(0x1, utf8('b'))]),
      1002,
    ],
    ['a text message that is not UTF-8', clientFrame(0x1, Buffer.from([0x68, 0xc3, 0x28])), 1007],
    [
      'a text message whose UTF-8 is cut between fragments and never completed',
      Buffer.concat([
        clientFrame(0x1, Buffer.from([0xe2, 0x82]), { fin: false }),
        clientFrame(0x0, utf8('x')),
      ]),
      1007,
    ],
    ['a close payload of one byte', clientFrame(0x8, Buffer.from([3])), 1002],
    ['a close code no peer may send', clientFrame(0x8, Buffer.from([0x03, 0xee])), 1002],
    ['a close reason that is not UTF-8', clientFrame(0x8, Buffer.from([0x03, 0xe8, 0xff])), 1007],
    ['a message over the cap', clientFrame(0x2, Buffer.alloc(101)), 1009],
    [
      'fragments over the cap together',
      Buffer.concat([clientFrame(0x2, Buffer.alloc(60), { fin: false }), clientFrame(0x0, Buffer.alloc(60))]),
      1009,
    ],
  ];
  it.each(violations)('fails on %s with %i, once, and reads nothing after it', (_, bytes, code) => {
    const { events, reader } = recorder(100);
    reader.push(Buffer.concat([bytes, clientFrame(0x1, utf8('after'))]));
    expect(events).toEqual([{ kind: 'fail', code }]);
    reader.push(clientFrame(0x1, utf8('later')));
    expect(events).toHaveLength(1);
  });

  it('fails on a declared length over the cap before its payload arrives', () => {
    const { events, reader } = recorder(100);
    reader.push(clientFrame(0x2, Buffer.alloc(70_000)).subarray(0, 10));
    expect(events).toEqual([{ kind: 'fail', code: 1009 }]);
  });

  it('joins a frame that trickles in a byte at a time once, when it is whole', () => {
    const { events, reader } = recorder();
    const bytes = clientFrame(0x2, Buffer.alloc(10_000, 9));
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      for (let i = 0; i < bytes.length; i++) reader.push(bytes.subarray(i, i + 1));
      // Joined when the header is known (10 bytes) and when the frame is whole: not per byte.
      expect(concat.mock.calls.length).toBeLessThanOrEqual(3);
    } finally {
      concat.mockRestore();
    }
    expect(events).toEqual([{ kind: 'message', data: new Array(10_000).fill(9) }]);
  });

  it('joins a text message whose UTF-8 characters are split between fragments', () => {
    const { events, reader } = recorder();
    const euro = utf8('€');
    reader.push(clientFrame(0x1, euro.subarray(0, 1), { fin: false }));
    reader.push(clientFrame(0x0, euro.subarray(1)));
    expect(events).toEqual([{ kind: 'message', data: '€' }]);
  });
});

describe('server frames', () => {
  it('writes unmasked frames with the right header for every length class', () => {
    for (const length of [0, 125, 126, 65535, 65536]) {
      const frame = dataFrame(new Uint8Array(length).fill(7), true);
      const size = length < 126 ? 2 : length < 65536 ? 4 : 10;
      expect(frame[0]).toBe(0x82);
      expect((frame[1] as number) & 0x80).toBe(0);
      const declared =
        size === 2 ? frame[1] : size === 4 ? frame.readUInt16BE(2) : Number(frame.readBigUInt64BE(2));
      expect(declared).toBe(length);
      expect(frame.length).toBe(size + length);
    }
    expect([...controlFrame('pong', new Uint8Array([1, 2]))]).toEqual([0x8a, 2, 1, 2]);
    // Text is encoded straight into the frame: the same bytes as framing its UTF-8.
    for (const text of ['', 'héllo €', 'é'.repeat(100), '🏹'.repeat(20_000)]) {
      expect(dataFrame(text, false)).toEqual(dataFrame(Buffer.from(text, 'utf8'), false));
    }
  });

  it('cuts a long close reason to 123 bytes without splitting a character', () => {
    const frame = closeFrame(1008, 'é'.repeat(100));
    expect(frame[1]).toBe(2 + 122);
    expect(frame.readUInt16BE(2)).toBe(1008);
    expect(frame.subarray(4).toString('utf8')).toBe('é'.repeat(61));
    expect([...closeFrame()]).toEqual([0x88, 0]);
  });
});

describe('the WebSocket transport over a raw socket', () => {
  let http: HttpServer | undefined;
  let stop: (() => Promise<void>) | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await stop?.();
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
    http = undefined;
  });

  async function serve(maxPayload?: number) {
    const transport = createWebSocketTransport({
      path: '/ws',
      frames: 'text',
      ...(maxPayload ? { maxPayload } : {}),
    });
    const links: {
      accepted: AcceptedLink;
      frames: (string | Uint8Array)[];
      closes: number;
      faults: number[];
    }[] = [];
    let upgrade: ((request: unknown, socket: unknown, head: unknown) => void) | undefined;
    await transport.start(
      (accepted) => {
        const entry = { accepted, frames: [] as (string | Uint8Array)[], closes: 0, faults: [] as number[] };
        accepted.link.attach({
          frame: (f) => entry.frames.push(f),
          close: () => void entry.closes++,
          fault: (code) => entry.faults.push(code),
        });
        links.push(entry);
      },
      { upgrade: (_, handler) => (upgrade = handler) },
    );
    stop = () => transport.stop();
    http = createHttpServer();
    http.on('upgrade', (req, socket, head) => upgrade?.(req, socket, head));
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    return { port: (http.address() as AddressInfo).port, links };
  }

  /** Open a raw TCP connection, send `request`, collect every byte that comes back. */
  function raw(port: number, request: string) {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    const state = { bytes: Buffer.alloc(0), ended: false };
    socket.on('data', (chunk: Buffer) => (state.bytes = Buffer.concat([state.bytes, chunk])));
    socket.on('close', () => (state.ended = true));
    socket.on('error', () => undefined);
    socket.write(request);
    return { socket, state };
  }

  const upgrade = (headers: Record<string, string>) =>
    `GET /ws?x=1 HTTP/1.1\r\nHost: localhost\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`;
  const good = {
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
  };

  it("answers the RFC's sample handshake with its accept key, then speaks frames", async () => {
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    const { port, links } = await serve();
    const { socket, state } = raw(port, upgrade(good));
    await until(() => state.bytes.includes('\r\n\r\n'), 2000, '101');
    const head = state.bytes.toString('latin1');
    expect(head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(head).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n');
    expect(head).not.toMatch(/Sec-WebSocket-Extensions/i);
    socket.write(clientFrame(0x1, utf8('hello')));
    await until(() => links[0]?.frames.length === 1, 2000, 'frame');
    expect(links[0]!.frames).toEqual(['hello']);
    expect(links[0]!.accepted.params).toEqual({ x: '1' });
  });

  it.each([
    [
      'a wrong version',
      { ...good, 'Sec-WebSocket-Version': '8' },
      /^HTTP\/1\.1 426 [\s\S]*Sec-WebSocket-Version: 13\r\n/,
    ],
    ['no key', { ...good, 'Sec-WebSocket-Key': '' }, /^HTTP\/1\.1 400 /],
    ['a malformed key', { ...good, 'Sec-WebSocket-Key': 'not-a-key' }, /^HTTP\/1\.1 400 /],
  ])('refuses a handshake with %s and opens no link', async (_, headers, answer) => {
    const { port, links } = await serve();
    const { state } = raw(port, upgrade(headers));
    await until(() => state.ended, 2000, 'closed');
    expect(state.bytes.toString('latin1')).toMatch(answer);
    expect(links).toHaveLength(0);
  });

  it('closes a link that breaks the protocol with the code the RFC names, and tells the server once', async () => {
    const { port, links } = await serve(64);
    const cases: [Buffer, number][] = [
      [clientFrame(0x1, utf8('x'), { masked: false }), 1002],
      [clientFrame(0x1, Buffer.from([0xff])), 1007],
      [clientFrame(0x2, Buffer.alloc(65)), 1009],
    ];
    for (const [index, [bytes, code]] of cases.entries()) {
      const { socket, state } = raw(port, upgrade(good));
      await until(() => links.length === index + 1, 2000, 'link');
      const start = state.bytes.length;
      socket.write(bytes);
      await until(() => state.ended, 2000, 'server closes the socket');
      const close = state.bytes.subarray(start);
      expect(close[0]).toBe(0x88);
      expect(close.readUInt16BE(2)).toBe(code);
      await until(() => links[index]!.closes === 1, 2000, 'close handler');
      expect(links[index]!.frames).toEqual([]);
      // The server is told why, once, to log and count it.
      expect(links[index]!.faults).toEqual([code]);
    }
  });

  it("echoes a client's close code and closes the socket", async () => {
    const { port, links } = await serve();
    const { socket, state } = raw(port, upgrade(good));
    await until(() => links.length === 1, 2000, 'link');
    const start = state.bytes.length;
    socket.write(clientFrame(0x8, Buffer.concat([Buffer.from([0x0f, 0xa0]), utf8('done')])));
    await until(() => state.ended, 2000, 'closed');
    expect([...state.bytes.subarray(start)]).toEqual([0x88, 2, 0x0f, 0xa0]);
    await until(() => links[0]!.closes === 1, 2000, 'close handler');
  });
});
