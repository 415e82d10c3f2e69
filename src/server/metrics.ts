/** Counters a server keeps; `server.metrics()` returns a copy. */
export interface MetricsSnapshot {
  readonly connectionsOpened: number;
  readonly connectionsClosed: number;
  readonly framesIn: number;
  readonly framesOut: number;
  /** Protocol and input errors by registry code. */
  readonly errors: Readonly<Record<string, number>>;
}

export interface Metrics {
  connectionOpened(): void;
  connectionClosed(): void;
  frameIn(): void;
  frameOut(): void;
  error(code: string): void;
  snapshot(): MetricsSnapshot;
}

export function createMetrics(): Metrics {
  let connectionsOpened = 0;
  let connectionsClosed = 0;
  let framesIn = 0;
  let framesOut = 0;
  const errors: Record<string, number> = {};
  return {
    connectionOpened: () => void connectionsOpened++,
    connectionClosed: () => void connectionsClosed++,
    frameIn: () => void framesIn++,
    frameOut: () => void framesOut++,
    error: (code) => void (errors[code] = (errors[code] ?? 0) + 1),
    snapshot: () => ({ connectionsOpened, connectionsClosed, framesIn, framesOut, errors: { ...errors } }),
  };
}
