/**
 * Durable lockstep rooms (docs/scaling.md): each master packet is logged before anyone is sent
 * it, so the log on another node is never behind what a client applied; and an engine can be
 * rebuilt from its checkpoint and that log. Browser-safe (no `node:*`).
 */
import { z } from 'zod';
import { ChartroomError, ErrorCode } from '../../core/errors.js';
import type { SyncHost, SyncRestore } from '../../core/sync.js';
import type { TurnTiming } from './adapt.js';
import type { ChecksumBook } from './checksums.js';
import type { MasterLog } from './master-log.js';
import type { MasterPacket } from './types.js';

/** The engine's state apart from its log: small, saved with every room checkpoint. */
export interface LockstepCheckpoint {
  readonly version: 1;
  readonly players: readonly string[];
  readonly active: readonly string[];
  readonly dropped: readonly string[];
  readonly rejoinAt: readonly (readonly [string, number])[];
  readonly lastAdapt: number;
}

/** One turn in the journal: its master packet, and the checksums agreed since the last entry. */
export interface LockstepTurnEntry<C> {
  readonly master: MasterPacket<C>;
  readonly agreed?: readonly (readonly [number, string])[];
}

const seat = z.string().min(1).max(64);
const turn = z.number().int().min(0);
const checkpointSchema = z.object({
  version: z.literal(1),
  players: z.array(seat),
  active: z.array(seat),
  dropped: z.array(seat),
  rejoinAt: z.array(z.tuple([seat, turn])),
  lastAdapt: turn,
});
const entrySchema = z.object({
  master: z.object({
    turn,
    commands: z.array(z.object({ seat, commands: z.array(z.unknown()) })),
    turn_ms: z.number().int().min(1),
    iterations: z.number().int().min(1),
    checksum: z.string().optional(),
  }),
  agreed: z.array(z.tuple([turn, z.string()])).optional(),
});

/** A checked restore: masters 0..n-1 without a gap, and the checksums agreed on them. */
export interface RestoredLockstep<C> {
  readonly checkpoint: LockstepCheckpoint | undefined;
  readonly masters: MasterPacket<C>[];
  readonly agreed: [number, string][];
}

/**
 * Read what a room journal kept. Throws a ChartroomError (CLUSTER_JOURNAL_CONFLICT) on anything
 * that is not a complete log: a malformed entry, a gap or a repeated turn.
 */
export function readRestored<C>(restore: SyncRestore, roomId: string): RestoredLockstep<C> {
  const broken = (why: string) =>
    new ChartroomError(ErrorCode.CLUSTER_JOURNAL_CONFLICT, `Cannot restore room "${roomId}": ${why}.`);
  let checkpoint: LockstepCheckpoint | undefined;
  if (restore.state !== undefined) {
    const parsed = checkpointSchema.safeParse(restore.state);
    if (!parsed.success) throw broken('its lockstep checkpoint is malformed');
    checkpoint = parsed.data;
  }
  const masters: MasterPacket<C>[] = [];
  const agreed: [number, string][] = [];
  for (const { turn: logged, entry } of restore.turns) {
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) throw broken(`the entry of turn ${logged} is malformed`);
    const { master } = parsed.data;
    if (master.turn !== masters.length || logged !== master.turn) {
      throw broken(`expected turn ${masters.length} in the log, found ${master.turn}`);
    }
    masters.push(master as MasterPacket<C>);
    for (const [t, sum] of parsed.data.agreed ?? []) agreed.push([t, sum]);
  }
  return { checkpoint, masters, agreed };
}

export interface MasterOutbox<C> {
  /**
   * Log `master` (when durable), then broadcast it: in turn order, each after its own write.
   * `text` is its JSON text (`JSON.stringify(master)`).
   */
  publish(master: MasterPacket<C>, text: string): void;
  /** How many masters may be sent to clients (logged, or all without a journal). */
  readonly durable: number;
}

/** Turns older than this without an agreed checksum are passed over (diverged or unreported). */
const AGREED_PATIENCE = 96;

