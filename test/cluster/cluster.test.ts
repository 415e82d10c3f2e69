/**
 * A cluster of server processes on 127.0.0.1 sharing the local Redis (a prefix of their own):
 * placement and routing across nodes, then kill -9 of a node mid-match and the recovery of its
 * rooms on the survivors. Every node is killed in afterAll.
 */
import { randomBytes } from 'node:crypto';
import { replay } from 'chartroom/sync/lockstep';
import { createClient } from 'chartroom/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createArenaEngine } from '../../examples/lockstep-arena/engine.js';
import { deletePrefix, redisUnavailable, REDIS_URL, uniquePrefix } from '../support/redis.js';
import { clusterClient, freeze, joinPlayer, stopPlayers, until } from './support/match.js';
import type { Player } from './support/match.js';
import { spawnNode } from './support/nodes.js';
import type { NodeProcess } from './support/nodes.js';
import { plainRoom } from './support/room-types.js';

const unavailable = await redisUnavailable();
const prefix = uniquePrefix('cluster');
const adminSecret = randomBytes(16).toString('hex');
const env = {
  REDIS_URL,
  CHARTROOM_PREFIX: prefix,
  CHARTROOM_SECRET: randomBytes(24).toString('hex'),
  CHARTROOM_ADMIN_SECRET: adminSecret,
};

const nodes: NodeProcess[] = [];
const players: Player[] = [];

async function start(name: string, extra: Record<string, string> = {}): Promise<NodeProcess> {
  const node = await spawnNode(name, { ...env, ...extra });
  nodes.push(node);
  return node;
}

async function api<T = Record<string, unknown>>(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(url, init);
  const body = (await response.json().catch(() => ({}))) as T;
  return { status: response.status, body, headers: response.headers };
}

