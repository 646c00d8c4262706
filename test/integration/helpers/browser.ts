/**
 * Headless Chromium for the dashboard tests: the system's /usr/bin/chromium (playwright-core ships
 * no browser), skipped where it is missing except under CI, and closed when the test ends.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { onTestFinished } from 'vitest';
import { settings } from '../../../shared/config.js';

export const chromiumPath = '/usr/bin/chromium';

/** Whether the browser tests run; `what` names them in the line printed when they are skipped. */
export function shouldRunWithChromium(what: string): boolean {
  if (existsSync(chromiumPath)) return true;
  if (settings().ci) return true; // under CI a missing browser is a failure, not a skip
  process.stderr.write(`\n*** SKIPPED: ${chromiumPath} is missing, so ${what} did not run (apt install chromium) ***\n\n`);
  return false;
}

/** A browser closed when the test ends. */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    // Headless as root in a sandboxed CI box; no network beyond the page under test.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  onTestFinished(() => browser.close());
  return browser;
}
