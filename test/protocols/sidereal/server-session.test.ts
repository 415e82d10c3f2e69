import { describe, expect, it } from 'vitest';
import { ErrorCode } from 'chartroom';
import { Flag, KEYFRAME_REQUEST, createSiderealProtocol } from 'chartroom/protocols/sidereal';
import { createFakePeer } from '../support/fake-peer.js';
import { NOW, room, sessionHarness } from './harness.js';

const joined = (phase = 'setup.open') =>
  ({
    kind: 'joined',
    roomId: 'universe',
    seatId: 'p1',
    role: 'player',
    resumeToken: 'resume-1',
    room: room(phase),
  }) as const;

describe('sidereal server session: knock', () => {
  it('authenticates a ticket knock, joins on authOk, welcomes and commits ready in setup', async () => {
    const h = sessionHarness();
    h.send({ type: 'knock', ticket: 'tkt', room: 'universe', role: 'player', v: 1 });
    await h.run();
    expect(h.peer.intents).toEqual([{ kind: 'authenticate', token: 'tkt' }]);
    h.session.deliver({ kind: 'authOk', userId: 'u1', name: 'ada' });
    expect(h.peer.intents[1]).toEqual({ kind: 'join', roomId: 'universe', role: 'player' });
    h.session.deliver(joined());
    await h.run();
    expect(h.received.map((b) => b.type)).toEqual(['welcome', 'heartbeat']);
    expect(h.received[0]).toMatchObject({ seat: 'p1', role: 'player', resume: 'resume-1', room: 'universe' });
    expect(h.received[1]).toMatchObject({ type: 'heartbeat', time: NOW + 20 });
    expect(h.peer.intents[2]).toEqual({ kind: 'ready', ready: true });
  });

  it('does not commit ready for a knock into a running room', async () => {
    const h = sessionHarness();
    h.send({ type: 'knock', resume: 'r1' });
    await h.run();
    expect(h.peer.intents).toEqual([{ kind: 'resume', resumeToken: 'r1' }]);
    h.session.deliver(joined('running.iterating'));
    await h.run();
    expect(h.peer.intents.map((i) => i.kind)).toEqual(['resume']);
  });

  it('seats a bare seed knock through identify', async () => {
    const h = sessionHarness({
      identify: ({ role }) => ({ token: 'guest', roomId: 'universe', ...(role ? { role } : {}) }),
    });
    h.send({ type: 'knock', role: 'viewer' });
    await h.run();
    expect(h.peer.intents).toEqual([{ kind: 'authenticate', token: 'guest' }]);
    h.session.deliver({ kind: 'authOk', userId: 'u1', name: 'ada' });
    expect(h.peer.intents[1]).toEqual({ kind: 'join', roomId: 'universe', role: 'viewer' });
  });

  it('refuses a bare knock without identify: error, bye, close with AUTH_REQUIRED', async () => {
    const h = sessionHarness();
    h.send({ type: 'knock' });
    await h.run();
    expect(h.received.map((b) => b.type)).toEqual(['error', 'bye']);
    expect(h.received[0]).toMatchObject({ code: 'AUTH_REQUIRED', ref: 'knock' });
    expect(h.peer.closes.map((c) => c.code)).toEqual(['AUTH_REQUIRED']);
    expect(h.peer.intents).toEqual([]);
  });

  it('refuses another protocol version with PROTOCOL_VERSION_MISMATCH', async () => {
    const h = sessionHarness();
    h.send({ type: 'knock', ticket: 't', room: 'r', v: 2 });
    await h.run();
    expect(h.received[0]).toMatchObject({ type: 'error', code: 'PROTOCOL_VERSION_MISMATCH' });
    expect(h.peer.closes.map((c) => c.code)).toEqual(['PROTOCOL_VERSION_MISMATCH']);
  });

  it('turns a knock on a joined session into a keyframe request', async () => {
    const h = sessionHarness();
    h.send({ type: 'knock', resume: 'r1' });
    await h.run();
    h.session.deliver(joined('running.iterating'));
    h.send({ type: 'knock' });
    await h.run();
    expect(h.peer.intents.at(-1)).toEqual({ kind: 'game', type: KEYFRAME_REQUEST, payload: {} });
  });
});

