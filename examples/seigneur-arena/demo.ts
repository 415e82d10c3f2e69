import { fileURLToPath } from 'node:url';
import { createSeigneurProtocol } from 'chartroom/protocols/seigneur';
import { nodeAead } from 'chartroom/protocols/seigneur/node';
import type { ExampleDemo } from '../support/demo.js';
import { seigneurArena } from './room.js';

/**
 * The Seigneur arena in the demo server: the Seigneur protocol over WebSocket at
 * `/ws/seigneur` (binary frames; AES-256-GCM when the client asks, since the demo serves plain
 * ws; node:crypto on the server side), room 1001. The page draws the arena; `examples/seigneur-arena/bot.ts` adds bots.
 */
export const demo: ExampleDemo = {
  name: 'seigneur-arena',
  title: 'Seigneur arena: binary protocol, AES-GCM (seed 000)',
  roomTypes: [seigneurArena],
  endpoints: [createSeigneurProtocol({ aead: nodeAead })],
  rooms: [{ type: seigneurArena.name, roomId: '1001' }],
  page: {
    html: fileURLToPath(new URL('./page.html', import.meta.url)),
    script: fileURLToPath(new URL('./page.ts', import.meta.url)),
  },
};
