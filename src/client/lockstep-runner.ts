import type { Clock } from '../core/clock.js';
import { createSystemClock } from '../core/clock.js';
import type { DeterministicEngine, Divergence, MasterPacket } from '../sync/lockstep/types.js';
import { applyMaster } from '../sync/lockstep/types.js';

/** What the runner needs of a session (a `RoomSession` whose messages include the `ls.*` ones). */
export interface LockstepSessionLike {
  readonly role: 'player' | 'viewer';
  send(type: string, payload: unknown): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads are validated by the session's schemas
  on(type: string, handler: (payload: any) => void): () => void;
}

export interface LockstepRunnerOptions<C> {
  readonly session: LockstepSessionLike;
  readonly engine: DeterministicEngine<C>;
  /** Time between latency probes. Default 1000. */
  readonly pingIntervalMs?: number;
  /** Unacknowledged command packets are re-sent after this long. Default 500. */
  readonly resendAfterMs?: number;
  /** Out-of-order masters kept while waiting for a gap to fill. Default 1024. */
  readonly maxPending?: number;
  readonly clock?: Clock;
  /** After each applied turn. */
  readonly onTurn?: (turn: number, master: MasterPacket<C>) => void;
  readonly onHalt?: (divergence: Divergence) => void;
  /** Who holds the game up (empty: caught up). */
  readonly onLag?: (waitingFor: readonly string[]) => void;
}

type Start = { seed: number; config: unknown; players: string[]; input_delay: number; turn: number };

/**
 * Runs the game's deterministic engine in lockstep with the room: sends one command packet per
 * turn (input delay turns ahead, possibly empty), applies master packets strictly in order,
 * re-sends what is not acknowledged, catches up after a reconnect, and reports latency, frame
 * rate and the checksum of each turn it applied.
 *
 * @example
 * const runner = createLockstepRunner({ session, engine: createArenaEngine() });
 * canvas.onclick = (e) => runner.queue({ kind: 'move', x: e.offsetX, y: e.offsetY });
 * requestAnimationFrame(function loop(t) { runner.frame(t); draw(engine); requestAnimationFrame(loop); });
 */
export class LockstepRunner<C> {
  #options: LockstepRunnerOptions<C>;
  #clock: Clock;
  #applied = -1;
  #initialised = false;
  #inputDelay = 2;
  /** The lowest turn this runner may still owe the server a command packet for. */
  #owed = 0;
  #queue: C[] = [];
  #pending = new Map<number, MasterPacket<C>>();
  #sent = new Map<number, { packet: Record<string, unknown>; at: number }>();
  #latencyMs = 0;
  #fps = 0;
  #lastFrame: number | undefined;
  #halted: Divergence | undefined;
  #lastSync = -Infinity;
  /** When masters last arrived. */
  #lastHeard = -Infinity;
  #timers: unknown[] = [];
  #unsubscribe: (() => void)[] = [];

  constructor(options: LockstepRunnerOptions<C>) {
    this.#options = options;
    this.#clock = options.clock ?? createSystemClock();
    const { session } = options;
    this.#unsubscribe.push(
      session.on('ls.start', (start: Start) => this.#start(start)),
      session.on('ls.master', (master: MasterPacket<C>) => this.#receive([master])),
      session.on('ls.catchup', ({ masters }: { masters: MasterPacket<C>[] }) => this.#receive(masters)),
      session.on('ls.pong', ({ t }: { t: number }) => {
        const rtt = Math.max(0, this.#clock.now() - t);
        this.#latencyMs = this.#latencyMs === 0 ? rtt : this.#latencyMs * 0.8 + rtt * 0.2;
      }),
      session.on('ls.halt', (divergence: Divergence) => {
        this.#halted = divergence;
        options.onHalt?.(divergence);
      }),
      session.on('ls.lag', ({ waiting_for }: { waiting_for: string[] }) => options.onLag?.(waiting_for)),
    );
    this.#every(options.pingIntervalMs ?? 1000, () => session.send('ls.ping', { t: this.#clock.now() }));
    this.#every(options.resendAfterMs ?? 500, () => {
      this.#resend();
      this.#probe();
    });
    // A runner created mid-match may have missed the room's greeting (ls.start went out right
    // after the join answer, before this runner subscribed): ask for it.
    this.#requestStart();
  }

  /** The last turn applied (-1 before the first). */
  get turn(): number {
    return this.#applied;
  }
  get halted(): Divergence | undefined {
    return this.#halted;
  }
  get latencyMs(): number {
    return this.#latencyMs;
  }

  checksum(): string {
    return this.#options.engine.checksum();
  }

  /** Queue a local command: it goes out with the next command packet. */
  queue(command: C): void {
    this.#queue.push(command);
  }

  /** Call once per rendered frame (e.g. with requestAnimationFrame's time) to report the frame rate. */
  frame(timeMs: number): void {
    if (this.#lastFrame !== undefined && timeMs > this.#lastFrame) {
      const fps = 1000 / (timeMs - this.#lastFrame);
      this.#fps = this.#fps === 0 ? fps : this.#fps * 0.9 + fps * 0.1;
    }
    this.#lastFrame = timeMs;
  }

  stop(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    for (const timer of this.#timers.splice(0)) this.#clock.clearTimeout(timer);
  }

  #every(ms: number, fn: () => void) {
    const tick = () => {
      fn();
      this.#timers[index] = this.#clock.setTimeout(tick, ms);
    };
    const index = this.#timers.length;
    this.#timers.push(this.#clock.setTimeout(tick, ms));
  }

  #start(start: Start) {
    this.#inputDelay = start.input_delay;
    // Turns before the input delay need no packet; turns already issued need none either.
    this.#owed = Math.max(this.#owed, start.input_delay, start.turn);
    if (!this.#initialised) {
      this.#options.engine.init(start.seed, start.config, start.players);
      this.#initialised = true;
    }
    this.#requestSync();
  }

  #requestSync() {
    this.#lastSync = this.#clock.now();
    this.#options.session.send('ls.sync', { have: this.#applied });
    this.#resend(true);
  }

