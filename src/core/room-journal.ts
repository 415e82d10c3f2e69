/**
 * The room journal seam: what a durable room writes as it goes, so that another node can
 * rebuild it after its own node died (docs/scaling.md). Two parts per room:
 *
 * - a **checkpoint**: one small JSON document (the room chart's context and phase, seat
 *   generations, the sync engine's own state), replaced on every change of the room;
 * - a **turn log**: one entry per issued turn (a lockstep master packet), appended in turn
 *   order, each before anyone is sent that turn.
 *
 * Writes are fenced by ownership (`Presence.claimRoom`): a node that lost the room (it was
 * declared dead and another node took over) can no longer write, so a zombie cannot fork the
 * log. Implementations live next to their presence (`presence/memory`, `presence/redis`).
 */
export interface RoomJournal {
  /** Replace the room's checkpoint; rejects with ROOM_MOVED when `owner` no longer owns the room. */
  saveRoom(roomId: string, owner: string, checkpoint: unknown): Promise<void>;
  /**
   * Append the entry of `turn`; resolves once stored. Rejects with ROOM_MOVED when `owner` no
   * longer owns the room, and with CLUSTER_JOURNAL_CONFLICT when `turn` is not after the last
   * logged turn (a turn is never logged twice).
   */
  appendTurn(roomId: string, owner: string, turn: number, entry: unknown): Promise<void>;
  /** The checkpoint and the whole turn log in order; undefined when nothing was saved. */
  loadRoom(roomId: string): Promise<JournaledRoom | undefined>;
  /** Delete checkpoint and turn log (the room ended, or was closed for good). */
  forgetRoom(roomId: string): Promise<void>;
}

export interface JournaledRoom {
  /** The latest checkpoint; undefined when only turns were written. */
  readonly checkpoint: unknown;
  readonly turns: readonly JournaledTurn[];
}

export interface JournaledTurn {
  readonly turn: number;
  readonly entry: unknown;
}
