import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium); `npx playwright install` cannot download here. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
/** Appended to a browser test's name, so a skipped run says why. */
export const skipNote = hasChromium ? '' : ` [skipped: no ${CHROMIUM}; apt-get install chromium to run it]`;

/**
 * Headless Chromium with the flags this workplace needs: no sandbox (root), no GPU, and no
 * background networking (its connections are refused by the closed network).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: 15_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
