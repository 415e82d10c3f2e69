import { createConsoleLogger } from 'chartroom';
import type { LogLevel } from 'chartroom';
import type { ExampleDemo } from '../support/demo.js';
import { startSiderealServer } from './server.js';

/**
 * Sidereal in the demo server: a Chartroom server of its own, because its `identify` hook issues
 * guest tickets on the server it belongs to. Clients knock over UDP on SIDEREAL_PORT (default
 * 8082), or over ws at the printed `sidereal` URL; `examples/sidereal/client.ts` is a headless
 * one that mirrors the universe. Its HTTP API listens on a free port.
 */
export const demo: ExampleDemo = {
  name: 'sidereal',
  title: 'Sidereal universe over UDP (seed 001)',
  roomTypes: [],
  async start() {
    const sidereal = await startSiderealServer({
      host: process.env.HOST ?? '127.0.0.1',
      port: Number(process.env.SIDEREAL_PORT ?? 8082),
      logger: createConsoleLogger((process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info'),
    });
    return {
      urls: {
        'sidereal-udp': sidereal.endpoint,
        'sidereal-ws': sidereal.wsEndpoint,
        'sidereal-http': sidereal.url,
      },
      stop: () => sidereal.stop(),
    };
  },
};
