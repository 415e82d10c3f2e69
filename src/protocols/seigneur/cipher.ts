import { ErrorCode } from '../../core/errors.js';
import { fail, ok } from '../../core/result.js';
import type { DecodeResult } from '../../core/result.js';
import { U32_MAX } from './wire.js';

/**
 * AES-256-GCM on every frame (seed 000 §Security Considerations), with WebCrypto only, so the
 * same code runs in Node 20 and browsers (no node:crypto under src/protocols).
 *
 * Key exchange: each side makes an ephemeral ECDH P-256 key pair; the shared secret goes
 * through HKDF-SHA-256 with the server's 32-byte random salt and an `info` that binds the
 * direction and both public keys, giving one AES-256-GCM key per direction.
 *
 * Sealed frame: `seq u32 | ciphertext | tag (16)`. The 12-byte nonce is 8 zero bytes then
 * `seq`; the 4-byte header is the additional data. `seq` counts from 0 per direction, so with
 * one key per direction a (key, nonce) pair is never used twice; a sender stops at 2^32 - 1
 * frames (`limit`), which is years of frames at any game rate.
 */

export const TAG_BYTES = 16;
export const SEQ_BYTES = 4;
/** Bytes a sealed frame adds to its plaintext. */
export const SEAL_OVERHEAD = SEQ_BYTES + TAG_BYTES;
/** Uncompressed P-256 point: 0x04, x, y. */
export const P256_PUBLIC_KEY_BYTES = 65;

/** What the cipher needs from the platform; defaults to `globalThis.crypto`. */
export interface CryptoProvider {
  readonly subtle: SubtleCrypto;
  getRandomValues<T extends Uint8Array>(array: T): T;
}

export function defaultCrypto(): CryptoProvider | undefined {
  const crypto = (globalThis as { crypto?: CryptoProvider }).crypto;
  return crypto?.subtle ? crypto : undefined;
}

const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;
const utf8 = new TextEncoder();

/** An ephemeral key pair for one handshake; `publicKey` is the raw (65-byte) point. */
export interface EphemeralKey {
  readonly publicKey: Uint8Array;
  readonly privateKey: CryptoKey;
}

export async function createEphemeralKey(crypto: CryptoProvider): Promise<EphemeralKey> {
  const pair = (await crypto.subtle.generateKey(ECDH, false, ['deriveBits'])) as CryptoKeyPair;
  const raw = await crypto.subtle.exportKey('raw', pair.publicKey);
  return { publicKey: new Uint8Array(raw), privateKey: pair.privateKey };
}

/** One raw AES-256 key per direction: client-to-server and server-to-client. */
export interface SessionKeys {
  readonly clientToServer: Uint8Array;
  readonly serverToClient: Uint8Array;
}

/**
 * Derive both session keys (HKDF-SHA-256 output, 32 bytes each). Rejects when `peerPublic` is
 * not a P-256 point (callers turn that into a protocol issue).
 */
export async function deriveSessionKeys(
  crypto: CryptoProvider,
  own: EphemeralKey,
  peerPublic: Uint8Array,
  salt: Uint8Array,
  transcript: { readonly clientPublic: Uint8Array; readonly serverPublic: Uint8Array },
): Promise<SessionKeys> {
  const { subtle } = crypto;
  const peer = await subtle.importKey('raw', copy(peerPublic), ECDH, false, []);
  const shared = await subtle.deriveBits({ name: 'ECDH', public: peer }, own.privateKey, 256);
  const ikm = await subtle.importKey('raw', shared, 'HKDF', false, ['deriveBits']);
  const derive = async (direction: string) => {
    const label = utf8.encode(`seigneur/1 ${direction}`);
    const info = new Uint8Array(label.byteLength + 2 * P256_PUBLIC_KEY_BYTES);
    info.set(label);
    info.set(transcript.clientPublic, label.byteLength);
    info.set(transcript.serverPublic, label.byteLength + transcript.clientPublic.byteLength);
    const bits = await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: copy(salt), info }, ikm, 256);
    return new Uint8Array(bits);
  };
  const [clientToServer, serverToClient] = await Promise.all([derive('c2s'), derive('s2c')]);
  return { clientToServer, serverToClient };
}

/** A copy backed by a plain ArrayBuffer (WebCrypto's BufferSource). */
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/**
 * AES-256-GCM under one key, with a 12-byte nonce and a 16-byte tag: what a FrameCipher runs
 * on. WebCrypto's (`webCryptoAead`) works everywhere; `chartroom/protocols/seigneur/node` has a
 * node:crypto one for servers, several times cheaper per frame (docs, §Measured).
 */
