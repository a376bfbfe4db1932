/**
 * The consistency rules (every built-in persona passes; each rule fires on
 * its case), repair of generated profiles, the deterministic derivation, and
 * the composed prompt of a B2B custom persona.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composePersonaPrompt } from '../../src/personas/compose-prompt.js';
import { checkConsistency, parseAgeRange, parseIncome, repairProfile } from '../../src/personas/consistency.js';
import { deriveProfile } from '../../src/personas/derive.js';
import { profileJsonSchema } from '../../src/personas/generate.js';
import { personaProfileSchema, type GuidedDetails, type PersonaProfile } from '../../src/personas/persona-schema.js';
import { customToRecord } from '../../src/personas/persona-store.js';
import { personas } from '../helpers/app.js';

const YEAR = 2026;
const base = () => structuredClone(personas.find((p) => p.id === 'b2b-saas-buyer')!.profile);
const rules = (p: PersonaProfile, g: GuidedDetails = {}) => checkConsistency(p, g, YEAR).map((i) => `${i.severity}:${i.rule}`);

describe('consistency rules', () => {
  it('every built-in persona is consistent (no errors, no warnings)', () => {
    for (const p of personas) assert.deepEqual(rules(p.profile), [], p.id);
  });

  it('reads ages and incomes from free text', () => {
    assert.deepEqual(parseAgeRange('25-34'), { min: 25, max: 34 });
    assert.deepEqual(parseAgeRange('65+'), { min: 65, max: 100 });
    assert.deepEqual(parseAgeRange('in their late 30s'), { min: 36, max: 39 });
    assert.equal(parseAgeRange('young-ish'), null);
    assert.deepEqual(parseIncome('$140,000-$220,000'), { min: 140000, max: 220000 });
    assert.deepEqual(parseIncome('under $35,000 personal income'), { min: 0, max: 35000 });
    assert.deepEqual(parseIncome('$4,000 a month'), { min: 48000, max: 48000 });
    assert.equal(parseIncome('₹3-9 lakh a year'), null, 'other currencies are not compared');
  });

  it('fires each rule on its case', () => {
    const cases: [string, (p: PersonaProfile) => void, GuidedDetails?][] = [
      ['error:age_range_format', (p) => (p.demographics.age_range = 'young-ish')],
      ['error:retired_age', (p) => Object.assign(p.demographics, { life_stage: 'retired', age_range: '18-25', generation: 'Gen Z' })],
      ['error:student_age', (p) => Object.assign(p.demographics, { life_stage: 'full-time student', age_range: '55-70', generation: 'Baby Boomer', income_bracket: 'under $20,000' })],
      ['error:student_income', (p) => Object.assign(p.demographics, { life_stage: 'full-time student', age_range: '19-23', generation: 'Gen Z', income_bracket: '$250,000 personal income' })],
      ['error:executive_age', (p) => Object.assign(p.demographics, { occupation: 'Chief Financial Officer', age_range: '18-25', generation: 'Gen Z' })],
      ['error:retired_executive', (p) => Object.assign(p.demographics, { occupation: 'CFO of a hospital', life_stage: 'retired', age_range: '62-75', generation: 'Baby Boomer' })],
      ['error:licensed_education', (p) => Object.assign(p.demographics, { occupation: 'family physician', education: 'high school diploma' })],
      ['error:degree_age', (p) => Object.assign(p.demographics, { education: 'PhD in economics', age_range: '18-22', generation: 'Gen Z', life_stage: 'early career' })],
      ['error:generation_age', (p) => Object.assign(p.demographics, { generation: 'Gen Z', age_range: '55-65' })],
      ['error:economic_buyer_budget', () => {}, { decision_role: 'ECONOMIC_BUYER', budget_authority: 'none' }],
      ['warning:executive_education', (p) => Object.assign(p.demographics, { occupation: 'CFO', education: 'high school diploma' })],
      ['warning:junior_economic_buyer', () => {}, { decision_role: 'ECONOMIC_BUYER', seniority: 'junior analyst' }],
    ];
    for (const [rule, change, guided] of cases) {
      const p = base();
      change(p);
      assert.ok(rules(p, guided).includes(rule), `${rule}: got ${rules(p, guided).join(', ')}`);
    }
    // Allowed: founders are young executives; retired or former executives; family incomes of students.
    const ok = base();
    Object.assign(ok.demographics, { occupation: 'CEO and co-founder of a startup', age_range: '22-27', generation: 'Gen Z' });
    assert.deepEqual(rules(ok), []);
    Object.assign(ok.demographics, { occupation: 'retired CFO, board member', life_stage: 'retired', age_range: '65-75', generation: 'Baby Boomer' });
    assert.deepEqual(rules(ok), []);
    Object.assign(ok.demographics, { occupation: 'student', life_stage: 'full-time student', age_range: '18-22', generation: 'Gen Z', income_bracket: 'family income $250,000+', education: 'enrolled' });
    assert.deepEqual(rules(ok), []);
  });

  it('repairs fields that were not given, and reports conflicts between given fields', () => {
    const p = base();
    Object.assign(p.demographics, { life_stage: 'retired', age_range: '18-25', generation: 'Gen Z' });
    const r = repairProfile(p, {}, YEAR, new Set(['demographics.life_stage']));
    assert.deepEqual(r.unrepairable, []);
    assert.deepEqual(rules(p), []);
    assert.equal(p.demographics.life_stage, 'retired', 'the given field stays');
    assert.ok(parseAgeRange(p.demographics.age_range)!.max >= 50, p.demographics.age_range);
    assert.match(p.demographics.generation!, /Boomer|Gen X/);

    const q = base();
    Object.assign(q.demographics, { life_stage: 'retired', age_range: '18-25' });
    const stuck = repairProfile(q, {}, YEAR, new Set(['demographics.life_stage', 'demographics.age_range']));
    assert.deepEqual(stuck.unrepairable.map((i) => i.rule), ['retired_age']);
  });
});

describe('deterministic derivation', () => {
  it('adapts the closest built-in persona to the words given, the same way every time', () => {
    const input = { name: 'Retired Teachers in Florida', description: 'Former public school teachers aged 65-75 living on pensions.', guided: {} };
    const a = deriveProfile(personas, input, YEAR);
    const b = deriveProfile(personas, input, YEAR);
    assert.deepEqual(a.profile, b.profile);
    const d = a.profile.demographics;
    assert.equal(d.age_range, '65-75');
    assert.equal(d.life_stage, 'retired');
    assert.match(d.region, /Florida/);
    assert.equal(a.type, 'B2C');
    assert.deepEqual(a.profile.statistics, [], "the template's statistics are not carried over");
    assert.ok(personaProfileSchema.safeParse(a.profile).success);

    const cfo = deriveProfile(personas, { name: 'Mid-Market CFO', description: 'Chief Financial Officer at a 500-person manufacturer in Germany.', guided: {} }, YEAR);
    assert.equal(cfo.type, 'B2B');
    assert.equal(cfo.profile.demographics.occupation, 'Chief Financial Officer');
    assert.equal(cfo.profile.demographics.country, 'DE');

    const np = deriveProfile(personas, { name: 'Rural Nurse Practitioner', description: 'Nurse practitioner in a small-town clinic, in her 40s.', guided: {} }, YEAR);
    assert.equal(np.profile.demographics.occupation, 'Nurse practitioner');
    assert.equal(np.profile.demographics.education, 'MSN or DNP');
    assert.equal(np.profile.demographics.age_range, '40-49');
    assert.equal(np.profile.demographics.gender, 'female');
    assert.equal(np.profile.demographics.urbanicity, 'rural');
  });

  it('applies guided fields over the template', () => {
    const g: GuidedDetails = { age_band: '25-34', life_stage: 'newly married', income_band: '$60,000-$90,000 household income', lifestyle_affinities: ['home cooking', 'hiking'], decision_role: 'CHAMPION', mcda_weights: { price: 50, timeToValue: 20, risk: 10, proof: 10, support: 10 } };
    const r = deriveProfile(personas, { name: 'Young couples', description: 'Couples setting up their first home.', guided: g }, YEAR);
    const d = r.profile.demographics;
    assert.deepEqual([d.age_range, d.life_stage, d.income_bracket], ['25-34', 'newly married', '$60,000-$90,000 household income']);
    assert.deepEqual(r.profile.psychographics.interests, ['home cooking', 'hiking']);
    assert.equal(r.profile.buying_behavior.price_sensitivity, 'high', 'price weighs 50%');
    assert.match(r.profile.buying_behavior.decision_style, /pushes for the purchase/);
  });
});

describe('generation schema and prompt', () => {
  it('the profile JSON schema is strict: every property required, no extra properties', () => {
    const s = profileJsonSchema() as any;
    assert.equal(s.additionalProperties, false);
    // Every profile section but the population block, which derives from the profile (population.ts).
    assert.deepEqual(s.required.sort(), Object.keys(personaProfileSchema.shape).filter((k) => k !== 'population').sort());
    assert.ok(s.properties.demographics.required.includes('generation'));
    assert.equal(s.properties.demographics.additionalProperties, false);
  });

  it('composes B2B guided fields into the persona prompt', () => {
    const record = customToRecord({
      id: 'cp_1',
      workspace_id: 'ws_1',
      name: 'Mid-market CFO',
      category: 'Professional',
      description: 'Owns the finance stack.',
      is_expert: false,
      pipeline_type: 'intermediate',
      type: 'B2B',
      version: 1,
      profile: base(),
      guided: { role_segment: ['CFO', 'VP Finance'], buying_stage: 'SOLUTION_AWARE', decision_role: 'ECONOMIC_BUYER', mcda_weights: { price: 0.3, timeToValue: 0.2, risk: 0.3, proof: 0.1, support: 0.1 }, alternatives: ['spreadsheets'], tone_guardrails: ['no hype'] },
      cloned_from: null,
      credits_charged: 300,
      created_by_key: null,
      created_at: 1,
      updated_at: 1,
      deleted_at: null,
    });
    const prompt = composePersonaPrompt(record);
    assert.match(prompt, /Your role in business buying:/);
    assert.match(prompt, /Role segments you represent: CFO; VP Finance\./);
    assert.match(prompt, /the economic buyer: you own the budget/);
    assert.match(prompt, /know the kinds of solutions that exist/);
    assert.match(prompt, /How you weigh a decision: price 30%, risk 30%, time to value 20%, proof 10%, support 10%\./);
    assert.match(prompt, /Alternatives you compare against: spreadsheets\./);
    assert.match(prompt, /Keep to these guardrails: no hype\./);
    for (const o of record.profile.objections) assert.ok(prompt.includes(o));
  });
});
