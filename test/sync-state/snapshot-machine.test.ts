/**
 * Path coverage of the snapshot/delta world cycle (machines/snapshot.machine.ts): @xstate/graph
 * walks the chart itself (up to two ticks, so the paths stay finite), every path is replayed on
 * a real actor on a simulated clock, and the runtime hooks fire exactly where the chart says.
 */
import { describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import type { AnyMachineSnapshot, EventObject } from 'xstate';
import { snapshotMachine } from '../../machines/snapshot.machine.js';
import type { GameInput } from '../../machines/room.machine.js';
import { activeDelayedEvents, createSimulatedClock, pathCoverage, replay } from 'chartroom/testing';

const input: GameInput = { roomId: 'room-1', seed: 7, config: {}, players: [] };
const MAX_TICKS = 2;

const seatEvents: EventObject[] = [
  { type: 'room.paused' },
  { type: 'room.resumed' },
  { type: 'room.playerJoined', seatId: 'p1', userId: 'u1', name: 'Ada' } as EventObject,
  { type: 'room.playerLeft', seatId: 'p1' } as EventObject,
  { type: 'room.playerDisconnected', seatId: 'p1' } as EventObject,
];

const coverage = pathCoverage(snapshotMachine, {
  input,
  events: (snapshot: AnyMachineSnapshot) => [
    ...seatEvents,
    ...((snapshot.context as { tick: number }).tick < MAX_TICKS ? activeDelayedEvents(snapshot) : []),
  ],
  serializeState: (snapshot: AnyMachineSnapshot) => JSON.stringify([snapshot.value, snapshot.context]),
});

describe('snapshot world cycle chart', () => {
  it('reaches every state and tries every event it handles', () => {
    expect(coverage.unreachedStates).toEqual([]);
    expect(coverage.untriedEvents).toEqual([]);
    expect(coverage.paths.length).toBeGreaterThan(5);
  });

  it('replays every path on a real actor, calling the runtime hooks where the chart says', async () => {
    for (const path of coverage.paths) {
      const hooks = {
        startWorld: vi.fn(),
        holdWorld: vi.fn(),
        resumeClock: vi.fn(),
        addPlayer: vi.fn(),
        removePlayer: vi.fn(),
        playerAway: vi.fn(),
      };
      const clock = createSimulatedClock();
      const actor = createActor(snapshotMachine.provide({ actions: hooks }), { input, clock }).start();
      await replay(path, { actor, clock, delays: { tickDelay: 50 } });
      const types = path.steps.map((step) => step.event.type);
      const count = (type: string) => types.filter((t) => t === type).length;
      const pauses = path.steps.filter(
        (step, i) => step.event.type === 'room.paused' && path.steps[i - 1]?.state.value === 'ticking',
      ).length;
      expect(hooks.startWorld).toHaveBeenCalledTimes(1);
      expect(hooks.holdWorld).toHaveBeenCalledTimes(pauses);
      expect(hooks.addPlayer).toHaveBeenCalledTimes(count('room.playerJoined'));
      expect(hooks.removePlayer).toHaveBeenCalledTimes(count('room.playerLeft'));
      expect(hooks.playerAway).toHaveBeenCalledTimes(count('room.playerDisconnected'));
      expect(actor.getSnapshot().context.tick).toBe(count('xstate.after.tickDelay.snapshot.ticking'));
      actor.stop();
    }
  });

  it('never ticks while paused', () => {
    const clock = createSimulatedClock();
    const actor = createActor(snapshotMachine, { input, clock }).start();
    clock.advance(120);
    actor.send({ type: 'room.paused' });
    clock.advance(1000);
    expect(actor.getSnapshot().context.tick).toBe(2);
    actor.send({ type: 'room.resumed' });
    clock.advance(50);
    expect(actor.getSnapshot().context.tick).toBe(3);
  });
});
