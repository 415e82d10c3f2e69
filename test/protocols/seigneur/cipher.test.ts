import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SEAL_OVERHEAD,
  createEphemeralKey,
  createFrameCipher,
  defaultCrypto,
  deriveSessionKeys,
  webCryptoAead,
} from 'chartroom/protocols/seigneur';
import type { AeadFactory, CryptoProvider, FrameCipher } from 'chartroom/protocols/seigneur';
import { nodeAead } from 'chartroom/protocols/seigneur/node';

/**
 * AES-256-GCM frames (docs/protocols/seigneur.md §Encryption): one key per direction from an
 * ECDH P-256 exchange and HKDF, `seq u32 | ciphertext | tag`, nonce = 8 zero bytes + seq.
 */

const platform = defaultCrypto() as CryptoProvider;
const aeads: readonly (readonly [string, AeadFactory])[] = [
  ['WebCrypto', webCryptoAead(platform)],
  ['node:crypto', nodeAead],
];

/** An AEAD that records every (key, nonce) pair it encrypts with. */
function recording(inner: AeadFactory): { aead: AeadFactory; nonces: Map<string, string[]> } {
  const nonces = new Map<string, string[]>();
  const aead: AeadFactory = (key) => {
    const id = Buffer.from(key).toString('hex');
    const real = inner(key);
    return {
      encrypt(nonce, aad, plaintext) {
        nonces.set(id, [...(nonces.get(id) ?? []), Buffer.from(nonce).toString('hex')]);
        return real.encrypt(nonce, aad, plaintext);
      },
      decrypt: (nonce, aad, sealed) => real.decrypt(nonce, aad, sealed),
    };
  };
  return { aead, nonces };
}

/** Both ends of one session, keyed through a real exchange. */
async function pair(aead: AeadFactory, limit?: number, receiverAead: AeadFactory = aead) {
  const client = await createEphemeralKey(platform);
  const server = await createEphemeralKey(platform);
  const salt = platform.getRandomValues(new Uint8Array(32));
  const transcript = { clientPublic: client.publicKey, serverPublic: server.publicKey };
  const [c, s] = await Promise.all([
    deriveSessionKeys(platform, client, server.publicKey, salt, transcript),
    deriveSessionKeys(platform, server, client.publicKey, salt, transcript),
  ]);
  expect(c).toEqual(s);
  const extra = limit === undefined ? {} : { limit };
  return {
    client: createFrameCipher({ aead, sendKey: c.clientToServer, receiveKey: c.serverToClient, ...extra }),
    server: createFrameCipher({
      aead: receiverAead,
      sendKey: s.serverToClient,
      receiveKey: s.clientToServer,
      ...extra,
    }),
  };
}

async function seal(cipher: FrameCipher, plaintext: Uint8Array): Promise<Uint8Array> {
  const sealed = await cipher.seal(plaintext);
  if (!sealed.ok) throw new Error(sealed.issue.message);
  return sealed.value;
}

const frames = fc.array(fc.uint8Array({ minLength: 5, maxLength: 300 }), { minLength: 1, maxLength: 12 });

