import { z } from 'zod';
import { ChartroomError, ErrorCode } from '../../core/errors.js';
import type { EntityRecord, SectionDelta, SectionSchemas, SectionValues, StateLimits } from './types.js';

/** Message types of the model (seed 002's names). */
export const SNAPSHOT_TYPE = 'world.snapshot';
export const DELTA_TYPE = 'world.delta';
/**
 * Client -> server: "I lost my baseline, send me a snapshot" (a delta arrived before any
 * snapshot, e.g. one sent before the client subscribed). Extension of seed 002.
 */
export const RESYNC_TYPE = 'world.resync';

/** The model's own client messages, besides the game's inputs. */
export const modelClientMessages = { [RESYNC_TYPE]: z.object({}) } as const;

/** Payload keys the model owns; a section cannot take one of these names. */
export const RESERVED_KEYS: readonly string[] = [
  'tick',
  'entities',
  'entity_updates',
  'entity_removed',
  'events',
];

/** Engine limits used when `snapshotSync({ limits })` leaves them out. */
export const defaultStateLimits: StateLimits = {
  maxInputsPerSecond: 60,
  inputBurst: 30,
  maxEventsPerDelta: 256,
  slowConsumerBytes: 512 * 1024,
  maxLateTicks: 5,
};

/** An entity's changes on the wire: the id, and changed fields (`null`: removed). */
export type EntityUpdateOf<E extends EntityRecord> = { readonly id: string } & {
  readonly [K in Exclude<keyof E, 'id'>]?: E[K] | null;
};

/** `world.snapshot`: the whole view of one client (seed 002). */
export type SnapshotPayload<E extends EntityRecord, S extends SectionSchemas> = {
  readonly tick: number;
  readonly entities: readonly E[];
} & SectionValues<S>;

/** `world.delta`: what changed for one client since the last message it was sent (seed 002). */
export type DeltaPayload<E extends EntityRecord, S extends SectionSchemas, Ev> = {
  readonly tick: number;
  readonly entity_updates: readonly EntityUpdateOf<E>[];
  readonly entity_removed: readonly string[];
  readonly events: readonly Ev[];
} & { readonly [K in keyof S]?: z.output<S[K]['schema']> | null };

/** A section with its defaults applied. */
export interface SectionSpec {
  readonly name: string;
  readonly delta: SectionDelta;
  readonly snapshot: boolean;
}

/** Apply defaults and refuse reserved names (at definition time, so a typo fails fast). */
export function sectionSpecs(sections: SectionSchemas): SectionSpec[] {
  return Object.entries(sections).map(([name, options]) => {
    if (RESERVED_KEYS.includes(name)) {
      throw new ChartroomError(
        ErrorCode.ROOM_INVALID_CONFIG,
        `Section "${name}" uses a name the snapshot/delta model owns (${RESERVED_KEYS.join(', ')}). Rename it.`,
      );
    }
    return { name, delta: options.delta ?? 'changed', snapshot: options.snapshot ?? true };
  });
}

/** Schema of an entity update: the entity's fields, each optional and nullable, the id required. */
function entityUpdateSchema(entity: z.ZodType): z.ZodType {
  if (!(entity instanceof z.ZodObject) || !(entity.shape.id instanceof z.ZodString)) {
    throw new ChartroomError(
      ErrorCode.ROOM_INVALID_CONFIG,
      'The entity schema must be a z.object with `id: z.string()` and flat fields (number, string, boolean).',
    );
  }
  const fields = Object.entries(entity.shape as Record<string, z.ZodType>)
    .filter(([key]) => key !== 'id')
    .map(([key, schema]) => [key, schema.nullable().optional()] as const);
  return z.object({ id: z.string(), ...Object.fromEntries(fields) });
}

/** The `world.snapshot` and `world.delta` schemas of one model, built from its parts. */
export function worldMessageSchemas<
  ES extends z.ZodType<EntityRecord>,
  S extends SectionSchemas,
  EvS extends z.ZodType,
>(entity: ES, sections: S, event: EvS) {
  type E = z.output<ES>;
  type Ev = z.output<EvS>;
  const specs = sectionSpecs(sections);
  const snapshotSections = Object.fromEntries(
    specs.filter((s) => s.snapshot).map((s) => [s.name, sections[s.name]?.schema.optional()]),
  );
  const deltaSections = Object.fromEntries(
    specs
      .filter((s) => s.delta !== 'snapshot')
      .map((s) => [s.name, sections[s.name]?.schema.nullable().optional()]),
  );
  const tick = z.number().int().min(0);
  // The casts name the types the dynamic shapes stand for (zod cannot infer computed keys).
  return {
    [SNAPSHOT_TYPE]: z.object({
      tick,
      entities: z.array(entity),
      ...snapshotSections,
    }) as unknown as z.ZodType<SnapshotPayload<E, S>>,
    [DELTA_TYPE]: z.object({
      tick,
      entity_updates: z.array(entityUpdateSchema(entity)),
      entity_removed: z.array(z.string()),
      events: z.array(event),
      ...deltaSections,
    }) as unknown as z.ZodType<DeltaPayload<E, S, Ev>>,
  } as const;
}
