import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from 'chartroom';
import type { ClientIntent, Role, RoomView, SeatView, ServerOutput } from 'chartroom';
import {
  createJsonEnvelopeClientProtocol,
  createJsonEnvelopeProtocol,
} from 'chartroom/protocols/json-envelope';
import type { Envelope } from 'chartroom/protocols/json-envelope';
import { createFakePeer } from '../support/fake-peer.js';
import type { FakePeer } from '../support/fake-peer.js';

/**
 * Properties of the JSON envelope protocol (seed 002). The oracles below are written from the
 * seed and the protocol's documented rules, not from its code: a frame is an envelope when it
 * is UTF-8 JSON of an object with a 1..64 character `type`, safe non-negative integer `seq` and
 * `ts`, and a `payload`; `auth.*`, `session.*`, `room.*` and `error` are the framework's types.
 */

const RUNS = { numRuns: 150 };
const registry: readonly string[] = Object.values(ErrorCode);
const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** What a JSON hop makes of a value (`-0` becomes `0`): opaque payloads are compared this way. */
const viaJson = (value: unknown): unknown =>
  value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
const utf8Length = (frame: Uint8Array | string) =>
  typeof frame === 'string' ? encoder.encode(frame).byteLength : frame.byteLength;
const isFrameworkType = (type: string) => type === 'error' || /^(auth|session|room)\./.test(type);
const CLIENT_TYPES = [
  'auth.login',
  'session.join_system',
  'session.leave',
  'room.ready',
  'room.setup',
  'room.pause',
];
const SERVER_TYPES = ['auth.ok', 'auth.error', 'session.joined', 'session.closing', 'room.state', 'error'];

type Shape = 'too-large' | 'not-utf8' | 'not-json' | 'not-envelope' | 'envelope';

