/**
 * The lockstep engine in its room (room chart + lockstep chart + engine, no server), turn by
 * turn on a simulated clock: master compilation, idempotence of command packets, refusals,
 * lag / drop / wait, re-sends and catch-up, checksum bookkeeping.
 */
import fc from 'fast-check';
import { ErrorCode } from 'chartroom';
import type { Divergence } from 'chartroom/sync/lockstep';
import { describe, expect, it } from 'vitest';
import { createHarness } from './support/host.js';

const TURN = 100;
/** The default lagGraceMs: a turn late by less goes unannounced. */
const GRACE = 250;

describe('lockstep engine: turns and masters', () => {
  it('announces the match with ls.start and issues the input-delay turns empty, one per turn length', () => {
    const h = createHarness({ players: 2, lockstep: { inputDelayTurns: 2 } });
    expect(h.phase()).toBe('running.iterating');
    for (const seat of h.players) {
      expect(h.game(seat, 'ls.start')).toEqual([
        expect.objectContaining({ seed: 5, players: h.players, input_delay: 2, turn: 0, turn_ms: TURN }),
      ]);
    }
    h.tick(TURN - 1);
    expect(h.masters('p1')).toEqual([]);
    h.tick(1);
    expect(h.masters('p1').map((m) => [m.turn, m.commands])).toEqual([[0, []]]);
    h.tick(TURN);
    expect(h.masters('p1').map((m) => [m.turn, m.commands])).toEqual([
      [0, []],
      [1, []],
    ]);
    // Turn 2 needs every player's packet: late, silently, then lagging once the grace is over.
    h.tick(TURN);
    expect(h.engine.turn).toBe(2);
    expect(h.phase()).toBe('running.iterating');
    h.tick(GRACE);
    expect(h.phase()).toBe('running.paused.lagging');
  });

  it('compiles each master from every player packet: non-empty lists only, in seat order, to every seat', () => {
    const h = createHarness({ players: 3, viewers: 1, lockstep: { inputDelayTurns: 1 } });
    h.tick(TURN); // turn 0
    h.cmd('p3', 1, [7, 8]);
    h.cmd('p1', 1, [1]);
    h.cmd('p2', 1, []);
    h.tick(TURN);
    const expected = {
      turn: 1,
      commands: [
        { seat: 'p1', commands: [1] },
        { seat: 'p3', commands: [7, 8] },
      ],
    };
    for (const seat of [...h.players, ...h.viewers]) expect(h.masters(seat)[1]).toMatchObject(expected);
    expect(h.engine.exportLog().masters[1]).toMatchObject(expected);
  });

  it('duplicate and out-of-order packets change nothing: the masters are those of one in-order delivery', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 2 }), {
          minLength: 40,
          maxLength: 40,
        }),
        fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        fc.array(fc.nat({ max: 1000 }), { minLength: 80, maxLength: 80 }),
        (players, delay, extraTurns, commandPool, dupPicks, sortKeys) => {
          const h = createHarness({ players, lockstep: { inputDelayTurns: delay } });
          const last = delay + extraTurns;
          const packets: { seat: string; turn: number; commands: number[] }[] = [];
          for (let turn = delay; turn <= last; turn++)
            for (const seat of h.players)
              packets.push({ seat, turn, commands: commandPool[packets.length % commandPool.length] ?? [] });
          // Every packet once, some twice, in an arbitrary order.
          const deliveries = [
            ...packets,
            ...dupPicks.slice(0, packets.length).map((i) => packets[i % packets.length]!),
          ]
            .map((packet, i) => ({ packet, key: sortKeys[i % sortKeys.length]! * 100 + i }))
            .sort((a, b) => a.key - b.key)
            .map((d) => d.packet);
          for (const { seat, turn, commands } of deliveries) h.cmd(seat, turn, commands);
          for (let turn = 0; turn <= last; turn++) h.tick(TURN);

          const expected = Array.from({ length: last + 1 }, (_, turn) => ({
            turn,
            commands: h.players.flatMap((seat) => {
              const packet = packets.find((p) => p.seat === seat && p.turn === turn);
              return packet && packet.commands.length ? [{ seat, commands: packet.commands }] : [];
            }),
          }));
          const issued = h.engine.exportLog().masters.map(({ turn, commands }) => ({ turn, commands }));
          expect(issued).toEqual(expected);
          // Late duplicates of issued turns change nothing either, and refuse nothing.
          for (const { seat, turn } of deliveries.slice(0, 5)) h.cmd(seat, turn, [999]);
          h.tick(TURN);
          expect(h.engine.exportLog().masters.map(({ turn, commands }) => ({ turn, commands }))).toEqual(
            expected,
          );
          for (const seat of h.players) expect(h.errors(seat)).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps the turn cadence when timers fire late: deadlines stay on a grid of turn lengths', () => {
    const h = createHarness({ players: 1, lockstep: { inputDelayTurns: 1 }, timerLateness: 20 });
    for (let turn = 1; turn <= 10; turn++) h.cmd('p1', turn);
    // Each timer fires 20 ms late, but the next deadline is the previous one + 100, not now + 100.
    h.tick(10 * TURN + 20);
    expect(h.engine.turn).toBe(10);
  });

  it('keeps the first packet of a (player, turn): a different one for the same turn is ignored', () => {
    const h = createHarness({ players: 2, lockstep: { inputDelayTurns: 1 } });
    h.cmd('p1', 1, [1]);
    h.cmd('p1', 1, [2, 3]);
    h.cmd('p2', 1);
    h.tick(TURN);
    h.tick(TURN);
    expect(h.masters('p1')[1]?.commands).toEqual([{ seat: 'p1', commands: [1] }]);
  });
});

