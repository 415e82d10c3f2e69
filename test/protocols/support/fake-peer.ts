import type { ClientIntent, ErrorCode, ProtocolIssue, ProtocolPeer } from 'chartroom';

/** One thing a protocol session did to its peer, in the order it happened. */
export type PeerEvent =
  | { readonly kind: 'send'; readonly frame: Uint8Array | string }
  | { readonly kind: 'dispatch'; readonly intent: ClientIntent }
  | { readonly kind: 'report'; readonly issue: ProtocolIssue }
  | { readonly kind: 'close'; readonly code: ErrorCode; readonly message: string }
  | { readonly kind: 'ping' };

export interface FakePeerOptions {
  readonly connectionId?: string;
  /** Connect parameters, as a transport would take them from a URL query. */
  readonly params?: Readonly<Record<string, string>>;
  /** Whether the link has a transport-level ping (default true, like a WebSocket). */
  readonly ping?: boolean;
}

/**
 * A ProtocolPeer that records everything a protocol session does with it. Protocol-agnostic:
 * frames are kept as given (text or bytes); `texts()` and `bytes()` view them either way.
 */
export interface FakePeer extends ProtocolPeer {
  /** Every call in order. */
  readonly events: readonly PeerEvent[];
  readonly sent: readonly (Uint8Array | string)[];
  readonly intents: readonly ClientIntent[];
  readonly issues: readonly ProtocolIssue[];
  readonly closes: readonly { readonly code: ErrorCode; readonly message: string }[];
  readonly pings: number;
  /** Sent frames as text (bytes are decoded as UTF-8, invalid sequences throw). */
  texts(): string[];
  /** Sent frames as bytes (text is encoded as UTF-8). */
  bytes(): Uint8Array[];
  /** Forget everything recorded so far (the peer stays usable). */
  clear(): void;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export function createFakePeer(options: FakePeerOptions = {}): FakePeer {
  const events: PeerEvent[] = [];
  const sent: (Uint8Array | string)[] = [];
  const intents: ClientIntent[] = [];
  const issues: ProtocolIssue[] = [];
  const closes: { code: ErrorCode; message: string }[] = [];
  let pings = 0;

  return {
    connectionId: options.connectionId ?? 'conn-test',
    params: options.params ?? {},
    send(frame) {
      // Copy bytes: a protocol may reuse its buffer after send returns.
      const kept = typeof frame === 'string' ? frame : frame.slice();
      events.push({ kind: 'send', frame: kept });
      sent.push(kept);
    },
    dispatch(intent) {
      events.push({ kind: 'dispatch', intent });
      intents.push(intent);
    },
    report(issue) {
      events.push({ kind: 'report', issue });
      issues.push(issue);
    },
    close(code, message) {
      events.push({ kind: 'close', code, message });
      closes.push({ code, message });
    },
    ping:
      options.ping === false
        ? undefined
        : () => {
            events.push({ kind: 'ping' });
            pings++;
          },
    events,
    sent,
    intents,
    issues,
    closes,
    get pings() {
      return pings;
    },
    texts: () => sent.map((frame) => (typeof frame === 'string' ? frame : strictUtf8.decode(frame))),
    bytes: () => sent.map((frame) => (typeof frame === 'string' ? utf8Encoder.encode(frame) : frame)),
    clear() {
      events.length = 0;
      sent.length = 0;
      intents.length = 0;
      issues.length = 0;
      closes.length = 0;
      pings = 0;
    },
  };
}
