/**
 * `chartroom/protocols/seigneur`: the Seigneur Communication Protocol (seed 000), a binary
 * protocol of 5-byte-header frames with optional AES-256-GCM. Browser-safe (WebCrypto only).
 * The spec, with every choice the seed left open: docs/protocols/seigneur.md.
 */
export { createSeigneurProtocol } from './server.js';
export type { SeigneurProtocolOptions } from './server.js';
export { createSeigneurClientProtocol } from './client.js';
export type { SeigneurClientOptions } from './client.js';
export { decodePacket, SALT_BYTES } from './codec.js';
export { encodePacket, truncateUtf8 } from './encode.js';
export type { SeigneurPacket, SeigneurPacketType, WeaponAction } from './codec.js';
export {
  seigneurMessages,
  weaponActionSchema,
  playerIdOf,
  seatIdOf,
  seigneurRoomId,
  packetOfClientMessage,
  packetOfServerMessage,
  serverMessageOfPacket,
} from './messages.js';
export type { SeigneurMessages } from './messages.js';
export { TokenForm, compactToken, expandToken, readToken, toBase64Url, fromBase64Url } from './token.js';
export type { TokenClaimsView, TokenContext } from './token.js';
export {
  SEAL_OVERHEAD,
  P256_PUBLIC_KEY_BYTES,
  createEphemeralKey,
  createFrameCipher,
  defaultCrypto,
  deriveSessionKeys,
  webCryptoAead,
} from './cipher.js';
export type {
  Aead,
  AeadFactory,
  CryptoProvider,
  EphemeralKey,
  FrameCipher,
  FrameCipherOptions,
  SessionKeys,
} from './cipher.js';
export {
  CipherSuite,
  DEFAULT_CLIENT_MAX_FRAME_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  HEADER_BYTES,
  MAX_ERROR_MESSAGE_BYTES,
  PacketType,
  SEIGNEUR_PROTOCOL_VERSION,
  WeaponActionType,
  packetCodeOf,
  packetCodeOfRef,
  refOfPacketCode,
  packetNames,
} from './wire.js';
export type { PacketTypeCode } from './wire.js';
