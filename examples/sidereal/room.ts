import { defineMessages, defineRoom } from 'chartroom';
import { universeSync } from './sync.js';
import { universeConfig } from './universe.js';

/**
 * The Sidereal universe as a room type: no game messages of its own, the universe sync model
 * (./sync.ts) does everything. It starts when its first player knocks (the Sidereal protocol
 * commits ready for a knocking player in setup); later knockers join the running universe as
 * players while seats are free, then as viewers. Everyone gets the same world.
 */
export const siderealUniverse = defineRoom({
  name: 'sidereal-universe',
  messages: defineMessages({ client: {}, server: {} }),
  config: { schema: universeConfig, initial: universeConfig.parse({}) },
  sync: universeSync(),
  options: { capacity: 16, minPlayers: 1, maxViewers: 64, lateJoin: 'player', persistent: true },
});
