import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ClientIntent, ErrorCode, ServerOutput } from 'chartroom';
import {
  createJsonEnvelopeClientProtocol,
  createJsonEnvelopeProtocol,
} from 'chartroom/protocols/json-envelope';
import type { Envelope } from 'chartroom/protocols/json-envelope';
import { createFakePeer } from '../support/fake-peer.js';

/**
 * Golden frames for the JSON envelope protocol (seed 002). The fixtures are the reference:
 * a frame on the wire is JSON.stringify of a fixture's `wire` object, byte for byte.
 */

interface IntentCase {
  readonly name: string;
  readonly wire: Envelope;
  readonly intent: ClientIntent;
}
interface OutputCase {
  readonly name: string;
  readonly output: ServerOutput;
  readonly wire: Envelope;
  /** What the client decodes, when the envelope cannot carry the whole output. */
  readonly decoded?: ServerOutput;
}
interface SeedServerCase {
  readonly name: string;
  readonly wire: Envelope;
  readonly decoded?: ServerOutput[];
  readonly issue?: { readonly code: ErrorCode; readonly messageType: string };
}
interface RejectionCase {
  readonly name: string;
  readonly params: Record<string, string>;
  readonly frames: (Envelope | string)[];
  readonly sent: Envelope[];
  readonly issues: ErrorCode[];
  readonly closes: ErrorCode[];
  readonly intents: ClientIntent[];
}

function fixture<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')) as T;
}

const clientMessages = fixture<{ cases: IntentCase[] }>('client-messages.json');
const seedClientMessages = fixture<{ params: Record<string, string>; cases: IntentCase[] }>(
  'seed-client-messages.json',
);
const serverOutputs = fixture<{ now: number; cases: OutputCase[] }>('server-outputs.json');
const seedServerMessages = fixture<{ cases: SeedServerCase[] }>('seed-server-messages.json');
const rejections = fixture<{ now: number; cases: RejectionCase[] }>('rejections.json');

const frameOf = (wire: Envelope | string): string => (typeof wire === 'string' ? wire : JSON.stringify(wire));
const utf8 = new TextEncoder();

describe('json-envelope golden client messages (fixtures/client-messages.json)', () => {
  it.each(clientMessages.cases)('the server decodes $name into its intent and answers nothing', (c) => {
    for (const frame of [frameOf(c.wire), utf8.encode(frameOf(c.wire))]) {
      const peer = createFakePeer();
      createJsonEnvelopeProtocol().open(peer).receive(frame);
      expect(peer.intents).toEqual([c.intent]);
      expect(peer.sent).toEqual([]);
      expect(peer.issues).toEqual([]);
      expect(peer.closes).toEqual([]);
    }
  });

  it('the client encodes each intent into exactly the fixture frame, numbering seq 1, 2, 3, ...', () => {
    let ts = 0;
    const session = createJsonEnvelopeClientProtocol({ now: () => ts }).open();
    clientMessages.cases.forEach((c, index) => {
      expect(c.wire.seq, `fixture ${c.name} is numbered in session order`).toBe(index + 1);
      ts = c.wire.ts;
      expect(session.encode(c.intent)).toEqual([frameOf(c.wire)]);
    });
  });

  it('the client sends no frame for a pong (the transport answers pings itself)', () => {
    const session = createJsonEnvelopeClientProtocol({ now: () => 1 }).open();
    expect(session.encode({ kind: 'pong' })).toEqual([]);
    const next = session.encode({ kind: 'leave' })[0];
    expect(JSON.parse(next as string)).toMatchObject({ seq: 1 });
  });
});

describe('json-envelope golden seed 002 client examples (fixtures/seed-client-messages.json)', () => {
  it("the server decodes seed 002's examples in order, accepting seq gaps, with the version in the connect params", () => {
    const peer = createFakePeer({ params: seedClientMessages.params });
    const session = createJsonEnvelopeProtocol().open(peer);
    for (const c of seedClientMessages.cases) session.receive(frameOf(c.wire));
    expect(peer.intents).toEqual(seedClientMessages.cases.map((c) => c.intent));
    expect(peer.sent).toEqual([]);
    expect(peer.issues).toEqual([]);
    expect(peer.closes).toEqual([]);
  });

  it.each(seedClientMessages.cases)(
    'the client encodes the intent of seed $name with the same type and payload',
    (c) => {
      const [frame, ...rest] = createJsonEnvelopeClientProtocol({ now: () => c.wire.ts })
        .open()
        .encode(c.intent);
      expect(rest).toEqual([]);
      const sent = JSON.parse(frame as string) as Envelope;
      // Chartroom's client always announces its version in auth.login (seed 002, Versioning).
      const payload =
        c.wire.type === 'auth.login'
          ? { ...(c.wire.payload as object), protocol_version: 1 }
          : c.wire.payload;
      expect(sent.type).toBe(c.wire.type);
      expect(sent.ts).toBe(c.wire.ts);
      expect(JSON.stringify(sent.payload)).toBe(JSON.stringify(payload));
    },
  );
});

