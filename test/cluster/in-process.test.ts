/**
 * Cluster rules on servers in one process sharing a memory presence (the same seam as Redis):
 * two nodes creating one room id, and a node that lost a room (a "zombie": declared dead while
 * alive) closing its copy so that its players follow the room.
 */
import { createMemoryLogger } from 'chartroom';
import { createMemoryPresence, createMemorySpace } from 'chartroom/presence/memory';
import { createServer } from 'chartroom/server';
import type { ChartroomServer } from 'chartroom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterRoomTypes } from './support/room-types.js';
import { clusterClient, joinPlayer, stopPlayers, until } from './support/match.js';
import type { Player } from './support/match.js';

const fast = { heartbeatMs: 50, nodeTtlMs: 300, sweepMs: 50, recoveryStaggerMs: 100 };

describe('cluster nodes in one process', () => {
  const servers: ChartroomServer[] = [];
  const players: Player[] = [];
  afterEach(async () => {
    stopPlayers(players.splice(0));
    for (const server of servers.splice(0)) await server.close();
  });

  async function cluster(count: number) {
    const space = createMemorySpace();
    const started = [];
    for (let i = 0; i < count; i++) {
      const presence = createMemoryPresence({ space });
      const server = createServer({
        roomTypes: clusterRoomTypes,
        presence,
        cluster: { journal: presence.journal, ...fast },
        secret: 'one-secret-for-every-node',
        adminSecret: 'admin',
        logger: createMemoryLogger(),
      });
      servers.push(server);
      await server.listen({ port: 0 });
      started.push({ server, presence });
    }
    return started;
  }

  it('gives a room id to exactly one of two nodes creating it at once', async () => {
    const [a, b] = await cluster(2);
    const results = await Promise.allSettled([
      a!.server.createRoom({ type: 'arena', roomId: 'contested' }),
      b!.server.createRoom({ type: 'arena', roomId: 'contested' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { code: 'ROOM_INVALID_CONFIG', message: expect.stringContaining('exists on another node') },
    });
    expect([a!.server.room('contested'), b!.server.room('contested')].filter(Boolean)).toHaveLength(1);
  });

  it('closes the copy of a room this node lost with ROOM_MOVED, and its players follow the room', async () => {
    const [a, b] = await cluster(2);
    const room = await a!.server.createRoom({ type: 'arena', roomId: 'moving', seed: 9 });
    const match = await Promise.all(
      ['p1', 'p2'].map((n) => joinPlayer(clusterClient(b!.server.url!), 'moving', n)),
    );
    players.push(...match);
    for (const player of match) player.session.ready();
    await until(() => match.every((p) => p.runner.turn >= 20), 5000, '20 turns');

    // Node b decides a is dead and takes the room over (as its sweep would after a's TTL), while a
    // is in fact alive: a's journal writes are now refused and its sweep sees the new owner.
    expect(await b!.presence.claimRoom('moving', b!.server.nodeId, a!.server.nodeId)).toBe(true);
    const record = await b!.presence.findRoom('moving');
    await b!.presence.registerRoom({ ...record!, nodeId: b!.server.nodeId, nodeUrl: b!.server.url! });
    await until(() => a!.server.room('moving') === undefined, 2000, 'the zombie copy closed');
    expect(room.connectionCount).toBe(0);

    // Its players were closed with ROOM_MOVED, asked a for the room (refused: ROOM_MOVED, naming b),
    // looked it up and went to b. b did not rebuild the room in this test, so b refuses the resume.
    await until(() => match.every((p) => p.session.status === 'closed'), 5000, 'players followed');
    for (const player of match) {
      expect(new URL(player.session.endpoint).port).toBe(new URL(b!.server.url!).port);
      expect(player.errors.map((e) => e.code)).toEqual(['AUTH_RESUME_REJECTED']);
    }
  });
});
