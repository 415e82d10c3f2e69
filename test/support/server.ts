import { createMemoryLogger } from 'chartroom';
import type { AnyRoomType } from 'chartroom';
import { createClient } from 'chartroom/client';
import type { RoomMessages } from 'chartroom';
import { createServer } from 'chartroom/server';
import type { ChartroomServer, ServerOptions } from 'chartroom/server';
import { WebSocket } from 'ws';

/** A server on 127.0.0.1:0 with a memory logger; close it in afterEach. */
export async function startServer(
  roomTypes: readonly AnyRoomType[],
  options: Partial<ServerOptions> = {},
): Promise<{ server: ChartroomServer; url: string; logger: ReturnType<typeof createMemoryLogger> }> {
  const logger = createMemoryLogger();
  const server = createServer({ roomTypes, logger, ...options });
  const { url } = await server.listen({ port: 0, host: '127.0.0.1' });
  return { server, url, logger };
}

/** A client SDK bound to `ws` (Node 20 has no global WebSocket). */
export function clientFor<M extends RoomMessages>(
  url: string,
  messages?: M,
  reconnect: false | { retries: number; baseDelayMs: number; maxDelayMs: number } = {
    retries: 5,
    baseDelayMs: 20,
    maxDelayMs: 200,
  },
) {
  return createClient<M>({
    baseUrl: url,
    ...(messages ? { messages } : {}),
    webSocket: (endpoint) => new WebSocket(endpoint) as never,
    reconnect,
  });
}

/** Resolve when `check` holds, polling every 5 ms (bounded). */
export async function until(check: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
