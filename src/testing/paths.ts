/**
 * Path generation for statecharts with @xstate/graph, and replay of the generated paths on a
 * real actor: the test kit's model-based testing of a chart from its own definition.
 *
 * @xstate/graph walks a machine with pure transitions: actions are not executed, so delayed
 * transitions (`after`) and invoked actors never complete on their own. A traversal therefore
 * sends their internal events itself:
 *
 * - `xstate.after.<delay>.<stateNodeId>` for a delayed transition (named delays keep their
 *   name, e.g. `xstate.after.gracePeriod.connection.disconnected`);
 * - `xstate.done.actor.<invokeId>` with `output`, and `xstate.error.actor.<invokeId>` with
 *   `error`, for an invoked actor that completes or fails.
 *
 * A replay on a real actor never sends those: it advances the simulated clock for a delayed
 * event, and asks the test to make the invoked actor settle for a done/error event.
 */
import { getShortestPaths, getStateNodes } from '@xstate/graph';
import type { StatePath } from '@xstate/graph';
import { getInitialMicrosteps, getMicrosteps } from 'xstate';
import type { AnyActorRef, AnyMachineSnapshot, AnyStateMachine, EventObject } from 'xstate';
import type { SimulatedClock } from '../core/clock.js';
import { statePath } from '../core/state-path.js';

export type AnyPath = StatePath<AnyMachineSnapshot, EventObject>;

/** Every state node of a machine (the root excluded), computed from its definition. */
export function stateNodeIds(machine: AnyStateMachine): string[] {
  return getStateNodes(machine.root).map((node) => node.id);
}

/** State nodes that always leave at once: an eventless transition without a guard. */
export function transientStateNodeIds(machine: AnyStateMachine): string[] {
  return getStateNodes(machine.root)
    .filter((node) => node.always?.some((transition) => transition.guard === undefined))
    .map((node) => node.id);
}

/** Every event type some state node of the machine (the root included) has a transition for. */
export function handledEventTypes(machine: AnyStateMachine): string[] {
  const nodes = [machine.root, ...getStateNodes(machine.root)];
  return [...new Set(nodes.flatMap((node) => [...node.transitions.keys()]))].sort();
}

/** Internal events a snapshot can really receive: its active delayed transitions' events. */
export function activeDelayedEvents(snapshot: AnyMachineSnapshot): { type: string }[] {
  const types = snapshot._nodes.flatMap((node) => node.after.map((transition) => transition.eventType));
  return [...new Set(types)].map((type) => ({ type }));
}

/** Ids of the actors a snapshot's active state nodes invoke. */
export function activeInvokeIds(snapshot: AnyMachineSnapshot): string[] {
  return snapshot._nodes.flatMap((node) => node.invoke.map((invoke) => invoke.id));
}

/**
 * The state nodes the paths pass through, microstep by microstep: an eventless (`always`)
 * routing state is active only between microsteps, never in a path's stable states. Paths
 * share their steps' snapshot objects, so each (snapshot, event) edge is expanded once.
 */
export function nodesVisited(
  machine: AnyStateMachine,
  input: unknown,
  paths: readonly AnyPath[],
): Set<string> {
  const visited = new Set<string>();
  const add = (snapshot: AnyMachineSnapshot) => snapshot._nodes.forEach((node) => visited.add(node.id));
  getInitialMicrosteps(machine, input).forEach(([snapshot]) => add(snapshot));
  const expanded = new Map<AnyMachineSnapshot, Set<EventObject>>();
  for (const path of paths) {
    path.steps.forEach((step, index) => {
      const previous = path.steps[index - 1];
      if (!previous) return;
      const events = expanded.get(previous.state) ?? new Set<EventObject>();
      expanded.set(previous.state, events);
      if (events.has(step.event)) return;
      events.add(step.event);
      getMicrosteps(machine, previous.state, step.event).forEach(([snapshot]) => add(snapshot));
    });
  }
  visited.delete(machine.root.id);
  return visited;
}

/** What a replay compares between the generated path and the real actor. */
export const observed = (snapshot: AnyMachineSnapshot) => ({
  state: statePath(snapshot.value),
  status: snapshot.status,
  context: snapshot.context as unknown,
});

export const describePath = (path: AnyPath): string => path.steps.map((step) => step.event.type).join(' > ');

/** Lets promise callbacks run: no timer is involved, only the macrotask queue turning once. */
export const flushPromises = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Thrown by `replay` when the actor and the generated path part ways. */
export class PathMismatchError extends Error {
  constructor(
    message: string,
    readonly expected: unknown,
    readonly actual: unknown,
  ) {
    super(`${message}\n  expected: ${JSON.stringify(expected)}\n  actual:   ${JSON.stringify(actual)}`);
    this.name = 'PathMismatchError';
  }
}

