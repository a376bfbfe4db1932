/**
 * The sandbox answers the question it was asked (issue 13): the kind of
 * answer (a choice names the option, a price is a price in the persona's
 * currency, a rating is a number on the scale), what the instructions ask
 * of the form, no mangled restatements, variety measured over a fixed
 * corpus, agreement with the analysis, consistent numbers across a
 * conversation, and a focus-group respondent's traits.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeWithLexicon, readText } from '../../src/analysis/lexicon.js';
import { planSandboxResponse } from '../../src/providers/sandbox/index.js';
import { composeAnswer, type Turn } from '../../src/providers/sandbox/persona-voice.js';
import { readQuestion } from '../../src/providers/sandbox/question.js';
import { Rng } from '../../src/providers/sandbox/seed.js';
import type { ContentPart } from '../../src/providers/types.js';
import { createServerTools } from '../../src/server-tools/registry.js';
import { validateAgainst } from '../../src/util/json-schema.js';
import { keywordPhrase } from '../../src/text/topic.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { ask, CORPUS_PERSONAS, CORPUS_QUESTIONS, loadPersona, measureRepetition } from './sandbox-corpus.js';

const cfo = loadPersona('hospital-cfo');
const genZ = loadPersona('gen-z-digital-native');
const parent = loadPersona('budget-conscious-single-parent');
const kirana = loadPersona('india-kirana-store-owner');
const german = loadPersona('german-mittelstand-buyer');


const sentencesOf = (t: string) => t.split(/(?<=[.!?])\s+(?=[A-Z0-9"'$€₹])/).filter((s) => s.trim());
const words = (t: string) => t.split(/\s+/).filter(Boolean).length;

describe('sandbox voice: it answers in the kind asked', () => {
  it('names one of the options of a choice question', () => {
    for (const persona of [cfo, genZ, parent, kirana, german]) {
      const a = ask(persona, 'Which would you choose: a cheaper plan with ads or a pricier plan without ads?');
      assert.match(a.slice(0, 90), /cheaper plan with ads|pricier plan without ads/, a);
      const b = ask(persona, 'Would you rather rent or buy a home?');
      assert.match(b.slice(0, 60), /\brent\b|buy a home/i, b);
    }
  });

  it('answers a price question with a price in the persona currency, lower for the price-sensitive', () => {
    const q = 'How much would you pay per month for an app that tracks all your subscriptions?';
    const inr = ask(kirana, q);
    assert.match(inr, /₹\s?\d/, inr);
    const eur = ask(german, q);
    assert.match(eur, /€\s?\d/, eur);
    const usd = ask(cfo, q);
    assert.match(usd, /\$\d/, usd);
    // The same question to the same persona with the sensitivity turned down and up.
    const amount = (t: string) => Number(/[$€₹]\s?([\d,.]+)/.exec(t)?.[1]?.replace(/,/g, ''));
    const low = amount(ask({ ...parent, id: 'p-low', profile: { ...parent.profile, buying_behavior: { ...parent.profile.buying_behavior, price_sensitivity: 'low' } } }, q));
    const high = amount(ask({ ...parent, id: 'p-low', profile: { ...parent.profile, buying_behavior: { ...parent.profile.buying_behavior, price_sensitivity: 'high' } } }, q));
    assert.ok(high < low, `high sensitivity ${high} < low sensitivity ${low}`);
  });

  it('answers the phone-plan question with a choice and a price it would leave at', () => {
    const q = 'Your phone plan goes from $45 to $55. Would you stay, downgrade, or switch? At what price would you leave?';
    for (const persona of [cfo, genZ, parent]) {
      const a = ask(persona, q, { sampling: { verbosity: 'high' } });
      assert.match(a.slice(0, 60), /\b(?:stay|downgrade|switch)\b/i, a);
      assert.match(a, /\$\d+/, a);
    }
  });

  it('gives the number of a rating, within the scale', () => {
    for (const [q, min, max] of [['On a scale of 1 to 10, how likely are you to recommend your bank to a friend?', 0, 10], ['Rate our new loyalty program from 1 to 5.', 1, 5], ['How would you score our checkout out of 100?', 0, 100]] as const) {
      for (const persona of [cfo, genZ, kirana]) {
        const a = ask(persona, q);
        const m = /\b(\d{1,3})(?: out of |\/)(\d{1,3})\b|\ba (\d{1,2}) for\b/.exec(a);
        assert.ok(m, `a number in: ${a}`);
        const n = Number(m[1] ?? m[3]);
        assert.ok(n >= min && n <= max, `${n} in ${min}..${max}: ${a}`);
      }
    }
  });

  it('answers own-life questions from the profile (habits, channels, sources), not with a product verdict', () => {
    const routine = ask(cfo, 'Describe your morning routine.');
    assert.doesNotMatch(routine, /on the fence|I'm (?:pretty into|skeptical|not convinced)|deal-breaker|what sells me/i, routine);
    const habitWords = cfo.profile.media.habits.toLowerCase();
    assert.ok(/\bI (?:skim|check|read|take)\b/.test(routine) && /becker|modern healthcare|briefs/i.test(routine) && habitWords.includes('becker'), routine);
    const news = ask(genZ, 'Where do you get your news?');
    assert.ok(genZ.profile.media.channels.some((c) => news.toLowerCase().includes(c.toLowerCase())) || genZ.profile.media.platforms.some((p) => news.includes(p)), news);
    const brands = ask(kirana, 'List three brands you trust.');
    assert.match(brands, /PhonePe|Paytm|Google Pay|WhatsApp/, brands);
  });

  it('answers yes/no questions with a yes or a no first', () => {
    for (const persona of [cfo, genZ, parent]) {
      const a = ask(persona, 'Do you shop online for groceries?');
      assert.match(a, /^(?:\p{L}+, )?(?:yes|no|not really|hardly|sometimes|all the time|i do)\b/iu, a);
    }
  });
});

describe('sandbox voice: instructions and form', () => {
  it('honours a length: one sentence, under N words', () => {
    for (const persona of [cfo, genZ, undefined]) {
      const one = ask(persona, 'What do you think about a meal-kit subscription?', { system: 'Answer in one sentence.', sampling: { verbosity: 'high' } });
      assert.equal(sentencesOf(one).length, 1, one);
      const short = ask(persona, 'Describe your ideal weekend.', { system: 'Keep it under 20 words.', sampling: { verbosity: 'high' } });
      assert.ok(words(short) < 20, `${words(short)} words: ${short}`);
    }
    // in the message itself too
    const inline = ask(genZ, 'In one sentence, would you try a new energy drink?', { sampling: { verbosity: 'high' } });
    assert.equal(sentencesOf(inline).length, 1, inline);
  });

  it('honours bullet points and a number of them', () => {
    const a = ask(parent, 'What would make you switch grocery stores?', { system: 'Answer in three bullet points.' });
    const lines = a.split('\n');
    assert.equal(lines.length, 3, a);
    for (const l of lines) assert.match(l, /^- \S/);
    const list = ask(kirana, 'List five brands you trust.', { system: 'Use a numbered list.' });
    assert.match(list, /^1\. .+\n2\. /, list);
  });

  it('honours a requested number on a scale', () => {
    for (const persona of [cfo, genZ, kirana]) {
      const a = ask(persona, 'How do you feel about AI chatbots answering support questions?', { system: 'Give a number from 1 to 10, then one sentence why.' });
      const m = /\b(\d{1,2}) out of 10\b|\b(\d{1,2})\/10\b/.exec(a);
      assert.ok(m, a);
      const n = Number(m[1] ?? m[2]);
      assert.ok(n >= 1 && n <= 10);
      const only = ask(persona, 'Rate our app from 1 to 5.', { system: 'Reply with just the number.' });
      assert.match(only, /^[1-5]$/, only);
    }
  });

  it('answers in JSON when the instructions ask for JSON without a schema', () => {
    const a = ask(kirana, 'How much would you pay per month for a billing app?', { system: 'Respond in JSON.' });
    const v = JSON.parse(a) as { answer: string; price: number; currency: string };
    assert.equal(typeof v.answer, 'string');
    assert.equal(v.currency, 'INR');
    assert.ok(v.price > 0);
    // the persona's own prompt is not read as instructions: it says nothing about JSON
    const system = 'You are answering as a specific person.\n\nAnswer as JSON.';
    assert.doesNotThrow(() => JSON.parse(ask(undefined, 'Would you rather rent or buy?', { system })));
  });

  it('starts with yes or no when asked to', () => {
    const a = ask(cfo, 'What do you think of a four-day work week?', { system: 'Answer yes or no first.' });
    assert.match(a, /^(?:yes|no|maybe|possibly|probably not|not for me|i would|i'm not sure|i might)\b/i, a);
  });
});

describe('sandbox voice: coherence over a corpus of 5 personas × 20 questions', () => {
  const answers = CORPUS_PERSONAS.flatMap((id) => {
    const persona = loadPersona(id);
    return CORPUS_QUESTIONS.map((q) => ({ persona: id, question: q, text: ask(persona, q), catchphrases: persona.profile.communication.phrases }));
  });

  it('repeats no formula: bounds on shared sentences, 5-grams, openings and closings', () => {
    // The bounds (issue 13), for the 100 answers at the default verbosity. The engine before the
    // rework measured formula 26, within-persona 94, top 5-gram 26 ("if the details check out"),
    // opening 29 ("when it comes"), closing 26 ("details check out"): it fails four of five.
    const r = measureRepetition(answers);
    assert.ok(r.formulaAnswers <= 20, `answers sharing a sentence with another persona's: ${r.formulaAnswers}`);
    assert.ok(r.repeatedWithinPersona <= 50, `answers repeating one of the same persona's sentences: ${r.repeatedWithinPersona}`);
    assert.ok(r.topFiveGram.answers <= 10, `most common 5-gram "${r.topFiveGram.gram}" in ${r.topFiveGram.answers} answers`);
    assert.ok(r.topOpening.answers <= 6, `most common opening "${r.topOpening.gram}" in ${r.topOpening.answers} answers`);
    assert.ok(r.topClosing.answers <= 6, `most common closing "${r.topClosing.gram}" in ${r.topClosing.answers} answers`);
  });

  it('never repeats a mangled bag of the question words', () => {
    for (const a of answers) {
      const bag = keywordPhrase(a.question, 5);
      if (bag.split(' ').length >= 3 && !a.question.includes(bag)) assert.ok(!a.text.includes(bag), `${a.question} → "${bag}" in ${a.text}`);
      assert.doesNotMatch(a.text, /\b(?:when it comes to|as for) [a-z]+ [a-z]+ [a-z]+ [a-z]+ [a-z]+,/i);
      assert.doesNotMatch(a.text, /\bme (?:trust|use|like)\b|\bscale 1 10\b/i, a.text);
    }
  });

  it('is deterministic: the same request gives the same answer', () => {
    for (const a of answers.slice(0, 20)) assert.equal(ask(loadPersona(a.persona), a.question), a.text);
  });
});

describe('sandbox voice: consistency', () => {
  it('the lexicon analysis agrees with the stance an opinion answer takes', () => {
    const opinion = ['What do you think about a meal-kit subscription that delivers three dinners a week?', 'How do you feel about AI chatbots answering support questions?', 'Would you try a new energy drink made from green tea?', 'Is it worth paying extra for same-day delivery?', 'What is your opinion of electric cars?', 'Would you try a plant-based burger?', 'How do you feel about paying for news?', 'Rate our new loyalty program from 1 to 5.', 'On a scale of 1 to 10, how likely are you to recommend your bank to a friend?', 'Would you pay $20 a month for a meal kit?', 'What frustrates you most about customer service?'];
    let checked = 0;
    for (const id of CORPUS_PERSONAS) {
      const persona = loadPersona(id);
      for (const q of opinion) {
        for (const verbosity of ['low', 'medium', 'high'] as const) {
          const a = composeAnswer({ persona, message: q, verbosity, rng: new Rng(`${id}/${q}/${verbosity}`) });
          const v = readText(a.text).valence;
          const ok = a.stance === 'positive' ? v >= 6 : a.stance === 'skeptical' ? v <= 5 : v >= 3 && v <= 7;
          assert.ok(ok, `${id} / ${q}: stance ${a.stance}, valence ${v}: ${a.text}`);
          checked++;
        }
      }
    }
    assert.equal(checked, 5 * 11 * 3);
    // The example of the issue reads positive.
    const insight = analyzeWithLexicon({ persona: undefined, question: 'What do you think of our app?', answer: "I'm pretty into it… I'd give it a real shot." }).key_insights[0];
    assert.match(insight ?? '', /^Leans positive/);
  });

  it('the same respondent gives consistent numbers across a conversation', () => {
    const history: Turn[] = [];
    const turn = (message: string) => {
      const a = composeAnswer({ persona: genZ, message, history, rng: new Rng(`${history.length}/${message}`) });
      history.push({ role: 'user', text: message }, { role: 'assistant', text: a.text });
      return a;
    };
    const first = turn('Rate our new loyalty program from 1 to 10.');
    const again = turn('Would you rate it differently on a scale of 1 to 10?');
    const five = turn('And out of 5?');
    const r10 = Number(first.data.rating);
    assert.equal(Number(again.data.rating), r10, `${first.text} / ${again.text}`);
    assert.ok(Math.abs((Number(five.data.rating) - 1) / 4 - (r10 - 1) / 9) <= 0.15, `${r10}/10 vs ${String(five.data.rating)}/5`);
    const price = turn('How much would you pay per month for your loyalty program?');
    const price2 = turn('So what is the most you would pay per month for it?');
    assert.equal(price2.data.price, price.data.price, `${price.text} / ${price2.text}`);
    // The opinion of a subject does not depend on how the request is worded or seeded.
    const a = readQuestion('What do you think about a meal kit?');
    const b = readQuestion('How do you feel about a meal kit?');
    assert.equal(a.subjectKey, b.subjectKey);
  });

  it('a focus-group respondent answers with its own traits: the price-sensitive one sounds price-sensitive', () => {
    const q = 'How much would you pay per month for a meal-planning app, and why?';
    const thrifty = composeAnswer({ persona: german, message: q, traits: { price_sensitivity: 92, brand_loyalty: 50 }, rng: new Rng('r') });
    const lavish = composeAnswer({ persona: german, message: q, traits: { price_sensitivity: 8, brand_loyalty: 50 }, rng: new Rng('r') });
    assert.ok(Number(thrifty.data.price) < Number(lavish.data.price), `${thrifty.text} / ${lavish.text}`);
    assert.match(thrifty.text, /money|budget|price|expense|every|tight|compare/i, thrifty.text);
    assert.doesNotMatch(lavish.text, /money is tight|every euro counts/i, lavish.text);
  });
});

describe('sandbox voice: multi-turn over HTTP with previous_response_id', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  const post = async (body: unknown) => {
    const res = await fetch(`${s.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.testKey}` }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    return (await res.json()) as { id: string; output_text: string };
  };

  it('keeps the rating and inherits the subject of the earlier turn', async () => {
    const first = await post({ model: 'mavera-1', persona_id: 'budget-conscious-single-parent', input: 'Rate our new meal-kit subscription from 1 to 10.' });
    const n = Number(/(\d+) out of 10|(\d+)\/10/.exec(first.output_text)?.slice(1).find(Boolean));
    assert.ok(n >= 1 && n <= 10, first.output_text);
    const second = await post({ model: 'mavera-1', persona_id: 'budget-conscious-single-parent', previous_response_id: first.id, input: 'Would you give it the same score out of 10 if asked again?' });
    assert.match(second.output_text, new RegExp(`\\b${n}(?: out of 10|/10)`), `${first.output_text} → ${second.output_text}`);
    const third = await post({ model: 'mavera-1', persona_id: 'budget-conscious-single-parent', previous_response_id: second.id, input: 'How much would you pay per month for it?' });
    assert.match(third.output_text, /\$\d/, third.output_text);
  });
});

describe('sandbox voice: server tools by intent', () => {
  const session = createServerTools({ tavily: { baseURL: 'https://api.tavily.com' } }).open(
    (['tavily_search', 'tavily_extract', 'generateImage', 'editImage', 'generateVideo'] as const).map((type, index) => ({ type, settings: {}, index })),
    'test',
  );
  const tools = session.definitions;
  const PNG = 'https://example.com/cat.png';
  const call = (text: string, image = false) => {
    const content: ContentPart[] = [{ type: 'text', text }];
    if (image) content.push({ type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto', sourceUrl: PNG });
    const plan = planSandboxResponse({ items: [{ type: 'message', role: 'user', content }], tools, toolChoice: { mode: 'auto' }, parallelToolCalls: true, format: { type: 'text' }, sampling: {} });
    return plan.kind === 'tool_calls' ? plan.calls : [];
  };

  it('calls the tool the message asks for by what it wants done, with arguments its schema accepts', () => {
    const cases: [string, boolean, string, (args: Record<string, unknown>) => void][] = [
      ['Draw a picture of a red fox in the snow.', false, 'generateImage', (a) => assert.equal(a.prompt, 'a red fox in the snow')],
      ['Can you make an image of our new logo on a coffee cup?', false, 'generateImage', (a) => assert.match(String(a.prompt), /logo on a coffee cup/)],
      ['Change the background to blue.', true, 'editImage', (a) => assert.equal(a.image_url, PNG)],
      ['Make a short video of waves crashing on a beach at sunset.', false, 'generateVideo', (a) => assert.match(String(a.prompt), /waves crashing/)],
      ['What does https://example.com/pricing say about refunds?', false, 'tavily_extract', (a) => assert.deepEqual(a.urls, ['https://example.com/pricing'])],
      ['What is the latest news on electric ferries?', false, 'tavily_search', (a) => assert.match(String(a.query), /electric ferries/)],
      ['Search for community gardens in Leeds', false, 'tavily_search', (a) => assert.match(String(a.query), /community gardens in Leeds/)],
    ];
    for (const [text, image, name, check] of cases) {
      const calls = call(text, image);
      assert.equal(calls.length, 1, `${text}: ${JSON.stringify(calls)}`);
      assert.equal(calls[0]?.name, name, text);
      const args = JSON.parse(calls[0]?.arguments ?? '{}') as Record<string, unknown>;
      const def = tools.find((t) => t.name === name);
      assert.ok(def && validateAgainst(def.parameters, args).valid, `${name} arguments ${calls[0]?.arguments}`);
      check(args);
    }
  });

  it('answers with text when nothing asks for a tool', () => {
    for (const text of ['What do you think about our new coffee cup?', 'Describe your morning routine.', 'Would you rather rent or buy a home?']) assert.deepEqual(call(text), [], text);
  });
});
