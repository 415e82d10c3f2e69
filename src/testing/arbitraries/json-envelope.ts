/**
 * fast-check arbitraries of the JSON envelope `{type, seq, ts, payload}` (seed 002): the
 * framework and game messages a client sends, the server outputs it carries, and garbage.
 */
import fc from 'fast-check';
import type { ServerOutput } from '../../core/messages.js';
import { ENVELOPE_PROTOCOL_VERSION } from '../../protocols/json-envelope/schema.js';
import { gameType, identifier, jsonData, role, serverOutputKinds } from './core.js';
import type { ProtocolArbitraries } from './registry.js';

/** One client message of the envelope, before `seq` and `ts`. */
export interface EnvelopeMessage {
  readonly type: string;
  readonly payload: unknown;
}

/** Framework and game messages a conforming client sends. */
export const envelopeClientMessage = (): fc.Arbitrary<EnvelopeMessage> =>
  fc.oneof(
    fc.tuple(fc.boolean(), fc.string({ minLength: 1, maxLength: 64 })).map(([resume, token]) => ({
      type: 'auth.login',
      payload: { [resume ? 'resume_token' : 'token']: token, protocol_version: ENVELOPE_PROTOCOL_VERSION },
    })),
    fc
      .record({ system_id: identifier(), role: role() }, { requiredKeys: ['system_id'] })
      .map((payload) => ({ type: 'session.join_system', payload })),
    fc.constant({ type: 'session.leave', payload: {} }),
    fc.boolean().map((ready) => ({ type: 'room.ready', payload: { ready } })),
    jsonData().map((command) => ({ type: 'room.setup', payload: { command } })),
    fc.boolean().map((paused) => ({ type: 'room.pause', payload: { paused } })),
    fc.record({ type: gameType(), payload: jsonData() }),
  );

/** Encode messages as a client would: seq 1, 2, 3, ... and a plausible ts. */
export const toEnvelopeFrames = (messages: readonly EnvelopeMessage[], ts = 1_700_000_000_000): string[] =>
  messages.map(({ type, payload }, index) =>
    JSON.stringify({ type, seq: index + 1, ts: ts + index, payload }),
  );

/**
 * Server outputs whose envelope encoding decodes back to the same output: no pings (WebSocket
 * frames), no requests or replies (the envelope has no correlation field), and error refs the
 * envelope can name (`resume` shares auth.login with `authenticate`, so it reads back as that).
 */
export const envelopeServerOutput = (): fc.Arbitrary<ServerOutput> => {
  const k = serverOutputKinds;
  const ref = fc.oneof(
    fc.constantFrom('authenticate', 'join', 'leave', 'ready', 'setup', 'pause'),
    gameType(),
  );
  return fc.oneof<fc.Arbitrary<ServerOutput>[]>(
    k.authOk(),
    k.authError(),
    k.joined(),
    k.room(),
    k.game(),
    k.error(ref),
    k.closing(),
  );
};

/** Not JSON, not UTF-8, not an envelope, reserved types with bad payloads, bad seqs. */
export const envelopeGarbageFrame = (): fc.Arbitrary<Uint8Array | string> =>
  fc.oneof(
    fc.string({ maxLength: 64 }),
    fc.uint8Array({ maxLength: 64 }),
    jsonData().map((value) => JSON.stringify(value) ?? 'null'),
    fc
      .record({
        type: fc.oneof(
          fc.constantFrom('auth.login', 'session.join_system', 'room.ready', 'room.setup'),
          fc.string(),
        ),
        seq: fc.oneof(fc.integer(), fc.double(), fc.string()),
        ts: fc.oneof(fc.integer(), fc.constant(null)),
        payload: jsonData(),
      })
      .map((envelope) => JSON.stringify(envelope)),
  );

export const jsonEnvelopeArbitraries: ProtocolArbitraries = {
  protocol: 'json-envelope',
  clientFrames: () =>
    fc.array(envelopeClientMessage(), { minLength: 1, maxLength: 12 }).map((m) => toEnvelopeFrames(m)),
  serverOutput: envelopeServerOutput,
  garbageFrame: envelopeGarbageFrame,
};
