import type { MasterPacket } from './types.js';

/** Bytes per storage chunk: a hundred masters of an 8-player turn. */
const CHUNK_BYTES = 64 * 1024;
/** Chunks kept in memory when older ones go to a store: the last few hundred turns. */
const KEEP_CHUNKS = 4;

/**
 * Where a turn log puts its older chunks so that a long match's memory stays bounded (a room
 * at 20 turns a second, 8 players with a command each, writes about 47 MB an hour). Chunks are
 * written once, in order, and read back only for re-sends, catch-ups and export.
 * `chartroom/sync/lockstep/node` has one on disk (`fileTurnLogStore`).
 */
export interface TurnLogStore {
  /** Keep chunk `index` (its bytes are never written to again). */
  put(index: number, bytes: Uint8Array): void;
  /** The bytes of a chunk given to `put`. */
  get(index: number): Uint8Array;
  /** The room is gone: free everything. */
  dispose(): void;
}

export interface MasterLogOptions {
  /** Older chunks go here; without one the whole log stays in memory. */
  readonly store?: TurnLogStore;
  /** Chunks kept in memory besides the one being written, when there is a store. Default 4. */
  readonly keepChunks?: number;
  /** Bytes per chunk. Default 64 KiB. */
  readonly chunkBytes?: number;
  /**
   * The store failed to keep a chunk (a full disk): the log keeps it, and every later one, in
   * memory, and says so once here.
   */
  readonly onStoreError?: (error: unknown) => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Every master packet a room has issued, in turn order: the match's turn log, kept whole for
 * export, replay, re-sends and catch-up.
 *
 * It grows by one master per turn for the whole match (an 8-player room at 20 turns a second
 * adds 72,000 an hour), so it is kept outside the JavaScript heap: each master's JSON text is
 * appended to large byte chunks, and three small integers per turn say where it is. As object
 * trees (about 20 objects a turn) or even as strings (which `JSON.stringify` returns as trees of
 * string pieces) the log made the heap, and every major collection's marking work, grow with
 * every turn played (docs/benchmarks.md). Reading a master back (re-sends, catch-up, export)
 * parses it: those are the rare paths.
 *
 * Chunks older than the last few go to a `TurnLogStore` when the room has one, so memory stays
 * bounded however long the match. Commands are JSON values by contract: they travel in master
 * packets and the log is exported as JSON. Browser-safe (no `Buffer`).
 */
export class MasterLog<C> {
  /** In-memory chunks by index; a chunk given to the store is `undefined` here. */
  readonly #chunks: (Uint8Array | undefined)[] = [];
  /** Bytes used in each chunk. */
  readonly #used: number[] = [];
  /** Per turn: chunk index, start and end offset in that chunk (three small integers). */
  readonly #index: number[] = [];
  readonly #store: TurnLogStore | undefined;
  readonly #onStoreError: ((error: unknown) => void) | undefined;
  readonly #keepChunks: number;
  readonly #chunkBytes: number;
  /** Whether full chunks still go to the store (not after it failed once). */
  #spilling = true;
  /** The last chunk read back from the store (reads go turn by turn, so mostly the same one). */
  #cached: { index: number; bytes: Uint8Array } | undefined;

  constructor(options: MasterLogOptions = {}) {
    this.#store = options.store;
    this.#onStoreError = options.onStoreError;
    this.#keepChunks = Math.max(0, options.keepChunks ?? KEEP_CHUNKS);
    this.#chunkBytes = Math.max(1024, options.chunkBytes ?? CHUNK_BYTES);
  }

  /** Masters logged so far: also the next turn to issue. */
  get length(): number {
    return this.#index.length / 3;
  }

  /** Bytes of log held in memory (the chunks not given to a store). */
  get residentBytes(): number {
    let bytes = 0;
    for (const chunk of this.#chunks) if (chunk) bytes += chunk.length;
    return bytes;
  }

  /**
   * Append the next turn's master (its `turn` must equal `length`); returns the JSON text it
   * logged, for the broadcast to reuse.
   */
  push(master: MasterPacket<C>): string {
    if (master.turn !== this.length) {
      throw new RangeError(`MasterLog: expected turn ${this.length}, got ${master.turn}`);
    }
    const text = JSON.stringify(master);
    // UTF-8 takes at most 3 bytes per UTF-16 unit: room for that, or a fresh chunk.
    const worst = text.length * 3;
    let last = this.#chunks.length - 1;
    let chunk = this.#chunks[last];
    if (!chunk || (this.#used[last] as number) + worst > chunk.length) {
      chunk = new Uint8Array(Math.max(this.#chunkBytes, worst));
      last = this.#chunks.push(chunk) - 1;
      this.#used.push(0);
      if (this.#spilling) this.#spill(last - 1 - this.#keepChunks);
    }
    const start = this.#used[last] as number;
    const end = start + encoder.encodeInto(text, chunk.subarray(start)).written;
    this.#used[last] = end;
    this.#index.push(last, start, end);
    return text;
  }

  /** Hand a full chunk to the store and let go of it here. */
  #spill(index: number): void {
    const chunk = this.#chunks[index];
    if (!this.#store || index < 0 || !chunk) return;
    try {
      this.#store.put(index, chunk.subarray(0, this.#used[index]));
    } catch (error) {
      // Nothing is lost: this chunk and the later ones stay in memory (chunks already in the
      // store are still read from it).
      this.#spilling = false;
      this.#onStoreError?.(error);
      return;
    }
    this.#chunks[index] = undefined;
  }

  #bytesOf(index: number): Uint8Array {
    const chunk = this.#chunks[index];
    if (chunk) return chunk;
    if (this.#cached?.index !== index) {
      this.#cached = { index, bytes: (this.#store as TurnLogStore).get(index) };
    }
    return this.#cached.bytes;
  }

  /** The master of `turn`, or undefined outside the log. */
  at(turn: number): MasterPacket<C> | undefined {
    if (!Number.isInteger(turn) || turn < 0 || turn >= this.length) return undefined;
    const at = turn * 3;
    const chunk = this.#bytesOf(this.#index[at] as number);
    const bytes = chunk.subarray(this.#index[at + 1], this.#index[at + 2]);
    return JSON.parse(decoder.decode(bytes)) as MasterPacket<C>;
  }

  /** Masters `from` up to and excluding `to` (clamped to the log). */
  slice(from: number, to = this.length): MasterPacket<C>[] {
    const end = Math.min(to, this.length);
    const out: MasterPacket<C>[] = [];
    for (let turn = Math.max(0, from); turn < end; turn++) out.push(this.at(turn) as MasterPacket<C>);
    return out;
  }

  /** The room is gone: free the store. */
  dispose(): void {
    this.#cached = undefined;
    this.#store?.dispose();
  }
}
