import { fileURLToPath } from 'node:url';
import type { ExampleDemo } from '../support/demo.js';
import { lockstepArena } from './room.js';

/** The lockstep arena on the demo server: one open room, `demo-arena`, and its page. */
export const demo: ExampleDemo = {
  name: 'lockstep-arena',
  title: 'Lockstep arena: an RTS-style match',
  roomTypes: [lockstepArena],
  rooms: [{ type: lockstepArena.name, roomId: 'demo-arena' }],
  page: {
    html: fileURLToPath(new URL('./page.html', import.meta.url)),
    script: fileURLToPath(new URL('./page.ts', import.meta.url)),
  },
};
