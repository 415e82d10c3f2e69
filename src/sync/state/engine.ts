import { assign } from 'xstate';
import type { AnyActorRef } from 'xstate';
import { snapshotMachine } from '../../../machines/snapshot.machine.js';
import { ErrorCode } from '../../core/errors.js';
import type { SeatView } from '../../core/messages.js';
import type { MessageSchemas } from '../../core/room-type.js';
import type { SyncEngine, SyncHost } from '../../core/sync.js';
import { deltaPayload, emptyStats, holdEvents, snapshotPayload } from './client-stream.js';
import type { AnyView, ClientStream, SnapshotStats } from './client-stream.js';
import type { DiffCache } from './diff.js';
import { DELTA_TYPE, RESYNC_TYPE, SNAPSHOT_TYPE } from './messages.js';
import type { SectionSpec } from './messages.js';
import { createInputLimiter } from './rate-limit.js';
import type {
  EntityRecord,
  InputRequest,
  SectionSchemas,
  StateLimits,
  StateWorld,
  WorldInit,
  WorldInput,
} from './types.js';

/** The engine's view of a world: its own types erased (the model's factory keeps them). */
export type AnyStateWorld = StateWorld<MessageSchemas, EntityRecord, SectionSchemas, unknown, MessageSchemas>;

/** The engine's settings, with every default applied (`snapshotSync` builds them from its options). */
export interface SnapshotSettings<W extends AnyStateWorld> {
  /** Length of one tick (1000 / tickRate). */
  readonly tickMs: number;
  /** Ticks between two periodic snapshots of one client. */
  readonly snapshotEveryTicks: number;
  /** A seated player counts as ready at once (see `SnapshotSyncOptions.dropIn`). */
  readonly dropIn: boolean;
  readonly limits: StateLimits;
  /** The view's sections and how they travel. */
  readonly sections: readonly SectionSpec[];
  /** Message types handed to `world.input` (the model's `inputs`). */
  readonly inputTypes: ReadonlySet<string>;
  readonly createWorld: (init: WorldInit<MessageSchemas>) => W;
}

/** The engine of one snapshot/delta room: world, clients, their last sent views, the tick clock. */
export interface SnapshotEngine<W extends AnyStateWorld = AnyStateWorld> extends SyncEngine {
  /** Ticks stepped so far. */
  readonly tick: number;
  readonly stats: Readonly<SnapshotStats>;
  /** The room's world (created on first need). */
  world(): W;
}

/**
 * The engine of one room; `snapshotSync(...).create(host)` calls it with the model's settings.
 * Exported for tools and tests that drive an engine without a server (a fake `SyncHost`).
 */
