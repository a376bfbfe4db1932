/**
 * Every error class of the brief, rendered by the one renderer: status, body
 * shape `{error:{message,type,param,code}}`, the offending param, x-request-id.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERRORS } from '../../src/errors/registry.js';
import { startTestServer, type TestServer } from '../helpers/app.js';

let s: TestServer;
before(async () => {
  s = await startTestServer({ maxBodyBytes: 64 * 1024 });
});
after(() => s.close());

async function call(method: string, path: string, body?: unknown, key: string | null = s.testKey, raw?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${s.url}${path}`, { method, headers, ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { res, body: (await res.json()) as any };
}

function assertError(r: { res: Response; body: any }, status: number, code: string, param: string | null) {
  assert.equal(r.res.status, status, JSON.stringify(r.body));
  assert.deepEqual(Object.keys(r.body.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(r.body.error.code, code);
  assert.equal(r.body.error.param, param);
  assert.equal(r.body.error.type, ERRORS[code as keyof typeof ERRORS].type);
  assert.ok(r.body.error.message.length > 10);
  assert.ok(r.res.headers.get('x-request-id'));
  assert.match(r.res.headers.get('content-type') ?? '', /application\/json/);
}

const ok = { model: 'mavera-1', input: 'hello' };

describe('errors', () => {
  it('400 for malformed JSON and missing fields', async () => {
    assertError(await call('POST', '/v1/responses', undefined, s.testKey, '{"model": "mavera-1",'), 400, 'invalid_request', 'body');
    assertError(await call('POST', '/v1/responses', { model: 'mavera-1' }), 400, 'invalid_request', 'input');
    assertError(await call('POST', '/v1/responses', { input: 'x' }), 400, 'invalid_request', 'model');
    assertError(await call('POST', '/v1/responses', { model: 'mavera-1', input: [{ type: 'function_call_output', output: 'x' }] }), 400, 'invalid_request', 'input[0].call_id');
  });

  it('400 previous_response_not_found as the protocol reference shows', async () => {
    const r = await call('POST', '/v1/responses', { ...ok, previous_response_id: 'resp_x' });
    assertError(r, 400, 'previous_response_not_found', 'previous_response_id');
    assert.equal(r.body.error.message, "Previous response with id 'resp_x' not found.");
  });

  it('401 for missing, unknown and revoked keys', async () => {
    assertError(await call('POST', '/v1/responses', ok, null), 401, 'unauthorized', null);
    // A message that reads whole: a key too short to show any of is not shown as '…'.
    const unknown = [
      ['mvra_test_nope', 'Incorrect API key provided. Check your mvra_live_ or mvra_test_ key.'],
      ['sk-abc', 'Incorrect API key provided. A Cohort key starts with mvra_live_ or mvra_test_.'],
      ['mvra_test_0123456789abcdefwxyz', 'Incorrect API key provided: mvra_test_…wxyz. Check your mvra_live_ or mvra_test_ key.'],
      ['sk-proj-0123456789abcdefwxyz', 'Incorrect API key provided: sk-proj-01…wxyz. A Cohort key starts with mvra_live_ or mvra_test_.'],
    ];
    for (const [key, message] of unknown) {
      const r = await call('POST', '/v1/responses', ok, key);
      assertError(r, 401, 'unauthorized', null);
      assert.equal(r.body.error.message, message, key);
    }
    const k = await s.accounts.createKey({ workspace: 'acme', mode: 'test' });
    await s.accounts.revokeKey(k.id);
    const r = await call('POST', '/v1/responses', ok, k.key);
    assertError(r, 401, 'unauthorized', null);
    assert.match(r.body.error.message, /revoked/);
    assert.ok(!JSON.stringify(r.body).includes(k.key), 'the key is never echoed');
  });

  it('403 for a key without the scope', async () => {
    const k = await s.accounts.createKey({ workspace: 'acme', mode: 'test', scopes: ['personas:read'] });
    assertError(await call('POST', '/v1/responses', ok, k.key), 403, 'forbidden', null);
    assert.equal((await call('GET', '/v1/personas', undefined, k.key)).res.status, 200);
  });

  it('404 for unknown persona, response and route', async () => {
    assertError(await call('POST', '/v1/responses', { ...ok, persona_id: 'no-such-persona' }), 404, 'persona_not_found', 'persona_id');
    assertError(await call('GET', '/v1/personas/no-such-persona'), 404, 'persona_not_found', 'persona_id');
    assertError(await call('GET', '/v1/responses/resp_000'), 404, 'not_found', 'response_id');
    assertError(await call('GET', '/v1/nothing-here'), 404, 'not_found', null);
  });

  it('413 for a body over the limit', async () => {
    assertError(await call('POST', '/v1/responses', { ...ok, input: 'x'.repeat(70 * 1024) }), 413, 'payload_too_large', 'body');
  });

  it('422 names the param for every constrained field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ model: 'gpt-4o' }, 'model'],
      [{ temperature: 2.5 }, 'temperature'],
      [{ temperature: 'hot' }, 'temperature'],
      [{ top_p: 1.1 }, 'top_p'],
      [{ frequency_penalty: -3 }, 'frequency_penalty'],
      [{ presence_penalty: 2.1 }, 'presence_penalty'],
      [{ reasoning_effort: 'max' }, 'reasoning_effort'],
      [{ verbosity: 'loud' }, 'verbosity'],
      [{ max_output_tokens: 0 }, 'max_output_tokens'],
      [{ max_output_tokens: 1.5 }, 'max_output_tokens'],
      [{ input: 42 }, 'input'],
      [{ input: [{ role: 'robot', content: 'x' }] }, 'input[0].role'],
      [{ tools: [{ type: 'function', name: 'bad name' }] }, 'tools[0].name'],
      [{ tools: [{ type: 'function', name: 'f', parameters: { type: 'nonsense' } }] }, 'tools[0].parameters'],
      [{ tool_choice: { type: 'function', name: 'missing' } }, 'tool_choice.name'],
      [{ text: { format: { type: 'json_schema', name: 'x', schema: { type: 12 } } } }, 'text.format.schema'],
      [{ input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'ftp://x/y.png' }] }] }, 'input[0].content[0].image_url'],
      [{ metadata: { k: 5 } }, 'metadata.k'],
      [{ analysis_mode: 'yes' }, 'analysis_mode'],
    ];
    for (const [patch, param] of cases) {
      assertError(await call('POST', '/v1/responses', { ...ok, ...patch }), 422, 'validation_error', param);
    }
    assertError(await call('GET', '/v1/personas?limit=500'), 422, 'validation_error', 'limit');
  });

  it('accepts nulls and known parameters it does not use, as real clients send them', async () => {
    const r = await call('POST', '/v1/responses', {
      ...ok,
      temperature: null,
      text: {},
      tools: [{ type: 'function', name: 'f', strict: null, parameters: null }],
      include: ['reasoning.encrypted_content'],
      stream_options: { include_obfuscation: false },
      prompt_cache_retention: '24h',
      conversation: null,
      service_tier: 'auto',
      truncation: 'auto',
    });
    assert.equal(r.res.status, 200, JSON.stringify(r.body));
  });

  it('503 for a live key with no backend, naming the variables', async () => {
    const r = await call('POST', '/v1/responses', ok, s.liveKey);
    assertError(r, 503, 'service_unavailable', null);
    assert.match(r.body.error.message, /COHORT_UPSTREAM_URL/);
    assert.ok(r.res.headers.get('retry-after'));
  });

  it('serves the same API under /api/v1', async () => {
    const r = await call('POST', '/api/v1/responses', ok);
    assert.equal(r.res.status, 200);
    assert.equal(r.body.object, 'response');
  });
});
