/**
 * The lockstep arena end to end: the demo page, bundled and served as `npm start` serves it,
 * played in a real headless Chromium by two browser contexts, against a real server; and the
 * headless bots against the same kind of server.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createMemoryLogger, defineRoom } from 'chartroom';
import { createClient, createLockstepRunner } from 'chartroom/client';
import type { RoomSession, WebSocketLike } from 'chartroom/client';
import { createServer } from 'chartroom/server';
import type { ChartroomServer } from 'chartroom/server';
import { lockstep } from 'chartroom/sync/lockstep';
import type { LockstepEngine } from 'chartroom/sync/lockstep';
import { runBots } from '../../examples/lockstep-arena/bots.js';
import { demo } from '../../examples/lockstep-arena/demo.js';
import { arenaCommand, createArenaEngine } from '../../examples/lockstep-arena/engine.js';
import type { ArenaCommand } from '../../examples/lockstep-arena/engine.js';
import type { ArenaProbe } from '../../examples/lockstep-arena/page.js';
import { arenaMessages, lockstepArena } from '../../examples/lockstep-arena/room.js';
import { createPageHandler } from '../../examples/support/pages.js';
import { hasChromium, launchChromium, skipNote } from '../support/browser.js';
import { until } from '../support/server.js';

/**
 * The arena with 30 ms turns (the demo's are 100 ms), so a few hundred turns take seconds, and a
 * generous lag limit, so a slow machine reloading a page is not dropped (the test checks that
 * nobody is).
 */
const fastArena = defineRoom({
  ...lockstepArena,
  sync: lockstep({
    command: arenaCommand,
    inputDelayTurns: 2,
    lagLimitMs: 10_000,
    lagPolicy: 'drop',
    timing: { baseTurnMs: 30, minTurnMs: 30 },
  }),
});

async function startArenaServer() {
  const logger = createMemoryLogger();
  const server = createServer({ roomTypes: [fastArena], logger, http: createPageHandler([demo]) });
  const { url } = await server.listen({ port: 0, host: '127.0.0.1' });
  return { server, url, logger };
}

const dropsLogged = (logger: ReturnType<typeof createMemoryLogger>) =>
  logger.entries.filter((e) => e.message.includes('dropped')).length;

describe('lockstep arena in the browser', () => {
  let browser: Browser | undefined;
  let server: ChartroomServer | undefined;

  beforeAll(async () => {
    if (!hasChromium) return;
    browser = await launchChromium();
  }, 20_000);
  afterAll(async () => browser?.close());
  afterEach(async () => server?.close());

  /** The page's `window.arena`, read in the page. */
  const probe = (page: Page) =>
    page.evaluate(() => {
      const arena = (window as unknown as { arena: ArenaProbe }).arena;
      return { turn: arena.turn, status: arena.status, seatId: arena.seatId, role: arena.role };
    });
  const checksumAt = (page: Page, turn: number) =>
    page.evaluate((t) => (window as unknown as { arena: ArenaProbe }).arena.checksumAt(t) ?? null, turn);
  const reachTurn = (page: Page, turn: number, timeout = 15_000) =>
    page.waitForFunction((t) => (window as unknown as { arena: ArenaProbe }).arena.turn >= t, turn, {
      timeout,
      polling: 20,
    });

  it.skipIf(!hasChromium)(
    `two players in two browsers stay in lockstep; a reloaded page takes its seat back and catches up${skipNote}`,
    async () => {
      const started = await startArenaServer();
      server = started.server;
      const room = await server.createRoom({ type: 'lockstep-arena', seed: 2024 });
      const pageUrl = `${started.url}/examples/lockstep-arena/?game_id=${room.roomId}`;

      // Join one after the other (ada is p1, bob p2), each in its own context (own sessionStorage).
      const pages: Page[] = [];
      for (const name of ['ada', 'bob']) {
        const page = await (await browser!.newContext()).newPage();
        page.on('pageerror', (error) => console.error(`[${name}] page error: ${error.message}`));
        await page.goto(pageUrl);
        await page.fill('#name', name);
        await page.click('#join');
        await page.waitForFunction(() => (window as unknown as { arena: ArenaProbe }).arena.seatId !== '');
        pages.push(page);
      }
      const [ada, bob] = pages as [Page, Page];
      expect((await probe(ada)).seatId).toBe('p1');
      expect((await probe(bob)).seatId).toBe('p2');

      for (const page of pages) await page.click('#ready');
      for (const page of pages) await reachTurn(page, 0);
      expect(await ada.textContent('#status')).toBe('running');

      // Play: ada moves (click) and fires (right-click), bob moves and fires (shift-click, F key).
      await ada.click('#arena', { position: { x: 100, y: 120 } });
      await bob.click('#arena', { position: { x: 300, y: 280 } });
      await reachTurn(ada, 40);
      await ada.click('#arena', { position: { x: 300, y: 300 }, button: 'right' });
      await bob.click('#arena', { position: { x: 90, y: 110 }, modifiers: ['Shift'] });
      await bob.mouse.move(50, 50);
      await bob.keyboard.press('f');
      await reachTurn(ada, 150);
      await reachTurn(bob, 150);

      // Reload ada mid-match: the page takes the seat back with its stored resume token, replays
      // every turn from the start and plays on.
      const before = await probe(bob);
      await ada.reload();
      await ada.waitForFunction(() => (window as unknown as { arena: ArenaProbe }).arena.turn >= 0);
      const resumed = await probe(ada);
      expect(resumed.seatId).toBe('p1');
      expect(resumed.role).toBe('player');
      await reachTurn(ada, before.turn);
      await ada.click('#arena', { position: { x: 200, y: 200 } });

      // Compare at equal turns: the checksum each page recorded after turn N.
      const target = Math.max((await probe(ada)).turn, (await probe(bob)).turn) + 60;
      await reachTurn(ada, target);
      await reachTurn(bob, target);
      for (const turn of [10, 100, before.turn, target - 30, target]) {
        const mine = await checksumAt(ada, turn);
        expect(mine, `ada's checksum at turn ${turn}`).toMatch(/^[0-9a-f]{8}$/);
        expect(await checksumAt(bob, turn), `checksums at turn ${turn}`).toBe(mine);
      }
      expect(await ada.textContent('#halt')).toBe('');
      expect(await bob.textContent('#halt')).toBe('');
      expect((await probe(ada)).status).toBe('running');
      // The reloaded player was never dropped: the game waited for it and carried on with it.
      expect(dropsLogged(started.logger)).toBe(0);

      // The clicks reached the master packets: commands of both seats, before and after the reload.
      const log = (server.room(room.roomId)!.sync as LockstepEngine<ArenaCommand>).exportLog();
      const bySeat = (seat: string) =>
        log.masters.flatMap((m) => m.commands.filter((c) => c.seat === seat).flatMap((c) => c.commands));
      expect(bySeat('p1').map((c) => c.kind)).toEqual(expect.arrayContaining(['move', 'fire']));
      expect(bySeat('p2').map((c) => c.kind)).toEqual(expect.arrayContaining(['move', 'fire']));
      expect(bySeat('p1').some((c) => c.kind === 'move' && c.x > 0)).toBe(true);
      expect(log.masters.length).toBeGreaterThanOrEqual(target);
    },
    50_000,
  );
});

