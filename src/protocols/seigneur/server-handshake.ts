import { ErrorCode } from '../../core/errors.js';
import type { ServerOutput } from '../../core/messages.js';
import type { ProtocolPeer } from '../../core/protocol.js';
import type { ProtocolIssue } from '../../core/result.js';
import {
  P256_PUBLIC_KEY_BYTES,
  SEAL_OVERHEAD,
  createEphemeralKey,
  createFrameCipher,
  deriveSessionKeys,
} from './cipher.js';
import type { AeadFactory, CryptoProvider, FrameCipher } from './cipher.js';
import { SALT_BYTES } from './codec.js';
import { encodePacket, truncateUtf8 } from './encode.js';
import type { SeigneurPacket } from './codec.js';
import { playerIdOf } from './messages.js';
import { compactToken, expandToken } from './token.js';
import { CipherSuite, MAX_ERROR_MESSAGE_BYTES, PacketType, packetCodeOf } from './wire.js';

/** Where one Seigneur session is in its handshake. */
export type SeigneurPhase = 'awaiting' | 'authenticating' | 'joining' | 'seated' | 'left';

export interface ServerHandshakeOptions {
  readonly peer: ProtocolPeer;
  readonly encryption: 'off' | 'optional' | 'required';
  readonly crypto?: CryptoProvider;
  readonly aead?: AeadFactory;
  readonly maxFrameBytes: number;
  readonly maxPendingFrames: number;
  readonly autoReady: boolean;
  /** Every plaintext frame, in arrival order (after decryption on an encrypted session). */
  readonly onPlaintext: (frame: Uint8Array) => void;
}

/** The per-session state of the server half: handshake, encryption pipeline and errors. */
export interface ServerHandshake {
  readonly phase: SeigneurPhase;
  /** The seat's player id once seated, 0 before. */
  readonly playerId: number;
  /** A frame from the link: opened (encrypted sessions, in order) and handed to `onPlaintext`. */
  receive(frame: Uint8Array): void;
  /** Send one plaintext frame (sealed on an encrypted session, in order). */
  send(frame: Uint8Array): void;
  /** Report an issue and answer it with an Error packet; fatal issues close the link after it. */
  answer(issue: ProtocolIssue): void;
  /** Send an Error packet with a registry code. */
  error(code: string, message: string, ref: number, fatal: boolean): void;
  /** The runtime refused something (an `error` output): fatal while joining, else an Error packet. */
  refused(code: ErrorCode, message: string, ref: number): void;
  /** A packet before the seat exists: Key Exchange Request, Sanity Check, or refused. */
  beforeSeat(packet: SeigneurPacket): void;
  /** The player left with a Player Leave packet. */
  leave(): void;
  /** The framework's own outputs: authOk, authError, joined, closing. */
  deliver(output: ServerOutput): void;
  /** Resolves once every frame received so far has been opened and handed on. */
  settled(): Promise<void>;
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export function createServerHandshake(options: ServerHandshakeOptions): ServerHandshake {
  const { peer } = options;
  let phase: SeigneurPhase = 'awaiting';
  let playerId = 0;
  let sanity: { roomId: number; playerId: number } | undefined;
  let lastTick = 0;
  /** Set once a fatal answer went out (or the machine closes): later input is ignored. */
  let closing = false;
  /** Set by a Key Exchange Request: resolves to the session's cipher (undefined if it failed). */
  let keyed: Promise<FrameCipher | undefined> | undefined;
  let inbound: Promise<void> = Promise.resolve();
  let outbound: Promise<void> = Promise.resolve();
  let pendingIn = 0;
  let pendingOut = 0;

  const overloaded = (direction: string) => {
    closing = true;
    const message = `Encrypted session backlog: expected <= ${options.maxPendingFrames} ${direction} frames waiting for WebCrypto, received more. Raise maxPendingFrames or send less often.`;
    peer.report({ code: ErrorCode.CONN_SLOW_CONSUMER, message });
    peer.close(ErrorCode.CONN_SLOW_CONSUMER, message);
  };

  const send = (frame: Uint8Array) => {
    if (frame.byteLength >= 4) lastTick = new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0);
    const cipher = keyed;
    if (!cipher) return peer.send(frame);
    if (++pendingOut > options.maxPendingFrames) return overloaded('outbound');
    outbound = outbound
      .then(async () => {
        pendingOut--;
        const sealed = await (await cipher)?.seal(frame);
        if (!sealed) return;
        if (sealed.ok) return peer.send(sealed.value);
        closing = true;
        peer.report(sealed.issue);
        peer.close(sealed.issue.code, sealed.issue.message);
      })
      .catch(() => undefined); // peer.send never throws; keep the chain alive regardless
  };

