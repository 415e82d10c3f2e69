/**
 * fileTurnLogStore (chartroom/sync/lockstep/node): a room's older turn log chunks in a file of
 * its own, read back byte for byte, deleted when the room ends; and a lockstep room that spills
 * its log still catches a player up from the first turn.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileTurnLogStore } from 'chartroom/sync/lockstep/node';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness } from './support/host.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('fileTurnLogStore', () => {
  it('keeps each chunk in a file per room, reads it back byte for byte, and deletes the file on dispose', () => {
    dir = mkdtempSync(join(tmpdir(), 'chartroom-store-'));
    const store = fileTurnLogStore({ dir })('room/1');
    const chunks = [new Uint8Array([1, 2, 3]), new Uint8Array(70_000).fill(7), new Uint8Array([9])];
    chunks.forEach((bytes, index) => store.put(index, bytes));
    expect(readdirSync(dir)).toHaveLength(1);
    expect(readdirSync(dir)[0]).toMatch(/^chartroom-turns-room_1-[0-9a-f]{8}\.log$/);
    expect(store.get(1)).toEqual(chunks[1]);
    expect(store.get(0)).toEqual(chunks[0]);
    expect(store.get(2)).toEqual(chunks[2]);
    expect(() => store.get(3)).toThrow(/no chunk 3/);
    store.dispose();
    store.dispose();
    expect(readdirSync(dir)).toEqual([]);
    expect(() => store.get(0)).toThrow();
    expect(() => store.put(3, new Uint8Array(1))).toThrow(/closed/);
  });

  it("spills a lockstep room's log to disk and still catches a player up from turn 0", () => {
    dir = mkdtempSync(join(tmpdir(), 'chartroom-store-'));
    const h = createHarness({
      players: 2,
      lockstep: { inputDelayTurns: 1, turnLogStore: fileTurnLogStore({ dir }) },
    });
    // Enough turns of one command each to fill several 64 KiB chunks.
    const turns = 7000;
    for (let turn = 1; turn < turns; turn++) {
      h.cmd('p1', turn, [turn]);
      h.cmd('p2', turn);
      h.tick(100);
    }
    expect(h.engine.turn).toBeGreaterThanOrEqual(turns - 1);
    const file = readdirSync(dir)[0];
    expect(file).toBeDefined();
    // Several chunks went to disk (all but the last four and the one being written).
    expect(statSync(join(dir, file as string)).size).toBeGreaterThan(2 * 64 * 1024);
    const log = h.engine.exportLog();
    expect(log.masters).toHaveLength(h.engine.turn);
    // What the players were sent, turn by turn, is what the spilled log gives back.
    expect(log.masters).toEqual(h.masters('p2'));
    expect(log.masters[5]?.commands).toEqual([{ seat: 'p1', commands: [5] }]);
    h.engine.dispose();
    expect(existsSync(join(dir, file as string))).toBe(false);
  });
});
