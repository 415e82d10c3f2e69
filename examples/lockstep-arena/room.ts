import { defineMessages, defineRoom, mergeMessages } from 'chartroom';
import { lockstep } from 'chartroom/sync/lockstep';
import { arenaCommand, arenaConfig } from './engine.js';

/** The lockstep model of the arena: commands validated against `arenaCommand`, 2 turns of input delay. */
export const arenaSync = lockstep({
  command: arenaCommand,
  inputDelayTurns: 2,
  lagLimitMs: 3000,
  lagPolicy: 'drop',
});

/** The room type: no game code on the server, 2-8 players, late joiners watch. */
export const lockstepArena = defineRoom({
  name: 'lockstep-arena',
  messages: defineMessages({ client: {}, server: {} }),
  config: { schema: arenaConfig, initial: { respawnTicks: 40 } },
  sync: arenaSync,
  options: { capacity: 8, minPlayers: 2, lateJoin: 'viewer' },
});

/** What a client of this room speaks: the lockstep messages (the game has no messages of its own). */
export const arenaMessages = mergeMessages(lockstepArena.messages, arenaSync.messages);
