import type { Clock } from '../../core/clock.js';
import { ErrorCode } from '../../core/errors.js';
import { BingoError } from './client-types.js';
import type { BingoBody } from './messages.js';

interface Pending {
  readonly resolve: (body: BingoBody | undefined) => void;
  readonly reject: (error: BingoError) => void;
  readonly timer: unknown;
}

/**
 * The client's requests in flight, by message id: each one resolves with its Reply's body
 * (`undefined` for a bare acknowledgement), rejects with its Error Reply, or times out with
 * CONN_REQUEST_TIMEOUT. Bounded by `max`; a late Reply to a settled id is ignored.
 */
export class RequestTable {
  readonly #pending = new Map<number, Pending>();
  readonly #timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  readonly #max: number;

  constructor(timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>, max: number) {
    this.#timers = timers;
    this.#max = max;
  }

  /** Ids in use (the link skips them when numbering). */
  get ids(): ReadonlyMap<number, unknown> {
    return this.#pending;
  }

  /** A refusal when the table is full, else undefined. */
  full(type: string): BingoError | undefined {
    if (this.#pending.size < this.#max) return undefined;
    return new BingoError(
      ErrorCode.CONN_SLOW_CONSUMER,
      `Too many requests in flight: expected < ${this.#max}, received one more ("${type}"). Await replies first or raise maxPendingRequests.`,
    );
  }

  /** Track request `id`; the promise settles with its answer or after `timeoutMs`. */
  open(id: number, type: string, timeoutMs: number): Promise<BingoBody | undefined> {
    return new Promise((resolve, reject) => {
      const timer = this.#timers.setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new BingoError(
            ErrorCode.CONN_REQUEST_TIMEOUT,
            `Request "${type}" (message id ${id}) got no reply within ${timeoutMs} ms; a late reply is ignored. Raise timeoutMs if the server is only slow.`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
    });
  }

  /** Resolve (a body or an ack) or reject one request; ids not in flight are ignored. */
  settle(id: number, outcome: BingoBody | undefined | BingoError): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    this.#timers.clearTimeout(pending.timer);
    if (outcome instanceof BingoError) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  /** Reject every request in flight (the link dropped). */
  rejectAll(error: BingoError): void {
    for (const id of [...this.#pending.keys()]) this.settle(id, error);
  }
}
