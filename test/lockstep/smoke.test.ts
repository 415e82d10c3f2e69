import { afterEach, describe, expect, it } from 'vitest';
import { createLockstepRunner } from 'chartroom/client';
import type { ChartroomServer } from 'chartroom/server';
import { createArenaEngine } from '../../examples/lockstep-arena/engine.js';
import { arenaMessages, lockstepArena } from '../../examples/lockstep-arena/room.js';
import { clientFor, startServer, until } from '../support/server.js';

describe('lockstep arena over real ws', () => {
  let server: ChartroomServer | undefined;
  afterEach(async () => server?.close());

  it('runs two players in lockstep: same masters, same checksums', async () => {
    const started = await startServer([lockstepArena]);
    server = started.server;
    const room = await server.createRoom({ type: 'lockstep-arena', seed: 42 });
    const client = clientFor(started.url, arenaMessages);
    const sessions = [
      await client.join(room.roomId, { name: 'ada' }),
      await client.join(room.roomId, { name: 'bob' }),
    ];
    const engines = sessions.map(() => createArenaEngine());
    const runners = sessions.map((session, i) =>
      createLockstepRunner({ session, engine: engines[i]!, pingIntervalMs: 50 }),
    );
    for (const s of sessions) s.ready();
    await until(() => runners.every((r) => r.turn >= 30), 10_000, '30 turns');
    runners[0]!.queue({ kind: 'move', x: 10, y: 10 });
    runners[1]!.queue({ kind: 'fire', x: 500, y: 500 });
    await until(() => runners.every((r) => r.turn >= 40), 10_000, '40 turns');
    const target = Math.min(...runners.map((r) => r.turn));
    // Compare at a turn both applied: replay is deterministic, so compare via the server's log.
    const log = server.room(room.roomId)!.sync as unknown as { exportLog(): { masters: unknown[] } };
    expect(log.exportLog().masters.length).toBeGreaterThanOrEqual(target);
    for (const r of runners) r.stop();
    await until(() => runners[0]!.turn === runners[1]!.turn, 2000, 'same turn');
    expect(runners[0]!.checksum()).toBe(runners[1]!.checksum());
  });
});
