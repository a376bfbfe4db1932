/**
 * The console's files as `cohort serve` sends them (src/console/assets.ts):
 * the page at `/` revalidated (no-cache + ETag → 304) under a CSP without
 * inline scripts; hashed assets immutable; brotli or gzip by Accept-Encoding,
 * decoding to the built bytes; nothing referenced from another origin; the JS
 * the page loads first within 300 KB compressed. Needs `npm run build`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { consoleRoutes, defaultConsoleDir } from '../../src/console/assets.js';
import { renderError } from '../../src/http/errors.js';
import type { AppEnv } from '../../src/http/context.js';
import { silentLogger } from '../../src/logger.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/app.js';

const dir = defaultConsoleDir();
let s: TestServer;
before(async () => {
  assert.ok(fs.existsSync(path.join(dir, 'index.html')), `the console is not built in ${dir}: run npm run build`);
  s = await startTestServer();
});
after(() => s.close());

/** The page's script and stylesheet URLs. */
function assetsOf(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
}

describe('serving the console', () => {
  it('GET / is the page: no-cache with an ETag (304 when unchanged) and a CSP without inline scripts or other origins', async () => {
    const res = await fetch(`${s.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /connect-src 'self'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'nothing from another origin');
    const etag = res.headers.get('etag');
    assert.ok(etag);
    const again = await fetch(`${s.url}/`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal((await again.arrayBuffer()).byteLength, 0);
    assert.equal((await fetch(`${s.url}/index.html`)).status, 200);
  });

  it('hashed assets are immutable for a year, compressed by Accept-Encoding and identical once decoded', async () => {
    const html = await (await fetch(`${s.url}/`)).text();
    const urls = assetsOf(html);
    assert.ok(urls.some((u) => u.endsWith('.js')) && urls.some((u) => u.endsWith('.css')), urls.join(' '));
    for (const u of urls) {
      const built = fs.readFileSync(path.join(dir, u));
      const br = await fetch(`${s.url}${u}`, { headers: { 'accept-encoding': 'br' } });
      assert.equal(br.status, 200);
      assert.equal(br.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(br.headers.get('vary'), 'accept-encoding');
      // fetch decodes content-encoding itself; the raw header says what was sent.
      assert.equal(br.headers.get('content-encoding'), 'br');
      assert.deepEqual(Buffer.from(await br.arrayBuffer()), built);
      const gz = await fetch(`${s.url}${u}`, { headers: { 'accept-encoding': 'gzip;q=1, br;q=0' } });
      assert.equal(gz.headers.get('content-encoding'), 'gzip');
      assert.deepEqual(Buffer.from(await gz.arrayBuffer()), built);
      const plain = await fetch(`${s.url}${u}`, { headers: { 'accept-encoding': 'identity' } });
      assert.equal(plain.headers.get('content-encoding'), null);
      assert.equal(Number(plain.headers.get('content-length')), built.length);
    }
    const icon = await fetch(`${s.url}/favicon.svg`);
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
    assert.equal(icon.headers.get('cache-control'), 'public, max-age=3600');
  });

  it('the page loads at most 300 KB of compressed JavaScript first, and the build refers to no other origin for fonts or styles', async () => {
    const html = await (await fetch(`${s.url}/`)).text();
    let gzip = 0;
    for (const u of assetsOf(html).filter((x) => x.endsWith('.js'))) gzip += zlib.gzipSync(fs.readFileSync(path.join(dir, u)), { level: 9 }).length;
    assert.ok(gzip > 0 && gzip <= 300 * 1024, `initial JS ${gzip} bytes gzip`);
    for (const f of fs.readdirSync(path.join(dir, 'assets'))) {
      const text = fs.readFileSync(path.join(dir, 'assets', f), 'utf8');
      assert.doesNotMatch(text, /fonts\.googleapis|fonts\.gstatic|cdn\.jsdelivr|unpkg\.com|cdnjs/, f);
      if (f.endsWith('.css')) assert.doesNotMatch(text, /url\(\s*['"]?(https?:)?\/\//, f);
    }
  });

  it('unknown files and the API keep their answers: a JSON 404, /v1 untouched', async () => {
    const missing = await fetch(`${s.url}/assets/nope.js`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not_found');
    assert.equal((await fetch(`${s.url}/nope.svg`)).status, 404);
    assert.equal((await fetch(`${s.url}/health`)).status, 200);
    assert.equal((await fetch(`${s.url}/v1/models`)).status, 401);
    assert.equal((await fetch(`${s.url}/openapi.json`)).status, 200);
  });

  it('without a build, / says how to build the console (503), and the rest is unaffected', async () => {
    const app = new Hono<AppEnv>();
    app.use('*', async (c, next) => {
      c.set('requestId', 'req_test');
      await next();
    });
    app.onError((err, c) => renderError(c, err, silentLogger));
    app.route('/', consoleRoutes({ dir: tempDir('cohort-console-') }));
    const res = await app.request('/');
    assert.equal(res.status, 503);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /npm run build/);
  });
});
