/**
 * NODE-ONLY: the Bingo client over `node:net` TCP (`chartroom/protocols/bingo/node`). The rest
 * of src/protocols/bingo is browser-safe; this file is excluded from that lint rule.
 */
import { connect as netConnect } from 'node:net';
import type { RoomMessages } from '../../core/room-type.js';
import { BingoClient } from './client.js';
import type { BingoClientOptions } from './client-types.js';
import type { BingoConnect } from './client-link.js';

/** Where and how `tcpStream` connects. */
export interface TcpStreamOptions {
  readonly host: string;
  readonly port: number;
  /** Give up connecting after this long. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Disable Nagle's algorithm (small frames go out at once). Default true. */
  readonly noDelay?: boolean;
}

/** A `BingoConnect` that opens a TCP socket. */
export function tcpStream(options: TcpStreamOptions): BingoConnect {
  return (handlers) =>
    new Promise((resolve, reject) => {
      const socket = netConnect({ host: options.host, port: options.port });
      socket.setNoDelay(options.noDelay ?? true);
      let open = false;
      let closed = false;
      const timeoutMs = options.connectTimeoutMs ?? 5000;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`TCP connect to ${options.host}:${options.port} timed out after ${timeoutMs} ms.`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        open = true;
        resolve({
          write: (bytes) => {
            if (!socket.destroyed) socket.write(bytes);
          },
          close: () => {
            socket.end();
            // A server that stops reading must not keep the socket alive.
            setTimeout(() => socket.destroy(), 1000).unref();
          },
        });
      });
      socket.on('data', (chunk: Buffer) => handlers.data(chunk));
      socket.on('error', (error) => {
        if (!open) {
          clearTimeout(timer);
          reject(error);
        }
      });
      socket.on('close', () => {
        clearTimeout(timer);
        if (open && !closed) {
          closed = true;
          handlers.close();
        }
      });
    });
}

/**
 * Connect a Bingo client over TCP, identify and wait for Ready.
 *
 * @example
 * const client = await connectBingoTcp({ host: '127.0.0.1', port: 8081, identity: { login: 'ada', username: 'Ada' } });
 */
export function connectBingoTcp<M extends RoomMessages = RoomMessages>(
  options: Omit<BingoClientOptions<M>, 'connect'> & TcpStreamOptions,
): Promise<BingoClient<M>> {
  const { host, port, connectTimeoutMs, noDelay, ...rest } = options;
  return BingoClient.connect<M>({
    ...rest,
    connect: tcpStream({
      host,
      port,
      ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
      ...(noDelay !== undefined ? { noDelay } : {}),
    }),
  });
}

export * from './index.js';
