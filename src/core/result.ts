import type { ErrorCode } from './errors.js';

/**
 * What a decoder returns for untrusted input. Decoders never throw: they answer with a value,
 * with an issue, or (stream framings only) with `incomplete` when more bytes are needed.
 */
export type DecodeResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issue: ProtocolIssue };

/** A typed protocol issue: which registry code, what was expected and received, and a hint. */
export interface ProtocolIssue {
  readonly code: ErrorCode;
  readonly message: string;
  /** The message type when it could be read, so the reply can name it. */
  readonly messageType?: string;
  /** The sequence number when it could be read, so the reply can refer to it. */
  readonly seq?: number;
  /** Close the link after answering (binary protocols that lose framing must). */
  readonly fatal?: boolean;
}

export function ok<T>(value: T): DecodeResult<T> {
  return { ok: true, value };
}

export function fail(issue: ProtocolIssue): { readonly ok: false; readonly issue: ProtocolIssue } {
  return { ok: false, issue };
}
