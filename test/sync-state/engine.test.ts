/**
 * The snapshot/delta engine on a simulated clock with a small test world: what each client is
 * sent and when (snapshots, deltas, sections by mode, events), requests, refusals, limits, the
 * slow-consumer policy, pause, drop-in and the tick clock.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChartroomError } from 'chartroom';
import type { ServerOutput } from 'chartroom';
import { snapshotSync } from 'chartroom/sync/state';
import type { StateLimits, StateWorld } from 'chartroom/sync/state';
import { createFakeHost, runChart } from './fake-host.js';

const entity = z.object({ id: z.string(), kind: z.string(), n: z.number() });
const sections = {
  me: { schema: z.object({ n: z.number() }) },
  board: { schema: z.array(z.string()), delta: 'snapshot' },
  clock: { schema: z.number(), delta: 'always', snapshot: false },
} as const;
const inputs = { bump: z.object({ by: z.number().int() }), ask: z.object({ ok: z.boolean() }) };
const serverMessages = { answer: z.object({ ok: z.boolean() }) };
type Dot = z.infer<typeof entity>;

/** A counter per seat; `noisy` seats emit an event every tick; every view sees every dot. */
function testWorld(log: string[] = []) {
  const counters = new Map<string, number>();
  const dots = new Map<string, Dot>();
  let tick = 0;
  const world: StateWorld<
    typeof inputs,
    Dot,
    typeof sections,
    { kind: string; at: number },
    typeof serverMessages
  > = {
    join: (seat) => {
      log.push(`join ${seat.seatId}`);
      counters.set(seat.seatId, 0);
    },
    leave: (seatId) => {
      log.push(`leave ${seatId}`);
      counters.delete(seatId);
      dots.delete(seatId);
    },
    disconnected: (seatId) => void log.push(`away ${seatId}`),
    input(seatId, input, request) {
      if (input.type === 'bump') counters.set(seatId, (counters.get(seatId) ?? 0) + input.payload.by);
      else if (input.payload.ok) request.reply('answer', { ok: true });
      else request.refuse('NOPE', 'Not today.');
    },
    tick(t) {
      tick = t;
      for (const [seatId, n] of counters) {
        const before = dots.get(seatId);
        if (before?.n !== n) dots.set(seatId, { id: seatId, kind: 'dot', n });
      }
    },
    view: (seatId) => ({
      entities: [...dots.values()],
      sections: { me: { n: counters.get(seatId) ?? 0 }, board: ['a', 'b'], clock: tick },
      events: seatId.startsWith('noisy') ? [{ kind: 'beep', at: tick }] : [],
    }),
    joinedPayload: (seatId) => ({ dot: seatId }),
  };
  return world;
}

