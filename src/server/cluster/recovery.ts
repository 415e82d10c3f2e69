/**
 * Taking over a dead node's rooms (docs/scaling.md): claim the room (compare-and-set, so of two
 * nodes racing exactly one goes on), rebuild it from its journal, hold the game until its
 * players are back, and release the seats nobody takes back; or, when the room cannot be
 * rebuilt, close it for good with the reason, which every later join or resume is told.
 */
import type { Clock } from '../../core/clock.js';
import { ErrorCode } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Presence, RoomRecord } from '../../core/presence.js';
import type { RoomJournal } from '../../core/room-journal.js';
import type { CreateRoomRequest } from '../create-server.js';
import type { RoomHost } from '../room-host.js';
import { wasRunning } from '../room-restore.js';
import type { RoomRestore } from '../room-restore.js';
import { restoreOf } from './persist.js';

export type RecoveryOutcome = 'restored' | 'closed' | 'taken';

export interface Recovery {
  /** Try to take over a room whose node is dead; `taken`: another node got it first. */
  recover(record: RoomRecord): Promise<RecoveryOutcome>;
  /** A room's view changed (a player came back: maybe the hold is over). */
  changed(room: RoomHost): void;
  ended(roomId: string): void;
  dispose(): void;
}

export function createRecovery(deps: {
  readonly presence: Presence;
  readonly journal: RoomJournal | undefined;
  readonly nodeId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly gracePeriodMs: number;
  readonly recoveryHoldMs: number;
  readonly baseUrl: () => string;
  readonly createRoom: (request: CreateRoomRequest) => Promise<RoomHost>;
}): Recovery {
  const { presence, journal, nodeId, clock, logger } = deps;
  const holds = new Map<string, { timers: unknown[]; holding: boolean }>();

  const allBack = (room: RoomHost) =>
    room.view().seats.every((seat) => seat.role !== 'player' || seat.left || seat.connected);

  const release = (room: RoomHost) => {
    const hold = holds.get(room.roomId);
    if (!hold?.holding) return;
    hold.holding = false;
    if (room.view().phase === 'running.paused.requested') room.send({ type: 'RESUME' });
  };

  /** After a rebuild: hold the game for its players, and release seats nobody takes back. */
  const afterRestore = (room: RoomHost, restore: RoomRestore) => {
    const timers: unknown[] = [];
    for (const seat of Object.values(restore.context.seats)) {
      if (seat.left) continue;
      // No connection of this node ever held the seat, so no connection's grace period ends it.
      timers.push(
        clock.setTimeout(() => {
          if (room.seat(seat.seatId)?.connected === false) room.send({ type: 'LEAVE', seatId: seat.seatId });
        }, deps.gracePeriodMs),
      );
    }
    const hold = { timers, holding: false };
    holds.set(room.roomId, hold);
    const phase = room.view().phase;
    if (restore.phase === 'running.paused.requested') {
      if (phase === 'running.iterating') room.send({ type: 'PAUSE' }); // It was paused on request: stays so.
    } else if (phase === 'running.iterating' && !allBack(room)) {
      hold.holding = true;
      room.send({ type: 'PAUSE' });
      timers.push(clock.setTimeout(() => release(room), deps.recoveryHoldMs));
    }
  };

  const close = async (record: RoomRecord, reason: string) => {
    const message = `Room "${record.roomId}" (${record.type}) was on node ${record.nodeId}, which stopped, and cannot be rebuilt: ${reason}.`;
    await presence.registerRoom({
      ...record,
      nodeId,
      nodeUrl: deps.baseUrl(),
      phase: 'closed',
      closed: { reason: message, at: clock.now() },
    });
    await journal?.forgetRoom(record.roomId);
    logger.warn('Room closed: its node died and it cannot be rebuilt', { roomId: record.roomId, reason });
  };

  const rebuild = async (record: RoomRecord): Promise<RecoveryOutcome> => {
    const started = clock.now();
    const saved = journal ? await journal.loadRoom(record.roomId) : undefined;
    const restore: RoomRestore | string = !journal
      ? 'this cluster keeps no room journal'
      : saved
        ? restoreOf(saved.checkpoint, saved.turns)
        : 'nothing was journaled (only rooms whose sync model checkpoints, such as lockstep, are)';
    if (typeof restore === 'string') {
      await close(record, restore);
      return 'closed';
    }
    const { context } = restore;
    const room = await deps.createRoom({
      type: record.type,
      roomId: record.roomId,
      seed: context.seed,
      config: context.config,
      options: context.options,
      restore,
    });
    if (wasRunning(restore) && !room.view().phase.startsWith('running')) {
      room.stop(ErrorCode.ROOM_CLOSED, `Room ${record.roomId} could not restart its game.`);
      await close(record, 'its game did not start again from the checkpoint');
      return 'closed';
    }
    afterRestore(room, restore);
    logger.info('Room recovered from its journal', {
      roomId: record.roomId,
      from: record.nodeId,
      turns: restore.sync?.turns.length ?? 0,
      rebuildMs: clock.now() - started,
    });
    return 'restored';
  };

  return {
    async recover(record) {
      if (!(await presence.claimRoom(record.roomId, nodeId, record.nodeId))) return 'taken';
      try {
        return await rebuild(record);
      } catch (error) {
        logger.error('Room recovery failed', { roomId: record.roomId, cause: String(error) });
        const why = error instanceof Error ? error.message : String(error);
        await close(record, `rebuilding it failed (${why})`).catch(() => undefined);
        return 'closed';
      }
    },
    changed(room) {
      if (holds.get(room.roomId)?.holding && allBack(room)) release(room);
    },
    ended(roomId) {
      for (const timer of holds.get(roomId)?.timers ?? []) clock.clearTimeout(timer);
      holds.delete(roomId);
    },
    dispose() {
      for (const roomId of [...holds.keys()]) this.ended(roomId);
    },
  };
}
