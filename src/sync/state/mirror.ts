import { applyEntityChanges } from './diff.js';
import type { EntityUpdate } from './diff.js';
import { RESERVED_KEYS } from './messages.js';
import type { DeltaPayload, SnapshotPayload } from './messages.js';
import type { EntityRecord, SectionSchemas, SectionValues } from './types.js';

/**
 * The client half of the snapshot/delta model: holds what the server last sent this client
 * (entities and sections) by applying `world.snapshot` and every `world.delta` in order.
 * Browser-safe; the page, the bot and the tests all use it.
 *
 * @example
 * const mirror = new StateMirror<Entity, typeof sections, WorldEvent>();
 * session.on('world.snapshot', (s) => mirror.applySnapshot(s));
 * session.on('world.delta', (d) => {
 *   const events = mirror.applyDelta(d);
 *   // No baseline (the snapshot went out before `on` was called): ask for a fresh one.
 *   if (!mirror.synced) session.send('world.resync', {});
 *   events?.forEach(showEvent);
 * });
 * session.onStatus((status) => status === 'reconnecting' && mirror.reset());
 */
export class StateMirror<
  E extends EntityRecord = EntityRecord,
  S extends SectionSchemas = SectionSchemas,
  Ev = unknown,
> {
  #tick = -1;
  #synced = false;
  #entities = new Map<string, E>();
  #sections: Record<string, unknown> = {};
  #ignored = 0;

  /** Tick of the last message applied; -1 before the first snapshot. */
  get tick(): number {
    return this.#tick;
  }
  /** Whether a snapshot arrived since the start or the last `reset`: deltas apply only then. */
  get synced(): boolean {
    return this.#synced;
  }
  get entities(): ReadonlyMap<string, E> {
    return this.#entities;
  }
  get sections(): SectionValues<S> {
    return this.#sections as SectionValues<S>;
  }
  /** Deltas ignored: before the first snapshot, after a `reset`, or not newer than `tick`. */
  get ignored(): number {
    return this.#ignored;
  }

  /** Replace everything with a snapshot. */
  applySnapshot(snapshot: SnapshotPayload<E, S>): void {
    const payload = snapshot as unknown as Record<string, unknown>;
    this.#entities = new Map(snapshot.entities.map((entity) => [entity.id, entity]));
    this.#sections = {};
    for (const key in payload) {
      if (!RESERVED_KEYS.includes(key) && payload[key] !== undefined) this.#sections[key] = payload[key];
    }
    this.#tick = snapshot.tick;
    this.#synced = true;
  }

  /**
   * Apply a delta on top of what the mirror holds. Returns the delta's events, or undefined
   * when it was ignored (no snapshot yet, or not newer than the last message).
   */
  applyDelta(delta: DeltaPayload<E, S, Ev>): readonly Ev[] | undefined {
    if (!this.#synced || delta.tick <= this.#tick) {
      this.#ignored++;
      return undefined;
    }
    applyEntityChanges(
      this.#entities as Map<string, EntityRecord>,
      delta.entity_updates as readonly EntityUpdate[],
      delta.entity_removed,
    );
    const payload = delta as unknown as Record<string, unknown>;
    for (const key in payload) {
      if (RESERVED_KEYS.includes(key)) continue;
      const value = payload[key];
      if (value === null) {
        const { [key]: _gone, ...rest } = this.#sections;
        this.#sections = rest;
      } else if (value !== undefined) this.#sections[key] = value;
    }
    this.#tick = delta.tick;
    return delta.events;
  }

  /** The link dropped: ignore deltas until the next snapshot (the server sends one on resume). */
  reset(): void {
    this.#synced = false;
  }
}
