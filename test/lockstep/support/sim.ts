/**
 * A simulated lockstep world: the real server runtime (room chart, lockstep chart and engine,
 * connection charts, JSON envelope, fast path) in-process on a simulated clock and the memory
 * transport, real client sessions and real `LockstepRunner`s, and between each runner and its
 * session a `SimLink`: a UDP-like scheduler that loses, duplicates, delays and so reorders the
 * `ls.*` messages, every delivery going through the simulated clock.
 *
 * Why this layer and not raw sockets: a WebSocket never loses or reorders within a connection,
 * so the faults a lockstep engine must survive (the seed's "dropped command packets", "poor
 * and changing latency") are injected between the runner and the session. Disconnects are
 * separate events: the client's memory link is dropped without a close handshake and the
 * session's own automatic resume brings the seat back (its backoff runs on vitest's fake
 * `setTimeout`, advanced in step with the simulated clock by `world.run`).
 */
import {
  createMemoryLogger,
  createSimulatedClock,
  defineMessages,
  defineRoom,
  mergeMessages,
} from 'chartroom';
import type { RoomOptions, SimulatedClock } from 'chartroom';
import { createLockstepRunner } from 'chartroom/client';
import type { LockstepRunner, LockstepSessionLike, RoomSession, WebSocketLike } from 'chartroom/client';
import { createClient } from 'chartroom/client';
import { createJsonEnvelopeProtocol } from 'chartroom/protocols/json-envelope';
import { createServer } from 'chartroom/server';
import type { ChartroomServer, RoomHost } from 'chartroom/server';
import { lockstep } from 'chartroom/sync/lockstep';
import type {
  DeterministicEngine,
  LockstepEngine,
  LockstepOptions,
  MasterPacket,
} from 'chartroom/sync/lockstep';
import { createMemoryTransport } from 'chartroom/transports/memory';
import type { MemoryClientEnd } from 'chartroom/transports/memory';
import { afterEach, beforeEach, vi } from 'vitest';
import { arenaCommand, arenaConfig, createArenaEngine } from '../../../examples/lockstep-arena/engine.js';
import type { ArenaCommand } from '../../../examples/lockstep-arena/engine.js';
import { createPrng } from 'chartroom';

export interface LinkFaults {
  readonly seed: number;
  /** Chance (percent) that one lossy message is lost. */
  readonly lossPct: number;
  /** Chance (percent) that one lossy message arrives twice. */
  readonly dupPct: number;
  /** Each delivery waits a delay drawn in [minDelayMs, maxDelayMs]: unequal delays reorder. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

/** In order, 1 ms, nothing lost or doubled. */
export const perfectLink: LinkFaults = { seed: 1, lossPct: 0, dupPct: 0, minDelayMs: 1, maxDelayMs: 1 };

/**
 * Turn traffic, which the lockstep protocol must survive losing: command packets, acks, sync
 * requests, masters, catch-ups and latency probes. The rest (ls.start, ls.lag, ls.dropped,
 * ls.halt) is session control: delayed, doubled and reordered like the rest, never lost (the
 * server re-sends ls.start on every attach instead).
 */
const lossy = new Set(['ls.cmd', 'ls.ack', 'ls.sync', 'ls.ping', 'ls.master', 'ls.catchup', 'ls.pong']);

export interface LinkStats {
  sent: number;
  lost: number;
  doubled: number;
}

/** A UDP-like link between a runner and its session; every delivery goes through `clock`. */
export class SimLink implements LockstepSessionLike {
  readonly stats: LinkStats = { sent: 0, lost: 0, doubled: 0 };
  #session: RoomSession;
  #clock: SimulatedClock;
  #faults: LinkFaults;
  #random: () => number;

  constructor(session: RoomSession, clock: SimulatedClock, faults: LinkFaults) {
    this.#session = session;
    this.#clock = clock;
    this.#faults = faults;
    this.#random = createPrng(faults.seed);
  }

  get role(): 'player' | 'viewer' {
    return this.#session.role;
  }

  /** From now on: nothing lost or doubled, a constant 1 ms (so in order). */
  heal(): void {
    this.#faults = perfectLink;
  }