async function createRoom(node: NodeProcess, type: string): Promise<{ roomId: string; host: string }> {
  const { status, body } = await api<{ room_id: string; join_url: string }>(`${node.url}/rooms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminSecret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type, seed: 4242 }),
  });
  expect(status, JSON.stringify(body)).toBe(201);
  return { roomId: body.room_id, host: new URL(body.join_url).origin };
}

const owner = (url: string) => nodes.find((n) => n.url === url);

describe.skipIf(unavailable !== undefined)(
  `a cluster of server processes on Redis${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let a: NodeProcess;
    let c: NodeProcess;
    beforeAll(async () => {
      // Three nodes; the tests address a and c, and reach b through placement and routing.
      [a, , c] = await Promise.all([start('a'), start('b'), start('c')]);
    }, 40_000);
    afterAll(async () => {
      stopPlayers(players);
      await Promise.all(nodes.map((n) => n.crash()));
      await deletePrefix(prefix);
    }, 20_000);

    it('creates through one node, joins through another and lists from a third', async () => {
      const created = [];
      for (let i = 0; i < 3; i++) created.push(await createRoom(a, 'arena'));
      // Least loaded placement: three rooms on three empty nodes go to three nodes.
      expect(new Set(created.map((r) => r.host)).size).toBe(3);

      const listed = await api<{ rooms: { roomId: string; nodeUrl: string }[] }>(`${c.url}/rooms`);
      for (const room of created) {
        expect(listed.body.rooms).toContainEqual(
          expect.objectContaining({ roomId: room.roomId, nodeUrl: room.host }),
        );
      }

      const [first] = created as [{ roomId: string; host: string }];
      const wrong = nodes.find((n) => n.url !== first.host) as NodeProcess;
      const redirect = await fetch(`${wrong.url}/rooms/${first.roomId}/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"ada"}',
        redirect: 'manual',
      });
      expect(redirect.status).toBe(307);
      expect(redirect.headers.get('location')).toBe(`${first.host}/rooms/${first.roomId}/join`);

      // The SDK on the wrong node follows the redirect and connects to the owner.
      const player = await joinPlayer(clusterClient(wrong.url), first.roomId, 'ada');
      players.push(player);
      expect(new URL(player.session.endpoint).port).toBe(new URL(first.host).port);
      expect(player.session.seatId).toBe('p1');

      // A WebSocket join on the wrong node is refused with ROOM_MOVED naming the owner.
      const { body: ticket } = await api<{ token: string }>(`${first.host}/rooms/${first.roomId}/join`, {
        method: 'POST',
        body: '{"name":"bob"}',
      });
      await expect(
        clusterClient(wrong.url).connect({ token: ticket.token, roomId: first.roomId }),
      ).rejects.toMatchObject({
        code: 'ROOM_MOVED',
        message: expect.stringContaining(first.host),
      });

      // So is a resume (after a page reload, say): the SDK looks the room up and resumes there.
      const resumed = await clusterClient(wrong.url).resume(player.session.resumeToken);
      expect(resumed.seatId).toBe('p1');
      expect(new URL(resumed.endpoint).port).toBe(new URL(first.host).port);
      resumed.close();

      const info = await api<{ endpoints: Record<string, string>; node_url: string }>(
        `${wrong.url}/rooms/${first.roomId}`,
      );
      expect(info.body.node_url).toBe(first.host);
      expect(info.body.endpoints['json-envelope']).toBe(
        `${first.host.replace('http', 'ws')}/ws/json-envelope`,
      );
    });

    it('rebuilds every lockstep room of a node killed mid-match on the survivors: no turn lost or repeated, same checksums', async () => {
      // Ballast: the three nodes host three rooms each, so a fresh node is the least loaded.
      for (let i = 0; i < 6; i++) await createRoom(a, 'arena');
      const d = await start('d');
      const arenas = [await createRoom(d, 'arena'), await createRoom(d, 'arena')];
      const plain = await createRoom(d, 'plain');
      const load = await api<{ rooms: { nodeUrl: string }[] }>(`${a.url}/rooms`);
      const where = JSON.stringify(load.body.rooms.map((r) => r.nodeUrl));
      for (const room of [...arenas, plain])
        expect(room.host, `placed on the fresh node (${where})`).toBe(d.url);

      // Room 1's players know only the node that is about to die (they learn the others from
      // their join answer); room 2's know a survivor.
      const match = [
        await Promise.all(['p1', 'p2'].map((n) => joinPlayer(clusterClient(d.url), arenas[0]!.roomId, n))),
        await Promise.all(['q1', 'q2'].map((n) => joinPlayer(clusterClient(a.url), arenas[1]!.roomId, n))),
      ];
      players.push(...match.flat());
      const closedErrors: { code: string; message: string }[] = [];
      const plainPlayer = await createClient({
        baseUrl: d.url,
        messages: plainRoom.messages,
        webSocket: (endpoint) => new WebSocket(endpoint) as never,
        reconnect: { retries: 60, baseDelayMs: 50, maxDelayMs: 250 },
      }).join(plain.roomId, { name: 'solo' });
      plainPlayer.onError((e) => closedErrors.push(e));
      for (const player of match.flat()) player.session.ready();
      const commands = setInterval(() => {
        for (const [i, player] of match.flat().entries())
          player.runner.queue({ kind: 'move', x: 10 * i, y: 5 });
      }, 90);
      try {
        await until(() => match.flat().every((p) => p.runner.turn >= 30), 10_000, '30 turns everywhere');
        const turnAtKill = match.map((room) => Math.max(...room.map((p) => p.runner.turn)));
        const killedAt = Date.now();
        await d.crash();

        const resumedAt: number[] = [];
        await until(
          () => {
            for (const [i, room] of match.entries()) {
              if (resumedAt[i] === undefined && room.every((p) => p.runner.turn > turnAtKill[i]! + 10)) {
                resumedAt[i] = Date.now();
              }
            }
            return resumedAt.filter((t) => t !== undefined).length === match.length;
          },
          20_000,
          'every room playing again on a survivor',
        );
        const rebuilt = nodes.flatMap((n) =>
          n.logs.filter((l) => l.message === 'Room recovered from its journal'),
        );
        console.log(
          `recovery seen by players: ${resumedAt.map((t) => t - killedAt).join(' ms, ')} ms; ` +
            `rebuilds: ${rebuilt.map((l) => `${String(l.turns)} turns in ${String(l.rebuildMs)} ms`).join(', ')}`,
        );

        for (const [i, room] of arenas.entries()) {
          const info = await api<{ node_url: string }>(`${a.url}/rooms/${room.roomId}`);
          expect(info.body.node_url).not.toBe(d.url);
          const host = owner(info.body.node_url) as NodeProcess;
          expect(host.alive).toBe(true);
          const log = await freeze(host.url, adminSecret, room.roomId, match[i]!);
          const turns = log.masters.map((m) => m.turn);
          expect(turns).toEqual(turns.map((_, t) => t));
          expect(turns.length).toBeGreaterThan(turnAtKill[i]! + 10);
          const replayed = replay(log, createArenaEngine());
          expect(replayed.divergedAt).toBeUndefined();
          // Checksums the players agreed on before the crash were logged with the turns.
          expect(log.checksums.some(([t]) => t < turnAtKill[i]! - 5)).toBe(true);
          for (const player of match[i]!) {
            expect(player.applied.map((m) => m.turn)).toEqual(turns);
            expect(player.applied).toEqual(log.masters);
            expect(player.runner.checksum()).toBe(replayed.checksum);
            expect(player.session.status).toBe('connected');
            expect(player.errors.filter((e) => e.code !== 'ROOM_MOVED')).toEqual([]);
          }
        }

        // The plain room keeps no journal: its player is told it is closed, and why.
        await until(() => plainPlayer.status === 'closed', 10_000, 'the plain room closed');
        expect(closedErrors.at(-1)).toMatchObject({
          code: 'ROOM_CLOSED',
          message: expect.stringContaining('cannot be rebuilt'),
        });
      } finally {
        clearInterval(commands);
        plainPlayer.close();
      }
    }, 60_000);
  },
);

describe.skipIf(unavailable !== undefined)(
  `racing recoveries${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const racePrefix = uniquePrefix('race');
    const raceEnv = { CHARTROOM_PREFIX: racePrefix, CLUSTER_STAGGER_MS: '0', CLUSTER_SWEEP_MS: '50' };
    afterAll(async () => {
      await Promise.all(nodes.map((n) => n.crash()));
      await deletePrefix(racePrefix);
    }, 20_000);

    it('leaves exactly one copy of each room when two nodes race to recover it', async () => {
      // Alone, the victim gets every room; then two nodes join that both recover at once (no stagger).
      const victim = await start('g', raceEnv);
      const rooms: string[] = [];
      for (let i = 0; i < 5; i++) rooms.push((await createRoom(victim, 'arena')).roomId);
      const racers = await Promise.all([start('e', raceEnv), start('f', raceEnv)]);
      await victim.crash();

      const hosted = async (node: NodeProcess) =>
        (await api<{ rooms: number }>(`${node.url}/health`)).body.rooms;
      await until(
        async () => (await hosted(racers[0])) + (await hosted(racers[1])) === rooms.length,
        10_000,
        'every room recovered',
      );
      await new Promise((resolve) => setTimeout(resolve, 500)); // A duplicate would show by now.
      expect((await hosted(racers[0])) + (await hosted(racers[1]))).toBe(rooms.length);
      for (const roomId of rooms) {
        const recovered = racers.flatMap((n) =>
          n.logs.filter((l) => l.message === 'Room recovered from its journal' && l.roomId === roomId),
        );
        expect(recovered, roomId).toHaveLength(1);
        const seen = await Promise.all(
          racers.map(
            async (n) => (await api<{ node_url: string }>(`${n.url}/rooms/${roomId}`)).body.node_url,
          ),
        );
        expect(seen[0]).toBe(seen[1]);
        expect(racers.map((n) => n.url)).toContain(seen[0]);
      }
    }, 40_000);
  },
);
