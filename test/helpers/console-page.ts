/**
 * Checks made on every console page in the browser tests: axe-core finds no
 * serious or critical violation, the page's CSP reported nothing, no script
 * error, nothing wider than a 390 px phone; and a full-page screenshot at
 * 1280 and at 390 px for a reviewer.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Before the page's scripts and outside its CSP: collect what the policy blocks. */
export async function watchCsp(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

export function pageChecks(page: Page, outDir: string) {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // The first GET /v1/session before sign-in answers 401: that is how the page learns it must sign in.
    if (/status of 401/.test(m.text()) && m.location().url.endsWith('/v1/session')) return;
    problems.push(`console error: ${m.text()} (${m.location().url})`);
  });
  let shot = 0;

  /** Every chart on the page drawn (charts load Chart.js on first use). */
  const settle = async (): Promise<void> => {
    await page.waitForFunction(() => [...document.querySelectorAll('[data-chart-ready]')].every((f) => f.getAttribute('data-chart-ready') === 'true'));
  };

  const axe = async (name: string): Promise<void> => {
    await page.evaluate(axeSource);
    const result = await page.evaluate(async () => {
      const r = await (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe.run(document, {
        resultTypes: ['violations'],
      });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) }));
    });
    assert.deepEqual(
      result.filter((v) => v.impact === 'serious' || v.impact === 'critical'),
      [],
      `${name}: axe found serious violations`,
    );
  };

  /** Screenshots at 1280 and 390 px (from the top: a scrolled full-page shot leaves the sticky header mid-page), axe at both widths. */
  const capture = async (name: string): Promise<void> => {
    shot += 1;
    const base = `${String(shot).padStart(2, '0')}-${name}`;
    await page.setViewportSize({ width: 1280, height: 900 });
    await settle();
    await axe(`${name} @1280`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(outDir, `${base}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await settle();
    await axe(`${name} @390`);
    await page.evaluate(() => window.scrollTo(0, 0));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const wide =
      overflow > 1
        ? await page.evaluate(() =>
            [...document.querySelectorAll('body *')]
              .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
              .slice(0, 5)
              .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`),
          )
        : [];
    await page.screenshot({ path: path.join(outDir, `${base}-390.png`), fullPage: true });
    assert.ok(overflow <= 1, `${name}: the page is ${overflow}px wider than a 390px screen: ${wide.join(', ')}`);
    await page.setViewportSize({ width: 1280, height: 900 });
    await settle();
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), [], `${name}: CSP violations`);
    assert.deepEqual(problems, [], `${name}: errors in the page`);
  };

  return { problems, settle, axe, capture };
}

/** A clean folder for a test's screenshots under test-results/console/. */
export function screenshotDir(name: string): string {
  const dir = path.resolve('test-results/console', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
