import { createSocket } from 'node:dgram';
import type { DatagramConnect } from 'chartroom/protocols/sidereal';

/** A datagram seen by an observed socket, with its arrival time (ms, Date.now). */
export interface Seen {
  readonly at: number;
  readonly bytes: Uint8Array;
}

export interface ObservedUdp {
  readonly connect: DatagramConnect;
  /** Every datagram from the server, even after the client closed its end. */
  readonly seen: Seen[];
  /** Send nothing more (a client that vanished without a word). */
  silence(): void;
  /** Close the socket for real (the client's own close leaves it listening). */
  dispose(): Promise<void>;
}

/**
 * A UDP `DatagramConnect` for tests that keeps listening after the client closes, so a test
 * can see whether the server really stops sending, and can go silent on demand.
 */
export function observedUdp(port: number): ObservedUdp {
  const socket = createSocket('udp4');
  const seen: Seen[] = [];
  let silent = false;
  let disposed = false;
  return {
    seen,
    silence: () => {
      silent = true;
    },
    connect: (handlers) =>
      new Promise((resolve) => {
        let open = true;
        socket.on('message', (message) => {
          seen.push({ at: Date.now(), bytes: new Uint8Array(message) });
          if (open) handlers.datagram(message);
        });
        socket.on('error', () => undefined);
        socket.connect(port, '127.0.0.1', () =>
          resolve({
            send: (datagram) => {
              if (!silent && !disposed) socket.send(datagram);
            },
            close: () => {
              open = false;
            },
          }),
        );
      }),
    dispose: () =>
      new Promise((resolve) => {
        if (disposed) return resolve();
        disposed = true;
        socket.close(() => resolve());
      }),
  };
}
