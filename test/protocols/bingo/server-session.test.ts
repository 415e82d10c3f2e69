import { describe, expect, it } from 'vitest';
import { ErrorCode } from 'chartroom';
import { createBingoProtocol } from 'chartroom/protocols/bingo';
import { bytes, handshake, room, sentMessages } from './session-harness.js';

describe('bingo server session: requests, events, updates, pings', () => {
  it('maps a client Request to a game intent with its id, and the game’s reply to a Reply', () => {
    const { peer, session } = handshake();
    session.receive(bytes({ kind: 'request', id: 7, type: 'daub', payload: { number: 42 } }));
    expect(peer.intents).toEqual([{ kind: 'game', type: 'daub', payload: { number: 42 }, requestId: 7 }]);
    session.deliver({ kind: 'reply', requestId: 7, type: 'daubbed', payload: { number: 42 } });
    session.deliver({
      kind: 'replyError',
      requestId: 8,
      code: 'NOT_CALLED',
      message: 'N 43 has not been called yet.',
    });
    expect(sentMessages(peer)).toEqual([
      { kind: 'reply', id: 0x8003, replyTo: 7, body: { type: 'daubbed', payload: { number: 42 } } },
      { kind: 'errorReply', id: 0x8004, replyTo: 8, message: 'NOT_CALLED: N 43 has not been called yet.' },
    ]);
  });

  it('answers a Request refused while it is dispatched (room not running) with an Error Reply to that id', () => {
    const { peer, session } = handshake({}, (intent) =>
      intent.kind === 'game'
        ? { kind: 'error', code: ErrorCode.ROOM_NOT_RUNNING, message: 'Not yet.', ref: 'GAME_MESSAGE' }
        : undefined,
    );
    session.receive(bytes({ kind: 'request', id: 3, type: 'daub', payload: { number: 1 } }));
    session.receive(bytes({ kind: 'event', id: 4, type: 'daub', payload: { number: 1 } }));
    expect(sentMessages(peer)).toEqual([
      { kind: 'errorReply', id: 0x8003, replyTo: 3, message: 'ROOM_NOT_RUNNING: Not yet.' },
      {
        kind: 'event',
        id: 0x8004,
        type: 'error',
        payload: { code: 'ROOM_NOT_RUNNING', message: 'Not yet.', ref: 'GAME_MESSAGE' },
      },
    ]);
  });

  it('acknowledges a framework Request (room.ready) with a bare Reply, or answers its refusal', () => {
    let refuse = false;
    const { peer, session } = handshake({}, () =>
      refuse
        ? { kind: 'error', code: ErrorCode.ROOM_NOT_IN_SETUP, message: 'The game is running.', ref: 'READY' }
        : undefined,
    );
    session.receive(bytes({ kind: 'request', id: 1, type: 'room.ready', payload: { ready: true } }));
    refuse = true;
    session.receive(bytes({ kind: 'request', id: 2, type: 'room.ready', payload: { ready: false } }));
    session.receive(bytes({ kind: 'request', id: 3, type: 'room.ready', payload: { ready: 'yes' } }));
    session.receive(bytes({ kind: 'request', id: 4, type: 'room.dance', payload: {} }));
    expect(peer.intents).toEqual([
      { kind: 'ready', ready: true },
      { kind: 'ready', ready: false },
    ]);
    expect(
      sentMessages(peer).map((m) => [
        m.kind,
        'replyTo' in m ? m.replyTo : -1,
        'message' in m ? m.message.split(':')[0] : '',
      ]),
    ).toEqual([
      ['reply', 1, ''],
      ['errorReply', 2, 'ROOM_NOT_IN_SETUP'],
      ['errorReply', 3, 'PROTOCOL_INVALID_MESSAGE'],
      ['errorReply', 4, 'PROTOCOL_UNKNOWN_TYPE'],
    ]);
    expect(peer.closes).toEqual([]);
  });

  it('maps Events: framework types to intents, others to game messages without a request id', () => {
    const { peer, session } = handshake();
    session.receive(bytes({ kind: 'event', id: 1, type: 'session.leave', payload: {} }));
    session.receive(bytes({ kind: 'event', id: 2, type: 'room.pause', payload: { paused: true } }));
    session.receive(bytes({ kind: 'event', id: 3, type: 'cheer', payload: undefined }));
    expect(peer.intents).toEqual([
      { kind: 'leave' },
      { kind: 'pause', paused: true },
      { kind: 'game', type: 'cheer', payload: undefined },
    ]);
    expect(peer.sent).toEqual([]);
  });

  it('sends game messages as Events, or Data Updates for the configured types', () => {
    const { peer, session } = handshake({ dataUpdates: ['called'] });
    session.deliver({ kind: 'game', type: 'call', payload: { number: 5 } });
    session.deliver({ kind: 'game', type: 'called', payload: [5] });
    session.deliver({ kind: 'room', room });
    expect(sentMessages(peer).map((m) => [m.kind, 'type' in m ? m.type : ''])).toEqual([
      ['event', 'call'],
      ['dataUpdate', 'called'],
      ['dataUpdate', 'room.state'],
    ]);
  });

  it('sends a server request as a Request and maps the client’s Reply or Error Reply to a reply intent', () => {
    const { peer, session } = handshake();
    session.deliver({ kind: 'game', type: 'card', payload: { card: [1] }, requestId: 11 });
    session.deliver({ kind: 'game', type: 'card', payload: { card: [2] }, requestId: 12 });
    const [first, second] = sentMessages(peer);
    expect(first).toEqual({ kind: 'request', id: 0x8003, type: 'card', payload: { card: [1] } });
    session.receive(
      bytes({ kind: 'reply', id: 1, replyTo: 0x8003, body: { type: 'card', payload: { ok: true } } }),
    );
    session.receive(
      bytes({ kind: 'errorReply', id: 2, replyTo: second?.kind === 'request' ? second.id : 0, message: '' }),
    );
    // A second answer to the same request, or one to nothing pending, is late: ignored.
    session.receive(bytes({ kind: 'reply', id: 3, replyTo: 0x8003 }));
    session.receive(bytes({ kind: 'reply', id: 4, replyTo: 0xfff0 }));
    expect(peer.intents).toEqual([
      { kind: 'reply', requestId: 11, ok: true, payload: { ok: true } },
      { kind: 'reply', requestId: 12, ok: false, payload: undefined },
    ]);
  });

  it('forgets the oldest server request past maxPendingRequests', () => {
    const { peer, session } = handshake({ maxPendingRequests: 2 });
    for (const requestId of [1, 2, 3]) session.deliver({ kind: 'game', type: 'q', payload: {}, requestId });
    const ids = sentMessages(peer).map((m) => ('id' in m ? m.id : 0));
    for (const [i, id] of ids.entries())
      session.receive(bytes({ kind: 'reply', id: i, replyTo: id as number }));
    expect(peer.intents.map((i) => (i.kind === 'reply' ? i.requestId : 0))).toEqual([2, 3]);
  });

  it('sends the heartbeat as a Ping and maps the empty Reply to a pong', () => {
    const { peer, session } = handshake();
    session.deliver({ kind: 'ping' });
    expect(sentMessages(peer)).toEqual([{ kind: 'ping', id: 0x8003 }]);
    session.receive(bytes({ kind: 'reply', id: 9, replyTo: 0x8003 }));
    session.receive(bytes({ kind: 'reply', id: 10, replyTo: 0x8003 }));
    expect(peer.intents).toEqual([{ kind: 'pong' }]);
  });

  it('encodes a broadcast once and numbers each recipient’s copy with its own id', () => {
    const protocol = createBingoProtocol();
    const prepared = protocol.prepare?.({ kind: 'game', type: 'call', payload: { number: 9 } });
    expect(prepared).toBeInstanceOf(Uint8Array);
    expect(protocol.prepare?.({ kind: 'game', type: 'card', payload: {}, requestId: 1 })).toBeUndefined();
    const a = handshake();
    const b = handshake();
    b.session.deliver({ kind: 'ping' });
    a.session.deliverPrepared(prepared as Uint8Array);
    b.session.deliverPrepared(prepared as Uint8Array);
    expect(sentMessages(a.peer)).toEqual([
      { kind: 'event', id: 0x8003, type: 'call', payload: { number: 9 } },
    ]);
    expect(sentMessages(b.peer)[1]).toEqual({
      kind: 'event',
      id: 0x8004,
      type: 'call',
      payload: { number: 9 },
    });
    expect((prepared as Uint8Array)[1]).toBe(0x80); // the shared bytes are untouched
  });

  it('announces every server-side close with a Protocol Error carrying the code', () => {
    const { peer, session } = handshake();
    session.deliver({ kind: 'closing', code: ErrorCode.ROOM_CLOSED, message: 'Room r1 has ended.' });
    session.deliver({ kind: 'game', type: 'late', payload: {} });
    expect(sentMessages(peer)).toEqual([
      { kind: 'protocolError', id: 0x8003, message: 'ROOM_CLOSED: Room r1 has ended.' },
    ]);
  });

  it('closes without answering when the client sends a Protocol Error', () => {
    const { peer, session } = handshake();
    session.receive(
      bytes({ kind: 'protocolError', id: 1, message: 'PROTOCOL_UNKNOWN_TYPE: Unknown opcode 0x0a' }),
    );
    expect(peer.sent).toEqual([]);
    expect(peer.closes.map((c) => c.code)).toEqual(['PROTOCOL_UNKNOWN_TYPE']);
  });

  it('answers a bad Request body with an Error Reply and carries on', () => {
    const { peer, session } = handshake();
    const bad = Uint8Array.of(0x04, 0x00, 0x05, 0x00, 0x03, 0x61, 0x62, 0x63);
    session.receive(Uint8Array.from([...bad, ...bytes({ kind: 'event', id: 6, type: 'cheer', payload: 1 })]));
    expect(sentMessages(peer)).toEqual([
      {
        kind: 'errorReply',
        id: 0x8003,
        replyTo: 5,
        message: expect.stringMatching(
          /^PROTOCOL_INVALID_MESSAGE: Request \(0x04\) body \(message id 5\) is not JSON/,
        ),
      },
    ]);
    expect(peer.intents).toEqual([{ kind: 'game', type: 'cheer', payload: 1 }]);
    expect(peer.issues.map((i) => i.code)).toEqual(['PROTOCOL_INVALID_MESSAGE']);
  });
});
