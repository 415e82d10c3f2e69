/**
 * Path coverage of the room chart: @xstate/graph walks the machine itself and every path it
 * generates is replayed on a real actor.
 *
 * Traversal: events are a function of the state (seat events name the seats that exist), with
 * three users (two would-be players, one viewer) in a room of two player seats and one viewer
 * seat, pausing on disconnect so `running.paused.disconnected` is reachable. The `running`
 * state's game actor never runs in a pure traversal, so its completion is the internal event
 * `xstate.done.actor.game` (with `output`) and its failure `xstate.error.actor.game` (with
 * `error`). The same holds for the setup flow invoked in `setup` (`xstate.done.actor.setupFlow`,
 * `xstate.error.actor.setupFlow`): the room type of this traversal has one, so the game starts
 * only once it is done, and game messages in setup go to it.
 *
 * Replay: the room gets a small game machine; a done/error event of the path is replayed by
 * telling that game to finish (final state with the output) or to crash (an action throws the
 * error), so the room sees the real `xstate.done.actor.game` / `xstate.error.actor.game`.
 */
import { describe, expect, it, vi } from 'vitest';
import { getShortestPaths } from '@xstate/graph';
import { assign, createActor, setup } from 'xstate';
import type { ActorRefFrom, EventFromLogic, EventObject, SnapshotFrom } from 'xstate';
import { roomMachine } from '../../machines/room.machine.js';
import type { RoomInput } from '../../machines/room.events.js';
import {
  activeInvokeIds,
  createSimulatedClock,
  handledEventTypes,
  replay,
  stateNodeIds,
  transientStateNodeIds,
} from 'chartroom/testing';
import type { AnyPath } from 'chartroom/testing';

type RoomSnapshot = SnapshotFrom<typeof roomMachine>;
type RoomEventOf = EventFromLogic<typeof roomMachine>;

const input: RoomInput = {
  roomId: 'room-1',
  type: 'test-game',
  seed: 7,
  config: { rounds: 1 },
  options: { capacity: 2, minPlayers: 2, maxViewers: 1, lateJoin: 'viewer', pauseOnDisconnect: true },
  setupFlow: true,
};

/** Internal events of the invoked game actor (see the header). */
const gameDone = { type: 'xstate.done.actor.game', output: { winner: 'p1' } };
const gameError = { type: 'xstate.error.actor.game', error: new Error('game crashed') };
const flowDone = { type: 'xstate.done.actor.setupFlow', output: undefined };
const flowError = { type: 'xstate.error.actor.setupFlow', error: new Error('setup flow crashed') };

const internal = (event: EventObject & Record<string, unknown>): RoomEventOf => event as RoomEventOf;

const triedTypes = new Set<string>();

/**
 * Would-be occupants, admitted in this order only (`ada` gets p1, `bob` p2, `cy` v3), so seat
 * ids never depend on the order of joins; a seated user may still join again (rejoin, or
 * refused as already joined). Together with at most one accepted setup command and at most
 * one away seat at a time, this keeps the traversal to about 1,500 states.
 */
const occupants = [
  { type: 'JOIN', connectionId: 'c-ada', userId: 'ada', name: 'Ada' },
  { type: 'JOIN', connectionId: 'c-bob', userId: 'bob', name: 'Bob' },
  { type: 'JOIN', connectionId: 'c-cy', userId: 'cy', name: 'Cy', role: 'viewer' },
] as const satisfies readonly RoomEventOf[];
const MAX_CONFIG_VERSION = 1;

function eventsFor(snapshot: RoomSnapshot): RoomEventOf[] {
  const { context } = snapshot;
  const seats = Object.values(context.seats);
  const first = seats[0]?.seatId ?? 'p0';
  const someoneAway = seats.some((seat) => !seat.connected && !seat.left);
  const events: RoomEventOf[] = [
    ...occupants.filter(
      (join, index) =>
        index + 1 === context.nextSeat || seats.some((seat) => seat.userId === join.userId && !seat.left),
    ),
    { type: 'PAUSE', seatId: first },
    { type: 'RESUME', seatId: first },
    { type: 'LAGGING', seatIds: [first] },
    { type: 'CAUGHT_UP' },
    { type: 'GAME_MESSAGE', seatId: first, message: { type: 'move', payload: 1 } },
    { type: 'GAME_REPLY', seatId: first, requestId: 1, ok: true, payload: null },
    { type: 'game.broadcast', message: { type: 'tick', payload: 1 } },
    { type: 'game.send', seatId: first, message: { type: 'hint', payload: 1 } },
    { type: 'game.reply', seatId: first, requestId: 1, message: { type: 'answer', payload: 1 } },
    { type: 'game.replyError', seatId: first, requestId: 1, message: 'no' },
    { type: 'game.end', result: { winner: 'p2' } },
    { type: 'HALT', cause: 'divergence', detail: 'checksums differ' },
    { type: 'HALT', cause: 'fault', detail: 'host failed' },
    { type: 'CLOSE', reason: 'shutdown' },
    // Only an invoked (running) game can finish or fail.
    ...(activeInvokeIds(snapshot).includes('game') ? [internal(gameDone), internal(gameError)] : []),
    // The setup flow, while it runs: its outputs, its configuration change, its end.
    ...(context.setupFlow === 'active' && activeInvokeIds(snapshot).includes('setupFlow')
      ? [internal(flowDone), internal(flowError)]
      : []),
    ...(context.setupFlow === 'active' && context.configVersion < MAX_CONFIG_VERSION
      ? [{ type: 'game.config' as const, config: { rounds: 2 } }]
      : []),
  ];
  for (const { seatId, ready, connected, left } of seats) {
    events.push({ type: 'LEAVE', seatId });
    if (!left && connected && !someoneAway) events.push({ type: 'DISCONNECTED', seatId });
    if (!left && !connected) events.push({ type: 'RECONNECTED', seatId });
    events.push({ type: 'READY', seatId, ready: !ready });
    if (context.configVersion < MAX_CONFIG_VERSION) {
      events.push({ type: 'SETUP_COMMAND', seatId, command: { rounds: 3 } });
    }
  }
  events.forEach((event) => triedTypes.add(event.type));
  return events;
}

