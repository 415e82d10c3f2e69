/**
 * Durable rooms write as they go (docs/scaling.md, "what is persisted when"):
 *
 * - each turn, by the sync engine itself, before the turn is sent (`SyncHost.journal`);
 * - a checkpoint after every change of the room's public view (seats, phase, configuration),
 *   coalesced to one write in flight per room: the room chart's context and phase, each seat's
 *   resume generation, and the sync engine's own small state.
 */
import { z } from 'zod';
import type { RoomContext } from '../../../machines/room.machine.js';
import { ErrorCode, isChartroomError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { RoomJournal } from '../../core/room-journal.js';
import type { SyncJournal, SyncRestore } from '../../core/sync.js';
import { statePath } from '../../core/state-path.js';
import type { RoomHost } from '../room-host.js';
import type { RoomRestore } from '../room-restore.js';

/** The checkpoint document of a room. */
export interface RoomCheckpoint {
  readonly version: 1;
  readonly type: string;
  readonly phase: string;
  readonly context: RoomContext;
  readonly generations: Readonly<Record<string, number>>;
  readonly sync: unknown;
  readonly savedAt: number;
}

const seatSchema = z.object({
  seatId: z.string(),
  userId: z.string(),
  name: z.string(),
  role: z.enum(['player', 'viewer']),
  ready: z.boolean(),
  connected: z.boolean(),
  left: z.boolean(),
});
/** Checked on load: only what restoring relies on; the rest of the context passes through. */
const checkpointSchema = z.object({
  version: z.literal(1),
  type: z.string(),
  phase: z.string(),
  context: z.looseObject({
    roomId: z.string(),
    seed: z.number().int(),
    options: z.looseObject({}),
    seats: z.record(z.string(), seatSchema),
    nextSeat: z.number().int(),
    setupFlow: z.enum(['none', 'active', 'done']).optional(),
  }),
  generations: z.record(z.string(), z.number().int()),
  sync: z.unknown(),
  savedAt: z.number(),
});

export function checkpointOf(room: RoomHost, now: number): RoomCheckpoint {
  const snapshot = room.actor.getSnapshot();
  const generations: Record<string, number> = {};
  for (const seatId of Object.keys(snapshot.context.seats)) {
    const generation = room.generation(seatId);
    if (generation !== undefined) generations[seatId] = generation;
  }
  return {
    version: 1,
    type: room.type.name,
    phase: statePath(snapshot.value),
    context: snapshot.context,
    generations,
    sync: room.sync?.checkpoint?.(),
    savedAt: now,
  };
}

/** A loaded checkpoint and log as a restore, or why the room cannot be rebuilt from them. */
export function restoreOf(checkpoint: unknown, turns: SyncRestore['turns']): RoomRestore | string {
  const parsed = checkpointSchema.safeParse(checkpoint);
  if (!parsed.success)
    return checkpoint === undefined ? 'no checkpoint was saved' : 'its checkpoint is unreadable';
  const saved = parsed.data;
  if (saved.phase.startsWith('halted')) return 'it had halted';
  if (saved.phase === 'ended') return 'it had ended';
  if (saved.context.setupFlow === 'active') return "its setup flow's state is not journaled";
  return {
    phase: saved.phase,
    context: saved.context as unknown as RoomContext,
    generations: saved.generations,
    sync: { state: saved.sync, turns },
  };
}

/** Keeps one durable room's checkpoint up to date. */
export interface RoomPersister {
  /** The room's view changed: save a checkpoint soon (after the current synchronous work). */
  changed(): void;
  readonly journal: SyncJournal;
}

export function createRoomPersister(options: {
  readonly roomId: string;
  readonly nodeId: string;
  readonly journal: RoomJournal;
  readonly logger: Logger;
  readonly now: () => number;
  /** The room, once created (the engine's journal exists before its room does). */
  readonly room: () => RoomHost | undefined;
  /** This node no longer owns the room (another node took it over). */
  readonly lost: (roomId: string) => void;
}): RoomPersister {
  const { roomId, nodeId, journal, logger } = options;
  let saving = false;
  let again = false;
  let scheduled = false;

  const failed = (what: string, error: unknown) => {
    if (isChartroomError(error) && error.code === ErrorCode.ROOM_MOVED) return options.lost(roomId);
    logger.warn(`Room journal: ${what} failed`, { roomId, cause: String(error) });
  };

  const save = async () => {
    const room = options.room();
    if (!room) return;
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    try {
      await journal.saveRoom(roomId, nodeId, checkpointOf(room, options.now()));
    } catch (error) {
      failed('saving a checkpoint', error);
    } finally {
      saving = false;
    }
    if (again) {
      again = false;
      await save();
    }
  };

  return {
    changed() {
      if (scheduled) return;
      scheduled = true;
      // After the current macrotask: a resume bumps the seat generation twice (check, then the
      // new token), and the checkpoint should carry the second.
      setImmediate(() => {
        scheduled = false;
        void save();
      });
    },
    journal: {
      append: (turn, entry) =>
        journal.appendTurn(roomId, nodeId, turn, entry).catch((error: unknown) => {
          failed(`logging turn ${turn}`, error);
          throw error;
        }),
    },
  };
}
