/**
 * The server under test of the lockstep relay benchmark: a Chartroom server with one lockstep
 * room type (8 players, 50 ms turns fixed, 2 turns of input delay, the arena's command schema),
 * served over the JSON envelope on WebSocket, exactly as an application would set it up. The
 * only additions are the probe's hooks (timer callbacks, inbound frames, encoded broadcasts),
 * which the relay carries too.
 *
 * Run by bench/lockstep.bench.ts: node --conditions=chartroom-source --import tsx bench/lockstep/server-chartroom.ts
 */
import { createConsoleLogger, createSystemClock, defineMessages, defineRoom } from 'chartroom';
import type { Clock, Protocol } from 'chartroom';
import { createJsonEnvelopeProtocol } from 'chartroom/protocols/json-envelope';
import { createServer } from 'chartroom/server';
import type { ChartroomServer } from 'chartroom/server';
import { lockstep } from 'chartroom/sync/lockstep';
import { createWebSocketTransport } from 'chartroom/transports/ws';
import { arenaCommand, arenaConfig } from '../../examples/lockstep-arena/engine.js';
import { CLIENTS_PER_ROOM, INPUT_DELAY_TURNS, TURN_MS, createProbe, serveChild } from './shared.js';
import type { RoomSetup } from './shared.js';

const probe = createProbe();
const PATH = '/ws/json-envelope';

const messages = defineMessages({ client: {}, server: {} });
const benchRoom = defineRoom({
  name: 'bench-lockstep',
  messages,
  config: { schema: arenaConfig, initial: { respawnTicks: 40 } },
  sync: lockstep({
    command: arenaCommand,
    inputDelayTurns: INPUT_DELAY_TURNS,
    // Fixed turn length: the adaptive timing can never move it.
    timing: { baseTurnMs: TURN_MS, minTurnMs: TURN_MS, maxTurnMs: TURN_MS, stepMs: TURN_MS },
    lagLimitMs: 3000,
    lagPolicy: 'drop',
  }),
  options: { capacity: CLIENTS_PER_ROOM, minPlayers: CLIENTS_PER_ROOM, lateJoin: 'viewer' },
});

/** The system clock, with the probe's hook at the start of every timer callback. */
const system = createSystemClock();
const clock: Clock = {
  now: system.now,
  setTimeout: (fn, ms) =>
    globalThis.setTimeout(() => {
      probe.enter();
      fn();
    }, ms),
  clearTimeout: system.clearTimeout,
};

/** The JSON envelope, with the probe's hooks: every inbound frame, every broadcast once encoded. */
function probedProtocol(inner: Protocol): Protocol {
  return {
    ...inner,
    open(peer) {
      const session = inner.open(peer);
      const receive = session.receive;
      session.receive = (frame) => {
        probe.enter();
        receive.call(session, frame);
      };
      return session;
    },
    prepare(output) {
      const frame = inner.prepare?.(output);
      if (frame !== undefined) probe.encoded(frame);
      return frame;
    },
  };
}

let server: ChartroomServer | undefined;

await serveChild(
  {
    async listen() {
      const protocol = createJsonEnvelopeProtocol();
      server = createServer({
        roomTypes: [benchRoom],
        endpoints: [
          {
            protocol: probedProtocol(protocol),
            transport: createWebSocketTransport({ path: PATH, frames: 'text' }),
          },
        ],
        clock,
        logger: createConsoleLogger('warn'),
      });
      const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
      return { port, path: PATH };
    },
    async setup(count) {
      const live = server as ChartroomServer;
      const setups: RoomSetup[] = [];
      for (let i = 0; i < count; i++) {
        const room = await live.createRoom({ type: benchRoom.name, seed: i + 1 });
        const tickets = Array.from(
          { length: CLIENTS_PER_ROOM },
          (_, seat) => live.issueTicket(room.roomId, { name: `bench-${i}-${seat}` }).token,
        );
        setups.push({ roomId: room.roomId, tickets });
      }
      return setups;
    },
    notes: () => {
      const metrics = server?.metrics();
      return metrics
        ? { framesIn: metrics.framesIn, framesOut: metrics.framesOut, errors: metrics.errors }
        : {};
    },
    async close() {
      await server?.close();
    },
  },
  probe,
);
