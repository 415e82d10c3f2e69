/**
 * A uniform spatial grid (cell hash), rebuilt every tick: who is near a point, for hits, pirate
 * targeting and each player's view, without scanning every entity.
 */
export interface Positioned {
  readonly x: number;
  readonly y: number;
}

export class SpatialGrid<T extends Positioned> {
  readonly #cell: number;
  readonly #cells = new Map<number, T[]>();

  /** @param cellSize cell edge in world units; about the typical query radius. */
  constructor(cellSize: number) {
    this.#cell = cellSize;
  }

  #key(cx: number, cy: number): number {
    // World coordinates are bounded (0..10 000), so cell indices fit 16 bits each.
    return (cx + 1) * 65_536 + (cy + 1);
  }

  clear(): void {
    this.#cells.clear();
  }

  insert(item: T): void {
    const key = this.#key(Math.floor(item.x / this.#cell), Math.floor(item.y / this.#cell));
    const list = this.#cells.get(key);
    if (list) list.push(item);
    else this.#cells.set(key, [item]);
  }

  /** Every item, in no particular order. */
  *all(): IterableIterator<T> {
    for (const list of this.#cells.values()) yield* list;
  }

  /** Call `visit` for every item within `radius` of (x, y). */
  query(x: number, y: number, radius: number, visit: (item: T) => void): void {
    const r2 = radius * radius;
    const x0 = Math.floor((x - radius) / this.#cell);
    const x1 = Math.floor((x + radius) / this.#cell);
    const y0 = Math.floor((y - radius) / this.#cell);
    const y1 = Math.floor((y + radius) / this.#cell);
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) {
        const list = this.#cells.get(this.#key(cx, cy));
        if (!list) continue;
        for (const item of list) {
          const dx = item.x - x;
          const dy = item.y - y;
          if (dx * dx + dy * dy <= r2) visit(item);
        }
      }
    }
  }
}
