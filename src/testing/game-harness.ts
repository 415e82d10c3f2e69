/**
 * Run a game author's machine (or setup flow) on its own, as the room would: invoked by a
 * parent that records everything it sends up (`gameActions`: broadcasts, sends, replies,
 * configuration changes, the end), on an injected clock. No server, no sockets, synchronous:
 * the fastest way to unit-test, path-test and model-test a game machine.
 */
import { createActor, setup } from 'xstate';
import type {
  ActorRefFromLogic,
  AnyActorLogic,
  EventFromLogic,
  InputFrom,
  InspectionEvent,
  Observer,
  SnapshotFrom,
} from 'xstate';
import type { GameOutputEvent } from '../../machines/room.events.js';
import { createSimulatedClock } from '../core/clock.js';
import type { Clock } from '../core/clock.js';

export interface GameHarnessOptions<TLogic extends AnyActorLogic> {
  /** What the room would give it (`GameInput` for a game, `SetupFlowInput` for a setup flow). */
  readonly input: InputFrom<TLogic>;
  /** Default: a new simulated clock. */
  readonly clock?: Clock;
  /** XState inspection of the parent and the game (e.g. a Stately inspector's `inspect`). */
  readonly inspect?: Observer<InspectionEvent>;
}

export interface GameHarness<TLogic extends AnyActorLogic> {
  readonly clock: Clock;
  /** The game actor itself (e.g. for `replay` of generated paths). */
  readonly actor: ActorRefFromLogic<TLogic>;
  /** Everything the game sent its room, in order. */
  readonly outputs: readonly GameOutputEvent[];
  /** The game's snapshot (its last one once it has stopped). */
  snapshot(): SnapshotFrom<TLogic>;
  /** Send the game an event: a player message (`{ type, seatId, payload }`) or a `room.*` notification. */
  send(event: EventFromLogic<TLogic>): void;
  /** Messages broadcast so far (payloads of `game.broadcast` of that type). */
  broadcasts(type: string): unknown[];
  /** Messages sent to one seat so far (`game.send`, `game.reply` of that type). */
  sentTo(seatId: string, type: string): unknown[];
  /** How it ended: reached a final state (`output`), called `endGame` (`result`), or threw. */
  readonly ending:
    | { readonly kind: 'done'; readonly output: unknown }
    | { readonly kind: 'error'; readonly error: unknown }
    | undefined;
  stop(): void;
}

/**
 * @example
 * const game = createGameHarness(cardDuelMachine, { input: { roomId: 'r', seed: 1, config, players } });
 * game.send({ type: 'playCard', seatId: 'p1', payload: { card: 0 } });
 * expect(game.broadcasts('played')).toHaveLength(1);
 */
export function createGameHarness<TLogic extends AnyActorLogic>(
  logic: TLogic,
  options: GameHarnessOptions<TLogic>,
): GameHarness<TLogic> {
  const clock = options.clock ?? createSimulatedClock();
  const outputs: GameOutputEvent[] = [];
  let ending: GameHarness<TLogic>['ending'];
  let last: SnapshotFrom<TLogic> | undefined;

  const parent = setup({ actors: { game: logic as AnyActorLogic } }).createMachine({
    id: 'harness',
    invoke: {
      id: 'game',
      src: 'game',
      input: () => options.input,
      onDone: { actions: ({ event }) => void (ending = { kind: 'done', output: event.output }) },
      onError: { actions: ({ event }) => void (ending = { kind: 'error', error: event.error }) },
    },
    on: {
      '*': {
        actions: ({ event }) => {
          if (!event.type.startsWith('game.')) return;
          outputs.push(event as GameOutputEvent);
          if (event.type === 'game.end')
            ending = { kind: 'done', output: (event as { result?: unknown }).result };
        },
      },
    },
  });
  const actor = createActor(parent, { clock, ...(options.inspect ? { inspect: options.inspect } : {}) });
  actor.start();
  const game = actor.getSnapshot().children.game;
  if (!game) throw new Error('The game actor did not start.');
  last = game.getSnapshot() as SnapshotFrom<TLogic>;
  game.subscribe({
    next: (snapshot) => void (last = snapshot as SnapshotFrom<TLogic>),
    error: () => undefined,
  });

  const payloads = (match: (output: GameOutputEvent) => boolean) =>
    outputs
      .filter(match)
      .map((output) =>
        'message' in output && typeof output.message === 'object' ? output.message.payload : undefined,
      );

  return {
    clock,
    actor: game as ActorRefFromLogic<TLogic>,
    outputs,
    snapshot: () => (game.getSnapshot() ?? last) as SnapshotFrom<TLogic>,
    send: (event) => game.send(event),
    broadcasts: (type) => payloads((o) => o.type === 'game.broadcast' && o.message.type === type),
    sentTo: (seatId, type) =>
      payloads(
        (o) =>
          (o.type === 'game.send' || o.type === 'game.reply') &&
          o.seatId === seatId &&
          o.message.type === type,
      ),
    get ending() {
      return ending;
    },
    stop: () => actor.stop(),
  };
}
