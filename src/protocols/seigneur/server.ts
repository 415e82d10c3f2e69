import { ErrorCode } from '../../core/errors.js';
import type { ServerOutput } from '../../core/messages.js';
import type { Protocol, ProtocolPeer, ProtocolSession } from '../../core/protocol.js';
import type { ProtocolIssue } from '../../core/result.js';
import { defaultCrypto, webCryptoAead } from './cipher.js';
import type { AeadFactory, CryptoProvider } from './cipher.js';
import { decodePacket } from './codec.js';
import { encodePacket } from './encode.js';
import type { SeigneurPacket } from './codec.js';
import { packetOfServerMessage } from './messages.js';
import { createServerHandshake } from './server-handshake.js';
import { DEFAULT_MAX_FRAME_BYTES, SEIGNEUR_PROTOCOL_VERSION, packetCodeOfRef } from './wire.js';

export interface SeigneurProtocolOptions {
  /**
   * AES-256-GCM on every frame: `'optional'` (default) lets each client choose with a Key
   * Exchange Request before its Sanity Check, `'required'` refuses a plaintext Sanity Check,
   * `'off'` refuses key exchanges. Over wss, TLS already protects the link.
   */
  readonly encryption?: 'off' | 'optional' | 'required';
  /** Largest plaintext frame accepted, in bytes. Default 512 (the largest client packet is 269). */
  readonly maxFrameBytes?: number;
  /**
   * Seigneur has no lobby or ready packet: a player's Sanity Check also commits "ready" while
   * the room is in setup, so the room starts as soon as it has `minPlayers`. Default true.
   */
  readonly autoReady?: boolean;
  /**
   * Frames one encrypted session may have waiting for WebCrypto, per direction, before it is
   * closed with CONN_SLOW_CONSUMER. Default 256.
   */
  readonly maxPendingFrames?: number;
  /** WebCrypto provider (key exchange, and AES-GCM unless `aead` is given). Default `globalThis.crypto`. */
  readonly crypto?: CryptoProvider;
  /**
   * The AES-256-GCM implementation for frames. Default WebCrypto's; on Node servers pass
   * `nodeAead` from `chartroom/protocols/seigneur/node` (same wire format, cheaper per frame).
   */
  readonly aead?: AeadFactory;
  /**
   * Called when an output has no Seigneur packet (a game message type other than move, join,
   * leave, weapon): the output is dropped. Default: one console warning per message type.
   */
  readonly onUnencodable?: (output: ServerOutput, issue: ProtocolIssue) => void;
}

/**
 * The Seigneur Communication Protocol (seed 000) over WebSocket binary frames: one frame per
 * message, `tick u32 | type u8 | payload`, big-endian. See docs/protocols/seigneur.md.
 *
 * - The handshake is one Sanity Check (0x04): room id, player id (0 = "give me a seat") and a
 *   compact session token. It becomes `authenticate` (or `resume`) and then `join`; the server
 *   answers with its own Sanity Check (the seat's player id and a compact resume token).
 *   Nothing else is accepted before it, except a Key Exchange Request (0x07).
 * - Move and Weapon Action become game messages `move` / `weapon` (see `seigneurMessages`); a
 *   packet naming another player than the seat is refused (AUTH_IDENTITY_MISMATCH).
 * - Errors go back as Error packets (0x06) with the registry code; malformed frames and
 *   handshake failures are fatal (answered, then the link closes).
 *
 * @example
 * const server = createServer({ roomTypes: [arena], endpoints: [createSeigneurProtocol()] });
 * await server.createRoom({ type: 'seigneur-arena', roomId: '1001' }); // decimal room ids
 */
