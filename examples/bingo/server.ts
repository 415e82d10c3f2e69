import { randomUUID } from 'node:crypto';
import { createSilentLogger } from 'chartroom';
import type { Logger } from 'chartroom';
import type { ConnectionTiming } from 'chartroom/machines';
import { createBingoProtocol } from 'chartroom/protocols/bingo';
import type { BingoIdentity, BingoTicket } from 'chartroom/protocols/bingo';
import { createServer } from 'chartroom/server';
import type { ChartroomServer, ServerLimits } from 'chartroom/server';
import { createTcpTransport } from 'chartroom/transports/tcp';
import type { TcpTransport } from 'chartroom/transports/tcp';
import { bingo, bingoDataUpdates } from './room.js';
import type { BingoConfig } from './room.js';

export interface BingoServerOptions {
  /** Interface for both listeners. Default 127.0.0.1. */
  readonly host?: string;
  /** TCP port of the Bingo listener (0: any free port). Default 0. */
  readonly port?: number;
  /** Port of the HTTP API (tickets, rooms, health). Default 0. */
  readonly httpPort?: number;
  /** Round settings for rooms created by the lobby. Default: the room type's. */
  readonly config?: Partial<BingoConfig>;
  readonly timing?: Partial<ConnectionTiming>;
  readonly limits?: Partial<ServerLimits>;
  /** Largest client payload (bytes). Default the protocol's 16 KiB. */
  readonly maxPayloadBytes?: number;
  readonly logger?: Logger;
}

export interface BingoServer {
  readonly server: ChartroomServer;
  readonly tcp: TcpTransport;
  /** `tcp://host:port` of the Bingo listener. */
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  /** HTTP base URL of the API. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A Chartroom server hosting bingo over the Bingo protocol on raw TCP, with a lobby: a bare
 * seed Identification `{login, username}` is seated in the bingo room still in setup (one is
 * created when none is open); `room` in the Identification picks a room explicitly. The login
 * is the user id, so the same login cannot hold two seats in one room.
 */
export async function startBingoServer(options: BingoServerOptions = {}): Promise<BingoServer> {
  const host = options.host ?? '127.0.0.1';
  const tcp = createTcpTransport({ host, port: options.port ?? 0 });
  const config = { ...bingo.config.initial, ...options.config };
  // Set once createServer returns; `identify` only runs after the server listens.
  const holder: { server?: ChartroomServer } = {};

  const lobbyRoom = async (server: ChartroomServer, requested: string | undefined): Promise<string> => {
    if (requested !== undefined) return requested;
    const open = server.rooms().find((room) => {
      const view = room.view();
      const players = view.seats.filter((s) => s.role === 'player').length;
      return view.type === bingo.name && view.phase.startsWith('setup') && players < 8;
    });
    return open ? open.roomId : (await server.createRoom({ type: bingo.name, config })).roomId;
  };

  const identify = async (identity: BingoIdentity): Promise<BingoTicket> => {
    const server = holder.server;
    if (!server) throw new Error('The bingo server is not started yet.');
    const roomId = await lobbyRoom(server, identity.room);
    const userId = identity.login || `guest-${randomUUID().slice(0, 8)}`;
    const name = (identity.username || identity.login || 'player').slice(0, 32);
    return server.issueTicket(roomId, { userId, name, ...(identity.role ? { role: identity.role } : {}) });
  };

  const server = createServer({
    roomTypes: [bingo],
    endpoints: [
      {
        protocol: createBingoProtocol({
          dataUpdates: bingoDataUpdates,
          identify,
          ...(options.maxPayloadBytes !== undefined ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
        }),
        transport: tcp,
      },
    ],
    logger: options.logger ?? createSilentLogger(),
    ...(options.timing ? { timing: options.timing } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  holder.server = server;
  const { url } = await server.listen({ port: options.httpPort ?? 0, host });
  const address = tcp.address();
  if (!address) throw new Error('The TCP listener did not bind.');
  return {
    server,
    tcp,
    endpoint: tcp.endpoint(url),
    host,
    port: address.port,
    url,
    stop: () => server.close(),
  };
}