export function createSnapshotEngine<W extends AnyStateWorld>(
  host: SyncHost,
  settings: SnapshotSettings<W>,
): SnapshotEngine<W> {
  const { limits, tickMs } = settings;
  const clients = new Map<string, ClientStream>();
  const limiter = createInputLimiter(limits);
  const members = new Set<string>();
  const diffCache: DiffCache = new Map();
  const stats = emptyStats();
  let world: W | undefined;
  let tick = 0;
  let due = 0;
  /** This room's chart while it runs; the room stops it when it leaves `running`. */
  let chart: AnyActorRef | undefined;
  let paused = false;
  let flushTimer: unknown;

  const now = () => host.clock.now();
  const running = () => chart?.getSnapshot().status === 'active';
  const seatOf = (seatId: string): SeatView | undefined => host.seats().find((s) => s.seatId === seatId);

  const getWorld = (): W => {
    world ??= settings.createWorld({
      roomId: host.roomId,
      seed: host.seed(),
      config: host.config(),
      tickMs,
      now,
      logger: host.logger,
      send: (seatId, type, payload) => host.sendToSeat(seatId, { kind: 'game', type, payload }),
      broadcast: (type, payload) => host.broadcast({ kind: 'game', type, payload }),
    });
    return world;
  };

  /** Give a player seat its avatar once (join, late join, resume after a restart). */
  const ensureMember = (seat: SeatView | undefined) => {
    if (!seat || seat.role !== 'player' || seat.left || members.has(seat.seatId)) return;
    members.add(seat.seatId);
    getWorld().join({ seatId: seat.seatId, userId: seat.userId, name: seat.name });
  };

  const sendSnapshot = (client: ClientStream, view: AnyView) => {
    const payload = snapshotPayload(client, view, tick, settings.sections, stats);
    host.sendToSeat(client.seatId, { kind: 'game', type: SNAPSHOT_TYPE, payload });
  };

  /** One client's message of this tick: a snapshot, a delta, or nothing for a slow link. */
  const stream = (client: ClientStream, current: W) => {
    if ((host.bufferedBytes(client.seatId) ?? 0) > limits.slowConsumerBytes) {
      // Slow consumer: skip (not even its view is computed), and resume with a snapshot once
      // the link drains (see docs/sync-state.md). Its pending events go with the skipped deltas.
      client.sent = undefined;
      stats.eventsDropped += client.events.length;
      client.events = [];
      stats.skipped++;
      return;
    }
    const view = current.view(client.seatId, client.role);
    if (view.events?.length) holdEvents(client, view.events, limits.maxEventsPerDelta, stats);
    if (!client.sent || tick - client.snapshotTick >= settings.snapshotEveryTicks)
      return sendSnapshot(client, view);
    const payload = deltaPayload(client, client.sent, view, tick, settings.sections, stats, diffCache);
    host.sendToSeat(client.seatId, { kind: 'game', type: DELTA_TYPE, payload });
  };

  const step = (): number => {
    const late = now() - due;
    if (late > tickMs * limits.maxLateTicks) {
      stats.lateTicks++;
      host.logger.warn('Snapshot world fell behind: the tick clock re-anchors', {
        roomId: host.roomId,
        lateMs: late,
        tick,
      });
      due = now();
    }
    due += tickMs;
    tick++;
    diffCache.clear();
    const current = getWorld();
    current.tick(tick);
    const seats = new Map(host.seats().map((s) => [s.seatId, s]));
    for (const [seatId, client] of clients) {
      const seat = seats.get(seatId);
      if (!seat || seat.left) {
        clients.delete(seatId);
        limiter.forget(seatId);
        continue;
      }
      if (seat.connected) stream(client, current);
    }
    return tick;
  };

  /** While paused no tick streams: greet newly attached clients with a snapshot anyway. */
  const flushNewcomers = () => {
    flushTimer = undefined;
    if (!running() || !paused) return;
    const current = getWorld();
    for (const client of clients.values()) {
      if (!client.sent) sendSnapshot(client, current.view(client.seatId, client.role));
    }
  };

  const allow = (seatId: string, type: string): boolean => {
    const verdict = limiter.check(seatId, now());
    if (verdict === 'allow') return true;
    stats.inputsDropped++;
    if (verdict === 'warn') {
      host.sendToSeat(seatId, {
        kind: 'error',
        code: ErrorCode.SYNC_RATE_LIMITED,
        message: `Too many inputs: expected <= ${limits.maxInputsPerSecond}/s (burst ${limits.inputBurst}) from seat ${seatId}; the excess is dropped. Send inputs at the tick rate.`,
        ref: type,
      });
    }
    return false;
  };

  const logic = snapshotMachine.provide({
    delays: {
      // Evaluated as `ticking` is entered, before custom actions run (XState resolves delays
      // while computing the transition). Our own tick keeps the fixed rate (`step` advanced
      // `due`); any other way in (start, resume) anchors the clock a tick from now.
      tickDelay: ({ event }) => {
        if (!event.type.startsWith('xstate.after.')) due = now() + tickMs;
        return Math.max(0, due - now());
      },
    },
    actions: {
      startWorld: ({ self }) => {
        chart = self;
        paused = false;
        for (const seat of host.seats()) ensureMember(seat);
        for (const client of clients.values()) client.sent = undefined;
      },
      step: assign({ tick: () => step() }),
      holdWorld: () => {
        paused = true;
      },
      resumeClock: () => {
        paused = false;
      },
      addPlayer: ({ event }) => {
        if (event.type === 'room.playerJoined') ensureMember(seatOf(event.seatId));
      },
      removePlayer: ({ event }) => {
        if (event.type !== 'room.playerLeft' || !members.delete(event.seatId)) return;
        clients.delete(event.seatId);
        limiter.forget(event.seatId);
        getWorld().leave(event.seatId);
      },
      playerAway: ({ event }) => {
        if (event.type === 'room.playerDisconnected' && members.has(event.seatId))
          getWorld().disconnected?.(event.seatId);
      },
    },
  });

  const engine: SnapshotEngine<W> = {
    logic,
    get tick() {
      return tick;
    },
    stats,
    world: getWorld,
    receive(seatId, role, type, payload, requestId) {
      if (type === RESYNC_TYPE) {
        // The client lost its baseline: its next message is a snapshot (rate-limited like inputs).
        const client = clients.get(seatId);
        if (client && allow(seatId, type)) client.sent = undefined;
        return;
      }
      if (!settings.inputTypes.has(type)) return;
      const refuse = (code: ErrorCode, message: string) =>
        host.sendToSeat(seatId, { kind: 'error', code, message, ref: type });
      if (role !== 'player') return refuse(ErrorCode.ROOM_FORBIDDEN, 'Viewers only watch: no inputs.');
      if (!running())
        return refuse(
          ErrorCode.ROOM_NOT_RUNNING,
          'The world is not running (not started yet, or the room halted): inputs are refused.',
        );
      if (!members.has(seatId) || !allow(seatId, type)) return;
      const request: InputRequest<MessageSchemas> = {
        requestId,
        reply: (replyType, replyPayload) =>
          host.sendToSeat(
            seatId,
            requestId === undefined
              ? { kind: 'game', type: replyType, payload: replyPayload }
              : { kind: 'reply', requestId, type: replyType, payload: replyPayload },
          ),
        refuse: (code, message) =>
          host.sendToSeat(seatId, { kind: 'replyError', requestId: requestId ?? -1, code, message }),
      };
      getWorld().input(seatId, { type, payload } as WorldInput<MessageSchemas>, request);
    },
    attached(seatId, role) {
      let client = clients.get(seatId);
      if (!client)
        clients.set(seatId, (client = { seatId, role, sent: undefined, snapshotTick: 0, events: [] }));
      client.role = role;
      client.sent = undefined;
      client.events = [];
      ensureMember(seatOf(seatId));
      // Drop-in worlds need no ready check: a seated player starts the world (see `dropIn`).
      if (settings.dropIn && !running() && role === 'player')
        host.sendToRoom({ type: 'READY', seatId, ready: true });
      if (running() && paused && flushTimer === undefined)
        flushTimer = host.clock.setTimeout(flushNewcomers, 0);
    },
    joinedPayload(seatId, role) {
      if (role === 'player') ensureMember(seatOf(seatId));
      return getWorld().joinedPayload?.(seatId, role);
    },
    dispose() {
      chart = undefined;
      if (flushTimer !== undefined) host.clock.clearTimeout(flushTimer);
      clients.clear();
      limiter.clear();
      members.clear();
      world = undefined;
    },
  };
  return engine;
}
