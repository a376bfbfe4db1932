/**
 * The lexicon analyzer on the labelled answer set: the relative orderings
 * the labels promise, biases with quoted evidence, and the rules behind the
 * scores (negation, "but", capitals, hedges, agency) on minimal pairs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAnalyzer } from '../../src/analysis/index.js';
import { analyzeWithLexicon, detectBiases, readText, toScale, topicOf } from '../../src/analysis/lexicon.js';
import { ANALYSIS_SCHEMA } from '../../src/analysis/schema.js';
import type { Analysis } from '../../src/analysis/types.js';
import type { Provider } from '../../src/providers/types.js';
import { validateAgainst } from '../../src/util/json-schema.js';
import { personas } from '../helpers/app.js';
import { allOrderings, biasRecall, loadLabelled, pairwise, valenceMeans, type Scored } from './labelled.js';

const personaById = (id: string) => personas.find((p) => p.id === id);
const labelled = loadLabelled();
const scored: Scored[] = labelled.map((item) => ({
  item,
  analysis: analyzeWithLexicon({ persona: personaById(item.persona_id), question: item.question, answer: item.answer }),
}));

function assertShape(a: Analysis, answer: string): void {
  const check = validateAgainst(ANALYSIS_SCHEMA, a);
  assert.ok(check.valid, check.errors.join('; '));
  for (const n of [a.confidence, a.emotion.emotional_valence, a.emotion.arousal, a.emotion.dominance]) {
    assert.ok(Number.isInteger(n) && n >= 1 && n <= 10, `integer 1–10: ${n}`);
  }
  assert.ok(a.key_insights.length >= 2 && a.key_insights.length <= 5, `2–5 insights: ${a.key_insights.length}`);
  for (const b of a.biases) {
    assert.ok(b.name && b.description, 'bias has a name and a description');
    assert.ok(answer.includes(b.evidence), `evidence is quoted from the answer: ${b.evidence}`);
  }
}

describe('lexicon analyzer: labelled set', () => {
  it('has ~30 labelled answers in persona voices, every persona real', () => {
    assert.ok(labelled.length >= 30);
    for (const item of labelled) assert.ok(personaById(item.persona_id), `persona ${item.persona_id}`);
    const count = (k: 'valence' | 'confidence' | 'arousal' | 'dominance', c: string) => labelled.filter((x) => x[k] === c).length;
    for (const [k, c] of [
      ['valence', 'enthusiastic'],
      ['valence', 'neutral'],
      ['valence', 'hostile'],
      ['confidence', 'hedged'],
      ['confidence', 'certain'],
      ['arousal', 'calm'],
      ['arousal', 'intense'],
      ['dominance', 'in-control'],
      ['dominance', 'powerless'],
    ] as const) {
      assert.ok(count(k, c) >= 4, `at least 4 ${c} for ${k}`);
    }
  });

  it('every analysis has the shape: integers 1–10, 2–5 insights, evidence quoted', () => {
    for (const s of scored) assertShape(s.analysis, s.item.answer);
  });

  it('mean valence: enthusiastic > neutral > hostile', () => {
    const o = valenceMeans(scored);
    assert.ok(o.holds, o.detail);
  });

  for (const [d, low, high] of [
    ['valence', 'hostile', 'enthusiastic'],
    ['confidence', 'hedged', 'certain'],
    ['arousal', 'calm', 'intense'],
    ['dominance', 'powerless', 'in-control'],
  ] as const) {
    it(`pairwise ${d}: every ${low} answer scores below every ${high} answer`, () => {
      const o = pairwise(scored, d, low, high);
      assert.ok(o.holds, `${o.detail}\n${o.violations.join('\n')}`);
    });
  }

  it('finds every expected bias, with evidence quoted from the answer', () => {
    const r = biasRecall(scored);
    assert.ok(r.expected >= 8, 'the set labels at least 8 biases');
    assert.deepEqual(r.missing, []);
  });

  it('all orderings hold together (what run-labelled.ts prints)', () => {
    for (const o of allOrderings(scored)) assert.ok(o.holds, `${o.name}: ${o.detail}`);
  });
});

describe('lexicon analyzer: rules', () => {
  const v = (text: string) => readText(text).valence;

  it('is deterministic', () => {
    const input = { persona: personaById('gen-z-digital-native'), question: 'Would you buy it?', answer: 'Maybe. It looks cool but it is way too expensive!' };
    assert.deepEqual(analyzeWithLexicon(input), analyzeWithLexicon(input));
  });

  it('maps a balance in [−1, 1] to 1–10 with neutral at 5', () => {
    assert.equal(toScale(-1), 1);
    assert.equal(toScale(0), 5);
    assert.equal(toScale(1), 10);
    assert.equal(toScale(5), 10);
  });

  it('negation flips and dampens: "not good" < neutral < "good"', () => {
    assert.ok(v('This is good.') > v('This is a phone.'));
    assert.ok(v('This is not good.') < v('This is a phone.'));
    const compound = (t: string) => readText(t).sentences[0]!.compound!;
    assert.ok(compound('This is not great.') > compound('This is terrible.'), 'a negated positive is milder than a negative');
    assert.ok(compound('This is not great.') < 0);
    assert.ok(v('No problem at all, happy to help.') >= 7);
  });

  it('boosters, capitals and exclamations intensify', () => {
    const base = readText('The app is good.');
    const loud = readText('The app is VERY GOOD!!!');
    assert.ok(loud.valence >= base.valence);
    assert.ok(loud.arousal > base.arousal);
    assert.ok(loud.signals.capsEmphasis >= 1 && loud.signals.boosters >= 1 && loud.signals.exclamations === 3);
  });

  it('acronyms are not shouting', () => {
    assert.equal(readText('The ROI of the EHR is in the SLA.').signals.capsEmphasis, 0);
  });

  it('"but": the clause after it weighs more', () => {
    assert.ok(v('It looks great, but the price is terrible.') < 5);
    assert.ok(v('The price is terrible, but it looks great.') > 5);
  });

  it('"I\'ll" is not "ill"; "like" counts only as a verb', () => {
    assert.equal(v("I'll sign the plan this week."), 5);
    assert.equal(v("It's a meal kit like the others."), 5);
    assert.ok(v('I really like it.') > 5);
  });

  it('hedges lower confidence, certainty raises it; "not sure" is a hedge', () => {
    const c = (t: string) => readText(t).confidence;
    assert.ok(c('Maybe, I guess it depends.') < c('The plan costs ten dollars.'));
    assert.ok(c('Definitely. I know this works, no doubt.') > c('The plan costs ten dollars.'));
    assert.ok(c("I'm not sure.") < 5);
    assert.ok(c("I'm sure.") > 5);
  });

  it('agency raises dominance; "they won\'t let me" lowers it', () => {
    const d = (t: string) => readText(t).dominance;
    assert.ok(d("I decide what we buy, and I'll walk away if the price is wrong.") >= 7);
    assert.ok(d("They won't let me change it and I have no choice.") <= 3);
    assert.ok(d("I can't change it.") < d('I can change it.'));
  });

  it('calm words lower arousal, emotion words raise it', () => {
    const a = (t: string) => readText(t).arousal;
    assert.ok(a("I'm furious, this is outrageous!") > a("It's fine, no rush."));
  });

  it('reports each bias once, in order of appearance, with the sentence as evidence', () => {
    const answer = 'Everyone is buying it. It was $80 and now it is $40, so compared to the original price it is a steal. Only a few left, they say.';
    const biases = detectBiases(answer);
    assert.deepEqual(
      biases.map((b) => b.name),
      ['bandwagon effect', 'anchoring', 'scarcity effect'],
    );
    assert.equal(biases[0]!.evidence, 'Everyone is buying it.');
    for (const b of biases) assert.ok(answer.includes(b.evidence));
  });

  it('quotes evidence verbatim even with curly apostrophes', () => {
    const answer = 'If it ain’t broke, don’t fix it. I’m used to my old phone.';
    const biases = detectBiases(answer);
    assert.equal(biases[0]?.name, 'status quo bias');
    assert.ok(answer.includes(biases[0]!.evidence));
  });

  it('key insights: stance on the topic, the objection and the persona’s matching deal-breaker', () => {
    const a = analyzeWithLexicon({
      persona: personaById('budget-conscious-single-parent'),
      question: 'What do you think of our meal-kit subscription?',
      answer: 'It sounds nice for busy nights. But I worry about hidden fees, and I can’t afford another monthly bill unless it takes EBT.',
    });
    assert.match(a.key_insights[0]!, /^(Leans|Neutral).* on our meal-kit subscription/);
    assert.ok(a.key_insights.some((k) => k.startsWith('Main objection: "But I worry about hidden fees')));
    assert.ok(a.key_insights.some((k) => /Echoes the persona's (deal-breaker: hidden fees|objection: I can't afford another monthly bill)/.test(k)));
    assertShape(a, 'It sounds nice for busy nights. But I worry about hidden fees, and I can’t afford another monthly bill unless it takes EBT.');
  });

  it('handles an empty answer and no persona', () => {
    const a = analyzeWithLexicon({ persona: undefined, question: '', answer: '' });
    assertShape(a, '');
    assert.equal(a.emotion.emotional_valence, 5);
    assert.deepEqual(a.biases, []);
  });

  it('topicOf: the object of "what do you think of", else the question quoted', () => {
    assert.equal(topicOf('What do you think of the new iPhone?'), 'the new iPhone');
    assert.equal(topicOf('Hi there. How do you feel about remote work?'), 'remote work');
    assert.equal(topicOf('Would you buy it?'), '"Would you buy it?"');
  });

  it('createAnalyzer: test mode uses the lexicon and never calls the engine', async () => {
    const provider: Provider = {
      name: 'boom',
      // eslint-disable-next-line require-yield
      async *stream() {
        throw new Error('the lexicon analyzer must not call the engine');
      },
    };
    const analyze = createAnalyzer();
    const input = { persona: personaById('hospital-cfo'), question: 'Would you invest?', answer: 'Terrible value, and studies show it runs over budget.' };
    const a = await analyze({ ...input, provider, mode: 'test', signal: new AbortController().signal });
    assert.deepEqual(a, analyzeWithLexicon(input));
  });

  it('createAnalyzer: an aborted signal rejects', async () => {
    const ac = new AbortController();
    ac.abort(new Error('gone'));
    const provider: Provider = { name: 'x', async *stream() {} };
    await assert.rejects(createAnalyzer()({ persona: undefined, question: 'q', answer: 'a', provider, mode: 'test', signal: ac.signal }), /gone/);
  });
});
