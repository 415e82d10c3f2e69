/**
 * The Transport seam. A transport accepts links; a link moves whole frames between one peer
 * and the server. Framing of byte streams (TCP) happens inside the protocol's framer, so a
 * link over a stream hands over raw chunks and says so with `stream: true`.
 */
export interface Link {
  readonly id: string;
  /** Peer address for logs, e.g. `127.0.0.1:53122`. */
  readonly remote: string;
  /** `true` when frames are arbitrary chunks of a byte stream (TCP) that need a framer. */
  readonly stream: boolean;
  /** Bytes queued and not yet written to the network: the slow-consumer signal. */
  readonly bufferedAmount: number;
  /** Send one frame. A string is sent as text where the transport distinguishes text frames. */
  send(frame: Uint8Array | string): void;
  /** Close the link; `reason` goes to the peer where the transport can carry one. */
  close(code?: number, reason?: string): void;
  /** A transport-level liveness probe (WebSocket ping), when the transport has one. */
  ping?(): void;
  /** Register the link's callbacks; called exactly once, before any frame is delivered. */
  attach(handlers: LinkHandlers): void;
}

export interface LinkHandlers {
  frame(data: Uint8Array | string): void;
  close(): void;
  /** A transport-level pong (answer to `ping`). */
  pong?(): void;
  /**
   * The peer broke the transport's own protocol (e.g. an unmasked WebSocket frame): the
   * transport closes the link itself with `code` (its protocol's close code) and says why, once,
   * before `close`. The server logs and counts it.
   */
  fault?(code: number, reason: string): void;
}

/** What an accepted link brings besides its frames. */
export interface AcceptedLink {
  readonly link: Link;
  /** Connect parameters (a WebSocket URL's query string), e.g. `protocol_version`. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * What the server lends a transport: WebSocket transports share the server's HTTP port and
 * register an upgrade handler for their path; socket transports (TCP, UDP) ignore it.
 */
export interface TransportHost {
  /** Route HTTP upgrades on `path` to `handler` (arguments: node's request, socket, head). */
  upgrade(path: string, handler: (request: unknown, socket: unknown, head: unknown) => void): void;
}

/** Something that produces links: a ws path, a TCP port, a UDP socket, an in-memory pair. */
export interface Transport {
  readonly name: string;
  /** Start accepting links; every accepted link goes to `accept`. */
  start(accept: (accepted: AcceptedLink) => void, host: TransportHost): Promise<void>;
  /** Stop accepting and close every link. */
  stop(): Promise<void>;
  /** Where clients reach it, given the server's HTTP base URL (`http://127.0.0.1:8080`). */
  endpoint(httpBase: string): string;
}
