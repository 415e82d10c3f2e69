/**
 * Command model of the room machine (fast-check `fc.commands` + `fc.modelRun`).
 *
 * The model is an independent, plain-data account of a room: who holds which seat, the
 * configuration, and where the chart should be. Every command sends one or more events to a
 * real room actor (simulated clock, a game actor that records what it was started with) and,
 * after each event, compares the actor with the model and checks the room's invariants:
 *
 * - no player lost: every seat the model admitted and did not remove is in `context.seats`;
 * - config broadcast after every change: an accepted SETUP_COMMAND bumps `configVersion`,
 *   merges into the config, resets readiness and is followed in the same step by a
 *   `roomChanged` that sees the new config; no config change happens without one;
 * - running only when all ready: `running` is entered only when every active player is ready
 *   and there are at least `minPlayers` of them, and the game starts with exactly those;
 * - players locked while running: a JOIN while running never adds a player seat; it becomes a
 *   viewer (lateJoin 'viewer' with a viewer seat free), a rejoin of the user's own seat, or a
 *   refusal (ROOM_LOCKED, or ROOM_ALREADY_JOINED for a connected seat holder).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback } from 'xstate';
import type { Actor, EventObject } from 'xstate';
import { roomMachine } from '../../machines/room.machine.js';
import type { GameInput, RoomContext } from '../../machines/room.machine.js';
import type {
  LateJoinPolicy,
  Role,
  RoomEmitted,
  RoomEvent,
  RoomOptions,
  RoomRefusalCode,
  Seat,
} from '../../machines/room.events.js';
import { createSimulatedClock } from '../../src/core/clock.js';
import { statePath } from '../../src/core/state-path.js';

type Phase =
  | 'setup.open'
  | 'setup.readyCheck'
  | 'running.iterating'
  | 'running.paused.requested'
  | 'running.paused.lagging'
  | 'running.paused.disconnected'
  | 'halted.divergence'
  | 'halted.fault'
  | 'ended';

type Stage = 'setup' | 'running' | 'halted' | 'ended';

const stageOf = (phase: Phase): Stage => phase.split('.')[0] as Stage;

/** An emitted event as the model predicts it (refusal messages are prose, not compared). */
type Expected =
  | Exclude<RoomEmitted, { type: 'joinRefused' | 'refused' | 'roomChanged' }>
  | { type: 'joinRefused'; connectionId: string; code: RoomRefusalCode }
  | { type: 'refused'; seatId: string; code: RoomRefusalCode; ref: string };

/** What a refusal names, protocol-neutral: an intent kind or the game message's type. */
function refOf(event: RoomEvent): string {
  const kinds: Partial<Record<RoomEvent['type'], string>> = {
    READY: 'ready',
    SETUP_COMMAND: 'setup',
    PAUSE: 'pause',
    RESUME: 'pause',
  };
  if (event.type === 'GAME_MESSAGE') return event.message.type;
  return kinds[event.type] ?? event.type.toLowerCase();
}

const withoutProse = (event: RoomEmitted): Expected | undefined => {
  if (event.type === 'roomChanged') return undefined;
  if (event.type === 'joinRefused' || event.type === 'refused') {
    const { message: _message, ...rest } = event;
    return rest;
  }
  return event;
};

interface Outcome {
  readonly outputs: Expected[];
  /** The step must emit at least one `roomChanged`. */
  readonly broadcast: boolean;
  /** A SETUP_COMMAND was accepted. */
  readonly configChanged: boolean;
}

class RoomModel {
  phase: Phase = 'setup.open';
  readonly seats = new Map<string, Seat>();
  nextSeat = 1;
  config: Record<string, unknown> = { target: 5 };
  configVersion = 0;
  connections = 0;
  /** Players the game was started with, in seat order, if it was. */
  startedWith: string[] | undefined;

  constructor(readonly options: RoomOptions) {}

  activePlayers(): Seat[] {
    return [...this.seats.values()].filter((seat) => seat.role === 'player' && !seat.left);
  }

  private count(role: Role): number {
    return [...this.seats.values()].filter((seat) => seat.role === role && !seat.left).length;
  }

