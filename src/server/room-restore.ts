/**
 * Rebuilding a room on another node from its checkpoint (docs/scaling.md). The room chart is
 * not restored into `running` directly: a restored XState snapshot would come back without the
 * timers of its invoked game chart. Instead the room starts in `setup.open` with its saved
 * context, every seat away and, for a room that was running, every remaining player ready, so
 * the chart's own ready check walks it into `running` at the first event, invoking the game
 * (the sync engine, already rebuilt from its log) as any start does.
 */
import type { AnyStateMachine } from 'xstate';
import type { RoomContext } from '../../machines/room.machine.js';
import type { RoomEvent, Seat } from '../../machines/room.events.js';
import type { SyncRestore } from '../core/sync.js';

/** What a room host is rebuilt from. */
export interface RoomRestore {
  /** The room chart's phase (state path, e.g. `running.iterating`) when last saved. */
  readonly phase: string;
  /** The room chart's context when last saved. */
  readonly context: RoomContext;
  /** Each seat's resume generation when last saved. */
  readonly generations: Readonly<Record<string, number>>;
  /** The sync engine's checkpoint and turn log. */
  readonly sync?: SyncRestore;
}

/** Whether the saved room had started its game (a turn logged counts, whatever the phase says). */
export function wasRunning(restore: RoomRestore): boolean {
  return restore.phase.startsWith('running') || (restore.sync?.turns.length ?? 0) > 0;
}

/** The snapshot a restored room actor starts from (see the file comment). */
export function restoredSnapshot(
  machine: AnyStateMachine,
  restore: RoomRestore,
): ReturnType<AnyStateMachine['resolveState']> {
  const running = wasRunning(restore);
  const seats: Record<string, Seat> = {};
  for (const [id, seat] of Object.entries(restore.context.seats)) {
    const player = seat.role === 'player' && !seat.left;
    seats[id] = { ...seat, connected: false, ready: running ? player : seat.ready };
  }
  const context: RoomContext = { ...restore.context, seats };
  return machine.resolveState({ value: { setup: 'open' }, context });
}

/**
 * The events that bring a restored actor up to date: every seat that is still there is away
 * (nobody is connected to this node yet). The first of them also runs the chart's eventless
 * transitions, which a restored snapshot does not run on start.
 */
export function restoredEvents(restore: RoomRestore): RoomEvent[] {
  return Object.values(restore.context.seats)
    .filter((seat) => !seat.left)
    .map((seat) => ({ type: 'DISCONNECTED', seatId: seat.seatId }));
}