export function createSeigneurProtocol(options: SeigneurProtocolOptions = {}): Protocol {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const encryption = options.encryption ?? 'optional';
  const warned = new Set<string>();
  const onUnencodable =
    options.onUnencodable ??
    ((output: ServerOutput, issue: ProtocolIssue) => {
      const key = issue.messageType ?? output.kind;
      if (warned.has(key)) return;
      warned.add(key);
      console.warn(`[chartroom/seigneur] ${issue.message} Outputs of this type are dropped.`);
    });

  /** The packet for a game output, or undefined (reported) when Seigneur cannot carry it. */
  const gamePacket = (output: ServerOutput): Uint8Array | undefined => {
    if (output.kind !== 'game' && output.kind !== 'reply') return undefined;
    const packet = packetOfServerMessage(output.type, output.payload);
    const encoded = packet.ok ? encodePacket(packet.value) : packet;
    if (encoded.ok) return encoded.value;
    onUnencodable(output, encoded.issue);
    return undefined;
  };

  const open = (peer: ProtocolPeer): ProtocolSession => {
    const crypto = options.crypto ?? defaultCrypto();
    const handshake = createServerHandshake({
      peer,
      encryption: crypto ? encryption : 'off',
      ...(crypto ? { crypto, aead: options.aead ?? webCryptoAead(crypto) } : {}),
      maxFrameBytes,
      maxPendingFrames: options.maxPendingFrames ?? 256,
      autoReady: options.autoReady ?? true,
      onPlaintext: (frame) => handle(frame),
    });
    let versionChecked = false;

    const handle = (frame: Uint8Array) => {
      const decoded = decodePacket(frame, maxFrameBytes);
      if (!decoded.ok) {
        // Before the seat exists, nothing but a valid handshake is accepted: every issue closes.
        const fatal = decoded.issue.fatal === true || handshake.phase === 'awaiting';
        return handshake.answer({ ...decoded.issue, fatal });
      }
      const packet = decoded.value;
      if (handshake.phase !== 'seated') return handshake.beforeSeat(packet);
      return inRoom(packet, handshake.playerId);
    };

    /** A packet from a seated player. */
    const inRoom = (packet: SeigneurPacket, playerId: number) => {
      const refuse = (code: ErrorCode, message: string) =>
        handshake.answer({ code, message, messageType: packet.type });
      switch (packet.type) {
        case 'move':
        case 'weapon':
        case 'leave': {
          if (packet.playerId !== playerId) {
            return refuse(
              ErrorCode.AUTH_IDENTITY_MISMATCH,
              `${packet.type} names player ${packet.playerId}, but this connection is player ${playerId}; refused.`,
            );
          }
          if (packet.type === 'leave') return handshake.leave();
          const { type, playerId: _checked, ...payload } = packet;
          return peer.dispatch({ kind: 'game', type, payload });
        }
        case 'sanityCheck':
          return refuse(
            ErrorCode.AUTH_ALREADY_AUTHENTICATED,
            `This connection is already player ${playerId}.`,
          );
        case 'error':
          // A client's error report is informational; answering it could loop.
          return undefined;
        default:
          return refuse(
            ErrorCode.PROTOCOL_UNEXPECTED_MESSAGE,
            `${packet.type} is not accepted from a seated client: send move, weapon or leave.`,
          );
      }
    };

    return {
      receive(data) {
        if (!versionChecked) {
          versionChecked = true;
          const announced = peer.params.protocol_version;
          if (announced !== undefined && announced !== String(SEIGNEUR_PROTOCOL_VERSION)) {
            return handshake.answer({
              code: ErrorCode.PROTOCOL_VERSION_MISMATCH,
              message: `protocol_version mismatch: expected ${SEIGNEUR_PROTOCOL_VERSION}, received ${announced}. Upgrade the client.`,
              fatal: true,
            });
          }
        }
        if (typeof data === 'string') {
          return handshake.answer({
            code: ErrorCode.PROTOCOL_MALFORMED_FRAME,
            message: 'Text frame received: Seigneur frames are binary WebSocket messages.',
            fatal: true,
          });
        }
        handshake.receive(data);
      },
      deliver(output) {
        switch (output.kind) {
          case 'ping':
            return peer.ping?.();
          case 'game':
          case 'reply': {
            const frame = gamePacket(output);
            return frame && handshake.send(frame);
          }
          case 'room':
            return undefined;
          case 'replyError':
            return handshake.error(output.code, output.message, 0, false);
          case 'error':
            return handshake.refused(output.code, output.message, packetCodeOfRef(output.ref));
          default:
            return handshake.deliver(output);
        }
      },
      deliverPrepared(frame) {
        if (typeof frame !== 'string') handshake.send(frame);
      },
      settled: () => handshake.settled(),
    };
  };

  return {
    name: 'seigneur',
    version: SEIGNEUR_PROTOCOL_VERSION,
    frames: 'binary',
    open,
    prepare: gamePacket,
  };
}
