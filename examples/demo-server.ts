/**
 * The demo server (`npm start`): every example on embedded defaults (in-memory presence, no
 * external service), its demo rooms and pages, and the URLs to try.
 *
 * Environment: PORT (default 8080), HOST (default 127.0.0.1), LOG_LEVEL (default info),
 * CHARTROOM_ADMIN_SECRET, CHARTROOM_SECRET (token HMAC secret; random per process when unset).
 * REDIS_URL makes this process one node of a cluster on Redis (docs/scaling.md); unset, no Redis
 * is used or loaded.
 */
import { createConsoleLogger } from 'chartroom';
import type { LogLevel } from 'chartroom';
import { createJsonEnvelopeProtocol } from 'chartroom/protocols/json-envelope';
import { createServer } from 'chartroom/server';
import type { ExampleDemo } from './support/demo.js';
import { createPageHandler } from './support/pages.js';
import { redisClusterOptions } from './support/cluster.js';
import { demo as bingo } from './bingo/demo.js';
import { demo as cardDuel } from './card-duel/demo.js';
import { demo as lockstepArena } from './lockstep-arena/demo.js';
import { demo as seigneurArena } from './seigneur-arena/demo.js';
import { demo as sidereal } from './sidereal/demo.js';
import { demo as spaceTrader } from './space-trader/demo.js';
import { demo as tapRace } from './tap-race/demo.js';

/** Every example the demo server hosts; a new example adds one line here. */
const demos: readonly ExampleDemo[] = [
  tapRace,
  cardDuel,
  bingo,
  lockstepArena,
  seigneurArena,
  sidereal,
  spaceTrader,
];

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const clustered = process.env.REDIS_URL ? await redisClusterOptions(process.env.REDIS_URL) : {};

const server = createServer({
  roomTypes: demos.flatMap((d) => d.roomTypes),
  endpoints: [createJsonEnvelopeProtocol(), ...demos.flatMap((d) => d.endpoints ?? [])],
  logger: createConsoleLogger((process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info'),
  http: createPageHandler(demos),
  pageFor: (type, roomId) => {
    const demo = demos.find((d) => d.page && d.roomTypes.some((t) => t.name === type));
    return demo && `/examples/${demo.name}/?game_id=${roomId}`;
  },
  ...(process.env.CHARTROOM_ADMIN_SECRET ? { adminSecret: process.env.CHARTROOM_ADMIN_SECRET } : {}),
  ...(process.env.CHARTROOM_SECRET ? { secret: process.env.CHARTROOM_SECRET } : {}),
  ...clustered,
});

const { url } = await server.listen({ port, host });
for (const demo of demos) {
  for (const room of demo.rooms ?? []) {
    // In a cluster another node may host the demo room already: that one serves it.
    await server.createRoom(room).catch((error: unknown) => {
      if (!process.env.REDIS_URL) throw error;
      console.log(`demo room ${room.roomId ?? room.type}: ${String(error)}`);
    });
  }
}
const extra = await Promise.all(demos.map(async (d) => (d.start ? d.start() : undefined)));

const lines = [
  `Chartroom demo server on ${url}`,
  '',
  `  examples      ${url}/`,
  ...demos.filter((d) => d.page).map((d) => `    ${d.title.padEnd(40)} ${url}/examples/${d.name}/`),
  `  health        GET  ${url}/health`,
  `  rooms         GET  ${url}/rooms`,
  `  create room   POST ${url}/rooms  (Authorization: Bearer ${server.adminSecret})  {"type":"tap-race"}`,
  `  join ticket   POST ${url}/rooms/<room id>/join  {"name":"ada"}`,
  ...Object.entries(server.endpoints()).map(
    ([name, endpoint]) => `  endpoint      ${name.padEnd(16)} ${endpoint}`,
  ),
  ...extra.flatMap((e) =>
    Object.entries(e?.urls ?? {}).map(([name, u]) => `  endpoint      ${name.padEnd(16)} ${u}`),
  ),
];
console.log(`\n${lines.join('\n')}\n`);

const stop = async () => {
  for (const e of extra) await e?.stop();
  await server.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
