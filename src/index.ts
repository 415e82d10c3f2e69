/**
 * `chartroom`: define room types and their messages (browser-safe). The server lives in
 * `chartroom/server`, the client SDK in `chartroom/client`, the charts in `chartroom/machines`.
 */
export { defineMessages, defineRoom, defaultRoomOptions, mergeMessages } from './core/room-type.js';
export type { SyncEngine, SyncHost, SyncJournal, SyncModel, SyncRestore } from './core/sync.js';
export type {
  AnyRoomType,
  ClientPayload,
  GameEvent,
  MessageSchemas,
  RoomMessages,
  RoomType,
  RoomTypeSetup,
  ServerPayload,
  SetupContext,
} from './core/room-type.js';
export { gameActions } from './core/game.js';
export { ChartroomError, ErrorCode, errorDescriptions, isChartroomError, refusal } from './core/errors.js';
export type { Refusal } from './core/errors.js';
export type { ClientIntent, Role, RoomView, SeatView, ServerOutput } from './core/messages.js';
export type {
  ClientProtocol,
  ClientProtocolSession,
  Protocol,
  ProtocolPeer,
  ProtocolSession,
} from './core/protocol.js';
export type { AcceptedLink, Link, LinkHandlers, Transport, TransportHost } from './core/link.js';
export type { NodeRecord, Presence, RoomRecord } from './core/presence.js';
export type { JournaledRoom, JournaledTurn, RoomJournal } from './core/room-journal.js';
export type { DecodeResult, ProtocolIssue } from './core/result.js';
export { ok, fail } from './core/result.js';
export { createSimulatedClock, createSystemClock } from './core/clock.js';
export { createPrng } from './core/prng.js';
export type { Prng } from './core/prng.js';
export type { Clock, SimulatedClock } from './core/clock.js';
export { createConsoleLogger, createMemoryLogger, createSilentLogger } from './core/logger.js';
export type { LogEntry, LogLevel, Logger } from './core/logger.js';
export { statePath } from './core/state-path.js';
export { describeIssues } from './core/describe-issues.js';
export { validate } from './core/validate.js';
export type { RoomNotification, RoomOptions } from '../machines/room.events.js';
