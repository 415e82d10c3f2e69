/**
 * Live inspection of a server's actors with the Stately inspector (`@statelyai/inspect`, an
 * optional peer dependency): every room actor (`room:<id>`), connection actor
 * (`connection:<id>`) and the actors they invoke (the game, the setup flow, and whatever those
 * invoke) report their registration, events and snapshots over one WebSocket.
 */
import type { createWebSocketInspector as createWebSocketInspectorType } from '@statelyai/inspect';
import type { InspectionEvent, Observer } from 'xstate';
import type { Logger } from '../core/logger.js';

/** Loaded on demand: @statelyai/inspect is an optional dependency. */
type CreateWebSocketInspector = typeof createWebSocketInspectorType;

/** Options of the WebSocket inspector (see `createWebSocketInspector` in @statelyai/inspect). */
export interface WebSocketInspectOptions {
  /** Where the inspector listens, e.g. `ws://localhost:8090` (`@statelyai/inspect/server`). */
  readonly url: string;
  /** Events kept while the socket is not open yet; older ones are dropped. Default 1000. */
  readonly maxDeferredEvents?: number;
  /** Depth at which snapshots and events are cut when serialized. Default 10. */
  readonly serializationDepthLimit?: number;
}

/**
 * How a server is inspected: through @statelyai/inspect's WebSocket inspector (`{ url }`), or
 * any XState inspection observer (a function or `{ next }`), e.g. a Stately inspector you made
 * yourself or a test's recorder.
 */
export type InspectOption =
  WebSocketInspectOptions | Observer<InspectionEvent> | ((event: InspectionEvent) => void);

export interface ServerInspection {
  readonly inspect: Observer<InspectionEvent>;
  stop(): void;
}

const isWebSocket = (option: InspectOption): option is WebSocketInspectOptions =>
  typeof option === 'object' && 'url' in option;

/** Resolve the `inspect` option; loads @statelyai/inspect only when a URL is given. */
export async function startInspection(option: InspectOption, logger: Logger): Promise<ServerInspection> {
  if (typeof option === 'function') return { inspect: { next: option }, stop: () => undefined };
  if (!isWebSocket(option)) return { inspect: option, stop: () => undefined };
  let createWebSocketInspector: CreateWebSocketInspector;
  try {
    ({ createWebSocketInspector } = await import('@statelyai/inspect'));
  } catch (error) {
    throw new Error(
      'The inspect option { url } needs the optional dependency @statelyai/inspect: npm install -D @statelyai/inspect.',
      { cause: error },
    );
  }
  const inspector = createWebSocketInspector({
    url: option.url,
    maxDeferredEvents: option.maxDeferredEvents ?? 1000,
    ...(option.serializationDepthLimit !== undefined
      ? { serializationDepthLimit: option.serializationDepthLimit }
      : {}),
  });
  logger.info('Inspecting actors', { url: option.url });
  return { inspect: inspector.inspect, stop: () => inspector.stop() };
}
