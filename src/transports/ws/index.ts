import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AcceptedLink, Link, LinkHandlers, Transport } from '../../core/link.js';
import { CloseCode, FrameReader, closeFrame, controlFrame, dataFrame } from './frames.js';
import { completeHandshake } from './handshake.js';

export interface WebSocketTransportOptions {
  /** HTTP path of the upgrade, e.g. `/ws/json-envelope`. */
  readonly path: string;
  /** Send text or binary frames (the protocol's `frames`). */
  readonly frames: 'text' | 'binary';
  /**
   * Hard cap on one inbound message, enforced before the protocol sees it: the link is closed
   * with 1009. Protocols answer frames over their own, smaller `maxFrameBytes` with a
   * protocol error, so keep this above it. Default 1 MiB.
   */
  readonly maxPayload?: number;
}

/**
 * Frames a Uint8Array once for every link of a transport: a broadcast hands the same bytes to
 * every recipient in a row, so the last one framed is kept. Sent frames are never modified
 * afterwards (a socket may hold them in its write queue), so the identity is a safe key.
 */
function createFramer(binary: boolean) {
  let lastPayload: Uint8Array | undefined;
  let lastFrame: Buffer | undefined;
  return (payload: Uint8Array): Buffer => {
    if (payload !== lastPayload || !lastFrame) {
      lastFrame = dataFrame(payload, binary);
      lastPayload = payload;
    }
    return lastFrame;
  };
}

/** How long a closing link waits for the peer's close frame or FIN before dropping the socket. */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * A Link over one WebSocket connection whose handshake is done: frames are read and written on
 * the socket directly (frames.ts), with nothing between the socket's data and the protocol but
 * the frame reader.
 */
function createWebSocketLink(
  id: string,
  socket: Duplex,
  head: Buffer,
  remote: string,
  binary: boolean,
  framer: (payload: Uint8Array) => Buffer,
  maxPayload: number,
): Link {
  /** open: frames flow; closing: our close frame went out or the peer's came in; closed: the socket is gone. */
  let state: 'open' | 'closing' | 'closed' = 'open';
  let handlers: LinkHandlers | undefined;
  let timer: NodeJS.Timeout | undefined;
  const write = (bytes: Buffer) => {
    if (socket.writable) socket.write(bytes);
  };
  /**
   * Send our close frame (once); the peer has CLOSE_TIMEOUT_MS to answer with its own (or to
   * end its side) before the socket is dropped.
   */
  const shut = (code: number | undefined, reason: string) => {
    if (state === 'open') {
      state = 'closing';
      write(closeFrame(code, reason));
    }
    timer ??= setTimeout(() => socket.destroy(), CLOSE_TIMEOUT_MS);
    timer.unref?.();
  };
  const reader = new FrameReader(
    {
      message(data) {
        if (state === 'open') handlers?.frame(data);
      },
      ping(payload) {
        if (state === 'open') write(controlFrame('pong', payload));
      },
      pong() {
        handlers?.pong?.();
      },
      close(code) {
        // The peer closes: echo its code (an empty close when it gave none), then end our side.
        shut(code === CloseCode.noStatus ? undefined : code, '');
        socket.end();
      },
      fail(code, reason) {
        handlers?.fault?.(code, reason);
        shut(code, reason);
        socket.end();
      },
    },
    maxPayload,
  );
  // Nothing is read before the link's handlers are attached.
  socket.pause();
  socket.on('error', () => undefined); // 'close' always follows.
  // The peer ended its side without a close frame: end ours too.
  socket.on('end', () => socket.end());
  socket.once('close', () => {
    state = 'closed';
    if (timer) clearTimeout(timer);
    handlers?.close();
  });

  return {
    id,
    remote,
    stream: false,
    get bufferedAmount() {
      return socket.writableLength;
    },
    send(frame) {
      if (state !== 'open') return;
      // Bytes (a prepared broadcast) are framed once for every recipient; a string is this link's own.
      write(typeof frame === 'string' ? dataFrame(frame, binary) : framer(frame));
    },
    close(code = CloseCode.normal, reason = '') {
      if (state !== 'open') return;
      shut(code, reason);
    },
    ping() {
      if (state === 'open') write(controlFrame('ping'));
    },
    attach(next: LinkHandlers) {
      handlers = next;
      if (state === 'closed') {
        queueMicrotask(() => next.close());
        return;
      }
      // Bytes that came with the upgrade request are the first frames.
      if (head.length) reader.push(Buffer.from(head));
      socket.on('data', (chunk: Buffer) => reader.push(chunk));
      socket.resume();
    },
  };
}

function queryParams(url: string | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  if (!url) return params;
  const query = url.indexOf('?');
  if (query < 0) return params;
  for (const [key, value] of new URLSearchParams(url.slice(query + 1))) params[key] = value.slice(0, 256);
  return params;
}

/**
 * WebSocket transport on the server's HTTP port (use `wss` by giving the server TLS options).
 * The handshake and the frames are Chartroom's own (RFC 6455: handshake.ts, frames.ts): no
 * extension is negotiated, text is checked to be UTF-8, and a client's protocol error closes
 * its link with the code the RFC names (1002, 1007, 1009).
 *
 * @example
 * createServer({ endpoints: [{ protocol, transport: createWebSocketTransport({ path: '/ws/json', frames: 'text' }) }] })
 */
export function createWebSocketTransport(options: WebSocketTransportOptions): Transport {
  const maxPayload = options.maxPayload ?? 1024 * 1024;
  const binary = options.frames === 'binary';
  const framer = createFramer(binary);
  const sockets = new Set<Duplex>();
  let stopped = false;
  let linkCount = 0;
  return {
    name: `ws:${options.path}`,
    async start(accept: (accepted: AcceptedLink) => void, host) {
      host.upgrade(options.path, (request, rawSocket, head) => {
        const req = request as IncomingMessage;
        const socket = rawSocket as Duplex;
        if (stopped) return void socket.destroy();
        if (!completeHandshake(req, socket)) return;
        if (socket instanceof Socket) {
          socket.setNoDelay(true);
          socket.setTimeout(0);
        }
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
        accept({
          link: createWebSocketLink(
            `ws${++linkCount}`,
            socket,
            head as Buffer,
            remote,
            binary,
            framer,
            maxPayload,
          ),
          params: queryParams(req.url),
        });
      });
    },
    async stop() {
      stopped = true;
      const closing = [...sockets].map(
        (socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())),
      );
      for (const socket of sockets) socket.destroy();
      await Promise.all(closing);
    },
    endpoint(httpBase) {
      return `${httpBase.replace(/^http/, 'ws')}${options.path}`;
    },
  };
}
