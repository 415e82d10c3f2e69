/** A Bingo server session on a fake peer, and helpers to read what it sent. */
import type { ClientIntent, RoomView, ServerOutput } from 'chartroom';
import { createBingoProtocol, decodeMessage, encodeMessage, readFrame } from 'chartroom/protocols/bingo';
import type { BingoMessage, BingoProtocolOptions } from 'chartroom/protocols/bingo';
import { createFakePeer } from '../support/fake-peer.js';
import type { FakePeer } from '../support/fake-peer.js';

export const room: RoomView = {
  roomId: 'r1',
  type: 'bingo',
  seed: 7,
  phase: 'setup.open',
  config: {},
  configVersion: 0,
  seats: [],
};

export const bytes = (message: BingoMessage): Uint8Array => {
  const encoded = encodeMessage(message);
  if (!encoded.ok) throw new Error(encoded.issue.message);
  return encoded.value;
};

/** What the session sent, decoded as a client would. */
export const sentMessages = (peer: FakePeer): BingoMessage[] =>
  peer.bytes().map((frame) => {
    const read = readFrame(frame, 0, 0xffff);
    if (read.kind !== 'frame' || read.size !== frame.length) throw new Error('not exactly one frame');
    const decoded = decodeMessage(read.frame, 'server');
    if (!decoded.ok) throw new Error(decoded.issue.message);
    return decoded.value;
  });

/**
 * A session on a fake peer whose `dispatch` can answer synchronously, as the runtime does when
 * the connection chart or the room refuses a message while it is being dispatched.
 */
export function open(
  options: BingoProtocolOptions = {},
  answer?: (intent: ClientIntent) => ServerOutput | undefined,
) {
  const peer = createFakePeer({ ping: false });
  const dispatch = peer.dispatch.bind(peer);
  const holder: { deliver?: (output: ServerOutput) => void } = {};
  peer.dispatch = (intent) => {
    dispatch(intent);
    const output = answer?.(intent);
    if (output) holder.deliver?.(output);
  };
  const session = createBingoProtocol(options).open(peer);
  holder.deliver = (output) => session.deliver(output);
  return { peer, session };
}

export function handshake(
  options: BingoProtocolOptions = {},
  answer?: (intent: ClientIntent) => ServerOutput | undefined,
) {
  const opened = open(options, answer);
  opened.session.receive(
    bytes({
      kind: 'identification',
      id: 0,
      identity: { login: 'ada', username: 'Ada', token: 'T', room: 'r1' },
    }),
  );
  opened.session.deliver({ kind: 'authOk', userId: 'ada', name: 'Ada' });
  opened.session.deliver({
    kind: 'joined',
    roomId: 'r1',
    seatId: 'p1',
    role: 'player',
    resumeToken: 'RT1',
    room,
  });
  opened.peer.clear();
  return opened;
}
