/**
 * Headless bots fly, dock, trade and fight: several at once on the simulated system (the real
 * runtime, minutes of game time in seconds), and a few over real ws.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChartroomServer } from 'chartroom/server';
import { createTraderBot } from '../../examples/space-trader/bot.js';
import type { TraderBot } from '../../examples/space-trader/bot.js';
import { traderMessages } from '../../examples/space-trader/room.js';
import { clientFor, until } from '../support/server.js';
import { SYSTEM, createSimSystem, startSystem, worldOf } from './support.js';
import type { SimSystem } from './support.js';

/** The bot's mirror holds exactly what the server's world shows its seat now. */
function expectInSync(system: SimSystem, bot: TraderBot, seatId: string) {
  const engine = system.room.sync as unknown as { tick: number };
  expect(bot.mirror.tick).toBe(engine.tick);
  const view = worldOf(system.room).view(seatId, 'player');
  expect(new Map([...view.entities].map((e) => [e.id, e]))).toEqual(bot.mirror.entities);
  const { zones: _static, ...streamed } = view.sections ?? {};
  const { zones: _mirrored, ...held } = bot.mirror.sections;
  expect(held).toEqual(streamed);
}

describe('space trader: bots', () => {
  let system: SimSystem | undefined;
  let server: ChartroomServer | undefined;
  afterEach(async () => {
    await system?.close();
    await server?.close();
  });

  it('fly, dock, trade and fight for three minutes of game time, their mirrors in step', async () => {
    system = await createSimSystem({ pirates: 7 }, 21);
    const sessions = await Promise.all(['b1', 'b2', 'b3', 'b4'].map((name) => system!.join(name)));
    const refusals: string[] = [];
    const bots = sessions.map((session) =>
      createTraderBot(session, { onRefusal: (code) => refusals.push(code) }),
    );
    await system.run(180_000);
    const total = (key: keyof TraderBot['stats']) => bots.reduce((sum, bot) => sum + bot.stats[key], 0);
    for (const bot of bots) expect(bot.stats.docks, JSON.stringify(bot.stats)).toBeGreaterThanOrEqual(2);
    expect(total('trades')).toBeGreaterThanOrEqual(8);
    expect(total('hitsTaken') + total('kills')).toBeGreaterThan(0);
    // The bots only ask for what the server allows them: no refusal in three minutes.
    expect(refusals).toEqual([]);
    const credits = bots.map((bot) => bot.mirror.sections.you?.credits ?? 0);
    expect(Math.max(...credits)).toBeGreaterThan(5000);
    bots.forEach((bot, i) => expectInSync(system!, bot, sessions[i]!.seatId));
  }, 60_000);

  it('several bots over real ws dock and trade at once', async () => {
    const started = await startSystem();
    server = started.server;
    const client = clientFor(started.url, traderMessages, false);
    const sessions = await Promise.all(['w1', 'w2', 'w3'].map((name) => client.join(SYSTEM, { name })));
    // The SDK hands the game's join fields over as they came (seed 002's ship_id and spawn).
    for (const session of sessions) {
      expect(session.joinedExtra).toEqual({
        ship_id: expect.stringMatching(/^s_\d+$/),
        spawn: { x: expect.any(Number), y: expect.any(Number), rotation: expect.any(Number) },
      });
    }
    const bots = sessions.map((session) => createTraderBot(session, { fight: false }));
    await until(() => bots.every((bot) => bot.stats.trades >= 1), 10_000, 'a trade by every bot');
    for (const bot of bots) expect(bot.stats.docks).toBeGreaterThanOrEqual(1);
    for (const session of sessions) session.close();
  });
});
