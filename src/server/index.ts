/** `chartroom/server`: the Node runtime that hosts rooms. */
export { createServer } from './create-server.js';
export type {
  ChartroomServer,
  CreateRoomRequest,
  Endpoint,
  JoinTicket,
  ServerOptions,
} from './create-server.js';
export { defaultLimits, defaultTiming } from './context.js';
export type { ServerLimits, ServerTiming } from './context.js';
export type { RoomHost, SeatConnection } from './room-host.js';
export type { ConnectionHost } from './connection-host.js';
export type { MetricsSnapshot } from './metrics.js';
export { createTokenService, generateSecret } from './tokens.js';
export type { TokenService, TokenClaims, TicketClaims, ResumeClaims } from './tokens.js';
export { createRoomBody, joinRoomBody } from './http-api.js';
export type { InspectOption, WebSocketInspectOptions } from './inspect.js';
export { defaultClusterSettings } from './cluster/options.js';
export type { ClusterOptions } from './cluster/options.js';
export type { RoomRestore } from './room-restore.js';
