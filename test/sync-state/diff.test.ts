/**
 * The diff engine (src/sync/state/diff.ts) and the client mirror: field-level entity diffs,
 * their inverse, JSON equality of sections, and what the mirror accepts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateMirror, applyEntityChanges, diffEntities, diffEntity, jsonEqual } from 'chartroom/sync/state';
import type { DiffCache, EntityRecord } from 'chartroom/sync/state';

type Ship = EntityRecord & Record<string, number | string | boolean | undefined>;

describe('diffEntity', () => {
  it('names only the fields that changed', () => {
    expect(
      diffEntity({ id: 's1', x: 1, y: 2, hp: 9 } as Ship, { id: 's1', x: 1, y: 3, hp: 8 } as Ship),
    ).toEqual({
      id: 's1',
      y: 3,
      hp: 8,
    });
  });

  it('is undefined for equal fields, and for the same object without looking', () => {
    const ship = { id: 's1', x: 1 } as Ship;
    expect(diffEntity(ship, { id: 's1', x: 1 } as Ship)).toBeUndefined();
    expect(diffEntity(ship, ship)).toBeUndefined();
  });

  it('sends null for a field that is gone, and treats an undefined field as absent', () => {
    expect(diffEntity({ id: 'a', x: 1, hp: 5 } as Ship, { id: 'a', x: 1 } as Ship)).toEqual({
      id: 'a',
      hp: null,
    });
    expect(diffEntity({ id: 'a', x: 1, hp: 5 } as Ship, { id: 'a', x: 1, hp: undefined } as Ship)).toEqual({
      id: 'a',
      hp: null,
    });
    expect(diffEntity({ id: 'a', hp: undefined } as Ship, { id: 'a' } as Ship)).toBeUndefined();
  });
});

describe('diffEntities', () => {
  it('sends new entities whole, changed ones by field, and the ids that left', () => {
    const before = new Map<string, Ship>([
      ['a', { id: 'a', x: 1 }],
      ['b', { id: 'b', x: 2 }],
    ]);
    const diff = diffEntities(before, [{ id: 'b', x: 3 } as Ship, { id: 'c', x: 4, kind: 'pirate' } as Ship]);
    expect(diff.updates).toEqual([
      { id: 'b', x: 3 },
      { id: 'c', x: 4, kind: 'pirate' },
    ]);
    expect(diff.removed).toEqual(['a']);
    expect([...diff.next.keys()]).toEqual(['b', 'c']);
  });

  it('keeps the first of two entities with one id and counts the duplicate', () => {
    const diff = diffEntities(new Map(), [{ id: 'a', x: 1 } as Ship, { id: 'a', x: 2 } as Ship]);
    expect(diff.updates).toEqual([{ id: 'a', x: 1 }]);
    expect(diff.duplicates).toBe(1);
  });

  it('shares one update between clients that held the same object and see the same new one', () => {
    const cache: DiffCache = new Map();
    const old = { id: 'a', x: 1, y: 1 } as Ship;
    const moved = { id: 'a', x: 2, y: 1 } as Ship;
    const first = diffEntities(new Map([['a', old]]), [moved], cache);
    const second = diffEntities(new Map([['a', old]]), [moved], cache);
    expect(second.updates[0]).toBe(first.updates[0]);
    // Another new object for the same old one (a per-client entity): diffed on its own.
    const other = diffEntities(new Map([['a', old]]), [{ id: 'a', x: 1, y: 5 } as Ship], cache);
    expect(other.updates).toEqual([{ id: 'a', y: 5 }]);
  });

  const field = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom('pirate', 'ship'), fc.boolean());
  const entityOf = (id: string) =>
    fc
      .dictionary(fc.constantFrom('x', 'y', 'hp', 'kind', 'docked'), field, { maxKeys: 5 })
      .map((fields) => ({ ...fields, id }) as Ship);
  const view = fc
    .uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { maxLength: 6 })
    .chain((ids) => fc.tuple(...ids.map(entityOf)));

  it('is undone exactly by applyEntityChanges, whatever the two views (property)', () => {
    fc.assert(
      fc.property(view, view, (before, after) => {
        const held = new Map<string, EntityRecord>(before.map((e) => [e.id, e]));
        const diff = diffEntities(new Map(held), after);
        applyEntityChanges(held, JSON.parse(JSON.stringify(diff.updates)), diff.removed);
        expect(Object.fromEntries(held)).toEqual(Object.fromEntries(after.map((e) => [e.id, e])));
        // Minimal: an unchanged entity is never in the updates.
        const unchanged = after.filter(
          (e) => JSON.stringify(before.find((b) => b.id === e.id)) === JSON.stringify(e),
        );
        for (const e of unchanged) expect(diff.updates.some((u) => u.id === e.id)).toBe(false);
      }),
    );
  });
});

describe('jsonEqual', () => {
  const canonical = (value: unknown): string =>
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
        : v,
    );

  it('agrees with comparing canonical JSON encodings (property)', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(jsonEqual(a, b)).toBe(canonical(a) === canonical(b));
        expect(jsonEqual(a, JSON.parse(JSON.stringify(a)))).toBe(true);
      }),
    );
  });

  it('treats a key holding undefined as absent and tells arrays from objects', () => {
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
  });
});

describe('StateMirror', () => {
  it('applies a snapshot, then deltas in order; null drops a section', () => {
    const mirror = new StateMirror();
    mirror.applySnapshot({ tick: 5, entities: [{ id: 'a', x: 1 } as Ship], you: { credits: 1 } } as never);
    const events = mirror.applyDelta({
      tick: 6,
      entity_updates: [
        { id: 'a', x: 2 },
        { id: 'b', x: 9 },
      ],
      entity_removed: [],
      events: [{ kind: 'boom' }],
      you: null,
      ctx: { risk: 1 },
    } as never);
    expect(events).toEqual([{ kind: 'boom' }]);
    expect(Object.fromEntries(mirror.entities)).toEqual({ a: { id: 'a', x: 2 }, b: { id: 'b', x: 9 } });
    expect(mirror.sections).toEqual({ ctx: { risk: 1 } });
    expect(mirror.tick).toBe(6);
  });

  it('ignores deltas before a snapshot, after a reset, and not newer than its tick', () => {
    const mirror = new StateMirror();
    const delta = (tick: number) =>
      ({ tick, entity_updates: [{ id: 'z', x: 1 }], entity_removed: [], events: [] }) as never;
    expect(mirror.applyDelta(delta(1))).toBeUndefined();
    mirror.applySnapshot({ tick: 3, entities: [] } as never);
    expect(mirror.applyDelta(delta(3))).toBeUndefined();
    mirror.reset();
    expect(mirror.applyDelta(delta(4))).toBeUndefined();
    expect(mirror.entities.size).toBe(0);
    expect(mirror.ignored).toBe(3);
  });
});
