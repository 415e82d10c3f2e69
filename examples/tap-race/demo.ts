import { fileURLToPath } from 'node:url';
import type { ExampleDemo } from '../support/demo.js';
import { tapRace } from './room.js';

export const demo: ExampleDemo = {
  name: 'tap-race',
  title: 'Tap race: the smallest complete room',
  roomTypes: [tapRace],
  rooms: [{ type: tapRace.name, roomId: 'demo-tap-race' }],
  page: {
    html: fileURLToPath(new URL('./page.html', import.meta.url)),
    script: fileURLToPath(new URL('./page.ts', import.meta.url)),
  },
};
