import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { createBingoFramer, decodeMessage, encodeMessage } from 'chartroom/protocols/bingo';
import type { BingoMessage } from 'chartroom/protocols/bingo';
import { until } from '../support/server.js';

/** A hand-driven Bingo peer over a real socket: it writes exactly what a test says, nothing else. */
export interface RawBingo {
  readonly socket: Socket;
  /** Everything the server sent, decoded (a framing error on the server's side throws in the test). */
  readonly received: BingoMessage[];
  readonly closed: Promise<void>;
  readonly isClosed: () => boolean;
  write(bytes: Uint8Array | number[]): void;
  send(message: BingoMessage): void;
  /** Wait for a received message matching `check` and return it. */
  next<K extends BingoMessage['kind']>(
    kind: K,
    timeoutMs?: number,
  ): Promise<Extract<BingoMessage, { kind: K }>>;
}

export const encode = (message: BingoMessage): Uint8Array => {
  const encoded = encodeMessage(message);
  if (!encoded.ok) throw new Error(encoded.issue.message);
  return encoded.value;
};

export async function rawBingo(port: number): Promise<RawBingo> {
  const socket = connect({ host: '127.0.0.1', port });
  const framer = createBingoFramer(0xffff);
  const received: BingoMessage[] = [];
  let closed = false;
  let seen = 0;
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    framer.push(chunk);
    for (let i = 0; i <= chunk.length; i++) {
      const next = framer.next();
      if (next.kind === 'incomplete') return;
      if (next.kind === 'malformed') throw new Error(`server sent a bad frame: ${next.issue.message}`);
      const decoded = decodeMessage(next.frame, 'server');
      if (!decoded.ok) throw new Error(`server sent a bad message: ${decoded.issue.message}`);
      received.push(decoded.value);
    }
  });
  const closedPromise = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    received,
    closed: closedPromise,
    isClosed: () => closed,
    write: (bytes) => void socket.write(Uint8Array.from(bytes)),
    send: (message) => void socket.write(encode(message)),
    async next<K extends BingoMessage['kind']>(kind: K, timeoutMs = 3000) {
      let found: BingoMessage | undefined;
      await until(
        () => {
          const index = received.findIndex((m, i) => i >= seen && m.kind === kind);
          if (index < 0) return false;
          found = received[index];
          seen = index + 1;
          return true;
        },
        timeoutMs,
        `a ${kind} from the server`,
      );
      return found as Extract<BingoMessage, { kind: K }>;
    },
  };
}
