import type { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import type { Role } from '../../core/messages.js';
import type { MessageSchemas } from '../../core/room-type.js';

/** A field value of an entity: flat primitives only, so a delta can name changed fields. */
export type EntityValue = number | string | boolean;

/**
 * One entity of a client's view: an `id` and flat fields. The engine treats it as immutable:
 * return a new object when anything changed; returning the very same object as last tick
 * means "unchanged" and costs nothing to diff. A field never holds `null` (a delta's `null`
 * means the field was removed).
 */
export interface EntityRecord {
  readonly id: string;
}

/**
 * How deltas carry a section (a named non-entity part of the view: the player's own ship,
 * markets, zones, ...):
 * - `'changed'`: whole, in the first delta after it changed (reference or deep inequality);
 * - `'always'`: whole, in every delta (seed 002's `you_zone_context`);
 * - `'snapshot'`: never in deltas; only snapshots carry it (static or slowly changing data).
 */
export type SectionDelta = 'changed' | 'always' | 'snapshot';

export interface SectionOptions<T extends z.ZodType = z.ZodType> {
  /** Schema of the section's value (validated by the client SDK, types the world's `view`). */
  readonly schema: T;
  /** Default `'changed'`. */
  readonly delta?: SectionDelta;
  /** Whether snapshots carry it. Default true. */
  readonly snapshot?: boolean;
}

export type SectionSchemas = Readonly<Record<string, SectionOptions>>;

/** The value of each section a view may hold (a section left out is absent for that client). */
export type SectionValues<S extends SectionSchemas> = {
  readonly [K in keyof S]?: z.output<S[K]['schema']>;
};

/** What one client may see this tick (interest management and privacy are the world's call). */
export interface ClientView<E extends EntityRecord, S extends SectionSchemas, Ev> {
  readonly entities: Iterable<E>;
  readonly sections?: SectionValues<S>;
  /** Transient events of this tick this client should hear about (delivered at most once). */
  readonly events?: readonly Ev[];
}

/** A seat as the world learns it. */
export interface WorldSeat {
  readonly seatId: string;
  readonly userId: string;
  readonly name: string;
}

/** One validated input: a client message of the model's `inputs`, typed by its `type`. */
export type WorldInput<I extends MessageSchemas> = {
  readonly [K in keyof I & string]: { readonly type: K; readonly payload: z.output<I[K]> };
}[keyof I & string];

/** How the world answers an input that is a request (a trade): once, finally. */
export interface InputRequest<SM extends MessageSchemas> {
  /** The protocol's correlation id (the envelope's client seq), if it has one. */
  readonly requestId: number | undefined;
  /** Answer with a server message (e.g. `trade.result`). */
  reply<K extends keyof SM & string>(type: K, payload: z.input<SM[K]>): void;
  /** Refuse with the game's own code (e.g. `NOT_DOCKED`); the envelope sends `error` with ref_seq. */
  refuse(code: string, message: string): void;
}

/** What the engine lends the world it creates. */
export interface WorldInit<SM extends MessageSchemas, Config = unknown> {
  readonly roomId: string;
  /** The room's seed: draw randomness from a PRNG seeded with it, never `Math.random`. */
  readonly seed: number;
  readonly config: Config;
  /** Length of one tick (1000 / tickRate). */
  readonly tickMs: number;
  /** The room's clock (cooldowns in ms). */
  now(): number;
  readonly logger: Logger;
  /** Send a server message to one seat at once (e.g. `combat.event`). */
  send<K extends keyof SM & string>(seatId: string, type: K, payload: z.input<SM[K]>): void;
  /** Send a server message to every seat (encoded once per protocol). */
  broadcast<K extends keyof SM & string>(type: K, payload: z.input<SM[K]>): void;
}

/**
 * The game author's authoritative simulation. The engine owns time (it calls `tick` at the
 * configured rate), the clients and the diffs; the world owns the game state and decides what
 * each client may see. Keep the state in the world (plain objects, maps), not in a chart's
 * context: it is large and changes every tick.
 */
export interface StateWorld<
  I extends MessageSchemas,
  E extends EntityRecord,
  S extends SectionSchemas,
  Ev,
  SM extends MessageSchemas = MessageSchemas,
> {
  /** A player seat joined (before the game started, or late): give it its avatar. Idempotent per seat. */
  join(seat: WorldSeat): void;
  /** A player left for good (left, or its grace period ended). */
  leave(seatId: string): void;
  /** A player's connection dropped (it may come back): stop steering its avatar. */
  disconnected?(seatId: string): void;
  /** One validated input from a player; a request is answered through `request`. */
  input(seatId: string, input: WorldInput<I>, request: InputRequest<SM>): void;
  /** Advance the simulation one tick (fixed step: `tickMs` of game time). */
  tick(tick: number): void;
  /** What `seatId` sees now; called once per connected client per tick, after `tick`. */
  view(seatId: string, role: Role): ClientView<E, S, Ev>;
  /** Game fields of the seat's join answer (seed 002: `ship_id`, `spawn`). */
  joinedPayload?(seatId: string, role: Role): Readonly<Record<string, unknown>> | undefined;
}

/** Limits of the snapshot/delta engine (see `defaultStateLimits`). */
export interface StateLimits {
  /** Inputs per second one seat may send (token bucket refill). */
  readonly maxInputsPerSecond: number;
  /** Inputs one seat may send in a burst (token bucket size). */
  readonly inputBurst: number;
  /** Events held for one client between two deltas; older ones are dropped first. */
  readonly maxEventsPerDelta: number;
  /**
   * Slow-consumer threshold: while a link holds more unsent bytes than this, the client's
   * deltas are skipped; once it drains it gets a fresh snapshot. Keep it under the server's
   * `maxBufferedBytes`, which closes the link.
   */
  readonly slowConsumerBytes: number;
  /** A tick later than this many tick lengths re-anchors the clock instead of catching up. */
  readonly maxLateTicks: number;
}
