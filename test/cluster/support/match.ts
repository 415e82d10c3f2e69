/**
 * Players of a lockstep match in the test process: client SDK sessions over real WebSockets,
 * each with a runner on its own arena engine, recording every master it applies.
 */
import { createClient, createLockstepRunner } from 'chartroom/client';
import type { ChartroomClient, LockstepRunner, RoomSession, SessionError } from 'chartroom/client';
import type { MasterPacket, TurnLog } from 'chartroom/sync/lockstep';
import { WebSocket } from 'ws';
import { createArenaEngine } from '../../../examples/lockstep-arena/engine.js';
import type { ArenaCommand } from '../../../examples/lockstep-arena/engine.js';
import { arenaClientMessages } from './room-types.js';

export type ArenaClient = ChartroomClient<typeof arenaClientMessages>;

export interface Player {
  readonly session: RoomSession<typeof arenaClientMessages>;
  readonly runner: LockstepRunner<ArenaCommand>;
  readonly applied: MasterPacket<ArenaCommand>[];
  readonly errors: SessionError[];
}

/** A client SDK on `baseUrl` that retries long enough to follow a room to another node. */
export function clusterClient(baseUrl: string): ArenaClient {
  return createClient({
    baseUrl,
    messages: arenaClientMessages,
    webSocket: (endpoint) => new WebSocket(endpoint) as never,
    reconnect: { retries: 60, baseDelayMs: 50, maxDelayMs: 250 },
  });
}

export async function joinPlayer(client: ArenaClient, roomId: string, name: string): Promise<Player> {
  const session = await client.join(roomId, { name });
  const errors: SessionError[] = [];
  session.onError((error) => errors.push(error));
  const applied: MasterPacket<ArenaCommand>[] = [];
  const runner = createLockstepRunner<ArenaCommand>({
    session,
    engine: createArenaEngine(),
    pingIntervalMs: 200,
    resendAfterMs: 100,
    onTurn: (_turn, master) => applied.push(master),
  });
  return { session, runner, applied, errors };
}

export function stopPlayers(players: readonly Player[]): void {
  for (const player of players) {
    player.runner.stop();
    player.session.close();
  }
}

/** Resolve when `check` holds, polling every 10 ms (bounded). */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Pause the room through a player, let everyone catch up, and return the owner's turn log. */
export async function freeze(
  hostUrl: string,
  adminSecret: string,
  roomId: string,
  room: readonly Player[],
): Promise<TurnLog<ArenaCommand>> {
  await until(
    async () => {
      const info = (await (await fetch(`${hostUrl}/rooms/${roomId}`)).json()) as { room: { phase: string } };
      if (info.room.phase === 'running.paused.requested') return true;
      room[0]?.session.pause(true);
      return false;
    },
    5000,
    'the room paused',
  );
  let log: TurnLog<ArenaCommand> | undefined;
  await until(
    async () => {
      const response = await fetch(`${hostUrl}/rooms/${roomId}/log`, {
        headers: { authorization: `Bearer ${adminSecret}` },
      });
      const current = (await response.json()) as TurnLog<ArenaCommand>;
      log = current;
      return room.every((p) => p.runner.turn === current.masters.length - 1);
    },
    5000,
    'every player at the last turn',
  );
  return log as TurnLog<ArenaCommand>;
}
