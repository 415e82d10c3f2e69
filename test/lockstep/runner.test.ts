/**
 * The client runner (src/client/lockstep-runner.ts) against a scripted session on a simulated
 * clock: what it applies, in which order, and what it sends back.
 */
import fc from 'fast-check';
import { createSimulatedClock } from 'chartroom';
import { createLockstepRunner } from 'chartroom/client';
import type { LockstepSessionLike } from 'chartroom/client';
import type { MasterPacket } from 'chartroom/sync/lockstep';
import { describe, expect, it } from 'vitest';
import { counterEngine } from './support/engines.js';

/** A session whose server side is the test: `emit` delivers a server message, `sent` records the rest. */
function scriptedSession(role: 'player' | 'viewer' = 'player') {
  const handlers = new Map<string, Set<(payload: unknown) => void>>();
  const sent: { type: string; payload: Record<string, unknown> }[] = [];
  const session: LockstepSessionLike = {
    role,
    send: (type, payload) => sent.push({ type, payload: payload as Record<string, unknown> }),
    on(type, handler) {
      let set = handlers.get(type);
      if (!set) handlers.set(type, (set = new Set()));
      set.add(handler);
      return () => set.delete(handler);
    },
  };
  const emit = (type: string, payload: unknown) => {
    for (const handler of handlers.get(type) ?? []) handler(payload);
  };
  const of = (type: string) => sent.filter((m) => m.type === type).map((m) => m.payload);
  return { session, sent, emit, of };
}

const start = (turn = 0, inputDelay = 2) => ({
  seed: 3,
  config: {},
  players: ['p1', 'p2'],
  input_delay: inputDelay,
  turn_ms: 100,
  iterations: 1,
  turn,
});
const master = (turn: number, commands: MasterPacket<number>['commands'] = []): MasterPacket<number> => ({
  turn,
  commands,
  turn_ms: 100,
  iterations: 1,
});

function setup(role: 'player' | 'viewer' = 'player') {
  const clock = createSimulatedClock(0);
  const s = scriptedSession(role);
  const engine = counterEngine();
  const applied: number[] = [];
  const halts: unknown[] = [];
  const runner = createLockstepRunner({
    session: s.session,
    engine,
    clock,
    pingIntervalMs: 10_000,
    resendAfterMs: 500,
    onTurn: (turn) => applied.push(turn),
    onHalt: (divergence) => halts.push(divergence),
  });
  return { ...s, clock, engine, runner, applied, halts };
}

