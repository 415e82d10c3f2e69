import { ChartroomError, ErrorCode } from '../../core/errors.js';
import type { ClientIntent, RoomView, ServerOutput } from '../../core/messages.js';
import type { ClientProtocol, ClientProtocolSession } from '../../core/protocol.js';
import { fail, ok } from '../../core/result.js';
import type { DecodeResult } from '../../core/result.js';
import {
  createEphemeralKey,
  createFrameCipher,
  defaultCrypto,
  deriveSessionKeys,
  webCryptoAead,
} from './cipher.js';
import type { AeadFactory, CryptoProvider, EphemeralKey, FrameCipher } from './cipher.js';
import { decodePacket } from './codec.js';
import { encodePacket } from './encode.js';
import type { SeigneurPacket } from './codec.js';
import {
  packetOfClientMessage,
  playerIdOf,
  seatIdOf,
  seigneurRoomId,
  serverMessageOfPacket,
} from './messages.js';
import { compactToken, expandToken, readToken } from './token.js';
import {
  CipherSuite,
  DEFAULT_CLIENT_MAX_FRAME_BYTES,
  PacketType,
  SEIGNEUR_PROTOCOL_VERSION,
  refOfPacketCode,
} from './wire.js';

export interface SeigneurClientOptions {
  /**
   * Encrypt every frame with AES-256-GCM after an ECDH P-256 key exchange (WebCrypto). Default
   * false: use wss, or turn this on where TLS is not available.
   */
  readonly encryption?: boolean;
  /** Largest server frame accepted, in bytes (before decryption). Default 2048. */
  readonly maxFrameBytes?: number;
  /** WebCrypto provider. Default `globalThis.crypto`. */
  readonly crypto?: CryptoProvider;
  /** The AES-256-GCM implementation. Default WebCrypto's (browsers and Node). */
  readonly aead?: AeadFactory;
}

/** Seigneur carries no room view: the SDK's `session.room` is this placeholder. */
const placeholderRoom = (roomId: string): RoomView => ({
  roomId,
  type: 'seigneur',
  seed: 0,
  phase: 'unknown',
  config: null,
  configVersion: 0,
  seats: [],
});

const refuse = (message: string) => new ChartroomError(ErrorCode.PROTOCOL_INVALID_MESSAGE, message);

/**
 * The client half of the Seigneur protocol, for `chartroom/client`. Its handshake is one
 * Sanity Check carrying room and token, so it declares `handshake: 'combined'`. `encode` throws
 * a ChartroomError for an intent Seigneur cannot carry (a room id that is not a decimal u32, a
 * game message other than `move` / `weapon`, a token no compact form fits); `decode` never
 * throws.
 *
 * @example
 * const client = createClient({
 *   baseUrl, messages: seigneurMessages,
 *   protocol: createSeigneurClientProtocol({ encryption: true }),
 * });
 * const session = await client.join('1001', { name: 'ada' });
 * session.send('move', { tick: 0, x: 100, y: 200, velocity: 150 });
 */
