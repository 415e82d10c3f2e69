/**
 * Heartbeat spread: a server gives each connection a heartbeat interval within the last fifth of
 * the configured one, evenly spread over connections opened in a row, so a burst of logins
 * does not turn into a burst of pings (and pongs) every interval after.
 */
import { createMemoryLogger, createSimulatedClock } from 'chartroom';
import { createJsonEnvelopeProtocol } from 'chartroom/protocols/json-envelope';
import { createServer } from 'chartroom/server';
import type { ChartroomServer } from 'chartroom/server';
import { createMemoryTransport } from 'chartroom/transports/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { spreadHeartbeat } from '../../src/server/connection-host.js';
import { tapRace } from '../../examples/tap-race/room.js';
import { until } from '../support/server.js';

describe('heartbeat spread', () => {
  let server: ChartroomServer | undefined;
  afterEach(async () => server?.close());

  it('keeps every interval within the last fifth of the configured one, evenly spread', () => {
    const bins = new Array<number>(10).fill(0);
    for (let n = 1; n <= 1000; n++) {
      const ms = spreadHeartbeat(15_000, 0.2, n);
      expect(ms).toBeGreaterThanOrEqual(12_000);
      expect(ms).toBeLessThanOrEqual(15_000);
      bins[Math.min(9, Math.floor((15_000 - ms) / 300))]!++;
    }
    for (const count of bins) expect(count).toBeGreaterThanOrEqual(90);
  });

  it('pings connections opened together at different times, each within the interval', async () => {
    const clock = createSimulatedClock(0);
    const memory = createMemoryTransport();
    const interval = 10_000;
    server = createServer({
      roomTypes: [tapRace],
      clock,
      logger: createMemoryLogger(),
      timing: { heartbeatIntervalMs: interval, heartbeatTimeoutMs: 60_000 },
      endpoints: [{ protocol: createJsonEnvelopeProtocol(), transport: memory }],
    });
    await server.start();
    const room = await server.createRoom({ type: 'tap-race' });
    // Twenty players log in at once (the heartbeat runs once a connection is authenticated).
    let authenticated = 0;
    for (let i = 0; i < 20; i++) {
      const end = memory.connect('memory://test?protocol_version=1');
      end.silence();
      end.onmessage = ({ data }) => {
        if ((JSON.parse(String(data)) as { type: string }).type === 'auth.ok') authenticated++;
      };
      const { token } = server.issueTicket(room.roomId, { name: `p${i}` });
      end.onopen = () => end.send(JSON.stringify({ type: 'auth.login', seq: 1, ts: 0, payload: { token } }));
    }
    await until(() => authenticated === 20, 2000, 'twenty logins');
    const pings: number[] = [];
    const awaiting = () =>
      [...server!.connections].filter(
        (c) =>
          (c.actor.getSnapshot().value as { live?: { heartbeat?: string } }).live?.heartbeat ===
          'awaitingPong',
      ).length;
    for (let t = 0; t < interval; t += 100) {
      const before = awaiting();
      clock.advance(100);
      for (let k = awaiting() - before; k > 0; k--) pings.push(clock.now());
    }
    expect(pings).toHaveLength(20);
    expect(Math.min(...pings)).toBeGreaterThanOrEqual(0.8 * interval);
    expect(new Set(pings).size).toBeGreaterThanOrEqual(10);
  });
});