  /** Close once everything queued before has been sent (sealing is asynchronous). */
  const closeAfterSending = (code: ErrorCode, message: string) => {
    closing = true;
    if (!keyed) return peer.close(code, message);
    outbound = outbound.then(() => peer.close(code, message));
  };

  const error = (code: string, message: string, ref: number, fatal: boolean) => {
    const text = utf8.decode(truncateUtf8(message, MAX_ERROR_MESSAGE_BYTES));
    const encoded = encodePacket({ type: 'error', tick: lastTick, code, ref, fatal, message: text });
    if (encoded.ok) send(encoded.value);
  };

  const answer = (issue: ProtocolIssue) => {
    if (closing) return;
    peer.report(issue);
    error(issue.code, issue.message, packetCodeOf(issue.messageType), issue.fatal === true);
    if (issue.fatal) closeAfterSending(issue.code, issue.message);
  };

  const keyExchange = (packet: Extract<SeigneurPacket, { type: 'keyRequest' }>) => {
    const { crypto, aead } = options;
    const refuse = (code: ErrorCode, message: string) =>
      answer({ code, message, messageType: 'keyRequest', fatal: true });
    if (options.encryption === 'off' || !crypto || !aead) {
      return refuse(
        ErrorCode.PROTOCOL_UNEXPECTED_MESSAGE,
        'Key Exchange Request refused: this server does not encrypt frames (encryption off). Send the Sanity Check in plaintext, over wss.',
      );
    }
    if (keyed) return refuse(ErrorCode.PROTOCOL_UNEXPECTED_MESSAGE, 'The key exchange is already done.');
    if (packet.suite !== CipherSuite.P256_HKDF_SHA256_AES256GCM) {
      return refuse(
        ErrorCode.PROTOCOL_INVALID_MESSAGE,
        `Unsupported cipher suite 0x${packet.suite.toString(16)}: expected 0x01 (ECDH P-256, HKDF-SHA-256, AES-256-GCM).`,
      );
    }
    if (packet.publicKey.byteLength !== P256_PUBLIC_KEY_BYTES) {
      return refuse(
        ErrorCode.PROTOCOL_INVALID_MESSAGE,
        `Invalid public key: expected a ${P256_PUBLIC_KEY_BYTES}-byte uncompressed P-256 point, received ${packet.publicKey.byteLength} bytes.`,
      );
    }
    keyed = (async () => {
      try {
        const own = await createEphemeralKey(crypto);
        const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
        const keys = await deriveSessionKeys(crypto, own, packet.publicKey, salt, {
          clientPublic: packet.publicKey,
          serverPublic: own.publicKey,
        });
        const response = encodePacket({
          type: 'keyResponse',
          tick: lastTick,
          suite: packet.suite,
          publicKey: own.publicKey,
          salt,
        });
        if (closing || !response.ok) return undefined;
        peer.send(response.value);
        return createFrameCipher({ aead, sendKey: keys.serverToClient, receiveKey: keys.clientToServer });
      } catch {
        // The client has no keys yet: this one answer goes out in plaintext.
        const message = 'Key Exchange Request refused: the public key is not a point on P-256.';
        const issue = { code: ErrorCode.PROTOCOL_INVALID_MESSAGE, message, messageType: 'keyRequest' };
        peer.report(issue);
        const encoded = encodePacket({
          type: 'error',
          tick: lastTick,
          code: issue.code,
          ref: 0x07,
          fatal: true,
          message,
        });
        if (encoded.ok && !closing) peer.send(encoded.value);
        closing = true;
        peer.close(issue.code, message);
        return undefined;
      }
    })();
  };

  const sanityCheck = (packet: Extract<SeigneurPacket, { type: 'sanityCheck' }>) => {
    const refuse = (code: ErrorCode, message: string) =>
      answer({ code, message, messageType: 'sanityCheck', fatal: true });
    if (options.encryption === 'required' && !keyed) {
      return refuse(
        ErrorCode.AUTH_REQUIRED,
        'This server requires encryption: send a Key Exchange Request (0x07) before the Sanity Check.',
      );
    }
    if (packet.token.byteLength === 0) {
      return refuse(ErrorCode.AUTH_REQUIRED, 'Sanity Check without a token: send the compact session token.');
    }
    const token = expandToken(packet.token, packet);
    if (!token.ok) return answer({ ...token.issue, fatal: true });
    sanity = { roomId: packet.roomId, playerId: packet.playerId };
    if (token.value.kind === 'resume') {
      phase = 'joining';
      return peer.dispatch({ kind: 'resume', resumeToken: token.value.token });
    }
    phase = 'authenticating';
    peer.dispatch({ kind: 'authenticate', token: token.value.token });
  };

