import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { AcceptedLink, Link, LinkHandlers, Transport } from '../../core/link.js';

export interface WebSocketTransportOptions {
  /** HTTP path of the upgrade, e.g. `/ws/json-envelope`. */
  readonly path: string;
  /** Send text or binary frames (the protocol's `frames`). */
  readonly frames: 'text' | 'binary';
  /**
   * Hard cap on one inbound frame, enforced by `ws` before the protocol sees it: the link is
   * closed with 1009. Protocols answer frames over their own, smaller `maxFrameBytes` with a
   * protocol error, so keep this above it. Default 1 MiB.
   */
  readonly maxPayload?: number;
}

/**
 * One WebSocket frame as it goes on the wire from a server (RFC 6455: FIN, no mask), header and
 * payload in one buffer.
 */
function wireFrame(payload: Uint8Array, binary: boolean): Buffer {
  const length = payload.byteLength;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = binary ? 0x82 : 0x81;
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.set(payload, header);
  return frame;
}

/**
 * Frames a Uint8Array once for every link of a transport: a broadcast hands the same bytes to
 * every recipient in a row, so the last one framed is kept. Sent frames are never modified
 * afterwards (ws may hold them in a socket's write queue), so the identity is a safe key.
 */
function createFramer(binary: boolean) {
  let lastPayload: Uint8Array | undefined;
  let lastFrame: Buffer | undefined;
  return (payload: Uint8Array): Buffer => {
    if (payload !== lastPayload || !lastFrame) {
      lastFrame = wireFrame(payload, binary);
      lastPayload = payload;
    }
    return lastFrame;
  };
}

/** A Link over one `ws` WebSocket. */
function createWebSocketLink(
  id: string,
  socket: WebSocket,
  raw: Duplex,
  remote: string,
  frames: 'text' | 'binary',
  framer: (payload: Uint8Array) => Buffer,
): Link {
  const binary = frames === 'binary';
  const options = { binary };
  // Without extensions (this server never enables permessage-deflate) ws writes every frame to
  // the socket synchronously, in order, so a frame framed here can go straight to the socket.
  const direct = socket.extensions === '';
  return {
    id,
    remote,
    stream: false,
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    send(frame) {
      if (socket.readyState !== socket.OPEN) return;
      // Bytes (a prepared broadcast) are framed once for every recipient and written as they
      // are; a string goes through ws (a per-link message anyway).
      if (direct && typeof frame !== 'string' && !raw.destroyed) raw.write(framer(frame));
      else socket.send(frame, options);
    },
    close(code = 1000, reason = '') {
      if (socket.readyState === socket.CLOSED || socket.readyState === socket.CLOSING) return;
      socket.close(code, reason.slice(0, 120));
    },
    ping() {
      if (socket.readyState === socket.OPEN) socket.ping();
    },
    attach(handlers: LinkHandlers) {
      // A text frame arrives as text: ws has already checked its UTF-8 (RFC 6455 closes the
      // link with 1007 otherwise), so protocols neither decode nor validate it again.
      socket.on('message', (data: Buffer, isBinary: boolean) =>
        handlers.frame(isBinary ? data : data.toString('utf8')),
      );
      socket.on('close', () => handlers.close());
      socket.on('pong', () => handlers.pong?.());
      // An 'error' is always followed by 'close'; the listener keeps it from throwing.
      socket.on('error', () => undefined);
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
 *
 * @example
 * createServer({ endpoints: [{ protocol, transport: createWebSocketTransport({ path: '/ws/json', frames: 'text' }) }] })
 */
export function createWebSocketTransport(options: WebSocketTransportOptions): Transport {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 1024 * 1024 });
  const framer = createFramer(options.frames === 'binary');
  let linkCount = 0;
  return {
    name: `ws:${options.path}`,
    async start(accept: (accepted: AcceptedLink) => void, host) {
      host.upgrade(options.path, (request, socket, head) => {
        const req = request as IncomingMessage;
        wss.handleUpgrade(req, socket as Duplex, head as Buffer, (ws) => {
          const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
          accept({
            link: createWebSocketLink(
              `ws${++linkCount}`,
              ws,
              socket as Duplex,
              remote,
              options.frames,
              framer,
            ),
            params: queryParams(req.url),
          });
        });
      });
    },
    async stop() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
    endpoint(httpBase) {
      return `${httpBase.replace(/^http/, 'ws')}${options.path}`;
    },
  };
}
