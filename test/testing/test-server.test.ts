import { afterEach, describe, expect, it } from 'vitest';
import { createJsonEnvelopeClientProtocol } from 'chartroom/protocols/json-envelope';
import { createRawClient, createSimulatedClock, createTestServer } from 'chartroom/testing';
import type { TestServer } from 'chartroom/testing';
import { messages, tapRace } from '../../examples/tap-race/room.js';

describe('createTestServer: the real runtime on memory transports', () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());

  it('plays a tap race with SDK sessions and no HTTP', async () => {
    t = await createTestServer({ roomTypes: [tapRace], clock: createSimulatedClock() });
    const room = await t.createRoom('tap-race');
    const ada = await t.join(room.roomId, { name: 'ada', messages });
    const bob = await t.join(room.roomId, { name: 'bob', messages });
    expect([ada.seatId, bob.seatId]).toEqual(['p1', 'p2']);
    ada.setup({ target: 2 });
    await t.settle(3);
    expect(bob.room?.config).toEqual({ target: 2 });
    ada.ready();
    bob.ready();
    await t.settle(3);
    expect(room.view().phase).toBe('running.iterating');
    const winner = bob.next('winner');
    bob.send('tap', {});
    bob.send('tap', {});
    expect(await winner).toEqual({ seatId: 'p2' });
  });

  it('closes an unauthenticated raw link when the simulated handshake timeout passes', async () => {
    t = await createTestServer({
      roomTypes: [tapRace],
      clock: createSimulatedClock(),
      timing: { handshakeTimeoutMs: 1000 },
    });
    const raw = await t.raw();
    await t.advance(999);
    expect(raw.isClosed).toBe(false);
    await t.advance(20);
    const closing = await raw.next('closing');
    expect(closing.code).toBe('AUTH_HANDSHAKE_TIMEOUT');
  });

  it('answers garbage and out-of-order frames from a raw client in the protocol’s own terms', async () => {
    t = await createTestServer({ roomTypes: [tapRace] });
    const room = await t.createRoom('tap-race');
    const raw = await createRawClient(t.connect(), createJsonEnvelopeClientProtocol());
    raw.sendFrame('not json');
    expect((await raw.next('error')).code).toBe('PROTOCOL_MALFORMED_FRAME');
    raw.send({ kind: 'authenticate', token: t.ticket(room.roomId, { name: 'eve' }) });
    expect((await raw.next('authOk')).name).toBe('eve');
    raw.sendFrame(JSON.stringify({ type: 'room.ready', seq: 1, ts: 0, payload: { ready: true } }));
    expect((await raw.next('error')).code).toBe('PROTOCOL_STALE_SEQ');
    raw.send({ kind: 'join', roomId: room.roomId });
    expect((await raw.next('joined')).seatId).toBe('p1');
  });

  it('seats a client behind a lossy link and resumes a seat with its token', async () => {
    const clock = createSimulatedClock();
    t = await createTestServer({ roomTypes: [tapRace], clock });
    const room = await t.createRoom('tap-race');
    const ada = await t.join(room.roomId, { name: 'ada', faults: { seed: 1, clock, delayMs: [0, 0] } });
    const token = ada.resumeToken;
    ada.close();
    await t.settle(2);
    expect(room.view().seats[0]?.connected).toBe(false);
    const back = await t.resume(token);
    expect(back.seatId).toBe('p1');
    await t.settle(2);
    expect(room.view().seats[0]?.connected).toBe(true);
  });
});