describe('lockstep engine: refusals', () => {
  it('refuses packets beyond next turn + input delay + maxTurnsAhead with SYNC_TURN_OUT_OF_RANGE and accepts the limit', () => {
    const h = createHarness({ players: 2, lockstep: { inputDelayTurns: 2, maxTurnsAhead: 5 } });
    h.cmd('p1', 2 + 5);
    expect(h.errors('p1')).toEqual([]);
    h.cmd('p1', 2 + 5 + 1, [42]);
    expect(h.errors('p1')).toEqual([{ code: ErrorCode.SYNC_TURN_OUT_OF_RANGE, ref: 'ls.cmd' }]);
    expect(h.errors('p2')).toEqual([]);
    // The refused packet is not kept: when turn 8 comes, p1 is still waited for.
    for (let turn = 2; turn <= 7; turn++) {
      if (turn < 7) h.cmd('p1', turn);
      h.cmd('p2', turn);
    }
    for (let i = 0; i < 9; i++) h.tick(TURN);
    h.tick(GRACE);
    expect(h.engine.turn).toBe(8);
    expect(h.phase()).toBe('running.paused.lagging');
    expect(h.masters('p2').flatMap((m) => m.commands)).toEqual([]);
    h.cmd('p2', 8);
    expect(h.engine.turn).toBe(8);
    h.cmd('p1', 8, [1]);
    expect(h.masters('p2')[8]?.commands).toEqual([{ seat: 'p1', commands: [1] }]);
  });

  it('refuses a checksum for a turn not issued yet with SYNC_TURN_OUT_OF_RANGE, so none piles up unsettled', () => {
    const h = createHarness({ players: 2, lockstep: { inputDelayTurns: 2 } });
    h.tick(TURN);
    h.tick(TURN);
    expect(h.engine.turn).toBe(2);
    h.cmd('p1', 2, [], { checksum: { turn: 2, value: 'future' } });
    expect(h.errors('p1')).toEqual([{ code: ErrorCode.SYNC_TURN_OUT_OF_RANGE, ref: 'ls.cmd' }]);
    // The last issued turn is fine; the refused packet's commands were not kept.
    h.cmd('p1', 2, [5], { checksum: { turn: 1, value: 'c1' } });
    h.cmd('p2', 2, [], { checksum: { turn: 1, value: 'c1' } });
    expect(h.errors('p1')).toHaveLength(1);
    expect(h.errors('p2')).toEqual([]);
    h.tick(TURN);
    expect(h.masters('p2')[2]?.commands).toEqual([{ seat: 'p1', commands: [5] }]);
  });

  it('refuses command packets from viewers with ROOM_FORBIDDEN and keeps their commands out of every master', () => {
    const h = createHarness({ players: 1, viewers: 1, lockstep: { inputDelayTurns: 1 } });
    const viewer = h.viewers[0]!;
    h.cmd(viewer, 1, [66]);
    expect(h.errors(viewer)).toEqual([{ code: ErrorCode.ROOM_FORBIDDEN, ref: 'ls.cmd' }]);
    h.cmd('p1', 1);
    h.tick(TURN);
    h.tick(TURN);
    expect(h.engine.turn).toBe(2);
    expect(h.engine.exportLog().masters.flatMap((m) => m.commands)).toEqual([]);
  });

  it('refuses command packets with ROOM_NOT_RUNNING before the match and after a halt', () => {
    const h = createHarness({ players: 2, start: false });
    h.cmd('p1', 2, [1]);
    expect(h.errors('p1')).toEqual([{ code: ErrorCode.ROOM_NOT_RUNNING, ref: 'ls.cmd' }]);

    const halted = createHarness({ players: 3, lockstep: { inputDelayTurns: 1 } });
    halted.tick(TURN); // turn 0
    halted.cmd('p1', 1, [], { checksum: { turn: 0, value: 'a' } });
    halted.cmd('p2', 1, [], { checksum: { turn: 0, value: 'a' } });
    halted.cmd('p3', 1, [], { checksum: { turn: 0, value: 'b' } });
    expect(halted.phase()).toBe('halted.divergence');
    halted.cmd('p1', 2, [5]);
    expect(halted.errors('p1')).toEqual([{ code: ErrorCode.ROOM_NOT_RUNNING, ref: 'ls.cmd' }]);
  });
});

