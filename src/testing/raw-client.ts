/**
 * A raw frame client for any protocol: encodes intents with the protocol's `ClientProtocol`
 * (or sends frames exactly as given) and decodes every server frame into outputs, so a test
 * can send what the SDK never would (a stale sequence number, garbage bytes) and look at
 * every answer.
 */
import type { ServerOutput } from '../core/messages.js';
import type { ClientIntent } from '../core/messages.js';
import type { ClientProtocol } from '../core/protocol.js';
import type { ProtocolIssue } from '../core/result.js';
import type { WebSocketLike } from '../transports/memory/index.js';

type Frame = Uint8Array | string;

export interface RawClient {
  readonly end: WebSocketLike;
  /** Every output decoded from the server's frames, in arrival order. */
  readonly outputs: readonly ServerOutput[];
  /** Server frames the client half could not decode. */
  readonly issues: readonly ProtocolIssue[];
  /** Resolves with the close code and reason once the link has closed. */
  readonly closed: Promise<{ readonly code: number; readonly reason: string }>;
  readonly isClosed: boolean;
  /** Encode an intent with the protocol's client half and send it. */
  send(intent: ClientIntent): void;
  /** Send a frame exactly as given (garbage, a replayed frame, ...). */
  sendFrame(frame: Frame): void;
  /**
   * The first output not yet taken by an earlier `next` that matches (an output kind or a
   * predicate), waiting up to `timeoutMs` (real time) for it.
   */
  next<K extends ServerOutput['kind']>(
    match: K,
    timeoutMs?: number,
  ): Promise<Extract<ServerOutput, { kind: K }>>;
  next(match: (output: ServerOutput) => boolean, timeoutMs?: number): Promise<ServerOutput>;
  close(code?: number, reason?: string): void;
}

/**
 * Open a raw client on a connected end (a memory transport's `connect()`, or a `ws` socket);
 * resolves once the end is open and the protocol's opening frames (a key exchange) are sent.
 *
 * @example
 * const raw = await createRawClient(memory.connect(), createJsonEnvelopeClientProtocol());
 * raw.send({ kind: 'authenticate', token: ticket.token });
 * expect((await raw.next('authOk')).userId).toBe(ticket.userId);
 */
export async function createRawClient(end: WebSocketLike, protocol: ClientProtocol): Promise<RawClient> {
  const codec = protocol.open();
  const outputs: ServerOutput[] = [];
  const issues: ProtocolIssue[] = [];
  const taken = new Set<number>();
  const waiters = new Set<() => void>();
  let isClosed = false;
  let outbound: Promise<void> = Promise.resolve();
  let inbound: Promise<void> = Promise.resolve();
  const wake = () => [...waiters].forEach((look) => look());

  const decode = (frame: Frame) => {
    const decoded = codec.decode(frame);
    if (decoded.ok) outputs.push(...decoded.value);
    else issues.push(decoded.issue);
    wake();
  };
  /** Frames leave in order, through the protocol's asynchronous layer when it has one. */
  const write = (frames: Frame[], seal: boolean) => {
    outbound = outbound.then(async () => {
      for (const frame of frames) end.send(seal && codec.seal ? await codec.seal(frame) : frame);
    });
  };

  end.binaryType = 'arraybuffer';
  end.onmessage = ({ data }) => {
    const frame: Frame = typeof data === 'string' ? data : new Uint8Array(data as ArrayBuffer);
    if (!codec.unseal) return decode(frame);
    inbound = inbound.then(async () => {
      const opened = await codec.unseal?.(frame);
      if (!opened) return;
      if (!opened.ok) {
        issues.push(opened.issue);
        wake();
      } else if (opened.value !== undefined) decode(opened.value);
    });
  };
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    end.onclose = (event) => {
      isClosed = true;
      resolve({ code: event.code, reason: event.reason });
      wake();
    };
  });
  end.onerror = () => undefined;
  if (end.readyState !== 1) {
    await new Promise<void>((resolve, reject) => {
      end.onopen = () => resolve();
      void closed.then(() => reject(new Error('The link closed before it opened.')));
    });
  }
  if (codec.opening) write(await codec.opening(), false);

  const next = (match: string | ((output: ServerOutput) => boolean), timeoutMs = 2000) =>
    new Promise<ServerOutput>((resolve, reject) => {
      const matches = (output: ServerOutput) =>
        typeof match === 'string' ? output.kind === match : match(output);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(look);
      };
      const look = () => {
        const index = outputs.findIndex((output, i) => !taken.has(i) && matches(output));
        if (index >= 0) {
          taken.add(index);
          finish();
          resolve(outputs[index] as ServerOutput);
        } else if (isClosed) {
          finish();
          reject(new Error(`The link closed before an output matching ${String(match)} arrived.`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`No output matching ${String(match)} within ${timeoutMs} ms.`));
      }, timeoutMs);
      waiters.add(look);
      look();
    });

  return {
    end,
    outputs,
    issues,
    closed,
    get isClosed() {
      return isClosed;
    },
    send: (intent) => write(codec.encode(intent), true),
    sendFrame: (frame) => write([frame], false),
    next: next as RawClient['next'],
    close: (code = 1000, reason = 'test done') => end.close(code, reason),
  };
}
