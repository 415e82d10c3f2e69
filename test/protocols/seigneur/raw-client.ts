/**
 * A raw Seigneur client over `ws` for tests that need exact bytes on the wire (the SDK would
 * never spoof a player id, replay a sealed frame or flip a ciphertext bit).
 */
import {
  CipherSuite,
  compactToken,
  createEphemeralKey,
  createFrameCipher,
  decodePacket,
  defaultCrypto,
  deriveSessionKeys,
  encodePacket,
  webCryptoAead,
} from 'chartroom/protocols/seigneur';
import type { FrameCipher, SeigneurPacket } from 'chartroom/protocols/seigneur';
import { WebSocket } from 'ws';
import type { ClientOptions, RawData } from 'ws';

export const seigneurEndpoint = (url: string) => `${url.replace(/^http/, 'ws')}/ws/seigneur`;

export interface RawSeigneur {
  readonly ws: WebSocket;
  /** Every packet received (opened and decoded), in arrival order. */
  readonly packets: readonly SeigneurPacket[];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly isClosed: boolean;
  /** Encode (and seal, after `keyExchange`) one packet, and send it. */
  send(packet: SeigneurPacket): Promise<void>;
  /** Send bytes exactly as given. */
  sendRaw(bytes: Uint8Array): void;
  /** Encode and seal a packet without sending it (to replay, reorder or tamper with it). */
  seal(packet: SeigneurPacket): Promise<Uint8Array>;
  /** Key Exchange Request, then wait for the Response; later frames are sealed both ways. */
  keyExchange(): Promise<void>;
  /** The first packet not taken yet that matches, waiting up to `timeoutMs`. */
  next(match: (p: SeigneurPacket) => boolean, timeoutMs?: number): Promise<SeigneurPacket>;
  /** Sanity Check with a ticket; resolves with the server's Sanity Check or Error. */
  sanityCheck(token: string, roomId: number, playerId?: number): Promise<SeigneurPacket>;
  close(): void;
}

const bytesOf = (data: RawData): Uint8Array =>
  Buffer.isBuffer(data) ? new Uint8Array(data) : new Uint8Array(Buffer.concat(data as Buffer[]));

export async function connectSeigneur(url: string, options: ClientOptions = {}): Promise<RawSeigneur> {
  const crypto = defaultCrypto();
  if (!crypto) throw new Error('WebCrypto is needed');
  const ws = new WebSocket(seigneurEndpoint(url), options);
  ws.binaryType = 'nodebuffer';
  const packets: SeigneurPacket[] = [];
  const taken = new Set<number>();
  const wakers = new Set<() => void>();
  const wake = () => [...wakers].forEach((w) => w());
  let cipher: FrameCipher | undefined;
  let onKeyResponse: ((p: Extract<SeigneurPacket, { type: 'keyResponse' }>) => void) | undefined;
  let inbound: Promise<void> = Promise.resolve();
  let isClosed = false;

  ws.on('message', (data: RawData) => {
    const frame = bytesOf(data);
    inbound = inbound.then(async () => {
      let plain = frame;
      if (cipher) {
        const opened = await cipher.open(frame);
        if (!opened.ok) throw new Error(`server frame refused: ${opened.issue.message}`);
        plain = opened.value;
      }
      const decoded = decodePacket(plain, 4096);
      if (!decoded.ok) throw new Error(`server frame undecodable: ${decoded.issue.message}`);
      if (decoded.value.type === 'keyResponse' && onKeyResponse) return onKeyResponse(decoded.value);
      packets.push(decoded.value);
      wake();
    });
  });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code: number, reason: Buffer) => {
      // Settle after the frames received before the close are opened and decoded.
      const done = () => {
        isClosed = true;
        resolve({ code, reason: reason.toString('utf8') });
        wake();
      };
      void inbound.then(done, done);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });

  const encode = (packet: SeigneurPacket) => {
    const encoded = encodePacket(packet);
    if (!encoded.ok) throw new Error(encoded.issue.message);
    return encoded.value;
  };
  const seal = async (packet: SeigneurPacket) => {
    if (!cipher) return encode(packet);
    const sealed = await cipher.seal(encode(packet));
    if (!sealed.ok) throw new Error(sealed.issue.message);
    return sealed.value;
  };

  const client: RawSeigneur = {
    ws,
    packets,
    closed,
    get isClosed() {
      return isClosed;
    },
    seal,
    async send(packet) {
      ws.send(await seal(packet));
    },
    sendRaw(bytes) {
      ws.send(bytes);
    },
    async keyExchange() {
      const own = await createEphemeralKey(crypto);
      const response = new Promise<Extract<SeigneurPacket, { type: 'keyResponse' }>>(
        (resolve) => (onKeyResponse = resolve),
      );
      ws.send(
        encode({
          type: 'keyRequest',
          tick: 0,
          suite: CipherSuite.P256_HKDF_SHA256_AES256GCM,
          publicKey: own.publicKey,
        }),
      );
      const answer = await response;
      const keys = await deriveSessionKeys(crypto, own, answer.publicKey, answer.salt, {
        clientPublic: own.publicKey,
        serverPublic: answer.publicKey,
      });
      cipher = createFrameCipher({
        aead: webCryptoAead(crypto),
        sendKey: keys.clientToServer,
        receiveKey: keys.serverToClient,
      });
      onKeyResponse = undefined;
    },
    next(match, timeoutMs = 2000) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const index = packets.findIndex((p, i) => !taken.has(i) && match(p));
          if (index >= 0) {
            taken.add(index);
            finish();
            resolve(packets[index] as SeigneurPacket);
          } else if (isClosed) {
            finish();
            reject(new Error('closed before a matching packet arrived'));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no matching packet within ${timeoutMs} ms`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          wakers.delete(look);
        };
        wakers.add(look);
        look();
      });
    },
    async sanityCheck(token, roomId, playerId = 0) {
      const compact = compactToken(token, { roomId, playerId });
      if (!compact.ok) throw new Error(compact.issue.message);
      await client.send({ type: 'sanityCheck', tick: 0, roomId, playerId, token: compact.value });
      return client.next((p) => p.type === 'sanityCheck' || p.type === 'error');
    },
    close() {
      ws.close(1000, 'test done');
    },
  };
  return client;
}