describe('lockstep engine: lag, drop and wait', () => {
  it('waits for a missing packet in running.paused.lagging, naming the player, and issues as soon as it arrives', () => {
    const h = createHarness({ players: 3, lockstep: { inputDelayTurns: 1, lagLimitMs: 1000 } });
    h.tick(TURN);
    h.cmd('p1', 1);
    h.cmd('p3', 1);
    h.tick(TURN + GRACE);
    expect(h.phase()).toBe('running.paused.lagging');
    expect(h.game('p1', 'ls.lag')).toEqual([{ turn: 1, waiting_for: ['p2'] }]);
    h.tick(500);
    expect(h.engine.turn).toBe(1);
    h.cmd('p2', 1, [3]);
    expect(h.engine.turn).toBe(2);
    expect(h.phase()).toBe('running.iterating');
    expect(h.game('p1', 'ls.lag')).toEqual([
      { turn: 1, waiting_for: ['p2'] },
      { turn: 1, waiting_for: [] },
    ]);
    expect(h.masters('p1')[1]?.commands).toEqual([{ seat: 'p2', commands: [3] }]);
  });

  it('absorbs a packet late by less than lagGraceMs: no ls.lag, no pause, the master goes out when it arrives', () => {
    const h = createHarness({ players: 3, lockstep: { inputDelayTurns: 1 } });
    h.tick(TURN);
    h.cmd('p1', 1);
    h.cmd('p3', 1);
    h.tick(TURN + GRACE - 1);
    expect(h.engine.turn).toBe(1);
    expect(h.phase()).toBe('running.iterating');
    h.cmd('p2', 1, [4]);
    expect(h.engine.turn).toBe(2);
    expect(h.masters('p1')[1]?.commands).toEqual([{ seat: 'p2', commands: [4] }]);
    // The next turn is timed from the late master: its deadline is one turn length later.
    h.cmd('p1', 2);
    h.cmd('p2', 2);
    h.cmd('p3', 2);
    h.tick(TURN - 1);
    expect(h.engine.turn).toBe(2);
    h.tick(1);
    expect(h.engine.turn).toBe(3);
    for (const seat of h.players) expect(h.game(seat, 'ls.lag')).toEqual([]);
    const phasesSeen = (h.received.get('p1') ?? []).flatMap((o) => (o.kind === 'room' ? [o.room.phase] : []));
    expect(phasesSeen).not.toContain('running.paused.lagging');
  });

  it("drops a player missing past lagLimit (policy drop): ls.dropped, the others go on, the dropped player's turns are empty", () => {
    const h = createHarness({
      players: 3,
      lockstep: { inputDelayTurns: 1, lagLimitMs: 1000, lagPolicy: 'drop' },
    });
    h.tick(TURN);
    h.cmd('p1', 1, [1]);
    h.cmd('p3', 1);
    h.tick(TURN + GRACE);
    h.tick(999);
    expect(h.phase()).toBe('running.paused.lagging');
    h.tick(1);
    expect(h.game('p1', 'ls.dropped')).toEqual([{ turn: 1, seats: ['p2'] }]);
    expect(h.phase()).toBe('running.iterating');
    expect(h.engine.turn).toBe(2);
    for (let turn = 2; turn < 6; turn++) {
      h.cmd('p1', turn, [turn]);
      h.cmd('p3', turn);
      h.tick(TURN);
    }
    expect(h.engine.turn).toBe(6);
    const masters = h.engine.exportLog().masters;
    expect(masters.slice(1).every((m) => m.commands.every((c) => c.seat !== 'p2'))).toBe(true);
    expect(masters.slice(1).map((m) => m.commands)).toEqual(
      [1, 2, 3, 4, 5].map((n) => [{ seat: 'p1', commands: [n] }]),
    );
  });

  it('stays paused past lagLimit with policy wait, and goes on when the packet arrives', () => {
    const h = createHarness({
      players: 2,
      lockstep: { inputDelayTurns: 1, lagLimitMs: 300, lagPolicy: 'wait' },
    });
    h.tick(TURN);
    h.cmd('p1', 1);
    h.tick(TURN + GRACE);
    h.tick(5000);
    expect(h.phase()).toBe('running.paused.lagging');
    expect(h.engine.turn).toBe(1);
    expect(h.game('p1', 'ls.dropped')).toEqual([]);
    h.cmd('p2', 1);
    expect(h.engine.turn).toBe(2);
    expect(h.phase()).toBe('running.iterating');
  });

  it('no longer waits for a player who left for good', () => {
    const h = createHarness({ players: 2, lockstep: { inputDelayTurns: 1, lagPolicy: 'wait' } });
    h.tick(TURN);
    h.cmd('p1', 1);
    h.tick(TURN + GRACE);
    expect(h.phase()).toBe('running.paused.lagging');
    h.room.send({ type: 'LEAVE', seatId: 'p2' });
    expect(h.engine.turn).toBe(2);
    h.cmd('p1', 2);
    h.tick(TURN);
    expect(h.engine.turn).toBe(3);
  });

  it('readmits a dropped player that syncs again: waited for from the next turn + input delay', () => {
    const h = createHarness({
      players: 2,
      lockstep: { inputDelayTurns: 2, lagLimitMs: 200, lagPolicy: 'drop' },
    });
    h.tick(TURN);
    h.tick(TURN);
    h.cmd('p1', 2);
    h.tick(TURN + GRACE);
    h.tick(200); // p2 dropped, turn 2 issued
    expect(h.game('p1', 'ls.dropped')).toEqual([{ turn: 2, seats: ['p2'] }]);
    h.cmd('p1', 3);
    h.tick(TURN);
    expect(h.engine.turn).toBe(4);
    h.room.receiveSync('p2', 'ls.sync', { have: -1 });
    // p2 gets masters 0..3, and from turn 4 + 2 = 6 on it is waited for again.
    expect(
      h
        .catchups('p2')
        .flat()
        .map((m) => m.turn),
    ).toEqual([0, 1, 2, 3]);
    for (const turn of [4, 5]) {
      h.cmd('p1', turn);
      h.tick(TURN);
    }
    expect(h.engine.turn).toBe(6);
    h.cmd('p1', 6);
    h.tick(TURN + GRACE);
    expect(h.engine.turn).toBe(6);
    expect(h.phase()).toBe('running.paused.lagging');
    h.cmd('p2', 6, [9]);
    expect(h.engine.turn).toBe(7);
    expect(h.masters('p1')[6]?.commands).toEqual([{ seat: 'p2', commands: [9] }]);
  });

  it('readmits a dropped player whose packets keep up again without a reconnect, from the next turn + input delay', () => {
    const h = createHarness({
      players: 2,
      lockstep: { inputDelayTurns: 1, lagLimitMs: 200, lagPolicy: 'drop' },
    });
    h.tick(TURN);
    h.cmd('p1', 1);
    h.tick(TURN + GRACE);
    h.tick(200);
    expect(h.game('p1', 'ls.dropped')).toEqual([{ turn: 1, seats: ['p2'] }]);
    for (const turn of [2, 3, 4]) {
      h.cmd('p1', turn);
      h.tick(TURN);
    }
    expect(h.engine.turn).toBe(5);
    // Late packets (turns already issued) prove nothing; one for the next turn does.
    h.cmd('p2', 3, [3]);
    h.cmd('p2', 5, [5]);
    h.cmd('p1', 5);
    h.tick(TURN);
    expect(h.masters('p1')[5]?.commands).toEqual([{ seat: 'p2', commands: [5] }]);
    h.cmd('p1', 6);
    h.tick(TURN + GRACE);
    expect(h.engine.turn).toBe(6);
    expect(h.phase()).toBe('running.paused.lagging');
    expect(h.game('p1', 'ls.lag').at(-1)).toEqual({ turn: 6, waiting_for: ['p2'] });
  });
});