describe('lockstep arena without a browser', () => {
  let server: ChartroomServer | undefined;
  afterEach(async () => server?.close());

  it('a fresh client taking a seat back mid-match (a reload) is waited for, not dropped', async () => {
    const started = await startArenaServer();
    server = started.server;
    const room = await server.createRoom({ type: 'lockstep-arena', seed: 5 });
    // Each message in its own task, as in a browser.
    const client = createClient({
      baseUrl: started.url,
      messages: arenaMessages,
      webSocket: (url) => new WebSocket(url, { allowSynchronousEvents: false }) as unknown as WebSocketLike,
    });
    const runnerFor = (session: RoomSession<typeof arenaMessages>) =>
      createLockstepRunner<ArenaCommand>({ session, engine: createArenaEngine() });
    const ada = await client.join(room.roomId, { name: 'ada' });
    const bob = await client.join(room.roomId, { name: 'bob' });
    const first = runnerFor(ada);
    const other = runnerFor(bob);
    ada.ready();
    bob.ready();
    await until(() => first.turn >= 30 && other.turn >= 30);
    first.stop();
    ada.close(); // the page goes away; its successor holds only the resume token
    const again = await client.resume(ada.resumeToken);
    const second = runnerFor(again);
    const target = other.turn + 30;
    await until(() => second.turn >= target && other.turn >= target);
    expect(dropsLogged(started.logger)).toBe(0);
    second.stop();
    other.stop();
    await until(() => second.turn === other.turn);
    expect(second.checksum()).toBe(other.checksum());
  });

  it('four headless bots play 200 turns and agree on the checksum', async () => {
    const started = await startArenaServer();
    server = started.server;
    const room = await server.createRoom({ type: 'lockstep-arena', seed: 7 });
    const results = await runBots({
      baseUrl: started.url,
      roomId: room.roomId,
      count: 4,
      turns: 200,
      seed: 3,
      timeoutMs: 20_000,
    });
    expect(results.map((r) => r.seatId)).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(results.every((r) => r.turn === 200 && r.lastTurn >= 200)).toBe(true);
    expect(new Set(results.map((r) => r.checksum)).size).toBe(1);
    expect(results.reduce((n, r) => n + r.commands, 0)).toBeGreaterThan(0);
    expect(dropsLogged(started.logger)).toBe(0);
  }, 30_000);
});
