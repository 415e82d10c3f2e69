/** `chartroom/protocols/json-envelope`: the `{type, seq, ts, payload}` protocol (seed 002). */
export { createJsonEnvelopeProtocol } from './server.js';
export type { JsonEnvelopeProtocolOptions } from './server.js';
export { createJsonEnvelopeClientProtocol } from './client.js';
export type { JsonEnvelopeClientOptions } from './client.js';
export { decodeEnvelope, encodeEnvelope, roomFromWire, roomToWire } from './codec.js';
export {
  ENVELOPE_PROTOCOL_VERSION,
  DEFAULT_MAX_FRAME_BYTES,
  clientPayloadSchemas,
  envelopeSchema,
  isReservedType,
  serverPayloadSchemas,
} from './schema.js';
export type { Envelope, RoomWire } from './schema.js';