describe('lockstep engine: re-sends, catch-up, greeting', () => {
  it('answers ls.sync with the masters after `have`, in catchupChunk-sized ls.catchup messages', () => {
    const h = createHarness({
      players: 1,
      viewers: 1,
      lockstep: { inputDelayTurns: 1, limits: { catchupChunk: 4 } },
    });
    for (let turn = 0; turn < 11; turn++) {
      if (turn >= 1) h.cmd('p1', turn);
      h.tick(TURN);
    }
    expect(h.engine.turn).toBe(11);
    const viewer = h.viewers[0]!;
    h.room.receiveSync(viewer, 'ls.sync', { have: 1 });
    expect(h.catchups(viewer).map((c) => c.map((m) => m.turn))).toEqual([[2, 3, 4, 5], [6, 7, 8, 9], [10]]);
    expect(h.catchups(viewer).flat()).toEqual(h.engine.exportLog().masters.slice(2));
  });

  it('re-sends unacknowledged masters older than resendAfterMs when a packet or ack shows it behind, at most once per resendAfterMs', () => {
    const h = createHarness({
      players: 2,
      lockstep: { inputDelayTurns: 1, resendAfterMs: 500, lagPolicy: 'wait' },
    });
    // Masters 0..7 go out at 100..800 ms; from turn 5 on p2's packets say it only has turn 3.
    for (let turn = 0; turn < 8; turn++) {
      if (turn >= 1) {
        h.cmd('p1', turn);
        h.cmd('p2', turn, [], turn >= 5 ? { ack: 3 } : {});
      }
      h.tick(TURN);
    }
    expect(h.engine.turn).toBe(8);
    h.cmd('p2', 8, [], { ack: 3 });
    // Nothing unacknowledged is older than 500 ms yet (turn 3 went out at 400 ms).
    expect(h.catchups('p2')).toEqual([]);
    // The room now waits for p1: nothing is issued, so only p2's acks can drive a re-send.
    h.tick(400);
    expect(h.phase()).toBe('running.paused.lagging');
    h.room.receiveSync('p2', 'ls.ack', { turn: 3 });
    expect(h.catchups('p2').map((c) => c.map((m) => m.turn))).toEqual([[4, 5, 6]]);
    h.room.receiveSync('p2', 'ls.ack', { turn: 3 });
    h.cmd('p2', 8, [], { ack: 3 });
    expect(h.catchups('p2')).toHaveLength(1);
    h.tick(500);
    h.cmd('p2', 8, [], { ack: 3 });
    expect(h.catchups('p2').map((c) => c.map((m) => m.turn))).toEqual([
      [4, 5, 6],
      [4, 5, 6, 7],
    ]);
    expect(h.catchups('p1')).toEqual([]);
    expect(h.catchups('p2').flat()).toEqual(expect.arrayContaining(h.engine.exportLog().masters.slice(4, 8)));
  });

  it('greets a seat attached mid-match with ls.start, and answers ls.sync{start} with ls.start only while running', () => {
    const h = createHarness({ players: 1, start: false });
    h.room.receiveSync('p1', 'ls.sync', { have: -1, start: true });
    expect(h.game('p1', 'ls.start')).toEqual([]);
    h.room.send({ type: 'READY', seatId: 'p1', ready: true });
    expect(h.game('p1', 'ls.start')).toHaveLength(1);
    h.tick(TURN);
    h.tick(TURN);
    h.room.receiveSync('p1', 'ls.sync', { have: -1, start: true });
    const starts = h.game('p1', 'ls.start');
    expect(starts).toHaveLength(2);
    expect(starts[1]).toMatchObject({ turn: 2, seed: 5, players: ['p1'] });
    expect(h.catchups('p1')).toEqual([]);
    const viewerSeat = h.room.join('late', 'u-late', 'late', 'viewer');
    const got: unknown[] = [];
    h.room.bind(viewerSeat, {
      connectionId: 'late',
      protocol: { name: 'fake' } as never,
      deliver: (o) => got.push(o),
      deliverPrepared: () => undefined,
      bufferedAmount: 0,
      supersede: () => undefined,
      kick: () => undefined,
    });
    expect(got).toContainEqual(expect.objectContaining({ kind: 'game', type: 'ls.start' }));
  });

  it('answers ls.ping with ls.pong carrying the same time', () => {
    const h = createHarness({ players: 1 });
    h.room.receiveSync('p1', 'ls.ping', { t: 1234 });
    expect(h.game('p1', 'ls.pong')).toEqual([{ t: 1234 }]);
  });
});

