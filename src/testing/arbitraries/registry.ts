/**
 * The plug-in point for protocol arbitraries. Each protocol provides a `ProtocolArbitraries`
 * (conventionally exported as `arbitraries` from `src/protocols/<name>/arbitraries.ts`, or from
 * the test kit's `arbitraries/<name>.ts`) and is listed once in `protocolArbitraries` below; the
 * kit re-exports them all, and a shared property suite can run over the list. The list is a
 * constant built from imports, not a mutable registry (no module-level state).
 */
import type fc from 'fast-check';
import type { ServerOutput } from '../../core/messages.js';
import { jsonEnvelopeArbitraries } from './json-envelope.js';

export type Frame = Uint8Array | string;

export interface ProtocolArbitraries {
  /** The protocol's name (`Protocol.name`). */
  readonly protocol: string;
  /**
   * Sequences of valid client frames, as a conforming client sends them (sequence numbers in
   * order): the server session dispatches an intent for each and reports no issue.
   */
  clientFrames(): fc.Arbitrary<Frame[]>;
  /** Server outputs the protocol carries faithfully: the client half decodes `[output]` from their frames. */
  serverOutput(): fc.Arbitrary<ServerOutput>;
  /** Frames a broken or hostile client may send: answered or reported, never a throw. */
  garbageFrame(): fc.Arbitrary<Frame>;
}

/** Every protocol with arbitraries; a new protocol adds one line here. */
export const protocolArbitraries: readonly ProtocolArbitraries[] = [jsonEnvelopeArbitraries];

/** The arbitraries of one protocol by name. */
export function arbitrariesFor(protocol: string): ProtocolArbitraries {
  const found = protocolArbitraries.find((entry) => entry.protocol === protocol);
  if (!found) {
    throw new Error(
      `No arbitraries for protocol "${protocol}": known ${protocolArbitraries.map((a) => a.protocol).join(', ')}.`,
    );
  }
  return found;
}
