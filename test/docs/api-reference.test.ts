/**
 * The API reference at /docs: served by the server itself (Swagger UI bundled
 * at build time into dist/api-docs), rendered in the browser from this
 * server's /openapi.json, under the console's CSP — checked over HTTP and in
 * Debian's Chromium (every documented operation rendered, no CSP violation,
 * no script error, no request to another origin).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { CONSOLE_CSP } from '../../src/console/assets.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { browserUnavailable, launchChromium } from '../helpers/browser.js';
import { watchCsp } from '../helpers/console-page.js';

describe('/docs over HTTP', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  it('is an HTML page under the console CSP whose scripts and styles all come from this server', async () => {
    const res = await fetch(`${s.url}/docs`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/html/);
    assert.equal(res.headers.get('content-security-policy'), CONSOLE_CSP);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const html = await res.text();
    assert.doesNotMatch(html, /<script\b(?![^>]*\bsrc=)[^>]*>[^<]/, 'no inline script');
    assert.doesNotMatch(html, /<style\b|\sstyle=/, 'no inline style');
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(refs.includes('/docs/swagger-ui-bundle.js') && refs.includes('/docs/init.js') && refs.includes('/docs/swagger-ui.css'));
    for (const ref of refs) {
      assert.ok(ref.startsWith('/'), `${ref}: nothing from another origin`);
      const r = await fetch(`${s.url}${ref}`);
      assert.equal(r.status, 200, ref);
      await r.arrayBuffer();
    }
    assert.equal((await fetch(`${s.url}/docs/`)).status, 200);
  });

  it('serves the renderer compressed and cached, and reads /openapi.json', async () => {
    const bundle = await fetch(`${s.url}/docs/swagger-ui-bundle.js`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(bundle.headers.get('content-encoding'), 'br');
    assert.match(bundle.headers.get('content-type')!, /^text\/javascript/);
    assert.equal(bundle.headers.get('cache-control'), 'public, max-age=3600');
    assert.match(await bundle.text(), /SwaggerUIBundle/);
    const init = await (await fetch(`${s.url}/docs/init.js`)).text();
    assert.match(init, /url: '\/openapi\.json'/);
    assert.match(init, /validatorUrl: null/, 'no call to a validator service');
    assert.equal((await fetch(`${s.url}/docs/LICENSE.txt`)).status, 200, 'the renderer’s licence ships with it');
    assert.equal((await fetch(`${s.url}/docs/nope.js`)).status, 404);
    assert.equal((await fetch(`${s.url}/docs/..%2Fconsole-ui%2Findex.html`)).status, 404);
  });
});

const skip = browserUnavailable();

describe('/docs in Chromium', { skip }, () => {
  let s: TestServer;
  let chromium: { browser: Browser; close(): Promise<void> };
  before(async () => {
    s = await startTestServer();
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    await s?.close();
  });

  it('renders every operation of /openapi.json, with no CSP violation, script error or other origin', async () => {
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } });
    await watchCsp(context);
    const page = await context.newPage();
    const problems: string[] = [];
    const origins = new Set<string>();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('request', (r) => origins.add(new URL(r.url()).origin));
    await page.goto(`${s.url}/docs`);
    await page.waitForFunction((n) => document.querySelectorAll('.opblock').length >= n, operations, { timeout: 30_000 });
    assert.equal(await page.locator('.opblock').count(), operations);
    assert.match((await page.locator('.info .title').textContent()) ?? '', /\S/, 'the document’s title is shown');
    await page.screenshot({ path: 'test-results/api-docs-1280.png' });
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), [], 'CSP violations');
    assert.deepEqual(problems, []);
    assert.deepEqual(
      [...origins].filter((o) => o !== s.url && o !== 'null' && !o.startsWith('data:')),
      [],
      'requests to other origins',
    );
    await context.close();
  });
});
