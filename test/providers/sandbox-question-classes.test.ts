/**
 * Classes of questions a reviewer found the sandbox answering off topic or
 * ungrammatically, each checked for what a good answer must contain: a
 * number about the persona's own life in a range that fits the persona, a
 * named favourite, one named app for "which … do you use most", a short
 * first-person story, a yes/no stance first, and profile items put only into
 * frames their grammatical form fits (phrase-form.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { planSandboxResponse } from '../../src/providers/sandbox/index.js';
import { isPlural, phraseOf } from '../../src/providers/sandbox/phrase-form.js';
import type { ProviderRequest } from '../../src/providers/types.js';
import { ask, CORPUS_QUESTIONS, loadPersona } from './sandbox-corpus.js';

const firstSentence = (t: string) => t.split(/(?<=[.!?])\s+/)[0] ?? '';
/** The first number of a text ("$1,200" → 1200, "53 hours" → 53). */
const numberIn = (t: string) => {
  const m = /(\d[\d,]*(?:\.\d+)?)/.exec(t);
  return m ? Number((m[1] ?? '').replace(/,/g, '')) : Number.NaN;
};
/** The same question under several seeds: the generator's variants, not one lucky draw. */
const seeds = (n: number): Partial<ProviderRequest>[] => Array.from({ length: n }, (_, i) => ({ sampling: { seed: 1000 + i } }));

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'personas');
const ALL = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => loadPersona(f.replace(/\.json$/, '')));

