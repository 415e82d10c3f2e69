import { describe, expect, it } from 'vitest';
import { createSimulatedClock } from 'chartroom';
import { SiderealClient, createChannel, decodeClientBody, encodeBody } from 'chartroom/protocols/sidereal';
import type { ClientBody, DatagramConnect, ServerBody } from 'chartroom/protocols/sidereal';

const view = {
  room_id: 'universe',
  type: 'sidereal-universe',
  seed: 1,
  phase: 'running.iterating',
  config_version: 0,
  seats: [],
};

/** A SiderealClient whose server is the test: a channel on the other end of a 1 ms simulated wire. */
function harness() {
  const clock = createSimulatedClock(0);
  const heard: ClientBody[] = [];
  let toClient: ((bytes: Uint8Array) => void) | undefined;
  let linkClosed = false;
  const server = createChannel(clock, {
    transmit: (d) => clock.setTimeout(() => toClient?.(d), 1),
    message: (body) => {
      const decoded = decodeClientBody(body);
      if (decoded.ok) heard.push(decoded.value);
    },
    issue: () => undefined,
    failed: () => undefined,
  });
  const connect: DatagramConnect = async (handlers) => {
    toClient = (bytes) => handlers.datagram(bytes);
    return {
      send: (d) => clock.setTimeout(() => server.receive(d), 1),
      close: () => {
        linkClosed = true;
      },
    };
  };
  const say = (body: ServerBody, kind: 'reliable' | 'once' = 'reliable') =>
    server.send(encodeBody(body), kind === 'reliable' ? { kind } : { kind });
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t++) {
      clock.advance(1);
      await Promise.resolve();
    }
  };
  return { clock, heard, connect, say, run, linkClosed: () => linkClosed };
}

const welcome: ServerBody = {
  type: 'welcome',
  room: 'universe',
  seat: 'v1',
  role: 'viewer',
  resume: 'r',
  view,
};

describe('sidereal client', () => {
  it('knocks with its credentials and the version, and resolves on welcome', async () => {
    const h = harness();
    const client = new SiderealClient({
      connect: h.connect,
      clock: h.clock,
      knock: { ticket: 't', room: 'universe' },
    });
    const connected = client.connect();
    await h.run(5);
    expect(h.heard).toEqual([{ type: 'knock', ticket: 't', room: 'universe', v: 1 }]);
    h.say(welcome);
    await h.run(5);
    await connected;
    expect([client.status, client.seatId, client.role, client.resumeToken, client.room?.phase]).toEqual([
      'joined',
      'v1',
      'viewer',
      'r',
      'running.iterating',
    ]);
    client.close();
  });

  it('rejects connect with the server refusal of its knock', async () => {
    const h = harness();
    const connected = SiderealClient.connect({ connect: h.connect, clock: h.clock });
    await h.run(5);
    h.say({ type: 'error', code: 'AUTH_REQUIRED', message: 'no', ref: 'knock' });
    await h.run(5);
    await expect(connected).rejects.toMatchObject({ code: 'AUTH_REQUIRED' });
    expect(h.linkClosed()).toBe(true);
  });

  it('gives up when no welcome comes within welcomeTimeoutMs', async () => {
    const h = harness();
    const connected = SiderealClient.connect({ connect: h.connect, clock: h.clock, welcomeTimeoutMs: 500 });
    const outcome = connected.catch((error: { code: string }) => error.code);
    await h.run(501);
    expect(await outcome).toBe('AUTH_HANDSHAKE_TIMEOUT');
  });

  it('estimates the clock offset from heartbeats, keeping the least delayed sample', async () => {
    const h = harness();
    const client = new SiderealClient({
      connect: h.connect,
      clock: h.clock,
      now: () => 5_000 + h.clock.now(),
    });
    const connected = client.connect();
    await h.run(3);
    h.say(welcome);
    await h.run(3);
    await connected;
    // Server clock = local + 1000; each heartbeat travels 1 ms, the server measured rtt 2.
    h.say({ type: 'heartbeat', time: 6_000 + h.clock.now(), rtt: 2 }, 'once');
    await h.run(1);
    expect(client.clockOffsetMs).toBeCloseTo(1000, 5);
    expect(client.latencyMs).toBe(1);
    h.say({ type: 'heartbeat', time: 6_000 + h.clock.now() - 50, rtt: 2 }, 'once'); // held up 50 ms
    await h.run(1);
    expect(client.clockOffsetMs).toBeCloseTo(1000, 5);
    expect(client.serverNow()).toBeCloseTo(6_000 + h.clock.now(), 5);
    client.close();
  });

  it('closes with CONN_HEARTBEAT_TIMEOUT when the server stays silent, and after a bye', async () => {
    const h = harness();
    const client = new SiderealClient({ connect: h.connect, clock: h.clock, silenceTimeoutMs: 1000 });
    const reasons: unknown[] = [];
    client.on('close', (reason) => reasons.push(reason));
    const connected = client.connect();
    await h.run(3);
    h.say(welcome);
    await h.run(3);
    await connected;
    await h.run(1100);
    expect(client.status).toBe('closed');
    expect(reasons).toMatchObject([{ code: 'CONN_HEARTBEAT_TIMEOUT' }]);

    const other = harness();
    const second = new SiderealClient({ connect: other.connect, clock: other.clock });
    const joined = second.connect();
    await other.run(3);
    other.say(welcome);
    other.say({ type: 'bye', code: 'ROOM_CLOSED', message: 'over' }, 'once');
    await other.run(3);
    await joined;
    expect(second.status).toBe('closed');
  });

  it('sends stop, waits for its acknowledgement, then closes the link', async () => {
    const h = harness();
    const client = new SiderealClient({ connect: h.connect, clock: h.clock });
    const connected = client.connect();
    await h.run(3);
    h.say(welcome);
    await h.run(3);
    await connected;
    const stopped = client.stop();
    await h.run(5);
    await stopped;
    expect(h.heard.map((b) => b.type)).toEqual(['knock', 'stop']);
    expect(h.linkClosed()).toBe(true);
  });
});
