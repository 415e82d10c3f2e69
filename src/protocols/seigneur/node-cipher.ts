/**
 * `chartroom/protocols/seigneur/node`: AES-256-GCM through node:crypto for Seigneur servers.
 * NODE-ONLY (excluded from the browser-safe lint rule). Same wire format as the WebCrypto
 * default, several times cheaper per frame because it skips WebCrypto's promise and thread-pool
 * hop (docs/protocols/seigneur.md §Measured). Clients keep WebCrypto; they interoperate.
 *
 * @example
 * createSeigneurProtocol({ aead: nodeAead })
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { Aead, AeadFactory } from './cipher.js';
import { TAG_BYTES } from './cipher.js';

export const nodeAead: AeadFactory = (key: Uint8Array): Aead => {
  const secret = Buffer.from(key);
  return {
    encrypt(nonce, aad, plaintext) {
      const cipher = createCipheriv('aes-256-gcm', secret, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad);
      const body = cipher.update(plaintext);
      const final = cipher.final();
      const tag = cipher.getAuthTag();
      const out = new Uint8Array(body.byteLength + final.byteLength + TAG_BYTES);
      out.set(body);
      out.set(final, body.byteLength);
      out.set(tag, body.byteLength + final.byteLength);
      return out;
    },
    decrypt(nonce, aad, sealed) {
      if (sealed.byteLength < TAG_BYTES) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', secret, nonce, { authTagLength: TAG_BYTES });
        decipher.setAAD(aad);
        decipher.setAuthTag(sealed.subarray(sealed.byteLength - TAG_BYTES));
        const body = decipher.update(sealed.subarray(0, sealed.byteLength - TAG_BYTES));
        const final = decipher.final();
        if (final.byteLength === 0) return new Uint8Array(body);
        const out = new Uint8Array(body.byteLength + final.byteLength);
        out.set(body);
        out.set(final, body.byteLength);
        return out;
      } catch {
        return undefined;
      }
    },
  };
};
