/**
 * `chartroom/protocols/bingo`: the Bingo protocol (seed 003) — browser-safe codec and framer,
 * the server protocol, and the stream-agnostic client. The TCP client is in
 * `chartroom/protocols/bingo/node`. See docs/protocols/bingo.md.
 */
export {
  CLIENT_ID_MAX,
  CLIENT_ID_MIN,
  DEFAULT_MAX_PAYLOAD_BYTES,
  HEADER_BYTES,
  MAX_WIRE_PAYLOAD_BYTES,
  Opcode,
  REPLIED_ID_BYTES,
  SERVER_ID_MAX,
  SERVER_ID_MIN,
  createBingoFramer,
  isOpcode,
  opcodeName,
  readFrame,
  setFrameId,
  writeFrame,
} from './frame.js';
export type { BingoFrame, BingoFramer, FramerResult, ReadResult } from './frame.js';
export { MAX_TYPE_LENGTH, decodeMessage, identificationSchema } from './messages.js';
export { encodeMessage } from './encode.js';
export type { BingoBody, BingoIdentity, BingoMessage, BingoMessageKind, BingoSender } from './messages.js';
export {
  BingoType,
  codedText,
  frameworkIntent,
  isErrorCode,
  isFrameworkType,
  parseCodedText,
} from './framework.js';
export type { BingoRoomState, BingoSeat } from './framework.js';
export { BINGO_PROTOCOL_VERSION, createBingoProtocol } from './server.js';
export type { BingoIdentify, BingoIdentifyContext, BingoProtocolOptions, BingoTicket } from './server.js';
export { BingoClient } from './client.js';
export { BingoError, defaultBingoReconnect } from './client-types.js';
export type {
  BingoClientError,
  BingoClientOptions,
  BingoMessageMeta,
  BingoReconnectOptions,
  BingoStatus,
} from './client-types.js';
export { BingoLink } from './client-link.js';
export type { BingoConnect, BingoStream, BingoStreamHandlers } from './client-link.js';
