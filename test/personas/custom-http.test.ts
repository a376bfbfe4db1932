/**
 * Custom personas over HTTP: the three pipelines (test keys derive, live keys
 * generate with the live engine under a strict schema), validation and
 * consistency errors naming the field, credits (live keys debited, 402 with
 * nothing created), versions recorded by responses, soft delete, workspace
 * isolation, the merged listing, clone, export/import, scopes, and a
 * response in a custom persona's voice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Provider, ProviderEvent, ProviderRequest } from '../../src/providers/types.js';
import { personas, startTestServer, type TestServer } from '../helpers/app.js';

/** A live engine that answers the generation request with a scripted profile and anything else with "ok". */
function fakeLive() {
  const requests: ProviderRequest[] = [];
  const state: { answer: string } = { answer: '' };
  const provider: Provider = {
    name: 'fake-live',
    async *stream(req: ProviderRequest): AsyncIterable<ProviderEvent> {
      requests.push(req);
      const text = req.format.type === 'json_schema' && req.format.name === 'persona_profile' ? state.answer : 'ok';
      for (let i = 0; i < text.length; i += 50) yield { type: 'text-delta', delta: text.slice(i, i + 50) };
      yield { type: 'usage', inputTokens: 10, outputTokens: 10 };
      yield { type: 'finish', reason: 'stop' };
    },
  };
  return { provider, requests, state };
}

const hospitalCfo = personas.find((p) => p.id === 'hospital-cfo')!;
const profileOf = (id: string) => structuredClone(personas.find((p) => p.id === id)!.profile);

