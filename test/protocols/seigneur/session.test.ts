import { describe, expect, it } from 'vitest';
import { ChartroomError, createSimulatedClock } from 'chartroom';
import type { RoomView, ServerOutput } from 'chartroom';
import {
  compactToken,
  createSeigneurClientProtocol,
  createSeigneurProtocol,
  decodePacket,
  encodePacket,
} from 'chartroom/protocols/seigneur';
import type { SeigneurPacket, SeigneurProtocolOptions } from 'chartroom/protocols/seigneur';
import { createTokenService } from 'chartroom/server';
import { createFakePeer } from '../support/fake-peer.js';
import type { FakePeer } from '../support/fake-peer.js';

/** How the Seigneur halves map packets to intents and outputs to packets (fake peers, no sockets). */

const clock = createSimulatedClock(1_700_000_000_000);
const tokens = createTokenService('session-secret-0123456789', clock);
const ticket = tokens.sign({
  kind: 'ticket',
  userId: '0f0e0d0c-0b0a-4908-8706-050403020100',
  name: 'ada',
  roomId: '1001',
  exp: 1_700_000_600_000,
});
const resumeToken = tokens.sign({
  kind: 'resume',
  userId: '0f0e0d0c-0b0a-4908-8706-050403020100',
  name: 'ada',
  roomId: '1001',
  seatId: 'p1',
  generation: 1,
  exp: 1_700_086_400_000,
});
const room = (phase: string): RoomView => ({
  roomId: '1001',
  type: 'seigneur-arena',
  seed: 1,
  phase,
  config: {},
  configVersion: 0,
  seats: [],
});
const joined = (phase = 'setup.open'): ServerOutput => ({
  kind: 'joined',
  roomId: '1001',
  seatId: 'p1',
  role: 'player',
  resumeToken,
  room: room(phase),
});

const bytes = (packet: SeigneurPacket) => {
  const encoded = encodePacket(packet);
  if (!encoded.ok) throw new Error(encoded.issue.message);
  return encoded.value;
};
const sent = (peer: FakePeer) =>
  peer.bytes().map((frame) => {
    const decoded = decodePacket(frame, 4096);
    if (!decoded.ok) throw new Error(decoded.issue.message);
    return decoded.value;
  });
const sanity = (playerId = 0, token = ticket) => {
  const compact = compactToken(token, { roomId: 1001, playerId });
  if (!compact.ok) throw new Error(compact.issue.message);
  return bytes({ type: 'sanityCheck', tick: 0, roomId: 1001, playerId, token: compact.value });
};

/** A server session taken through the handshake to a seat (player 1). */
function seated(options: SeigneurProtocolOptions = {}) {
  const protocol = createSeigneurProtocol(options);
  const peer = createFakePeer();
  const session = protocol.open(peer);
  session.receive(sanity());
  session.deliver({ kind: 'authOk', userId: 'u', name: 'ada' });
  session.deliver(joined());
  peer.clear();
  return { protocol, peer, session };
}