  private holderOf(userId: string): Seat | undefined {
    return [...this.seats.values()].find((seat) => seat.userId === userId && !seat.left);
  }

  private patch(seatId: string, patch: Partial<Seat>): void {
    const seat = this.seats.get(seatId);
    if (seat) this.seats.set(seatId, { ...seat, ...patch });
  }

  allReady(): boolean {
    const players = this.activePlayers();
    return players.length >= this.options.minPlayers && players.every((seat) => seat.ready);
  }

  private playerAway(): boolean {
    return this.options.pauseOnDisconnect && this.activePlayers().some((seat) => !seat.connected);
  }

  /** The chart's eventless transitions, taken until none applies. */
  private settle(): void {
    for (;;) {
      const players = this.activePlayers();
      if (this.phase.startsWith('running') && players.length === 0 && !this.options.persistent) {
        // Every player of the match left for good: the room ends instead of running on empty.
        this.phase = 'ended';
      } else if (this.phase === 'setup.open' && players.some((seat) => seat.ready)) {
        this.phase = 'setup.readyCheck';
      } else if (this.phase === 'setup.readyCheck' && this.allReady()) {
        this.phase = 'running.iterating';
        this.startedWith = players.map((seat) => seat.seatId);
      } else if (this.phase === 'setup.readyCheck' && !players.some((seat) => seat.ready)) {
        this.phase = 'setup.open';
      } else if (this.phase === 'running.iterating' && this.playerAway()) {
        this.phase = 'running.paused.disconnected';
      } else if (this.phase === 'running.paused.disconnected' && !this.playerAway()) {
        this.phase = 'running.iterating';
      } else {
        return;
      }
    }
  }

  private admit(role: Role, join: Extract<RoomEvent, { type: 'JOIN' }>, outputs: Expected[]): void {
    const seatId = `${role === 'player' ? 'p' : 'v'}${this.nextSeat}`;
    this.nextSeat += 1;
    this.seats.set(seatId, {
      seatId,
      userId: join.userId,
      name: join.name,
      role,
      ready: false,
      connected: true,
      left: false,
    });
    outputs.push({ type: 'joined', connectionId: join.connectionId, seatId, rejoined: false });
  }

