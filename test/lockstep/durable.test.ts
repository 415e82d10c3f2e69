/**
 * Durable lockstep rooms (docs/scaling.md): a master goes out only after its journal write, in
 * turn order; a failed write stops the room; without a journal nothing waits; and a restore
 * accepts only a complete log.
 */
import { ErrorCode, createMemoryLogger, createSimulatedClock } from 'chartroom';
import type { ServerOutput, SyncHost, SyncJournal } from 'chartroom';
import { describe, expect, it } from 'vitest';
import { createMasterOutbox, readRestored } from '../../src/sync/lockstep/durable.js';
import type { MasterPacket } from 'chartroom/sync/lockstep';

type RoomEventLike = Parameters<SyncHost['sendToRoom']>[0];

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function host(journal?: SyncJournal) {
  const sent: number[] = [];
  const outputs: ServerOutput[] = [];
  const toRoom: RoomEventLike[] = [];
  const value: SyncHost = {
    roomId: 'r1',
    clock: createSimulatedClock(0),
    logger: createMemoryLogger(),
    seed: () => 1,
    config: () => ({}),
    seats: () => [],
    broadcast: (output: ServerOutput) => {
      outputs.push(output);
      if (output.kind === 'game') sent.push((output.payload as MasterPacket<number>).turn);
    },
    sendToSeat: () => undefined,
    bufferedBytes: () => undefined,
    sendToRoom: (event) => toRoom.push(event),
    ...(journal ? { journal } : {}),
  };
  return { value, sent, outputs, toRoom };
}

const master = (turn: number): MasterPacket<number> => ({ turn, commands: [], turn_ms: 30, iterations: 1 });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the master outbox', () => {
  it('broadcasts at once, with no promise, when the room keeps no journal', () => {
    const h = host();
    const outbox = createMasterOutbox<number>({
      host: h.value,
      agreed: () => undefined,
      start: 0,
      agreedFrom: 0,
    });
    outbox.publish(master(0), JSON.stringify(master(0)));
    outbox.publish(master(1), JSON.stringify(master(1)));
    expect(h.sent).toEqual([0, 1]);
    expect(outbox.durable).toBe(2);
    // The master's JSON text rides along, for JSON protocols to splice rather than serialize again.
    expect(h.outputs[1]).toEqual({
      kind: 'game',
      type: 'ls.master',
      payload: master(1),
      payloadJson: JSON.stringify(master(1)),
    });
  });

  it('sends each master only after its write, in turn order even when writes resolve out of order', async () => {
    const writes = new Map<number, ReturnType<typeof deferred>>();
    const entries: unknown[] = [];
    const h = host({
      append(turn, entry) {
        entries.push(entry);
        const write = deferred();
        writes.set(turn, write);
        return write.promise;
      },
    });
    const agreed = new Map([[0, 'c0']]);
    const outbox = createMasterOutbox<number>({
      host: h.value,
      agreed: (t) => agreed.get(t),
      start: 0,
      agreedFrom: 0,
    });
    outbox.publish(master(0), JSON.stringify(master(0)));
    outbox.publish(master(1), JSON.stringify(master(1)));
    outbox.publish(master(2), JSON.stringify(master(2)));
    expect(h.sent).toEqual([]);
    writes.get(1)!.resolve();
    await settle();
    expect(h.sent).toEqual([]); // Turn 1 is logged, but 0 is not yet: nothing goes out.
    expect(outbox.durable).toBe(0);
    writes.get(0)!.resolve();
    await settle();
    expect(h.sent).toEqual([0, 1]);
    expect(outbox.durable).toBe(2);
    writes.get(2)!.resolve();
    await settle();
    expect(h.sent).toEqual([0, 1, 2]);
    // The checksum agreed for turn 0 rides once, with the first entry written after it was known.
    expect(entries).toEqual([
      { master: master(0), agreed: [[0, 'c0']] },
      { master: master(1) },
      { master: master(2) },
    ]);
  });

  it('stops sending at the first failed write and halts the room once', async () => {
    const writes: ReturnType<typeof deferred>[] = [];
    const h = host({
      append() {
        const write = deferred();
        writes.push(write);
        return write.promise;
      },
    });
    const outbox = createMasterOutbox<number>({
      host: h.value,
      agreed: () => undefined,
      start: 0,
      agreedFrom: 0,
    });
    for (let t = 0; t < 3; t++) outbox.publish(master(t), JSON.stringify(master(t)));
    writes[0]!.resolve();
    writes[1]!.reject(new Error('Redis is gone'));
    writes[2]!.resolve();
    await settle();
    expect(h.sent).toEqual([0]);
    expect(outbox.durable).toBe(1);
    expect(h.toRoom).toEqual([{ type: 'HALT', cause: 'fault', detail: expect.stringContaining('Turn 1') }]);
  });
});

describe('reading a journaled lockstep room', () => {
  const entry = (turn: number, agreed?: [number, string][]) => ({
    master: master(turn),
    ...(agreed ? { agreed } : {}),
  });

  it('returns the masters in order with their agreed checksums and the checkpoint', () => {
    const state = {
      version: 1,
      players: ['p1', 'p2'],
      active: ['p1'],
      dropped: ['p2'],
      rejoinAt: [],
      lastAdapt: 10,
    };
    const read = readRestored<number>(
      {
        state,
        turns: [0, 1, 2].map((turn) => ({ turn, entry: entry(turn, turn === 2 ? [[0, 'a']] : undefined) })),
      },
      'r1',
    );
    expect(read.masters.map((m) => m.turn)).toEqual([0, 1, 2]);
    expect(read.agreed).toEqual([[0, 'a']]);
    expect(read.checkpoint?.dropped).toEqual(['p2']);
  });

  it.each([
    ['a gap', [0, 2]],
    ['a repeated turn', [0, 1, 1]],
    ['a log that does not start at turn 0', [1, 2]],
  ])('refuses %s with CLUSTER_JOURNAL_CONFLICT', (_, turns) => {
    expect(() =>
      readRestored({ state: undefined, turns: turns.map((turn) => ({ turn, entry: entry(turn) })) }, 'r1'),
    ).toThrow(expect.objectContaining({ code: ErrorCode.CLUSTER_JOURNAL_CONFLICT }));
  });

  it('refuses a malformed checkpoint or entry', () => {
    expect(() => readRestored({ state: { version: 2 }, turns: [] }, 'r1')).toThrow(/checkpoint is malformed/);
    expect(() =>
      readRestored({ state: undefined, turns: [{ turn: 0, entry: { master: { turn: 0 } } }] }, 'r1'),
    ).toThrow(/entry of turn 0 is malformed/);
  });
});
