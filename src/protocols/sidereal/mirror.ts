import type { DiffBody, SnapBody, TraitValue, Traits } from './messages.js';

/** One object as the client knows it: its traits as of `time` (the universe tick that last changed it). */
export interface MirrorObject {
  readonly id: string;
  readonly time: number;
  readonly traits: Readonly<Record<string, TraitValue>>;
}

/** A keyframe being received: complete once `total` distinct objects arrived (seed 001: `total`). */
export interface KeyframeProgress {
  readonly time: number;
  readonly total: number;
  readonly initial: boolean;
  readonly received: number;
  readonly complete: boolean;
}

export interface MirrorOptions {
  /** Diffs held for objects whose snap has not arrived yet (one merged diff per object). Default 1024. */
  readonly maxPendingDiffs: number;
}

export interface MirrorStats {
  snaps: number;
  diffs: number;
  /** Diffs (and snaps) older than what the mirror already holds for their object: ignored. */
  stale: number;
  /** Diffs held for an object not snapped yet. */
  pending: number;
  /** Diffs dropped because maxPendingDiffs objects were already waiting. */
  pendingDropped: number;
  keyframes: number;
}

export type SnapResult = { readonly applied: boolean; readonly keyframe: KeyframeProgress };
export type DiffResult = 'applied' | 'stale' | 'pending' | 'dropped';

/**
 * The client's copy of the world (seed 001): snaps replace an object, diffs update a subset of
 * its traits, each timestamped with the universe time. Out-of-order arrival is expected (diffs
 * travel unordered, snaps on the reliable stream), so:
 *
 * - a diff or snap older than the object's time is stale and ignored (the sender folds an
 *   unacknowledged diff into the object's next one, so ignoring the late original loses nothing);
 * - a diff for an object not yet snapped waits for its snap (bounded), then applies if newer;
 * - an `initial` snap sets the mirror's universe time, even backwards (the seed: "their time is
 *   kosher, and should be adjusted to"); other packets only move it forward;
 * - a keyframe is complete when `total` distinct objects of that time arrived; a complete
 *   initial keyframe is the whole world, so objects older than it and absent from it are dropped.
 */
export class WorldMirror {
  readonly stats: MirrorStats = { snaps: 0, diffs: 0, stale: 0, pending: 0, pendingDropped: 0, keyframes: 0 };
  #objects = new Map<string, MirrorObject>();
  #pending = new Map<string, DiffBody>();
  #keyframe: { time: number; total: number; initial: boolean; ids: Set<string> } | undefined;
  #time = 0;
  #maxPending: number;

  constructor(options: Partial<MirrorOptions> = {}) {
    this.#maxPending = options.maxPendingDiffs ?? 1024;
  }

  /** The latest universe time the mirror knows of. */
  get time(): number {
    return this.#time;
  }

  get size(): number {
    return this.#objects.size;
  }

  get keyframe(): KeyframeProgress | undefined {
    const k = this.#keyframe;
    if (!k) return undefined;
    return {
      time: k.time,
      total: k.total,
      initial: k.initial,
      received: k.ids.size,
      complete: k.ids.size >= k.total,
    };
  }

  get(id: string): MirrorObject | undefined {
    return this.#objects.get(id);
  }

  objects(): IterableIterator<MirrorObject> {
    return this.#objects.values();
  }

  /** The world as plain data: id -> traits (for comparisons and logs). */
  snapshot(): Record<string, Traits> {
    const out: Record<string, Traits> = {};
    for (const [id, object] of this.#objects) out[id] = { ...object.traits };
    return out;
  }

  applySnap(snap: SnapBody): SnapResult {
    this.stats.snaps++;
    const initial = snap.initial === true;
    let k = this.#keyframe;
    if (
      !k ||
      k.time !== snap.time ||
      k.total !== snap.total ||
      k.initial !== initial ||
      k.ids.size >= k.total
    ) {
      k = { time: snap.time, total: snap.total, initial, ids: new Set() };
      this.#keyframe = k;
      if (initial) this.#time = snap.time;
    }
    k.ids.add(snap.id);
    if (!initial) this.#time = Math.max(this.#time, snap.time);
    const current = this.#objects.get(snap.id);
    const applied = !current || current.time <= snap.time;
    if (applied) this.#objects.set(snap.id, { id: snap.id, time: snap.time, traits: { ...snap.traits } });
    else this.stats.stale++;
    const waiting = this.#pending.get(snap.id);
    if (waiting) {
      this.#pending.delete(snap.id);
      if (waiting.time > snap.time) this.#merge(waiting);
    }
    if (k.ids.size >= k.total) this.#finish(k);
    return { applied, keyframe: this.keyframe as KeyframeProgress };
  }

  applyDiff(diff: DiffBody): DiffResult {
    this.stats.diffs++;
    this.#time = Math.max(this.#time, diff.time);
    const current = this.#objects.get(diff.id);
    if (current) {
      if (diff.time < current.time) {
        this.stats.stale++;
        return 'stale';
      }
      this.#merge(diff);
      return 'applied';
    }
    const waiting = this.#pending.get(diff.id);
    if (!waiting && this.#pending.size >= this.#maxPending) {
      this.stats.pendingDropped++;
      return 'dropped';
    }
    this.stats.pending++;
    // One merged diff per waiting object, the newer one winning each trait.
    const [older, newer] = waiting && waiting.time > diff.time ? [diff, waiting] : [waiting, diff];
    this.#pending.set(diff.id, {
      type: 'diff',
      id: diff.id,
      time: newer.time,
      traits: { ...older?.traits, ...newer.traits },
    });
    return 'pending';
  }

  #merge(diff: DiffBody) {
    const current = this.#objects.get(diff.id);
    const traits: Record<string, TraitValue> = {};
    // `null` in a diff removes the trait.
    for (const [name, value] of Object.entries({ ...current?.traits, ...diff.traits })) {
      if (value !== null) traits[name] = value;
    }
    this.#objects.set(diff.id, { id: diff.id, time: Math.max(diff.time, current?.time ?? 0), traits });
  }

  #finish(k: { time: number; initial: boolean; ids: Set<string> }) {
    this.stats.keyframes++;
    if (!k.initial) return;
    for (const [id, object] of this.#objects) {
      if (!k.ids.has(id) && object.time < k.time) this.#objects.delete(id);
    }
  }
}