  /** What the room should do with `event`: updates the model, returns the expected outputs. */
  apply(event: RoomEvent): Outcome {
    const outputs: Expected[] = [];
    let broadcast = false;
    let configChanged = false;
    const before = this.phase;
    const stage = stageOf(before);
    const eventSeatId = 'seatId' in event && typeof event.seatId === 'string' ? event.seatId : undefined;
    const seat = eventSeatId === undefined ? undefined : this.seats.get(eventSeatId);
    const player = seat !== undefined && seat.role === 'player' && !seat.left ? seat : undefined;
    const refuse = (code: RoomRefusalCode) =>
      outputs.push({ type: 'refused', seatId: eventSeatId ?? '', code, ref: refOf(event) });
    const removeSeat = () => {
      if (!seat) return;
      this.seats.delete(seat.seatId);
      outputs.push({ type: 'seatRemoved', seatId: seat.seatId });
    };

    switch (event.type) {
      case 'JOIN': {
        const refuseJoin = (code: RoomRefusalCode) =>
          outputs.push({ type: 'joinRefused', connectionId: event.connectionId, code });
        const holder = this.holderOf(event.userId);
        if (stage === 'halted') {
          refuseJoin('ROOM_CLOSED');
        } else if (holder && !holder.connected) {
          this.patch(holder.seatId, { connected: true });
          outputs.push({
            type: 'joined',
            connectionId: event.connectionId,
            seatId: holder.seatId,
            rejoined: true,
          });
          broadcast = true;
        } else if (holder) {
          refuseJoin('ROOM_ALREADY_JOINED');
        } else if (stage === 'running') {
          if (this.options.lateJoin === 'viewer' && this.count('viewer') < this.options.maxViewers) {
            this.admit('viewer', event, outputs);
            broadcast = true;
          } else {
            refuseJoin('ROOM_LOCKED');
          }
        } else if (event.role === 'viewer' && this.count('viewer') < this.options.maxViewers) {
          this.admit('viewer', event, outputs);
          broadcast = true;
        } else if (event.role !== 'viewer' && this.count('player') < this.options.capacity) {
          this.admit('player', event, outputs);
          broadcast = true;
        } else {
          refuseJoin('ROOM_FULL');
        }
        break;
      }
      case 'LEAVE':
        // While running or halted a player's seat stays, marked left; any other seat goes.
        // A seat already marked left does not change again.
        if (stage !== 'setup' && seat?.left) break;
        if (stage !== 'setup' && player)
          this.patch(player.seatId, { left: true, connected: false, ready: false });
        else removeSeat();
        broadcast = true;
        break;
      case 'DISCONNECTED':
        if (seat) this.patch(seat.seatId, { connected: false });
        broadcast = true;
        break;
      case 'RECONNECTED':
        // A player who left a running game does not come back by reconnecting.
        if (stage !== 'setup' && seat?.left) break;
        if (seat) this.patch(seat.seatId, { connected: true });
        broadcast = true;
        break;
      case 'READY':
        if (stage === 'running') refuse('ROOM_NOT_IN_SETUP');
        else if (stage === 'setup' && !player) refuse('ROOM_FORBIDDEN');
        else if (stage === 'setup' && player) {
          this.patch(player.seatId, { ready: event.ready });
          broadcast = true;
        }
        break;
      case 'SETUP_COMMAND':
        if (stage === 'running') refuse('ROOM_NOT_IN_SETUP');
        else if (stage === 'setup' && !player) refuse('ROOM_FORBIDDEN');
        else if (stage === 'setup') {
          const patch = typeof event.command === 'object' && event.command !== null ? event.command : {};
          this.config = { ...this.config, ...patch };
          this.configVersion += 1;
          for (const id of this.seats.keys()) this.patch(id, { ready: false });
          broadcast = true;
          configChanged = true;
        }
        break;
      case 'GAME_MESSAGE':
        if (stage === 'setup') refuse('ROOM_NOT_RUNNING');
        else if (stage === 'running' && !player) refuse('ROOM_FORBIDDEN');
        break;
      case 'PAUSE':
        if (stage === 'setup') refuse('ROOM_NOT_RUNNING');
        else if (before === 'running.iterating') this.phase = 'running.paused.requested';
        break;
      case 'RESUME':
        if (before === 'running.paused.requested') this.phase = 'running.iterating';
        break;
      case 'LAGGING':
        if (before === 'running.iterating') this.phase = 'running.paused.lagging';
        break;
      case 'CAUGHT_UP':
        if (before === 'running.paused.lagging') this.phase = 'running.iterating';
        break;
      case 'HALT':
        if (stage === 'running') this.phase = `halted.${event.cause}`;
        break;
      case 'game.end':
        if (stage === 'running') this.phase = 'ended';
        break;
      case 'CLOSE':
        this.phase = 'ended';
        break;
      default:
        throw new Error(`the model does not send ${event.type}`);
    }
    this.settle();
    return { outputs, broadcast: broadcast || this.phase !== before, configChanged };
  }
}

interface Emission {
  readonly event: RoomEmitted;
  /** The room's context when the event was emitted (what a client reading the room sees). */
  readonly context: RoomContext;
}

interface Real {
  readonly actor: Actor<typeof roomMachine>;
  readonly emitted: Emission[];
  /** Inputs of every game the room started. */
  readonly games: GameInput[];
}

/** What the property runs count, to show the commands reach the situations the invariants are about. */
interface Coverage {
  runningEntered: number;
  joinsWhileRunning: number;
  lateViewers: number;
  acceptedSetupCommands: number;
  halted: number;
  ended: number;
}

const activeSeatIds = (seats: Readonly<Record<string, Seat>>, role: Role) =>
  Object.values(seats)
    .filter((seat) => seat.role === role && !seat.left)
    .map((seat) => seat.seatId);

