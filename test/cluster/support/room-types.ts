/**
 * The room types every node of the test cluster hosts: a lockstep arena on 30 ms turns (durable:
 * it survives its node) and a plain room without a sync model (closed when its node dies).
 */
import { defineMessages, defineRoom, mergeMessages } from 'chartroom';
import { lockstep } from 'chartroom/sync/lockstep';
import { z } from 'zod';
import { arenaCommand, arenaConfig } from '../../../examples/lockstep-arena/engine.js';

export const clusterArenaSync = lockstep({
  command: arenaCommand,
  inputDelayTurns: 2,
  timing: { baseTurnMs: 30, minTurnMs: 30 },
  resendAfterMs: 100,
  lagLimitMs: 3000,
  lagPolicy: 'drop',
});

export const clusterArena = defineRoom({
  name: 'arena',
  messages: defineMessages({ client: {}, server: {} }),
  config: { schema: arenaConfig, initial: { respawnTicks: 40 } },
  sync: clusterArenaSync,
  options: { capacity: 4, minPlayers: 2, maxViewers: 4, lateJoin: 'viewer' },
});

export const plainRoom = defineRoom({
  name: 'plain',
  messages: defineMessages({ client: { hello: z.object({}) }, server: {} }),
  config: { schema: z.object({}), initial: {} },
  options: { capacity: 4, minPlayers: 1 },
});

export const clusterRoomTypes = [clusterArena, plainRoom];
export const arenaClientMessages = mergeMessages(clusterArena.messages, clusterArenaSync.messages);
