import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from 'chartroom';
import {
  compactToken,
  createSeigneurProtocol,
  decodePacket,
  encodePacket,
  expandToken,
} from 'chartroom/protocols/seigneur';
import type { SeigneurPacket, WeaponAction } from 'chartroom/protocols/seigneur';
import { createSimulatedClock } from 'chartroom';
import { createTokenService } from 'chartroom/server';
import { createFakePeer } from '../support/fake-peer.js';

/**
 * Properties of the Seigneur codec, written from the spec (docs/protocols/seigneur.md): every
 * packet has an exact length, so a frame decodes only when it is exactly one packet.
 */

const RUNS = { numRuns: 300 };
const registry: readonly string[] = Object.values(ErrorCode);
const utf8 = new TextEncoder();
/** No lone surrogates (they have no UTF-8 form). */
const wellFormed = (s: string) => !/\p{Cs}/u.test(s);

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const text = (maxBytes: number, minBytes = 0) =>
  fc
    .string({ unit: 'binary', maxLength: maxBytes })
    .filter((s) => wellFormed(s) && utf8.encode(s).byteLength <= maxBytes)
    .filter((s) => utf8.encode(s).byteLength >= minBytes);
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

const action: fc.Arbitrary<WeaponAction> = fc.oneof(
  fc.record({ kind: fc.constant('shoot' as const), angle: u16 }),
  fc.record({ kind: fc.constant('damage' as const), target: u32, amount: u16, hp: u16 }),
  fc.record({ kind: fc.constant('ability' as const), ability: u8, angle: u16 }),
  fc.record({ kind: fc.constant('death' as const), killer: u32 }),
  fc.record({ kind: fc.constant('respawn' as const), x: u16, y: u16, hp: u16 }),
);

/** Every packet the protocol has, with every field over its whole range. */
export const packetArbitrary: fc.Arbitrary<SeigneurPacket> = fc.oneof(
  fc.record({ type: fc.constant('move' as const), tick: u32, playerId: u32, x: u16, y: u16, velocity: u16 }),
  fc.record({ type: fc.constant('join' as const), tick: u32, playerId: u32, name: text(255, 1) }),
  fc.record({ type: fc.constant('leave' as const), tick: u32, playerId: u32 }),
  fc.record({
    type: fc.constant('sanityCheck' as const),
    tick: u32,
    roomId: u32,
    playerId: u32,
    token: bytes(0, 255),
  }),
  fc.record({ type: fc.constant('weapon' as const), tick: u32, playerId: u32, action }),
  fc.record({
    type: fc.constant('error' as const),
    tick: u32,
    code: fc.constantFrom(...registry),
    ref: u8,
    fatal: fc.boolean(),
    message: text(300),
  }),
  fc.record({ type: fc.constant('keyRequest' as const), tick: u32, suite: u8, publicKey: bytes(1, 255) }),
  fc.record({
    type: fc.constant('keyResponse' as const),
    tick: u32,
    suite: u8,
    publicKey: bytes(1, 255),
    salt: bytes(32, 32),
  }),
);

const encoded = (packet: SeigneurPacket): Uint8Array => {
  const result = encodePacket(packet);
  if (!result.ok) throw new Error(result.issue.message);
  return result.value;
};