/** Classify a frame the way the seed's envelope rules do, independently of the codec. */
function shapeOf(frame: Uint8Array | string, maxFrameBytes = 64 * 1024): Shape {
  if (utf8Length(frame) > maxFrameBytes) return 'too-large';
  let text: string;
  if (typeof frame === 'string') {
    text = frame;
  } else {
    try {
      text = strictUtf8.decode(frame);
    } catch {
      return 'not-utf8';
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'not-json';
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'not-envelope';
  const o = json as Record<string, unknown>;
  const counter = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const typeOk = typeof o.type === 'string' && o.type.length >= 1 && o.type.length <= 64;
  return typeOk && counter(o.seq) && counter(o.ts) && Object.hasOwn(o, 'payload')
    ? 'envelope'
    : 'not-envelope';
}

const expectedCode: Record<Exclude<Shape, 'envelope'>, ErrorCode> = {
  'too-large': ErrorCode.PROTOCOL_FRAME_TOO_LARGE,
  'not-utf8': ErrorCode.PROTOCOL_MALFORMED_FRAME,
  'not-json': ErrorCode.PROTOCOL_MALFORMED_FRAME,
  'not-envelope': ErrorCode.PROTOCOL_INVALID_MESSAGE,
};

const parseSent = (peer: FakePeer): Envelope[] => peer.texts().map((text) => JSON.parse(text) as Envelope);

/** The one refusal a session answered with: one issue reported, one `error` frame with its code, no close. */
function expectOneRefusal(peer: FakePeer, code: ErrorCode) {
  expect(peer.intents).toEqual([]);
  expect(peer.issues).toHaveLength(1);
  expect(peer.issues[0]!.code).toBe(code);
  expect(registry).toContain(peer.issues[0]!.code);
  const sent = parseSent(peer);
  expect(sent).toHaveLength(1);
  expect(sent[0]!.type).toBe('error');
  expect(sent[0]!.payload).toMatchObject({ code, message: peer.issues[0]!.message });
  expect(peer.closes).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const text = (minLength: number, maxLength: number) => fc.string({ unit: 'binary', minLength, maxLength });
const json = fc.jsonValue({ maxDepth: 3 });
const role = fc.constantFrom<Role>('player', 'viewer');
const code = fc.constantFrom(...Object.values(ErrorCode));
/** Game message types: realistic dotted names, near misses of the reserved prefixes, anything else. */
const gameType = fc
  .oneof(
    fc.constantFrom(
      'tap',
      'input.command',
      'trade.buy',
      'errors',
      'authx',
      'room',
      'sessions.x',
      'Auth.login',
    ),
    text(1, 32),
  )
  .filter((type) => !isFrameworkType(type));

const clientIntent: fc.Arbitrary<ClientIntent> = fc.oneof(
  text(1, 64).map((token): ClientIntent => ({ kind: 'authenticate', token })),
  text(1, 64).map((resumeToken): ClientIntent => ({ kind: 'resume', resumeToken })),
  fc
    .tuple(text(1, 60), fc.option(role, { nil: undefined }))
    .map(([roomId, r]): ClientIntent => ({ kind: 'join', roomId, ...(r ? { role: r } : {}) })),
  fc.constant<ClientIntent>({ kind: 'leave' }),
  fc.boolean().map((ready): ClientIntent => ({ kind: 'ready', ready })),
  json.map((command): ClientIntent => ({ kind: 'setup', command })),
  fc.boolean().map((paused): ClientIntent => ({ kind: 'pause', paused })),
  fc.tuple(gameType, json).map(([type, payload]): ClientIntent => ({ kind: 'game', type, payload })),
);

const seat: fc.Arbitrary<SeatView> = fc.record({
  seatId: text(0, 8),
  userId: text(0, 8),
  name: text(0, 12),
  role,
  ready: fc.boolean(),
  connected: fc.boolean(),
  left: fc.boolean(),
});
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (n === 0 ? 0 : n));
const roomView: fc.Arbitrary<RoomView> = fc.record({
  roomId: text(0, 12),
  type: text(0, 12),
  seed: fc.oneof(fc.integer(), finite),
  phase: text(0, 24),
  // undefined too: a room type without configuration (JSON leaves the key out).
  config: fc.oneof(json, fc.constant(undefined)),
  configVersion: fc.oneof(fc.nat(), finite),
  seats: fc.array(seat, { maxLength: 5 }),
});

/** Every server output but ping (the transport's own), as the server hands it to the protocol. */
const serverOutput: fc.Arbitrary<ServerOutput> = fc.oneof(
  fc.record({ kind: fc.constant('authOk' as const), userId: text(0, 12), name: text(0, 12) }),
  fc.record({ kind: fc.constant('authError' as const), code, message: text(0, 40) }),
  fc.record({
    kind: fc.constant('joined' as const),
    roomId: text(0, 12),
    seatId: text(0, 8),
    role,
    resumeToken: text(0, 16),
    room: roomView,
  }),
  fc.record({ kind: fc.constant('room' as const), room: roomView }),
  fc
    .tuple(gameType, json, fc.option(fc.nat(), { nil: undefined }))
    .map(([type, payload, requestId]): ServerOutput => ({
      kind: 'game',
      type,
      payload,
      ...(requestId !== undefined ? { requestId } : {}),
    })),
  fc.record({ kind: fc.constant('reply' as const), requestId: fc.nat(), type: gameType, payload: json }),
  fc.record({
    kind: fc.constant('replyError' as const),
    requestId: fc.nat(),
    // The game's own codes (seed 002's NOT_DOCKED) or the registry's default refusal.
    code: fc.oneof(
      fc.constantFrom('NOT_DOCKED', 'OUT_OF_RANGE', ErrorCode.ROOM_REQUEST_REFUSED),
      text(1, 16),
    ),
    message: text(0, 40),
  }),
  fc
    .tuple(code, text(0, 40), fc.option(text(1, 32), { nil: undefined }))
    .map(([c, message, ref]): ServerOutput => ({
      kind: 'error',
      code: c,
      message,
      ...(ref !== undefined ? { ref } : {}),
    })),
  fc.record({ kind: fc.constant('closing' as const), code, message: text(0, 40) }),
);

/**
 * What the client decodes from a server output: the output itself with opaque JSON compared
 * after a JSON hop, except where the envelope cannot carry a field (fixtures/server-outputs.json
 * notes why): request ids of game messages and replies, and a refusal's ref_seq.
 */
function clientView(output: ServerOutput): ServerOutput {
  switch (output.kind) {
    case 'game':
    case 'reply':
      return { kind: 'game', type: output.type, payload: viaJson(output.payload) };
    case 'replyError':
      // The client's error output types its code as a registry code; the wire passes a game's own.
      return { kind: 'error', code: output.code as ErrorCode, message: output.message };
    case 'joined':
      return { ...output, room: { ...output.room, config: viaJson(output.room.config) } };
    case 'room':
      return { ...output, room: { ...output.room, config: viaJson(output.room.config) } };
    default:
      return output;
  }
}

/** What the server dispatches for an intent the client sent with `seq`. */
function serverView(intent: ClientIntent, seq: number): ClientIntent {
  switch (intent.kind) {
    case 'setup':
      return { kind: 'setup', command: viaJson(intent.command) };
    case 'game':
      return { kind: 'game', type: intent.type, payload: viaJson(intent.payload), requestId: seq };
    default:
      return intent;
  }
}

const tryStringify = (value: unknown): string | undefined => {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // BigInt, cycles
  }
};

/** Untrusted frames: bytes, text, JSON of any shape, and objects that look almost like envelopes. */
const untrusted: fc.Arbitrary<Uint8Array | string> = fc.oneof(
  fc.uint8Array({ maxLength: 256 }),
  text(0, 128),
  fc.string({ unit: 'binary-ascii', maxLength: 128 }),
  json.map((v) => JSON.stringify(v)),
  fc
    .anything()
    .map(tryStringify)
    .filter((s): s is string => s !== undefined),
  fc
    .record(
      {
        type: fc.oneof(fc.constantFrom(...CLIENT_TYPES, ...SERVER_TYPES, ''), text(0, 70), fc.anything()),
        seq: fc.oneof(fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 1), fc.anything()),
        ts: fc.oneof(fc.nat(), fc.anything()),
        payload: fc.anything(),
      },
      { requiredKeys: [] },
    )
    .map(tryStringify)
    .filter((s): s is string => s !== undefined),
);

