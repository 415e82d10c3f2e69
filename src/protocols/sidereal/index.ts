/**
 * `chartroom/protocols/sidereal`: the Sidereal protocol (seed 001) — browser-safe header and
 * body codecs, the reliable channel, the server protocol, the world mirror and the client. The
 * UDP client is in `chartroom/protocols/sidereal/node`. See docs/protocols/sidereal.md.
 */
export {
  DEFAULT_MAX_DATAGRAM_BYTES,
  Flag,
  HEADER_BYTES,
  MAX_SEQ,
  MIN_DATAGRAM_BYTES,
  PASS_THROUGH_FLAGS,
  decodePacket,
  encodePacket,
} from './header.js';
export type { Packet } from './header.js';
export {
  BODY_LIMITS,
  KEYFRAME_REQUEST,
  SIDEREAL_PROTOCOL_VERSION,
  clientBodySchemas,
  decodeClientBody,
  decodeServerBody,
  encodeBody,
  mergeDiffs,
  serverBodySchemas,
} from './messages.js';
export type {
  ClientBody,
  DiffBody,
  HeartbeatBody,
  ServerBody,
  SnapBody,
  TraitChanges,
  TraitValue,
  Traits,
} from './messages.js';
export { createRttEstimator, defaultRttOptions } from './rtt.js';
export type { RttEstimator, RttOptions } from './rtt.js';
export { createChannel, defaultChannelOptions } from './channel.js';
export type {
  Channel,
  ChannelEvents,
  ChannelFailure,
  ChannelOptions,
  ChannelStats,
  Delivery,
} from './channel.js';
export { createSiderealProtocol } from './server.js';
export type {
  SiderealIdentify,
  SiderealIdentifyContext,
  SiderealProtocolOptions,
  SiderealTicket,
} from './server.js';
export { WorldMirror } from './mirror.js';
export type {
  DiffResult,
  KeyframeProgress,
  MirrorObject,
  MirrorOptions,
  MirrorStats,
  SnapResult,
} from './mirror.js';
export { SiderealClient } from './client.js';
export type {
  SiderealClientError,
  SiderealClientEvents,
  SiderealClientOptions,
  SiderealKnock,
} from './client-options.js';
export { webSocketDatagrams } from './datagram.js';
export type {
  DatagramConnect,
  DatagramHandlers,
  DatagramLink,
  WebSocketDatagramOptions,
} from './datagram.js';