/**
 * Without a journal, `publish` broadcasts at once (no promise, no cost). With one, every master
 * is appended first and broadcast when its append resolves; a chain keeps broadcasts in turn
 * order even when writes resolve out of order, and a failed write stops every later broadcast
 * (a client must never get turn T + 1 of a log that lacks T).
 */
export function createMasterOutbox<C>(options: {
  readonly host: SyncHost;
  /** The checksum agreed for a turn, once known. */
  readonly agreed: (turn: number) => string | undefined;
  /** Masters already durable (a restored log). */
  readonly start: number;
  /** First turn whose agreed checksum is not logged yet. */
  readonly agreedFrom: number;
}): MasterOutbox<C> {
  const { host } = options;
  const { journal } = host;
  // The master's JSON text is the turn log's: a JSON protocol splices it rather than serialize again.
  const broadcast = (master: MasterPacket<C>, payloadJson: string) =>
    host.broadcast({ kind: 'game', type: 'ls.master', payload: master, payloadJson });
  const fail = (turn: number, error: unknown) => {
    // Going on would send turns that another node cannot rebuild: the room stops here.
    host.logger.error('Lockstep turn could not be logged: the room halts', {
      roomId: host.roomId,
      turn,
      cause: String(error),
    });
    host.sendToRoom({
      type: 'HALT',
      cause: 'fault',
      detail: `Turn ${turn} could not be logged: ${String(error)}`,
    });
  };
  let durable = options.start;
  let scan = options.agreedFrom;
  let tail: Promise<void> = Promise.resolve();
  let failed = false;

  const newlyAgreed = (upTo: number) => {
    const found: [number, string][] = [];
    while (scan <= upTo) {
      const sum = options.agreed(scan);
      if (sum !== undefined) found.push([scan, sum]);
      else if (scan >= upTo - AGREED_PATIENCE) break;
      scan++;
    }
    return found;
  };

  return {
    get durable() {
      return durable;
    },
    publish(master, text) {
      if (!journal) {
        durable = master.turn + 1;
        broadcast(master, text);
        return;
      }
      const agreed = newlyAgreed(master.turn);
      const entry: LockstepTurnEntry<C> = agreed.length ? { master, agreed } : { master };
      const written = journal.append(master.turn, entry);
      written.catch(() => undefined); // Handled below, in turn order.
      tail = tail
        .then(() => written)
        .then(
          () => {
            if (failed) return;
            durable = master.turn + 1;
            broadcast(master, text);
          },
          (error: unknown) => {
            if (failed) return;
            failed = true;
            fail(master.turn, error);
          },
        );
    },
  };
}

/** Put a restored log and checkpoint into a new engine's structures; returns its scalar state. */
export function restoreInto<C>(
  restored: RestoredLockstep<C>,
  into: {
    readonly masters: MasterLog<C>;
    readonly issuedAt: number[];
    readonly active: Set<string>;
    readonly dropped: Set<string>;
    readonly rejoinAt: Map<string, number>;
    readonly book: ChecksumBook;
    readonly now: number;
  },
  timing: TurnTiming,
): { players: string[]; timing: TurnTiming; lastAdapt: number } {
  for (const master of restored.masters) into.masters.push(master);
  // Restored masters count as just sent: nobody is re-sent them before resendAfterMs.
  for (let i = into.issuedAt.length; i < into.masters.length; i++) into.issuedAt.push(into.now);
  for (const [turn, sum] of restored.agreed) into.book.restoreAgreed(turn, sum);
  const last = restored.masters.at(-1);
  const saved = restored.checkpoint;
  for (const seat of saved?.active ?? []) into.active.add(seat);
  for (const seat of saved?.dropped ?? []) into.dropped.add(seat);
  for (const [seat, turn] of saved?.rejoinAt ?? []) into.rejoinAt.set(seat, turn);
  return {
    players: [...(saved?.players ?? [])],
    timing: last ? { turnMs: last.turn_ms, iterations: last.iterations } : timing,
    lastAdapt: saved?.lastAdapt ?? into.masters.length,
  };
}
