/**
 * `chartroom/machines`: the pure statecharts. Import them to inspect, test or extend; the
 * runtime in `chartroom/server` drives them through `.provide()`.
 */
export { roomMachine } from './room.machine.js';
export type { RoomMachine, RoomContext, GameInput, SetupFlowInput } from './room.machine.js';
export type * from './room.events.js';
export { connectionMachine } from './connection.machine.js';
export type { ConnectionMachine, ConnectionContext } from './connection.machine.js';
export type * from './connection.events.js';
export { lockstepMachine } from './lockstep.machine.js';
export type { LockstepMachine, LockstepEvent } from './lockstep.machine.js';
export { snapshotMachine } from './snapshot.machine.js';
export type { SnapshotMachine, SnapshotContext, SnapshotEvent } from './snapshot.machine.js';
export { reliableChannelMachine } from './reliable-channel.machine.js';
export type {
  ReliableChannelContext,
  ReliableChannelEvent,
  ReliableChannelInput,
  ReliableChannelMachine,
} from './reliable-channel.machine.js';