// ---------------------------------------------------------------------------------------------

describe('json-envelope round trips', () => {
  it('every intent the client encodes is dispatched equal by the server, game messages with their seq as request id', () => {
    fc.assert(
      fc.property(fc.array(clientIntent, { minLength: 1, maxLength: 8 }), (intents) => {
        const client = createJsonEnvelopeClientProtocol().open();
        const peer = createFakePeer();
        const server = createJsonEnvelopeProtocol().open(peer);
        intents.forEach((intent, index) => {
          const frames = client.encode(intent);
          expect(frames).toHaveLength(1);
          server.receive(frames[0]!);
          expect(peer.intents[index]).toEqual(serverView(intent, index + 1));
        });
        expect(peer.intents).toHaveLength(intents.length);
        expect(peer.sent).toEqual([]);
        expect(peer.issues).toEqual([]);
      }),
      RUNS,
    );
  });

  it('every output the server delivers decodes on the client to the same output', () => {
    fc.assert(
      fc.property(fc.array(serverOutput, { minLength: 1, maxLength: 6 }), (outputs) => {
        const peer = createFakePeer();
        const server = createJsonEnvelopeProtocol().open(peer);
        const client = createJsonEnvelopeClientProtocol().open();
        for (const output of outputs) server.deliver(output);
        expect(peer.sent).toHaveLength(outputs.length);
        peer.sent.forEach((frame, index) => {
          expect(client.decode(frame)).toEqual({ ok: true, value: [clientView(outputs[index]!)] });
        });
      }),
      RUNS,
    );
  });
});