describe('sandbox: numbers about the persona own life', () => {
  it('gives hours of work a week that fit the occupation, with a reason', () => {
    for (const [id, lo, hi] of [
      ['urban-young-professional', 40, 65],
      ['hospital-cfo', 50, 70],
      ['budget-conscious-single-parent', 30, 50],
      ['gen-z-digital-native', 10, 45],
    ] as const) {
      for (const over of seeds(6)) {
        const a = ask(loadPersona(id), 'How many hours do you work a week?', over);
        const n = numberIn(firstSentence(a));
        assert.ok(n >= lo && n <= hi, `${id}: ${a}`);
        assert.match(firstSentence(a), /\bhours\b/, a);
        assert.ok(a.split(/(?<=[.!?])\s+/).length >= 2, `a reason follows: ${a}`);
        assert.doesNotMatch(a, /\binto it\b|that's exactly what I look for/i, a);
      }
    }
  });

  it('gives a weekly grocery spend that fits household and income, without pasting the profile', () => {
    const parent = loadPersona('budget-conscious-single-parent');
    const pro = loadPersona('urban-young-professional');
    for (const over of seeds(6)) {
      const a = ask(parent, 'How much do you spend on groceries a week?', over);
      const n = numberIn(firstSentence(a));
      assert.match(firstSentence(a), /\$\d/, a);
      assert.ok(n >= 90 && n <= 300, `a family of three spends more than $11: ${a}`);
      assert.match(firstSentence(a), /\bweek\b/, a);
      for (const fragment of ['1-3 kids', 'At home:', 'renting an apartment', 'no savings cushion', "doesn't help"]) assert.ok(!a.includes(fragment), `${fragment} in ${a}`);
      const b = ask(pro, 'How much do you spend on groceries a week?', over);
      assert.ok(numberIn(firstSentence(b)) >= 50 && numberIn(firstSentence(b)) <= 200, `one person: ${b}`);
    }
  });

  it('gives an amount in the persona currency and period for rent', () => {
    const german = loadPersona('german-mittelstand-buyer');
    const a = ask(german, 'How much do you spend on rent each month?');
    assert.match(firstSentence(a), /€\s?\d/, a);
    assert.match(firstSentence(a), /\bmonth\b/, a);
    const n = numberIn(firstSentence(a));
    assert.ok(n >= 800 && n <= 4000, a);
  });
});

describe('sandbox: naming one thing', () => {
  it('names a favourite that fits the persona, with a short why', () => {
    const parent = loadPersona('millennial-suburban-parent');
    for (const over of seeds(6)) {
      const a = ask(parent, "What's your favourite family vacation spot?", over);
      assert.doesNotMatch(a, /\b(?:I like the sound of|into|about) my favourite family vacation spot\b/i, a);
      assert.match(firstSentence(a), /\b(?:beach|cabin|lake|camping|park|Disney|mountains|road trip|family back home|resort|coast)\b/i, a);
      assert.doesNotMatch(a, /free returns|as long as/i, a);
      assert.ok(a.split(/(?<=[.!?])\s+/).length >= 2, a);
    }
  });

  it('names one app for "which … do you use most", from the persona own platforms', () => {
    const genZ = loadPersona('gen-z-digital-native');
    for (const over of seeds(6)) {
      const a = ask(genZ, 'Which social media app do you use most?', over);
      assert.match(firstSentence(a), /\b(?:TikTok|Instagram|YouTube|Snapchat|Discord)\b/, a);
      assert.doesNotMatch(a, /buy-now-pay-later|limited drops|sustainability/i, a);
    }
  });
});

describe('sandbox: a story when asked for one', () => {
  it('tells a short first-person anecdote in the persona domain, not its profile', () => {
    const cfo = loadPersona('hospital-cfo');
    for (const over of seeds(6)) {
      const a = ask(cfo, 'Tell me about a time a vendor disappointed you', over);
      assert.match(firstSentence(a), /\b(?:ago|last year|a while back|not long ago)\b/i, a);
      assert.match(a, /\bvendor\b/, a);
      assert.match(a, /\b(?:we|I)\b/, a);
      assert.doesNotMatch(a, /200-600-bed|Chief Financial Officer of a|What I care about most|regional health systems across/, a);
    }
  });
});

describe('sandbox: yes/no questions take a stance first', () => {
  it('starts with a yes, a no or a maybe', () => {
    const stance = /^(?:Yes|No|Not|Maybe|Possibly|Probably|Definitely|Absolutely|I would|I wouldn't|Nope|Sure)\b/i;
    for (const id of ['hospital-cfo', 'german-mittelstand-buyer', 'gen-z-digital-native', 'budget-conscious-single-parent', 'urban-young-professional']) {
      for (const over of seeds(4)) {
        for (const q of ['Would you sign a 3-year contract with a new EHR vendor?', 'Is it worth paying extra for same-day delivery?', 'Would you renew your current contract?']) {
          const a = ask(loadPersona(id), q, over).replace(/^[\p{L}' ]{1,20},\s*/u, (lead) => (/^(?:Yes|No|Not|Maybe|Possibly|Probably)\b/.test(lead) ? lead : ''));
          assert.match(a, stance, `${id} / ${q}: ${a}`);
          assert.doesNotMatch(a, /^Sometimes\b/, a);
        }
      }
    }
  });
});

describe('sandbox: profile items go only into frames their form fits', () => {
  it('reads the grammatical form of profile items', () => {
    assert.equal(phraseOf('saves time').form, 'verb');
    assert.equal(phraseOf('kids need it now').form, 'clause');
    assert.equal(phraseOf('a creator they trust uses it').form, 'clause');
    assert.equal(phraseOf('I can probably find a cheaper dupe.').form, 'statement');
    assert.equal(phraseOf('Is this just an ad?').form, 'question');
    assert.equal(phraseOf('free returns').form, 'noun');
    assert.equal(phraseOf('available on a GPO contract').form, 'verb');
    assert.ok(isPlural('experiences'));
    assert.ok(isPlural('friends and family'));
    assert.ok(!isPlural('convenience'));
    assert.ok(!isPlural('business'));
  });

  it('never writes the reported bad frames, over every persona and many questions', () => {
    const bad = [
      /as long as there's (?:saves|works|accepts|integrates|kids|a creator|[a-z]+ need)/i,
      /\bthere's \w+ (?:returns|deals|discounts|drops|trials|reviews)\b/i,
      /\bexperiences matters\b/i,
      /\bGive me (?:kids|a creator|a family member|a contractor|saves|works|accepts)\b/,
      /I'd want to know: I\b/,
      /One thing I'd ask: I\b/,
      /\b(?:Saves|Works|Accepts|Integrates) [\w ]+: that's exactly what I look for/,
      /\bI see (?:saves|works|accepts|integrates|kids need)\b/,
      /something that available\b/,
    ];
    const questions = [
      ...CORPUS_QUESTIONS,
      'Would you try a new app for this?',
      'What do you think about a loyalty program?',
      'How do you feel about paying monthly?',
      'Is it worth it?',
      'What matters most to you when choosing a bank?',
    ];
    let answers = 0;
    for (const persona of ALL) {
      const values = persona.profile.psychographics.values.filter((v) => isPlural(v));
      for (const q of questions) {
        for (const over of seeds(2)) {
          const a = ask(persona, q, over);
          answers++;
          for (const re of bad) assert.doesNotMatch(a, re, `${persona.id} / ${q}: ${a}`);
          for (const v of values) assert.ok(!a.toLowerCase().includes(`${v.toLowerCase()} matters`), `${persona.id}: "${v} matters" in ${a}`);
        }
      }
    }
    assert.ok(answers > 2000);
  });
});

describe('sandbox: tool results and structured fields read naturally', () => {
  it('reports a tool output in words, not its raw keys', () => {
    const cfo = loadPersona('hospital-cfo');
    const a = ask(cfo, "What's the weather in Chicago right now?", {
      items: [
        { type: 'message', role: 'user', content: [{ type: 'text', text: "What's the weather in Chicago right now?" }] },
        { type: 'function_call', callId: 'call_w', name: 'get_weather', arguments: '{"location":"Chicago"}' },
        { type: 'function_call_output', callId: 'call_w', output: '{"temp_f": 28, "conditions": "snow"}' },
      ],
    });
    assert.match(a, /^It's 28°F and snowing\./, a);
    assert.doesNotMatch(a, /temp f|conditions snow|Based on the result/, a);
    const order = ask(cfo, 'Where is my order?', {
      items: [
        { type: 'message', role: 'user', content: [{ type: 'text', text: 'Where is my order?' }] },
        { type: 'function_call', callId: 'call_o', name: 'order_status', arguments: '{}' },
        { type: 'function_call_output', callId: 'call_o', output: '{"status":"shipped","eta_days":2,"in_stock":true}' },
      ],
    });
    assert.match(order, /^The status is shipped, the ETA is 2 days, and it is in stock\./, order);
    // A condition of more than a word or two is reported as given: no detail of the tool's answer is lost.
    const code = ask(cfo, 'Should I bring an umbrella in Paris today?', {
      items: [
        { type: 'message', role: 'user', content: [{ type: 'text', text: 'Should I bring an umbrella in Paris today?' }] },
        { type: 'function_call', callId: 'call_f', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', callId: 'call_f', output: '{"forecast":"rain, code MARMALADE-42","temp_c":14}' },
      ],
    });
    assert.match(code, /^It's 14°C; the forecast says rain, code MARMALADE-42\./, code);
  });

  it('fills a concern field with a concern of the persona, not the verdict sentence', () => {
    const schema = { type: 'object', properties: { top_concern: { type: 'string' }, top_benefit: { type: 'string' } }, required: ['top_concern', 'top_benefit'], additionalProperties: false };
    for (const id of ['hospital-cfo', 'gen-z-digital-native', 'budget-conscious-single-parent']) {
      const persona = loadPersona(id);
      for (const over of seeds(3)) {
        const plan = planSandboxResponse({
          persona,
          items: [{ type: 'message', role: 'user', content: [{ type: 'text', text: 'Would you use Verdict, an AI tool that reviews your contracts?' }] }],
          tools: [],
          toolChoice: { mode: 'auto' },
          parallelToolCalls: true,
          format: { type: 'json_schema', name: 'take', schema, strict: true },
          sampling: {},
          ...over,
        });
        assert.equal(plan.kind, 'text');
        const value = JSON.parse(plan.kind === 'text' ? plan.text : '{}') as { top_concern: string; top_benefit: string };
        assert.doesNotMatch(value.top_concern, /Verdict|skeptical about|into it|I like/i, value.top_concern);
        const p = persona.profile;
        const concerns = [...p.objections, ...p.buying_behavior.deal_breakers, ...p.pains].map((x) =>
          x
            .toLowerCase()
            .replace(/[.?!]$/, '')
            .replace(/\btheir\b/g, 'my'),
        );
        assert.ok(
          concerns.some((c) => value.top_concern.toLowerCase().includes(c)),
          `${id}: ${value.top_concern}`,
        );
        assert.notEqual(value.top_concern, value.top_benefit);
      }
    }
  });
});
