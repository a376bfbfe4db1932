/**
 * The question types: every type's answer schema is strict (every property
 * required, no others, reasoning first) and answerable — the sandbox, as a
 * respondent, produces a schema-valid object through generateObject that the
 * type normalizes; the domain rules a schema cannot say are enforced (and
 * fed back); skip logic holds on the normalized values. And the sandbox
 * respondent: deterministic, varied, and moved by its traits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { QuestionType } from '../../src/focus-groups/answer-types.js';
import { QUESTION_TYPES } from '../../src/focus-groups/answer-types.js';
import { questionItem, respondentSystemPrompt } from '../../src/focus-groups/prompts.js';
import { QUESTION_REGISTRY, typeOf, type Question } from '../../src/focus-groups/questions/registry.js';
import { setsOf } from '../../src/focus-groups/questions/maxdiff.js';
import { assignPersonas, sampleProfile } from '../../src/focus-groups/sample.js';
import { traitsOf } from '../../src/focus-groups/respondent-profile.js';
import { conditionHolds } from '../../src/focus-groups/skip-logic.js';
import { apportion } from '../../src/focus-groups/study-request.js';
import { createSandboxProvider } from '../../src/providers/sandbox/index.js';
import { generateObject } from '../../src/structured/generate-object.js';
import { validateAgainst } from '../../src/util/json-schema.js';
import { personas } from '../helpers/app.js';

export const SAMPLE_QUESTIONS: Record<QuestionType, Question> = {
  nps: { id: 'q1', type: 'nps', text: 'How likely are you to recommend FreshBox to a friend?' },
  likert: { id: 'q2', type: 'likert', text: 'FreshBox is good value for money.', scale: 7 },
  multiple_choice: { id: 'q3', type: 'multiple_choice', text: 'Which would you use it for?', options: ['Weeknight dinners', 'Lunches', 'Parties'], multiple: true, allow_other: true },
  open_ended: { id: 'q4', type: 'open_ended', text: 'What would make you try it?', max_words: 40 },
  rating: { id: 'q5', type: 'rating', text: 'Rate the packaging.', min: 1, max: 5, min_label: 'poor', max_label: 'excellent' },
  yes_no: { id: 'q6', type: 'yes_no', text: 'Would you subscribe at $59 per month?' },
  ranking: { id: 'q7', type: 'ranking', text: 'Rank what matters most.', options: ['Price', 'Taste', 'Convenience', 'Sustainability'] },
  slider: { id: 'q8', type: 'slider', text: 'How likely are you to buy it in the next month, in percent?', min: 0, max: 100 },
  matrix: { id: 'q9', type: 'matrix', text: 'How do you rate these?', rows: ['Price', 'Variety', 'Delivery'], scale: 5 },
  semantic_differential: { id: 'q10', type: 'semantic_differential', text: 'The brand feels…', left: 'Cheap', right: 'Premium', scale: 7 },
  conjoint: {
    id: 'q11',
    type: 'conjoint',
    text: 'Which plan would you choose?',
    attributes: [
      { name: 'Price', levels: ['$39', '$59'] },
      { name: 'Meals', levels: ['3 per week', '5 per week'] },
    ],
    profiles: [{ levels: { Price: '$39', Meals: '3 per week' } }, { levels: { Price: '$59', Meals: '5 per week' } }],
    allow_none: true,
  },
  maxdiff: { id: 'q12', type: 'maxdiff', text: 'Which matters most and least?', options: ['Price', 'Taste', 'Speed', 'Packaging', 'Health'], set_size: 3 },
};

function assertStrict(schema: Record<string, unknown>, path: string): void {
  const t = schema.type;
  if (t === 'object') {
    const props = schema.properties as Record<string, Record<string, unknown>>;
    assert.deepEqual(schema.required, Object.keys(props), `${path}: every property required`);
    assert.equal(schema.additionalProperties, false, `${path}: no other properties`);
    for (const [k, v] of Object.entries(props)) assertStrict(v, `${path}.${k}`);
  }
  if (t === 'array') assertStrict(schema.items as Record<string, unknown>, `${path}[]`);
  assert.equal(schema.uniqueItems, undefined, `${path}: no uniqueItems (OpenAI strict mode rejects it)`);
}

const cfo = personas.find((p) => p.id === 'hospital-cfo')!;
const sandbox = createSandboxProvider();

async function answerAs(q: Question, traits: Record<string, number>, context = '', persona?: (typeof personas)[number]) {
  const def = typeOf(q);
  return generateObject({
    provider: sandbox,
    request: { system: 'You are a respondent.', items: [questionItem(q, 0, 1, [])], sampling: { seed: 1 }, respondent: { traits, ...(context ? { context } : {}) }, ...(persona ? { persona } : {}) },
    schema: { name: `answer_${q.type}`, schema: def.answerSchema(q) },
    check: (raw) => def.normalize(q, raw as Record<string, unknown>),
    repairBudget: 0,
    signal: new AbortController().signal,
  });
}

describe('question types', () => {
  it('the registry has all twelve, each with a strict answer schema that starts with reasoning', () => {
    assert.deepEqual(Object.keys(QUESTION_REGISTRY).sort(), [...QUESTION_TYPES].sort());
    for (const type of QUESTION_TYPES) {
      const q = SAMPLE_QUESTIONS[type];
      const schema = typeOf(q).answerSchema(q);
      assertStrict(schema, type);
      assert.equal(Object.keys(schema.properties as object)[0], 'reasoning', type);
      assert.ok(typeOf(q).render(q).startsWith(q.text), type);
    }
  });

  it('the sandbox answers every type validly, and the type normalizes it', async () => {
    for (const type of QUESTION_TYPES) {
      const q = SAMPLE_QUESTIONS[type];
      const r = await answerAs(q, { agreeableness: 60, price_sensitivity: 40, openness: 55 });
      assert.equal(r.attempts, 1, type);
      const raw = JSON.parse(r.text) as { reasoning: string };
      assert.ok(raw.reasoning.length > 10, `${type}: reasoning`);
      assert.equal(validateAgainst(typeOf(q).answerSchema(q), raw).valid, true, type);
      const answer = r.object as any;
      assert.equal(answer.reasoning, raw.reasoning.trim(), `${type}: the answer carries its reasoning`);
      if (['nps', 'likert', 'rating', 'slider', 'semantic_differential'].includes(type)) assert.ok(Number.isInteger(answer.value), type);
      if (type === 'yes_no') assert.equal(typeof answer.value, 'boolean');
      if (type === 'ranking') assert.deepEqual([...answer.order].sort(), ['Convenience', 'Price', 'Sustainability', 'Taste']);
      if (type === 'maxdiff') {
        const sets = setsOf(SAMPLE_QUESTIONS.maxdiff as Extract<Question, { type: 'maxdiff' }>);
        assert.equal(answer.tasks.length, sets.length);
        (answer.tasks as { shown: string[]; best: string; worst: string }[]).forEach((t, i) => {
          assert.deepEqual(t.shown, sets[i]);
          assert.notEqual(t.best, t.worst);
          assert.ok(sets[i]!.includes(t.best) && sets[i]!.includes(t.worst));
        });
      }
      if (type === 'matrix') assert.deepEqual(Object.keys(answer.rows), ['Price', 'Variety', 'Delivery']);
      if (type === 'open_ended') assert.equal(typeof answer.text, 'string');
      if (type === 'multiple_choice') assert.ok(Array.isArray(answer.selected));
      if (type === 'conjoint') {
        assert.equal(answer.tasks.length, 1);
        assert.deepEqual(answer.tasks[0].shown, [{ Price: '$39', Meals: '3 per week' }, { Price: '$59', Meals: '5 per week' }]);
        assert.ok(answer.tasks[0].chosen === null || [0, 1].includes(answer.tasks[0].chosen));
      }
    }
  });

  it('rejects, for repair, what a schema cannot say', () => {
    const rank = SAMPLE_QUESTIONS.ranking as Extract<Question, { type: 'ranking' }>;
    assert.deepEqual(typeOf(rank).normalize(rank, { reasoning: 'x', ranking: ['Price', 'Price', 'Taste', 'Convenience'] }), {
      ok: false,
      errors: ["/ranking must list every option exactly once; missing: 'Sustainability'"],
    });
    const md = SAMPLE_QUESTIONS.maxdiff as Extract<Question, { type: 'maxdiff' }>;
    const sets = Object.fromEntries(setsOf(md).map((s, i) => [`set_${i + 1}`, { best: s[0], worst: i === 0 ? s[0] : s[1] }]));
    const r = typeOf(md).normalize(md, { reasoning: 'x', sets });
    assert.equal(r.ok, false);
    assert.match((r as { errors: string[] }).errors[0]!, /set_1: best and worst must be two different/);
    const mc = SAMPLE_QUESTIONS.multiple_choice as Extract<Question, { type: 'multiple_choice' }>;
    assert.equal(typeOf(mc).normalize(mc, { reasoning: 'x', choices: ['Other'], other_text: null }).ok, false);
    assert.deepEqual(typeOf(mc).normalize(mc, { reasoning: 'x', choices: ['Parties', 'Lunches'], other_text: 'ignored' }), { ok: true, value: { selected: ['Lunches', 'Parties'], reasoning: 'x' } });
    assert.deepEqual(typeOf(mc).normalize(mc, { reasoning: ' y ', choices: ['Other', 'Lunches'], other_text: 'Snacks' }), { ok: true, value: { selected: ['Lunches'], other: 'Snacks', reasoning: 'y' } });
    const open = SAMPLE_QUESTIONS.open_ended as Extract<Question, { type: 'open_ended' }>;
    assert.equal(typeOf(open).normalize(open, { reasoning: 'x', answer: '  ' }).ok, false);
  });

  it('skip logic on normalized values', () => {
    assert.equal(conditionHolds({ question_id: 'q1', gte: 9 }, 9), true);
    assert.equal(conditionHolds({ question_id: 'q1', gte: 9 }, 8), false);
    assert.equal(conditionHolds({ question_id: 'q1', gte: 2, lt: 5 }, 4), true);
    assert.equal(conditionHolds({ question_id: 'q1', in: [1, 2] }, 3), false);
    assert.equal(conditionHolds({ question_id: 'q6', equals: true }, true), true);
    assert.equal(conditionHolds({ question_id: 'q3', includes: 'Lunches' }, ['Lunches', 'Parties']), true);
    assert.equal(conditionHolds({ question_id: 'q3', equals: 'Lunches' }, ['Lunches', 'Parties']), false);
    assert.equal(conditionHolds({ question_id: 'q3', in: ['Parties'] }, ['Lunches', 'Parties']), true);
    assert.equal(conditionHolds({ question_id: 'q1', gte: 0 }, undefined), false, 'a skipped or failed answer never matches');
  });

  it('apportions shares by largest remainder and interleaves personas', () => {
    assert.deepEqual(apportion(10, [1, 1, 1]), [4, 3, 3]);
    assert.deepEqual(apportion(7, [50, 30, 20]), [4, 2, 1]);
    assert.deepEqual(apportion(100, [2, 1]), [67, 33]);
    assert.deepEqual([...assignPersonas([{ persona_id: 'a', respondents: 2 }, { persona_id: 'b', respondents: 4 }])], [1, 0, 1, 1, 0, 1]);
    const big = assignPersonas([{ persona_id: 'a', respondents: 300 }, { persona_id: 'b', respondents: 700 }]);
    assert.equal(big.filter((k) => k === 0).length, 300);
    assert.equal(big.slice(0, 100).filter((k) => k === 0).length, 30, 'any prefix keeps the proportions');
  });

  it('samples respondents deterministically from the seed, within the persona', () => {
    const a = sampleProfile(cfo, 42, 7);
    assert.deepEqual(sampleProfile(cfo, 42, 7), a);
    assert.notDeepEqual(sampleProfile(cfo, 42, 8), a);
    assert.notDeepEqual(sampleProfile(cfo, 43, 7), a);
    const ages = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const p = sampleProfile(cfo, 1, i);
      const [lo, hi] = p.age_band.split('-').map(Number);
      assert.ok(p.age >= lo! && p.age <= hi!, `${p.age} in ${p.age_band}`);
      ages.add(p.age);
      for (const v of Object.values(traitsOf(p))) assert.ok(Number.isInteger(v) && v >= 0 && v <= 100);
    }
    assert.ok(ages.size > 5, 'respondents differ');
    const system = respondentSystemPrompt('PERSONA PROMPT', a, { instructions: 'Be brief.', stimulus: { text: 'FreshBox: meal kits.' } });
    assert.ok(system.startsWith('PERSONA PROMPT'));
    assert.ok(system.includes(a.name) && system.includes('Be brief.') && system.includes('FreshBox: meal kits.'));
  });
});

describe('the sandbox as a respondent', () => {
  const nps = SAMPLE_QUESTIONS.nps;
  const price: Question = { id: 'buy', type: 'rating', text: 'How likely are you to buy FreshBox at $59 per month?', min: 1, max: 10 };

  it('says what its "Other" is: one of its persona\'s interests or goals (in the first person), varied across respondents and personas', async () => {
    const q: Question = { id: 'use', type: 'multiple_choice', text: 'What would you use FreshBox for?', options: ['Weeknight dinners', 'Lunches'], allow_other: true };
    const others = new Map<string, Set<string>>();
    for (const persona of [cfo, personas.find((p) => p.id !== cfo.id)!]) {
      const profile = persona.profile;
      const firstPerson = (x: string) => x.replace(/\b(?:his|her|their)\b/g, 'my').replace(/\bthem\b/g, 'me').replace(/\b(?:he|she|they)\b/g, 'I');
      const pool = new Set([...profile.psychographics.interests, ...profile.goals.map(firstPerson)].map((x) => x.trim().replace(/[.!?]+$/, '')));
      const texts = new Set<string>();
      for (let i = 0; i < 120 && texts.size < 3; i++) {
        const answer = (await answerAs(q, traitsOf(sampleProfile(persona, 9, i)), '', persona)).object as { selected: string[]; other?: string };
        if (answer.other === undefined) continue;
        assert.ok(pool.has(answer.other.replace(/…$/, '')) || [...pool].some((x) => x.startsWith(answer.other!.replace(/…$/, ''))), `${persona.id}: "${answer.other}" is from its profile`);
        texts.add(answer.other);
      }
      assert.ok(texts.size >= 3, `${persona.id}: varied "Other" texts (${[...texts].join(' | ')})`);
      others.set(persona.id, texts);
    }
    const [a, b] = [...others.values()];
    assert.ok([...a!].some((x) => !b!.has(x)), 'personas differ');
    // Without a persona to draw from, the answer's topic or "Something else", as before.
    const plain = (await answerAs({ ...q, options: ['Other things'] } as Question, { agreeableness: 50 })).object as { other?: string };
    assert.match(plain.other ?? '', /^Something (?:else$|for )/);
  });

  it('is deterministic', async () => {
    const a = await answerAs(nps, { agreeableness: 70 });
    const b = await answerAs(nps, { agreeableness: 70 });
    assert.equal(a.text, b.text);
  });

  it('spreads answers across respondents, moved by their traits, and its reasoning quotes its value', async () => {
    const xs: number[] = [];
    const ys: number[] = [];
    const stances = new Map<string, number[]>();
    for (let i = 0; i < 200; i++) {
      const p = sampleProfile(cfo, 5, i);
      // Widen price sensitivity so its effect is measurable across the sample.
      const traits = { ...traitsOf(p), price_sensitivity: (i * 37) % 101 };
      const r = await answerAs(price, traits);
      const value = (r.object as { value: number }).value;
      xs.push(traits.price_sensitivity);
      ys.push(value);
      const reasoning = (JSON.parse(r.text) as { reasoning: string }).reasoning;
      assert.ok(reasoning.endsWith(`So my answer is ${value} (on 1 to 10).`), reasoning);
      const stance = reasoning.split(/[:.]/)[0]!;
      stances.set(stance, [...(stances.get(stance) ?? []), value]);
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const sd = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));
    const r = mean(xs.map((x, i) => (x - mean(xs)) * (ys[i]! - mean(ys)))) / (sd(xs) * sd(ys));
    assert.ok(r < -0.4, `price sensitivity lowers purchase intent (r = ${r.toFixed(2)})`);
    assert.ok(sd(ys) > 1.2, `answers spread (sd ${sd(ys).toFixed(2)})`);
    assert.ok(new Set(ys).size >= 6, `many different answers (${[...new Set(ys)].sort((a, b) => a - b).join(',')})`);
    const positive = stances.get('I really like this') ?? stances.get("I'm fairly positive about it") ?? [];
    const negative = stances.get("Honestly, this isn't for me") ?? stances.get("I'm not convinced") ?? [];
    assert.ok(positive.length > 0 && negative.length > 0);
    assert.ok(mean(positive) > mean(negative) + 2, 'the stance agrees with the value');
  });
});