describe('json-envelope untrusted input', () => {
  it('the server never throws; each frame that is not an envelope gets one reported issue and one error frame', () => {
    fc.assert(
      fc.property(untrusted, (frame) => {
        const peer = createFakePeer();
        const session = createJsonEnvelopeProtocol().open(peer);
        expect(() => session.receive(frame)).not.toThrow();
        const shape = shapeOf(frame);
        if (shape !== 'envelope') {
          expectOneRefusal(peer, expectedCode[shape]);
        } else {
          // A valid envelope gets exactly one reaction: dispatched, or refused once.
          const dispatched = peer.intents.length === 1 && peer.sent.length === 0 && peer.issues.length === 0;
          const refused = peer.intents.length === 0 && peer.sent.length === 1 && peer.issues.length === 1;
          expect(dispatched || refused).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('the server keeps answering every frame of a stream of untrusted frames exactly once', () => {
    fc.assert(
      fc.property(fc.array(untrusted, { maxLength: 12 }), (frames) => {
        const peer = createFakePeer();
        const session = createJsonEnvelopeProtocol().open(peer);
        for (const frame of frames) session.receive(frame);
        const refusals = frames.filter((frame) => shapeOf(frame) !== 'envelope').length;
        expect(peer.issues.length).toBeGreaterThanOrEqual(refusals);
        expect(peer.issues.length + peer.intents.length).toBe(frames.length);
        expect(peer.sent).toHaveLength(peer.issues.length);
        for (const issue of peer.issues) expect(registry).toContain(issue.code);
      }),
      { numRuns: 200 },
    );
  });

  it('valid envelopes of framework types the client may send are dispatched or refused with INVALID_MESSAGE', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CLIENT_TYPES), fc.nat(), json, (type, seq, payload) => {
        const peer = createFakePeer({ params: { protocol_version: '1' } });
        createJsonEnvelopeProtocol()
          .open(peer)
          .receive(JSON.stringify({ type, seq, ts: 0, payload }));
        if (peer.intents.length === 0) expectOneRefusal(peer, ErrorCode.PROTOCOL_INVALID_MESSAGE);
        else expect(peer.sent).toEqual([]);
      }),
      RUNS,
    );
  });

  it('valid envelopes of unknown auth.*, session.*, room.* types (and error) get PROTOCOL_UNKNOWN_TYPE', () => {
    const unknownType = fc
      .oneof(
        fc.tuple(fc.constantFrom('auth.', 'session.', 'room.'), text(0, 20)).map(([p, s]) => p + s),
        fc.constant('error'),
      )
      .filter((type) => !CLIENT_TYPES.includes(type));
    fc.assert(
      fc.property(unknownType, fc.nat(), json, (type, seq, payload) => {
        const peer = createFakePeer({ params: { protocol_version: '1' } });
        createJsonEnvelopeProtocol()
          .open(peer)
          .receive(JSON.stringify({ type, seq, ts: 1, payload }));
        expectOneRefusal(peer, ErrorCode.PROTOCOL_UNKNOWN_TYPE);
        expect(parseSent(peer)[0]!.payload).toMatchObject({ ref_type: type, ref_seq: seq });
      }),
      RUNS,
    );
  });

  it('the client decode never throws and refuses anything that is not an envelope with the right code', () => {
    fc.assert(
      fc.property(untrusted, (frame) => {
        const session = createJsonEnvelopeClientProtocol().open();
        let result: ReturnType<typeof session.decode> | undefined;
        expect(() => (result = session.decode(frame))).not.toThrow();
        const shape = shapeOf(frame, 1024 * 1024);
        if (shape !== 'envelope') {
          expect(result).toMatchObject({ ok: false, issue: { code: expectedCode[shape] } });
        } else if (result!.ok) {
          expect(result!.value).toHaveLength(1);
        } else {
          expect(registry).toContain(result!.issue.code);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('the client refuses valid envelopes of unknown framework types with PROTOCOL_UNKNOWN_TYPE', () => {
    const unknownType = fc
      .tuple(fc.constantFrom('auth.', 'session.', 'room.'), text(0, 20))
      .map(([p, s]) => p + s)
      .filter((type) => !SERVER_TYPES.includes(type));
    fc.assert(
      fc.property(unknownType, fc.nat(), json, (type, seq, payload) => {
        const result = createJsonEnvelopeClientProtocol()
          .open()
          .decode(JSON.stringify({ type, seq, ts: 1, payload }));
        expect(result).toMatchObject({
          ok: false,
          issue: { code: ErrorCode.PROTOCOL_UNKNOWN_TYPE, messageType: type },
        });
      }),
      RUNS,
    );
  });
});

describe('json-envelope client seq', () => {
  const frameFor = (type: string, seq: number) =>
    JSON.stringify(
      type === 'room.ready'
        ? { type, seq, ts: 0, payload: { ready: true } }
        : { type, seq, ts: 0, payload: {} },
    );

  it('a seq not greater than the last accepted one is answered PROTOCOL_STALE_SEQ and not dispatched', () => {
    const seqs = fc.array(
      fc
        .oneof(fc.nat(50), fc.constant(0), fc.constant(Number.MAX_SAFE_INTEGER))
        .chain((seq) => fc.tuple(fc.constant(seq), fc.constantFrom('tap', 'room.ready'))),
      { minLength: 1, maxLength: 30 },
    );
    fc.assert(
      fc.property(seqs, (messages) => {
        const peer = createFakePeer();
        const session = createJsonEnvelopeProtocol().open(peer);
        let last = -1;
        for (const [seq, type] of messages) {
          peer.clear();
          session.receive(frameFor(type, seq));
          if (seq <= last) {
            expectOneRefusal(peer, ErrorCode.PROTOCOL_STALE_SEQ);
            expect(parseSent(peer)[0]!.payload).toMatchObject({ ref_type: type, ref_seq: seq });
          } else {
            last = seq;
            expect(peer.intents).toEqual([
              type === 'tap'
                ? { kind: 'game', type, payload: {}, requestId: seq }
                : { kind: 'ready', ready: true },
            ]);
            expect(peer.sent).toEqual([]);
          }
        }
      }),
      RUNS,
    );
  });

  it('strictly increasing seqs are accepted whatever the gaps', () => {
    fc.assert(
      fc.property(
        fc.nat(1000),
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 20 }),
        (start, gaps) => {
          const seqs = gaps.reduce((acc, gap) => [...acc, acc.at(-1)! + gap], [start]);
          const peer = createFakePeer();
          const session = createJsonEnvelopeProtocol().open(peer);
          for (const seq of seqs) session.receive(frameFor('tap', seq));
          expect(peer.intents.map((intent) => (intent.kind === 'game' ? intent.requestId : -1))).toEqual(
            seqs,
          );
          expect(peer.sent).toEqual([]);
        },
      ),
      RUNS,
    );
  });
});

describe('json-envelope frame limits', () => {
  const MAX = 64;

  it('frames over maxFrameBytes (counted in UTF-8 bytes) get PROTOCOL_FRAME_TOO_LARGE, others never do', () => {
    const frame = fc.oneof(
      fc.uint8Array({ maxLength: 2 * MAX }),
      text(0, MAX),
      fc.string({ unit: 'binary-ascii', maxLength: 2 * MAX }),
      // Valid envelopes around the limit, with multi-byte text in the payload.
      fc
        .tuple(text(0, 30), fc.nat(9))
        .map(([s, seq]) => JSON.stringify({ type: 't', seq, ts: 0, payload: s })),
    );
    fc.assert(
      fc.property(frame, (f) => {
        const peer = createFakePeer();
        createJsonEnvelopeProtocol({ maxFrameBytes: MAX }).open(peer).receive(f);
        if (utf8Length(f) > MAX) {
          expectOneRefusal(peer, ErrorCode.PROTOCOL_FRAME_TOO_LARGE);
        } else {
          expect(peer.issues.map((issue) => issue.code)).not.toContain(ErrorCode.PROTOCOL_FRAME_TOO_LARGE);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a valid envelope of exactly maxFrameBytes is accepted and one byte more is refused', () => {
    for (const pad of ['a', 'é', '€', '😀']) {
      const base = JSON.stringify({ type: 't', seq: 1, ts: 0, payload: '' });
      const room = MAX - utf8Length(base);
      const fill = pad.repeat(Math.floor(room / utf8Length(pad))) + 'a'.repeat(room % utf8Length(pad));
      const exact = JSON.stringify({ type: 't', seq: 1, ts: 0, payload: fill });
      expect(utf8Length(exact)).toBe(MAX);
      const over = JSON.stringify({ type: 't', seq: 1, ts: 0, payload: fill + 'a' });
      for (const f of [exact, encoder.encode(exact)]) {
        const peer = createFakePeer();
        createJsonEnvelopeProtocol({ maxFrameBytes: MAX }).open(peer).receive(f);
        expect(peer.intents, `${pad} at the limit`).toHaveLength(1);
      }
      for (const f of [over, encoder.encode(over)]) {
        const peer = createFakePeer();
        createJsonEnvelopeProtocol({ maxFrameBytes: MAX }).open(peer).receive(f);
        expectOneRefusal(peer, ErrorCode.PROTOCOL_FRAME_TOO_LARGE);
      }
    }
  });

  it('an envelope with an invalid UTF-8 sequence anywhere in its bytes gets PROTOCOL_MALFORMED_FRAME', () => {
    const invalid = fc.constantFrom(
      [0xff],
      [0xfe],
      [0x80], // a lone continuation byte
      [0xc0, 0xaf], // overlong '/'
      [0xe0, 0x80, 0xaf], // overlong
      [0xed, 0xa0, 0x80], // an encoded surrogate
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0xe2, 0x82], // truncated
      [0xf0, 0x9f, 0x98], // truncated
    );
    fc.assert(
      fc.property(json, invalid, fc.nat(), (payload, bad, at) => {
        const bytes = encoder.encode(JSON.stringify({ type: 'tap', seq: 1, ts: 0, payload }));
        const index = at % (bytes.length + 1);
        const frame = new Uint8Array([...bytes.subarray(0, index), ...bad, ...bytes.subarray(index)]);
        const peer = createFakePeer();
        createJsonEnvelopeProtocol().open(peer).receive(frame);
        expectOneRefusal(peer, ErrorCode.PROTOCOL_MALFORMED_FRAME);
        const client = createJsonEnvelopeClientProtocol().open().decode(frame);
        expect(client).toMatchObject({ ok: false, issue: { code: ErrorCode.PROTOCOL_MALFORMED_FRAME } });
      }),
      RUNS,
    );
  });
});

describe('json-envelope protocol_version', () => {
  const login = fc
    .tuple(fc.boolean(), text(1, 20))
    .map(([resume, token]) => (resume ? { resume_token: token } : { token }));
  const otherParams = fc.dictionary(
    fc.string({ maxLength: 10 }).filter((k) => k !== 'protocol_version' && k !== '__proto__'),
    fc.string({ maxLength: 10 }),
    { maxKeys: 3 },
  );

  function expectMismatch(peer: FakePeer) {
    expect(peer.intents).toEqual([]);
    expect(peer.issues.map((issue) => issue.code)).toEqual([ErrorCode.PROTOCOL_VERSION_MISMATCH]);
    const sent = parseSent(peer);
    expect(sent.map((e) => e.type)).toEqual(['auth.error']);
    expect(sent[0]!.payload).toMatchObject({ code: ErrorCode.PROTOCOL_VERSION_MISMATCH });
    expect(peer.closes.map((close) => close.code)).toEqual([ErrorCode.PROTOCOL_VERSION_MISMATCH]);
    expect(peer.events.map((e) => e.kind)).toEqual(['report', 'send', 'close']);
  }

  it('auth.login without protocol_version or with another one, and none in the params, gets auth.error and a close', () => {
    const announced = fc.option(
      fc.integer().filter((v) => v !== 1),
      { nil: undefined },
    );
    fc.assert(
      fc.property(login, announced, otherParams, fc.nat(), (payload, version, params, seq) => {
        const peer = createFakePeer({ params });
        const body = version === undefined ? payload : { ...payload, protocol_version: version };
        createJsonEnvelopeProtocol()
          .open(peer)
          .receive(JSON.stringify({ type: 'auth.login', seq, ts: 0, payload: body }));
        expectMismatch(peer);
      }),
      RUNS,
    );
  });

  it('auth.login without protocol_version is accepted when the connect params give version 1', () => {
    fc.assert(
      fc.property(login, otherParams, (payload, params) => {
        const peer = createFakePeer({ params: { ...params, protocol_version: '1' } });
        createJsonEnvelopeProtocol()
          .open(peer)
          .receive(JSON.stringify({ type: 'auth.login', seq: 1, ts: 0, payload }));
        expect(peer.intents).toEqual([
          'token' in payload
            ? { kind: 'authenticate', token: payload.token }
            : { kind: 'resume', resumeToken: payload.resume_token },
        ]);
        expect(peer.events.map((e) => e.kind)).toEqual(['dispatch']);
      }),
      RUNS,
    );
  });

  it('auth.login without protocol_version is refused when the connect params give another version', () => {
    const param = fc.string({ maxLength: 6 }).filter((v) => Number(v) !== 1);
    fc.assert(
      fc.property(login, param, (payload, version) => {
        const peer = createFakePeer({ params: { protocol_version: version } });
        createJsonEnvelopeProtocol()
          .open(peer)
          .receive(JSON.stringify({ type: 'auth.login', seq: 1, ts: 0, payload }));
        expectMismatch(peer);
      }),
      RUNS,
    );
  });

  it("the auth.login payload's protocol_version takes precedence over the connect params", () => {
    fc.assert(
      fc.property(login, fc.string({ maxLength: 6 }), (payload, param) => {
        const accepted = createFakePeer({ params: { protocol_version: param } });
        createJsonEnvelopeProtocol()
          .open(accepted)
          .receive(
            JSON.stringify({
              type: 'auth.login',
              seq: 1,
              ts: 0,
              payload: { ...payload, protocol_version: 1 },
            }),
          );
        expect(accepted.intents).toHaveLength(1);
        expect(accepted.sent).toEqual([]);

        const refused = createFakePeer({ params: { protocol_version: '1' } });
        createJsonEnvelopeProtocol()
          .open(refused)
          .receive(
            JSON.stringify({
              type: 'auth.login',
              seq: 1,
              ts: 0,
              payload: { ...payload, protocol_version: 2 },
            }),
          );
        expectMismatch(refused);
      }),
      { numRuns: 50 },
    );
  });
});

describe('json-envelope broadcast', () => {
  it('prepare encodes once: every session sends the same bytes, equal to what deliver encodes apart from seq and ts', () => {
    fc.assert(
      fc.property(serverOutput, fc.integer({ min: 1, max: 4 }), (output, sessionCount) => {
        let clock = 1_700_000_000_000;
        const protocol = createJsonEnvelopeProtocol({ now: () => clock++ });
        const peers = Array.from({ length: sessionCount }, (_, i) =>
          createFakePeer({ connectionId: `c${i}` }),
        );
        const sessions = peers.map((peer) => protocol.open(peer));

        const prepared = protocol.prepare?.(output);
        expect(prepared).toBeInstanceOf(Uint8Array);
        for (const session of sessions) session.deliverPrepared(prepared!);
        const preparedText = strictUtf8.decode(prepared as Uint8Array);
        for (const peer of peers) {
          expect(peer.sent).toHaveLength(1);
          expect(peer.bytes()[0]).toEqual(prepared);
        }

        const single = createFakePeer();
        protocol.open(single).deliver(output);
        const delivered = JSON.parse(single.texts()[0]!) as Envelope;
        const broadcast = JSON.parse(preparedText) as Envelope;
        expect(delivered.seq).toBeGreaterThan(broadcast.seq);
        expect(delivered.ts).toBeGreaterThan(broadcast.ts);
        expect(JSON.stringify({ ...delivered, seq: broadcast.seq, ts: broadcast.ts })).toBe(preparedText);

        const decoded = createJsonEnvelopeClientProtocol().open().decode(prepared!);
        expect(decoded).toEqual({ ok: true, value: [clientView(output)] });
      }),
      RUNS,
    );
  });

  it('a game payload serialized already (payloadJson) is spliced in: the same bytes as serializing it', () => {
    const type = fc
      .stringMatching(/^[a-z][a-z0-9_.]{0,40}$/)
      .filter((t) => !/^(auth|session|room)\./.test(t));
    fc.assert(
      fc.property(type, json, fc.boolean(), (gameType, payload, broadcast) => {
        const output: ServerOutput = { kind: 'game', type: gameType, payload };
        const spliced: ServerOutput = { ...output, payloadJson: JSON.stringify(payload) };
        const encode = (o: ServerOutput) => {
          const protocol = createJsonEnvelopeProtocol({ now: () => 1_700_000_000_000 });
          if (broadcast) return strictUtf8.decode(protocol.prepare?.(o) as Uint8Array);
          const peer = createFakePeer();
          protocol.open(peer).deliver(o);
          return peer.texts()[0];
        };
        expect(encode(spliced)).toBe(encode(output));
      }),
      RUNS,
    );
  });
});
