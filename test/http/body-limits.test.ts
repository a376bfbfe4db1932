/**
 * How every endpoint that reads a body reads it (src/http/read-json.ts):
 * reading stops at the size limit while the body streams in (a chunked body
 * that never ends gets its 413 — before, the whole body was buffered first),
 * nesting past MAX_JSON_DEPTH is a 400 before any recursive walk (before:
 * 500, a stack overflow in null stripping), a content type that is not JSON
 * is 415, and a key cannot be created already expired.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { MAX_JSON_DEPTH } from '../../src/limits/request-limits.js';
import { nestingDepth } from '../../src/http/read-json.js';
import { startTestServer, type TestServer } from '../helpers/app.js';

let s: TestServer;
let adminKey: string;
before(async () => {
  s = await startTestServer({ maxBodyBytes: 64 * 1024 });
  adminKey = (await s.accounts.createKey({ workspace: 'acme', mode: 'test', scopes: ['admin', 'operator'] })).key;
});
after(() => s.close());

/** Every endpoint that reads a JSON body, with a body it accepts. */
const endpoints = (): Array<{ path: string; key: () => string; ok: Record<string, unknown> }> => [
  { path: '/v1/responses', key: () => s.testKey, ok: { model: 'mavera-1', input: 'hi' } },
  { path: '/v1/chat/completions', key: () => s.testKey, ok: { model: 'mavera-1', messages: [{ role: 'user', content: 'hi' }] } },
  { path: '/v1/personas', key: () => s.testKey, ok: { pipeline_type: 'north_star', name: 'Night owl', description: 'A student who studies at night.' } },
  { path: '/v1/personas/import', key: () => s.testKey, ok: { name: 'x' } },
  { path: '/v1/admin/workspaces', key: () => adminKey, ok: { name: 'body-limits' } },
  { path: '/v1/admin/workspaces/acme/keys', key: () => adminKey, ok: { mode: 'test' } },
  { path: '/v1/admin/workspaces/acme/credits', key: () => adminKey, ok: { amount: 1 } },
];

async function post(path: string, key: string, body: string, contentType: string | null = 'application/json') {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (contentType !== null) headers['content-type'] = contentType;
  // fetch labels a string body text/plain; bytes go without a content type.
  const res = await fetch(`${s.url}${path}`, { method: 'POST', headers, body: contentType === null ? new TextEncoder().encode(body) : body });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; param: string | null; message: string } } };
}

describe('request bodies', () => {
  it('stops reading a chunked body without content-length at the limit: 413 while it is still arriving', { timeout: 30_000 }, async () => {
    const u = new URL(s.url);
    let sent = 0;
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: u.hostname, port: u.port, path: '/v1/responses', method: 'POST', headers: { authorization: `Bearer ${s.testKey}`, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (err) => (sent > 0 ? undefined : reject(err)));
      const chunk = Buffer.alloc(16 * 1024, 'a');
      req.write('{"model":"mavera-1","input":"');
      // An endless body: only a server that stops reading answers it.
      const pump = () => {
        while (!req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
      };
      pump();
    });
    assert.equal(status, 413);
  });

  it('refuses nesting deeper than MAX_JSON_DEPTH on every endpoint before parsing it (10,000 levels was a 500)', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    for (const e of endpoints()) {
      const r = await post(e.path, e.key(), JSON.stringify(e.ok).replace(/}$/, `,"extra":${deep}}`));
      assert.equal(r.status, 400, `${e.path}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error!.param, 'body');
      assert.match(r.body.error!.message, new RegExp(`${MAX_JSON_DEPTH} levels`));
    }
  });

  it('reads exactly MAX_JSON_DEPTH levels (whatever a route then says of them), and strings full of brackets', async () => {
    // The body, text and format are 3 levels; the arrays of the (invalid) schema make the rest.
    const body = (levels: number) => `{"model":"mavera-1","input":"hi","text":{"format":{"type":"json_schema","name":"x","schema":${'['.repeat(levels - 3)}${']'.repeat(levels - 3)}}}}`;
    const at = await post('/v1/responses', s.testKey, body(MAX_JSON_DEPTH));
    assert.ok(!(at.status === 400 && at.body.error?.param === 'body'), JSON.stringify(at.body));
    const over = await post('/v1/responses', s.testKey, body(MAX_JSON_DEPTH + 1));
    assert.equal(over.status, 400);
    assert.equal(over.body.error!.param, 'body');
    const brackets = await post('/v1/responses', s.testKey, JSON.stringify({ model: 'mavera-1', input: '[{'.repeat(5000) + '\\"]}' }));
    assert.equal(brackets.status, 200, 'brackets inside strings do not count');
    assert.equal(nestingDepth(new TextEncoder().encode('{"a":"\\"{[","b":[[1]]}')), 3);
  });

  it('answers 415 to a body that is not JSON, on every endpoint; a missing content type is taken as JSON', async () => {
    for (const e of endpoints()) {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
        const r = await post(e.path, e.key(), JSON.stringify(e.ok), type);
        assert.equal(r.status, 415, `${e.path} ${type}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error!.code, 'unsupported_media_type');
        assert.equal(r.body.error!.param, 'content-type');
      }
    }
    assert.equal((await post('/v1/responses', s.testKey, JSON.stringify({ model: 'mavera-1', input: 'hi' }), 'application/json; charset=utf-8')).status, 200);
    assert.equal((await post('/v1/responses', s.testKey, JSON.stringify({ model: 'mavera-1', input: 'hi' }), 'application/merge-patch+json')).status, 200);
    assert.equal((await post('/v1/responses', s.testKey, JSON.stringify({ model: 'mavera-1', input: 'hi' }), null)).status, 200);
  });

  it('clones with an empty body (optional JSON), whatever its content type', async () => {
    const res = await fetch(`${s.url}/v1/personas/gen-z-digital-native/clone`, { method: 'POST', headers: { authorization: `Bearer ${s.testKey}` } });
    assert.equal(res.status, 200, await res.text());
  });

  it('refuses a key that expires in the past (422 expires_at)', async () => {
    const past = await post('/v1/admin/workspaces/acme/keys', adminKey, JSON.stringify({ mode: 'test', expires_at: Math.floor(Date.now() / 1000) - 60 }));
    assert.equal(past.status, 422, JSON.stringify(past.body));
    assert.equal(past.body.error!.param, 'expires_at');
    const future = await post('/v1/admin/workspaces/acme/keys', adminKey, JSON.stringify({ mode: 'test', expires_at: Math.floor(Date.now() / 1000) + 3600 }));
    assert.equal(future.status, 201, JSON.stringify(future.body));
  });
});