export function createSeigneurClientProtocol(options: SeigneurClientOptions = {}): ClientProtocol {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_CLIENT_MAX_FRAME_BYTES;
  return {
    name: 'seigneur',
    version: SEIGNEUR_PROTOCOL_VERSION,
    frames: 'binary',
    handshake: 'combined',
    open(): ClientProtocolSession {
      const crypto = options.encryption ? (options.crypto ?? defaultCrypto()) : undefined;
      if (options.encryption && !crypto)
        throw refuse('Encryption needs WebCrypto: no globalThis.crypto.subtle here.');
      let ticket = '';
      let identity = { userId: '', name: '' };
      let playerId = 0;
      let lastTick = 0;
      let own: Promise<EphemeralKey> | undefined;
      let cipher: FrameCipher | undefined;
      let settleCipher: (cipher: FrameCipher | undefined) => void = () => undefined;
      const keyed = new Promise<FrameCipher | undefined>((resolve) => (settleCipher = resolve));

      const frame = (packet: SeigneurPacket): Uint8Array[] => {
        const encoded = encodePacket(packet);
        if (!encoded.ok) throw refuse(encoded.issue.message);
        return [encoded.value];
      };
      const sanityCheck = (token: string, roomId: number, claimed: number) => {
        const compact = compactToken(token, { roomId, playerId: claimed });
        if (!compact.ok) throw new ChartroomError(compact.issue.code, compact.issue.message);
        const claims = readToken(token)?.claims;
        identity = { userId: claims?.userId ?? '', name: claims?.name ?? '' };
        return frame({
          type: 'sanityCheck',
          tick: lastTick,
          roomId,
          playerId: claimed,
          token: compact.value,
        });
      };

      const outputsOf = (packet: SeigneurPacket): DecodeResult<ServerOutput[]> => {
        lastTick = packet.tick;
        const game = serverMessageOfPacket(packet);
        if (game) return ok([{ kind: 'game', ...game }]);
        switch (packet.type) {
          case 'sanityCheck': {
            playerId = packet.playerId;
            const resume = packet.token.byteLength > 0 ? expandToken(packet.token, packet) : undefined;
            const resumeToken = resume?.ok ? resume.value.token : '';
            const seatId = readToken(resumeToken)?.claims.seatId ?? seatIdOf(playerId);
            const roomId = String(packet.roomId);
            return ok([
              { kind: 'authOk', userId: identity.userId, name: identity.name },
              {
                kind: 'joined',
                roomId,
                seatId,
                role: seatId.startsWith('v') ? 'viewer' : 'player',
                resumeToken,
                room: placeholderRoom(roomId),
              },
            ]);
          }
          case 'error': {
            const code = packet.code as ErrorCode;
            const { message, fatal } = packet;
            const ref = refOfPacketCode(packet.ref);
            const outputs: ServerOutput[] =
              fatal && packet.ref === PacketType.SanityCheck
                ? [{ kind: 'authError', code, message }]
                : [{ kind: 'error', code, message, ...(ref ? { ref } : {}) }];
            if (fatal) outputs.push({ kind: 'closing', code, message });
            return ok(outputs);
          }
          default:
            return fail({
              code: ErrorCode.PROTOCOL_UNEXPECTED_MESSAGE,
              message: `The server sent a ${packet.type} packet, which only clients send.`,
              messageType: packet.type,
            });
        }
      };

      const session: ClientProtocolSession = {
        encode(intent: ClientIntent) {
          switch (intent.kind) {
            case 'authenticate':
              // The Sanity Check also needs the room: it goes out with the `join` that follows.
              ticket = intent.token;
              return [];
            case 'join': {
              const roomId = seigneurRoomId(intent.roomId);
              if (roomId === undefined) {
                throw refuse(
                  `Room id "${intent.roomId}" cannot be reached over Seigneur: expected a decimal u32 like "1001".`,
                );
              }
              return sanityCheck(ticket, roomId, 0);
            }
            case 'resume': {
              const claims = readToken(intent.resumeToken)?.claims;
              const roomId = seigneurRoomId(claims?.roomId ?? '');
              const seat = playerIdOf(claims?.seatId ?? '');
              if (roomId === undefined || seat === undefined)
                throw refuse('Not a resume token for a Seigneur room.');
              return sanityCheck(intent.resumeToken, roomId, seat);
            }
            case 'game': {
              const packet = packetOfClientMessage(intent.type, intent.payload, playerId);
              if (!packet.ok) throw refuse(packet.issue.message);
              return frame(packet.value);
            }
            case 'leave':
              return playerId ? frame({ type: 'leave', tick: lastTick, playerId }) : [];
            default:
              // ready, setup, pause, reply: Seigneur has no packet for them; pongs are WebSocket frames.
              return [];
          }
        },
        decode(data) {
          if (typeof data === 'string') {
            return fail({
              code: ErrorCode.PROTOCOL_MALFORMED_FRAME,
              message: 'Text frame: Seigneur frames are binary.',
            });
          }
          const decoded = decodePacket(data, maxFrameBytes);
          return decoded.ok ? outputsOf(decoded.value) : decoded;
        },
      };
      if (!crypto) return session;

      return {
        ...session,
        async opening() {
          own = createEphemeralKey(crypto);
          const { publicKey } = await own;
          return frame({
            type: 'keyRequest',
            tick: 0,
            suite: CipherSuite.P256_HKDF_SHA256_AES256GCM,
            publicKey,
          });
        },
        async seal(plain) {
          const ready = await keyed;
          if (!ready || typeof plain === 'string')
            throw refuse('The key exchange failed: nothing can be sent.');
          const sealed = await ready.seal(plain);
          if (!sealed.ok) throw new ChartroomError(sealed.issue.code, sealed.issue.message);
          return sealed.value;
        },
        async unseal(data) {
          if (typeof data === 'string') return session.decode(data) as DecodeResult<never>;
          if (cipher) return cipher.open(data);
          // Before the keys: the Key Exchange Response, or a plaintext Error refusing the exchange.
          const decoded = decodePacket(data, maxFrameBytes);
          if (!decoded.ok) return decoded;
          const packet = decoded.value;
          if (packet.type !== 'keyResponse' || !own) {
            if (packet.type === 'error') settleCipher(undefined);
            return ok(data);
          }
          try {
            const mine = await own;
            const keys = await deriveSessionKeys(crypto, mine, packet.publicKey, packet.salt, {
              clientPublic: mine.publicKey,
              serverPublic: packet.publicKey,
            });
            cipher = createFrameCipher({
              aead: options.aead ?? webCryptoAead(crypto),
              sendKey: keys.clientToServer,
              receiveKey: keys.serverToClient,
            });
            settleCipher(cipher);
            return ok(undefined);
          } catch {
            settleCipher(undefined);
            return fail({
              code: ErrorCode.PROTOCOL_INTEGRITY_FAILED,
              message: 'Key Exchange Response refused: the server key is not a point on P-256.',
              messageType: 'keyResponse',
            });
          }
        },
      };
    },
  };
}