function setup(
  options: {
    snapshotEveryMs?: number;
    dropIn?: boolean;
    limits?: Partial<StateLimits>;
    start?: boolean;
  } = {},
) {
  const log: string[] = [];
  const model = snapshotSync({
    inputs,
    entity,
    sections,
    event: z.object({ kind: z.string(), at: z.number() }),
    serverMessages,
    world: () => testWorld(log),
    tickRate: 20,
    snapshotEveryMs: options.snapshotEveryMs ?? 60_000,
    dropIn: options.dropIn ?? false,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const host = createFakeHost();
  const engine = model.create(host);
  const chart = options.start === false ? undefined : runChart(host, engine.logic);
  const join = (seatId: string, role: 'player' | 'viewer' = 'player') => {
    host.seat(seatId, { role });
    engine.joinedPayload?.(seatId, role);
    engine.attached?.(seatId, role);
  };
  const ticks = (n = 1) => host.clock.advance(50 * n);
  const games = (seatId: string) =>
    host.take(seatId).filter((o): o is Extract<ServerOutput, { kind: 'game' }> => o.kind === 'game');
  return { model, host, engine, chart, log, join, ticks, games };
}

describe('snapshot/delta engine', () => {
  it('sends a snapshot on the first tick after a client attaches, then deltas with only what changed', () => {
    const { engine, join, ticks, games } = setup();
    join('p1');
    expect(games('p1')).toEqual([]);
    ticks();
    expect(games('p1')).toEqual([
      {
        kind: 'game',
        type: 'world.snapshot',
        payload: { tick: 1, entities: [{ id: 'p1', kind: 'dot', n: 0 }], me: { n: 0 }, board: ['a', 'b'] },
      },
    ]);
    ticks();
    expect(games('p1')[0]?.payload).toEqual({
      tick: 2,
      entity_updates: [],
      entity_removed: [],
      events: [],
      clock: 2,
    });
    engine.receive('p1', 'player', 'bump', { by: 3 }, 1);
    ticks();
    expect(games('p1')[0]?.payload).toEqual({
      tick: 3,
      entity_updates: [{ id: 'p1', n: 3 }],
      entity_removed: [],
      events: [],
      me: { n: 3 },
      clock: 3,
    });
  });

  it('sends each client a periodic snapshot for correction', () => {
    const { join, ticks, games } = setup({ snapshotEveryMs: 200 });
    join('p1');
    const types: string[] = [];
    for (let i = 0; i < 9; i++) {
      ticks();
      types.push(...games('p1').map((g) => g.type.slice(6)));
    }
    expect(types).toEqual([
      'snapshot',
      'delta',
      'delta',
      'delta',
      'snapshot',
      'delta',
      'delta',
      'delta',
      'snapshot',
    ]);
  });

  it('skips a slow consumer’s deltas and resumes with a snapshot once its link drains', () => {
    const { engine, host, join, ticks, games } = setup({ limits: { slowConsumerBytes: 1000 } });
    join('p1');
    ticks(2);
    games('p1');
    host.buffered.set('p1', 5000);
    engine.receive('p1', 'player', 'bump', { by: 1 }, 1);
    ticks(3);
    expect(games('p1')).toEqual([]);
    expect(engine.stats.skipped).toBe(3);
    host.buffered.set('p1', 0);
    ticks();
    const [next] = games('p1');
    expect(next?.type).toBe('world.snapshot');
    expect(next?.payload).toMatchObject({ tick: 6, me: { n: 1 } });
  });

  it('answers a request with reply or replyError carrying its request id', () => {
    const { engine, host, join } = setup();
    join('p1');
    engine.receive('p1', 'player', 'ask', { ok: true }, 17);
    engine.receive('p1', 'player', 'ask', { ok: false }, 18);
    expect(host.take('p1')).toEqual([
      { kind: 'reply', requestId: 17, type: 'answer', payload: { ok: true } },
      { kind: 'replyError', requestId: 18, code: 'NOPE', message: 'Not today.' },
    ]);
  });

  it('refuses inputs from viewers, and while the world does not run', () => {
    const early = setup({ start: false });
    early.join('p1');
    early.engine.receive('p1', 'player', 'bump', { by: 1 }, 1);
    expect(early.host.take('p1')).toMatchObject([{ kind: 'error', code: 'ROOM_NOT_RUNNING', ref: 'bump' }]);
    const { engine, host, chart, join } = setup();
    join('v1', 'viewer');
    engine.receive('v1', 'viewer', 'bump', { by: 1 }, 1);
    expect(host.take('v1')).toMatchObject([{ kind: 'error', code: 'ROOM_FORBIDDEN', ref: 'bump' }]);
    // The room left `running` (halted, ended): it stopped the chart, and inputs stop too.
    join('p1');
    chart!.stop();
    engine.receive('p1', 'player', 'bump', { by: 1 }, 2);
    expect(host.take('p1')).toMatchObject([{ kind: 'error', code: 'ROOM_NOT_RUNNING' }]);
  });

  it('drops inputs beyond the rate limit and says so once a second', () => {
    const { engine, host, join, ticks } = setup({ limits: { maxInputsPerSecond: 10, inputBurst: 5 } });
    join('p1');
    for (let i = 0; i < 20; i++) engine.receive('p1', 'player', 'bump', { by: 1 }, i);
    expect(host.take('p1')).toMatchObject([{ kind: 'error', code: 'SYNC_RATE_LIMITED', ref: 'bump' }]);
    expect(engine.stats.inputsDropped).toBe(15);
    ticks(20); // one second: the bucket refills
    for (let i = 0; i < 5; i++) engine.receive('p1', 'player', 'bump', { by: 1 }, i);
    expect(host.take('p1').filter((o) => o.kind === 'error')).toEqual([]);
  });

  it('delivers events once, in the next delta (never lost to a snapshot tick), and bounds them', () => {
    const { join, ticks, games } = setup({ snapshotEveryMs: 100, limits: { maxEventsPerDelta: 2 } });
    join('noisy1');
    ticks(); // snapshot: its tick's event waits
    ticks(); // delta
    const delta = games('noisy1').find((g) => g.type === 'world.delta');
    expect((delta?.payload as { events: unknown[] }).events).toEqual([
      { kind: 'beep', at: 1 },
      { kind: 'beep', at: 2 },
    ]);
  });

  it('readies a seated player by itself in a drop-in world', () => {
    const { host, join } = setup({ dropIn: true, start: false });
    join('p1');
    expect(host.roomEvents).toEqual([{ type: 'READY', seatId: 'p1', ready: true }]);
  });

  it('holds the world while paused, greets newcomers with a snapshot, and resumes a tick later', () => {
    const { engine, chart, join, ticks, games } = setup();
    join('p1');
    ticks(2);
    games('p1');
    chart!.send({ type: 'room.paused' });
    ticks(5);
    expect(engine.tick).toBe(2);
    expect(games('p1')).toEqual([]);
    join('p2');
    ticks(0);
    expect(games('p2').map((g) => g.type)).toEqual(['world.snapshot']);
    chart!.send({ type: 'room.resumed' });
    ticks();
    expect(engine.tick).toBe(3);
    expect(games('p1').map((g) => g.type)).toEqual(['world.delta']);
  });

  it('keeps a fixed tick rate, and re-anchors instead of bursting when the process stalled', () => {
    const { engine, host, join, ticks } = setup();
    join('p1');
    ticks(40);
    expect(engine.tick).toBe(40);
    host.skew = 2000; // the clock jumps: 40 ticks late
    ticks();
    expect(engine.stats.lateTicks).toBe(1);
    const after = engine.tick;
    ticks(10);
    expect(engine.tick - after).toBe(10);
  });

  it('seats players in the world, tells it who is away, and forgets who left', () => {
    const { engine, chart, log, host, join, ticks, games } = setup();
    join('p1');
    expect(engine.joinedPayload?.('p1', 'player')).toEqual({ dot: 'p1' });
    chart!.send({ type: 'room.playerDisconnected', seatId: 'p1' });
    chart!.send({ type: 'room.playerLeft', seatId: 'p1' });
    host.seat('p1', { left: true, connected: false });
    ticks();
    expect(log).toEqual(['join p1', 'away p1', 'leave p1']);
    expect(games('p1')).toEqual([]);
  });

  it('sends a fresh snapshot on request (world.resync)', () => {
    const { engine, join, ticks, games } = setup();
    join('p1');
    ticks(3);
    games('p1');
    engine.receive('p1', 'player', 'world.resync', {}, 9);
    ticks();
    expect(games('p1').map((g) => g.type)).toEqual(['world.snapshot']);
  });

  it('refuses a section named like a payload key, and tick rates outside 1..60, at definition', () => {
    const world = () => testWorld();
    expect(() =>
      snapshotSync({ inputs, entity, sections: { events: { schema: z.number() } }, world: world as never }),
    ).toThrow(ChartroomError);
    expect(() => snapshotSync({ inputs, entity, world: world as never, tickRate: 120 })).toThrow(
      /tickRate: expected 1..60/,
    );
    expect(() =>
      snapshotSync({ inputs, entity: z.object({ name: z.string() }) as never, world: world as never }),
    ).toThrow(/id: z.string/);
  });
});