  const seat = (output: Extract<ServerOutput, { kind: 'joined' }>) => {
    const id = playerIdOf(output.seatId);
    const fatal = (code: ErrorCode, message: string) => {
      peer.report({ code, message, messageType: 'sanityCheck' });
      error(code, message, PacketType.SanityCheck, true);
      closeAfterSending(code, message);
    };
    if (!sanity || id === undefined) {
      return fatal(ErrorCode.PROTOCOL_INVALID_MESSAGE, `Seat "${output.seatId}" has no Seigneur player id.`);
    }
    if (sanity.playerId !== 0 && sanity.playerId !== id) {
      return fatal(
        ErrorCode.AUTH_IDENTITY_MISMATCH,
        `Sanity Check names player ${sanity.playerId}, but the room seated this token as player ${id}. Send 0 to take the seat you are given.`,
      );
    }
    playerId = id;
    phase = 'seated';
    const token = compactToken(output.resumeToken, { roomId: sanity.roomId, playerId: id });
    const answerPacket = encodePacket({
      type: 'sanityCheck',
      tick: lastTick,
      roomId: sanity.roomId,
      playerId: id,
      token: token.ok ? token.value : new Uint8Array(0),
    });
    if (answerPacket.ok) send(answerPacket.value);
    if (options.autoReady && output.role === 'player' && output.room.phase.startsWith('setup')) {
      peer.dispatch({ kind: 'ready', ready: true });
    }
  };

  return {
    get phase() {
      return phase;
    },
    get playerId() {
      return playerId;
    },
    receive(frame) {
      if (closing) return;
      const cipher = keyed;
      if (!cipher) return options.onPlaintext(frame);
      if (frame.byteLength > options.maxFrameBytes + SEAL_OVERHEAD) {
        return answer({
          code: ErrorCode.PROTOCOL_FRAME_TOO_LARGE,
          message: `Frame too large: expected <= ${options.maxFrameBytes + SEAL_OVERHEAD} bytes sealed, received ${frame.byteLength}. Raise maxFrameBytes to accept it.`,
          fatal: true,
        });
      }
      if (++pendingIn > options.maxPendingFrames) return overloaded('inbound');
      inbound = inbound
        .then(async () => {
          pendingIn--;
          const opened = closing ? undefined : await (await cipher)?.open(frame);
          if (!opened || closing) return;
          if (!opened.ok) return answer(opened.issue);
          options.onPlaintext(opened.value);
        })
        .catch((error: unknown) => {
          // Nothing above throws by contract; if something does, only this link pays for it and
          // the chain stays usable (later frames, `settled`).
          closing = true;
          const message = `The server could not process a frame: ${String(error)}.`;
          peer.report({ code: ErrorCode.PROTOCOL_MALFORMED_FRAME, message });
          peer.close(ErrorCode.PROTOCOL_MALFORMED_FRAME, message);
        });
    },
    send,
    answer,
    error,
    refused(code, message, ref) {
      if (phase === 'joining' && ref === PacketType.SanityCheck) {
        if (closing) return;
        error(code, message, ref, true);
        return closeAfterSending(code, message);
      }
      error(code, message, ref, false);
    },
    beforeSeat(packet) {
      if (phase === 'awaiting') {
        if (packet.type === 'keyRequest') return keyExchange(packet);
        if (packet.type === 'sanityCheck') return sanityCheck(packet);
        return answer({
          code: ErrorCode.AUTH_REQUIRED,
          message: `${packet.type} before the handshake: send a Sanity Check (0x04) first${options.encryption === 'off' ? '' : ', or a Key Exchange Request (0x07)'}.`,
          messageType: packet.type,
          fatal: true,
        });
      }
      answer({
        code: ErrorCode.PROTOCOL_UNEXPECTED_MESSAGE,
        message:
          phase === 'left'
            ? `${packet.type} after Player Leave: open a new connection to play again.`
            : `${packet.type} before the server answered the Sanity Check: wait for its answer.`,
        messageType: packet.type,
      });
    },
    settled: () => inbound,
    leave() {
      phase = 'left';
      peer.dispatch({ kind: 'leave' });
    },
    deliver(output) {
      switch (output.kind) {
        case 'authOk':
          if (phase !== 'authenticating' || !sanity) return;
          phase = 'joining';
          return peer.dispatch({ kind: 'join', roomId: String(sanity.roomId) });
        case 'joined':
          return seat(output);
        case 'authError':
        case 'closing':
          if (closing) return;
          error(output.code, output.message, output.kind === 'authError' ? PacketType.SanityCheck : 0, true);
          closing = true;
          return;
        default:
          return;
      }
    },
  };
}
