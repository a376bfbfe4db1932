/**
 * The persona library (every file valid, enough of them, spread over the
 * categories and demographic dimensions) and the personas endpoints (listing,
 * filters, paging; the composed prompt never leaves the server).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { composePersonaPrompt } from '../../src/personas/compose-prompt.js';
import { PERSONA_CATEGORIES } from '../../src/personas/persona-schema.js';
import { personas, startTestServer, type TestServer } from '../helpers/app.js';

describe('persona library', () => {
  it('has at least 50 valid personas spread over every category', () => {
    assert.ok(personas.length >= 50, `${personas.length} personas`);
    for (const c of PERSONA_CATEGORIES) assert.ok(personas.filter((p) => p.category === c).length >= 5, `category ${c}`);
    assert.ok(personas.filter((p) => p.category === 'Expert').every((p) => p.is_expert));
    assert.equal(new Set(personas.map((p) => p.id)).size, personas.length);
  });

  it('covers the demographic dimensions audience research needs', () => {
    const urbanicity = new Set<string>(personas.map((p) => p.profile.demographics.urbanicity));
    for (const u of ['urban', 'suburban', 'rural']) assert.ok(urbanicity.has(u), u);
    const countries = new Set(personas.map((p) => p.profile.demographics.country));
    assert.ok(countries.size >= 4, [...countries].join(','));
    const minAges = personas.map((p) => Number(/\d+/.exec(p.profile.demographics.age_range)?.[0] ?? NaN)).filter(Number.isFinite);
    assert.ok(Math.min(...minAges) <= 22 && Math.max(...minAges) >= 65, 'ages from young adults to retirees');
    assert.ok(personas.filter((p) => p.profile.statistics.length > 0).length >= personas.length * 0.8, 'most rest on public statistics');
  });

  it('composes a prompt from the profile', () => {
    const p = personas.find((x) => x.id === 'gen-z-digital-native')!;
    const prompt = composePersonaPrompt(p);
    assert.match(prompt, /Gen Z Digital Native/);
    for (const v of p.profile.psychographics.values) assert.ok(prompt.includes(v), v);
    assert.ok(prompt.includes(p.profile.objections[0]!));
  });
});

describe('personas endpoints', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());
  const get = async (path: string) => {
    const res = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${s.testKey}` } });
    return { res, body: (await res.json()) as any };
  };

  it('lists with the documented shape and pages with cursors', async () => {
    const first = await get('/v1/personas');
    assert.equal(first.res.status, 200);
    assert.equal(first.body.object, 'list');
    assert.equal(first.body.data.length, 50);
    assert.equal(first.body.has_more, true);
    for (const p of first.body.data) {
      assert.deepEqual(Object.keys(p).sort(), ['category', 'created_at', 'description', 'id', 'is_custom', 'is_expert', 'name', 'object']);
      assert.equal(p.object, 'persona');
    }
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      const page = await get(`/v1/personas?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      for (const p of page.body.data) {
        assert.ok(!seen.has(p.id), 'no repeats across pages');
        seen.add(p.id);
      }
      if (!page.body.has_more) {
        assert.equal(page.body.next_cursor, undefined);
        break;
      }
      cursor = page.body.next_cursor;
    }
    assert.equal(seen.size, personas.length);
  });

  it('filters by category and searches name and description', async () => {
    const experts = await get('/v1/personas?category=Expert');
    assert.ok(experts.body.data.length >= 5);
    assert.ok(experts.body.data.every((p: any) => p.category === 'Expert'));
    const industry = await get('/v1/personas?category=IndustrySpecific');
    assert.ok(industry.body.data.length > 0 && industry.body.data.every((p: any) => p.category === 'Industry'));
    const cfo = await get('/v1/personas?search=cfo');
    assert.ok(cfo.body.data.some((p: any) => p.id === 'hospital-cfo'));
    assert.equal((await get('/v1/personas?custom=true')).body.data.length, 0);
  });

  it('never returns the composed prompt', async () => {
    const all = JSON.stringify((await get('/v1/personas?limit=100')).body);
    const one = await get('/v1/personas/hospital-cfo');
    assert.equal(one.res.status, 200);
    assert.equal(one.body.id, 'hospital-cfo');
    const prompt = composePersonaPrompt(personas.find((p) => p.id === 'hospital-cfo')!);
    const firstLine = prompt.split('\n')[1]!;
    for (const text of [all, JSON.stringify(one.body)]) assert.ok(!text.includes(firstLine) && !text.includes('Stay in this perspective'));
    const created = await fetch(`${s.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.testKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mavera-1', input: 'hi', persona_id: 'hospital-cfo', instructions: 'Be brief.' }),
    });
    const id = ((await created.json()) as any).id;
    const items = JSON.stringify((await get(`/v1/responses/${id}/input_items`)).body);
    const stored = JSON.stringify((await get(`/v1/responses/${id}`)).body);
    for (const text of [items, stored]) assert.ok(!text.includes('Stay in this perspective'), 'no prompt in stored response views');
  });
});
