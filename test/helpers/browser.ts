/**
 * Debian's Chromium driven by playwright-core (no browser download): headless,
 * no sandbox (tests run as root), no background networking (this machine has no
 * network beyond the package registries, and Chromium's own calls would only
 * fail), a fresh profile per launch (Playwright makes a new temporary
 * --user-data-dir for each launch and removes it at close). Without /usr/bin/chromium the browser
 * suites skip on a developer's machine and fail in CI (.ci/run installs it).
 */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { isCI } from './ci.js';

export const CHROMIUM = process.env.COHORT_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can (always undefined in CI: there they fail instead). */
export function browserUnavailable(): string | undefined {
  if (fs.existsSync(CHROMIUM) || isCI) return undefined;
  return `${CHROMIUM} is not installed (apt-get install chromium)`;
}

export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
    },
  };
}
