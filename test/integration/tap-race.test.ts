import { afterEach, describe, expect, it } from 'vitest';
import type { ChartroomServer } from 'chartroom/server';
import { messages, tapRace } from '../../examples/tap-race/room.js';
import { clientFor, startServer, until } from '../support/server.js';

describe('tap race over the JSON envelope', () => {
  let server: ChartroomServer | undefined;
  afterEach(async () => server?.close());

  it('plays a whole match: setup command, ready check, game messages, winner, ended', async () => {
    const started = await startServer([tapRace]);
    server = started.server;
    const room = await server.createRoom({ type: 'tap-race' });
    const client = clientFor(started.url, messages);
    const ada = await client.join(room.roomId, { name: 'ada' });
    const bob = await client.join(room.roomId, { name: 'bob' });
    expect(ada.seatId).toBe('p1');
    expect(bob.seatId).toBe('p2');

    ada.setup({ target: 3 });
    await until(() => bob.room?.configVersion === 1, 2000, 'config broadcast');
    expect(bob.room?.config).toEqual({ target: 3 });

    ada.ready();
    bob.ready();
    await until(() => ada.room?.phase === 'running.iterating', 2000, 'running');

    const winner = ada.next('winner');
    for (let i = 0; i < 3; i++) ada.send('tap', {});
    expect(await winner).toEqual({ seatId: 'p1' });
    await until(() => ada.status === 'closed', 2000, 'room closed');
  });
});
