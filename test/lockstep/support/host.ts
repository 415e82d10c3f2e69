/**
 * One lockstep room without a server: the real room host (room chart, lockstep chart, engine)
 * on a simulated clock, with fake seat connections that record what each seat receives.
 * Command packets go straight to the fast path (`receiveSync`), as the connection host hands
 * them over after validation; everything is synchronous, so tests step turn by turn.
 */
import { createMemoryLogger, createSimulatedClock, defineMessages, defineRoom } from 'chartroom';
import type { Clock, RoomOptions, ServerOutput, SimulatedClock } from 'chartroom';
import type { Protocol } from 'chartroom';
import { lockstep } from 'chartroom/sync/lockstep';
import type { LockstepEngine, LockstepOptions, MasterPacket } from 'chartroom/sync/lockstep';
import { z } from 'zod';
import { createRoomHost } from '../../../src/server/room-host.js';
import type { RoomHost, SeatConnection } from '../../../src/server/room-host.js';

export const numberCommand = z.number().int();

export type Outputs = ServerOutput[];

export interface Harness {
  readonly clock: SimulatedClock;
  readonly room: RoomHost;
  readonly engine: LockstepEngine<number>;
  readonly logger: ReturnType<typeof createMemoryLogger>;
  /** Seat ids of the players, then of the viewers. */
  readonly players: string[];
  readonly viewers: string[];
  /** What each seat received, in order. */
  readonly received: Map<string, Outputs>;
  phase(): string;
  /** A command packet from `seat`; its ack defaults to the last master issued (up to date). */
  cmd(seat: string, turn: number, commands?: number[], extra?: Partial<CommandPacket>): void;
  /** Every player's (empty) packet for `turn`. */
  allCmd(turn: number): void;
  /** Game messages of `type` a seat received, payloads only. */
  game<T = unknown>(seat: string, type: string): T[];
  /** The ls.master broadcasts a seat received (re-sends come as ls.catchup: see `catchups`). */
  masters(seat: string): MasterPacket<number>[];
  /** The masters of each ls.catchup a seat received, one array per message. */
  catchups(seat: string): MasterPacket<number>[][];
  errors(seat: string): { code: string; ref?: string | undefined }[];
  /** Advance the clock by one turn length (the current one). */
  tick(ms?: number): void;
}

export interface CommandPacket {
  turn: number;
  commands: number[];
  latency_ms: number;
  fps: number;
  checksum?: { turn: number; value: string };
  ack: number;
}

const fakeProtocol = {
  name: 'fake',
  version: 1,
  frames: 'text',
  open: () => undefined,
} as unknown as Protocol;

export function createHarness(
  options: {
    lockstep?: Partial<Omit<LockstepOptions<typeof numberCommand>, 'command'>>;
    players?: number;
    viewers?: number;
    room?: Partial<RoomOptions>;
    /** Leave the room in setup (default: everyone ready, running). */
    start?: boolean;
    /** Every timer fires this much later than asked (an event loop under load). Default 0. */
    timerLateness?: number;
  } = {},
): Harness {
  const clock = createSimulatedClock(0);
  const lateness = options.timerLateness ?? 0;
  const roomClock: Clock = lateness
    ? { ...clock, setTimeout: (fn, ms) => clock.setTimeout(fn, ms + lateness) }
    : clock;
  const logger = createMemoryLogger();
  const sync = lockstep({ command: numberCommand, timing: { baseTurnMs: 100 }, ...options.lockstep });
  const type = defineRoom({
    name: 'unit-lockstep',
    messages: defineMessages({ client: {}, server: {} }),
    config: { schema: z.object({}), initial: {} },
    sync,
    options: { capacity: 8, minPlayers: 1, maxViewers: 8, lateJoin: 'viewer', ...options.room },
  });
  const room = createRoomHost({
    roomId: 'unit',
    type,
    seed: 5,
    config: {},
    options: {
      capacity: 8,
      minPlayers: 1,
      maxViewers: 8,
      lateJoin: 'viewer',
      pauseOnDisconnect: false,
      ...options.room,
    },
    clock: roomClock,
    logger,
    onChange: () => undefined,
    onEnded: () => undefined,
  });
  const received = new Map<string, Outputs>();
  const seat = (n: number, role: 'player' | 'viewer') => {
    const seatId = room.join(`c${n}`, `u${n}`, `${role}${n}`, role);
    const outputs: Outputs = [];
    received.set(seatId, outputs);
    const connection: SeatConnection = {
      connectionId: `c${n}`,
      protocol: fakeProtocol,
      deliver: (output) => outputs.push(output),
      deliverPrepared: () => undefined,
      bufferedAmount: 0,
      supersede: () => undefined,
      kick: () => undefined,
    };
    room.bind(seatId, connection);
    return seatId;
  };
  const players = Array.from({ length: options.players ?? 3 }, (_, i) => seat(i, 'player'));
  const viewers = Array.from({ length: options.viewers ?? 0 }, (_, i) => seat(100 + i, 'viewer'));
  if (options.start !== false) for (const p of players) room.send({ type: 'READY', seatId: p, ready: true });

  const engine = room.sync as LockstepEngine<number>;
  const game = <T>(seatId: string, kind: string): T[] =>
    (received.get(seatId) ?? []).flatMap((o) =>
      o.kind === 'game' && o.type === kind ? [o.payload as T] : [],
    );

  const harness: Harness = {
    clock,
    room,
    engine,
    logger,
    players,
    viewers,
    received,
    phase: () => room.view().phase,
    cmd(seatId, turn, commands = [], extra = {}) {
      const ack = engine.turn - 1;
      room.receiveSync(seatId, 'ls.cmd', { turn, commands, latency_ms: 0, fps: 60, ack, ...extra });
    },
    allCmd(turn) {
      for (const p of players) harness.cmd(p, turn);
    },
    game,
    masters: (seatId) => game<MasterPacket<number>>(seatId, 'ls.master'),
    catchups: (seatId) =>
      game<{ masters: MasterPacket<number>[] }>(seatId, 'ls.catchup').map((c) => c.masters),
    errors: (seatId) =>
      (received.get(seatId) ?? []).flatMap((o) => (o.kind === 'error' ? [{ code: o.code, ref: o.ref }] : [])),
    tick(ms) {
      clock.advance(ms ?? 100);
    },
  };
  return harness;
}