describe('custom personas over HTTP', () => {
  let s: TestServer;
  let live: ReturnType<typeof fakeLive>;
  let otherKey: string;
  let poorKey: string;
  before(async () => {
    live = fakeLive();
    s = await startTestServer({ live: live.provider });
    otherKey = (await s.accounts.createKey({ workspace: 'globex', mode: 'test', plan: 'business' })).key;
    poorKey = (await s.accounts.createKey({ workspace: 'poor', mode: 'live', plan: 'free' })).key;
  });
  after(() => s.close());

  const call = async (method: string, path: string, body?: unknown, key = s.testKey) => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  };
  const acme = async () => (await s.accounts.findWorkspace('acme'))!;
  const balance = async (name = 'acme') => (await s.credits.summary((await s.accounts.findWorkspace(name))!.id)).balance;
  const advanced = (over: Record<string, unknown> = {}) => ({
    pipeline_type: 'advanced',
    name: 'Regional Hospital CFO',
    description: 'CFO of a regional hospital fighting thin margins.',
    details: profileOf('hospital-cfo'),
    ...over,
  });
  const expectError = (r: { status: number; body: any }, status: number, code: string, param: string | null) => {
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.code, code);
    assert.equal(r.body.error.param, param, r.body.error.message);
  };

  describe('north_star', () => {
    it('test keys: derived deterministically from name and description, 300 reported but not charged', async () => {
      const before = await balance();
      const body = { pipeline_type: 'north_star', name: 'Retired Teachers in Florida', description: 'Former public school teachers aged 65-75 living on pensions, busy with grandkids and church.' };
      const a = await call('POST', '/v1/personas', body);
      assert.equal(a.status, 200, JSON.stringify(a.body));
      assert.deepEqual(Object.keys(a.body).sort(), [
        'category', 'cloned_from', 'created_at', 'credits_charged', 'description', 'details', 'id', 'is_custom', 'is_expert', 'name', 'object', 'pipeline_type', 'type', 'updated_at', 'version', 'warnings',
      ]);
      assert.match(a.body.id, /^cp_[0-9a-f]{24}$/);
      assert.equal(a.body.object, 'custom_persona');
      assert.deepEqual([a.body.pipeline_type, a.body.type, a.body.is_custom, a.body.version, a.body.credits_charged], ['north_star', 'B2C', true, 1, 300]);
      const d = a.body.details;
      assert.equal(d.demographics.age_range, '65-75');
      assert.equal(d.demographics.life_stage, 'retired');
      assert.match(d.demographics.region, /Florida/);
      assert.equal(d.age_band, '65-75', 'guided aliases are reported from the profile');
      assert.equal(d.persona_type, 'B2C');
      assert.ok(!JSON.stringify(a.body).includes('Stay in this perspective'), 'no prompt');
      const b = await call('POST', '/v1/personas', body);
      assert.notEqual(b.body.id, a.body.id);
      assert.deepEqual(b.body.details, a.body.details, 'same input, same profile');
      assert.equal(await balance(), before, 'test keys are never charged');
    });

    it('requires a description', async () => {
      expectError(await call('POST', '/v1/personas', { pipeline_type: 'north_star', name: 'x' }), 400, 'invalid_request', 'description');
      expectError(await call('POST', '/v1/personas', { name: 'x', description: 'y' }), 400, 'invalid_request', 'pipeline_type');
      expectError(await call('POST', '/v1/personas', { pipeline_type: 'magic', name: 'x' }), 422, 'validation_error', 'pipeline_type');
      expectError(await call('POST', '/v1/personas', { pipeline_type: 'north_star', name: 'x', description: 'y', details: { demographics: {} } }), 422, 'validation_error', 'details.demographics');
    });

    it('live keys: generated by the live engine under the strict profile schema, then charged 300', async () => {
      const generated = profileOf('software-engineer');
      generated.demographics.occupation = 'Staff platform engineer at a fintech';
      live.state.answer = JSON.stringify(generated);
      const n = live.requests.length;
      const before = await balance();
      const r = await call('POST', '/v1/personas', { pipeline_type: 'north_star', name: 'Fintech platform engineers', description: 'Senior engineers who pick infrastructure tools at fintech companies.' }, s.liveKey);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const req = live.requests[n]!;
      assert.equal(req.format.type, 'json_schema');
      if (req.format.type === 'json_schema') {
        assert.equal(req.format.strict, true);
        assert.equal(req.format.name, 'persona_profile');
        assert.equal((req.format.schema as any).additionalProperties, false);
        assert.ok((req.format.schema as any).required.includes('demographics'));
        // Not asked of the model: the population block and statistics' links and years.
        assert.equal((req.format.schema as any).properties.population, undefined);
        assert.deepEqual((req.format.schema as any).properties.statistics.items.required, ['claim', 'source']);
      }
      assert.equal(r.body.details.population, undefined, 'a population the model sent anyway is dropped');
      assert.ok(r.body.details.statistics.every((st: any) => st.url === undefined));
      assert.match(JSON.stringify(req.items), /Fintech platform engineers/);
      assert.equal(req.workspace?.id, (await acme()).id, 'per-workspace backend routes apply');
      assert.equal(r.body.details.demographics.occupation, 'Staff platform engineer at a fintech');
      assert.equal(await balance(), before - 300);
      const ledger = await s.credits.ledger((await acme()).id, { limit: 1 });
      assert.deepEqual([ledger[0]!.kind, ledger[0]!.amount, ledger[0]!.operation, ledger[0]!.persona_id, ledger[0]!.response_id], ['debit', -300, 'persona_create', r.body.id, null]);
      const keys = await s.accounts.listKeys('acme');
      assert.equal(ledger[0]!.key_id, keys.find((k) => k.mode === 'live')!.id);
    });

    it('live keys: an inconsistent generated profile is repaired; an unusable answer falls back to derivation', async () => {
      const bad = profileOf('software-engineer');
      Object.assign(bad.demographics, { life_stage: 'retired', age_range: '18-25', generation: 'Gen Z' });
      live.state.answer = JSON.stringify(bad);
      const r = await call('POST', '/v1/personas', { pipeline_type: 'north_star', name: 'Engineers', description: 'Software engineers.' }, s.liveKey);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const d = r.body.details.demographics;
      assert.ok(Number(d.age_range.split('-')[1]) >= 50 || /\+$/.test(d.age_range), `repaired age ${d.age_range} for '${d.life_stage}'`);
      assert.doesNotMatch(d.generation, /Gen Z/);

      live.state.answer = '{"demographics": "not a profile"';
      const f = await call('POST', '/v1/personas', { pipeline_type: 'north_star', name: 'Rural Oklahoma retirees', description: 'Retired couples in rural Oklahoma.' }, s.liveKey);
      assert.equal(f.status, 200, JSON.stringify(f.body));
      assert.equal(f.body.details.demographics.life_stage, 'retired');
    });
  });

  describe('intermediate', () => {
    const cfo = {
      pipeline_type: 'intermediate',
      name: 'Mid-market CFO',
      type: 'B2B',
      role_segment: ['CFO', 'VP Finance'],
      buying_stage: 'SOLUTION_AWARE',
      decision_role: 'ECONOMIC_BUYER',
      primary_objectives: ['cut software spend 15%'],
      mcda_weights: { price: 0.3, timeToValue: 0.2, risk: 0.2, proof: 0.2, support: 0.1 },
      goals: ['consolidate vendors'],
      pains: ['surprise renewals'],
      triggers: ['budget season'],
      channels: ['CFO peer groups'],
      proof_types: ['ROI case studies'],
      alternatives: ['spreadsheets', 'incumbent ERP module'],
      win_factors: ['fast payback'],
      objections: ['We already have a tool for that.'],
      company_size: '200-2,000 employees',
      industry: 'SaaS',
    };

    it('guided B2B fields are kept; the rest is filled in; the prompt uses them', async () => {
      const r = await call('POST', '/v1/personas', cfo);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const d = r.body.details;
      assert.deepEqual([r.body.type, r.body.pipeline_type], ['B2B', 'intermediate']);
      assert.deepEqual(d.role_segment, ['CFO', 'VP Finance']);
      assert.equal(d.buying_stage, 'SOLUTION_AWARE');
      assert.deepEqual(d.mcda_weights, cfo.mcda_weights);
      assert.deepEqual(d.goals, ['consolidate vendors']);
      assert.deepEqual(d.buying_behavior.purchase_triggers, ['budget season']);
      assert.deepEqual(d.media.channels, ['CFO peer groups']);
      assert.deepEqual(d.objections, ['We already have a tool for that.']);
      assert.equal(d.demographics.occupation, 'CFO or VP Finance at a 200-2,000 employees SaaS company');
      assert.match(r.body.description, /B2B persona: CFO \/ VP Finance/);
      assert.ok(d.psychographics.values.length > 0 && d.communication.phrases.length >= 3, 'the rest is filled in');
    });

    it('validates the guided fields, naming them', async () => {
      expectError(await call('POST', '/v1/personas', { ...cfo, buying_stage: 'READY' }), 422, 'validation_error', 'buying_stage');
      expectError(await call('POST', '/v1/personas', { ...cfo, decision_role: 'BOSS' }), 422, 'validation_error', 'decision_role');
      const sum = await call('POST', '/v1/personas', { ...cfo, mcda_weights: { price: 0.5, timeToValue: 0.5, risk: 0.5, proof: 0, support: 0 } });
      expectError(sum, 422, 'validation_error', 'mcda_weights');
      assert.match(sum.body.error.message, /sum to 1/);
      assert.equal((await call('POST', '/v1/personas', { ...cfo, mcda_weights: { price: 30, timeToValue: 20, risk: 20, proof: 20, support: 10 } })).status, 200, 'percentages are accepted');
      expectError(await call('POST', '/v1/personas', { ...cfo, mcda_weights: { price: -1, timeToValue: 1, risk: 0, proof: 0, support: 1 } }), 422, 'validation_error', 'mcda_weights.price');
      expectError(await call('POST', '/v1/personas', { ...cfo, type: undefined }), 400, 'invalid_request', 'type');
      expectError(await call('POST', '/v1/personas', { pipeline_type: 'intermediate', name: 'x', type: 'B2C' }), 400, 'invalid_request', 'role_segment');
      expectError(await call('POST', '/v1/personas', { ...cfo, goals: [] }), 422, 'validation_error', 'goals');
    });

    it('rejects inconsistent given fields with the field; repairs derived ones', async () => {
      const bad = await call('POST', '/v1/personas', { pipeline_type: 'intermediate', name: 'Young retirees', type: 'B2C', life_stage: 'retired', age_band: '18-25' });
      expectError(bad, 422, 'validation_error', 'age_band');
      assert.match(bad.body.error.message, /retired/);
      const budget = await call('POST', '/v1/personas', { ...cfo, details: { budget_authority: 'none' } });
      expectError(budget, 422, 'validation_error', 'details.budget_authority');
      const ok = await call('POST', '/v1/personas', { pipeline_type: 'intermediate', name: 'Young couples', description: 'Couples in their late 20s', type: 'B2C', life_stage: 'retired' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.details.demographics.life_stage, 'retired', 'the given field stays');
      assert.ok(Number(/\d+/.exec(ok.body.details.demographics.age_range.split('-')[1] ?? '100')![0]) >= 50, ok.body.details.demographics.age_range);
    });
  });

  describe('advanced', () => {
    it('takes the full profile, validated field by field', async () => {
      const r = await call('POST', '/v1/personas', advanced());
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.details.demographics, hospitalCfo.profile.demographics);
      assert.equal(r.body.type, 'B2B');
      const broken = (mutate: (d: any) => void) => {
        const body = advanced() as any;
        mutate(body.details);
        return call('POST', '/v1/personas', body);
      };
      expectError(await broken((d) => (d.demographics.urbanicity = 'space')), 422, 'validation_error', 'details.demographics.urbanicity');
      expectError(await broken((d) => delete d.demographics.age_range), 400, 'invalid_request', 'details.demographics.age_range');
      expectError(await broken((d) => (d.psychographics.big_five.openness = 150)), 422, 'validation_error', 'details.psychographics.big_five.openness');
      expectError(await broken((d) => (d.communication.phrases = ['one'])), 422, 'validation_error', 'details.communication.phrases');
      expectError(await call('POST', '/v1/personas', { pipeline_type: 'advanced', name: 'x', description: 'y' }), 400, 'invalid_request', 'details');
      expectError(await call('POST', '/v1/personas', advanced({ category: 'Expert', is_expert: false })), 422, 'validation_error', 'is_expert');
      // An alias beside the profile field it names, with another value: refused, not guessed.
      const stale = advanced() as any;
      stale.details.age_band = '30-40';
      expectError(await call('POST', '/v1/personas', stale), 422, 'validation_error', 'details.age_band');
      stale.details.age_band = stale.details.demographics.age_range;
      assert.equal((await call('POST', '/v1/personas', stale)).status, 200, 'the same value twice is fine (GET details posted back)');
    });

    it('takes a population block, checks its shares, and PATCH replaces the dimensions it names', async () => {
      const body = advanced() as any;
      assert.ok(body.details.population, 'the built-in profile carries one');
      const r = await call('POST', '/v1/personas', body);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.details.population, hospitalCfo.profile.population);
      const bad = advanced() as any;
      bad.details.population.gender.bands = [{ value: 'female', share: 0.5 }, { value: 'male', share: 0.3 }];
      const rejected = await call('POST', '/v1/personas', bad);
      expectError(rejected, 422, 'validation_error', 'details.population.gender.bands');
      assert.match(rejected.body.error.message, /sum to 1/);
      const patched = await call('PATCH', `/v1/personas/${r.body.id}`, { details: { population: { gender: { bands: [{ value: 'female', share: 1 }] } } } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.deepEqual(patched.body.details.population.gender, { bands: [{ value: 'female', share: 1 }] });
      assert.deepEqual(patched.body.details.population.age, hospitalCfo.profile.population!.age, 'other dimensions kept');
      // A derived (north_star) persona does not inherit its template's population.
      const derived = await call('POST', '/v1/personas', { pipeline_type: 'north_star', name: 'Regional hospital finance chief', description: 'CFO of a regional hospital system in the Midwest.' });
      assert.equal(derived.status, 200, JSON.stringify(derived.body));
      assert.equal(derived.body.details.population, undefined);
    });

    it('rejects inconsistent profiles naming the field; allows unusual ones with a warning', async () => {
      const check = async (demographics: Record<string, string>, param: string, rule: string) => {
        const body = advanced() as any;
        Object.assign(body.details.demographics, demographics);
        const r = await call('POST', '/v1/personas', body);
        expectError(r, 422, 'validation_error', param);
        assert.match(r.body.error.message, new RegExp(rule));
      };
      await check({ life_stage: 'retired', age_range: '18-25' }, 'details.demographics.age_range', 'retired_age');
      await check({ occupation: 'full-time student', life_stage: 'student', age_range: '19-23', generation: 'Gen Z', income_bracket: '$250,000 personal income' }, 'details.demographics.income_bracket', 'student_income');
      await check({ occupation: 'family physician', education: 'high school diploma' }, 'details.demographics.education', 'licensed_education');
      await check({ generation: 'Gen Z' }, 'details.demographics.generation', 'generation_age');
      const body = advanced() as any;
      body.details.demographics.education = 'high school diploma';
      const w = await call('POST', '/v1/personas', body);
      assert.equal(w.status, 200, JSON.stringify(w.body));
      assert.deepEqual(w.body.warnings.map((x: any) => [x.code, x.param]), [['executive_education', 'details.demographics.education']]);
    });

    it('live keys are debited 300 with a ledger row; 402 when the balance or budget cannot cover it, with nothing created', async () => {
      const before = await balance();
      const r = await call('POST', '/v1/personas', advanced(), s.liveKey);
      assert.equal(r.status, 200);
      assert.equal(r.body.credits_charged, 300);
      assert.equal(await balance(), before - 300);
      const usage = await call('GET', '/v1/usage?group_by=operation', undefined, s.liveKey);
      assert.equal(usage.status, 200);
      assert.ok(usage.body.data.some((g: any) => g.operation === 'persona_create' && g.credits >= 300), JSON.stringify(usage.body.data));

      const poor = await call('POST', '/v1/personas', advanced(), poorKey);
      expectError(poor, 402, 'credits_exhausted', null);
      assert.equal(await balance('poor'), 100);
      assert.equal((await call('GET', '/v1/personas?custom=true', undefined, poorKey)).body.data.length, 0);

      const ws = await acme();
      await s.credits.setBudget(ws.id, (await s.credits.summary(ws.id)).month_spend + 100);
      expectError(await call('POST', '/v1/personas', advanced({ name: 'Over budget' }), s.liveKey), 402, 'budget_exceeded', null);
      assert.equal((await call('GET', '/v1/personas?custom=true&search=over+budget')).body.data.length, 0);
      await s.credits.setBudget(ws.id, null);
    });
  });

  describe('versions, responses and soft delete', () => {
    it('PATCH writes version 2; responses record the version they used', async () => {
      const p = (await call('POST', '/v1/personas', advanced({ name: 'Versioned CFO' }))).body;
      const r1 = await call('POST', '/v1/responses', { model: 'mavera-1', input: 'Would you buy a new budgeting tool?', persona_id: p.id });
      assert.equal(r1.status, 200, JSON.stringify(r1.body));
      assert.equal(r1.body.persona_id, p.id);
      assert.equal(r1.body.persona_version, 1);

      const patched = await call('PATCH', `/v1/personas/${p.id}`, { name: 'Versioned CFO v2', details: { buying_stage: 'PRODUCT_AWARE', pains: ['labor costs'], demographics: { region: 'Ohio' } } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.version, 2);
      assert.equal(patched.body.name, 'Versioned CFO v2');
      assert.equal(patched.body.details.buying_stage, 'PRODUCT_AWARE');
      assert.deepEqual(patched.body.details.pains, ['labor costs']);
      assert.equal(patched.body.details.demographics.region, 'Ohio');
      assert.equal(patched.body.details.demographics.country, 'US', 'objects merge');

      const r2 = await call('POST', '/v1/responses', { model: 'mavera-1', input: 'Would you buy a new budgeting tool?', persona_id: p.id });
      assert.equal(r2.body.persona_version, 2);
      assert.equal((await call('GET', `/v1/responses/${r1.body.id}`)).body.persona_version, 1, 'the stored response keeps version 1');
      const v1 = await call('GET', `/v1/personas/${p.id}?version=1`);
      assert.deepEqual([v1.body.version, v1.body.name, v1.body.details.pains], [1, 'Versioned CFO', hospitalCfo.profile.pains]);
      expectError(await call('GET', `/v1/personas/${p.id}?version=9`), 404, 'persona_not_found', 'persona_id');
      assert.equal((await call('GET', `/v1/personas/${p.id}`)).body.version, 2);

      // Guided aliases set their profile field; no-op patches write no version; empty ones are refused.
      const alias = await call('PATCH', `/v1/personas/${p.id}`, { details: { age_band: '50-64', generation: undefined } });
      assert.deepEqual([alias.body.version, alias.body.details.demographics.age_range], [3, '50-64']);
      assert.equal((await call('PATCH', `/v1/personas/${p.id}`, { details: { age_band: '50-64' } })).body.version, 3);
      expectError(await call('PATCH', `/v1/personas/${p.id}`, {}), 400, 'invalid_request', 'details');
    });

    it('PATCH refuses inconsistency naming the patched field, bad values, and built-in personas', async () => {
      const p = (await call('POST', '/v1/personas', advanced({ name: 'Patch target' }))).body;
      expectError(await call('PATCH', `/v1/personas/${p.id}`, { details: { life_stage: 'full-time student', age_band: '20-24', income_band: '$300,000 personal income' } }), 422, 'validation_error', 'details.income_band');
      expectError(await call('PATCH', `/v1/personas/${p.id}`, { details: { demographics: { age_range: '20-24' } } }), 422, 'validation_error', 'details.demographics.age_range');
      expectError(await call('PATCH', `/v1/personas/${p.id}`, { details: { decision_role: 'KING' } }), 422, 'validation_error', 'details.decision_role');
      expectError(await call('PATCH', `/v1/personas/${p.id}`, { details: { psychographics: { big_five: { openness: -1 } } } }), 422, 'validation_error', 'details.psychographics.big_five.openness');
      assert.equal((await call('GET', `/v1/personas/${p.id}`)).body.version, 1, 'refused patches write nothing');
      const builtin = await call('PATCH', '/v1/personas/hospital-cfo', { name: 'Mine now' });
      expectError(builtin, 400, 'invalid_request', 'persona_id');
      assert.match(builtin.body.error.message, /clone/);
      expectError(await call('DELETE', '/v1/personas/hospital-cfo'), 400, 'invalid_request', 'persona_id');
      expectError(await call('PATCH', '/v1/personas/no-such-persona', { name: 'x' }), 404, 'persona_not_found', 'persona_id');
    });

    it('DELETE is soft: 404 for new requests; old responses and their conversations keep working', async () => {
      const p = (await call('POST', '/v1/personas', advanced({ name: 'Soon gone' }))).body;
      const old = (await call('POST', '/v1/responses', { model: 'mavera-1', input: 'What keeps you up at night?', persona_id: p.id })).body;
      const del = await call('DELETE', `/v1/personas/${p.id}`);
      assert.deepEqual(del.body, { id: p.id, object: 'custom_persona', deleted: true });
      expectError(await call('GET', `/v1/personas/${p.id}`), 404, 'persona_not_found', 'persona_id');
      expectError(await call('DELETE', `/v1/personas/${p.id}`), 404, 'persona_not_found', 'persona_id');
      expectError(await call('PATCH', `/v1/personas/${p.id}`, { name: 'x' }), 404, 'persona_not_found', 'persona_id');
      assert.ok(!(await call('GET', '/v1/personas?custom=true&limit=100')).body.data.some((x: any) => x.id === p.id));
      expectError(await call('POST', '/v1/responses', { model: 'mavera-1', input: 'hi', persona_id: p.id }), 404, 'persona_not_found', 'persona_id');

      const stored = await call('GET', `/v1/responses/${old.id}`);
      assert.equal(stored.status, 200);
      assert.equal(stored.body.persona_id, p.id);
      const cont = await call('POST', '/v1/responses', { model: 'mavera-1', input: 'And next year?', previous_response_id: old.id, persona_id: p.id });
      assert.equal(cont.status, 200, JSON.stringify(cont.body));
      assert.deepEqual([cont.body.persona_id, cont.body.persona_version], [p.id, 1]);
      const plain = await call('POST', '/v1/responses', { model: 'mavera-1', input: 'And next year?', previous_response_id: old.id });
      assert.equal(plain.status, 200);
      const other = (await call('POST', '/v1/responses', { model: 'mavera-1', input: 'hi' })).body;
      expectError(await call('POST', '/v1/responses', { model: 'mavera-1', input: 'hi', previous_response_id: other.id, persona_id: p.id }), 404, 'persona_not_found', 'persona_id');
    });
  });

  describe('workspaces, listing, clone, export', () => {
    it('another workspace sees none of it', async () => {
      const p = (await call('POST', '/v1/personas', advanced({ name: 'Acme only' }))).body;
      expectError(await call('GET', `/v1/personas/${p.id}`, undefined, otherKey), 404, 'persona_not_found', 'persona_id');
      expectError(await call('PATCH', `/v1/personas/${p.id}`, { name: 'x' }, otherKey), 404, 'persona_not_found', 'persona_id');
      expectError(await call('DELETE', `/v1/personas/${p.id}`, undefined, otherKey), 404, 'persona_not_found', 'persona_id');
      expectError(await call('POST', `/v1/personas/${p.id}/clone`, {}, otherKey), 404, 'persona_not_found', 'persona_id');
      expectError(await call('GET', `/v1/personas/${p.id}/export`, undefined, otherKey), 404, 'persona_not_found', 'persona_id');
      expectError(await call('POST', '/v1/responses', { model: 'mavera-1', input: 'hi', persona_id: p.id }, otherKey), 404, 'persona_not_found', 'persona_id');
      assert.equal((await call('GET', '/v1/personas?custom=true', undefined, otherKey)).body.data.length, 0);
      assert.equal((await call('GET', `/v1/personas/${p.id}`)).status, 200);
    });

    it('lists built-in and custom personas in one sorted list, filtered and paged with one cursor', async () => {
      for (const name of ['Paging one', 'Paging two', 'Paging three']) assert.equal((await call('POST', '/v1/personas', advanced({ name, category: 'Industry' }))).status, 200);
      const custom = (await call('GET', '/v1/personas?custom=true&limit=100')).body.data;
      assert.ok(custom.length >= 3 && custom.every((p: any) => p.is_custom && p.object === 'persona'));
      assert.deepEqual(Object.keys(custom[0]).sort(), ['category', 'created_at', 'description', 'id', 'is_custom', 'is_expert', 'name', 'object']);
      const builtin = (await call('GET', '/v1/personas?custom=false&limit=100')).body.data;
      assert.equal(builtin.length, personas.length);
      assert.ok(builtin.every((p: any) => !p.is_custom));
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = (await call('GET', `/v1/personas?limit=7${cursor ? `&cursor=${cursor}` : ''}`)).body;
        seen.push(...page.data.map((p: any) => p.id));
        if (!page.has_more) break;
        cursor = page.next_cursor;
      }
      assert.equal(seen.length, personas.length + custom.length);
      assert.equal(new Set(seen).size, seen.length, 'no repeats');
      assert.deepEqual(seen, [...seen].sort(), 'one sorted list');
      const industry = (await call('GET', '/v1/personas?category=IndustrySpecific&limit=100')).body.data;
      assert.ok(industry.some((p: any) => p.is_custom) && industry.some((p: any) => !p.is_custom) && industry.every((p: any) => p.category === 'Industry'));
      const search = (await call('GET', '/v1/personas?search=paging+two')).body.data;
      assert.deepEqual(search.map((p: any) => p.name), ['Paging two']);
      assert.ok((await call('GET', '/v1/personas?is_expert=true&limit=100')).body.data.every((p: any) => p.is_expert));
    });

    it('clones a built-in persona (100 credits on live keys) and a custom one', async () => {
      const before = await balance();
      const c = await call('POST', '/v1/personas/hospital-cfo/clone', undefined, s.liveKey);
      assert.equal(c.status, 200, JSON.stringify(c.body));
      assert.deepEqual([c.body.cloned_from, c.body.credits_charged, c.body.name, c.body.version, c.body.pipeline_type], ['hospital-cfo', 100, 'Hospital CFO (copy)', 1, 'advanced']);
      assert.deepEqual(c.body.details.demographics, hospitalCfo.profile.demographics);
      assert.equal(await balance(), before - 100);
      const ledger = await s.credits.ledger((await acme()).id, { limit: 1 });
      assert.deepEqual([ledger[0]!.operation, ledger[0]!.persona_id], ['persona_clone', c.body.id]);
      const named = await call('POST', `/v1/personas/${c.body.id}/clone`, { name: 'Second copy' });
      assert.deepEqual([named.status, named.body.name, named.body.cloned_from], [200, 'Second copy', c.body.id]);
      expectError(await call('POST', '/v1/personas/nobody/clone', {}), 404, 'persona_not_found', 'persona_id');
      expectError(await call('POST', '/v1/personas/nobody/clone', undefined, poorKey), 404, 'persona_not_found', 'persona_id');
      assert.equal((await call('POST', '/v1/personas/hospital-cfo/clone', undefined, poorKey)).status, 200, 'the free plan’s 100 credits pay for one clone');
      expectError(await call('POST', '/v1/personas/hospital-cfo/clone', undefined, poorKey), 402, 'credits_exhausted', null);
      assert.equal((await call('GET', '/v1/personas?custom=true', undefined, poorKey)).body.data.length, 1);
    });

    it('exports a portable document and imports it back', async () => {
      const original = (await call('POST', '/v1/personas', { pipeline_type: 'intermediate', name: 'Exportable buyer', type: 'B2B', role_segment: ['IT Director'], decision_role: 'TECHNICAL_BUYER', tech_stack: ['Okta', 'AWS'] })).body;
      const exp = await call('GET', `/v1/personas/${original.id}/export`);
      assert.equal(exp.status, 200);
      assert.match(exp.headers.get('content-disposition') ?? '', /attachment/);
      const doc = exp.body;
      assert.deepEqual(Object.keys(doc).sort(), ['category', 'description', 'details', 'format_version', 'is_expert', 'name', 'object', 'pipeline_type', 'type']);
      assert.ok(!JSON.stringify(doc).includes(original.id) && !JSON.stringify(doc).includes('ws_'), 'no ids, no workspace');
      const imported = await call('POST', '/v1/personas/import', doc, otherKey);
      assert.equal(imported.status, 200, JSON.stringify(imported.body));
      assert.notEqual(imported.body.id, original.id);
      for (const k of ['name', 'category', 'description', 'is_expert', 'pipeline_type', 'type', 'details']) assert.deepEqual(imported.body[k], original[k], k);
      assert.deepEqual(imported.body.details.tech_stack, ['Okta', 'AWS']);
      // A built-in persona exports too; an invalid document is refused with the field.
      const builtin = (await call('GET', '/v1/personas/hospital-cfo/export')).body;
      assert.deepEqual(builtin.details.demographics, hospitalCfo.profile.demographics);
      builtin.details.media.channels = [];
      expectError(await call('POST', '/v1/personas/import', builtin), 422, 'validation_error', 'details.media.channels');
      expectError(await call('POST', '/v1/personas/import', { ...doc, format_version: 2 }), 422, 'validation_error', 'format_version');
    });
  });

  describe('requests, scopes and the prompt', () => {
    it('a response with a custom persona answers in its voice (sandbox)', async () => {
      const details = profileOf('rural-oklahoma-retirees');
      details.communication.phrases = ['well shoot', 'bless your heart', 'by golly'];
      details.psychographics.values = ['church potlucks'];
      const p = (await call('POST', '/v1/personas', advanced({ name: 'Potluck regulars', description: 'Church potluck regulars in rural Oklahoma.', details }))).body;
      const r = await call('POST', '/v1/responses', { model: 'mavera-1', input: 'What do you think about a meal-planning app?', persona_id: p.id, verbosity: 'high' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const text = r.body.output_text.toLowerCase();
      assert.ok(['well shoot', 'bless your heart', 'by golly', 'church potlucks'].some((x) => text.includes(x)), r.body.output_text);
      const plain = await call('POST', '/v1/responses', { model: 'mavera-1', input: 'What do you think about a meal-planning app?', verbosity: 'high' });
      assert.notEqual(plain.body.output_text, r.body.output_text);
      assert.ok(!JSON.stringify((await call('GET', `/v1/personas/${p.id}`)).body).includes('Stay in this perspective'), 'the prompt is never returned');
    });

    it('needs personas:write to create, change or delete, and personas:read to read', async () => {
      const readOnly = (await s.accounts.createKey({ workspace: 'acme', mode: 'test', scopes: ['personas:read', 'responses'] })).key;
      const writeOnly = (await s.accounts.createKey({ workspace: 'acme', mode: 'test', scopes: ['personas:write'] })).key;
      expectError(await call('POST', '/v1/personas', advanced(), readOnly), 403, 'forbidden', null);
      expectError(await call('POST', '/v1/personas/hospital-cfo/clone', {}, readOnly), 403, 'forbidden', null);
      const mine = await call('POST', '/v1/personas', advanced({ name: 'Scoped' }), writeOnly);
      assert.equal(mine.status, 200);
      expectError(await call('PATCH', `/v1/personas/${mine.body.id}`, { name: 'x' }, readOnly), 403, 'forbidden', null);
      expectError(await call('DELETE', `/v1/personas/${mine.body.id}`, undefined, readOnly), 403, 'forbidden', null);
      assert.equal((await call('GET', `/v1/personas/${mine.body.id}`, undefined, readOnly)).status, 200);
      expectError(await call('GET', `/v1/personas/${mine.body.id}`, undefined, writeOnly), 403, 'forbidden', null);
      assert.equal((await call('DELETE', `/v1/personas/${mine.body.id}`, undefined, writeOnly)).status, 200);
    });

    it('documents every persona route in /openapi.json', async () => {
      const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as any;
      for (const [path, method] of [
        ['/personas', 'post'],
        ['/personas/import', 'post'],
        ['/personas/{persona_id}', 'patch'],
        ['/personas/{persona_id}', 'delete'],
        ['/personas/{persona_id}/clone', 'post'],
        ['/personas/{persona_id}/export', 'get'],
      ] as const) {
        assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
      }
      assert.ok(doc.components.schemas.CustomPersona && doc.components.schemas.CreatePersonaRequest && doc.components.schemas.PersonaExport);
      assert.ok(doc.components.schemas.Response.properties.persona_version);
    });
  });
});
