/**
 * Load a running server with headless trader bots (Node):
 *
 *     npm start   # in another terminal: the demo server, with system sol-1
 *     node --conditions=chartroom-source --import tsx examples/space-trader/load.ts \
 *       [baseUrl=http://127.0.0.1:8080] [bots=20] [seconds=30] [system=sol-1]
 *
 * Every 5 s it prints what the bots did (docks, trades, kills, deaths, refusals); at the end,
 * the totals. Bots join one after the other (20 per second), each on its own WebSocket.
 */
import { WebSocket } from 'ws';
import { createClient } from 'chartroom/client';
import type { WebSocketLike } from 'chartroom/client';
import { createTraderBot } from './bot.js';
import type { BotStats, TraderBot, TraderSession } from './bot.js';
import { traderMessages } from './room.js';

const [baseUrl = 'http://127.0.0.1:8080', botsArg = '20', secondsArg = '30', system = 'sol-1'] =
  process.argv.slice(2);
const bots = Math.max(1, Math.min(2000, Number(botsArg)));
const seconds = Math.max(1, Math.min(3600, Number(secondsArg)));

const client = createClient({
  baseUrl,
  messages: traderMessages,
  webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
});

const sessions: TraderSession[] = [];
const pilots: TraderBot[] = [];
for (let i = 0; i < bots; i++) {
  try {
    const session = await client.join(system, { name: `bot-${i + 1}` });
    sessions.push(session);
    pilots.push(createTraderBot(session));
  } catch (error) {
    console.error(`bot-${i + 1} could not join: ${String(error)}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
}

const totals = (): BotStats =>
  pilots.reduce(
    (sum, bot) => {
      for (const key of Object.keys(sum) as (keyof BotStats)[]) sum[key] += bot.stats[key];
      return sum;
    },
    { docks: 0, trades: 0, refusals: 0, repairs: 0, kills: 0, deaths: 0, hitsTaken: 0, inputs: 0 },
  );

console.log(`${pilots.length} bots flying in ${system} on ${baseUrl} for ${seconds} s`);
const report = setInterval(() => console.log(JSON.stringify(totals())), 5000);
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
clearInterval(report);
console.log('totals', JSON.stringify(totals()));
for (const session of sessions) session.leave();
process.exit(0);