describe.each(aeads)('seigneur AES-256-GCM frames (%s)', (_name, aead) => {
  it('round-trips frames in both directions, each adding 20 bytes', async () => {
    const { client, server } = await pair(aead);
    await fc.assert(
      fc.asyncProperty(frames, async (plaintexts) => {
        for (const plaintext of plaintexts) {
          const up = await seal(client, plaintext);
          expect(up.byteLength).toBe(plaintext.byteLength + SEAL_OVERHEAD);
          expect(await server.open(up)).toEqual({ ok: true, value: plaintext });
          const down = await seal(server, plaintext);
          expect(await client.open(down)).toEqual({ ok: true, value: plaintext });
        }
      }),
      { numRuns: 40 },
    );
  });

  it('refuses any frame with one bit flipped, and refuses everything after a tampered frame', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 5, maxLength: 64 }), fc.nat(), async (plaintext, at) => {
        const { client, server } = await pair(aead);
        const frame = await seal(client, plaintext);
        const bit = at % (frame.byteLength * 8);
        const tampered = frame.slice();
        tampered[bit >> 3]! ^= 1 << (bit & 7);
        const opened = await server.open(tampered);
        expect(opened.ok).toBe(false);
        if (bit >= 32 && !opened.ok) {
          expect(opened.issue).toMatchObject({ code: 'PROTOCOL_INTEGRITY_FAILED', fatal: true });
          // The stream is broken: even the genuine frame is refused now.
          expect((await server.open(frame)).ok).toBe(false);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a replayed frame (PROTOCOL_STALE_SEQ, not fatal) and goes on with the next one', async () => {
    const { client, server } = await pair(aead);
    const first = await seal(client, Uint8Array.of(1, 2, 3, 4, 5));
    const second = await seal(client, Uint8Array.of(6, 7, 8, 9, 10));
    expect((await server.open(first)).ok).toBe(true);
    const replay = await server.open(first);
    expect(replay).toMatchObject({ ok: false, issue: { code: 'PROTOCOL_STALE_SEQ', seq: 0 } });
    expect(replay.ok || replay.issue.fatal).toBeFalsy();
    expect(await server.open(second)).toEqual({ ok: true, value: Uint8Array.of(6, 7, 8, 9, 10) });
  });

  it('refuses a reordered frame as fatal (a frame went missing on an ordered link)', async () => {
    const { client, server } = await pair(aead);
    const first = await seal(client, new Uint8Array(8));
    const second = await seal(client, new Uint8Array(8));
    expect(await server.open(second)).toMatchObject({
      ok: false,
      issue: { code: 'PROTOCOL_INTEGRITY_FAILED', fatal: true, seq: 1 },
    });
    expect((await server.open(first)).ok).toBe(false);
  });

  it('never uses a nonce twice under one key, and each direction has its own key', async () => {
    const { aead: recorded, nonces } = recording(aead);
    const { client, server } = await pair(recorded);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        Promise.all([seal(client, new Uint8Array(5 + (i % 7))), seal(server, new Uint8Array(5))]),
      ),
    );
    expect(nonces.size).toBe(2);
    for (const list of nonces.values()) {
      expect(list).toHaveLength(200);
      expect(new Set(list).size).toBe(200);
    }
  });

  it('stops sealing when the counter reaches its limit instead of reusing a nonce', async () => {
    const { client } = await pair(aead, 1);
    await seal(client, new Uint8Array(5));
    await seal(client, new Uint8Array(5));
    expect(await client.seal(new Uint8Array(5))).toMatchObject({
      ok: false,
      issue: { code: 'PROTOCOL_INTEGRITY_FAILED', fatal: true },
    });
  });

  it('does not open frames sealed for another session', async () => {
    const one = await pair(aead);
    const other = await pair(aead);
    const frame = await seal(one.client, new Uint8Array(16));
    expect(await other.server.open(frame)).toMatchObject({
      ok: false,
      issue: { code: 'PROTOCOL_INTEGRITY_FAILED' },
    });
  });

  it('refuses a key exchange with a public key that is not a P-256 point', async () => {
    const own = await createEphemeralKey(platform);
    const bogus = Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : 7));
    const transcript = { clientPublic: own.publicKey, serverPublic: bogus };
    await expect(deriveSessionKeys(platform, own, bogus, new Uint8Array(32), transcript)).rejects.toThrow();
  });
});

describe('seigneur AES-256-GCM interoperability', () => {
  it('opens with node:crypto what WebCrypto sealed, and the other way round', async () => {
    for (const [from, to] of [
      [webCryptoAead(platform), nodeAead],
      [nodeAead, webCryptoAead(platform)],
    ] as const) {
      const { client, server } = await pair(from, undefined, to);
      const plaintext = Uint8Array.from({ length: 40 }, (_, i) => i);
      expect(await server.open(await seal(client, plaintext))).toEqual({ ok: true, value: plaintext });
    }
  });
});
