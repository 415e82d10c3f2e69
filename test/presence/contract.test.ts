/**
 * The presence contract: every presence (the in-memory default, Redis) runs these same cases.
 * Each case gets two presences on one backing store (two nodes of one cluster), and a way to
 * let time pass (the memory presence runs on a simulated clock, Redis on its own).
 */
import { ErrorCode, createSimulatedClock } from 'chartroom';
import type { NodeRecord, Presence, RoomJournal, RoomRecord } from 'chartroom';
import { createMemoryPresence, createMemorySpace } from 'chartroom/presence/memory';
import { createRedisPresence } from 'chartroom/presence/redis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDIS_URL, deletePrefix, redisUnavailable, uniquePrefix } from '../support/redis.js';

type Durable = Presence & { readonly journal: RoomJournal };

interface Backend {
  /** Two presences on one store. */
  open(): Promise<{ a: Durable; b: Durable }>;
  /** Let `ms` pass for heartbeat expiry. */
  pass(ms: number): Promise<void>;
  dispose(): Promise<void>;
}

const memoryBackend = (): Backend => {
  const clock = createSimulatedClock(1_000);
  const space = createMemorySpace();
  const opened: Durable[] = [];
  return {
    async open() {
      const a = createMemoryPresence({ space, clock });
      const b = createMemoryPresence({ space, clock });
      opened.push(a, b);
      return { a, b };
    },
    pass: async (ms) => clock.advance(ms),
    dispose: async () => {
      for (const p of opened) await p.close();
    },
  };
};

const redisBackend = (): Backend => {
  const prefix = uniquePrefix('contract');
  const opened: Durable[] = [];
  return {
    async open() {
      const a = createRedisPresence({ url: REDIS_URL, prefix });
      const b = createRedisPresence({ url: REDIS_URL, prefix });
      opened.push(a, b);
      return { a, b };
    },
    pass: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    dispose: async () => {
      for (const p of opened) await p.close();
      await deletePrefix(prefix);
    },
  };
};

const room = (roomId: string, nodeId: string, patch: Partial<RoomRecord> = {}): RoomRecord => ({
  roomId,
  type: 'arena',
  nodeId,
  nodeUrl: `http://127.0.0.1:1/${nodeId}`,
  phase: 'setup.open',
  players: 0,
  viewers: 0,
  capacity: 4,
  createdAt: 1,
  ...patch,
});

const node = (nodeId: string, rooms = 0): NodeRecord => ({
  nodeId,
  url: `http://127.0.0.1:1/${nodeId}`,
  endpoints: { 'json-envelope': `ws://127.0.0.1:1/${nodeId}` },
  roomTypes: ['arena'],
  rooms,
  connections: 0,
  startedAt: 1,
  heartbeatAt: 2,
});

const unavailable = await redisUnavailable();
const backends: [string, () => Backend, string | undefined][] = [
  ['memory', memoryBackend, undefined],
  ['redis', redisBackend, unavailable],
];