describe('sidereal server session: traffic', () => {
  it('acknowledges stop, releases the seat, closes, and sends nothing more', async () => {
    const h = sessionHarness();
    h.send({ type: 'knock', resume: 'r1' });
    await h.run();
    h.session.deliver(joined('running.iterating'));
    await h.run();
    h.send({ type: 'stop' });
    await h.run();
    expect(h.peer.intents.at(-1)).toEqual({ kind: 'leave' });
    expect(h.peer.closes).toEqual([
      { code: ErrorCode.CONN_CLIENT_STOPPED, message: 'The client sent stop.' },
    ]);
    expect(h.client.backlog.inFlight).toBe(0); // the stop was acknowledged
    const sent = h.wire.length;
    h.session.deliver({ kind: 'game', type: 'diff', payload: { id: 'a', time: 9, traits: { x: 1 } } });
    h.session.deliver({ kind: 'ping' });
    h.session.close?.();
    await h.run(5000);
    expect(h.wire.length).toBe(sent);
  });

  it('sends snaps reliably and diffs as latest per object, merging a superseded unacknowledged diff', async () => {
    const h = sessionHarness({ heartbeatMs: 0 });
    h.send({ type: 'knock', resume: 'r1' });
    await h.run();
    h.session.deliver(joined('running.iterating'));
    await h.run();
    h.received.length = 0;
    h.session.deliver({
      kind: 'game',
      type: 'snap',
      payload: { id: 'a', time: 5, total: 1, initial: true, traits: { x: 0, y: 0 } },
    });
    h.cut = true;
    h.session.deliver({ kind: 'game', type: 'diff', payload: { id: 'a', time: 6, traits: { x: 1 } } });
    h.session.deliver({ kind: 'game', type: 'diff', payload: { id: 'a', time: 7, traits: { y: 2 } } });
    h.cut = false;
    await h.run(2000);
    expect(h.received).toEqual([
      { type: 'snap', id: 'a', time: 5, total: 1, initial: true, traits: { x: 0, y: 0 } },
      { type: 'diff', id: 'a', time: 7, traits: { x: 1, y: 2 } },
    ]);
    const flagsOf = (type: string) =>
      new Set(
        h.wire
          .filter((d) => new TextDecoder().decode(d.subarray(5)).startsWith(`{"type":"${type}"`))
          .map((d) => d[4]),
      );
    expect(flagsOf('snap')).toEqual(new Set([Flag.RELIABLE]));
    expect(flagsOf('diff')).toEqual(new Set([0]));
  });

  it('answers the connection chart ping with a heartbeat and takes any datagram as the pong', async () => {
    const h = sessionHarness({ heartbeatMs: 0 });
    h.send({ type: 'knock', resume: 'r1' });
    await h.run();
    h.session.deliver(joined('running.iterating'));
    await h.run();
    h.received.length = 0;
    h.session.deliver({ kind: 'ping' });
    await h.run();
    expect(h.received.map((b) => b.type)).toEqual(['heartbeat']);
    expect(h.peer.intents.filter((i) => i.kind === 'pong')).toHaveLength(1);
  });

  it('paces heartbeats every heartbeatMs while joined, and stops them on close', async () => {
    const h = sessionHarness({ heartbeatMs: 100 });
    h.send({ type: 'knock', resume: 'r1' });
    await h.run();
    h.session.deliver(joined('running.iterating'));
    await h.run(1000);
    const beats = h.received.filter((b) => b.type === 'heartbeat').length;
    expect(beats).toBeGreaterThanOrEqual(10);
    expect(beats).toBeLessThanOrEqual(11);
    h.session.close?.();
    const sent = h.wire.length;
    await h.run(1000);
    expect(h.wire.length).toBe(sent);
  });

  it('drops and reports malformed datagrams without answering them', () => {
    const peer = createFakePeer({ ping: false });
    const session = createSiderealProtocol().open(peer);
    session.receive(new Uint8Array([1, 2, 3]));
    session.receive(new Uint8Array([0, 0, 0, 0, 2, 0x7b, 0x7d]));
    session.receive(new Uint8Array([0, 0, 0, 1, 2, 0x5b, 0x5d])); // a well-formed header, body []
    expect(peer.sent.length).toBe(1); // only the ACK of the well-formed packet
    expect(peer.issues.map((i) => i.code)).toEqual([
      'PROTOCOL_MALFORMED_FRAME',
      'PROTOCOL_INVALID_MESSAGE',
      'PROTOCOL_INVALID_MESSAGE',
    ]);
    session.close?.();
  });

  it('encodes a broadcast body once and lets each session put its own header in front', async () => {
    const protocol = createSiderealProtocol({ heartbeatMs: 0 });
    const output = { kind: 'game', type: 'diff', payload: { id: 'a', time: 1, traits: { x: 1 } } } as const;
    const prepared = protocol.prepare?.(output) as Uint8Array;
    expect(new TextDecoder().decode(prepared)).toBe('{"type":"diff","id":"a","time":1,"traits":{"x":1}}');
    const peers = [createFakePeer(), createFakePeer()];
    for (const peer of peers) {
      const session = protocol.open(peer);
      session.deliverPrepared(prepared);
      session.close?.();
    }
    for (const peer of peers) {
      expect(peer.bytes()[0]?.subarray(5)).toEqual(prepared);
      expect(Array.from(peer.bytes()[0]?.subarray(0, 5) ?? [])).toEqual([0, 0, 0, 1, 0]);
    }
  });

  it('closes with CONN_HEARTBEAT_TIMEOUT when its reliable packets are never acknowledged', async () => {
    const h = sessionHarness({ heartbeatMs: 0, channel: { maxTimeouts: 2, rtt: { initialRtoMs: 100 } } });
    h.send({ type: 'knock', resume: 'r1' });
    await h.run();
    h.cut = true;
    h.session.deliver(joined('running.iterating'));
    await h.run(2000);
    expect(h.peer.closes.map((c) => c.code)).toEqual(['CONN_HEARTBEAT_TIMEOUT']);
    expect(h.peer.issues.map((i) => i.code)).toEqual(['CONN_HEARTBEAT_TIMEOUT']);
  });
});