/** Send one event to the room and to the model, then check every invariant. */
function step(model: RoomModel, real: Real, event: RoomEvent, coverage: Coverage): void {
  const before = real.actor.getSnapshot();
  const phaseBefore = model.phase;
  const gamesBefore = real.games.length;
  real.emitted.length = 0;

  const outcome = model.apply(event);
  real.actor.send(event);

  const after = real.actor.getSnapshot();
  const { context } = after;
  const what = `after ${JSON.stringify(event)} in ${phaseBefore}`;
  const roomChanged = real.emitted.filter((emission) => emission.event.type === 'roomChanged');

  // The chart is where the model says, and told the outside world what the model expects.
  expect(statePath(after.value), `state ${what}`).toBe(model.phase);
  expect(after.status, `status ${what}`).toBe(model.phase === 'ended' ? 'done' : 'active');
  expect(
    real.emitted.flatMap(({ event: e }) => withoutProse(e) ?? []),
    `outputs ${what}`,
  ).toEqual(outcome.outputs);
  if (outcome.broadcast) expect(roomChanged.length, `roomChanged ${what}`).toBeGreaterThan(0);

  // No player lost: every seat the model admitted and did not remove is there, as the model has it.
  for (const seat of model.seats.values()) {
    expect(context.seats[seat.seatId], `seat ${seat.seatId} (${seat.userId}, ${seat.role}) ${what}`).toEqual(
      seat,
    );
  }
  expect(Object.keys(context.seats).sort(), `seat ids ${what}`).toEqual([...model.seats.keys()].sort());

  // Config broadcast after every change.
  const configMoved =
    context.configVersion !== before.context.configVersion ||
    JSON.stringify(context.config) !== JSON.stringify(before.context.config);
  expect(configMoved, `config change ${what}`).toBe(outcome.configChanged);
  expect(context.config, `config ${what}`).toEqual(model.config);
  if (outcome.configChanged) {
    coverage.acceptedSetupCommands += 1;
    expect(context.configVersion, `configVersion ${what}`).toBe(before.context.configVersion + 1);
    expect(
      Object.values(context.seats).filter((seat) => seat.ready),
      `readiness reset ${what}`,
    ).toEqual([]);
    const last = roomChanged.at(-1);
    expect(last, `roomChanged after the config change ${what}`).toBeDefined();
    expect(last!.context.configVersion, `broadcast config version ${what}`).toBe(context.configVersion);
    expect(last!.context.config, `broadcast config ${what}`).toEqual(context.config);
  }

  // Running only when all ready.
  const wasRunning = stageOf(phaseBefore) === 'running';
  const isRunning = stageOf(model.phase) === 'running';
  if (isRunning && !wasRunning) {
    coverage.runningEntered += 1;
    const players = model.activePlayers();
    expect(players.length, `players at start ${what}`).toBeGreaterThanOrEqual(model.options.minPlayers);
    expect(
      players.filter((seat) => !seat.ready).map((seat) => seat.seatId),
      `unready players at start ${what}`,
    ).toEqual([]);
    expect(real.games.length, `game started once ${what}`).toBe(gamesBefore + 1);
    expect(
      real.games.at(-1)!.players.map((player) => player.seatId),
      `game players ${what}`,
    ).toEqual(model.startedWith);
  } else {
    expect(real.games.length, `no game started ${what}`).toBe(gamesBefore);
  }

  // Players locked while running.
  if (event.type === 'JOIN' && wasRunning) {
    coverage.joinsWhileRunning += 1;
    const playersBefore = Object.keys(before.context.seats).filter(
      (id) => before.context.seats[id]?.role === 'player',
    );
    const playersAfter = Object.keys(context.seats).filter((id) => context.seats[id]?.role === 'player');
    expect(playersAfter, `player seats ${what}`).toEqual(playersBefore);
    expect(activeSeatIds(context.seats, 'player').length, `active players ${what}`).toBe(
      activeSeatIds(before.context.seats, 'player').length,
    );
    const [answer, ...more] = real.emitted.map(({ event: e }) => e).filter((e) => e.type !== 'roomChanged');
    expect(more, `a single answer ${what}`).toEqual([]);
    if (answer?.type === 'joined') {
      const seat = context.seats[answer.seatId];
      if (answer.rejoined) {
        expect(before.context.seats[answer.seatId], `rejoined seat existed ${what}`).toBeDefined();
      } else {
        coverage.lateViewers += 1;
        expect(seat?.role, `late joiner's role ${what}`).toBe('viewer');
        expect(model.options.lateJoin, `late joiner admitted ${what}`).toBe('viewer');
      }
    } else {
      expect(answer?.type, `answer ${what}`).toBe('joinRefused');
      expect(['ROOM_LOCKED', 'ROOM_ALREADY_JOINED'], `refusal ${what}`).toContain(
        answer?.type === 'joinRefused' ? answer.code : undefined,
      );
    }
  }

  if (stageOf(model.phase) === 'halted' && stageOf(phaseBefore) !== 'halted') coverage.halted += 1;
  if (model.phase === 'ended' && phaseBefore !== 'ended') coverage.ended += 1;
}

