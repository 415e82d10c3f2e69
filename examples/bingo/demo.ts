import { createConsoleLogger } from 'chartroom';
import type { LogLevel } from 'chartroom';
import type { ExampleDemo } from '../support/demo.js';
import { startBingoServer } from './server.js';

/**
 * Bingo in the demo server: a Chartroom server of its own, because its lobby (`identify`)
 * issues tickets and creates rooms on the server it belongs to. Bingo clients connect over
 * raw TCP on BINGO_PORT (default 8081) and identify with the seed's `{login, username}`;
 * `examples/bingo/bot.ts` is one. Its HTTP API (rooms, tickets) listens on a free port.
 */
export const demo: ExampleDemo = {
  name: 'bingo',
  title: 'Bingo over raw TCP (seed 003)',
  roomTypes: [],
  async start() {
    const bingo = await startBingoServer({
      host: process.env.HOST ?? '127.0.0.1',
      port: Number(process.env.BINGO_PORT ?? 8081),
      logger: createConsoleLogger((process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info'),
    });
    return {
      urls: { bingo: bingo.endpoint, 'bingo-http': bingo.url },
      stop: () => bingo.stop(),
    };
  },
};
