/**
 * Client behaviours as data, for model tests of a room: clients join, leave, drop their link,
 * come back, commit readiness, send game messages and garbage, and time passes. fast-check
 * draws (and shrinks) scripts of them; `playBehaviours` performs a script on a test server.
 */
import fc from 'fast-check';
import type { RoomSession } from '../../client/session.js';
import type { RoomMessages } from '../../core/room-type.js';
import type { RawClient } from '../raw-client.js';
import type { TestServer } from '../test-server.js';
import type { Frame } from './registry.js';

export type ClientBehaviour =
  | { readonly kind: 'join'; readonly client: number; readonly role: 'player' | 'viewer' }
  | { readonly kind: 'leave'; readonly client: number }
  /** The link drops without a close handshake; the SDK resumes the seat by itself. */
  | { readonly kind: 'drop'; readonly client: number }
  /** Close (keeping the seat), then take it back with the resume token on a new session. */
  | { readonly kind: 'reconnect'; readonly client: number }
  | { readonly kind: 'ready'; readonly client: number; readonly ready: boolean }
  | { readonly kind: 'send'; readonly client: number; readonly type: string; readonly payload: unknown }
  /** A frame from a raw, unauthenticated link of this client. */
  | { readonly kind: 'garbage'; readonly client: number; readonly frame: Frame }
  | { readonly kind: 'wait'; readonly ms: number };

export interface BehaviourOptions {
  /** Number of distinct clients. Default 3. */
  readonly clients?: number;
  /** The game's own messages a client sends (default: none). */
  readonly gameMessage?: fc.Arbitrary<{ readonly type: string; readonly payload: unknown }>;
  /** Garbage frames (default: none; e.g. `arbitrariesFor('json-envelope').garbageFrame()`). */
  readonly garbage?: fc.Arbitrary<Frame>;
  /** Longest wait. Default 1000 ms. */
  readonly maxWaitMs?: number;
  readonly maxLength?: number;
}

/**
 * @example
 * fc.assert(fc.asyncProperty(clientBehaviours({ clients: 3, gameMessage: tapArb }), async (script) => { ... }));
 */
export function clientBehaviours(options: BehaviourOptions = {}): fc.Arbitrary<ClientBehaviour[]> {
  const client = fc.nat((options.clients ?? 3) - 1);
  const choices: fc.Arbitrary<ClientBehaviour>[] = [
    fc.record({
      kind: fc.constant('join' as const),
      client,
      role: fc.constantFrom('player' as const, 'viewer' as const),
    }),
    fc.record({ kind: fc.constant('leave' as const), client }),
    fc.record({ kind: fc.constant('drop' as const), client }),
    fc.record({ kind: fc.constant('reconnect' as const), client }),
    fc.record({ kind: fc.constant('ready' as const), client, ready: fc.boolean() }),
    fc.record({
      kind: fc.constant('wait' as const),
      ms: fc.integer({ min: 1, max: options.maxWaitMs ?? 1000 }),
    }),
  ];
  if (options.gameMessage) {
    choices.push(
      fc.tuple(client, options.gameMessage).map(([c, message]) => ({
        kind: 'send' as const,
        client: c,
        type: message.type,
        payload: message.payload,
      })),
    );
  }
  if (options.garbage) {
    choices.push(fc.record({ kind: fc.constant('garbage' as const), client, frame: options.garbage }));
  }
  return fc.array(fc.oneof(...choices), { maxLength: options.maxLength ?? 20 });
}

/** What a script left behind: each client's session (if seated) and every refusal it met. */
export interface PlayedBehaviours<M extends RoomMessages> {
  readonly sessions: ReadonlyMap<number, RoomSession<M>>;
  /** `client: code` for every join, resume or frame the server refused. */
  readonly refusals: readonly string[];
}

/**
 * Perform a script on a test server's room. Refusals (a full room, a locked one, a used
 * resume token) are expected outcomes and collected, not thrown.
 */
export async function playBehaviours<M extends RoomMessages>(
  t: TestServer,
  roomId: string,
  script: readonly ClientBehaviour[],
  options: { readonly messages?: M } = {},
): Promise<PlayedBehaviours<M>> {
  const sessions = new Map<number, RoomSession<M>>();
  const raws = new Map<number, RawClient>();
  const refusals: string[] = [];
  const refused = (client: number) => (error: unknown) =>
    void refusals.push(`${client}: ${(error as { code?: string }).code ?? String(error)}`);
  const live = (client: number) => {
    const session = sessions.get(client);
    return session && session.status !== 'closed' ? session : undefined;
  };
  const wait = async (ms: number) =>
    'advance' in t.clock ? t.advance(ms) : new Promise((r) => setTimeout(r, ms));

  for (const step of script) {
    if (step.kind === 'wait') {
      await wait(step.ms);
      continue;
    }
    const session = live(step.client);
    switch (step.kind) {
      case 'join':
        if (session) break;
        await t
          .join<M>(roomId, {
            name: `client-${step.client}`,
            role: step.role,
            ...(options.messages ? { messages: options.messages } : {}),
          })
          .then((joined) => void sessions.set(step.client, joined), refused(step.client));
        break;
      case 'leave':
        session?.leave();
        break;
      case 'drop':
        session?.simulateDrop();
        break;
      case 'reconnect': {
        const token = sessions.get(step.client)?.resumeToken;
        if (!token) break;
        sessions.get(step.client)?.close();
        await t.settle();
        await t
          .resume<M>(token, options.messages ? { messages: options.messages } : {})
          .then((resumed) => void sessions.set(step.client, resumed), refused(step.client));
        break;
      }
      case 'ready':
        session?.ready(step.ready);
        break;
      case 'send':
        session?.send(step.type as never, step.payload as never);
        break;
      case 'garbage': {
        let raw = raws.get(step.client);
        if (!raw || raw.isClosed) raws.set(step.client, (raw = await t.raw()));
        raw.sendFrame(step.frame);
        break;
      }
    }
    await t.settle(2);
  }
  for (const raw of raws.values()) raw.close();
  return { sessions, refusals };
}
