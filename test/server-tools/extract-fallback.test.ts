/**
 * tavily_extract without a Tavily key: the server fetches the page itself
 * through the guarded fetch and extracts the article with Readability. A
 * loopback page is reachable only when allow-listed; the guard refuses
 * private addresses (also after a redirect), other content types and
 * oversized bodies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGuardedFetch } from '../../src/server-tools/guarded-fetch.js';
import { readableText } from '../../src/server-tools/readable-text.js';
import { createServerTools } from '../../src/server-tools/registry.js';
import type { ServerToolsConfig } from '../../src/server-tools/types.js';
import { startMockToolApis, type MockToolApis } from '../helpers/mock-tool-apis.js';

const ARTICLE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Tides of the North Sea | Coastal Weekly</title>
<style>body { color: red }</style><script>window.tracking = 'never in the text';</script></head>
<body>
  <nav><a href="/">Home</a> | <a href="/about">About us</a> | <a href="/subscribe">Subscribe now</a></nav>
  <div class="ad">BUY CHEAP BOATS TODAY</div>
  <article>
    <h1>Tides of the North Sea</h1>
    <p>The North Sea tides are driven by the moon and shaped by a long, shallow coastline, so high water reaches each harbour at a different hour of the day.</p>
    <p>Fishermen in Whitby and Esbjerg have tracked these tides for centuries, first with almanacs and local knowledge and now with tide gauges that report every few minutes.</p>
    <p>Storm surges are the real danger: when a northerly gale coincides with a spring tide, the water can rise two metres above the forecast within hours.</p>
    <p>Since the flood of 1953 the countries around the North Sea have raised dikes, built storm barriers and shared surge forecasts, so that a warning issued in Aberdeen reaches Rotterdam long before the water does.</p>
  </article>
  <footer>Copyright 2026 Coastal Weekly. Cookie settings. Privacy policy.</footer>
</body></html>`;

let apis: MockToolApis;
let config: ServerToolsConfig;
before(async () => {
  apis = await startMockToolApis();
  apis.page('/pages/tides.html', ARTICLE, 'text/html; charset=utf-8');
  apis.page('/pages/notes.txt', 'Plain notes: bring a raincoat.', 'text/plain');
  apis.page('/pages/data.json', '{"a":1}', 'application/json');
  apis.page('/pages/big.html', `<html><body><p>${'x'.repeat(3 * 1024 * 1024)}</p></body></html>`, 'text/html');
  // No Tavily key: the fallback runs.
  config = { tavily: { baseURL: apis.url } };
});
after(async () => {
  await apis.close();
});

const call = (urls: string[]) => ({ callId: 'call_1', name: 'tavily_extract', arguments: JSON.stringify({ urls }) });
const signal = () => new AbortController().signal;

describe('tavily_extract fallback (no Tavily key)', () => {
  it('fetches an allow-listed loopback page and extracts the article text', async () => {
    const tools = createServerTools(config, { fetchGuarded: createGuardedFetch({ allow: ['127.0.0.1'] }) });
    const session = tools.open([{ type: 'tavily_extract', settings: {}, index: 0 }], 'live');
    const url = `${apis.url}/pages/tides.html`;
    const text = await session.execute(call([url]), signal(), 0);
    assert.match(text, /^Extracted 1 of 1 page; the first is "Tides of the North Sea" \(http:\/\/127\.0\.0\.1:\d+\/pages\/tides\.html\)\./);
    assert.match(text, /The North Sea tides are driven by the moon/);
    assert.match(text, /Storm surges are the real danger/);
    assert.match(text, /tracked these tides for centuries[^\n]*\n\nStorm surges|tracked these tides for centuries[^\n]*\nStorm surges/, 'paragraphs stay apart');
    for (const noise of ['Subscribe now', 'BUY CHEAP BOATS', 'Cookie settings', 'window.tracking', 'color: red']) assert.doesNotMatch(text, new RegExp(noise));
    assert.equal(apis.to('/extract').length, 0, 'Tavily is not called without a key');
    const rec = session.calls[0]!;
    assert.equal(rec.status, 'completed');
    assert.deepEqual(rec.urls, [url]);
    assert.equal(rec.result_summary, 'extracted 1 of 1 page');
  });

  it('truncates each page to max_chars for the model', async () => {
    const tools = createServerTools(config, { fetchGuarded: createGuardedFetch({ allow: ['127.0.0.1'] }) });
    const session = tools.open([{ type: 'tavily_extract', settings: { max_chars: 500 }, index: 0 }], 'live');
    const text = await session.execute(call([`${apis.url}/pages/tides.html`]), signal(), 0);
    const body = text.split('\n').slice(4).join('\n');
    assert.ok(body.length <= 500, `page text is ${body.length} chars`);
    assert.ok(body.endsWith('…'));
  });

  it('refuses a private address when it is not allow-listed', async () => {
    const tools = createServerTools(config, { fetchGuarded: createGuardedFetch() });
    const session = tools.open([{ type: 'tavily_extract', settings: {}, index: 0 }], 'live');
    const before = apis.requests.length;
    const text = await session.execute(call([`${apis.url}/pages/tides.html`]), signal(), 0);
    assert.match(text, /^Error: tavily_extract failed: .*127\.0\.0\.1 is a loopback address, which the server does not fetch/);
    assert.equal(apis.requests.length, before, 'nothing reached the page');
    assert.equal(session.calls[0]!.status, 'failed');
  });

  it('reports each page it could not extract, and keeps the others', async () => {
    const tools = createServerTools(config, { fetchGuarded: createGuardedFetch({ allow: ['127.0.0.1'] }) });
    const session = tools.open([{ type: 'tavily_extract', settings: {}, index: 0 }], 'live');
    const text = await session.execute(call([`${apis.url}/pages/notes.txt`, `${apis.url}/pages/data.json`, `${apis.url}/pages/big.html`, `${apis.url}/pages/missing.html`]), signal(), 0);
    assert.match(text, /^Extracted 1 of 4 pages/);
    assert.match(text, /Plain notes: bring a raincoat\./);
    assert.match(text, /data\.json: content type application\/json is not one of text\/html/);
    assert.match(text, /big\.html: the body is \d+ bytes, over the limit of 2097152/);
    assert.match(text, /missing\.html: the server answered HTTP 404/);
  });
});

describe('guarded fetch (src/util/safe-fetch.ts under the tools)', () => {
  const opts = () => ({ signal: signal(), maxBytes: 1e6, timeoutMs: 2000, accept: ['text/html'] as const });

  it('refuses a host whose name resolves to a private address', async () => {
    const fetchGuarded = createGuardedFetch({ lookup: async () => [{ address: '10.0.0.7', family: 4 }] });
    await assert.rejects(fetchGuarded('http://intranet.example.com/', opts()), /intranet\.example\.com \(10\.0\.0\.7\) is a private address/);
  });

  it('checks every redirect hop', async () => {
    // localhost is allowed; the redirect it answers with goes to 127.0.0.1, which is not.
    const fetchGuarded = createGuardedFetch({ allow: ['localhost'], lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
    const port = new URL(apis.url).port;
    const hops = apis.requests.length;
    await assert.rejects(
      fetchGuarded(`http://localhost:${port}/redirect-to-page?to=${encodeURIComponent(`http://127.0.0.1:${port}/pages/tides.html`)}`, opts()),
      /127\.0\.0\.1 is a loopback address/,
    );
    assert.equal(apis.requests.length, hops + 1, 'only the first hop was fetched');
  });

  it('keeps the content type and charset, and refuses other types', async () => {
    const fetchGuarded = createGuardedFetch({ allow: ['127.0.0.1'] });
    const page = await fetchGuarded(`${apis.url}/pages/tides.html`, opts());
    assert.equal(page.contentType, 'text/html');
    assert.equal(page.charset, 'utf-8');
    assert.match(new TextDecoder().decode(page.body), /Tides of the North Sea/);
    await assert.rejects(fetchGuarded(`${apis.url}/pages/data.json`, opts()), /content type application\/json is not one of text\/html/);
  });
});

describe('readable text', () => {
  it('falls back to the body text when Readability finds no article', () => {
    const page = readableText('<html><head><title>Tiny</title></head><body><nav>Menu</nav><p>Just one line.</p></body></html>', 'https://x.example/');
    assert.equal(page.title, 'Tiny');
    assert.equal(page.text, 'Just one line.');
  });
});
