/**
 * Path coverage of the connection chart: @xstate/graph walks the machine itself and every
 * path it generates is replayed on a real actor.
 *
 * Traversal: the external events are a fixed list; the internal ones are derived from the
 * snapshot, so a path only contains what the running system could really deliver there:
 * - `xstate.after.<delay>.<stateNodeId>` for each delayed transition of an active state node
 *   (named delays keep their name: `xstate.after.gracePeriod.connection.disconnected`);
 * - `xstate.done.actor.<id>` (with `output`) and `xstate.error.actor.<id>` (with `error`) for
 *   each actor an active state node invokes (verifyCredentials, resumeSeat, joinRoom).
 * The context (identity, seat) only takes the values these events carry, so the key is the
 * status, the state value and that context: lossless, hence every path's steps are the
 * snapshots the path really passes through.
 *
 * Replay: the three invoked actors are provided as promise actors that stay pending until the
 * test settles them, so a `xstate.done.actor.<id>` step resolves the pending promise of `<id>`
 * with the step's `output` and a `xstate.error.actor.<id>` step rejects it with its `error`;
 * the actor then produces the real done/error event itself. Delayed events are replayed by
 * advancing the simulated clock by the configured duration (and not one millisecond less).
 */
import { describe, expect, it } from 'vitest';
import { getShortestPaths, getSimplePaths } from '@xstate/graph';
import { createActor, fromPromise } from 'xstate';
import type { EventFromLogic, EventObject, SnapshotFrom } from 'xstate';
import { connectionMachine } from '../../machines/connection.machine.js';
import type {
  ConnectionEmitted,
  ConnectionInput,
  Identity,
  SeatRef,
} from '../../machines/connection.events.js';
import { createSimulatedClock } from '../../src/core/clock.js';
import {
  activeDelayedEvents,
  activeInvokeIds,
  describePath,
  flushPromises,
  handledEventTypes,
  nodesVisited,
  replay,
  stateNodeIds,
  transientStateNodeIds,
} from 'chartroom/testing';
import type { AnyPath } from 'chartroom/testing';

type ConnectionSnapshot = SnapshotFrom<typeof connectionMachine>;
type ConnectionEventOf = EventFromLogic<typeof connectionMachine>;

const input: ConnectionInput = {
  connectionId: 'conn-1',
  // Distinct durations, so a wrong timer firing would land in a different state.
  timing: {
    handshakeTimeoutMs: 1_000,
    heartbeatIntervalMs: 2_000,
    heartbeatTimeoutMs: 500,
    gracePeriodMs: 3_000,
  },
};
const delays = {
  handshakeTimeout: input.timing.handshakeTimeoutMs,
  heartbeatInterval: input.timing.heartbeatIntervalMs,
  heartbeatTimeout: input.timing.heartbeatTimeoutMs,
  gracePeriod: input.timing.gracePeriodMs,
};

const identity: Identity = { userId: 'ada', name: 'Ada', roomId: 'room-1' };
const playerSeat: SeatRef = { roomId: 'room-1', seatId: 'p1', role: 'player' };
const viewerSeat: SeatRef = { roomId: 'room-1', seatId: 'v2', role: 'viewer' };
const refusal = Object.assign(new Error('refused by the test'), { code: 'ROOM_FULL' });

const external: ConnectionEventOf[] = [
  { type: 'LINK_OPEN' },
  { type: 'LINK_CLOSED' },
  { type: 'AUTHENTICATE', token: 'token-1' },
  { type: 'RESUME', resumeToken: 'resume-1' },
  { type: 'JOIN', roomId: 'room-1' },
  { type: 'JOIN', roomId: 'room-1', role: 'viewer' },
  { type: 'LEAVE' },
  { type: 'PONG' },
  { type: 'ROOM_MESSAGE', intent: { kind: 'ready', ready: true } },
  { type: 'SUPERSEDED' },
  { type: 'KICK', code: 'SERVER_SHUTDOWN', message: 'bye' },
];

/** Outcomes of each invoked actor: every `output` it may resolve with, and its failure. */
const outcomes: Record<string, { outputs: unknown[]; error: unknown }> = {
  verifyCredentials: { outputs: [identity], error: refusal },
  resumeSeat: { outputs: [{ identity, seat: playerSeat }], error: refusal },
  joinRoom: { outputs: [playerSeat, viewerSeat], error: refusal },
};

const internal = (event: EventObject & Record<string, unknown>): ConnectionEventOf =>
  event as ConnectionEventOf;

const triedTypes = new Set<string>();

function eventsFor(snapshot: ConnectionSnapshot): ConnectionEventOf[] {
  const actorEvents = activeInvokeIds(snapshot).flatMap((id) => {
    const outcome = outcomes[id];
    if (!outcome) throw new Error(`no outcomes for the invoked actor ${id}`);
    return [
      ...outcome.outputs.map((output) => internal({ type: `xstate.done.actor.${id}`, output })),
      internal({ type: `xstate.error.actor.${id}`, error: outcome.error }),
    ];
  });
  const events = [...external, ...activeDelayedEvents(snapshot).map(internal), ...actorEvents];
  events.forEach((event) => triedTypes.add(event.type));
  return events;
}

