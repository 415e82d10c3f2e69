import { createSimulatedClock } from 'chartroom';
import type { ProtocolSession, RoomView, SimulatedClock } from 'chartroom';
import {
  createChannel,
  createSiderealProtocol,
  decodeServerBody,
  encodeBody,
} from 'chartroom/protocols/sidereal';
import type { Channel, ClientBody, ServerBody, SiderealProtocolOptions } from 'chartroom/protocols/sidereal';
import { createFakePeer } from '../support/fake-peer.js';
import type { FakePeer } from '../support/fake-peer.js';

export const NOW = 1_700_000_000_000;

export const room = (phase = 'setup.open'): RoomView => ({
  roomId: 'universe',
  type: 'sidereal-universe',
  seed: 1,
  phase,
  config: {},
  configVersion: 0,
  seats: [],
});

export interface SessionHarness {
  readonly clock: SimulatedClock;
  readonly peer: FakePeer;
  readonly session: ProtocolSession;
  /** The test's own end: a real channel that speaks to the session over a 1 ms simulated wire. */
  readonly client: Channel;
  /** Server bodies the client end received, decoded. */
  readonly received: ServerBody[];
  /** Datagrams the session sent, in order (ACKs included). */
  readonly wire: Uint8Array[];
  /** Drop every datagram between the two ends while true. */
  cut: boolean;
  send(body: ClientBody): void;
  /** Let the simulated wire and timers run. */
  run(ms?: number): Promise<void>;
}

/** A Sidereal server session on a fake peer, and a client channel wired to it on a simulated clock. */
export function sessionHarness(options: SiderealProtocolOptions = {}): SessionHarness {
  const clock = createSimulatedClock(0);
  const peer = createFakePeer({ ping: false });
  const protocol = createSiderealProtocol({ clock, now: () => NOW + clock.now(), ...options });
  const received: ServerBody[] = [];
  const wire: Uint8Array[] = [];
  const send = peer.send.bind(peer);
  const h: SessionHarness = {
    clock,
    peer,
    session: undefined as unknown as ProtocolSession,
    client: undefined as unknown as Channel,
    received,
    wire,
    cut: false,
    send: (body) => h.client.send(encodeBody(body), { kind: 'reliable' }),
    async run(ms = 20) {
      for (let t = 0; t < ms; t++) {
        clock.advance(1);
        await Promise.resolve();
      }
    },
  };
  // The session's datagrams reach the client end 1 ms later (unless cut).
  peer.send = (frame) => {
    send(frame);
    const bytes = frame as Uint8Array;
    wire.push(bytes);
    if (!h.cut) clock.setTimeout(() => h.client.receive(bytes), 1);
  };
  const session = protocol.open(peer);
  const client = createChannel(clock, {
    transmit: (datagram) => {
      if (!h.cut) clock.setTimeout(() => session.receive(datagram), 1);
    },
    message: (body) => {
      const decoded = decodeServerBody(body);
      if (!decoded.ok) throw new Error(decoded.issue.message);
      received.push(decoded.value);
    },
    issue: (issue) => {
      throw new Error(issue.message);
    },
    failed: () => undefined,
  });
  Object.assign(h, { session, client });
  return h;
}
