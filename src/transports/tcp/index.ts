import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { AcceptedLink, Link, LinkHandlers, Transport } from '../../core/link.js';

/** Options of `createTcpTransport`; every one has a default. */
export interface TcpTransportOptions {
  /** Interface to bind. Default `'127.0.0.1'` (loopback only; use `'0.0.0.0'` to accept remote peers). */
  readonly host?: string;
  /** Port to bind; 0 picks a free one (read it from `address()` after start). Default 0. */
  readonly port?: number;
  /** Host name put in `endpoint()` when bound to a wildcard address. Default: the HTTP base URL's host. */
  readonly publicHost?: string;
  /** Refuse connections past this many open sockets. Default 10000. */
  readonly maxConnections?: number;
  /** After `close`, wait this long for buffered bytes to flush before destroying the socket. Default 1000 ms. */
  readonly closeTimeoutMs?: number;
  /** Disable Nagle's algorithm so small game frames go out at once. Default true. */
  readonly noDelay?: boolean;
  /** Transport name in logs. Default `tcp:<port>` once bound. */
  readonly name?: string;
}

/** A Transport that also says where it is bound. */
export interface TcpTransport extends Transport {
  /** The bound address after `start` (undefined before and after `stop`). */
  address(): { readonly host: string; readonly port: number } | undefined;
  /** Open links right now. */
  readonly connectionCount: number;
}

/** A Link over one TCP socket: raw chunks in (`stream: true`), the protocol frames them. */
function createTcpLink(id: string, socket: Socket, closeTimeoutMs: number): Link {
  const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
  let closing = false;
  return {
    id,
    remote,
    stream: true,
    get bufferedAmount() {
      // Bytes accepted by write() and not yet handed to the kernel: the slow-consumer signal.
      return socket.writableLength;
    },
    send(frame) {
      if (closing || socket.destroyed || !socket.writable) return;
      socket.write(frame);
    },
    close() {
      // TCP has no close code or reason: the protocol says why in its own frame before this.
      if (closing || socket.destroyed) return;
      closing = true;
      socket.end();
      // A peer that stops reading would keep end() waiting forever: reset the connection, which
      // also frees the kernel's send buffer at once.
      setTimeout(() => {
        if (!socket.destroyed) socket.resetAndDestroy();
      }, closeTimeoutMs).unref();
    },
    attach(handlers: LinkHandlers) {
      socket.on('data', (chunk: Buffer) => handlers.frame(chunk));
      socket.once('close', () => handlers.close());
      // An 'error' is always followed by 'close'; the listener keeps it from throwing.
      socket.on('error', () => undefined);
    },
  };
}

const wildcard = new Set(['0.0.0.0', '::', '']);

/**
 * A raw TCP transport (node:net) for stream protocols such as Bingo. Each accepted socket is a
 * `stream: true` link; its `bufferedAmount` is the socket's write buffer, so the server's
 * slow-consumer policy (`limits.maxBufferedBytes`) applies as on WebSocket.
 *
 * @example
 * const tcp = createTcpTransport({ host: '0.0.0.0', port: 8081 });
 * createServer({ roomTypes, endpoints: [{ protocol: createBingoProtocol(), transport: tcp }] });
 */
export function createTcpTransport(options: TcpTransportOptions = {}): TcpTransport {
  const host = options.host ?? '127.0.0.1';
  const closeTimeoutMs = options.closeTimeoutMs ?? 1000;
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let bound: { host: string; port: number } | undefined;
  let count = 0;

  return {
    get name() {
      return options.name ?? `tcp:${bound?.port ?? options.port ?? 0}`;
    },
    async start(accept: (accepted: AcceptedLink) => void) {
      if (server) return;
      const listener = createNetServer((socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        socket.setNoDelay(options.noDelay ?? true);
        accept({ link: createTcpLink(`tcp${++count}`, socket, closeTimeoutMs), params: {} });
      });
      listener.maxConnections = options.maxConnections ?? 10_000;
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(options.port ?? 0, host, () => {
          listener.off('error', reject);
          resolve();
        });
      });
      const address = listener.address() as AddressInfo;
      bound = { host: address.address, port: address.port };
      server = listener;
    },
    async stop() {
      const listener = server;
      server = undefined;
      bound = undefined;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (listener) await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
    endpoint(httpBase) {
      const port = bound?.port ?? options.port ?? 0;
      let name = options.publicHost ?? bound?.host ?? host;
      if (!options.publicHost && wildcard.has(name)) {
        name = httpBase ? new URL(httpBase).hostname : '127.0.0.1';
      }
      return `tcp://${name.includes(':') && !name.startsWith('[') ? `[${name}]` : name}:${port}`;
    },
    address: () => bound,
    get connectionCount() {
      return sockets.size;
    },
  };
}
