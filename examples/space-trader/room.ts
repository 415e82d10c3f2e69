import { defineMessages, defineRoom, mergeMessages } from 'chartroom';
import { snapshotSync } from 'chartroom/sync/state';
import {
  defaultTraderConfig,
  entity,
  inputs,
  sections,
  serverMessages,
  traderConfig,
  worldEvent,
} from './messages.js';
import { createSpaceWorld } from './world.js';

/**
 * The space trader's sync model: the server-authoritative world ticks at 20 Hz; each client
 * gets a snapshot on join and every 3 s, and a delta every tick. Drop-in: the first player
 * starts the system, later ones fly into it.
 */
export const traderSync = snapshotSync({
  inputs,
  entity,
  sections,
  event: worldEvent,
  serverMessages,
  // The room validated its configuration at creation; parsing again types it for the world.
  world: (init) => createSpaceWorld({ ...init, config: traderConfig.parse(init.config) }),
  tickRate: 20,
  snapshotEveryMs: 3000,
  dropIn: true,
});

/** One star system per room (seed 002: `system_id`, e.g. `sol-1`). */
export const spaceTrader = defineRoom({
  name: 'space-trader',
  messages: defineMessages({ client: {}, server: {} }),
  config: { schema: traderConfig, initial: defaultTraderConfig },
  sync: traderSync,
  options: { capacity: 64, minPlayers: 1, maxViewers: 16, lateJoin: 'player', persistent: true },
});

/** What a client of this room speaks: the inputs, `world.*` and the game's own replies and events. */
export const traderMessages = mergeMessages(spaceTrader.messages, traderSync.messages);