  send(type: string, payload: unknown): void {
    this.#schedule(type, () => this.#session.send(type as never, payload as never));
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- LockstepSessionLike's handler type
  on(type: string, handler: (payload: any) => void): () => void {
    return this.#session.on(type as never, (payload: unknown) =>
      this.#schedule(type, () => handler(payload)),
    );
  }

  #schedule(type: string, deliver: () => void) {
    const faults = this.#faults;
    this.stats.sent++;
    const faulty = lossy.has(type);
    if (faulty && this.#random() * 100 < faults.lossPct) {
      this.stats.lost++;
      return;
    }
    const copies = faulty && this.#random() * 100 < faults.dupPct ? 2 : 1;
    if (copies === 2) this.stats.doubled++;
    for (let i = 0; i < copies; i++) {
      const delay =
        faults.minDelayMs + Math.floor(this.#random() * (faults.maxDelayMs - faults.minDelayMs + 1));
      this.#clock.setTimeout(deliver, delay);
    }
  }
}

/** What every simulated client records: each master it applied, in order, and the checksum after it. */
export interface SimClient {
  readonly name: string;
  readonly session: RoomSession;
  readonly link: SimLink;
  readonly runner: LockstepRunner<ArenaCommand>;
  readonly applied: MasterPacket<ArenaCommand>[];
  /** Checksum after each applied turn, by turn. */
  readonly checksums: string[];
  /** Commands this client queued, in order. */
  readonly queued: ArenaCommand[];
  /** Errors the server sent this client. */
  readonly errors: { code: string; ref?: string | undefined }[];
  queue(command: ArenaCommand): void;
  /** Drop the link without a close handshake; reconnect attempts fail until `reconnect()`. */
  disconnect(): void;
  reconnect(): void;
  readonly seatId: string;
}

/** A game engine for one client; `onTurn` hears each applied turn before its checksum is taken. */
export type ClientEngine = DeterministicEngine<ArenaCommand> & { onTurn?(turn: number): void };

export interface JoinOptions {
  readonly role?: 'player' | 'viewer';
  readonly faults?: LinkFaults;
  /** Default: a fresh arena engine. */
  readonly engine?: ClientEngine;
}

export interface WorldOptions {
  readonly lockstep?: Partial<Omit<LockstepOptions<typeof arenaCommand>, 'command'>>;
  readonly room?: Partial<RoomOptions>;
  readonly seed?: number;
  readonly gracePeriodMs?: number;
}

export interface World {
  readonly clock: SimulatedClock;
  readonly server: ChartroomServer;
  readonly room: RoomHost;
  readonly engine: LockstepEngine<ArenaCommand>;
  readonly clients: SimClient[];
  readonly logger: ReturnType<typeof createMemoryLogger>;
  /** Seat a client (players during setup, viewers any time) and start its runner. */
  join(name: string, options?: JoinOptions): Promise<SimClient>;
  /** Advance simulated time in steps, letting every microtask settle between steps. */
  run(ms: number, stepMs?: number): Promise<void>;
  /** Every player ready: the room starts running. */
  start(): Promise<void>;
  phase(): string;
  close(): Promise<void>;
}

/** Let the memory transport's microtasks and the session's promise chains settle. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

let worldCount = 0;

/**
 * Build a world. Call `vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })` before (the
 * sessions' reconnect backoff) and `close()` + `vi.useRealTimers()` after.
 */
export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const clock = createSimulatedClock(1_000_000);
  const logger = createMemoryLogger();
  const memory = createMemoryTransport(`sim${++worldCount}`);
  const sync = lockstep({ command: arenaCommand, ...options.lockstep });
  const roomType = defineRoom({
    name: 'sim-arena',
    messages: defineMessages({ client: {}, server: {} }),
    config: { schema: arenaConfig, initial: { respawnTicks: 40 } },
    sync,
    options: { capacity: 8, minPlayers: 1, maxViewers: 8, lateJoin: 'viewer', ...options.room },
  });
  const messages = mergeMessages(roomType.messages, sync.messages);
  const server = createServer({
    clock,
    logger,
    roomTypes: [roomType],
    endpoints: [{ protocol: createJsonEnvelopeProtocol(), transport: memory }],
    timing: {
      handshakeTimeoutMs: 60_000,
      heartbeatIntervalMs: 600_000,
      heartbeatTimeoutMs: 600_000,
      gracePeriodMs: options.gracePeriodMs ?? 600_000,
    },
  });
  await server.start();
  const room = await server.createRoom({ type: 'sim-arena', seed: options.seed ?? 7 });
  const engine = room.sync as LockstepEngine<ArenaCommand>;
  const clients: SimClient[] = [];

