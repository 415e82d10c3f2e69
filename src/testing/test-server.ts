/**
 * An in-memory Chartroom server for tests: the real runtime (room and connection charts,
 * protocols, tokens) on memory transports, without HTTP, optionally on a simulated clock;
 * with helpers to create rooms, seat SDK sessions and open raw clients.
 */
import { RoomSession } from '../client/session.js';
import type { ReconnectOptions } from '../client/session.js';
import { createSystemClock } from '../core/clock.js';
import type { Clock, SimulatedClock } from '../core/clock.js';
import { createMemoryLogger } from '../core/logger.js';
import type { LogEntry, Logger } from '../core/logger.js';
import type { ClientProtocol, Protocol } from '../core/protocol.js';
import type { RoomMessages } from '../core/room-type.js';
import { createJsonEnvelopeClientProtocol } from '../protocols/json-envelope/client.js';
import { createJsonEnvelopeProtocol } from '../protocols/json-envelope/server.js';
import { createServer } from '../server/create-server.js';
import type { ChartroomServer, CreateRoomRequest, ServerOptions } from '../server/create-server.js';
import type { RoomHost } from '../server/room-host.js';
import { createMemoryTransport } from '../transports/memory/index.js';
import type { MemoryClientEnd, MemoryTransport, WebSocketLike } from '../transports/memory/index.js';
import { wrapClientEnd } from './lossy-link.js';
import type { LinkFaults } from './lossy-link.js';
import { createRawClient } from './raw-client.js';
import type { RawClient } from './raw-client.js';

/** A protocol's two halves: what the server speaks and what the SDK or a raw client encodes. */
export interface TestProtocol {
  readonly server: Protocol;
  readonly client: ClientProtocol;
}

export interface TestServerOptions extends Omit<ServerOptions, 'endpoints' | 'clock' | 'logger'> {
  /** Default: the wall clock. Pass `createSimulatedClock()` to drive every timeout yourself. */
  readonly clock?: Clock;
  /** Default: a memory logger (`t.logs`). */
  readonly logger?: Logger;
  /** Protocols served, each on its own memory transport. Default: the JSON envelope. */
  readonly protocols?: readonly TestProtocol[];
}

export interface TestJoinOptions<M extends RoomMessages> {
  readonly name?: string;
  readonly role?: 'player' | 'viewer';
  /** Types `send` / `on` and validates what the server sends. */
  readonly messages?: M;
  /** Protocol name. Default: the first of `protocols`. */
  readonly protocol?: string;
  /** Automatic resume after a drop. Default: 5 quick retries. */
  readonly reconnect?: ReconnectOptions | false;
  /** Put the client's link behind faults (see `wrapClientEnd`). */
  readonly faults?: LinkFaults;
}

export interface TestServer {
  readonly server: ChartroomServer;
  readonly clock: Clock;
  /** What the server logged (when no `logger` was given). */
  readonly logs: readonly LogEntry[];
  /** The memory transport of a protocol (default: the first). */
  transport(protocol?: string): MemoryTransport;
  /** Create a room by type name, or with a full request. */
  createRoom(request: string | CreateRoomRequest): Promise<RoomHost>;
  /** Open a bare client end (memory link) to a protocol's endpoint. */
  connect(protocol?: string): MemoryClientEnd;
  /** A raw frame client on a new link (see `createRawClient`). */
  raw(protocol?: string): Promise<RawClient>;
  /** A join ticket for `roomId`, as `POST /rooms/:id/join` would give. */
  ticket(roomId: string, options?: { name?: string; role?: 'player' | 'viewer'; userId?: string }): string;
  /** Ticket, connect, authenticate and join with the client SDK: a seated session. */
  join<M extends RoomMessages = RoomMessages>(
    roomId: string,
    options?: TestJoinOptions<M>,
  ): Promise<RoomSession<M>>;
  /** Take a seat back with a resume token on a new SDK session (after a reload). */
  resume<M extends RoomMessages = RoomMessages>(
    resumeToken: string,
    options?: Omit<TestJoinOptions<M>, 'name' | 'role'>,
  ): Promise<RoomSession<M>>;
  /** Let memory deliveries and promise callbacks run (one macrotask turn, `times` times). */
  settle(times?: number): Promise<void>;
  /**
   * Advance a simulated clock by `ms` in steps of `stepMs` (default 10), settling between steps,
   * so timers and the deliveries they cause interleave as they would in real time.
   */
  advance(ms: number, stepMs?: number): Promise<void>;
  close(): Promise<void>;
}

