import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createSimulatedClock } from 'chartroom';
import {
  Flag,
  createChannel,
  createSiderealProtocol,
  decodeClientBody,
  decodePacket,
  decodeServerBody,
  encodeBody,
  encodePacket,
} from 'chartroom/protocols/sidereal';
import type { ClientBody, ServerBody } from 'chartroom/protocols/sidereal';
import { createFakePeer } from '../support/fake-peer.js';

const seq = fc.integer({ min: 1, max: 0xffff_ffff });
/** Any flags a well-formed packet may carry: MORE only with RELIABLE and without ACK. */
const flags = fc
  .integer({ min: 0, max: 255 })
  .filter((f) => !(f & Flag.MORE) || (Boolean(f & Flag.RELIABLE) && !(f & Flag.ACK)));
/** Trait names; `__proto__` is refused (see the test below), so never generated here. */
const name = fc.string({ minLength: 1, maxLength: 16 }).filter((n) => n !== '__proto__');
const id = fc.string({ minLength: 1, maxLength: 32 });
const time = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const token = fc.string({ minLength: 1, maxLength: 200 });
const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 40 }),
  fc.boolean(),
);
const traits = fc.dictionary(name, value, { maxKeys: 8 });
const changes = fc.dictionary(name, fc.option(value, { nil: null }), { maxKeys: 8 });
const role = fc.constantFrom('player' as const, 'viewer' as const);

const clientBody: fc.Arbitrary<ClientBody> = fc.oneof(
  fc.record({ type: fc.constant('knock' as const) }),
  fc.record(
    { type: fc.constant('knock' as const), ticket: token, room: id, role, v: fc.integer({ min: 0, max: 9 }) },
    { requiredKeys: ['type', 'ticket', 'room'] },
  ),
  fc.record(
    { type: fc.constant('knock' as const), resume: token, role },
    { requiredKeys: ['type', 'resume'] },
  ),
  fc.record({ type: fc.constant('stop' as const) }),
);

const serverBody: fc.Arbitrary<ServerBody> = fc.oneof(
  fc.record(
    {
      type: fc.constant('snap' as const),
      id,
      time,
      total: fc.integer({ min: 1, max: 1000 }),
      initial: fc.constant(true),
      traits,
    },
    { requiredKeys: ['type', 'id', 'time', 'total', 'traits'] },
  ),
  fc.record({ type: fc.constant('diff' as const), id, time, traits: changes }),
  fc.record(
    { type: fc.constant('heartbeat' as const), time, rtt: fc.double({ min: 0, max: 10_000, noNaN: true }) },
    { requiredKeys: ['type', 'time'] },
  ),
  fc.record({ type: fc.constant('game' as const), name, payload: fc.jsonValue() }),
  fc.record(
    { type: fc.constant('error' as const), code: name, message: fc.string({ maxLength: 80 }), ref: name },
    { requiredKeys: ['type', 'code', 'message'] },
  ),
  fc.record({ type: fc.constant('bye' as const), code: name, message: fc.string({ maxLength: 80 }) }),
);

/** JSON drops -0 and undefined: compare bodies as their JSON would. */
const viaJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

describe('sidereal codec properties', () => {
  test.prop([seq, flags, fc.uint8Array({ maxLength: 300 })])(
    'header: decode(encode(p)) is p',
    (s, f, body) => {
      const decoded = decodePacket(encodePacket(s, f, body), 1200);
      expect(decoded.ok).toBe(true);
      if (decoded.ok)
        expect({ ...decoded.value, body: Array.from(decoded.value.body) }).toEqual({
          seq: s,
          flags: f,
          body: Array.from(body),
        });
    },
  );

  test.prop([clientBody])('client bodies: decode(encode(b)) is b', (body) => {
    expect(decodeClientBody(encodeBody(body))).toEqual({ ok: true, value: viaJson(body) });
  });

  test.prop([serverBody])('server bodies: decode(encode(b)) is b', (body) => {
    expect(decodeServerBody(encodeBody(body))).toEqual({ ok: true, value: viaJson(body) });
  });

  it('refuses a trait named __proto__ (no plain object can hold it) instead of dropping it', () => {
    const snap = { type: 'snap', id: 'ship-1', time: 0, total: 1, traits: { x: 1 } };
    const bytes = new TextEncoder().encode(JSON.stringify(snap).replace('"x"', '"__proto__"'));
    const decoded = decodeServerBody(bytes);
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? '' : decoded.issue.message).toContain('__proto__');
  });

  test.prop([fc.uint8Array({ maxLength: 1500 })])('arbitrary bytes never throw, in any decoder', (bytes) => {
    const packet = decodePacket(bytes, 1200);
    expect(typeof packet.ok).toBe('boolean');
    expect(typeof decodeClientBody(bytes).ok).toBe('boolean');
    expect(typeof decodeServerBody(bytes).ok).toBe('boolean');
  });

  test.prop([
    fc.array(
      fc.oneof(
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ minLength: 5, maxLength: 64 }).map((b) => {
          b[4] = (b[4] ?? 0) & 0x13; // mostly well-formed headers, so bodies get parsed too
          return b;
        }),
      ),
      { maxLength: 40 },
    ),
  ])(
    'a server session fed arbitrary datagrams never throws, counts every bad one and answers none of them',
    (datagrams) => {
      const peer = createFakePeer({ ping: false });
      const session = createSiderealProtocol({ clock: createSimulatedClock(0), heartbeatMs: 0 }).open(peer);
      let malformed = 0;
      for (const datagram of datagrams) {
        const sentBefore = peer.sent.length;
        const header = decodePacket(datagram, 1200);
        expect(() => session.receive(datagram)).not.toThrow();
        if (!header.ok) {
          malformed++;
          expect(peer.sent.length).toBe(sentBefore); // no answer to a malformed datagram
        }
      }
      expect(peer.issues.length).toBeGreaterThanOrEqual(malformed);
      for (const issue of peer.issues) expect(issue.code).toMatch(/^(PROTOCOL|AUTH)_/);
      session.close?.();
    },
  );

  test.prop([fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 50 })])(
    'a channel fed arbitrary datagrams never throws and only ever sends ACKs back',
    (datagrams) => {
      const sent: Uint8Array[] = [];
      const channel = createChannel(createSimulatedClock(0), {
        transmit: (d) => sent.push(d),
        message: () => undefined,
        issue: () => undefined,
        failed: () => undefined,
      });
      for (const datagram of datagrams) expect(() => channel.receive(datagram)).not.toThrow();
      for (const datagram of sent) expect((datagram[4] ?? 0) & Flag.ACK).toBe(Flag.ACK);
      channel.close();
    },
  );
});