/** Structural equality of plain data (what `observed` returns). */
function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
  const keysB = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) =>
    sameData((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}

function expectSame(actual: unknown, expected: unknown, message: string): void {
  if (!sameData(actual, expected)) throw new PathMismatchError(message, expected, actual);
}

export interface ReplayOptions {
  readonly actor: AnyActorRef;
  readonly clock: SimulatedClock;
  /** Milliseconds of each named delay of the machine, as configured for this actor. */
  readonly delays: Readonly<Record<string, number>>;
  /** Make the invoked actor behind an `xstate.done.actor.*` / `xstate.error.actor.*` event settle. */
  readonly settle?: (event: EventObject) => void | Promise<void>;
}

/**
 * Replays a generated path on a real actor and checks, after every step, that the actor is
 * in the state (value, status and context) the path says; throws `PathMismatchError` if not.
 * A delayed event is replayed by advancing the simulated clock, and must not fire a
 * millisecond early.
 *
 * @example
 * for (const path of getShortestPaths(machine, { input, events })) {
 *   const clock = createSimulatedClock();
 *   const actor = createActor(machine, { input, clock }).start();
 *   await replay(path, { actor, clock, delays: { turnTimer: 30_000 } });
 * }
 */
export async function replay(path: AnyPath, { actor, clock, delays, settle }: ReplayOptions): Promise<void> {
  const where = describePath(path);
  const [initial, ...steps] = path.steps;
  if (initial?.event.type !== 'xstate.init') {
    throw new PathMismatchError(
      `path ${where} does not start with xstate.init`,
      'xstate.init',
      initial?.event.type,
    );
  }
  expectSame(observed(actor.getSnapshot()), observed(initial.state), `initial state of ${where}`);
  for (const [index, step] of steps.entries()) {
    const { type } = step.event;
    if (type.startsWith('xstate.after.')) {
      const delay = type.slice('xstate.after.'.length).split('.')[0] ?? '';
      const ms = delays[delay] ?? (/^\d+$/.test(delay) ? Number(delay) : undefined);
      if (ms === undefined) {
        throw new PathMismatchError(
          `no duration for the delay "${delay}" in ${where}`,
          'a number',
          undefined,
        );
      }
      const before = observed(actor.getSnapshot());
      clock.advance(ms - 1);
      expectSame(observed(actor.getSnapshot()), before, `${type} fired early in ${where}`);
      clock.advance(1);
    } else if (type.startsWith('xstate.done.actor.') || type.startsWith('xstate.error.actor.')) {
      if (!settle)
        throw new PathMismatchError(`${type} in ${where} needs a settle option`, 'settle', undefined);
      await settle(step.event);
    } else {
      actor.send(step.event);
    }
    expectSame(
      observed(actor.getSnapshot()),
      observed(step.state),
      `step ${index + 1} (${type}) of ${where}`,
    );
  }
}

export interface PathCoverageOptions<TSnapshot extends AnyMachineSnapshot, TEvent extends EventObject> {
  readonly input?: unknown;
  /** The events to try in a state (a function of the snapshot, or a fixed list). */
  readonly events: readonly TEvent[] | ((snapshot: TSnapshot) => readonly TEvent[]);
  /** A lossless key of a snapshot (status, value and every context field that changes). */
  readonly serializeState?: (snapshot: TSnapshot) => string;
  /** Tried transitions before the traversal gives up. Default 50,000. */
  readonly limit?: number;
}

export interface PathCoverage {
  readonly paths: AnyPath[];
  /** State nodes no path passes through (microsteps included). */
  readonly unreachedStates: string[];
  /** Event types the machine handles that the traversal never tried. */
  readonly untriedEvents: string[];
}

/**
 * The shortest path to every distinct state of a machine, and what they leave out: every
 * state node should be reached and every handled event type tried.
 *
 * @example
 * const { paths, unreachedStates, untriedEvents } = pathCoverage(gameMachine, { input, events: eventsFor });
 * expect(unreachedStates).toEqual([]);
 * expect(untriedEvents).toEqual([]);
 */
export function pathCoverage<TSnapshot extends AnyMachineSnapshot, TEvent extends EventObject>(
  machine: AnyStateMachine,
  options: PathCoverageOptions<TSnapshot, TEvent>,
): PathCoverage {
  const tried = new Set<string>();
  const eventsFor = (snapshot: TSnapshot) => {
    const events = typeof options.events === 'function' ? options.events(snapshot) : options.events;
    events.forEach((event) => tried.add(event.type));
    return events as TEvent[];
  };
  const paths = getShortestPaths(machine, {
    input: options.input,
    events: eventsFor as never,
    ...(options.serializeState ? { serializeState: options.serializeState as never } : {}),
    limit: options.limit ?? 50_000,
  }) as AnyPath[];
  const visited = nodesVisited(machine, options.input, paths);
  return {
    paths,
    unreachedStates: stateNodeIds(machine).filter((id) => !visited.has(id)),
    untriedEvents: handledEventTypes(machine).filter((type) => !tried.has(type)),
  };
}