export interface Aead {
  /** `ciphertext | tag`. */
  encrypt(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> | Uint8Array;
  /** The plaintext, or undefined when the tag does not verify. Never throws. */
  decrypt(
    nonce: Uint8Array,
    aad: Uint8Array,
    sealed: Uint8Array,
  ): Promise<Uint8Array | undefined> | Uint8Array | undefined;
}

/** Makes the AEAD for one 32-byte key. */
export type AeadFactory = (key: Uint8Array) => Aead;

/** AES-256-GCM through WebCrypto (Node 20 and browsers); the key is imported non-extractable. */
export function webCryptoAead(crypto: CryptoProvider): AeadFactory {
  return (raw) => {
    const key = crypto.subtle.importKey('raw', copy(raw), 'AES-GCM', false, ['encrypt', 'decrypt']);
    return {
      async encrypt(nonce, aad, plaintext) {
        const params = { name: 'AES-GCM', iv: copy(nonce), additionalData: copy(aad), tagLength: 128 };
        return new Uint8Array(await crypto.subtle.encrypt(params, await key, copy(plaintext)));
      },
      async decrypt(nonce, aad, sealed) {
        try {
          const params = { name: 'AES-GCM', iv: copy(nonce), additionalData: copy(aad), tagLength: 128 };
          return new Uint8Array(await crypto.subtle.decrypt(params, await key, copy(sealed)));
        } catch {
          return undefined;
        }
      },
    };
  };
}

function nonceFor(seq: number): Uint8Array {
  const nonce = new Uint8Array(12);
  nonce[8] = seq >>> 24;
  nonce[9] = seq >>> 16;
  nonce[10] = seq >>> 8;
  nonce[11] = seq;
  return nonce;
}

/**
 * Seals outgoing and opens incoming frames of one session. Counters move when `seal` / `open`
 * are called, not when their promises settle, so a caller may start many operations at once
 * (in frame order) and keep their results in that order.
 */
export interface FrameCipher {
  /** Seal one plaintext frame with the next send counter. */
  seal(plaintext: Uint8Array): Promise<DecodeResult<Uint8Array>>;
  /**
   * Open one sealed frame. A counter below the expected one is a replay (PROTOCOL_STALE_SEQ,
   * refused, the stream goes on); above it, a frame went missing or was reordered, and a tag
   * that does not verify is tampering (both PROTOCOL_INTEGRITY_FAILED, fatal).
   */
  open(frame: Uint8Array): Promise<DecodeResult<Uint8Array>>;
  /** Frames sealed so far (the next send counter). */
  readonly sent: number;
  /** Frames accepted so far (the next expected receive counter). */
  readonly received: number;
}

export interface FrameCipherOptions {
  /** This side's send key and receive key (from `deriveSessionKeys`). */
  readonly sendKey: Uint8Array;
  readonly receiveKey: Uint8Array;
  /** The AEAD implementation. */
  readonly aead: AeadFactory;
  /** Last counter a sender may use. Default 2^32 - 1 (tests lower it). */
  readonly limit?: number;
}

export function createFrameCipher(options: FrameCipherOptions): FrameCipher {
  const sender = options.aead(options.sendKey);
  const receiver = options.aead(options.receiveKey);
  const limit = options.limit ?? U32_MAX;
  let sent = 0;
  let received = 0;
  /** Set by a fatal failure: the stream cannot be trusted any more, every later frame is refused. */
  let broken: DecodeResult<never> | undefined;
  const breakWith = (message: string, seq: number) =>
    (broken = fail({ code: ErrorCode.PROTOCOL_INTEGRITY_FAILED, message, seq, fatal: true }));

  return {
    get sent() {
      return sent;
    },
    get received() {
      return received;
    },
    async seal(plaintext) {
      if (sent > limit) {
        return fail({
          code: ErrorCode.PROTOCOL_INTEGRITY_FAILED,
          message: `Send counter exhausted: expected <= ${limit} frames under one key, this would be frame ${sent + 1}. Reconnect for a fresh key.`,
          fatal: true,
        });
      }
      const seq = sent++;
      const nonce = nonceFor(seq);
      const header = nonce.subarray(8);
      const sealed = await sender.encrypt(nonce, header, plaintext);
      const frame = new Uint8Array(SEQ_BYTES + sealed.byteLength);
      frame.set(header);
      frame.set(sealed, SEQ_BYTES);
      return ok(frame);
    },
    async open(frame) {
      if (frame.byteLength < SEAL_OVERHEAD + 5) {
        return fail({
          code: ErrorCode.PROTOCOL_MALFORMED_FRAME,
          message: `Sealed frame truncated: expected >= ${SEAL_OVERHEAD + 5} bytes (seq, a 5-byte frame, tag), received ${frame.byteLength}.`,
          fatal: true,
        });
      }
      if (broken) return broken;
      const seq =
        (((frame[0] ?? 0) << 24) | ((frame[1] ?? 0) << 16) | ((frame[2] ?? 0) << 8) | (frame[3] ?? 0)) >>> 0;
      if (seq < received) {
        return fail({
          code: ErrorCode.PROTOCOL_STALE_SEQ,
          message: `Replayed frame: expected seq ${received}, received ${seq}; the frame was refused.`,
          seq,
        });
      }
      if (seq > received) {
        return breakWith(
          `Frame out of order: expected seq ${received}, received ${seq} (a frame was dropped or reordered).`,
          seq,
        );
      }
      received++;
      const plain = await receiver.decrypt(
        nonceFor(seq),
        frame.subarray(0, SEQ_BYTES),
        frame.subarray(SEQ_BYTES),
      );
      if (plain) return ok(plain);
      return breakWith(
        `Frame seq ${seq} failed authentication (tampered, corrupted or sealed under another key).`,
        seq,
      );
    },
  };
}