describe('lockstep runner', () => {
  it('applies masters strictly in order, each once, whatever order and duplicates they arrive in', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.nat({ max: 1000 }), { minLength: 60, maxLength: 60 }),
        fc.boolean(),
        (count, dups, keys, asCatchup) => {
          const t = setup();
          t.emit('ls.start', start());
          const all = Array.from({ length: count }, (_, turn) =>
            master(turn, [{ seat: 'p1', commands: [turn] }]),
          );
          const deliveries = [...all, ...dups.map((d) => all[d % count]!)]
            .map((m, i) => ({ m, key: keys[i % keys.length]! * 100 + i }))
            .sort((a, b) => a.key - b.key)
            .map(({ m }) => m);
          for (const m of deliveries) {
            if (asCatchup) t.emit('ls.catchup', { masters: [m] });
            else t.emit('ls.master', m);
          }
          expect(t.applied).toEqual(all.map((m) => m.turn));
          const reference = counterEngine();
          reference.init(3, {}, []);
          for (const m of all) reference.step(m.commands);
          expect(t.runner.checksum()).toBe(reference.checksum());
          t.runner.stop();
        },
      ),
    );
  });

  it('asks for ls.start when created, and again (throttled) when masters arrive before any ls.start', () => {
    const t = setup();
    expect(t.of('ls.sync')).toEqual([{ have: -1, start: true }]);
    t.emit('ls.master', master(5));
    expect(t.of('ls.sync')).toHaveLength(1);
    expect(t.applied).toEqual([]);
    t.clock.advance(501);
    t.emit('ls.master', master(6));
    expect(t.of('ls.sync')).toEqual([
      { have: -1, start: true },
      { have: -1, start: true },
    ]);
    // The greeting: the runner initialises its engine and asks for everything it misses.
    t.emit('ls.start', start(7));
    expect(t.of('ls.sync').at(-1)).toEqual({ have: -1 });
    t.emit('ls.catchup', { masters: [0, 1, 2, 3, 4, 5, 6].map((n) => master(n)) });
    expect(t.applied).toEqual([0, 1, 2, 3, 4, 5, 6]);
    t.runner.stop();
  });

  it("after applying turn T sends the packet for T + input delay with T's checksum, the ack and the queued commands", () => {
    const t = setup();
    t.emit('ls.start', start(0, 2));
    t.runner.queue(41);
    t.runner.queue(42);
    t.emit('ls.master', master(0));
    expect(t.of('ls.cmd')).toEqual([
      expect.objectContaining({
        turn: 2,
        commands: [41, 42],
        ack: 0,
        checksum: { turn: 0, value: t.runner.checksum() },
      }),
    ]);
    t.emit('ls.master', master(1));
    expect(t.of('ls.cmd').map((p) => [p.turn, p.commands, p.ack])).toEqual([
      [2, [41, 42], 0],
      [3, [], 1],
    ]);
    t.runner.stop();
  });

  it('after a catch-up of several turns sends a packet for every turn not yet issued, up to the last applied + input delay', () => {
    const t = setup();
    t.emit('ls.start', start(0, 2));
    t.emit('ls.master', master(0));
    expect(t.of('ls.cmd').map((p) => p.turn)).toEqual([2]);
    // Masters 1 and 2 at once: turn 3 is owed too, or the room would wait for it forever.
    t.emit('ls.catchup', { masters: [1, 2].map((n) => master(n)) });
    expect(t.of('ls.cmd').map((p) => p.turn)).toEqual([2, 3, 4]);
    // Turns whose master it already has need no packet.
    t.emit('ls.catchup', { masters: [3, 4, 5, 6].map((n) => master(n)) });
    expect(t.of('ls.cmd').map((p) => p.turn)).toEqual([2, 3, 4, 7, 8]);
    t.runner.stop();
  });

  it('re-sends a packet not yet covered by an applied master every resendAfterMs, and stops once it is', () => {
    const t = setup();
    t.emit('ls.start', start(0, 1));
    t.emit('ls.master', master(0));
    expect(t.of('ls.cmd').map((p) => p.turn)).toEqual([1]);
    t.clock.advance(499);
    expect(t.of('ls.cmd')).toHaveLength(1);
    t.clock.advance(1);
    expect(t.of('ls.cmd').map((p) => p.turn)).toEqual([1, 1]);
    t.emit('ls.master', master(1));
    const count = t.of('ls.cmd').length;
    t.clock.advance(2000);
    // Only the newest packet (turn 2) is still re-sent.
    expect(
      t
        .of('ls.cmd')
        .slice(count)
        .every((p) => p.turn === 2),
    ).toBe(true);
    t.runner.stop();
  });

  it('asks for the masters it misses (ls.sync) when a gap stays open, and tells where it stands (ls.ack) when nothing arrives', () => {
    const t = setup();
    t.emit('ls.start', start(0, 2));
    t.emit('ls.master', master(0));
    t.clock.advance(600);
    t.emit('ls.master', master(2));
    expect(t.of('ls.sync').at(-1)).toEqual({ have: 0 });
    expect(t.applied).toEqual([0]);
    // Nothing more arrives: every resendAfterMs the runner reports its last applied turn.
    const acks = t.of('ls.ack').length;
    t.clock.advance(400);
    expect(t.of('ls.ack')).toHaveLength(acks);
    t.clock.advance(1000);
    expect(t.of('ls.ack').slice(acks)).toEqual([{ turn: 0 }, { turn: 0 }]);
    t.emit('ls.master', master(1));
    expect(t.applied).toEqual([0, 1, 2]);
    t.runner.stop();
  });

  it('as a viewer acknowledges masters and never sends a command packet', () => {
    const t = setup('viewer');
    t.emit('ls.start', start());
    t.runner.queue(1);
    t.emit('ls.catchup', { masters: [0, 1, 2].map((n) => master(n)) });
    t.clock.advance(3000);
    expect(t.of('ls.cmd')).toEqual([]);
    expect(t.of('ls.ack')[0]).toEqual({ turn: 2 });
    t.runner.stop();
  });

  it('stops sending command packets once the room halted, and reports the divergence', () => {
    const t = setup();
    t.emit('ls.start', start(0, 1));
    const divergence = { turn: 0, groups: [], diverged: ['p2'] };
    t.emit('ls.halt', divergence);
    t.emit('ls.master', master(0));
    t.clock.advance(3000);
    expect(t.runner.halted).toEqual(divergence);
    expect(t.halts).toEqual([divergence]);
    expect(t.of('ls.cmd')).toEqual([]);
    expect(t.of('ls.ack')).toEqual([]);
    t.runner.stop();
  });

  it('measures latency from ls.pong and stops every timer on stop()', () => {
    const t = setup();
    t.clock.advance(10_000);
    const ping = t.of('ls.ping')[0] as { t: number };
    expect(ping).toEqual({ t: 10_000 });
    t.clock.advance(120);
    t.emit('ls.pong', ping);
    expect(t.runner.latencyMs).toBe(120);
    t.runner.stop();
    const sent = t.sent.length;
    t.clock.advance(60_000);
    expect(t.sent).toHaveLength(sent);
    expect(t.clock.pending).toBe(0);
  });
});