const serializeState = (snapshot: ConnectionSnapshot): string =>
  JSON.stringify([snapshot.status, snapshot.value, snapshot.context.identity, snapshot.context.seat]);

const traversal = {
  input,
  events: eventsFor,
  serializeState,
  stopWhen: (snapshot: ConnectionSnapshot) => snapshot.status !== 'active',
  limit: 20_000,
};
const shortestPaths: AnyPath[] = getShortestPaths(connectionMachine, traversal);
/** Every path that visits no state twice: a much larger set, still small enough to replay. */
const simplePaths: AnyPath[] = getSimplePaths(connectionMachine, traversal);

interface Pending {
  readonly id: string;
  readonly input: unknown;
  readonly resolve: (output: never) => void;
  readonly reject: (error: unknown) => void;
}

/** A real connection actor whose invoked actors wait for `settle`. */
function startConnection() {
  const pending: Pending[] = [];
  const waitFor =
    (id: string) =>
    ({ input: actorInput }: { input: unknown }) =>
      new Promise<never>((resolve, reject) => pending.push({ id, input: actorInput, resolve, reject }));
  const machine = connectionMachine.provide({
    actors: {
      verifyCredentials: fromPromise<Identity, { token: string }>(waitFor('verifyCredentials')),
      resumeSeat: fromPromise<
        { identity: Identity; seat: SeatRef },
        { resumeToken: string; connectionId: string }
      >(waitFor('resumeSeat')),
      joinRoom: fromPromise<SeatRef, { identity: Identity; roomId: string; connectionId: string }>(
        waitFor('joinRoom'),
      ),
    },
  });
  const clock = createSimulatedClock();
  const actor = createActor(machine, { input, clock });
  const emitted: ConnectionEmitted[] = [];
  actor.on('*', (event) => emitted.push(event));
  actor.start();

  const settle = async (event: EventObject): Promise<void> => {
    const done = event.type.startsWith('xstate.done.actor.');
    const id = event.type.replace(/^xstate\.(done|error)\.actor\./, '');
    const invocation = pending.filter((p) => p.id === id).at(-1);
    expect(invocation, `a pending ${id}`).toBeDefined();
    // The invoked actors get what the connection knows.
    if (id === 'verifyCredentials') expect(invocation!.input).toEqual({ token: 'token-1' });
    if (id === 'resumeSeat')
      expect(invocation!.input).toEqual({ resumeToken: 'resume-1', connectionId: 'conn-1' });
    if (id === 'joinRoom')
      expect(invocation!.input).toMatchObject({ identity, roomId: 'room-1', connectionId: 'conn-1' });
    pending.splice(pending.indexOf(invocation!), 1);
    if (done) invocation!.resolve((event as { output?: unknown }).output as never);
    else invocation!.reject((event as { error?: unknown }).error);
    await flushPromises();
  };
  return { actor, clock, emitted, settle };
}

async function run(path: AnyPath) {
  const connection = startConnection();
  await replay(path, { actor: connection.actor, clock: connection.clock, delays, settle: connection.settle });
  connection.actor.stop();
  return connection.emitted;
}

describe('connection chart, paths generated by @xstate/graph', () => {
  it('reaches every state of the connection chart by generated paths', () => {
    const all = stateNodeIds(connectionMachine);
    expect(all).toContain('connection.live.heartbeat.awaitingPong');
    expect(all.filter((id) => !nodesVisited(connectionMachine, input, shortestPaths).has(id))).toEqual([]);
  });

  it('comes to rest in every state but the transient inRoom.entering router', () => {
    const transient = transientStateNodeIds(connectionMachine);
    expect(transient).toEqual(['connection.live.session.inRoom.entering']);
    const resting = new Set(shortestPaths.flatMap((path) => path.state._nodes.map((node) => node.id)));
    expect(stateNodeIds(connectionMachine).filter((id) => !resting.has(id))).toEqual(transient);
  });

  it('tries every event type the connection chart handles while generating paths', () => {
    expect(handledEventTypes(connectionMachine).filter((type) => !triedTypes.has(type))).toEqual([]);
  });

  it('replays every simple path (the shortest ones included) on a real connection actor to the same state', async () => {
    expect(simplePaths.length).toBeGreaterThan(shortestPaths.length);
    for (const path of simplePaths) await run(path);
  });

  it('never closes a seated connection without releasing its seat or handing it over', async () => {
    let seatedAndClosed = 0;
    for (const path of simplePaths) {
      if (path.state.status !== 'done') continue;
      const emitted = await run(path);
      const joined = emitted.filter((event) => event.type === 'joined').length;
      const released = emitted.filter((event) => event.type === 'seatReleased').length;
      const supersededAway = path.steps.at(-1)?.event.type === 'SUPERSEDED';
      const stillSeated = path.steps.at(-2)?.state.context.seat !== undefined;
      if (joined === 0) continue;
      seatedAndClosed += 1;
      // Each seat taken is released once (left, kicked, grace expired), except the last one
      // when another link took it over.
      expect(released, describePath(path)).toBe(supersededAway && stillSeated ? joined - 1 : joined);
    }
    expect(seatedAndClosed).toBeGreaterThan(10);
  });
});