const SEAT_PICK_MAX = 5;

/** A seat the model knows (left ones included), or (pick SEAT_PICK_MAX) one never handed out. */
const seatFrom = (model: RoomModel, pick: number): string => {
  const ids = [...model.seats.keys()];
  return (pick === SEAT_PICK_MAX ? undefined : ids[pick % ids.length]) ?? 'p404';
};

class RoomCommand implements fc.Command<RoomModel, Real> {
  constructor(
    private readonly label: string,
    private readonly events: (model: RoomModel) => RoomEvent[],
    private readonly coverage: Coverage,
  ) {}
  /** An ended room is stopped; nothing more is sent to it. */
  check(model: Readonly<RoomModel>): boolean {
    return model.phase !== 'ended';
  }
  run(model: RoomModel, real: Real): void {
    for (const event of this.events(model)) step(model, real, event, this.coverage);
  }
  toString(): string {
    return this.label;
  }
}

const users = ['ada', 'bob', 'cy', 'dee'] as const;
const seatPick = fc.nat({ max: SEAT_PICK_MAX });

/**
 * One weighted choice of command: joins and readiness are frequent so that many runs get to
 * `running`; the commands that end a room are rare so that runs go on for a while.
 */
function commandArbitrary(coverage: Coverage): fc.Arbitrary<RoomCommand> {
  const command = (label: string, events: (model: RoomModel) => RoomEvent[]) =>
    new RoomCommand(label, events, coverage);
  const onSeat = (weight: number, name: string, event: (seatId: string) => RoomEvent) => ({
    weight,
    arbitrary: seatPick.map((pick) => command(`${name}(#${pick})`, (m) => [event(seatFrom(m, pick))])),
  });
  const fixed = (weight: number, name: string, events: (model: RoomModel) => RoomEvent[]) => ({
    weight,
    arbitrary: fc.constant(command(name, events)),
  });
  const role = fc.constantFrom<Role | undefined>(undefined, 'player', 'viewer');
  const setupCommand = fc.oneof(
    fc.record({ target: fc.integer({ min: 1, max: 9 }) }),
    fc.record({ mode: fc.constantFrom('fast', 'slow') }),
    fc.constantFrom<unknown>(null, 'reset', 3),
  );

  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.tuple(fc.constantFrom(...users), role).map(([user, as]) =>
        command(`Join(${user}${as ? `, ${as}` : ''})`, (model) => {
          model.connections += 1;
          const join = {
            type: 'JOIN',
            connectionId: `c${model.connections}`,
            userId: user,
            name: user,
          } as const;
          return [as ? { ...join, role: as } : join];
        }),
      ),
    },
    onSeat(2, 'Leave', (seatId) => ({ type: 'LEAVE', seatId })),
    {
      weight: 3,
      arbitrary: fc
        .tuple(seatPick, fc.boolean())
        .map(([pick, ready]) =>
          command(`Ready(#${pick}, ${ready})`, (m) => [{ type: 'READY', seatId: seatFrom(m, pick), ready }]),
        ),
    },
    fixed(3, 'ReadyAll', (m) =>
      m.activePlayers().map(({ seatId }) => ({ type: 'READY', seatId, ready: true })),
    ),
    {
      weight: 3,
      arbitrary: fc
        .tuple(seatPick, setupCommand)
        .map(([pick, cmd]) =>
          command(`SetupCommand(#${pick}, ${JSON.stringify(cmd)})`, (m) => [
            { type: 'SETUP_COMMAND', seatId: seatFrom(m, pick), command: cmd },
          ]),
        ),
    },
    onSeat(2, 'Disconnect', (seatId) => ({ type: 'DISCONNECTED', seatId })),
    onSeat(2, 'Reconnect', (seatId) => ({ type: 'RECONNECTED', seatId })),
    onSeat(1, 'Pause', (seatId) => ({ type: 'PAUSE', seatId })),
    fixed(1, 'PauseByHost', () => [{ type: 'PAUSE' }]),
    fixed(1, 'Resume', () => [{ type: 'RESUME' }]),
    onSeat(1, 'Lagging', (seatId) => ({ type: 'LAGGING', seatIds: [seatId] })),
    fixed(1, 'CaughtUp', () => [{ type: 'CAUGHT_UP' }]),
    onSeat(1, 'GameMessage', (seatId) => ({
      type: 'GAME_MESSAGE',
      seatId,
      message: { type: 'move', payload: 1 },
    })),
    fixed(1, 'HaltDivergence', () => [{ type: 'HALT', cause: 'divergence', detail: 'checksums differ' }]),
    fixed(1, 'HaltFault', () => [{ type: 'HALT', cause: 'fault', detail: 'host failed' }]),
    fixed(1, 'EndGame', () => [{ type: 'game.end', result: { winner: 'p1' } }]),
    fixed(1, 'Close', () => [{ type: 'CLOSE', reason: 'test' }]),
  );
}

