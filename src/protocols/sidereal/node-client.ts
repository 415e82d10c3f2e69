/**
 * NODE-ONLY: the Sidereal client over `node:dgram` UDP (`chartroom/protocols/sidereal/node`).
 * The rest of src/protocols/sidereal is browser-safe; this file is excluded from that lint rule.
 */
import { createSocket } from 'node:dgram';
import { SiderealClient } from './client.js';
import type { SiderealClientOptions } from './client-options.js';
import type { DatagramConnect } from './datagram.js';

export interface UdpDatagramOptions {
  readonly host: string;
  readonly port: number;
  /** Default 'udp4' (use 'udp6' for an IPv6 host). */
  readonly type?: 'udp4' | 'udp6';
  /** Give up binding and connecting after this long. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
}

/**
 * A `DatagramConnect` over a connected UDP socket: the kernel filters datagrams from anyone but
 * the server. An ICMP "port unreachable" surfaces as a socket error and is ignored (UDP has no
 * connection to lose); the client's silence timeout decides when the server is gone.
 */
export function udpDatagrams(options: UdpDatagramOptions): DatagramConnect {
  return (handlers) =>
    new Promise((resolve, reject) => {
      const socket = createSocket(options.type ?? 'udp4');
      let open = false;
      let ended = false;
      const timeoutMs = options.connectTimeoutMs ?? 5000;
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error(`UDP connect to ${options.host}:${options.port} timed out after ${timeoutMs} ms.`));
      }, timeoutMs);
      socket.on('error', (error) => {
        if (open) return;
        clearTimeout(timer);
        socket.close();
        reject(error);
      });
      socket.on('message', (message: Buffer) => handlers.datagram(message));
      socket.on('close', () => {
        if (!open || ended) return;
        ended = true;
        handlers.close();
      });
      socket.connect(options.port, options.host, () => {
        clearTimeout(timer);
        open = true;
        resolve({
          send: (datagram) => {
            if (!ended) socket.send(datagram, () => undefined);
          },
          close: () => {
            if (ended) return;
            ended = true;
            socket.close();
          },
        });
      });
    });
}

/**
 * Connect a Sidereal client over UDP and knock.
 *
 * @example
 * const client = await connectSiderealUdp({ host: '127.0.0.1', port: 8082 });
 * client.on('keyframe', () => console.log(client.world.size, 'objects'));
 */
export function connectSiderealUdp(
  options: Omit<SiderealClientOptions, 'connect'> & UdpDatagramOptions,
): Promise<SiderealClient> {
  const { host, port, type, connectTimeoutMs, ...rest } = options;
  return SiderealClient.connect({
    ...rest,
    connect: udpDatagrams({
      host,
      port,
      ...(type ? { type } : {}),
      ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
    }),
  });
}

export * from './index.js';
