/** The card duel end to end: the real server on memory transports, SDK sessions, a simulated clock. */
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedClock, createTestServer } from 'chartroom/testing';
import type { TestServer } from 'chartroom/testing';
import { cardDuel, messages } from './room.js';

describe('card duel', () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());

  async function seated() {
    t = await createTestServer({ roomTypes: [cardDuel], clock: createSimulatedClock() });
    const room = await t.createRoom({
      type: 'card-duel',
      seed: 7,
      config: { decks: {}, order: [], turnMs: 5000 },
    });
    const ada = await t.join(room.roomId, { name: 'ada', messages });
    const bob = await t.join(room.roomId, { name: 'bob', messages });
    return { t, room, ada, bob };
  }

  it('runs its own setup stages (deck choice, then seating) before the ready check can start it', async () => {
    const { t, room, ada, bob } = await seated();
    const watcher = await t.join(room.roomId, { name: 'cy', role: 'viewer', messages });
    const refused = new Promise((resolve) => watcher.onError(resolve));
    watcher.send('chooseDeck', { deck: 'tide' });
    expect(await refused).toMatchObject({ code: 'ROOM_FORBIDDEN' });

    ada.ready();
    bob.ready();
    await t.settle(3);
    expect(room.view().phase).toBe('setup.readyCheck'); // ready, but decks and seats are not chosen
    ada.send('chooseDeck', { deck: 'ember' });
    bob.send('chooseDeck', { deck: 'tide' });
    await t.settle(3);
    expect(ada.room?.config).toMatchObject({ decks: { p1: 'ember', p2: 'tide' } });
    const taken = new Promise((resolve) => ada.onError(resolve));
    bob.send('takeSeat', { position: 0 });
    await t.settle(2);
    ada.send('takeSeat', { position: 0 });
    expect(await taken).toMatchObject({ code: 'SEAT_TAKEN' });
    ada.send('takeSeat', { position: 1 });
    await t.settle(3);
    expect(room.view().config).toMatchObject({ order: ['p2', 'p1'] });
    expect(room.view().phase).toBe('setup.open'); // every configuration change resets readiness
    const turn = bob.next('turn');
    ada.ready();
    bob.ready();
    expect(await turn).toEqual({ seatId: 'p2', turn: 0, turnMs: 5000 });
    expect(room.view().phase).toBe('running.iterating');
  });

  it('plays a turn, refuses a play out of turn and passes the turn when its timer runs out', async () => {
    const { t, room, ada, bob } = await seated();
    const hands = { ada: ada.next('hand'), bob: bob.next('hand') };
    ada.send('chooseDeck', { deck: 'ember' });
    bob.send('chooseDeck', { deck: 'stone' });
    await t.settle(2);
    ada.send('takeSeat', { position: 0 });
    bob.send('takeSeat', { position: 1 });
    await t.settle(2);
    ada.ready();
    bob.ready();
    const adaHand = (await hands.ada).cards;
    expect(adaHand).toHaveLength(3);
    expect((await hands.bob).cards.every((card) => card.id.startsWith('p2-'))).toBe(true);

    const notYours = new Promise((resolve) => bob.onError(resolve));
    bob.send('pass', {});
    expect(await notYours).toMatchObject({ code: 'NOT_YOUR_TURN' });

    const played = bob.next('played');
    ada.send('playCard', { cardId: adaHand[0]!.id });
    expect((await played).seatId).toBe('p1');
    const timedOut = ada.next('timedOut');
    await t.advance(4990, 10);
    expect(room.view().phase).toBe('running.iterating');
    await t.advance(20, 10);
    expect(await timedOut).toEqual({ seatId: 'p2' });
  });
});
