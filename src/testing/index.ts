/**
 * `chartroom/testing`: what game authors import to test their rooms (Node; uses fast-check and
 * @xstate/graph, optional peer dependencies of chartroom).
 *
 * @example
 * const t = await createTestServer({ roomTypes: [tapRace] });
 * const room = await t.createRoom('tap-race');
 * const ada = await t.join(room.roomId, { name: 'ada', messages });
 */
export { createSimulatedClock } from '../core/clock.js';
export type { SimulatedClock } from '../core/clock.js';
export { createMemoryLogger } from '../core/logger.js';
export { createMemoryTransport } from '../transports/memory/index.js';
export type { MemoryClientEnd, MemoryTransport } from '../transports/memory/index.js';
export {
  PathMismatchError,
  activeDelayedEvents,
  activeInvokeIds,
  describePath,
  flushPromises,
  handledEventTypes,
  nodesVisited,
  observed,
  pathCoverage,
  replay,
  stateNodeIds,
  transientStateNodeIds,
} from './paths.js';
export type { AnyPath, PathCoverage, PathCoverageOptions, ReplayOptions } from './paths.js';
export { createPrng } from '../core/prng.js';
export type { Prng } from '../core/prng.js';
export { createFaultyChannel, lossyTransport, wrapClientEnd, wrapLink } from './lossy-link.js';
export type { FaultyChannel, LinkFaults, LinkStats, LossyClientEnd } from './lossy-link.js';
export { createRawClient } from './raw-client.js';
export type { RawClient } from './raw-client.js';
export { createTestServer } from './test-server.js';
export type { TestJoinOptions, TestProtocol, TestServer, TestServerOptions } from './test-server.js';
export { createGameHarness } from './game-harness.js';
export type { GameHarness, GameHarnessOptions } from './game-harness.js';
export { DeterminismError, checkDeterminism, generateMasters } from './determinism.js';
export type { DeterminismOptions, DeterminismReport } from './determinism.js';
export * as arbitraries from './arbitraries/core.js';
export { arbitrariesFor, protocolArbitraries } from './arbitraries/registry.js';
export type { Frame, ProtocolArbitraries } from './arbitraries/registry.js';
export {
  envelopeClientMessage,
  envelopeGarbageFrame,
  envelopeServerOutput,
  jsonEnvelopeArbitraries,
  toEnvelopeFrames,
} from './arbitraries/json-envelope.js';
export type { EnvelopeMessage } from './arbitraries/json-envelope.js';
export { clientBehaviours, playBehaviours } from './arbitraries/behaviours.js';
export type { BehaviourOptions, ClientBehaviour, PlayedBehaviours } from './arbitraries/behaviours.js';
export { toMermaid } from '../tools/mermaid.js';
export type { MermaidOptions } from '../tools/mermaid.js';