describe('seigneur codec properties', () => {
  it('decode(encode(p)) equals p for every packet', () => {
    fc.assert(
      fc.property(packetArbitrary, (packet) => {
        expect(decodePacket(encoded(packet), 4096)).toEqual({ ok: true, value: packet });
      }),
      RUNS,
    );
  });

  it('every strict prefix of a frame is malformed, never a throw', () => {
    fc.assert(
      fc.property(packetArbitrary, fc.nat(), (packet, cut) => {
        const frame = encoded(packet);
        const prefix = frame.subarray(0, cut % frame.byteLength);
        const result = decodePacket(prefix, 4096);
        expect(result).toMatchObject({ ok: false, issue: { code: 'PROTOCOL_MALFORMED_FRAME', fatal: true } });
      }),
      RUNS,
    );
  });

  it('a frame with bytes after its packet is malformed', () => {
    fc.assert(
      fc.property(packetArbitrary, bytes(1, 8), (packet, extra) => {
        const frame = encoded(packet);
        const longer = new Uint8Array(frame.byteLength + extra.byteLength);
        longer.set(frame);
        longer.set(extra, frame.byteLength);
        expect(decodePacket(longer, 4096)).toMatchObject({
          ok: false,
          issue: { code: 'PROTOCOL_MALFORMED_FRAME' },
        });
      }),
      RUNS,
    );
  });

  it('arbitrary bytes never throw: a registry issue, or a packet that encodes back to the same bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(bytes(0, 600), fc.tuple(u32, fc.integer({ min: 0, max: 9 }), bytes(0, 80))),
        (input) => {
          const frame =
            input instanceof Uint8Array ? input : Uint8Array.from([0, 0, 0, 0, input[1], ...input[2]]);
          const result = decodePacket(frame);
          if (result.ok) {
            expect(Buffer.from(encoded(result.value))).toEqual(Buffer.from(frame));
          } else {
            expect(registry).toContain(result.issue.code);
            expect(result.issue.message).not.toBe('');
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('encode refuses out-of-range fields with an issue instead of writing wrong bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0x10000, max: 2 ** 40 }), fc.integer({ max: -1 }), fc.double()),
        (bad) => {
          fc.pre(!Number.isInteger(bad) || bad < 0 || bad > 0xffff);
          const result = encodePacket({ type: 'move', tick: 0, playerId: 1, x: bad, y: 0, velocity: 0 });
          expect(result).toMatchObject({
            ok: false,
            issue: { code: 'PROTOCOL_INVALID_MESSAGE', messageType: 'move' },
          });
        },
      ),
      RUNS,
    );
  });
});

describe('seigneur server session properties', () => {
  it('answers arbitrary bytes before the handshake with an Error packet and a close, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(bytes(0, 300), async (frame) => {
        const peer = createFakePeer();
        const session = createSeigneurProtocol({ encryption: 'off' }).open(peer);
        expect(() => session.receive(frame)).not.toThrow();
        const answer = peer.bytes()[0];
        if (peer.intents.length > 0) return; // a valid Sanity Check by chance: handed on
        expect(answer).toBeDefined();
        const decoded = decodePacket(answer!, 4096);
        expect(decoded.ok && decoded.value.type).toBe('error');
        expect(decoded.ok && decoded.value.type === 'error' && decoded.value.fatal).toBe(true);
        expect(peer.closes).toHaveLength(1);
        expect(registry).toContain(peer.issues[0]?.code);
      }),
      RUNS,
    );
  });
});

describe('seigneur compact token properties', () => {
  const clock = createSimulatedClock(1_700_000_000_000);
  const tokens = createTokenService('property-secret-0123456789', clock);

  it('HTTP-issued tickets (UUID user, name <= 32 characters, decimal room) always fit and round-trip', () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 32 }).filter((s) => wellFormed(s)),
        u32,
        fc.option(fc.constantFrom('player' as const, 'viewer' as const), { nil: undefined }),
        (userId, name, room, role) => {
          const ticket = tokens.sign({
            kind: 'ticket',
            userId,
            name,
            roomId: String(room),
            exp: 1_700_000_600_000,
            ...(role ? { role } : {}),
          });
          const compact = compactToken(ticket, { roomId: room, playerId: 0 });
          expect(compact.ok).toBe(true);
          if (!compact.ok) return;
          expect(compact.value.byteLength).toBeLessThanOrEqual(255);
          expect(expandToken(compact.value, { roomId: room, playerId: 0 })).toEqual({
            ok: true,
            value: { kind: 'ticket', token: ticket },
          });
        },
      ),
      RUNS,
    );
  });

  it('expanding arbitrary token bytes never throws and never yields a token the server accepts', () => {
    fc.assert(
      fc.property(bytes(0, 255), u32, u32, (token, roomId, playerId) => {
        const expanded = expandToken(token, { roomId, playerId });
        if (!expanded.ok) expect(expanded.issue.code).toBe('AUTH_INVALID_TOKEN');
        else expect(() => tokens.verify(expanded.value.token, expanded.value.kind)).toThrow();
      }),
      { numRuns: 1000 },
    );
  });
});
