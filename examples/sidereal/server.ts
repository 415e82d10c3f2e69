import { randomUUID } from 'node:crypto';
import { createSilentLogger } from 'chartroom';
import type { Clock, Logger } from 'chartroom';
import type { ConnectionTiming } from 'chartroom/machines';
import { createSiderealProtocol } from 'chartroom/protocols/sidereal';
import type { ChannelOptions, SiderealProtocolOptions } from 'chartroom/protocols/sidereal';
import { createServer } from 'chartroom/server';
import type { ChartroomServer } from 'chartroom/server';
import { createUdpTransport } from 'chartroom/transports/udp';
import type { UdpTransport, UdpTransportOptions } from 'chartroom/transports/udp';
import { siderealUniverse } from './room.js';
import type { UniverseConfig } from './universe.js';

export interface SiderealServerOptions {
  /** Interface for both listeners. Default 127.0.0.1. */
  readonly host?: string;
  /** UDP port of the Sidereal listener (0: any free port). Default 0. */
  readonly port?: number;
  /** Port of the HTTP API and the Sidereal-over-ws endpoint (`/ws/sidereal`). Default 0. */
  readonly httpPort?: number;
  /** The universe's settings. Default: the room type's (3 bodies, 4 ships, 3 turrets, 100 ms ticks). */
  readonly universe?: Partial<UniverseConfig>;
  /** Room id of the universe bare knocks join. Default 'universe'. */
  readonly roomId?: string;
  readonly udp?: Omit<UdpTransportOptions, 'host' | 'port'>;
  readonly channel?: Partial<ChannelOptions>;
  readonly heartbeatMs?: SiderealProtocolOptions['heartbeatMs'];
  readonly timing?: Partial<ConnectionTiming>;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export interface SiderealServer {
  readonly server: ChartroomServer;
  readonly udp: UdpTransport;
  /** `udp://host:port` of the Sidereal listener. */
  readonly endpoint: string;
  /** `ws://host:port/ws/sidereal`: the same protocol over WebSocket. */
  readonly wsEndpoint: string;
  readonly port: number;
  /** HTTP base URL of the API. */
  readonly url: string;
  readonly roomId: string;
  stop(): Promise<void>;
}

/**
 * A Chartroom server hosting one universe: Sidereal over UDP and over ws (the same protocol on
 * both transports), and an `identify` hook that seats a bare seed knock (`{"type":"knock"}`) in
 * the universe as a guest (creating a new universe when the last one ended with its last
 * player). Knocks may also carry a ticket from `POST /rooms/:id/join`.
 *
 * @example
 * const sidereal = await startSiderealServer({ port: 8082 });
 * console.log(sidereal.endpoint); // udp://127.0.0.1:8082
 */
export async function startSiderealServer(options: SiderealServerOptions = {}): Promise<SiderealServer> {
  const host = options.host ?? '127.0.0.1';
  const roomId = options.roomId ?? 'universe';
  const udp = createUdpTransport({ ...options.udp, host, port: options.port ?? 0 });
  const protocolOptions = (name: string): SiderealProtocolOptions => ({
    name,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.channel ? { channel: options.channel } : {}),
    ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
    // Called for a knock, so only once the server below is listening.
    identify: async ({ role }) => {
      await universeRoom();
      const ticket = server.issueTicket(roomId, { userId: randomUUID(), ...(role ? { role } : {}) });
      return { token: ticket.token, roomId };
    },
  });
  const server: ChartroomServer = createServer({
    roomTypes: [siderealUniverse],
    endpoints: [
      { protocol: createSiderealProtocol(protocolOptions('sidereal-udp')), transport: udp },
      createSiderealProtocol(protocolOptions('sidereal')),
    ],
    logger: options.logger ?? createSilentLogger(),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.timing ? { timing: options.timing } : {}),
  });
  /**
   * The universe room, created again if it ended: a running room ends when its last player has
   * left, and the next knock starts a new universe.
   */
  let creating: Promise<unknown> | undefined;
  const universeRoom = async () => {
    if (server.room(roomId)) return;
    creating ??= server
      .createRoom({
        type: siderealUniverse.name,
        roomId,
        config: { ...siderealUniverse.config.initial, ...options.universe },
      })
      .finally(() => {
        creating = undefined;
      });
    await creating;
  };
  const { url } = await server.listen({ port: options.httpPort ?? 0, host });
  await universeRoom();
  const endpoints = server.endpoints();
  return {
    server,
    udp,
    endpoint: endpoints['sidereal-udp'] ?? '',
    wsEndpoint: endpoints.sidereal ?? '',
    port: udp.address()?.port ?? 0,
    url,
    roomId,
    stop: () => server.close(),
  };
}
