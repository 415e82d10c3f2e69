/**
 * Finding a room's node (docs/scaling.md): in a cluster a room lives on one node and moves when
 * that node dies. `GET /rooms/:id` on any node names the owner's endpoints. Browser-safe.
 */

/** An error with a registry code, as the session's other errors carry. */
const coded = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}`), { code });

interface RoomInfoBody {
  readonly room?: { readonly closed?: { readonly reason: string } };
  readonly node_url?: string;
  readonly node_live?: boolean;
  readonly endpoints?: Readonly<Record<string, string>>;
}

/**
 * A lookup of the endpoint (for `protocol`) of the node hosting a room, asking `base` first and
 * then every node URL learned since (join answers list the cluster's nodes). Rejects with
 * ROOM_CLOSED when the room is gone (404, or closed for good), and with CONN_FAILED when no node
 * could say (try again later: the room may be moving).
 */
export function createRoomLocator(options: {
  readonly base: string;
  readonly fetch: typeof fetch;
  readonly protocol: string;
  /** Node URLs learned from join answers; read at every lookup. */
  readonly known: ReadonlySet<string>;
}): (roomId: string) => Promise<string> {
  return async (roomId) => {
    let failure = 'no node answered';
    for (const url of new Set([options.base, ...options.known])) {
      let response: Response;
      try {
        response = await options.fetch(`${url}/rooms/${encodeURIComponent(roomId)}`);
      } catch (error) {
        failure = `${url}: ${String(error)}`;
        continue;
      }
      const body = (await response.json().catch(() => ({}))) as RoomInfoBody;
      if (response.status === 404) throw coded('ROOM_CLOSED', `Room "${roomId}" no longer exists.`);
      if (!response.ok) {
        failure = `${url}: HTTP ${response.status}`;
        continue;
      }
      if (body.room?.closed) throw coded('ROOM_CLOSED', body.room.closed.reason);
      if (body.node_live === false) {
        failure = `room "${roomId}" is being moved off a node that stopped`;
        continue;
      }
      const endpoint =
        body.endpoints?.[options.protocol] ??
        (body.node_url ? `${body.node_url.replace(/^http/, 'ws')}/ws/${options.protocol}` : undefined);
      if (endpoint) return endpoint;
    }
    throw coded('CONN_FAILED', `Could not find room "${roomId}": ${failure}.`);
  };
}

/**
 * The room a resume token is for, read from its claims (signed, not secret), so that a resume
 * refused with ROOM_MOVED can look the room up. Undefined when the token is not readable.
 */
export function roomOfToken(token: string): string | undefined {
  const body = token.slice(0, Math.max(0, token.indexOf('.')));
  try {
    const json = atob(body.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { roomId?: unknown };
    return typeof claims.roomId === 'string' ? claims.roomId : undefined;
  } catch {
    return undefined;
  }
}
