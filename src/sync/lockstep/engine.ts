import { fromCallback, sendParent } from 'xstate';
import type { AnyActorRef, EventObject } from 'xstate';
import { lockstepMachine } from '../../../machines/lockstep.machine.js';
import { ErrorCode } from '../../core/errors.js';
import type { Role } from '../../core/messages.js';
import type { SyncEngine, SyncHost } from '../../core/sync.js';
import { nextTiming, targetTiming } from './adapt.js';
import type { TurnTiming, TurnTimingOptions } from './adapt.js';
import { ChecksumBook } from './checksums.js';
import { createMasterOutbox, readRestored, restoreInto } from './durable.js';
import type { LockstepCheckpoint } from './durable.js';
import { MasterLog } from './master-log.js';
import type { TurnLogStore } from './master-log.js';
import type { TurnLog } from './turn-log.js';
import type { DeterministicEngine, Divergence, MasterPacket, SeatCommands } from './types.js';
import { applyMaster } from './types.js';

export interface LockstepSettings<C> {
  readonly inputDelayTurns: number;
  readonly timing: TurnTimingOptions;
  readonly lagGraceMs: number;
  readonly lagLimitMs: number;
  readonly lagPolicy: 'drop' | 'wait';
  readonly resendAfterMs: number;
  readonly maxTurnsAhead: number;
  readonly adaptEveryTurns: number;
  readonly catchupChunk: number;
  readonly authority: (() => DeterministicEngine<C>) | undefined;
  readonly turnLogStore?: ((roomId: string) => TurnLogStore) | undefined;
}

type Packet<C> = {
  turn: number;
  commands: C[];
  latency_ms: number;
  fps: number;
  checksum?: { turn: number; value: string };
  ack: number;
};

/** The engine of one lockstep room: turn buffer, turn log, acks, checksums, timing. */
export interface LockstepEngine<C> extends SyncEngine {
  /** The match so far, for export and replay. */
  exportLog(): TurnLog<C>;
  /** The next turn to issue (= masters issued so far). */
  readonly turn: number;
  /** Players, drops and timing: what a rebuilt engine needs besides its log (docs/scaling.md). */
  checkpoint(): LockstepCheckpoint;
}

