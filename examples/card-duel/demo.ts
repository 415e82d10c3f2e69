import { fileURLToPath } from 'node:url';
import type { ExampleDemo } from '../support/demo.js';
import { cardDuel } from './room.js';

export const demo: ExampleDemo = {
  name: 'card-duel',
  title: 'Card duel: setup stages, turns and a turn timer',
  roomTypes: [cardDuel],
  rooms: [{ type: cardDuel.name, roomId: 'demo-card-duel' }],
  page: {
    html: fileURLToPath(new URL('./page.html', import.meta.url)),
    script: fileURLToPath(new URL('./page.ts', import.meta.url)),
  },
};
