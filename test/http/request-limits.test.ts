/**
 * The size limits of a create request and of a custom persona (issue 16.7),
 * at the wire, with limits lowered so each case is small: every request over
 * a limit is a 422 naming the parameter where it was crossed, refused before
 * the work it bounds (no response stored, no credits, no image fetched).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LIMITS, PERSONA_FIELD_LIMITS } from '../../src/limits/request-limits.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { PNG_1x1, startImageServer, type ImageServer } from '../helpers/images.js';

let s: TestServer;
let images: ImageServer;
before(async () => {
  images = await startImageServer();
  s = await startTestServer({
    limits: { request: { inputChars: 1000, inputTokens: 400, inputItems: 5, contentParts: 3, images: 2 } },
    imageFetch: { allow: ['127.0.0.1'] },
  });
});
after(async () => {
  await s.close();
  await images.close();
});

async function post(path: string, body: unknown) {
  const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${s.testKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

function assertRefused(r: { status: number; body: any }, param: string) {
  assert.equal(r.status, 422, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'validation_error');
  assert.equal(r.body.error.param, param);
}

const png = `data:image/png;base64,${PNG_1x1.toString('base64')}`;
const text = (n: number) => 'word '.repeat(Math.ceil(n / 5)).slice(0, n);
/** One token per character: digits and spaces are separate tokens. */
const digits = (n: number) => '7 '.repeat(Math.ceil(n / 2)).slice(0, n);

describe('request size limits', () => {
  it('characters of text, named where the total crossed the limit', async () => {
    assertRefused(await post('/v1/responses', { model: 'mavera-1', instructions: text(1001), input: 'hi' }), 'instructions');
    assertRefused(await post('/v1/responses', { model: 'mavera-1', input: text(1001) }), 'input');
    assertRefused(
      await post('/v1/responses', { model: 'mavera-1', instructions: text(400), input: [{ role: 'user', content: [{ type: 'input_text', text: text(400) }, { type: 'input_text', text: text(201) }] }] }),
      'input[0].content[1].text',
    );
    assertRefused(await post('/v1/responses', { model: 'mavera-1', input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: text(1001) }] }), 'input[0].arguments');
    assertRefused(await post('/v1/responses', { model: 'mavera-1', input: [{ role: 'user', content: 'hi' }, { type: 'function_call_output', call_id: 'c', output: text(1001) }] }), 'input[1].output');
    assert.equal((await post('/v1/responses', { model: 'mavera-1', input: text(1000) })).status, 200);
  });

  it('items, content parts, tools and images', async () => {
    assertRefused(await post('/v1/responses', { model: 'mavera-1', input: Array.from({ length: 6 }, () => ({ role: 'user', content: 'hi' })) }), 'input');
    assertRefused(await post('/v1/responses', { model: 'mavera-1', input: [{ role: 'user', content: Array.from({ length: 4 }, () => ({ type: 'input_text', text: 'a' })) }] }), 'input[0].content');
    const tools = Array.from({ length: DEFAULT_LIMITS.request.tools + 1 }, (_, i) => ({ type: 'function', name: `f${i}`, parameters: { type: 'nonsense' } }));
    assertRefused(await post('/v1/responses', { model: 'mavera-1', input: 'hi', tools }), 'tools');
    const before = images.hits.length;
    const parts = [png, `${images.url}/cat.png`, `${images.url}/photo.jpg`].map((image_url) => ({ type: 'input_image', image_url }));
    assertRefused(await post('/v1/responses', { model: 'mavera-1', input: [{ role: 'user', content: parts }] }), 'input[0].content[2]');
    assert.equal(images.hits.length, before, 'no image was fetched');
  });

  it('tokens of the whole prompt, the previous conversation included', async () => {
    assertRefused(await post('/v1/responses', { model: 'mavera-1', input: digits(900) }), 'input');
    const first = await post('/v1/responses', { model: 'mavera-1', input: digits(380) });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const chained = await post('/v1/responses', { model: 'mavera-1', input: 'and then?', previous_response_id: first.body.id });
    assertRefused(chained, 'previous_response_id');
  });

  it('chat completions name the message', async () => {
    const r = await post('/v1/chat/completions', { model: 'mavera-1', messages: [{ role: 'user', content: 'hi' }, { role: 'user', content: text(1001) }] });
    assertRefused(r, 'messages[1].content');
    assertRefused(await post('/v1/chat/completions', { model: 'mavera-1', messages: Array.from({ length: 6 }, () => ({ role: 'user', content: 'hi' })) }), 'messages');
  });

  it('nothing is stored for a refused request', async () => {
    const listed = await s.db.selectFrom('responses').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await post('/v1/responses', { model: 'mavera-1', input: text(5000), store: true });
    const after = await s.db.selectFrom('responses').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(listed.n));
  });
});

describe('custom persona fields', () => {
  const importOf = async () => {
    const persona = await (await fetch(`${s.url}/v1/personas/gen-z-digital-native`, { headers: { authorization: `Bearer ${s.testKey}` } })).json();
    return { name: 'Bounded', description: 'A persona at the limits.', details: structuredClone(persona.details) as any };
  };

  it('a persona within the bounds imports; longer texts, longer lists and more statistics are refused', async () => {
    const ok = await importOf();
    ok.details.demographics.occupation = 'o'.repeat(PERSONA_FIELD_LIMITS.text);
    ok.details.goals = Array.from({ length: PERSONA_FIELD_LIMITS.items }, (_, i) => `goal ${i} `.padEnd(PERSONA_FIELD_LIMITS.item, 'g'));
    assert.equal((await post('/v1/personas/import', ok)).status, 200);

    const longText = await importOf();
    longText.details.demographics.occupation = 'o'.repeat(PERSONA_FIELD_LIMITS.text + 1);
    assertRefused(await post('/v1/personas/import', longText), 'details.demographics.occupation');

    const longItem = await importOf();
    longItem.details.pains = ['p'.repeat(PERSONA_FIELD_LIMITS.item + 1)];
    assertRefused(await post('/v1/personas/import', longItem), 'details.pains[0]');

    const manyItems = await importOf();
    manyItems.details.psychographics.values = Array.from({ length: PERSONA_FIELD_LIMITS.items + 1 }, (_, i) => `value ${i}`);
    assertRefused(await post('/v1/personas/import', manyItems), 'details.psychographics.values');

    const manyStats = await importOf();
    manyStats.details.statistics = Array.from({ length: PERSONA_FIELD_LIMITS.statistics + 1 }, () => ({ claim: 'c', source: 's' }));
    assertRefused(await post('/v1/personas/import', manyStats), 'details.statistics');
  });
});