for (const [name, make, skipped] of backends) {
  describe.skipIf(skipped !== undefined)(
    `presence contract: ${name}${skipped ? ` (skipped: ${skipped})` : ''}`,
    () => {
      let backend: Backend;
      let a: Durable;
      let b: Durable;
      beforeEach(async () => {
        backend = make();
        ({ a, b } = await backend.open());
      });
      afterEach(async () => backend.dispose());

      it('registers, finds and lists rooms, and answers undefined for an unknown one', async () => {
        expect(await a.registerRoom(room('r1', 'n1'))).toBe(true);
        expect(await a.registerRoom(room('r2', 'n1', { players: 2 }))).toBe(true);
        expect(await b.findRoom('r2')).toEqual(room('r2', 'n1', { players: 2 }));
        expect(await b.findRoom('nope')).toBeUndefined();
        expect((await b.listRooms()).map((r) => r.roomId).sort()).toEqual(['r1', 'r2']);
        expect(await a.registerRoom(room('r1', 'n1', { phase: 'running.iterating' }))).toBe(true);
        expect((await b.findRoom('r1'))?.phase).toBe('running.iterating');
      });

      it("refuses a record from a node that does not own the room and keeps the owner's", async () => {
        await a.registerRoom(room('r1', 'n1'));
        expect(await b.registerRoom(room('r1', 'n2', { phase: 'ended' }))).toBe(false);
        expect(await b.findRoom('r1')).toEqual(room('r1', 'n1'));
      });

      it('removes a room only while the given owner holds it', async () => {
        await a.registerRoom(room('r1', 'n1'));
        await b.removeRoom('r1', 'n2');
        expect(await a.findRoom('r1')).toBeDefined();
        await b.removeRoom('r1', 'n1');
        expect(await a.findRoom('r1')).toBeUndefined();
        // The id is free again.
        expect(await b.claimRoom('r1', 'n2')).toBe(true);
      });

      it('claims an unowned room once, and takes a room over only from its current owner', async () => {
        expect(await a.claimRoom('r1', 'n1')).toBe(true);
        expect(await a.claimRoom('r1', 'n1')).toBe(true);
        expect(await b.claimRoom('r1', 'n2')).toBe(false);
        expect(await b.claimRoom('r1', 'n2', 'n3')).toBe(false);
        expect(await b.claimRoom('r1', 'n2', 'n1')).toBe(true);
        // The old owner lost it: its record no longer goes in, a late recovery from it fails.
        expect(await a.registerRoom(room('r1', 'n1'))).toBe(false);
        expect(await a.claimRoom('r1', 'n3', 'n1')).toBe(false);
        expect(await a.claimRoom('gone', 'n3', 'n1')).toBe(false);
      });

      it('gives a room to exactly one of many nodes racing to recover it', async () => {
        await a.registerRoom(room('r1', 'dead'));
        const racers = Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).claimRoom('r1', `n${i}`, 'dead'));
        const won = (await Promise.all(racers)).filter(Boolean);
        expect(won).toHaveLength(1);
      });

      it('lists nodes while their heartbeat lasts, forgets them after the TTL or at once on removal', async () => {
        await a.heartbeat(node('n1', 3), 400);
        await b.heartbeat(node('n2'), 5_000);
        expect((await b.listNodes()).sort((x, y) => x.nodeId.localeCompare(y.nodeId))).toEqual([
          node('n1', 3),
          node('n2'),
        ]);
        await backend.pass(600);
        expect((await a.listNodes()).map((n) => n.nodeId)).toEqual(['n2']);
        await b.removeNode('n2');
        expect(await a.listNodes()).toEqual([]);
      });

      it('delivers a message to the addressed node only, as JSON, until it unsubscribes', async () => {
        const toA: unknown[] = [];
        const toB: unknown[] = [];
        const offA = await a.subscribe('n1', (m) => toA.push(m));
        const offB = await b.subscribe('n2', (m) => toB.push(m));
        await a.publish('n2', { type: 'hello', n: 1, when: undefined });
        await b.publish('n2', { type: 'hello', n: 2 });
        await until(() => toB.length === 2);
        expect(toB).toEqual([
          { type: 'hello', n: 1 },
          { type: 'hello', n: 2 },
        ]);
        expect(toA).toEqual([]);
        await offB();
        await a.publish('n2', { type: 'late' });
        await a.publish('n1', { type: 'marker' });
        await until(() => toA.length === 1);
        expect(toB).toHaveLength(2);
        await offA();
      });

      describe('journal', () => {
        it('keeps a checkpoint and the turns in order, for the owner only', async () => {
          await a.claimRoom('r1', 'n1');
          await a.journal.saveRoom('r1', 'n1', { phase: 'running', seats: ['p1'] });
          for (let turn = 0; turn < 5; turn++)
            await a.journal.appendTurn('r1', 'n1', turn, { turn, c: [turn] });
          await a.journal.saveRoom('r1', 'n1', { phase: 'running', seats: ['p1', 'p2'] });
          const loaded = await b.journal.loadRoom('r1');
          expect(loaded?.checkpoint).toEqual({ phase: 'running', seats: ['p1', 'p2'] });
          expect(loaded?.turns.map((t) => t.turn)).toEqual([0, 1, 2, 3, 4]);
          expect(loaded?.turns[3]?.entry).toEqual({ turn: 3, c: [3] });
          expect(await b.journal.loadRoom('unknown')).toBeUndefined();
        });

        it('refuses a turn logged twice or out of order with CLUSTER_JOURNAL_CONFLICT', async () => {
          await a.claimRoom('r1', 'n1');
          await a.journal.appendTurn('r1', 'n1', 0, 'zero');
          await a.journal.appendTurn('r1', 'n1', 1, 'one');
          await expect(a.journal.appendTurn('r1', 'n1', 1, 'again')).rejects.toMatchObject({
            code: ErrorCode.CLUSTER_JOURNAL_CONFLICT,
          });
          await expect(a.journal.appendTurn('r1', 'n1', 0, 'back')).rejects.toMatchObject({
            code: ErrorCode.CLUSTER_JOURNAL_CONFLICT,
          });
          expect((await a.journal.loadRoom('r1'))?.turns.map((t) => t.entry)).toEqual(['zero', 'one']);
        });

        it('fences off a node that lost the room: its writes are refused with ROOM_MOVED', async () => {
          await a.claimRoom('r1', 'n1');
          await a.journal.appendTurn('r1', 'n1', 0, 'zero');
          expect(await b.claimRoom('r1', 'n2', 'n1')).toBe(true);
          await expect(a.journal.appendTurn('r1', 'n1', 1, 'zombie')).rejects.toMatchObject({
            code: ErrorCode.ROOM_MOVED,
          });
          await expect(a.journal.saveRoom('r1', 'n1', {})).rejects.toMatchObject({
            code: ErrorCode.ROOM_MOVED,
          });
          await b.journal.appendTurn('r1', 'n2', 1, 'one');
          expect((await a.journal.loadRoom('r1'))?.turns.map((t) => t.entry)).toEqual(['zero', 'one']);
        });

        it('forgets checkpoint and turns', async () => {
          await a.claimRoom('r1', 'n1');
          await a.journal.saveRoom('r1', 'n1', { x: 1 });
          await a.journal.appendTurn('r1', 'n1', 0, 'zero');
          await b.journal.forgetRoom('r1');
          expect(await a.journal.loadRoom('r1')).toBeUndefined();
        });
      });
    },
  );
}

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for a message');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
