import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedClock, defineMessages, defineRoom } from 'chartroom';
import type { ChartroomServer } from 'chartroom/server';
import { setup } from 'xstate';
import { z } from 'zod';
import { clientFor, startServer, until } from '../support/server.js';

const messages = defineMessages({ client: {}, server: {} });
const idle = setup({}).createMachine({});
const roomType = (persistent: boolean) =>
  defineRoom({
    name: persistent ? 'world' : 'match',
    messages,
    config: { schema: z.object({}), initial: {} },
    game: idle,
    options: { capacity: 2, minPlayers: 1, persistent },
  });

describe('room lifecycle when every player has gone', () => {
  let server: ChartroomServer | undefined;
  afterEach(async () => server?.close());

  it('ends a running match whose players all left, but keeps a persistent world running and open', async () => {
    const clock = createSimulatedClock(Date.now());
    const started = await startServer([roomType(false), roomType(true)], {
      clock,
      timing: { gracePeriodMs: 1000 },
      limits: { emptyRoomTtlMs: 5000 },
    });
    server = started.server;
    const match = await server.createRoom({ type: 'match' });
    const world = await server.createRoom({ type: 'world' });
    const client = clientFor(started.url, messages, false);
    const a = await client.join(match.roomId, { name: 'ada' });
    const b = await client.join(world.roomId, { name: 'bob' });
    a.ready();
    b.ready();
    await until(
      () => match.view().phase.startsWith('running') && world.view().phase.startsWith('running'),
      2000,
    );

    a.close();
    b.close();
    const away = (room: typeof match) => room.view().seats.every((seat) => !seat.connected);
    await until(() => away(match) && away(world), 2000, 'both players away');
    clock.advance(1000); // grace periods over: both players have left for good
    clock.advance(10_000); // past the empty-room limit
    await until(() => server!.room(match.roomId) === undefined, 2000, 'the match ended');
    expect(server.room(world.roomId)?.view().phase).toBe('running.iterating');
  });
});
