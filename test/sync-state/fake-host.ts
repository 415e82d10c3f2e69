/**
 * A SyncHost without a server, for engine-level tests: seats the test controls, outputs
 * recorded per seat (through a JSON round trip, as a wire would), a simulated clock, and a
 * per-seat buffered-bytes knob for the slow-consumer policy.
 */
import { createActor } from 'xstate';
import type { AnyActorLogic } from 'xstate';
import { createMemoryLogger, createSimulatedClock } from 'chartroom';
import type { SeatView, ServerOutput, SimulatedClock, SyncHost } from 'chartroom';
import type { RoomEvent } from 'chartroom/machines';

export interface FakeHost extends SyncHost {
  readonly clock: SimulatedClock;
  /** Outputs per seat, in order (broadcasts included), JSON round-tripped. */
  readonly outbox: Map<string, ServerOutput[]>;
  /** Events the engine told the room. */
  readonly roomEvents: RoomEvent[];
  /** Seat, role and connection state as the room would report them. */
  seat(seatId: string, patch?: Partial<SeatView>): SeatView;
  buffered: Map<string, number>;
  /** Added to the clock's `now` (a stalled process: timers fire late as seen by the engine). */
  skew: number;
  /** Outputs to a seat since the last call (drained). */
  take(seatId: string): ServerOutput[];
}

export function createFakeHost(options: { seed?: number; config?: unknown } = {}): FakeHost {
  const simulated = createSimulatedClock(1_000_000);
  let skew = 0;
  const clock: SimulatedClock = {
    now: () => simulated.now() + skew,
    setTimeout: (fn, ms) => simulated.setTimeout(fn, ms),
    clearTimeout: (handle) => simulated.clearTimeout(handle),
    advance: (ms) => simulated.advance(ms),
    get pending() {
      return simulated.pending;
    },
  };
  const seats = new Map<string, SeatView>();
  const outbox = new Map<string, ServerOutput[]>();
  const roomEvents: RoomEvent[] = [];
  const buffered = new Map<string, number>();
  const wire = (output: ServerOutput) => JSON.parse(JSON.stringify(output)) as ServerOutput;
  const push = (seatId: string, output: ServerOutput) => {
    const seat = seats.get(seatId);
    if (!seat?.connected) return; // no connection: the output is lost, as on a real room
    let list = outbox.get(seatId);
    if (!list) outbox.set(seatId, (list = []));
    list.push(wire(output));
  };
  return {
    roomId: 'room-test',
    clock,
    logger: createMemoryLogger(),
    seed: () => options.seed ?? 7,
    config: () => options.config,
    seats: () => [...seats.values()],
    broadcast: (output) => {
      for (const seatId of seats.keys()) push(seatId, output);
    },
    sendToSeat: push,
    bufferedBytes: (seatId) => (seats.get(seatId)?.connected ? (buffered.get(seatId) ?? 0) : undefined),
    sendToRoom: (event) => void roomEvents.push(event),
    outbox,
    roomEvents,
    buffered,
    get skew() {
      return skew;
    },
    set skew(value: number) {
      skew = value;
    },
    seat(seatId, patch = {}) {
      const seat: SeatView = {
        seatId,
        userId: `u-${seatId}`,
        name: seatId,
        role: 'player',
        ready: true,
        connected: true,
        left: false,
        ...seats.get(seatId),
        ...patch,
      };
      seats.set(seatId, seat);
      return seat;
    },
    take(seatId) {
      const list = outbox.get(seatId) ?? [];
      outbox.set(seatId, []);
      return list;
    },
  };
}

/** Run an engine's chart as the room would (its game actor while running). */
export function runChart(host: FakeHost, logic: AnyActorLogic) {
  const actor = createActor(logic, {
    clock: host.clock,
    input: { roomId: host.roomId, seed: host.seed(), config: host.config(), players: [] },
  });
  actor.start();
  return actor;
}
