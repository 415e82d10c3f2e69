/**
 * Helpers for the space-trader tests: a real server on a real socket (`startSystem` + `pilot`:
 * raw JSON-envelope clients, so every frame is seen exactly as sent), and a simulated system
 * (`createSimSystem`: the real runtime on the memory transport and a simulated clock, so bots
 * fly minutes of game time in a second).
 */
import { createMemoryLogger, createSimulatedClock } from 'chartroom';
import type { SimulatedClock } from 'chartroom';
import { createClient } from 'chartroom/client';
import { createJsonEnvelopeProtocol } from 'chartroom/protocols/json-envelope';
import { createServer } from 'chartroom/server';
import type { ChartroomServer, RoomHost } from 'chartroom/server';
import { StateMirror } from 'chartroom/sync/state';
import type { SnapshotEngine } from 'chartroom/sync/state';
import { createMemoryTransport } from 'chartroom/transports/memory';
import type {
  Entity,
  InputCommand,
  TraderConfig,
  WorldEvent,
  sections,
} from '../../examples/space-trader/messages.js';
import { defaultTraderConfig } from '../../examples/space-trader/messages.js';
import { spaceTrader, traderMessages } from '../../examples/space-trader/room.js';
import type { TraderSession } from '../../examples/space-trader/bot.js';
import type { SpaceWorld } from '../../examples/space-trader/world.js';
import { seatRaw } from '../integration/raw-client.js';
import type { ErrorPayload, Frame, JoinedPayload, RawClient } from '../integration/raw-client.js';
import { startServer } from '../support/server.js';

export const SYSTEM = 'sol-1';

export type TraderMirror = StateMirror<Entity, typeof sections, WorldEvent>;

/** A real server with one system; pirates off unless asked (tests want a quiet sky). */
export async function startSystem(config: Partial<TraderConfig> = {}) {
  const started = await startServer([spaceTrader]);
  const room = await started.server.createRoom({
    type: spaceTrader.name,
    roomId: SYSTEM,
    seed: 11,
    config: { ...defaultTraderConfig, pirates: 0, ...config },
  });
  return { ...started, room, world: () => worldOf(room) };
}

export function worldOf(room: RoomHost): SpaceWorld {
  return (room.sync as unknown as SnapshotEngine<SpaceWorld>).world();
}

export interface Pilot {
  readonly raw: RawClient;
  readonly joined: Frame<
    JoinedPayload & { ship_id: string; spawn: { x: number; y: number; rotation: number } }
  >;
  readonly mirror: TraderMirror;
  /** Apply every world frame received so far to the mirror (in order). */
  sync(): void;
  command(input: Partial<InputCommand>): number;
  /** Wait for a `world.delta` after now whose `you` satisfies `check` (applies frames as it goes). */
  until(check: (mirror: TraderMirror) => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** The answer (trade.result, ship.repair_result or error) to the request sent with `seq`. */
  answer(seq: number): Promise<Frame>;
}

/** A seated raw client with its mirror, after its first snapshot. */
export async function pilot(url: string, name: string): Promise<Pilot> {
  const { raw, joined } = await seatRaw(url, SYSTEM, name);
  const mirror: TraderMirror = new StateMirror();
  let applied = 0;
  const sync = () => {
    for (; applied < raw.frames.length; applied++) {
      const frame = raw.frames[applied] as Frame;
      if (frame.type === 'world.snapshot') mirror.applySnapshot(frame.payload as never);
      if (frame.type === 'world.delta') mirror.applyDelta(frame.payload as never);
    }
  };
  await raw.next('world.snapshot');
  sync();
  const result: Pilot = {
    raw,
    joined: joined as Pilot['joined'],
    mirror,
    sync,
    command: (input) =>
      raw.send('input.command', { thrust: 0, turn: 0, fire_primary: false, dock_request: false, ...input }),
    async until(check, what, timeoutMs = 4000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        sync();
        if (check(mirror)) return;
        if (Date.now() > deadline) throw new Error(`${name}: timed out waiting for ${what}`);
        await raw
          .next((f) => f.type === 'world.delta' || f.type === 'world.snapshot', timeoutMs)
          .catch(() => undefined);
      }
    },
    // Seed 002's trade.result carries no request id: requests are answered in order, so the
    // first answer frame not yet taken is this request's; a refusal names it with ref_seq.
    answer: (seq) =>
      raw.next(
        (f) =>
          (f.type === 'error' && (f.payload as unknown as ErrorPayload).ref_seq === seq) ||
          f.type === 'trade.result' ||
          f.type === 'ship.repair_result',
      ),
  };
  return result;
}

/** Dock at the station the pilot spawned next to (ships spawn within docking range). */
export async function dockAtHome(p: Pilot): Promise<void> {
  p.command({ dock_request: true });
  await p.until((m) => m.sections.you?.docked_at === 'earth-orbit-station', 'docking');
  p.command({ dock_request: false });
}

/** The simulated system: the real server runtime on the memory transport and a simulated clock. */
export interface SimSystem {
  readonly clock: SimulatedClock;
  readonly server: ChartroomServer;
  readonly room: RoomHost;
  join(name: string): Promise<TraderSession>;
  /** Advance game time in 10 ms steps, letting messages flow between steps. */
  run(ms: number): Promise<void>;
  close(): Promise<void>;
}

export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function createSimSystem(config: Partial<TraderConfig> = {}, seed = 5): Promise<SimSystem> {
  const clock = createSimulatedClock(1_000_000);
  const memory = createMemoryTransport(`trader-${seed}-${Math.floor(Math.random() * 1e9)}`);
  const server = createServer({
    clock,
    logger: createMemoryLogger(),
    roomTypes: [spaceTrader],
    endpoints: [{ protocol: createJsonEnvelopeProtocol(), transport: memory }],
    timing: { handshakeTimeoutMs: 600_000, heartbeatIntervalMs: 600_000, heartbeatTimeoutMs: 600_000 },
  });
  await server.start();
  const room = await server.createRoom({
    type: spaceTrader.name,
    roomId: SYSTEM,
    seed,
    config: { ...defaultTraderConfig, ...config },
  });
  const sessions: TraderSession[] = [];
  return {
    clock,
    server,
    room,
    async join(name) {
      const client = createClient({
        baseUrl: 'http://sim.invalid',
        messages: traderMessages,
        webSocket: (url) => memory.connect(url),
        reconnect: false,
      });
      const ticket = server.issueTicket(SYSTEM, { name });
      const session = await client.connect({ token: ticket.token, roomId: SYSTEM });
      sessions.push(session);
      return session;
    },
    async run(ms) {
      for (let elapsed = 0; elapsed < ms; elapsed += 10) {
        clock.advance(10);
        await settle();
      }
    },
    async close() {
      for (const session of sessions) session.close();
      await server.close();
    },
  };
}

/** Server-side puppetry for tests: put a ship somewhere, at rest (the server's own state, not a client's claim). */
export function place(world: SpaceWorld, shipId: string, x: number, y: number, r = 0): void {
  const ship = world.state.ships.get(shipId);
  if (!ship) throw new Error(`No ship ${shipId}`);
  Object.assign(ship, { x, y, r, vx: 0, vy: 0, dockedAt: undefined });
}

/** Frames of a type received so far. */
export const framesOf = <P = Record<string, unknown>>(p: Pilot, type: string): Frame<P>[] =>
  p.raw.frames.filter((f) => f.type === type) as Frame<unknown>[] as Frame<P>[];
