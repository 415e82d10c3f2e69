import type { MasterPacket } from './types.js';

/** Bytes per storage chunk: a few hundred masters of an 8-player turn. */
const CHUNK_BYTES = 64 * 1024;
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
 * Commands are JSON values by contract: they travel in master packets and the log is exported
 * as JSON. Browser-safe (no `Buffer`).
 */
export class MasterLog<C> {
  readonly #chunks: Uint8Array[] = [];
  /** Bytes used in the last chunk. */
  #used = 0;
  /** Per turn: chunk index, start and end offset in that chunk (three small integers). */
  readonly #index: number[] = [];

  /** Masters logged so far: also the next turn to issue. */
  get length(): number {
    return this.#index.length / 3;
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
    let chunk = this.#chunks.at(-1);
    if (!chunk || this.#used + worst > chunk.length) {
      chunk = new Uint8Array(Math.max(CHUNK_BYTES, worst));
      this.#chunks.push(chunk);
      this.#used = 0;
    }
    const start = this.#used;
    this.#used += encoder.encodeInto(text, chunk.subarray(start)).written;
    this.#index.push(this.#chunks.length - 1, start, this.#used);
    return text;
  }

  /** The master of `turn`, or undefined outside the log. */
  at(turn: number): MasterPacket<C> | undefined {
    if (!Number.isInteger(turn) || turn < 0 || turn >= this.length) return undefined;
    const at = turn * 3;
    const chunk = this.#chunks[this.#index[at] as number] as Uint8Array;
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
}