/**
 * Status, state value and every context field that can change. The key must determine the whole
 * context: @xstate/graph keeps one snapshot per key and builds every path's steps and events
 * from it, so a lossy key (say, without seat ids) yields paths whose events do not apply to
 * the states they really reach. The bounds above keep the keys finite instead.
 */
function serializeState(snapshot: RoomSnapshot): string {
  const { seats, nextSeat, configVersion, config, halt, result, setupFlow } = snapshot.context;
  const seatKeys = Object.values(seats).map(
    (s) =>
      `${s.seatId}=${s.userId}:${s.role}:${s.ready ? 'R' : ''}${s.connected ? 'C' : ''}${s.left ? 'L' : ''}`,
  );
  return JSON.stringify([
    snapshot.status,
    snapshot.value,
    seatKeys,
    nextSeat,
    configVersion,
    config,
    halt ?? null,
    result ?? null,
    setupFlow,
  ]);
}

const paths: AnyPath[] = getShortestPaths(roomMachine, {
  input,
  events: eventsFor,
  serializeState,
  // A final (or failed) room answers nothing; stop there. `limit` counts tried transitions.
  stopWhen: (snapshot) => snapshot.status !== 'active',
  limit: 50_000,
});

/** A game for the replay: finishes or crashes when the test tells it to. */
const testGame = setup({
  types: {
    context: {} as { output: unknown },
    events: {} as { type: 'test.finish'; output: unknown } | { type: 'test.crash'; error: unknown },
  },
}).createMachine({
  context: { output: undefined },
  initial: 'playing',
  states: {
    playing: {
      on: {
        'test.finish': { target: 'finished', actions: assign({ output: ({ event }) => event.output }) },
        'test.crash': {
          actions: ({ event }) => {
            throw event.error;
          },
        },
      },
    },
    finished: { type: 'final' },
  },
  output: ({ context }) => context.output,
});

const roomWithGame = roomMachine.provide({
  actors: { game: testGame as never, setupFlow: testGame as never },
});

describe('room chart, paths generated by @xstate/graph', () => {
  it('reaches every state of the room chart by generated paths', () => {
    const all = stateNodeIds(roomMachine);
    // The room chart has no transient routing state: each node is where some path comes to rest.
    expect(transientStateNodeIds(roomMachine)).toEqual([]);
    const reached = new Set(paths.flatMap((path) => path.state._nodes.map((node) => node.id)));
    expect(all).toContain('room.running.paused.disconnected');
    expect(all.filter((id) => !reached.has(id))).toEqual([]);
  });

  it('tries every event type the room chart handles while generating paths', () => {
    expect(handledEventTypes(roomMachine).filter((type) => !triedTypes.has(type))).toEqual([]);
  });

  it('replays every generated path on a real room actor to the same state and context', async () => {
    expect(paths.length).toBeGreaterThan(100);
    // Leaving `running.paused` always tells the game `room.resumed` (an exit action), even when
    // the room ends because the game itself finished; XState then warns that the finished game
    // cannot take the event. That is the only warning a replay may produce.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      for (const path of paths) {
        const clock = createSimulatedClock();
        const actor = createActor(roomWithGame, { input, clock }).start();
        await replay(path, {
          actor,
          clock,
          delays: {},
          settle: (event) => {
            // The room's children are typed after its defaults; both are the test game here.
            const id = event.type.endsWith('.setupFlow') ? 'setupFlow' : 'game';
            const children = actor.getSnapshot().children as Record<string, unknown>;
            const child = children[id] as ActorRefFrom<typeof testGame> | undefined;
            expect(child, `a running ${id} for ${event.type}`).toBeDefined();
            if (event.type.startsWith('xstate.done.actor.')) {
              child!.send({ type: 'test.finish', output: (event as { output?: unknown }).output });
            } else child!.send({ type: 'test.crash', error: (event as { error?: unknown }).error });
          },
        });
        actor.stop();
      }
      const warnings = warn.mock.calls.map(([message]) => String(message));
      expect(
        warnings.filter(
          (message) => !message.startsWith('Event "room.resumed" was sent to stopped actor "game'),
        ),
      ).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});