describe('seigneur server session', () => {
  it('maps a Sanity Check onto authenticate, then join once authenticated, then answers with the seat', () => {
    const peer = createFakePeer();
    const session = createSeigneurProtocol().open(peer);
    session.receive(sanity());
    expect(peer.intents).toEqual([{ kind: 'authenticate', token: ticket }]);
    session.deliver({ kind: 'authOk', userId: 'u', name: 'ada' });
    expect(peer.intents[1]).toEqual({ kind: 'join', roomId: '1001' });
    expect(peer.sent).toHaveLength(0);
    session.deliver(joined());
    const [answer] = sent(peer);
    expect(answer).toMatchObject({ type: 'sanityCheck', roomId: 1001, playerId: 1 });
    // A player's Sanity Check commits "ready" while the room is in setup (Seigneur has no lobby).
    expect(peer.intents[2]).toEqual({ kind: 'ready', ready: true });
    expect(peer.issues).toEqual([]);
  });

  it('maps a Sanity Check carrying a resume token onto resume', () => {
    const peer = createFakePeer();
    createSeigneurProtocol().open(peer).receive(sanity(1, resumeToken));
    expect(peer.intents).toEqual([{ kind: 'resume', resumeToken }]);
  });

  it('does not commit ready when autoReady is off or the room already runs', () => {
    for (const [options, phase] of [
      [{ autoReady: false }, 'setup.open'],
      [{}, 'running.iterating'],
    ] as const) {
      const peer = createFakePeer();
      const session = createSeigneurProtocol(options).open(peer);
      session.receive(sanity());
      session.deliver({ kind: 'authOk', userId: 'u', name: 'ada' });
      session.deliver(joined(phase));
      expect(peer.intents.map((i) => i.kind)).toEqual(['authenticate', 'join']);
    }
  });

  it('turns Move and Weapon Action into game messages without the (checked) player id', () => {
    const { peer, session } = seated();
    session.receive(bytes({ type: 'move', tick: 9, playerId: 1, x: 10, y: 20, velocity: 30 }));
    session.receive(bytes({ type: 'weapon', tick: 9, playerId: 1, action: { kind: 'shoot', angle: 5 } }));
    session.receive(bytes({ type: 'leave', tick: 9, playerId: 1 }));
    expect(peer.intents).toEqual([
      { kind: 'game', type: 'move', payload: { tick: 9, x: 10, y: 20, velocity: 30 } },
      { kind: 'game', type: 'weapon', payload: { tick: 9, action: { kind: 'shoot', angle: 5 } } },
      { kind: 'leave' },
    ]);
  });

  it('refuses a packet naming another player with AUTH_IDENTITY_MISMATCH, and keeps the session', () => {
    const { peer, session } = seated();
    session.receive(bytes({ type: 'move', tick: 9, playerId: 2, x: 10, y: 20, velocity: 30 }));
    expect(peer.intents).toEqual([]);
    expect(sent(peer)).toMatchObject([
      { type: 'error', code: 'AUTH_IDENTITY_MISMATCH', ref: 1, fatal: false },
    ]);
    expect(peer.issues.map((i) => i.code)).toEqual(['AUTH_IDENTITY_MISMATCH']);
    expect(peer.closes).toEqual([]);
  });

  it('refuses a second Sanity Check and client-side Player Join packets without closing', () => {
    const { peer, session } = seated();
    session.receive(sanity());
    session.receive(bytes({ type: 'join', tick: 0, playerId: 1, name: 'x' }));
    expect(sent(peer).map((p) => (p.type === 'error' ? [p.code, p.fatal] : p.type))).toEqual([
      ['AUTH_ALREADY_AUTHENTICATED', false],
      ['PROTOCOL_UNEXPECTED_MESSAGE', false],
    ]);
  });

  it('closes on the first frame that is not a handshake, and on a text frame', () => {
    for (const frame of [bytes({ type: 'leave', tick: 0, playerId: 1 }), 'hello']) {
      const peer = createFakePeer();
      createSeigneurProtocol().open(peer).receive(frame);
      expect(sent(peer)[0]).toMatchObject({ type: 'error', fatal: true });
      expect(peer.closes).toHaveLength(1);
    }
  });

  it('closes with PROTOCOL_VERSION_MISMATCH when the connect URL announces another version', () => {
    const peer = createFakePeer({ params: { protocol_version: '2' } });
    createSeigneurProtocol().open(peer).receive(sanity());
    expect(peer.closes.map((c) => c.code)).toEqual(['PROTOCOL_VERSION_MISMATCH']);
    expect(peer.intents).toEqual([]);
  });

  it('makes a failed join fatal: Error for the Sanity Check, then close', () => {
    const peer = createFakePeer();
    const session = createSeigneurProtocol().open(peer);
    session.receive(sanity());
    session.deliver({ kind: 'authOk', userId: 'u', name: 'ada' });
    session.deliver({ kind: 'error', code: 'ROOM_FULL', message: 'Every seat is taken.', ref: 'join' });
    expect(sent(peer)).toMatchObject([{ type: 'error', code: 'ROOM_FULL', ref: 4, fatal: true }]);
    expect(peer.closes.map((c) => c.code)).toEqual(['ROOM_FULL']);
  });

  it('encodes game outputs as packets, once for a broadcast (prepare) and the same per session', () => {
    const { protocol, peer, session } = seated();
    const output: ServerOutput = {
      kind: 'game',
      type: 'weapon',
      payload: { tick: 40, playerId: 2, action: { kind: 'death', killer: 1 } },
    };
    session.deliver(output);
    const prepared = protocol.prepare?.(output);
    expect(prepared).toEqual(peer.bytes()[0]);
    expect(sent(peer)).toEqual([
      { type: 'weapon', tick: 40, playerId: 2, action: { kind: 'death', killer: 1 } },
    ]);
    // Errors carry the last tick the session sent.
    session.deliver({ kind: 'error', code: 'ROOM_FORBIDDEN', message: 'Viewers only watch.', ref: 'move' });
    expect(sent(peer)[1]).toMatchObject({
      type: 'error',
      tick: 40,
      code: 'ROOM_FORBIDDEN',
      ref: 1,
      fatal: false,
    });
  });

  it('drops (and reports through onUnencodable) an output Seigneur has no packet for', () => {
    const dropped: string[] = [];
    const { protocol, peer, session } = seated({ onUnencodable: (_o, issue) => dropped.push(issue.code) });
    session.deliver({ kind: 'game', type: 'score', payload: { points: 1 } });
    session.deliver({
      kind: 'game',
      type: 'move',
      payload: { tick: 1, playerId: 1, x: 70_000, y: 0, velocity: 0 },
    });
    expect(protocol.prepare?.({ kind: 'room', room: room('running') })).toBeUndefined();
    expect(peer.sent).toEqual([]);
    expect(dropped).toEqual(['PROTOCOL_UNKNOWN_TYPE', 'PROTOCOL_INVALID_MESSAGE']);
  });

  it('answers a closing with a fatal Error packet and pings with a transport ping', () => {
    const { peer, session } = seated();
    session.deliver({ kind: 'ping' });
    session.deliver({ kind: 'closing', code: 'CONN_SERVER_SHUTDOWN', message: 'Bye.' });
    session.deliver({ kind: 'closing', code: 'CONN_SERVER_SHUTDOWN', message: 'Bye.' });
    expect(peer.pings).toBe(1);
    expect(sent(peer)).toMatchObject([{ type: 'error', code: 'CONN_SERVER_SHUTDOWN', fatal: true }]);
  });

  it('refuses key exchanges when encryption is off', () => {
    const peer = createFakePeer();
    const session = createSeigneurProtocol({ encryption: 'off' }).open(peer);
    session.receive(bytes({ type: 'keyRequest', tick: 0, suite: 1, publicKey: new Uint8Array(65) }));
    expect(sent(peer)).toMatchObject([
      { type: 'error', code: 'PROTOCOL_UNEXPECTED_MESSAGE', ref: 7, fatal: true },
    ]);
  });
});

