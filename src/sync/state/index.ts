/**
 * `chartroom/sync/state`: authoritative snapshot/delta rooms (seed 002's `world.snapshot` and
 * `world.delta`). The game author writes the simulation and says what each client may see;
 * the engine ticks it, diffs each client's view against what it last sent, and streams.
 *
 * @example
 * const trader = snapshotSync({
 *   inputs: { 'input.command': inputCommand },
 *   entity: z.object({ id: z.string(), kind: z.string(), x: z.number(), y: z.number() }),
 *   sections: { you: { schema: you }, zones: { schema: z.array(zone), delta: 'snapshot' } },
 *   event: worldEvent,
 *   world: (init) => createSpaceWorld(init),
 *   tickRate: 20,
 *   dropIn: true,
 * });
 * export const spaceTrader = defineRoom({ name: 'space-trader', ..., sync: trader });
 */
import { z } from 'zod';
import { ChartroomError, ErrorCode } from '../../core/errors.js';
import type { MessageSchemas, RoomMessages } from '../../core/room-type.js';
import type { SyncModel } from '../../core/sync.js';
import { createSnapshotEngine } from './engine.js';
import type { AnyStateWorld, SnapshotEngine } from './engine.js';
import { defaultStateLimits, modelClientMessages, sectionSpecs, worldMessageSchemas } from './messages.js';
import type { EntityRecord, SectionSchemas, StateLimits, StateWorld, WorldInit } from './types.js';

export interface SnapshotSyncOptions<
  I extends MessageSchemas,
  ES extends z.ZodType<EntityRecord>,
  S extends SectionSchemas,
  EvS extends z.ZodType,
  SM extends MessageSchemas,
> {
  /** Client messages of the game (inputs, requests): validated once, handed to `world.input`. */
  readonly inputs: I;
  /** Schema of one entity: `z.object` with `id: z.string()` and flat fields. */
  readonly entity: ES;
  /** The view's named non-entity parts and how they travel. Default none. */
  readonly sections?: S;
  /** Schema of one event in `world.delta`'s `events`. Default: no events (`z.never()`). */
  readonly event?: EvS;
  /** The game's other server messages (`trade.result`, `combat.event`, ...), for typing and validation. */
  readonly serverMessages?: SM;
  /** Create the room's world (once, on first need). */
  readonly world: (init: WorldInit<SM>) => StateWorld<I, z.output<ES>, S, z.output<EvS>, SM>;
  /** Ticks per second, 1..60. Default 20 (seed 002: 20-30). */
  readonly tickRate?: number;
  /** Each client gets a full snapshot this often for correction (staggered by join time). Default 3000. */
  readonly snapshotEveryMs?: number;
  /**
   * Drop-in world: a seated player counts as ready at once, so the first player starts the world
   * and later ones join it (pair with `lateJoin: 'player'`). Default false (the room's ready check).
   */
  readonly dropIn?: boolean;
  /** Defaults in `defaultStateLimits`. */
  readonly limits?: Partial<StateLimits>;
}

type WorldMessages<
  ES extends z.ZodType<EntityRecord>,
  S extends SectionSchemas,
  EvS extends z.ZodType,
> = ReturnType<typeof worldMessageSchemas<ES, S, EvS>>;

export interface SnapshotModel<
  I extends MessageSchemas,
  ES extends z.ZodType<EntityRecord>,
  S extends SectionSchemas,
  EvS extends z.ZodType,
  SM extends MessageSchemas,
> extends SyncModel {
  /** Client: the inputs and `world.resync`. Server: `world.snapshot`, `world.delta` and the game's own. */
  readonly messages: RoomMessages<I & typeof modelClientMessages, SM & WorldMessages<ES, S, EvS>>;
  readonly tickMs: number;
  create(
    host: Parameters<SyncModel['create']>[0],
  ): SnapshotEngine<StateWorld<I, z.output<ES>, S, z.output<EvS>, SM>>;
}

/** Define a snapshot/delta sync model; see docs/sync-state.md. */
export function snapshotSync<
  I extends MessageSchemas,
  ES extends z.ZodType<EntityRecord>,
  S extends SectionSchemas = Record<never, never>,
  EvS extends z.ZodType = z.ZodNever,
  SM extends MessageSchemas = Record<never, never>,
>(options: SnapshotSyncOptions<I, ES, S, EvS, SM>): SnapshotModel<I, ES, S, EvS, SM> {
  const tickRate = options.tickRate ?? 20;
  if (!Number.isFinite(tickRate) || tickRate < 1 || tickRate > 60) {
    throw new ChartroomError(
      ErrorCode.ROOM_INVALID_CONFIG,
      `tickRate: expected 1..60 ticks per second, received ${tickRate}. Seed 002 asks for 20-30.`,
    );
  }
  const tickMs = 1000 / tickRate;
  const snapshotEveryMs = options.snapshotEveryMs ?? 3000;
  if (!(snapshotEveryMs >= tickMs)) {
    throw new ChartroomError(
      ErrorCode.ROOM_INVALID_CONFIG,
      `snapshotEveryMs: expected >= one tick (${tickMs} ms), received ${snapshotEveryMs}.`,
    );
  }
  const sections = options.sections ?? ({} as S);
  // Without an event schema, `events` is always empty: `z.never()` stands for the schema type.
  const event = options.event ?? (z.never() as z.ZodType as EvS);
  const world = worldMessageSchemas(options.entity, sections, event);
  const specs = sectionSpecs(sections);
  const limits = { ...defaultStateLimits, ...options.limits };
  return {
    name: 'snapshot-delta',
    tickMs,
    messages: {
      client: { ...options.inputs, ...modelClientMessages },
      server: { ...options.serverMessages, ...world } as SM & WorldMessages<ES, S, EvS>,
    },
    create: (host) =>
      createSnapshotEngine(host, {
        tickMs,
        snapshotEveryTicks: Math.max(1, Math.round(snapshotEveryMs / tickMs)),
        dropIn: options.dropIn ?? false,
        limits,
        sections: specs,
        inputTypes: new Set(Object.keys(options.inputs)),
        // The engine is written against erased types; the factory's own types hold at this seam.
        createWorld: (init) => options.world(init as WorldInit<SM>) as unknown as AnyStateWorld,
      }) as unknown as SnapshotEngine<StateWorld<I, z.output<ES>, S, z.output<EvS>, SM>>,
  };
}

export { createSnapshotEngine } from './engine.js';
export type { AnyStateWorld, SnapshotEngine, SnapshotSettings } from './engine.js';
export type { SnapshotStats } from './client-stream.js';
export { createInputLimiter } from './rate-limit.js';
export type { LimitVerdict } from './rate-limit.js';
export { applyEntityChanges, diffEntities, diffEntity, jsonEqual } from './diff.js';
export type { DiffCache, EntityDiff, EntityUpdate } from './diff.js';
export { StateMirror } from './mirror.js';
export {
  DELTA_TYPE,
  RESERVED_KEYS,
  RESYNC_TYPE,
  SNAPSHOT_TYPE,
  defaultStateLimits,
  sectionSpecs,
  worldMessageSchemas,
} from './messages.js';
export type { DeltaPayload, EntityUpdateOf, SectionSpec, SnapshotPayload } from './messages.js';
export type {
  ClientView,
  EntityRecord,
  EntityValue,
  InputRequest,
  SectionDelta,
  SectionOptions,
  SectionSchemas,
  SectionValues,
  StateLimits,
  StateWorld,
  WorldInit,
  WorldInput,
  WorldSeat,
} from './types.js';
