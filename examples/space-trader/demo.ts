import { fileURLToPath } from 'node:url';
import type { ExampleDemo } from '../support/demo.js';
import { spaceTrader } from './room.js';

/** Seed 002's space-trading game: one system, `sol-1`, as in the seed's own examples. */
export const demo: ExampleDemo = {
  name: 'space-trader',
  title: 'Space trader: snapshot/delta sync, server-authoritative',
  roomTypes: [spaceTrader],
  rooms: [{ type: spaceTrader.name, roomId: 'sol-1' }],
  page: {
    html: fileURLToPath(new URL('./page.html', import.meta.url)),
    script: fileURLToPath(new URL('./page.ts', import.meta.url)),
  },
};
