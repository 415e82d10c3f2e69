/**
 * The `inspect` option end to end: a local WebSocket server on 127.0.0.1:0 stands in for the
 * Stately inspector (what `@statelyai/inspect/server` runs) and records what the server sends
 * while a tap race is played.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createTestServer } from 'chartroom/testing';
import type { TestServer } from 'chartroom/testing';
import { messages, tapRace } from '../../examples/tap-race/room.js';
import { until } from '../support/server.js';

interface Inspected {
  readonly type: '@xstate.actor' | '@xstate.event' | '@xstate.snapshot';
  readonly name?: string;
  readonly sessionId: string;
  readonly parentId?: string;
  readonly event?: { readonly type: string };
  readonly snapshot?: { readonly value?: unknown; readonly context?: unknown };
}

describe('live inspection', () => {
  let t: TestServer | undefined;
  let inspector: WebSocketServer | undefined;
  afterEach(async () => {
    await t?.close();
    await new Promise((resolve) => inspector?.close(resolve));
  });

  it('reports the room, a connection and the game: registration, events and snapshots', async () => {
    inspector = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => inspector?.once('listening', resolve));
    const received: Inspected[] = [];
    inspector.on('connection', (socket) =>
      socket.on('message', (data) => received.push(JSON.parse(String(data)) as Inspected)),
    );
    const { port } = inspector.address() as AddressInfo;

    t = await createTestServer({ roomTypes: [tapRace], inspect: { url: `ws://127.0.0.1:${port}` } });
    const room = await t.createRoom({ type: 'tap-race', roomId: 'inspected', config: { target: 1 } });
    const ada = await t.join(room.roomId, { name: 'ada', messages });
    const bob = await t.join(room.roomId, { name: 'bob', messages });
    ada.ready();
    bob.ready();
    const winner = ada.next('winner');
    ada.send('tap', {});
    await winner;

    const actor = (name: string) => received.find((e) => e.type === '@xstate.actor' && e.name === name);
    await until(
      () => received.some((e) => e.type === '@xstate.actor' && e.name === 'game'),
      5000,
      'game actor',
    );
    const roomActor = actor('room:inspected');
    const connection = actor('connection:c1');
    expect(roomActor, 'room registration').toBeDefined();
    expect(connection, 'connection registration').toBeDefined();
    expect(actor('game')?.parentId, 'the game is the room’s child').toBe(roomActor?.sessionId);

    const of = (sessionId: string | undefined, type: Inspected['type']) =>
      received.filter((e) => e.sessionId === sessionId && e.type === type);
    await until(
      () => of(roomActor?.sessionId, '@xstate.event').some((e) => e.event?.type === 'GAME_MESSAGE'),
      5000,
      'tap',
    );
    const roomEvents = of(roomActor?.sessionId, '@xstate.event').map((e) => e.event?.type);
    expect(roomEvents).toEqual(expect.arrayContaining(['JOIN', 'READY', 'GAME_MESSAGE']));
    const roomStates = of(roomActor?.sessionId, '@xstate.snapshot').map((e) =>
      JSON.stringify(e.snapshot?.value),
    );
    expect(roomStates).toEqual(expect.arrayContaining([JSON.stringify({ running: 'iterating' })]));
    expect(of(connection?.sessionId, '@xstate.event').map((e) => e.event?.type)).toEqual(
      expect.arrayContaining(['LINK_OPEN', 'AUTHENTICATE', 'JOIN']),
    );
    expect(of(connection?.sessionId, '@xstate.snapshot').length).toBeGreaterThan(2);
  });
});
