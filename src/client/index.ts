/**
 * `chartroom/client`: connect to a Chartroom server from a browser or Node (no `node:*`).
 *
 * @example
 * const client = createClient({ baseUrl: 'http://127.0.0.1:8080', messages });
 * const session = await client.join(roomId, { name: 'ada' });
 * session.on('score', (score) => console.log(score));
 * session.ready();
 * session.send('tap', {});
 */
import type { ClientProtocol } from '../core/protocol.js';
import type { RoomMessages } from '../core/room-type.js';
import { createJsonEnvelopeClientProtocol } from '../protocols/json-envelope/client.js';
import type { WebSocketLike } from '../transports/memory/index.js';
import { createRoomLocator, roomOfToken } from './locate.js';
import { RoomSession, defaultReconnect } from './session.js';
import type { ReconnectOptions, WebSocketFactory } from './session.js';

export { RoomSession, defaultReconnect } from './session.js';
export { LockstepRunner, createLockstepRunner } from './lockstep-runner.js';
export type { LockstepRunnerOptions, LockstepSessionLike } from './lockstep-runner.js';
export type { ReconnectOptions, SessionError, SessionStatus, WebSocketFactory } from './session.js';
export type { WebSocketLike } from '../transports/memory/index.js';

export interface ClientOptions<M extends RoomMessages> {
  /** HTTP base URL of a Chartroom server, e.g. `http://127.0.0.1:8080`. */
  readonly baseUrl: string;
  /** The room type's messages: types `send`/`on` and validates what the server sends. */
  readonly messages?: M;
  /** Default: the JSON envelope. */
  readonly protocol?: ClientProtocol;
  /**
   * Opens a WebSocket. Default: the global `WebSocket` (browsers, Node >= 22). On Node 20 pass
   * `(url) => new WebSocket(url)` with `WebSocket` from `ws`.
   */
  readonly webSocket?: WebSocketFactory;
  /** Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Automatic resume after a drop; `false` to disable. Default `defaultReconnect`. */
  readonly reconnect?: ReconnectOptions | false;
  /** Called with every new resume token (store it in sessionStorage to survive a reload). */
  readonly onResumeToken?: (token: string) => void;
}

export interface JoinOptions {
  readonly name?: string;
  readonly role?: 'player' | 'viewer';
}

export interface ChartroomClient<M extends RoomMessages> {
  /** Ask the server for a ticket (`POST /rooms/:id/join`), connect, authenticate and join. */
  join(roomId: string, options?: JoinOptions): Promise<RoomSession<M>>;
  /** Connect with a ticket obtained elsewhere. */
  connect(ticket: { token: string; roomId: string; role?: 'player' | 'viewer' }): Promise<RoomSession<M>>;
  /** Take a seat back with a stored resume token. */
  resume(resumeToken: string): Promise<RoomSession<M>>;
  /** The endpoint URL this client connects to. */
  endpoint(): Promise<string>;
}

export function createClient<M extends RoomMessages = RoomMessages>(
  options: ClientOptions<M>,
): ChartroomClient<M> {
  const protocol = options.protocol ?? createJsonEnvelopeClientProtocol();
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const open: WebSocketFactory =
    options.webSocket ??
    ((url) => {
      const Ctor = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
      if (!Ctor)
        throw new Error('No global WebSocket: pass the `webSocket` option (e.g. from the "ws" package).');
      return new Ctor(url);
    });
  const base = options.baseUrl.replace(/\/+$/, '');
  const defaultEndpoint = `${base.replace(/^http/, 'ws')}/ws/${protocol.name}`;
  const endpointOf = (endpoints?: Record<string, string>) => endpoints?.[protocol.name] ?? defaultEndpoint;
  /** Cluster nodes named by join answers: where to look a room up when its node is gone. */
  const known = new Set<string>();
  const locate = createRoomLocator({ base, fetch: doFetch, protocol: protocol.name, known });

  const session = (endpoint: string) =>
    new RoomSession<M>({
      endpoint,
      protocol,
      open,
      messages: options.messages,
      reconnect: options.reconnect ?? defaultReconnect,
      // Only a cluster moves rooms: its join answers name its nodes, or a node says ROOM_MOVED.
      locate: (roomId, moved) => (moved || known.size > 0 ? locate(roomId) : Promise.resolve(undefined)),
      ...(options.onResumeToken ? { onResumeToken: options.onResumeToken } : {}),
    });

  return {
    async join(roomId, joinOptions = {}) {
      const response = await doFetch(`${base}/rooms/${encodeURIComponent(roomId)}/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(joinOptions),
      });
      const body = (await response.json()) as {
        token?: string;
        room_id?: string;
        endpoints?: Record<string, string>;
        nodes?: unknown;
        error?: { code: string; message: string };
      };
      if (!response.ok || !body.token) {
        const error = body.error ?? { code: 'HTTP_BAD_REQUEST', message: `HTTP ${response.status}` };
        throw Object.assign(new Error(`${error.code}: ${error.message}`), { code: error.code });
      }
      const nodes: unknown[] = Array.isArray(body.nodes) ? body.nodes : [];
      for (const url of nodes) if (typeof url === 'string') known.add(url);
      const ticket = { token: body.token, roomId, ...(joinOptions.role ? { role: joinOptions.role } : {}) };
      let endpoint = endpointOf(body.endpoints);
      // The room moved between the ticket and the connection (its node died): follow it, twice at most.
      for (let attempt = 0; ; attempt++) {
        try {
          return await session(endpoint).start(ticket);
        } catch (error) {
          if ((error as { code?: string }).code !== 'ROOM_MOVED' || attempt >= 2) throw error;
          endpoint = await locate(roomId);
        }
      }
    },
    connect: (ticket) => session(defaultEndpoint).start(ticket),
    async resume(resumeToken) {
      try {
        return await session(defaultEndpoint).resume(resumeToken);
      } catch (error) {
        // In a cluster the seat's room may live on another node (a refused resume uses no token).
        const roomId = roomOfToken(resumeToken);
        if ((error as { code?: string }).code !== 'ROOM_MOVED' || !roomId) throw error;
        return session(await locate(roomId)).resume(resumeToken);
      }
    },
    endpoint: async () => defaultEndpoint,
  };
}