describe('lockstep engine: checksums', () => {
  const report = (turn: number, value: string) => ({ checksum: { turn, value } });

  it('compares an early turn among every player: its first report does not decide (turns before the input delay)', () => {
    const h = createHarness({ players: 3, lockstep: { inputDelayTurns: 2 } });
    h.tick(TURN); // turn 0 issued
    h.cmd('p3', 2, [], report(0, 'bad'));
    h.cmd('p1', 2, [], report(0, 'good'));
    expect(h.phase()).toBe('running.iterating');
    h.cmd('p2', 2, [], report(0, 'good'));
    expect(h.phase()).toBe('halted.divergence');
    const halt = h.game<Divergence>('p1', 'ls.halt');
    expect(halt).toEqual([
      {
        turn: 0,
        groups: [
          { checksum: 'good', seats: ['p1', 'p2'] },
          { checksum: 'bad', seats: ['p3'] },
        ],
        diverged: ['p3'],
      },
    ]);
  });

  it('records the agreed checksum of each turn in the exported log', () => {
    const h = createHarness({ players: 2, lockstep: { inputDelayTurns: 1 } });
    h.tick(TURN);
    for (let turn = 1; turn < 4; turn++) {
      for (const seat of h.players) h.cmd(seat, turn, [], report(turn - 1, `s${turn - 1}`));
      h.tick(TURN);
    }
    expect(h.engine.exportLog().checksums).toEqual([
      [0, 's0'],
      [1, 's1'],
      [2, 's2'],
    ]);
  });
});
