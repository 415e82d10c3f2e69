/**
 * fast-check arbitraries of the protocol-neutral vocabulary: what any client may ask
 * (`ClientIntent`) and what the server may tell it (`ServerOutput`), with the room views and
 * error codes inside them. Protocol arbitraries build their frames on these.
 */
import fc from 'fast-check';
import { ErrorCode } from '../../core/errors.js';
import type { ClientIntent, RoomView, SeatView, ServerOutput } from '../../core/messages.js';

/** JSON data as it survives a JSON round trip (no -0, no undefined, no sparse arrays). */
export const jsonData = (): fc.Arbitrary<unknown> =>
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);

/** Identifiers as the server makes them: short, printable. */
export const identifier = (): fc.Arbitrary<string> => fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,15}$/);

/** A game message type: anything but the framework's reserved prefixes. */
export const gameType = (): fc.Arbitrary<string> =>
  fc
    .stringMatching(/^[a-z][a-zA-Z0-9_.-]{0,23}$/)
    .filter((type) => !/^(auth|session|room)\./.test(type) && type !== 'error');

export const errorCode = (): fc.Arbitrary<ErrorCode> => fc.constantFrom(...Object.values(ErrorCode));

export const role = (): fc.Arbitrary<'player' | 'viewer'> =>
  fc.constantFrom('player' as const, 'viewer' as const);

export const seatView = (): fc.Arbitrary<SeatView> =>
  fc.record({
    seatId: fc.tuple(fc.constantFrom('p', 'v'), fc.nat(99)).map(([kind, n]) => `${kind}${n + 1}`),
    userId: identifier(),
    name: fc.string({ maxLength: 16 }),
    role: role(),
    ready: fc.boolean(),
    connected: fc.boolean(),
    left: fc.boolean(),
  });

export const roomView = (): fc.Arbitrary<RoomView> =>
  fc.record({
    roomId: identifier(),
    type: identifier(),
    seed: fc.nat(0x7fffffff),
    phase: fc.constantFrom(
      'setup.open',
      'setup.readyCheck',
      'running.iterating',
      'running.paused.lagging',
      'ended',
    ),
    config: fc.dictionary(identifier(), jsonData(), { maxKeys: 3 }),
    configVersion: fc.nat(1000),
    seats: fc.array(seatView(), { maxLength: 4 }),
  });

/** Every kind of client intent. */
export const clientIntent = (): fc.Arbitrary<ClientIntent> =>
  fc.oneof(
    fc.record({
      kind: fc.constant('authenticate' as const),
      token: fc.string({ minLength: 1, maxLength: 64 }),
    }),
    fc.record({
      kind: fc.constant('resume' as const),
      resumeToken: fc.string({ minLength: 1, maxLength: 64 }),
    }),
    fc.record(
      { kind: fc.constant('join' as const), roomId: identifier(), role: role() },
      { requiredKeys: ['kind', 'roomId'] },
    ),
    fc.constant({ kind: 'leave' as const }),
    fc.record({ kind: fc.constant('ready' as const), ready: fc.boolean() }),
    fc.record({ kind: fc.constant('setup' as const), command: jsonData() }),
    fc.record({ kind: fc.constant('pause' as const), paused: fc.boolean() }),
    fc.record({ kind: fc.constant('game' as const), type: gameType(), payload: jsonData() }),
    fc.record({
      kind: fc.constant('reply' as const),
      requestId: fc.nat(),
      ok: fc.boolean(),
      payload: jsonData(),
    }),
    fc.constant({ kind: 'pong' as const }),
  );

type Output<K extends ServerOutput['kind']> = fc.Arbitrary<Extract<ServerOutput, { kind: K }>>;
const text = () => fc.string({ maxLength: 40 });

/**
 * One arbitrary per server output kind, so a protocol's arbitraries can pick the kinds its wire
 * carries (and narrow `error.ref` to what its wire can name) without restating the records.
 */
export const serverOutputKinds = {
  authOk: (): Output<'authOk'> =>
    fc.record({ kind: fc.constant('authOk'), userId: identifier(), name: fc.string({ maxLength: 16 }) }),
  authError: (): Output<'authError'> =>
    fc.record({ kind: fc.constant('authError'), code: errorCode(), message: text() }),
  joined: (): Output<'joined'> =>
    fc.record({
      kind: fc.constant('joined'),
      roomId: identifier(),
      seatId: identifier(),
      role: role(),
      resumeToken: fc.string({ minLength: 1, maxLength: 64 }),
      room: roomView(),
    }),
  room: (): Output<'room'> => fc.record({ kind: fc.constant('room'), room: roomView() }),
  game: (): Output<'game'> => fc.record({ kind: fc.constant('game'), type: gameType(), payload: jsonData() }),
  reply: (): Output<'reply'> =>
    fc.record({ kind: fc.constant('reply'), requestId: fc.nat(), type: gameType(), payload: jsonData() }),
  replyError: (): Output<'replyError'> =>
    fc.record({
      kind: fc.constant('replyError'),
      requestId: fc.nat(),
      code: fc.stringMatching(/^[A-Z][A-Z_]{2,15}$/),
      message: text(),
    }),
  error: (ref: fc.Arbitrary<string> = gameType()): Output<'error'> =>
    fc.record(
      { kind: fc.constant('error'), code: errorCode(), message: text(), ref },
      { requiredKeys: ['kind', 'code', 'message'] },
    ),
  ping: (): Output<'ping'> => fc.constant({ kind: 'ping' }),
  closing: (): Output<'closing'> =>
    fc.record({ kind: fc.constant('closing'), code: errorCode(), message: text() }),
};

/** Every kind of server output. */
export const serverOutput = (): fc.Arbitrary<ServerOutput> =>
  fc.oneof(...Object.values(serverOutputKinds).map((kind) => kind() as fc.Arbitrary<ServerOutput>));
