import { diffEntities, jsonEqual } from './diff.js';
import type { DiffCache } from './diff.js';
import type { SectionSpec } from './messages.js';
import type { ClientView, EntityRecord, SectionSchemas } from './types.js';
import type { Role } from '../../core/messages.js';

/**
 * One client's stream: what it was last sent (the baseline of its next delta) and the events
 * waiting for its next delta, with the pure functions that build its messages. Runtime state
 * of the engine, never in a chart's context (it is as large as the client's view).
 */

/** Counters of one engine (bench, metrics, tests). */
export interface SnapshotStats {
  snapshots: number;
  deltas: number;
  /** Deltas not sent because the client's link was over `slowConsumerBytes`. */
  skipped: number;
  eventsDropped: number;
  inputsDropped: number;
  /** Times the tick clock fell more than `maxLateTicks` behind and re-anchored. */
  lateTicks: number;
  /** Entities left out of a view because their id was already in it (a world bug). */
  duplicateIds: number;
}

export const emptyStats = (): SnapshotStats => ({
  snapshots: 0,
  deltas: 0,
  skipped: 0,
  eventsDropped: 0,
  inputsDropped: 0,
  lateTicks: 0,
  duplicateIds: 0,
});

/** What one client was last sent. */
export interface Sent {
  entities: Map<string, EntityRecord>;
  readonly sections: Map<string, unknown>;
}

export interface ClientStream {
  readonly seatId: string;
  role: Role;
  /** Undefined: the next message is a snapshot (new link, skipped deltas, resync). */
  sent: Sent | undefined;
  snapshotTick: number;
  events: unknown[];
}

export type AnyView = ClientView<EntityRecord, SectionSchemas, unknown>;

/** Queue this tick's events for the next delta; the oldest go first past `max`. */
export function holdEvents(
  client: ClientStream,
  events: readonly unknown[],
  max: number,
  stats: SnapshotStats,
): void {
  for (const event of events) client.events.push(event);
  const excess = client.events.length - max;
  if (excess > 0) {
    client.events.splice(0, excess);
    stats.eventsDropped += excess;
  }
}

/** The `world.snapshot` payload of a view; the client's baseline becomes that view. */
export function snapshotPayload(
  client: ClientStream,
  view: AnyView,
  tick: number,
  sections: readonly SectionSpec[],
  stats: SnapshotStats,
): Record<string, unknown> {
  const entities = new Map<string, EntityRecord>();
  const list: EntityRecord[] = [];
  for (const entity of view.entities) {
    if (entities.has(entity.id)) {
      stats.duplicateIds++;
      continue;
    }
    entities.set(entity.id, entity);
    list.push(entity);
  }
  const payload: Record<string, unknown> = { tick, entities: list };
  const held = new Map<string, unknown>();
  for (const { name, snapshot } of sections) {
    const value = view.sections?.[name];
    if (!snapshot || value === undefined) continue;
    payload[name] = value;
    held.set(name, value);
  }
  client.sent = { entities, sections: held };
  client.snapshotTick = tick;
  stats.snapshots++;
  return payload;
}

/** The `world.delta` payload: the view against the client's baseline, which moves to the view. */
export function deltaPayload(
  client: ClientStream,
  sent: Sent,
  view: AnyView,
  tick: number,
  sections: readonly SectionSpec[],
  stats: SnapshotStats,
  cache: DiffCache,
): Record<string, unknown> {
  const diff = diffEntities(sent.entities, view.entities, cache);
  stats.duplicateIds += diff.duplicates;
  sent.entities = diff.next;
  const payload: Record<string, unknown> = {
    tick,
    entity_updates: diff.updates,
    entity_removed: diff.removed,
    events: client.events,
  };
  client.events = [];
  for (const { name, delta } of sections) {
    if (delta === 'snapshot') continue;
    const value = view.sections?.[name];
    const before = sent.sections.get(name);
    if (value === undefined) {
      // A section the client no longer sees: `null` tells its mirror to drop it.
      if (before === undefined) continue;
      payload[name] = null;
      sent.sections.delete(name);
    } else if (
      delta === 'always' ||
      before === undefined ||
      (before !== value && !jsonEqual(before, value))
    ) {
      payload[name] = value;
      sent.sections.set(name, value);
    }
  }
  stats.deltas++;
  return payload;
}