  const join: World['join'] = async (name, joinOptions = {}) => {
    let socket: MemoryClientEnd | undefined;
    let down = false;
    const open = (url: string): WebSocketLike => {
      if (down) return failingSocket();
      socket = memory.connect(url);
      return socket;
    };
    const client = createClient({
      baseUrl: 'http://sim.invalid',
      messages,
      webSocket: open,
      reconnect: { retries: 1000, baseDelayMs: 20, maxDelayMs: 100 },
    });
    const ticket = server.issueTicket(room.roomId, {
      name,
      ...(joinOptions.role ? { role: joinOptions.role } : {}),
    });
    const session = (await client.connect({
      token: ticket.token,
      roomId: room.roomId,
      ...(joinOptions.role ? { role: joinOptions.role } : {}),
    })) as unknown as RoomSession;
    const link = new SimLink(session, clock, joinOptions.faults ?? perfectLink);
    const applied: MasterPacket<ArenaCommand>[] = [];
    const checksums: string[] = [];
    const errors: SimClient['errors'] = [];
    session.onError((error) => errors.push({ code: error.code, ref: error.ref }));
    const game: ClientEngine = joinOptions.engine ?? createArenaEngine();
    const runner = createLockstepRunner<ArenaCommand>({
      session: link,
      engine: game,
      clock,
      pingIntervalMs: 200,
      onTurn: (turn, master) => {
        game.onTurn?.(turn);
        applied.push(master);
        checksums[turn] = game.checksum();
      },
    });
    const queued: ArenaCommand[] = [];
    const simClient: SimClient = {
      name,
      session,
      link,
      runner,
      applied,
      checksums,
      queued,
      errors,
      get seatId() {
        return session.seatId;
      },
      queue(command) {
        queued.push(command);
        runner.queue(command);
      },
      disconnect() {
        down = true;
        socket?.drop();
      },
      reconnect() {
        down = false;
      },
    };
    clients.push(simClient);
    return simClient;
  };

  const run: World['run'] = async (ms, stepMs = 5) => {
    for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
      clock.advance(stepMs);
      vi.advanceTimersByTime(stepMs);
      await settle();
    }
  };

  return {
    clock,
    server,
    room,
    engine,
    clients,
    logger,
    join,
    run,
    async start() {
      for (const client of clients) if (client.session.role === 'player') client.session.ready();
      for (let i = 0; i < 20 && !room.view().phase.startsWith('running'); i++) await settle();
    },
    phase: () => room.view().phase,
    async close() {
      for (const client of clients) {
        client.runner.stop();
        client.session.close();
      }
      await server.close();
    },
  };
}

/** A socket that never opens: the network is down. */
export function failingSocket(): WebSocketLike {
  const socket: WebSocketLike = {
    readyState: 3,
    binaryType: 'arraybuffer',
    send: () => undefined,
    close: () => undefined,
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
  };
  queueMicrotask(() => socket.onclose?.({ code: 1006, reason: 'network down' }));
  return socket;
}

/**
 * One simulated world at a time, for a test file: fake timers around each test, and each
 * `open` closes the previous world first, so a property's runs never share a world (nor the
 * timers its sessions left behind).
 */
export function simulatedWorlds(): { open(options?: WorldOptions): Promise<World> } {
  let world: World | undefined;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(async () => {
    await world?.close();
    world = undefined;
    vi.useRealTimers();
  });
  return {
    async open(options) {
      await world?.close();
      world = await createWorld(options);
      return world;
    },
  };
}