export function createLockstepEngine<C>(host: SyncHost, settings: LockstepSettings<C>): LockstepEngine<C> {
  const { inputDelayTurns: delay } = settings;
  const buffer = new Map<number, Map<string, C[]>>();
  const store = settings.turnLogStore?.(host.roomId);
  const masters = new MasterLog<C>(
    store
      ? {
          store,
          onStoreError: (error) =>
            host.logger.error('Turn log store failed: the rest of the log stays in memory', {
              roomId: host.roomId,
              cause: String(error),
            }),
        }
      : {},
  );
  const issuedAt: number[] = [];
  const acks = new Map<string, number>();
  const lastResend = new Map<string, number>();
  /** Smoothed latency and frame rate per player, updated in place on every packet. */
  const stats = new Map<string, { latencyMs: number; fps: number }>();
  const rejoinAt = new Map<string, number>();
  const dropped = new Set<string>();
  const active = new Set<string>();
  const book = new ChecksumBook();
  let players: string[] = [];
  let actor: AnyActorRef | undefined;
  let timing: TurnTiming = { turnMs: settings.timing.baseTurnMs, iterations: 1 };
  let lastAdapt = 0;
  let completeSent = -1;
  let halted = false;
  let authority: DeterministicEngine<C> | undefined;
  // A room rebuilt on another node starts from its journal (docs/scaling.md).
  const restored = host.restored && readRestored<C>(host.restored, host.roomId);
  if (restored) {
    const into = { masters, issuedAt, active, dropped, rejoinAt, book, now: host.clock.now() };
    ({ players, timing, lastAdapt } = restoreInto(restored, into, timing));
  }
  // Durable rooms log each master before sending it; without a journal it goes out at once.
  const outbox = createMasterOutbox<C>({
    host,
    agreed: (turn) => book.agreed(turn),
    start: masters.length,
    agreedFrom: (restored ? (restored.agreed.at(-1)?.[0] ?? -1) : -1) + 1,
  });

  const now = () => host.clock.now();
  const refuse = (seatId: string, code: ErrorCode, message: string, ref: string) => {
    host.logger.warn(message, { roomId: host.roomId, seatId, code });
    host.sendToSeat(seatId, { kind: 'error', code, message, ref });
  };

  /**
   * The players a turn waits for (and whose checksums settle it). Asked on every packet, so the
   * last answer is kept until the turn or the membership (`membershipChanged`) changes.
   */
  const none: readonly string[] = [];
  let expectedCache: { turn: number; seats: readonly string[] } | undefined;
  const membershipChanged = () => {
    expectedCache = undefined;
  };
  const expected = (turn: number): readonly string[] => {
    if (turn < delay) return none;
    if (expectedCache?.turn === turn) return expectedCache.seats;
    const seats = players.filter((seat) => active.has(seat) && (rejoinAt.get(seat) ?? 0) <= turn);
    expectedCache = { turn, seats };
    return seats;
  };
  const missing = () => {
    const turn = masters.length;
    const entries = buffer.get(turn);
    return expected(turn).filter((seat) => !entries?.has(seat));
  };
  /** Asked by the chart's guard at every deadline: no list is built for it. */
  const isComplete = () => {
    const turn = masters.length;
    const seats = expected(turn);
    const entries = buffer.get(turn);
    if (!entries) return seats.length === 0;
    for (const seat of seats) if (!entries.has(seat)) return false;
    return true;
  };

  /** Tell the chart once per turn that the current turn is complete (it only listens while `behind`). */
  const notifyIfComplete = () => {
    const turn = masters.length;
    if (!actor || halted || completeSent === turn || !isComplete()) return;
    completeSent = turn;
    actor.send({ type: 'TURN_COMPLETE' });
  };

  const startMessage = () => ({
    kind: 'game' as const,
    type: 'ls.start',
    payload: {
      seed: host.seed(),
      config: host.config(),
      players,
      input_delay: delay,
      turn_ms: timing.turnMs,
      iterations: timing.iterations,
      turn: masters.length,
    },
  });

  const sendRange = (seatId: string, from: number, upTo: number) => {
    const to = Math.min(upTo, outbox.durable - 1); // Never a master that is not logged yet.
    for (let start = Math.max(0, from); start <= to; start += settings.catchupChunk) {
      const chunk = masters.slice(start, Math.min(to + 1, start + settings.catchupChunk));
      if (chunk.length)
        host.sendToSeat(seatId, { kind: 'game', type: 'ls.catchup', payload: { masters: chunk } });
    }
  };

  const acknowledge = (seatId: string, turn: number) => {
    const ack = acks.get(seatId);
    if (ack === undefined || turn > ack) acks.set(seatId, turn);
  };

  /** Re-send to one seat the masters that went out more than resendAfterMs ago and it has not acknowledged. */
  const resendTo = (seatId: string) => {
    const ack = acks.get(seatId) ?? -1;
    // Up to date (the usual case): nothing to look up.
    if (ack >= outbox.durable - 1) return;
    const cutoff = now() - settings.resendAfterMs;
    let last = outbox.durable - 1;
    while (last > ack && (issuedAt[last] ?? 0) > cutoff) last--;
    if (ack >= last || (lastResend.get(seatId) ?? -Infinity) > cutoff) return;
    lastResend.set(seatId, now());
    sendRange(seatId, ack + 1, last);
  };
  const resendMissing = () => {
    for (const seatId of acks.keys()) resendTo(seatId);
  };

  const halt = (divergence: Divergence) => {
    if (halted) return;
    halted = true;
    host.logger.error('Lockstep divergence: the room halts', { roomId: host.roomId, ...divergence });
    host.broadcast({ kind: 'game', type: 'ls.halt', payload: divergence });
    host.sendToRoom({ type: 'HALT', cause: 'divergence', detail: divergence });
  };

  /** Compile, log and send the master packet of the next turn. */
  const issue = () => {
    const turn = masters.length;
    const entries = buffer.get(turn);
    buffer.delete(turn);
    const commands: SeatCommands<C>[] = [];
    for (const seat of players) {
      const list = entries?.get(seat);
      if (list && list.length) commands.push({ seat, commands: list });
    }
    if (turn - lastAdapt >= settings.adaptEveryTurns) {
      lastAdapt = turn;
      const reporting = players
        .filter((s) => active.has(s))
        .map((s) => stats.get(s) ?? { latencyMs: 0, fps: 0 });
      timing = nextTiming(timing, targetTiming(reporting, settings.timing));
    }
    let master: MasterPacket<C> = { turn, commands, turn_ms: timing.turnMs, iterations: timing.iterations };
    if (authority) {
      applyMaster(authority, master);
      const checksum = authority.checksum();
      book.setAuthority(turn, checksum);
      master = { ...master, checksum };
    }
    const text = masters.push(master);
    issuedAt.push(now());
    outbox.publish(master, text);
    resendMissing();
    if (turn % 16 === 0) {
      const divergence = book.sweep(turn);
      if (divergence) halt(divergence);
    }
  };

  const dropMissing = () => {
    const seats = missing();
    for (const seat of seats) {
      active.delete(seat);
      dropped.add(seat);
    }
    membershipChanged();
    host.logger.warn('Lockstep players dropped for lagging', {
      roomId: host.roomId,
      seats,
      turn: masters.length,
    });
    host.broadcast({ kind: 'game', type: 'ls.dropped', payload: { turn: masters.length, seats } });
  };

  const onPacket = (seatId: string, packet: Packet<C>) => {
    acknowledge(seatId, packet.ack);
    // A stalled turn issues nothing, so nothing else would re-send a lost master: the player's
    // own packet re-sends (every resendAfterMs while it waits) carry its ack and drive this.
    resendTo(seatId);
    const timing = stats.get(seatId);
    if (!timing) stats.set(seatId, { latencyMs: packet.latency_ms, fps: packet.fps });
    else {
      timing.latencyMs = timing.latencyMs * 0.8 + packet.latency_ms * 0.2;
      timing.fps = timing.fps > 0 ? timing.fps * 0.8 + packet.fps * 0.2 : packet.fps;
    }
    if (packet.checksum && packet.checksum.turn >= masters.length) {
      // Nobody has a state after a turn not issued yet; kept, such reports would pile up unsettled.
      return refuse(
        seatId,
        ErrorCode.SYNC_TURN_OUT_OF_RANGE,
        `Checksum for turn ${packet.checksum.turn}: expected a turn already issued (< ${masters.length}).`,
        'ls.cmd',
      );
    }
    if (packet.checksum) {
      // Turn T's checksum rides on the packet for T + input delay: its reporters are the players
      // expected for that turn (not for T itself: nobody sends commands for turns before the
      // input delay, yet everyone reports their checksums).
      const divergence = book.report(
        packet.checksum.turn,
        seatId,
        packet.checksum.value,
        expected(packet.checksum.turn + delay),
      );
      if (divergence) return halt(divergence);
    }
    const next = masters.length;
    // Already issued: a duplicate or a resend; commands are idempotent per (player, turn).
    if (packet.turn < next) return;
    if (packet.turn > next + delay + settings.maxTurnsAhead) {
      return refuse(
        seatId,
        ErrorCode.SYNC_TURN_OUT_OF_RANGE,
        `Command packet for turn ${packet.turn}: expected <= ${next + delay + settings.maxTurnsAhead} (next turn ${next}).`,
        'ls.cmd',
      );
    }
    if (dropped.delete(seatId)) {
      // Dropped for lagging, yet its packets keep up again (it never disconnected, so it sends
      // no ls.sync): it is back, and waited for from the next turn + input delay on, as a rejoin.
      active.add(seatId);
      rejoinAt.set(seatId, next + delay);
      membershipChanged();
    }
    let entries = buffer.get(packet.turn);
    if (!entries) buffer.set(packet.turn, (entries = new Map()));
    if (entries.has(seatId)) return;
    entries.set(seatId, packet.commands);
    if (packet.turn === next) notifyIfComplete();
  };

  const start = (self: AnyActorRef) => {
    actor = self;
    if (players.length === 0) {
      players = host
        .seats()
        .filter((s) => s.role === 'player' && !s.left)
        .map((s) => s.seatId);
      for (const seat of players) active.add(seat);
      membershipChanged();
    }
    if (settings.authority && !authority) {
      authority = settings.authority();
      authority.init(host.seed(), host.config(), players);
      // A rebuilt room: the authority replays the logged match to where it stopped.
      // One master at a time: a long log (partly on disk) is never all parsed at once.
      for (let turn = 0; turn < masters.length; turn++)
        applyMaster(authority, masters.at(turn) as MasterPacket<C>);
    }
    host.broadcast(startMessage());
  };

  const logic = lockstepMachine.provide({
    actors: {
      // One turn length after entering `waiting`, then on a steady grid of turn lengths: a
      // timer that fires a little late does not push every later turn back with it.
      turnClock: fromCallback<EventObject>(({ sendBack }) => {
        let live = true;
        let due = host.clock.now() + timing.turnMs;
        let timer: unknown;
        const fire = () => {
          sendBack({ type: 'TURN_DEADLINE' });
          // The deadline may have left `waiting` (a late turn), which stopped this clock.
          if (!live) return;
          const now = host.clock.now();
          // More than a turn behind (a stalled event loop): start a new grid rather than burst.
          due = Math.max(due + timing.turnMs, now);
          timer = host.clock.setTimeout(fire, due - now);
        };
        timer = host.clock.setTimeout(fire, timing.turnMs);
        return () => {
          live = false;
          host.clock.clearTimeout(timer);
        };
      }),
    },
    delays: { lagGrace: settings.lagGraceMs, lagLimit: settings.lagLimitMs },
    guards: {
      turnComplete: () => isComplete(),
      dropsLaggards: () => settings.lagPolicy === 'drop',
    },
    actions: {
      startMatch: ({ self }) => start(self),
      stopMatch: () => {
        actor = undefined;
      },
      issueTurn: issue,
      dropMissing,
      removePlayer: ({ event }) => {
        if (event.type !== 'room.playerLeft') return;
        active.delete(event.seatId);
        membershipChanged();
        notifyIfComplete();
      },
      announceLag: () =>
        host.broadcast({
          kind: 'game',
          type: 'ls.lag',
          payload: { turn: masters.length, waiting_for: missing() },
        }),
      announceCaughtUp: () =>
        host.broadcast({ kind: 'game', type: 'ls.lag', payload: { turn: masters.length, waiting_for: [] } }),
      reportLagToRoom: sendParent(() => ({ type: 'LAGGING', seatIds: missing() })),
    },
  });

  return {
    logic,
    get turn() {
      return masters.length;
    },
    receive(seatId: string, role: Role, type: string, payload: unknown) {
      switch (type) {
        case 'ls.ping':
          return host.sendToSeat(seatId, { kind: 'game', type: 'ls.pong', payload });
        case 'ls.ack':
          acknowledge(seatId, (payload as { turn: number }).turn);
          return resendTo(seatId);
        case 'ls.sync': {
          const { have, start: wantsStart } = payload as { have: number; start?: boolean };
          if (wantsStart) {
            if (actor && !halted) host.sendToSeat(seatId, startMessage());
            return;
          }
          acks.set(seatId, have);
          lastResend.set(seatId, now());
          if (role === 'player' && dropped.delete(seatId)) {
            active.add(seatId);
            rejoinAt.set(seatId, masters.length + delay);
            membershipChanged();
          }
          return sendRange(seatId, have + 1, masters.length - 1);
        }
        case 'ls.cmd':
          if (role !== 'player')
            return refuse(seatId, ErrorCode.ROOM_FORBIDDEN, 'Viewers send no command packets.', type);
          if (!actor || halted) {
            return refuse(
              seatId,
              ErrorCode.ROOM_NOT_RUNNING,
              'No turn is being collected (not running, or halted).',
              type,
            );
          }
          return onPacket(seatId, payload as Packet<C>);
      }
    },
    attached(seatId: string) {
      if (actor && !halted) host.sendToSeat(seatId, startMessage());
    },
    exportLog() {
      const all = masters.slice(0);
      const checksums: [number, string][] = [];
      for (const master of all) {
        const agreed = book.agreed(master.turn) ?? master.checksum;
        if (agreed !== undefined) checksums.push([master.turn, agreed]);
      }
      return {
        version: 1,
        roomId: host.roomId,
        seed: host.seed(),
        config: host.config(),
        players,
        masters: all,
        checksums,
      };
    },
    checkpoint: () => ({
      version: 1,
      players,
      active: [...active],
      dropped: [...dropped],
      rejoinAt: [...rejoinAt],
      lastAdapt,
    }),
    dispose() {
      actor = undefined;
      buffer.clear();
      masters.dispose();
    },
  };
}
