import { describe, expect, it } from 'vitest';
import { ChartroomError, ErrorCode } from 'chartroom';
import type { BingoMessage } from 'chartroom/protocols/bingo';
import { bytes, handshake, open, room, sentMessages } from './session-harness.js';

describe('bingo server session: handshake', () => {
  it('maps Identification with a ticket to authenticate, then join, then sends Ready with the resume token', () => {
    const { peer, session } = open();
    session.receive(
      bytes({
        kind: 'identification',
        id: 0,
        identity: { login: 'ada', username: 'Ada', token: 'T', room: 'r1', role: 'viewer' },
      }),
    );
    expect(peer.intents).toEqual([{ kind: 'authenticate', token: 'T' }]);
    session.deliver({ kind: 'authOk', userId: 'ada', name: 'Ada' });
    expect(peer.intents.at(-1)).toEqual({ kind: 'join', roomId: 'r1', role: 'viewer' });
    expect(peer.sent).toEqual([]);
    session.deliver({ kind: 'joined', roomId: 'r1', seatId: 'v1', role: 'viewer', resumeToken: 'RT1', room });
    expect(sentMessages(peer)).toEqual([
      { kind: 'ready', id: 0x8000, token: 'RT1' },
      {
        kind: 'dataUpdate',
        id: 0x8001,
        type: 'session.seat',
        payload: { roomId: 'r1', seatId: 'v1', role: 'viewer' },
      },
      { kind: 'dataUpdate', id: 0x8002, type: 'room.state', payload: room },
    ]);
  });

  it('maps Identification with a resume token to resume, and answers with a new Ready', () => {
    const { peer, session } = open();
    session.receive(
      bytes({ kind: 'identification', id: 0, identity: { login: 'ada', username: 'Ada', resume: 'RT1' } }),
    );
    expect(peer.intents).toEqual([{ kind: 'resume', resumeToken: 'RT1' }]);
    session.deliver({ kind: 'authOk', userId: 'ada', name: 'Ada' });
    session.deliver({ kind: 'joined', roomId: 'r1', seatId: 'p1', role: 'player', resumeToken: 'RT2', room });
    expect(peer.intents).toHaveLength(1);
    expect(sentMessages(peer)[0]).toEqual({ kind: 'ready', id: 0x8000, token: 'RT2' });
  });

  it('asks the identify hook for a ticket when the Identification is the bare seed form', async () => {
    const seen: unknown[] = [];
    const { peer, session } = open({
      identify: (identity) => {
        seen.push(identity);
        return { token: 'ISSUED', roomId: 'lobby' };
      },
    });
    session.receive(bytes({ kind: 'identification', id: 0, identity: { login: 'ada', username: 'Ada' } }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual([{ login: 'ada', username: 'Ada' }]);
    expect(peer.intents).toEqual([{ kind: 'authenticate', token: 'ISSUED' }]);
    session.deliver({ kind: 'authOk', userId: 'ada', name: 'Ada' });
    expect(peer.intents.at(-1)).toEqual({ kind: 'join', roomId: 'lobby' });
  });

  it('refuses the handshake with the hook’s code: Error Reply to the Identification, Protocol Error, close', async () => {
    const { peer, session } = open({
      identify: () => {
        throw new ChartroomError(ErrorCode.ROOM_FULL, 'Every seat is taken.');
      },
    });
    session.receive(bytes({ kind: 'identification', id: 0, identity: { login: 'ada', username: 'Ada' } }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(sentMessages(peer)).toEqual([
      { kind: 'errorReply', id: 0x8000, replyTo: 0, message: 'ROOM_FULL: Every seat is taken.' },
      { kind: 'protocolError', id: 0x8001, message: 'ROOM_FULL: Every seat is taken.' },
    ]);
    expect(peer.closes).toEqual([{ code: 'ROOM_FULL', message: 'Every seat is taken.' }]);
    expect(peer.intents).toEqual([]);
  });

  it('refuses a bare Identification when no identify hook is configured (AUTH_REQUIRED)', () => {
    const { peer, session } = open();
    session.receive(bytes({ kind: 'identification', id: 0, identity: { login: '', username: '' } }));
    const sent = sentMessages(peer);
    expect(sent.map((m) => m.kind)).toEqual(['errorReply', 'protocolError']);
    expect(sent[1]).toMatchObject({
      message: expect.stringMatching(/^AUTH_REQUIRED: Identification without a token/),
    });
    expect(peer.closes.map((c) => c.code)).toEqual(['AUTH_REQUIRED']);
  });

  it('turns a refused join during the handshake into an Error Reply and a Protocol Error', () => {
    const { peer, session } = open();
    session.receive(
      bytes({
        kind: 'identification',
        id: 0,
        identity: { login: 'a', username: 'A', token: 'T', room: 'r9' },
      }),
    );
    session.deliver({ kind: 'authOk', userId: 'a', name: 'A' });
    session.deliver({ kind: 'error', code: ErrorCode.ROOM_NOT_FOUND, message: 'No room "r9".', ref: 'JOIN' });
    expect(sentMessages(peer).map((m) => [m.kind, 'message' in m ? m.message : ''])).toEqual([
      ['errorReply', 'ROOM_NOT_FOUND: No room "r9".'],
      ['protocolError', 'ROOM_NOT_FOUND: No room "r9".'],
    ]);
    expect(peer.closes.map((c) => c.code)).toEqual(['ROOM_NOT_FOUND']);
  });

  it.each([
    ['a Request', { kind: 'request', id: 1, type: 'daub', payload: { number: 1 } }],
    ['an Event', { kind: 'event', id: 1, type: 'daub', payload: {} }],
    ['a Reply', { kind: 'reply', id: 1, replyTo: 0x8000 }],
  ] as const)('refuses %s before the handshake with a Protocol Error and a close', (_, message) => {
    const { peer, session } = open();
    session.receive(bytes(message as BingoMessage));
    expect(sentMessages(peer)).toEqual([
      {
        kind: 'protocolError',
        id: 0x8000,
        message: expect.stringMatching(/^AUTH_REQUIRED: .* before the handshake finished/),
      },
    ]);
    expect(peer.closes.map((c) => c.code)).toEqual(['AUTH_REQUIRED']);
    expect(peer.intents).toEqual([]);
    // Once closed, nothing more is read or sent.
    session.receive(
      bytes({ kind: 'identification', id: 2, identity: { login: 'a', username: 'A', resume: 'x' } }),
    );
    session.deliver({ kind: 'closing', code: ErrorCode.AUTH_REQUIRED, message: 'x' });
    expect(peer.sent).toHaveLength(1);
  });

  it('announces a handshake timeout (the chart’s closing output) with a Protocol Error, without a second close', () => {
    const { peer, session } = open();
    session.deliver({
      kind: 'closing',
      code: ErrorCode.AUTH_HANDSHAKE_TIMEOUT,
      message: 'No valid credentials.',
    });
    expect(sentMessages(peer)).toEqual([
      { kind: 'protocolError', id: 0x8000, message: 'AUTH_HANDSHAKE_TIMEOUT: No valid credentials.' },
    ]);
    expect(peer.closes).toEqual([]);
  });

  it('refuses a second Identification', () => {
    const { peer, session } = handshake();
    session.receive(
      bytes({ kind: 'identification', id: 5, identity: { login: 'a', username: 'A', resume: 'x' } }),
    );
    expect(sentMessages(peer)[0]).toMatchObject({
      kind: 'protocolError',
      message: expect.stringMatching(/^PROTOCOL_UNEXPECTED_MESSAGE/),
    });
    expect(peer.closes).toHaveLength(1);
  });
});
