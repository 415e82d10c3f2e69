import { defineRoom } from 'chartroom';
import { cardDuelMachine } from './game.js';
import { duelConfig, messages } from './messages.js';
import { duelSetupFlow } from './setup-flow.js';

export { messages } from './messages.js';

/**
 * Card duel: a turn-based card game for two. Setup is the author's own chart (deck choice,
 * then seating); the match is an XState machine with a turn timer, the authority on every play.
 */
export const cardDuel = defineRoom({
  name: 'card-duel',
  messages,
  config: { schema: duelConfig, initial: { decks: {}, order: [], turnMs: 20_000 } },
  setupFlow: duelSetupFlow,
  // Both players chose and sat: the setup flow reached its final state with a full order.
  canStart: (config, players) => config.order.length === players.length,
  game: cardDuelMachine,
  options: { capacity: 2, minPlayers: 2, lateJoin: 'viewer', maxViewers: 8 },
});
