/**
 * The reliable channel chart (machines/reliable-channel.machine.ts): paths generated from the
 * machine itself by @xstate/graph and replayed on a real actor on a simulated clock, with the
 * runtime's actions replaced by spies.
 */
import { getSimplePaths } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { SnapshotFrom } from 'xstate';
import { createSimulatedClock } from 'chartroom';
import { reliableChannelMachine } from 'chartroom/machines';
import type { ReliableChannelEvent } from 'chartroom/machines';
import {
  activeDelayedEvents,
  describePath,
  handledEventTypes,
  nodesVisited,
  replay,
  stateNodeIds,
} from 'chartroom/testing';
import type { AnyPath } from 'chartroom/testing';

const RTO = 250;
const input = { maxTimeouts: 3 };
type Snapshot = SnapshotFrom<typeof reliableChannelMachine>;

const external: ReliableChannelEvent[] = [
  { type: 'SENT' },
  { type: 'ACKED', drained: true },
  { type: 'ACKED', drained: false },
  { type: 'CLOSE' },
];

/** Every path that visits no state twice: small for this chart, and it takes every transition. */
const paths: AnyPath[] = getSimplePaths(reliableChannelMachine, {
  input,
  events: (snapshot: Snapshot) => [...external, ...(activeDelayedEvents(snapshot) as never[])],
  serializeState: (snapshot: Snapshot) => JSON.stringify([snapshot.status, snapshot.value, snapshot.context]),
  limit: 5000,
});

function start() {
  const clock = createSimulatedClock();
  const calls: string[] = [];
  const spy = (name: string) => () => {
    calls.push(name);
  };
  const machine = reliableChannelMachine.provide({
    delays: { rto: RTO },
    actions: {
      retransmit: spy('retransmit'),
      backOff: spy('backOff'),
      giveUp: spy('giveUp'),
      release: spy('release'),
    },
  });
  const actor = createActor(machine, { input, clock }).start();
  return { actor, clock, calls };
}

describe('reliable channel chart', () => {
  it('reaches every state by generated paths', () => {
    const missed = stateNodeIds(reliableChannelMachine).filter(
      (id) => !nodesVisited(reliableChannelMachine, input, paths).has(id),
    );
    expect(missed).toEqual([]);
    expect(handledEventTypes(reliableChannelMachine)).toEqual(
      expect.arrayContaining(['ACKED', 'CLOSE', 'SENT']),
    );
  });

  // ACKED never leads to a state a simple path has not seen already, so its transitions are
  // checked here, from each state that handles it.
  it.each([
    ['awaitingAck', 0, false, 'awaitingAck'],
    ['awaitingAck', 0, true, 'idle'],
    ['retransmitting', 1, false, 'awaitingAck'],
    ['retransmitting', 2, true, 'idle'],
  ] as const)('in %s after %i timeouts, ACKED (drained %s) goes to %s', (from, timeouts, drained, to) => {
    const { actor, clock } = start();
    actor.send({ type: 'SENT' });
    clock.advance(RTO * timeouts);
    expect(actor.getSnapshot().value).toBe(from);
    actor.send({ type: 'ACKED', drained });
    expect(actor.getSnapshot()).toMatchObject({ value: to, context: { timeouts: 0 } });
  });

  it.each(paths.map((path) => [describePath(path), path] as const))(
    'replays %s on a real actor',
    async (_name, path) => {
      const { actor, clock } = start();
      await replay(path, { actor, clock, delays: { rto: RTO } });
      actor.stop();
    },
  );

  it('retransmits and backs off on every timeout, and gives up after maxTimeouts in a row', () => {
    const { actor, clock, calls } = start();
    actor.send({ type: 'SENT' });
    clock.advance(RTO * 3);
    expect(actor.getSnapshot().value).toBe('retransmitting');
    expect(calls).toEqual(['retransmit', 'backOff', 'retransmit', 'backOff', 'retransmit', 'backOff']);
    clock.advance(RTO);
    expect(calls.slice(-2)).toEqual(['giveUp', 'release']);
    expect(actor.getSnapshot().status).toBe('done');
  });

  it('forgets the timeouts once an acknowledgement shows progress', () => {
    const { actor, clock } = start();
    actor.send({ type: 'SENT' });
    clock.advance(RTO * 2);
    expect(actor.getSnapshot().context.timeouts).toBe(2);
    actor.send({ type: 'ACKED', drained: false });
    expect(actor.getSnapshot()).toMatchObject({ value: 'awaitingAck', context: { timeouts: 0 } });
    actor.send({ type: 'ACKED', drained: true });
    expect(actor.getSnapshot().value).toBe('idle');
    clock.advance(RTO * 10);
    expect(actor.getSnapshot().value).toBe('idle');
  });

  it('restarts the timer on an acknowledgement of new data (RFC 6298 5.3)', () => {
    const { actor, clock, calls } = start();
    actor.send({ type: 'SENT' });
    clock.advance(RTO - 1);
    actor.send({ type: 'ACKED', drained: false });
    clock.advance(RTO - 1);
    expect(calls).toEqual([]);
    clock.advance(1);
    expect(calls).toEqual(['retransmit', 'backOff']);
  });
});
