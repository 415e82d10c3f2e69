import type { WebSocketLike } from '../../transports/memory/index.js';

/**
 * A message-based link to a Sidereal server: each `send` is one datagram, each `datagram`
 * callback one received datagram. UDP (`chartroom/protocols/sidereal/node`) and WebSocket
 * binary frames (`webSocketDatagrams`, browser-safe) both fit.
 */
export interface DatagramLink {
  send(datagram: Uint8Array): void;
  close(): void;
}

export interface DatagramHandlers {
  datagram(bytes: Uint8Array): void;
  /** The link ended (either side). Called at most once. */
  close(): void;
}

/** Opens a link; resolves once datagrams can be sent. */
export type DatagramConnect = (handlers: DatagramHandlers) => Promise<DatagramLink>;

export interface WebSocketDatagramOptions {
  /** Opens the WebSocket. Default: the global `WebSocket` (browsers, Node >= 22). */
  readonly webSocket?: (url: string) => WebSocketLike;
  /** Give up opening after this long. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
}

/**
 * Sidereal over WebSocket binary frames, one frame per datagram (browser-safe).
 *
 * @example
 * const client = await SiderealClient.connect({ connect: webSocketDatagrams('ws://127.0.0.1:8080/ws/sidereal') });
 */
export function webSocketDatagrams(url: string, options: WebSocketDatagramOptions = {}): DatagramConnect {
  return (handlers) =>
    new Promise((resolve, reject) => {
      const open =
        options.webSocket ??
        ((target: string) => {
          const Ctor = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
          if (!Ctor)
            throw new Error('No global WebSocket: pass the `webSocket` option (e.g. from the "ws" package).');
          return new Ctor(target);
        });
      const socket = open(url);
      socket.binaryType = 'arraybuffer';
      let opened = false;
      let ended = false;
      const timeoutMs = options.connectTimeoutMs ?? 5000;
      const timer = setTimeout(() => {
        socket.close(1000, 'connect timeout');
        reject(new Error(`WebSocket ${url} did not open within ${timeoutMs} ms.`));
      }, timeoutMs);
      socket.onopen = () => {
        clearTimeout(timer);
        opened = true;
        resolve({
          send: (datagram) => {
            if (socket.readyState === 1) socket.send(datagram);
          },
          close: () => socket.close(1000, 'client closed'),
        });
      };
      socket.onerror = () => undefined;
      socket.onmessage = ({ data }) => {
        if (typeof data === 'string') return; // Sidereal frames are binary; text is not ours.
        handlers.datagram(data instanceof ArrayBuffer ? new Uint8Array(data) : (data as Uint8Array));
      };
      socket.onclose = () => {
        clearTimeout(timer);
        if (!opened) return reject(new Error(`Could not open WebSocket ${url}.`));
        if (ended) return;
        ended = true;
        handlers.close();
      };
    });
}