describe('json-envelope golden server outputs (fixtures/server-outputs.json)', () => {
  it('the server encodes every output kind into exactly the fixture frames, seq counting per protocol instance', () => {
    const peer = createFakePeer();
    const session = createJsonEnvelopeProtocol({ now: () => serverOutputs.now }).open(peer);
    for (const c of serverOutputs.cases) session.deliver(c.output);
    expect(peer.texts()).toEqual(serverOutputs.cases.map((c) => frameOf(c.wire)));
    expect(peer.issues).toEqual([]);
  });

  it('the server seq is shared by every session of one protocol instance', () => {
    const protocol = createJsonEnvelopeProtocol({ now: () => serverOutputs.now });
    const peers = [createFakePeer(), createFakePeer(), createFakePeer()];
    const sessions = peers.map((peer) => protocol.open(peer));
    for (const [index, c] of serverOutputs.cases.slice(0, 7).entries()) {
      sessions[index % sessions.length]!.deliver(c.output);
    }
    const seqs = peers.map((peer) => peer.texts().map((text) => (JSON.parse(text) as Envelope).seq));
    expect(seqs).toEqual([
      [1, 4, 7],
      [2, 5],
      [3, 6],
    ]);
  });

  it.each(serverOutputs.cases)('the client decodes the $name frame as the fixture says', (c) => {
    const session = createJsonEnvelopeClientProtocol().open();
    const expected = { ok: true, value: [c.decoded ?? c.output] };
    expect(session.decode(frameOf(c.wire))).toEqual(expected);
    expect(session.decode(utf8.encode(frameOf(c.wire)))).toEqual(expected);
  });

  it('a ping goes to the transport ping: no frame, no seq consumed, no prepared broadcast', () => {
    const protocol = createJsonEnvelopeProtocol({ now: () => serverOutputs.now });
    const peer = createFakePeer();
    const session = protocol.open(peer);
    session.deliver({ kind: 'ping' });
    expect(peer.pings).toBe(1);
    expect(peer.sent).toEqual([]);
    expect(protocol.prepare?.({ kind: 'ping' })).toBeUndefined();
    session.deliver(serverOutputs.cases[0]!.output);
    expect(peer.texts()).toEqual([frameOf(serverOutputs.cases[0]!.wire)]);
  });

  it('a ping on a link without a transport ping sends nothing', () => {
    const peer = createFakePeer({ ping: false });
    createJsonEnvelopeProtocol().open(peer).deliver({ kind: 'ping' });
    expect(peer.events).toEqual([]);
  });
});

describe('json-envelope golden seed 002 server examples (fixtures/seed-server-messages.json)', () => {
  it.each(seedServerMessages.cases)('the client decodes seed $name as the fixture says', (c) => {
    const result = createJsonEnvelopeClientProtocol().open().decode(frameOf(c.wire));
    if (c.decoded) {
      expect(result).toEqual({ ok: true, value: c.decoded });
    } else {
      expect(result).toMatchObject({ ok: false, issue: c.issue });
    }
  });
});

describe('json-envelope golden rejections (fixtures/rejections.json)', () => {
  it.each(rejections.cases)('the server answers $name as the fixture says', (c) => {
    const peer = createFakePeer({ params: c.params });
    const session = createJsonEnvelopeProtocol({ now: () => rejections.now }).open(peer);
    for (const frame of c.frames) session.receive(frameOf(frame));
    expect(peer.texts()).toEqual(c.sent.map(frameOf));
    expect(peer.issues.map((issue) => issue.code)).toEqual(c.issues);
    expect(peer.closes.map((close) => close.code)).toEqual(c.closes);
    expect(peer.intents).toEqual(c.intents);
    // Reported before answered; a close comes after the answer that says why.
    const order = peer.events.filter((e) => e.kind !== 'dispatch').map((e) => e.kind);
    expect(order).toEqual(c.issues.flatMap(() => ['report', 'send']).concat(c.closes.map(() => 'close')));
  });
});
