import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from 'chartroom';
import { createJsonEnvelopeProtocol } from 'chartroom/protocols/json-envelope';
import { createServer } from 'chartroom/server';
import type { ChartroomServer } from 'chartroom/server';
import { createMemoryTransport } from 'chartroom/transports/memory';
import type { MemoryTransport } from 'chartroom/transports/memory';
import { tapRace } from '../../examples/tap-race/room.js';
import { until } from '../support/server.js';

let server: ChartroomServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server with the tap-race room type on one memory endpoint. */
async function startServer(memory: MemoryTransport): Promise<ChartroomServer> {
  const started = createServer({
    roomTypes: [tapRace],
    logger: createMemoryLogger(),
    endpoints: [{ protocol: createJsonEnvelopeProtocol(), transport: memory }],
  });
  await started.start();
  return started;
}

describe('a link that closes while its join is being granted', () => {
  it('gives the granted seat back instead of leaving it held by no connection', async () => {
    const memory = createMemoryTransport();
    server = await startServer(memory);
    const room = await server.createRoom({ type: 'tap-race' });
    const ticket = server.issueTicket(room.roomId, { name: 'ada' });
    const ws = memory.connect('memory://test?protocol_version=1');
    const received: string[] = [];
    ws.onmessage = ({ data }) => received.push(JSON.parse(String(data)).type as string);
    await until(() => ws.readyState === 1, 1000, 'open');
    ws.send(JSON.stringify({ type: 'auth.login', seq: 1, ts: 0, payload: { token: ticket.token } }));
    await until(() => received.includes('auth.ok'), 1000, 'auth.ok');

    // The join frame and the drop land in the same tick: the room grants the seat, the link is gone
    // before the connection chart adopts it.
    ws.send(
      JSON.stringify({ type: 'session.join_system', seq: 2, ts: 0, payload: { system_id: room.roomId } }),
    );
    ws.close();

    await until(() => server!.connections.size === 0, 1000, 'connection disposed');
    expect(room.view().seats).toEqual([]);
  });
});

describe('the connection chart', () => {
  it('is provided once per server: every connection runs the same machine, not a copy of it', async () => {
    const memory = createMemoryTransport();
    server = await startServer(memory);
    for (let i = 0; i < 3; i++) memory.connect('memory://test?protocol_version=1');
    await until(() => server!.connections.size === 3, 1000, 'three connections');
    const machines = new Set([...server.connections].map((connection) => connection.actor.logic));
    expect(machines.size).toBe(1);
  });
});