const quickReconnect: ReconnectOptions = { retries: 5, baseDelayMs: 5, maxDelayMs: 50 };
const isSimulated = (clock: Clock): clock is SimulatedClock => 'advance' in clock;

/**
 * @example
 * const t = await createTestServer({ roomTypes: [tapRace], clock: createSimulatedClock() });
 * const room = await t.createRoom('tap-race');
 * const ada = await t.join(room.roomId, { name: 'ada', messages });
 * ada.ready();
 * await t.settle();
 * await t.close();
 */
export async function createTestServer(options: TestServerOptions): Promise<TestServer> {
  const { protocols: given, clock: givenClock, logger: givenLogger, ...rest } = options;
  const clock = givenClock ?? createSystemClock();
  const memoryLogger = createMemoryLogger();
  const protocols = given ?? [
    {
      server: createJsonEnvelopeProtocol({ now: () => clock.now() }),
      client: createJsonEnvelopeClientProtocol(),
    },
  ];
  const transports = new Map<string, MemoryTransport>();
  const endpoints = protocols.map((p) => {
    const transport = createMemoryTransport(p.server.name);
    transports.set(p.server.name, transport);
    return { protocol: p.server, transport };
  });
  const server = createServer({ ...rest, clock, logger: givenLogger ?? memoryLogger, endpoints });
  await server.start();

  const pick = (name?: string): TestProtocol & { transport: MemoryTransport } => {
    const protocol = name ? protocols.find((p) => p.server.name === name) : protocols[0];
    const transport = protocol && transports.get(protocol.server.name);
    if (!protocol || !transport) {
      throw new Error(
        `No protocol "${name}" on this test server: it serves ${[...transports.keys()].join(', ')}.`,
      );
    }
    return { ...protocol, transport };
  };
  const settle = async (times = 1) => {
    for (let i = 0; i < times; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  };
  const ticket: TestServer['ticket'] = (roomId, ticketOptions = {}) =>
    server.issueTicket(roomId, ticketOptions).token;

  const session = <M extends RoomMessages>(sessionOptions: Omit<TestJoinOptions<M>, 'name' | 'role'>) => {
    const { transport, client } = pick(sessionOptions.protocol);
    const faults = sessionOptions.faults;
    return new RoomSession<M>({
      endpoint: transport.endpoint(''),
      protocol: client,
      open: (url): WebSocketLike =>
        faults ? wrapClientEnd(transport.connect(url), faults) : transport.connect(url),
      messages: sessionOptions.messages,
      reconnect: sessionOptions.reconnect ?? quickReconnect,
    });
  };

  return {
    server,
    clock,
    logs: memoryLogger.entries,
    transport: (name) => pick(name).transport,
    createRoom: (request) => server.createRoom(typeof request === 'string' ? { type: request } : request),
    connect: (name) => pick(name).transport.connect(),
    raw: async (name) => {
      const { transport, client } = pick(name);
      return createRawClient(transport.connect(), client);
    },
    ticket,
    async join<M extends RoomMessages = RoomMessages>(roomId: string, joinOptions: TestJoinOptions<M> = {}) {
      const role = joinOptions.role;
      const token = ticket(roomId, {
        ...(joinOptions.name !== undefined ? { name: joinOptions.name } : {}),
        ...(role ? { role } : {}),
      });
      return session<M>(joinOptions).start({ token, roomId, ...(role ? { role } : {}) });
    },
    resume: (resumeToken, resumeOptions = {}) => session(resumeOptions).resume(resumeToken),
    settle,
    async advance(ms, stepMs = 10) {
      if (!isSimulated(clock))
        throw new Error('advance() needs a simulated clock: pass clock: createSimulatedClock().');
      for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
        clock.advance(Math.min(stepMs, ms - elapsed));
        await settle();
      }
    },
    close: () => server.close(),
  };
}
