import type { EntityRecord, EntityValue } from './types.js';

/**
 * The diff engine of the snapshot/delta model: pure functions the server engine uses to build
 * each client's delta and the client mirror uses to apply it. Browser-safe.
 */

/** One entity's changes: its id and only the fields that changed (`null`: the field is gone). */
export interface EntityUpdate {
  readonly id: string;
  readonly [field: string]: EntityValue | null;
}

export interface EntityDiff<E extends EntityRecord> {
  /** New entities in full, changed ones with only their changed fields, in view order. */
  readonly updates: EntityUpdate[];
  /** Ids in the previous view and not in the new one. */
  readonly removed: string[];
  /** The new view by id: what the client holds once it applied this diff. */
  readonly next: Map<string, E>;
  /** Entities skipped because their id was already in the view (a bug in the world's `view`). */
  readonly duplicates: number;
}

type Fields = Readonly<Record<string, unknown>>;
/** An entity read field by field (entities are plain objects of flat fields). */
const fieldsOf = (entity: EntityRecord): Fields => entity as unknown as Fields;

/**
 * The fields of `next` that differ from `prev` (`null` for a field `next` no longer has), or
 * undefined when nothing changed. The same object twice is unchanged without a look.
 *
 * @example
 * diffEntity({ id: 's1', x: 1, hp: 9 }, { id: 's1', x: 2, hp: 9 }); // { id: 's1', x: 2 }
 */
export function diffEntity(prev: EntityRecord, next: EntityRecord): EntityUpdate | undefined {
  if (prev === next) return undefined;
  const before = fieldsOf(prev);
  const after = fieldsOf(next);
  let update: Record<string, EntityValue | null> | undefined;
  for (const key in after) {
    const value = after[key];
    if (value === undefined) {
      if (before[key] !== undefined) (update ??= { id: next.id })[key] = null;
    } else if (value !== before[key]) {
      (update ??= { id: next.id })[key] = value as EntityValue;
    }
  }
  for (const key in before) {
    if (before[key] !== undefined && !(key in after)) (update ??= { id: next.id })[key] = null;
  }
  return update as EntityUpdate | undefined;
}

/**
 * Field diffs already computed this tick, by the entity object a client held: clients that
 * held the same object and now see the same new one share one update (entities are immutable,
 * so identity is enough). Clear it every tick.
 */
export type DiffCache = Map<
  EntityRecord,
  { readonly next: EntityRecord; readonly update: EntityUpdate | undefined }
>;

/**
 * Diff a client's last sent entities against its new view. Linear in the sizes of both.
 *
 * @example
 * const { updates, removed, next } = diffEntities(sent, world.view(seat).entities);
 */
export function diffEntities<E extends EntityRecord>(
  prev: ReadonlyMap<string, E>,
  entities: Iterable<E>,
  cache?: DiffCache,
): EntityDiff<E> {
  const next = new Map<string, E>();
  const updates: EntityUpdate[] = [];
  let duplicates = 0;
  for (const entity of entities) {
    if (next.has(entity.id)) {
      duplicates++;
      continue;
    }
    next.set(entity.id, entity);
    const before = prev.get(entity.id);
    if (before === undefined) {
      updates.push(entity as unknown as EntityUpdate);
      continue;
    }
    if (before === entity) continue;
    const cached = cache?.get(before);
    const update = cached?.next === entity ? cached.update : diffEntity(before, entity);
    if (cache && cached?.next !== entity) cache.set(before, { next: entity, update });
    if (update) updates.push(update);
  }
  const removed: string[] = [];
  for (const id of prev.keys()) if (!next.has(id)) removed.push(id);
  return { updates, removed, next, duplicates };
}

/**
 * Apply entity updates and removals to a client's entity map, in place: the inverse of
 * `diffEntities` (`applyEntityChanges(prev, diff)` leaves `prev` equal to `diff.next`).
 */
export function applyEntityChanges(
  entities: Map<string, EntityRecord>,
  updates: readonly EntityUpdate[],
  removed: readonly string[],
): void {
  for (const update of updates) {
    const previous = entities.get(update.id);
    const merged: Record<string, unknown> = {};
    if (previous) {
      const fields = fieldsOf(previous);
      for (const key in fields) if (!(key in update)) merged[key] = fields[key];
    }
    for (const key in update) if (update[key] !== null) merged[key] = update[key];
    entities.set(update.id, merged as unknown as EntityRecord);
  }
  for (const id of removed) entities.delete(id);
}

/** Structures deeper than this compare unequal (and so are re-sent): a bound, not a limit in practice. */
export const MAX_COMPARE_DEPTH = 32;

/**
 * Equality of JSON-like values as their JSON encodings would see it (a key holding `undefined`
 * is absent). Used to decide whether a section changed.
 */
export function jsonEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (depth >= MAX_COMPARE_DEPTH) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i], depth + 1)) return false;
    return true;
  }
  const left = a as Fields;
  const right = b as Fields;
  let count = 0;
  for (const key in left) {
    if (left[key] === undefined) continue;
    count++;
    if (!jsonEqual(left[key], right[key], depth + 1)) return false;
  }
  for (const key in right) if (right[key] !== undefined) count--;
  return count === 0;
}
