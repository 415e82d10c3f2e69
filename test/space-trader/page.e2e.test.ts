/**
 * The space-trader page end to end: bundled and served as `npm start` serves it, in a real
 * headless Chromium, against a real server. A person's keys and clicks: join, dock (F), buy,
 * launch and fly (W), with what the page shows checked against the server's world.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from 'chartroom';
import { createServer } from 'chartroom/server';
import type { ChartroomServer } from 'chartroom/server';
import { demo } from '../../examples/space-trader/demo.js';
import { defaultTraderConfig } from '../../examples/space-trader/messages.js';
import { spaceTrader } from '../../examples/space-trader/room.js';
import { createPageHandler } from '../../examples/support/pages.js';
import { hasChromium, launchChromium, skipNote } from '../support/browser.js';
import { SYSTEM, worldOf } from './support.js';

describe('space trader in the browser', () => {
  let browser: Browser | undefined;
  let server: ChartroomServer | undefined;

  beforeAll(async () => {
    if (!hasChromium) return;
    browser = await launchChromium();
  }, 20_000);
  afterAll(async () => browser?.close());
  afterEach(async () => server?.close());

  const shipRow = (page: Page, key: string) =>
    page.$eval(
      '#ship',
      (table, k) => {
        const row = Array.from(table.querySelectorAll('tr')).find((tr) => tr.cells[0]?.textContent === k);
        return row?.cells[1]?.textContent ?? '';
      },
      key,
    );

  it.skipIf(!hasChromium)(
    `a person joins, docks with F, buys, launches and flies with W${skipNote}`,
    async () => {
      server = createServer({
        roomTypes: [spaceTrader],
        logger: createMemoryLogger(),
        http: createPageHandler([demo]),
      });
      const { url } = await server.listen({ port: 0, host: '127.0.0.1' });
      const room = await server.createRoom({
        type: spaceTrader.name,
        roomId: SYSTEM,
        config: { ...defaultTraderConfig, pirates: 0 },
      });
      const page = await (await browser!.newContext()).newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${url}/examples/space-trader/?game_id=${SYSTEM}`);
      await page.fill('#name', 'ada');
      await page.click('#join');
      await page.waitForFunction(
        () => document.querySelector('#ship')?.textContent?.includes('credits'),
        undefined,
        { timeout: 10_000 },
      );
      expect(await shipRow(page, 'credits')).toBe('5000');
      const shipId = await shipRow(page, 'ship');
      const ship = () => worldOf(room).state.ships.get(shipId)!;

      await page.keyboard.down('f');
      await page.waitForFunction(() =>
        document.querySelector('#ship')?.textContent?.includes('earth-orbit-station'),
      );
      await page.keyboard.up('f');
      expect(ship().dockedAt).toBe('earth-orbit-station');

      // The market's buttons survive the world's updates (a rebuilt button swallows clicks).
      const buy10 = await page.waitForSelector('button[data-buy10="food"]');
      await page.waitForTimeout(300);
      expect(await buy10.evaluate((button) => button.isConnected)).toBe(true);
      await buy10.click();
      await page.waitForFunction(() =>
        document.querySelector('#log')?.textContent?.includes('trade: 10 food'),
      );
      await page.waitForFunction(() => document.querySelector('#ship')?.textContent?.includes('10 food'));
      expect(Number(await shipRow(page, 'credits'))).toBe(ship().credits);
      expect(ship().cargo.get('food')).toBe(10);

      const docked = { x: ship().x, y: ship().y };
      await page.keyboard.down('w');
      await page.waitForFunction(() => {
        const rows = Array.from(document.querySelectorAll('#ship tr'));
        return rows
          .find((tr) => (tr as HTMLTableRowElement).cells[0]?.textContent === 'docked at')
          ?.textContent?.includes('-');
      });
      await page.waitForTimeout(600);
      await page.keyboard.up('w');
      expect(ship().dockedAt).toBeUndefined();
      expect(Math.hypot(ship().x - docked.x, ship().y - docked.y)).toBeGreaterThan(20);
      expect(errors).toEqual([]);
    },
    40_000,
  );
});