const optionsArbitrary = (lateJoin: LateJoinPolicy) =>
  fc.integer({ min: 1, max: 3 }).chain((capacity) =>
    fc.record({
      capacity: fc.constant(capacity),
      minPlayers: fc.integer({ min: 1, max: capacity }),
      maxViewers: fc.integer({ min: 0, max: 2 }),
      lateJoin: fc.constant(lateJoin),
      pauseOnDisconnect: fc.boolean(),
    }),
  );

function startRoom(options: RoomOptions): Real {
  const games: GameInput[] = [];
  const game = fromCallback<EventObject, GameInput>(({ input }) => {
    games.push(input);
  });
  const clock = createSimulatedClock();
  const actor = createActor(roomMachine.provide({ actors: { game } }), {
    input: { roomId: 'room-1', type: 'test-game', seed: 1, config: { target: 5 }, options },
    clock,
  });
  const emitted: Emission[] = [];
  actor.on('*', (event) => emitted.push({ event, context: actor.getSnapshot().context }));
  actor.start();
  return { actor, emitted, games };
}

describe.each([
  { lateJoin: 'viewer' as const, seed: 4_004 },
  { lateJoin: 'refuse' as const, seed: 5_005 },
])('room machine against a command model, lateJoin: $lateJoin', ({ lateJoin, seed }) => {
  it('loses no player, broadcasts every config change, runs only when all are ready and locks players while running', () => {
    const coverage: Coverage = {
      runningEntered: 0,
      joinsWhileRunning: 0,
      lateViewers: 0,
      acceptedSetupCommands: 0,
      halted: 0,
      ended: 0,
    };
    fc.assert(
      fc.property(
        optionsArbitrary(lateJoin),
        fc.commands([commandArbitrary(coverage)], { maxCommands: 40, size: 'max' }),
        (options, commands) => {
          fc.modelRun(() => {
            const real = startRoom(options);
            // The room broadcast its initial state on start; steps only look at their own.
            real.emitted.length = 0;
            return { model: new RoomModel(options), real };
          }, commands);
        },
      ),
      { numRuns: 200, seed },
    );
    // The runs did reach what the invariants are about (guards against a vacuous pass).
    expect(coverage.runningEntered).toBeGreaterThan(20);
    expect(coverage.joinsWhileRunning).toBeGreaterThan(20);
    expect(coverage.acceptedSetupCommands).toBeGreaterThan(20);
    expect(coverage.halted).toBeGreaterThan(5);
    expect(coverage.ended).toBeGreaterThan(5);
    if (lateJoin === 'viewer') expect(coverage.lateViewers).toBeGreaterThan(5);
    else expect(coverage.lateViewers).toBe(0);
  });
});