  /** Ask for ls.start (answered only while the match runs); throttled like a sync request. */
  #requestStart() {
    this.#lastSync = this.#clock.now();
    this.#options.session.send('ls.sync', { have: -1, start: true });
  }

  /**
   * Nothing heard for a while: tell the server where this runner stands (an ack), so it
   * re-sends masters that were lost. Needed when nothing else carries the ack: before the first
   * packet, for a viewer, or when the newest masters were lost while the room waits.
   */
  #probe() {
    if (!this.#initialised || this.#halted) return;
    if (this.#clock.now() - this.#lastHeard <= (this.#options.resendAfterMs ?? 500)) return;
    this.#options.session.send('ls.ack', { turn: this.#applied });
  }

  #receive(masters: readonly MasterPacket<C>[]) {
    this.#lastHeard = this.#clock.now();
    if (!this.#initialised) {
      // Masters before ls.start: the match runs and the greeting was missed (or lost).
      if (this.#clock.now() - this.#lastSync > (this.#options.resendAfterMs ?? 500)) this.#requestStart();
      return;
    }
    const { maxPending = 1024 } = this.#options;
    for (const master of masters) {
      if (master.turn > this.#applied && this.#pending.size < maxPending)
        this.#pending.set(master.turn, master);
    }
    const before = this.#applied;
    for (let next = this.#pending.get(this.#applied + 1); next; next = this.#pending.get(this.#applied + 1)) {
      this.#pending.delete(next.turn);
      this.#apply(next);
    }
    if (this.#applied > before) this.#sendPacket();
    else if (
      this.#pending.size > 0 &&
      this.#clock.now() - this.#lastSync > (this.#options.resendAfterMs ?? 500)
    ) {
      // A gap: ask for what is missing instead of waiting for the server's resend.
      this.#requestSync();
    }
  }

  #apply(master: MasterPacket<C>) {
    applyMaster(this.#options.engine, master);
    this.#applied = master.turn;
    for (const turn of this.#sent.keys()) if (turn <= master.turn) this.#sent.delete(turn);
    this.#options.onTurn?.(master.turn, master);
  }

  /**
   * After applying turn T: the packet for T + input delay, carrying T's checksum and the ack.
   * A runner that started mid-match (a reloaded page taking its seat back) also owes the turns
   * between the server's next turn and T + input delay that its predecessor never sent: they
   * go out empty (the server keeps the first packet per turn, so a duplicate is harmless).
   */
  #sendPacket() {
    const { session } = this.#options;
    if (this.#halted) return;
    if (session.role !== 'player') {
      session.send('ls.ack', { turn: this.#applied });
      return;
    }
    const last = this.#applied + this.#inputDelay;
    let checksum: { turn: number; value: string } | undefined;
    for (let turn = Math.max(this.#owed, this.#applied + 1); turn <= last; turn++) {
      if (this.#sent.has(turn)) continue;
      checksum ??= { turn: this.#applied, value: this.#options.engine.checksum() };
      const packet = {
        turn,
        commands: turn === last ? this.#queue.splice(0) : [],
        latency_ms: Math.round(this.#latencyMs),
        fps: Math.round(this.#fps),
        checksum,
        ack: this.#applied,
      };
      this.#sent.set(turn, { packet, at: this.#clock.now() });
      session.send('ls.cmd', packet);
    }
    this.#owed = Math.max(this.#owed, last + 1);
  }

  #resend(all = false) {
    const cutoff = this.#clock.now() - (this.#options.resendAfterMs ?? 500);
    for (const entry of this.#sent.values()) {
      if (!all && entry.at > cutoff) continue;
      entry.at = this.#clock.now();
      this.#options.session.send('ls.cmd', { ...entry.packet, ack: this.#applied });
    }
  }
}

export function createLockstepRunner<C>(options: LockstepRunnerOptions<C>): LockstepRunner<C> {
  return new LockstepRunner(options);
}
