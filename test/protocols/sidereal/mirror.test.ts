import { describe, expect, it } from 'vitest';
import { WorldMirror } from 'chartroom/protocols/sidereal';
import type { DiffBody, SnapBody } from 'chartroom/protocols/sidereal';

const snap = (
  id: string,
  time: number,
  total: number,
  traits: SnapBody['traits'],
  initial = true,
): SnapBody => ({
  type: 'snap',
  id,
  time,
  total,
  ...(initial ? { initial: true } : {}),
  traits,
});
const diff = (id: string, time: number, traits: DiffBody['traits']): DiffBody => ({
  type: 'diff',
  id,
  time,
  traits,
});

describe('world mirror', () => {
  it('knows a keyframe is complete when total distinct objects arrived', () => {
    const mirror = new WorldMirror();
    expect(mirror.applySnap(snap('a', 10, 3, { x: 1 })).keyframe).toMatchObject({
      received: 1,
      complete: false,
    });
    expect(mirror.applySnap(snap('b', 10, 3, { x: 2 })).keyframe.complete).toBe(false);
    expect(mirror.applySnap(snap('c', 10, 3, { x: 3 })).keyframe).toEqual({
      time: 10,
      total: 3,
      initial: true,
      received: 3,
      complete: true,
    });
    expect(mirror.stats.keyframes).toBe(1);
  });

  it('adjusts its universe time to an initial snap, even backwards, and only forwards otherwise', () => {
    const mirror = new WorldMirror();
    mirror.applyDiff(diff('a', 500, {}));
    expect(mirror.time).toBe(500);
    mirror.applySnap(snap('a', 40, 1, {}));
    expect(mirror.time).toBe(40);
    mirror.applySnap(snap('a', 30, 1, {}, false));
    expect(mirror.time).toBe(40);
  });

  it('applies diffs in time order and ignores stale ones', () => {
    const mirror = new WorldMirror();
    mirror.applySnap(snap('a', 10, 1, { x: 0, y: 0, shield: true }));
    expect(mirror.applyDiff(diff('a', 12, { x: 2, shield: null }))).toBe('applied');
    expect(mirror.applyDiff(diff('a', 11, { x: 1, y: 1 }))).toBe('stale');
    expect(mirror.applyDiff(diff('a', 12, { y: 2 }))).toBe('applied');
    expect(mirror.get('a')).toEqual({ id: 'a', time: 12, traits: { x: 2, y: 2 } });
    expect(mirror.stats.stale).toBe(1);
  });

  it('holds a diff that overtook its snap, then applies it if newer than the snap', () => {
    const mirror = new WorldMirror();
    expect(mirror.applyDiff(diff('a', 11, { x: 1 }))).toBe('pending');
    expect(mirror.applyDiff(diff('a', 13, { y: 3 }))).toBe('pending');
    expect(mirror.applyDiff(diff('b', 9, { x: 9 }))).toBe('pending');
    mirror.applySnap(snap('a', 10, 2, { x: 0, y: 0 }));
    mirror.applySnap(snap('b', 10, 2, { x: 0 }));
    expect(mirror.snapshot()).toEqual({ a: { x: 1, y: 3 }, b: { x: 0 } });
    expect(mirror.get('a')?.time).toBe(13);
  });

  it('bounds the diffs waiting for snaps', () => {
    const mirror = new WorldMirror({ maxPendingDiffs: 2 });
    expect(mirror.applyDiff(diff('a', 1, {}))).toBe('pending');
    expect(mirror.applyDiff(diff('b', 1, {}))).toBe('pending');
    expect(mirror.applyDiff(diff('a', 2, { x: 1 }))).toBe('pending');
    expect(mirror.applyDiff(diff('c', 1, {}))).toBe('dropped');
    expect(mirror.stats.pendingDropped).toBe(1);
  });

  it('keeps an object newer than a late keyframe snap, and drops objects a complete initial keyframe lacks', () => {
    const mirror = new WorldMirror();
    mirror.applySnap(snap('old', 5, 1, { x: 1 }));
    mirror.applyDiff(diff('a', 30, { x: 30 }));
    mirror.applySnap(snap('a', 20, 2, { x: 20 }));
    expect(mirror.get('a')?.traits).toEqual({ x: 30 });
    mirror.applySnap(snap('b', 20, 2, { x: 0 }));
    expect([...mirror.objects()].map((o) => o.id).sort()).toEqual(['a', 'b']);
  });
});
