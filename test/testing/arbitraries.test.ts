import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClientIntent, ProtocolIssue, ServerOutput } from 'chartroom';
import {
  createJsonEnvelopeClientProtocol,
  createJsonEnvelopeProtocol,
} from 'chartroom/protocols/json-envelope';
import { arbitraries, arbitrariesFor, protocolArbitraries } from 'chartroom/testing';
import type { Frame } from 'chartroom/testing';

/** A server session of the envelope with a recording peer. */
function serverSession() {
  const sent: Frame[] = [];
  const intents: ClientIntent[] = [];
  const issues: ProtocolIssue[] = [];
  const session = createJsonEnvelopeProtocol().open({
    connectionId: 'c1',
    params: {},
    send: (frame) => sent.push(frame),
    dispatch: (intent) => intents.push(intent),
    report: (issue) => issues.push(issue),
    close: () => undefined,
    ping: undefined,
  });
  return { session, sent, intents, issues };
}

describe('protocol arbitraries', () => {
  it('lists the JSON envelope in the registry', () => {
    expect(protocolArbitraries.map((a) => a.protocol)).toContain('json-envelope');
    expect(() => arbitrariesFor('nope')).toThrow(/No arbitraries for protocol "nope"/);
  });

  const envelope = arbitrariesFor('json-envelope');

  it('generates server outputs the envelope carries faithfully: decode(encode(o)) is [o]', () => {
    fc.assert(
      fc.property(envelope.serverOutput(), (output: ServerOutput) => {
        const { session, sent } = serverSession();
        session.deliver(output);
        const decoded = createJsonEnvelopeClientProtocol().open().decode(sent[0]!);
        expect(decoded).toEqual({ ok: true, value: [output] });
      }),
    );
  });

  it('generates client frame sequences the server session turns into one intent each, no issue', () => {
    fc.assert(
      fc.property(envelope.clientFrames(), (frames) => {
        const { session, intents, issues } = serverSession();
        frames.forEach((frame) => session.receive(frame));
        expect(issues).toEqual([]);
        expect(intents).toHaveLength(frames.length);
      }),
    );
  });

  it('generates garbage the server session answers or reports and never throws on', () => {
    fc.assert(
      fc.property(fc.array(envelope.garbageFrame(), { minLength: 1, maxLength: 5 }), (frames) => {
        const { session, intents, issues, sent } = serverSession();
        for (const frame of frames) expect(() => session.receive(frame)).not.toThrow();
        expect(issues.length + intents.length).toBeGreaterThan(0);
        expect(sent.length).toBeGreaterThanOrEqual(issues.length > 0 ? 1 : 0);
      }),
    );
  });

  it('encodes every kind of client intent and server output without throwing', () => {
    fc.assert(
      fc.property(arbitraries.clientIntent(), arbitraries.serverOutput(), (intent, output) => {
        expect(() => createJsonEnvelopeClientProtocol().open().encode(intent)).not.toThrow();
        expect(() => serverSession().session.deliver(output)).not.toThrow();
      }),
    );
  });
});
