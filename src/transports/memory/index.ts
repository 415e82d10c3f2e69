import type { AcceptedLink, Link, LinkHandlers, Transport } from '../../core/link.js';

/**
 * The subset of the WebSocket API the client SDK uses. The browser's WebSocket, `ws`'s
 * WebSocket and the in-memory client end all fit it.
 */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface MemoryTransport extends Transport {
  /**
   * Open a client end: a WebSocket-like object wired to a new server link. The URL's query
   * becomes the link's connect parameters, as with a real WebSocket.
   */
  connect(url?: string): MemoryClientEnd;
}

export interface MemoryClientEnd extends WebSocketLike {
  /** Stop answering transport pings, to simulate a dead peer. */
  silence(): void;
  /** Drop the link without a close handshake (the server sees a close, the client too). */
  drop(): void;
  /** Bytes the server queued for this end and the end did not read yet (always 0: reads are immediate). */
  readonly bufferedAmount: number;
}

export interface MemoryTransportOptions {
  /**
   * Largest frame a client end may send, in bytes (UTF-8 for text). A larger one closes the link
   * with 1009, as the WebSocket transport does, so tests meet the same limit. Default 1 MiB.
   */
  readonly maxPayload?: number;
}

const encoder = new TextEncoder();
const byteLength = (data: string | Uint8Array) =>
  typeof data === 'string' ? encoder.encode(data).byteLength : data.byteLength;

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

/**
 * An in-memory transport: links without sockets, for tests and for running a server inside a
 * test process. Delivery is asynchronous (a microtask per frame), ordered and lossless; wrap
 * it with the test kit's lossy link to add loss, delay or reordering.
 *
 * @example
 * const memory = createMemoryTransport();
 * const server = createServer({ endpoints: [{ protocol, transport: memory }] });
 * const ws = memory.connect('memory://test?protocol_version=1');
 */
export function createMemoryTransport(
  name = 'memory',
  options: MemoryTransportOptions = {},
): MemoryTransport {
  const maxPayload = options.maxPayload ?? 1024 * 1024;
  let accept: ((accepted: AcceptedLink) => void) | undefined;
  let count = 0;
  const open = new Set<() => void>();

  return {
    name,
    async start(onAccept) {
      accept = onAccept;
    },
    async stop() {
      for (const close of [...open]) close();
      accept = undefined;
    },
    endpoint() {
      return `memory://${name}`;
    },
    connect(url = `memory://${name}`) {
      if (!accept) throw new Error(`Memory transport "${name}" is not started: create the server first.`);
      const params = Object.fromEntries(new URL(url).searchParams);
      let state = CONNECTING;
      let server: LinkHandlers | undefined;
      let answersPings = true;
      // Frames accepted while open are delivered even when a close follows in the same tick, as
      // a WebSocket sends its queued data before the close frame; only drop() loses them.
      let severed = false;

      const finish = (code: number, reason: string) => {
        if (state === CLOSED) return;
        state = CLOSED;
        open.delete(finishLink);
        queueMicrotask(() => {
          server?.close();
          client.onclose?.({ code, reason });
        });
      };
      const finishLink = () => finish(1001, 'transport stopped');

      const link: Link = {
        id: `mem${++count}`,
        remote: `memory:${count}`,
        stream: false,
        bufferedAmount: 0,
        send(frame) {
          if (state !== OPEN) return;
          queueMicrotask(() => {
            if (!severed) client.onmessage?.({ data: frame });
          });
        },
        close(code = 1000, reason = '') {
          finish(code, reason);
        },
        ping() {
          if (state !== OPEN || !answersPings) return;
          queueMicrotask(() => {
            if (state === OPEN) server?.pong?.();
          });
        },
        attach(handlers) {
          server = handlers;
        },
      };

      const client: MemoryClientEnd = {
        get readyState() {
          return state;
        },
        binaryType: 'arraybuffer',
        bufferedAmount: 0,
        onopen: null,
        onmessage: null,
        onclose: null,
        onerror: null,
        send(data) {
          if (state !== OPEN) return;
          // Strings of at most maxPayload / 3 characters cannot exceed it: skip the encoding.
          const large = typeof data !== 'string' || data.length * 3 > maxPayload;
          if (large && byteLength(data) > maxPayload) return finish(1009, 'Max payload size exceeded');
          // Copy binary frames so later mutation by the sender cannot change what arrives.
          const frame = typeof data === 'string' ? data : new Uint8Array(data);
          queueMicrotask(() => {
            if (!severed) server?.frame(frame);
          });
        },
        close(code = 1000, reason = '') {
          finish(code, reason);
        },
        silence() {
          answersPings = false;
        },
        drop() {
          severed = true;
          finish(1006, 'dropped');
        },
      };

      open.add(finishLink);
      const onAccept = accept;
      queueMicrotask(() => {
        state = OPEN;
        onAccept({ link, params });
        client.onopen?.({});
      });
      return client;
    },
  };
}