describe('seigneur client protocol', () => {
  it('sends one Sanity Check for authenticate + join, and decodes the answer into authOk + joined', () => {
    const client = createSeigneurClientProtocol().open();
    expect(client.encode({ kind: 'authenticate', token: ticket })).toEqual([]);
    const [frame] = client.encode({ kind: 'join', roomId: '1001' });
    expect(frame).toEqual(sanity());
    const compact = compactToken(resumeToken, { roomId: 1001, playerId: 1 });
    const answer = bytes({
      type: 'sanityCheck',
      tick: 3,
      roomId: 1001,
      playerId: 1,
      token: compact.ok ? compact.value : new Uint8Array(),
    });
    const decoded = client.decode(answer);
    expect(decoded).toEqual({
      ok: true,
      value: [
        { kind: 'authOk', userId: '0f0e0d0c-0b0a-4908-8706-050403020100', name: 'ada' },
        {
          kind: 'joined',
          roomId: '1001',
          seatId: 'p1',
          role: 'player',
          resumeToken,
          room: expect.anything(),
        },
      ],
    });
    // Game messages are stamped with the seat's player id.
    expect(
      client.encode({ kind: 'game', type: 'move', payload: { tick: 3, x: 1, y: 2, velocity: 3 } }),
    ).toEqual([bytes({ type: 'move', tick: 3, playerId: 1, x: 1, y: 2, velocity: 3 })]);
    expect(client.encode({ kind: 'ready', ready: true })).toEqual([]);
  });

  it('throws a ChartroomError for what Seigneur cannot carry', () => {
    const client = createSeigneurClientProtocol().open();
    client.encode({ kind: 'authenticate', token: ticket });
    expect(() => client.encode({ kind: 'join', roomId: 'lobby' })).toThrow(ChartroomError);
    expect(() => client.encode({ kind: 'game', type: 'score', payload: {} })).toThrow(/move or weapon/);
    expect(() =>
      client.encode({ kind: 'game', type: 'weapon', payload: { tick: 0, action: { kind: 'damage' } } }),
    ).toThrow(ChartroomError);
  });

  it('decodes Error packets: fatal Sanity Check errors as authError + closing, others as error', () => {
    const client = createSeigneurClientProtocol().open();
    const error = (ref: number, fatal: boolean) =>
      client.decode(bytes({ type: 'error', tick: 0, code: 'AUTH_WRONG_ROOM', ref, fatal, message: 'no' }));
    expect(error(4, true)).toEqual({
      ok: true,
      value: [
        { kind: 'authError', code: 'AUTH_WRONG_ROOM', message: 'no' },
        { kind: 'closing', code: 'AUTH_WRONG_ROOM', message: 'no' },
      ],
    });
    expect(error(5, false)).toEqual({
      ok: true,
      value: [{ kind: 'error', code: 'AUTH_WRONG_ROOM', message: 'no', ref: 'weapon' }],
    });
    expect(
      client.decode(bytes({ type: 'keyRequest', tick: 0, suite: 1, publicKey: new Uint8Array(65) })),
    ).toMatchObject({
      ok: false,
      issue: { code: 'PROTOCOL_UNEXPECTED_MESSAGE' },
    });
  });

  it('talks to the server half encrypted: key exchange, sealed Sanity Check, sealed answer', async () => {
    const client = createSeigneurClientProtocol({ encryption: true }).open();
    const peer = createFakePeer();
    const session = createSeigneurProtocol({ encryption: 'required' }).open(peer);
    const wait = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
      expect(check()).toBe(true);
    };

    for (const frame of (await client.opening?.()) ?? []) session.receive(frame);
    await wait(() => peer.sent.length === 1);
    expect(await client.unseal?.(peer.bytes()[0]!)).toEqual({ ok: true, value: undefined });

    client.encode({ kind: 'authenticate', token: ticket });
    const [plain] = client.encode({ kind: 'join', roomId: '1001' });
    const sealedSanity = await client.seal?.(plain!);
    expect(sealedSanity).not.toEqual(plain);
    session.receive(sealedSanity!);
    await wait(() => peer.intents.length === 1);
    expect(peer.intents[0]).toEqual({ kind: 'authenticate', token: ticket });

    session.deliver({ kind: 'authOk', userId: 'u', name: 'ada' });
    session.deliver(joined('running.iterating'));
    await wait(() => peer.sent.length === 2);
    const opened = await client.unseal?.(peer.bytes()[1]!);
    expect(opened?.ok && opened.value instanceof Uint8Array).toBe(true);
    const outputs = opened?.ok && opened.value ? client.decode(opened.value) : undefined;
    expect(outputs?.ok && outputs.value.map((o) => o.kind)).toEqual(['authOk', 'joined']);
  });
});
