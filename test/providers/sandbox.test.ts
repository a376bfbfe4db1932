/**
 * The sandbox engine (every `mvra_test_…` key): deterministic, offline answers
 * in a persona's voice, function calls, structured output, token limits and
 * usage.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { personaSchema, type PersonaRecord } from '../../src/personas/persona-schema.js';
import { createSandboxProvider, countInputTokens, planSandboxResponse } from '../../src/providers/sandbox/index.js';
import { composeAnswer } from '../../src/providers/sandbox/persona-voice.js';
import { sampleFromPattern } from '../../src/providers/sandbox/regex-sample.js';
import { Rng, requestSeed } from '../../src/providers/sandbox/seed.js';
import { extractTopic } from '../../src/text/topic.js';
import type { ConversationItem, FunctionToolDef, ProviderEvent, ProviderRequest } from '../../src/providers/types.js';
import { countTokens } from '../../src/util/tokens.js';
import { validateAgainst } from '../../src/util/json-schema.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PERSONA_DIR = path.join(ROOT, 'personas');

function loadPersona(file: string): PersonaRecord {
  return personaSchema.parse(JSON.parse(readFileSync(path.join(PERSONA_DIR, file), 'utf8')));
}

const genZ = loadPersona('gen-z-digital-native.json');

/** A second, clearly different persona built by tweaking the first (independent of other files). */
const cfo: PersonaRecord = {
  ...genZ,
  id: 'test-hospital-cfo',
  name: 'Test Hospital CFO',
  category: 'Professional',
  description: 'Chief financial officer of a mid-size regional hospital system.',
  is_expert: true,
  profile: {
    ...genZ.profile,
    psychographics: {
      ...genZ.profile.psychographics,
      values: ['financial sustainability', 'patient safety', 'predictable budgets'],
      interests: ['revenue cycle', 'capital planning'],
      big_five: { openness: 40, conscientiousness: 85, extraversion: 45, agreeableness: 35, neuroticism: 30 },
    },
    buying_behavior: {
      ...genZ.profile.buying_behavior,
      decision_style: 'committee-based; demands a business case with payback inside 24 months',
      price_sensitivity: 'medium',
      brand_loyalty: 'high',
      purchase_triggers: ['documented ROI from a peer hospital', 'regulatory deadlines'],
      deal_breakers: ['hidden implementation costs', 'vendors without healthcare references'],
    },
    communication: {
      vocabulary: 'formal, financial and technical',
      reading_level: 'graduate',
      tone: 'measured, analytical, skeptical of vendor claims',
      phrases: ['Show me the payback period.', "That's not in this year's capital budget.", 'What does the five-year total cost of ownership look like?'],
      avoids: ['hype', 'slang'],
    },
    goals: ['protect operating margin', 'modernize aging systems'],
    pains: ['labor costs', 'aging IT infrastructure', 'payer reimbursement pressure'],
    objections: ['Every vendor promises ROI. Give me a reference site our size.', 'How does this hit days cash on hand?'],
  },
};

function userMessage(text: string): ConversationItem {
  return { type: 'message', role: 'user', content: [{ type: 'text', text }] };
}

function request(over: Partial<ProviderRequest> = {}, text = 'What do you think about our new eco-friendly sneaker line?'): ProviderRequest {
  return {
    items: [userMessage(text)],
    tools: [],
    toolChoice: { mode: 'auto' },
    parallelToolCalls: true,
    format: { type: 'text' },
    sampling: {},
    signal: new AbortController().signal,
    ...over,
  };
}

async function collect(events: AsyncIterable<ProviderEvent>): Promise<ProviderEvent[]> {
  const out: ProviderEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const sandbox = createSandboxProvider();
const run = (req: ProviderRequest) => collect(sandbox.stream(req));

function textOf(events: ProviderEvent[]): string {
  return events.map((e) => (e.type === 'text-delta' ? e.delta : '')).join('');
}

function finishOf(events: ProviderEvent[]): string | undefined {
  const last = events[events.length - 1];
  return last?.type === 'finish' ? last.reason : undefined;
}

function usageOf(events: ProviderEvent[]): { inputTokens: number; outputTokens: number } {
  const u = events.find((e) => e.type === 'usage');
  assert.ok(u && u.type === 'usage', 'a usage event');
  return { inputTokens: u.inputTokens, outputTokens: u.outputTokens };
}

interface Call {
  index: number;
  callId: string;
  name: string;
  arguments: string;
}

function callsOf(events: ProviderEvent[]): Call[] {
  const calls = new Map<number, Call>();
  for (const e of events) {
    if (e.type === 'tool-call-start') calls.set(e.index, { index: e.index, callId: e.callId, name: e.name, arguments: '' });
    if (e.type === 'tool-call-delta') {
      const c = calls.get(e.index);
      assert.ok(c, 'delta after start');
      c.arguments += e.delta;
    }
  }
  return [...calls.values()].sort((a, b) => a.index - b.index);
}

/** Terminal sentences, ignoring "?" inside quoted objections that end a sentence anyway. */
function sentenceCount(text: string): number {
  return text.split(/(?<=[.!?])\s+(?=[A-Z"'])/).filter((s) => s.trim()).length;
}

const WEATHER: FunctionToolDef = {
  name: 'get_weather',
  description: 'Get the current weather in a given location',
  parameters: {
    type: 'object',
    properties: { location: { type: 'string', description: 'City name' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['location'],
    additionalProperties: false,
  },
  strict: false,
};

const STOCK: FunctionToolDef = {
  name: 'getStockPrice',
  description: 'Look up the latest stock price for a ticker symbol',
  parameters: { type: 'object', properties: { ticker: { type: 'string', pattern: '^[A-Z]{1,5}$' } }, required: ['ticker'], additionalProperties: false },
  strict: true,
};

const SEARCH: FunctionToolDef = {
  name: 'search_products',
  description: 'Search the product catalog',
  parameters: {
    type: 'object',
    properties: {
      query: { type: 'string', minLength: 1 },
      max_results: { type: 'integer', minimum: 1, maximum: 20 },
      filters: {
        type: 'object',
        properties: { category: { type: 'string', enum: ['shoes', 'bags', 'hats'] }, in_stock: { type: 'boolean' }, price_range: { type: 'array', items: { type: 'number', minimum: 0 }, minItems: 2, maxItems: 2 } },
        required: ['category', 'in_stock', 'price_range'],
        additionalProperties: false,
      },
    },
    required: ['query', 'filters'],
    additionalProperties: false,
  },
  strict: false,
};

const BOOK: FunctionToolDef = {
  name: 'book_table',
  description: 'Book a restaurant table',
  parameters: {
    type: 'object',
    properties: {
      restaurant: { type: 'string' },
      party_size: { type: 'integer', minimum: 1, maximum: 12 },
      date: { type: 'string', format: 'date' },
      time: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' },
      seating: { type: 'string', enum: ['indoor', 'outdoor', 'bar'] },
      guests: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } }, required: ['name', 'email'] }, minItems: 1, maxItems: 3 },
      notes: { type: ['string', 'null'] },
    },
    required: ['restaurant', 'party_size', 'date', 'time', 'seating', 'guests', 'notes'],
    additionalProperties: false,
  },
  strict: true,
};

const EMPTY_PARAMS: FunctionToolDef = { name: 'ping', parameters: { type: 'object', properties: {} }, strict: false };

const ALL_TOOLS = [WEATHER, STOCK, SEARCH, BOOK, EMPTY_PARAMS];

describe('sandbox engine: determinism and streaming', () => {
  it('is named sandbox', () => {
    assert.equal(sandbox.name, 'sandbox');
  });

  it('gives the same event stream for the same request, byte for byte', async () => {
    for (const req of [
      request({ persona: genZ }),
      request({ persona: cfo, sampling: { verbosity: 'high', temperature: 0.7 } }),
      request({ tools: ALL_TOOLS, toolChoice: { mode: 'required' } }, "What's the weather in Paris?"),
      request({ format: { type: 'json_schema', name: 'x', strict: true, schema: { type: 'object', properties: { id: { type: 'string', format: 'uuid' }, n: { type: 'number' } }, required: ['id', 'n'] } } }),
    ]) {
      const a = await run(req);
      const b = await run({ ...req, signal: new AbortController().signal });
      assert.equal(JSON.stringify(a), JSON.stringify(b));
      assert.equal(requestSeed(req), requestSeed({ ...req, signal: new AbortController().signal }));
    }
  });

  it('answers different questions differently, and about what was asked', async () => {
    const a = textOf(await run(request({ persona: genZ }, 'Would you pay $15 a month for a meal kit subscription?')));
    const b = textOf(await run(request({ persona: genZ }, 'What do you think about our new eco-friendly sneaker line?')));
    assert.notEqual(a, b);
    assert.match(a, /meal kit subscription/);
    assert.match(b, /sneaker line/);
  });

  it('streams word-sized text deltas, then usage, then finish', async () => {
    const events = await run(request({ persona: genZ, sampling: { verbosity: 'high' } }));
    const deltas = events.filter((e) => e.type === 'text-delta');
    assert.ok(deltas.length > 10, 'several deltas');
    for (const d of deltas) assert.ok(d.type === 'text-delta' && d.delta.trim().split(/\s+/).length === 1, `one word per delta: ${JSON.stringify(d)}`);
    const types = events.map((e) => e.type);
    assert.deepEqual(types.slice(-2), ['usage', 'finish']);
    assert.ok(types.slice(0, -2).every((t) => t === 'text-delta'));
    assert.equal(finishOf(events), 'stop');
    const text = textOf(events);
    assert.equal(text, text.trim());
    assert.doesNotMatch(text, /simulat/i);
  });

  it('stops yielding when the signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    assert.deepEqual(await run(request({ signal: ac.signal })), []);

    const ac2 = new AbortController();
    const seen: ProviderEvent[] = [];
    for await (const e of sandbox.stream(request({ persona: genZ, signal: ac2.signal, sampling: { verbosity: 'high' } }))) {
      seen.push(e);
      if (seen.length === 3) ac2.abort();
    }
    assert.equal(seen.length, 3);
  });
});

describe('sandbox engine: persona voice', () => {
  it('speaks with the persona phrases and profile, differently for two personas', async () => {
    const q = 'What do you think about our new subscription pricing for the sneaker app?';
    const a = textOf(await run(request({ persona: genZ }, q)));
    const b = textOf(await run(request({ persona: cfo }, q)));
    assert.notEqual(a, b);
    const usesPhrase = (text: string, p: PersonaRecord) => p.profile.communication.phrases.some((ph) => text.toLowerCase().includes(ph.toLowerCase().replace(/[.,;:!?]+$/, '')));
    // Catchphrases come now and then (issue 13), not in every answer: over a dozen questions each persona
    // uses its own in some answers and not in all, and never the other persona's.
    const questions = [q, 'Would you try a new budgeting app?', 'How much would you pay for a meal kit?', 'Rate our checkout from 1 to 10.', 'Do you shop online?', 'What frustrates you about banks?', 'Would you rather rent or buy?', 'What do you think about AI assistants?', 'Is same-day delivery worth it?', 'Describe your morning routine.', 'How do you feel about loyalty programs?', 'Would you switch phone carriers for a cheaper plan?'];
    for (const persona of [genZ, cfo]) {
      const answers = await Promise.all(questions.map(async (question) => textOf(await run(request({ persona }, question)))));
      const own = answers.filter((t) => usesPhrase(t, persona)).length;
      assert.ok(own >= 1 && own < answers.length, `${persona.id}: ${own} of ${answers.length} answers use a catchphrase`);
      if (persona === cfo) assert.ok(answers.every((t) => !usesPhrase(t, genZ)), 'never the other persona\'s phrases');
    }
    for (const t of [a, b]) assert.match(t, /subscription pricing/);
    // profile fields appear (values, pains, objections, decision style, …)
    const profileBits = (p: PersonaRecord) => [
      ...p.profile.psychographics.values,
      ...p.profile.pains,
      ...p.profile.objections,
      ...p.profile.buying_behavior.deal_breakers,
      ...p.profile.buying_behavior.purchase_triggers,
      p.profile.buying_behavior.decision_style,
      ...p.profile.goals,
    ];
    assert.ok(profileBits(cfo).some((bit) => b.toLowerCase().includes(bit.toLowerCase().replace(/[.?]$/, ''))), b);
    assert.ok(profileBits(genZ).some((bit) => a.toLowerCase().includes(bit.toLowerCase().replace(/[.?]$/, ''))), a);
  });

  it('picks the profile fields that overlap the question', () => {
    const answer = composeAnswer({ persona: genZ, message: 'How do you feel about brands that talk about sustainability?', verbosity: 'high', rng: new Rng('t') });
    assert.match(answer.text, /sustainability|greenwashing/);
    const pain = composeAnswer({ persona: cfo, message: 'What frustrates you most about labor costs?', verbosity: 'medium', rng: new Rng('t') });
    assert.match(pain.text, /labor costs/);
    assert.equal(pain.stance, 'skeptical');
  });

  it('shapes the length by verbosity', async () => {
    for (const persona of [genZ, cfo, undefined]) {
      for (const q of ['Would you buy a $200 pair of wireless earbuds?', 'What do you think about AI assistants at work?', 'Should we launch a loyalty program?']) {
        const counts = (['low', 'medium', 'high'] as const).map((verbosity) => composeAnswer({ persona, message: q, verbosity, rng: new Rng(`${q}/${verbosity}`) }).sentences.length);
        const [low = 0, medium = 0, high = 0] = counts;
        assert.ok(low >= 1 && low <= 2, `low ${low}`);
        assert.ok(medium >= 3 && medium <= 5, `medium ${medium}`);
        assert.ok(high >= 6 && high <= 9, `high ${high}`);
        const lens = await Promise.all((['low', 'high'] as const).map(async (verbosity) => textOf(await run(request(persona ? { persona, sampling: { verbosity } } : { sampling: { verbosity } }, q))).length));
        assert.ok((lens[0] ?? 0) < (lens[1] ?? 0), `low shorter than high for ${q}`);
      }
    }
    const low = textOf(await run(request({ persona: genZ, sampling: { verbosity: 'low' } })));
    assert.ok(sentenceCount(low) <= 3, low);
  });

  it('answers neutrally without a persona, restating the question', async () => {
    const text = textOf(await run(request({}, 'How should we price our budgeting app for students?')));
    assert.match(text, /budgeting app for students/);
    for (const ph of genZ.profile.communication.phrases) assert.ok(!text.toLowerCase().includes(ph.toLowerCase()));
  });

  it('uses function outputs that arrived after the last user message', async () => {
    const req = request({
      persona: genZ,
      tools: [WEATHER],
      items: [
        userMessage("What's the weather like in Paris?"),
        { type: 'function_call', callId: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
        { type: 'function_call_output', callId: 'call_1', output: '{"temperature":18,"conditions":"partly cloudy"}' },
      ],
    });
    const events = await run(req);
    assert.equal(finishOf(events), 'stop');
    const text = textOf(events);
    assert.match(text, /^It's 18°C and partly cloudy\./);
    assert.doesNotMatch(text, /temperature 18|conditions partly/);
    assert.equal(callsOf(events).length, 0);
  });

  it('turns a question into a topic phrase', () => {
    assert.equal(extractTopic('What do you think about our new app?'), 'your new app');
    assert.equal(extractTopic('Would you buy a $30 plan?'), 'buying a $30 plan');
    assert.equal(extractTopic('Is the Pro tier worth it?'), 'the Pro tier');
    assert.equal(extractTopic("We're launching a loyalty program. Thoughts?"), 'launching a loyalty program');
    assert.equal(extractTopic('How do you feel about AI at work?'), 'AI at work');
    // The verb after "should we / would you" becomes a gerund; adjectives and objects do not.
    assert.equal(extractTopic('How should we evaluate new software vendors?'), 'evaluating new software vendors');
    assert.equal(extractTopic('Would you consider new software vendors?'), 'new software vendors');
    assert.equal(extractTopic('Would you use new payment apps?'), 'using new payment apps');
    assert.equal(extractTopic('Should I get cheap insurance?'), 'getting cheap insurance');
    assert.equal(extractTopic('How often do you shop online?'), 'shopping online');
    assert.equal(extractTopic('How do you usually discover new brands?'), 'discovering new brands');
    assert.equal(extractTopic('Are you planning to buy a new laptop this year?'), 'buying a new laptop this year');
    assert.equal(extractTopic('Would you rather rent or buy a home?'), 'renting or buying a home');
    assert.equal(extractTopic('Would a loyalty program make you shop with us more often?'), 'a loyalty program making me shop with you more often');
    assert.equal(extractTopic('Is remote work better than working in the office?'), 'remote work');
  });

  it('works with every built-in persona', async () => {
    const files = readdirSync(PERSONA_DIR).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 1);
    let withPhrase = 0;
    let count = 0;
    for (const file of files) {
      // persona files are validated by their own tests; this one only needs the valid ones
      const parsed = personaSchema.safeParse(JSON.parse(readFileSync(path.join(PERSONA_DIR, file), 'utf8')));
      if (!parsed.success) continue;
      const persona = parsed.data;
      const text = textOf(await run(request({ persona, sampling: { verbosity: 'medium' } }, 'What do you think about a cheaper monthly plan for our project tracker?')));
      assert.match(text, /monthly plan for your project tracker/, `${file}: ${text}`);
      if (persona.profile.communication.phrases.some((ph) => text.toLowerCase().includes(ph.toLowerCase().replace(/[.,;:!?…]+$/, '')))) withPhrase++;
      count++;
    }
    // A catchphrase now and then (issue 13): in some answers, not in every one.
    assert.ok(withPhrase >= count * 0.1 && withPhrase <= count * 0.7, `${withPhrase} of ${count} answers use a catchphrase`);
  });
});

describe('sandbox engine: max_output_tokens', () => {
  it('cuts at a token boundary and finishes with length', async () => {
    const full = await run(request({ persona: genZ, sampling: { verbosity: 'high' } }));
    const fullText = textOf(full);
    for (const limit of [1, 7, 16, 33]) {
      const events = await run(request({ persona: genZ, sampling: { verbosity: 'high', maxOutputTokens: limit } }));
      const text = textOf(events);
      assert.equal(finishOf(events), 'length');
      const usage = usageOf(events);
      assert.ok(usage.outputTokens <= limit, `${usage.outputTokens} <= ${limit}`);
      assert.equal(usage.outputTokens, countTokens(text));
      assert.ok(fullText.startsWith(text), 'a prefix of the uncapped text');
      assert.ok(text.length > 0);
    }
    const roomy = await run(request({ persona: genZ, sampling: { verbosity: 'high', maxOutputTokens: 5000 } }));
    assert.equal(finishOf(roomy), 'stop');
    assert.equal(textOf(roomy), fullText);
  });

  it('also caps structured output and function arguments', async () => {
    const json = await run(request({ format: { type: 'json_object' }, sampling: { maxOutputTokens: 5 } }));
    assert.equal(finishOf(json), 'length');
    assert.ok(usageOf(json).outputTokens <= 5);
    const call = await run(request({ tools: [BOOK], toolChoice: { mode: 'required' }, sampling: { maxOutputTokens: 6 } }, 'Book a table for 2'));
    assert.equal(finishOf(call), 'length');
    assert.ok(usageOf(call).outputTokens <= 6);
  });
});

describe('sandbox engine: function calls', () => {
  it('calls a tool when tool_choice is required, with valid arguments', async () => {
    const events = await run(request({ tools: [WEATHER, STOCK], toolChoice: { mode: 'required' } }, 'Tell me something nice'));
    const calls = callsOf(events);
    assert.equal(calls.length, 1);
    assert.equal(finishOf(events), 'tool_calls');
    const call = calls[0] as Call;
    assert.match(call.callId, /^call_[0-9a-f]{24}$/);
    const tool = [WEATHER, STOCK].find((t) => t.name === call.name);
    assert.ok(tool);
    assert.ok(validateAgainst(tool.parameters, JSON.parse(call.arguments)).valid, call.arguments);
    assert.equal(textOf(events), '');
    const types = events.map((e) => e.type);
    assert.deepEqual(types.slice(-4), ['tool-call-delta', 'tool-call-end', 'usage', 'finish']);
    assert.ok(events.filter((e) => e.type === 'tool-call-delta').length >= 1);
  });

  it('calls the named function', async () => {
    const events = await run(request({ tools: ALL_TOOLS, toolChoice: { mode: 'function', name: 'book_table' } }, "What's the weather in Paris?"));
    const calls = callsOf(events);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.name, 'book_table');
  });

  it('calls a tool in auto mode when the message mentions it, filling arguments from the message', async () => {
    const events = await run(request({ tools: ALL_TOOLS }, "What's the weather like in Paris, in fahrenheit?"));
    const calls = callsOf(events);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.name, 'get_weather');
    assert.deepEqual(JSON.parse(calls[0]?.arguments ?? ''), { location: 'Paris', unit: 'fahrenheit' });
    assert.equal(finishOf(events), 'tool_calls');

    const byName = callsOf(await run(request({ tools: ALL_TOOLS }, 'please run getStockPrice for NVDA')));
    assert.deepEqual(byName.map((c) => [c.name, JSON.parse(c.arguments)]), [['getStockPrice', { ticker: 'NVDA' }]]);

    const lower = callsOf(await run(request({ tools: [WEATHER] }, 'weather in new york please')));
    assert.deepEqual(JSON.parse(lower[0]?.arguments ?? ''), { location: 'New York' });
  });

  it('answers with text in auto mode when no tool is asked for', async () => {
    const events = await run(request({ tools: ALL_TOOLS, persona: genZ }, 'What do you think about our new eco-friendly sneaker line?'));
    assert.equal(callsOf(events).length, 0);
    assert.equal(finishOf(events), 'stop');
    assert.match(textOf(events), /sneaker line/);
  });

  it('never calls with tool_choice none', async () => {
    const events = await run(request({ tools: ALL_TOOLS, toolChoice: { mode: 'none' } }, "What's the weather like in Paris? Use get_weather."));
    assert.equal(callsOf(events).length, 0);
    assert.equal(finishOf(events), 'stop');
    assert.match(textOf(events), /weather/);
  });

  it('respects allowed tools', async () => {
    const forced = callsOf(await run(request({ tools: ALL_TOOLS, toolChoice: { mode: 'allowed', required: true, names: ['search_products'] } }, "What's the weather in Paris?")));
    assert.deepEqual(forced.map((c) => c.name), ['search_products']);
    const notAllowed = await run(request({ tools: ALL_TOOLS, toolChoice: { mode: 'allowed', required: false, names: ['search_products'] } }, "What's the weather in Paris?"));
    assert.equal(callsOf(notAllowed).length, 0);
  });

  it('emits one call per mentioned tool with parallel tool calls, one without', async () => {
    const q = "What's the weather in Tokyo, and the stock price of MSFT?";
    const parallel = callsOf(await run(request({ tools: ALL_TOOLS }, q)));
    assert.deepEqual(parallel.map((c) => c.name), ['get_weather', 'getStockPrice']);
    assert.deepEqual(parallel.map((c) => c.index), [0, 1]);
    assert.deepEqual(JSON.parse(parallel[0]?.arguments ?? ''), { location: 'Tokyo' });
    assert.deepEqual(JSON.parse(parallel[1]?.arguments ?? ''), { ticker: 'MSFT' });
    assert.notEqual(parallel[0]?.callId, parallel[1]?.callId);
    const single = callsOf(await run(request({ tools: ALL_TOOLS, parallelToolCalls: false }, q)));
    assert.equal(single.length, 1);
  });

  it('does not call again in auto mode once an output answers the message', async () => {
    const events = await run(
      request({
        tools: [WEATHER],
        items: [
          userMessage("What's the weather in Paris?"),
          { type: 'function_call', callId: 'call_a', name: 'get_weather', arguments: '{"location":"Paris"}' },
          { type: 'function_call_output', callId: 'call_a', output: 'Sunny, 24 degrees.' },
        ],
      }),
    );
    assert.equal(callsOf(events).length, 0);
    assert.match(textOf(events), /^Sunny, 24 degrees\./);
  });

  it('generates arguments that validate for enums, nested objects, arrays, bounded integers and formats', async () => {
    const messages = ['Find me shoes in stock', 'Book a table for 4 at Luigi tomorrow at 7pm, outdoor please', 'hi', 'Search products for "red hats", 3 results'];
    for (const tool of ALL_TOOLS) {
      for (const q of messages) {
        for (const strict of [true, false]) {
          const t = { ...tool, strict };
          const events = await run(request({ tools: [t], toolChoice: { mode: 'function', name: t.name } }, q));
          const [call] = callsOf(events);
          assert.ok(call, `${t.name} called`);
          const args: unknown = JSON.parse(call.arguments);
          const check = validateAgainst(t.parameters, args);
          assert.ok(check.valid, `${t.name} / ${q}: ${call.arguments} ${check.errors.join('; ')}`);
        }
      }
    }
    const book = callsOf(await run(request({ tools: [BOOK], toolChoice: { mode: 'required' } }, 'Book a table for 4 people, outdoor please')));
    const args = JSON.parse(book[0]?.arguments ?? '{}') as Record<string, unknown>;
    assert.equal(args.party_size, 4);
    assert.equal(args.seating, 'outdoor');
    const search = callsOf(await run(request({ tools: [SEARCH] }, 'Search products for "red hats", 3 results')));
    const sargs = JSON.parse(search[0]?.arguments ?? '{}') as { query: string; max_results: number; filters: { category: string } };
    assert.equal(sargs.query, 'red hats');
    assert.equal(sargs.max_results, 3);
    assert.equal(sargs.filters.category, 'hats');
    const ping = callsOf(await run(request({ tools: [EMPTY_PARAMS], toolChoice: { mode: 'required' } })));
    assert.equal(ping[0]?.arguments, '{}');
  });

  it('streams arguments in a few chunks that concatenate to JSON', async () => {
    const events = await run(request({ tools: [BOOK], toolChoice: { mode: 'required' } }, 'Book a table for two'));
    const deltas = events.filter((e) => e.type === 'tool-call-delta');
    assert.ok(deltas.length >= 2 && deltas.length <= 4, `${deltas.length} chunks`);
    const [call] = callsOf(events);
    assert.doesNotThrow(() => JSON.parse(call?.arguments ?? ''));
    assert.equal(usageOf(events).outputTokens, countTokens(call?.arguments ?? ''));
  });
});

describe('sandbox engine: structured output', () => {
  const schemas: Record<string, Record<string, unknown>> = {
    feedback: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        sentiment: { type: 'string', enum: ['positive', 'neutral', 'negative'] },
        summary: { type: 'string' },
        score: { type: 'integer', minimum: 1, maximum: 10 },
        concerns: { type: 'array', items: { type: 'string' }, minItems: 1 },
      },
      required: ['name', 'sentiment', 'summary', 'score', 'concerns'],
      additionalProperties: false,
    },
    patterns: {
      type: 'object',
      properties: {
        code: { type: 'string', pattern: '^[A-Z]{3}$' },
        phone: { type: 'string', pattern: '^\\+1-\\d{3}-\\d{3}-\\d{4}$' },
        sku: { type: 'string', pattern: '^SKU-[0-9]{4,6}(-[a-z]{2})?$' },
        hex: { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' },
        slug: { type: 'string', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', maxLength: 20 },
      },
      required: ['code', 'phone', 'sku', 'hex', 'slug'],
      additionalProperties: false,
    },
    formats: {
      type: 'object',
      properties: {
        at: { type: 'string', format: 'date-time' },
        day: { type: 'string', format: 'date' },
        t: { type: 'string', format: 'time' },
        email: { type: 'string', format: 'email' },
        site: { type: 'string', format: 'uri' },
        id: { type: 'string', format: 'uuid' },
        ip: { type: 'string', format: 'ipv4' },
        host: { type: 'string', format: 'hostname' },
        dur: { type: 'string', format: 'duration' },
      },
      required: ['at', 'day', 't', 'email', 'site', 'id', 'ip', 'host', 'dur'],
    },
    recursive: {
      $defs: {
        node: {
          type: 'object',
          properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } },
          required: ['label', 'children'],
          additionalProperties: false,
        },
      },
      $ref: '#/$defs/node',
    },
    linkedList: {
      $defs: { item: { type: 'object', properties: { value: { type: 'integer' }, next: { anyOf: [{ $ref: '#/$defs/item' }, { type: 'null' }] } }, required: ['value', 'next'] } },
      type: 'object',
      properties: { head: { $ref: '#/$defs/item' } },
      required: ['head'],
    },
    anyOfOneOf: {
      type: 'object',
      properties: {
        value: { anyOf: [{ type: 'number', multipleOf: 0.25, minimum: 1, maximum: 2 }, { type: 'null' }] },
        item: { oneOf: [{ type: 'string', maxLength: 3 }, { type: 'integer' }] },
        shape: { oneOf: [{ type: 'object', properties: { kind: { const: 'circle' }, r: { type: 'number', exclusiveMinimum: 0 } }, required: ['kind', 'r'] }, { type: 'object', properties: { kind: { const: 'square' }, side: { type: 'number' } }, required: ['kind', 'side'] }] },
      },
      required: ['value', 'item', 'shape'],
    },
    arrays: {
      type: 'object',
      properties: {
        tags: { type: 'array', items: { type: 'string', enum: ['a', 'b', 'c'] }, uniqueItems: true, minItems: 3, maxItems: 3 },
        pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false },
        fractions: { type: 'array', items: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }, minItems: 4, uniqueItems: true },
        matrix: { type: 'array', items: { type: 'array', items: { type: 'integer', minimum: -3, maximum: 3 }, minItems: 2, maxItems: 2 }, minItems: 2 },
      },
      required: ['tags', 'pair', 'fractions', 'matrix'],
    },
    allOfMerge: {
      allOf: [
        { type: 'object', properties: { a: { type: 'string', minLength: 3 } }, required: ['a'] },
        { properties: { b: { type: 'integer', minimum: 5, multipleOf: 5 }, c: { type: 'number', minimum: 0.1, maximum: 0.3, multipleOf: 0.1 } }, required: ['b', 'c'] },
      ],
    },
    draft07Definitions: {
      definitions: { person: { type: 'object', properties: { first_name: { type: 'string' }, age: { type: 'integer', minimum: 18, maximum: 99 } }, required: ['first_name', 'age'] } },
      type: 'object',
      properties: { people: { type: 'array', items: { $ref: '#/definitions/person' }, minItems: 2 } },
      required: ['people'],
    },
    nullableAndTypeArrays: {
      type: 'object',
      properties: {
        price: { type: ['number', 'null'], minimum: 0 },
        note: { type: 'string', nullable: true },
        either: { type: ['integer', 'string'] },
        flag: { type: 'boolean' },
        nothing: { type: 'null' },
      },
      required: ['price', 'note', 'either', 'flag', 'nothing'],
      additionalProperties: false,
    },
    scalarString: { type: 'string', minLength: 10, maxLength: 40 },
    openObject: { type: 'object' },
    constAndEnum: { type: 'object', properties: { version: { const: 2 }, level: { enum: [1, 'two', null] } }, required: ['version', 'level'] },
    minProperties: { type: 'object', additionalProperties: { type: 'integer' }, minProperties: 2 },
  };

  for (const [name, schema] of Object.entries(schemas)) {
    it(`generates a valid instance for ${name}`, async () => {
      for (const persona of [genZ, undefined]) {
        const req = request({ ...(persona ? { persona } : {}), format: { type: 'json_schema', name, schema, strict: true } }, 'Would you buy the new Aurora headphones for $149?');
        const events = await run(req);
        const text = textOf(events);
        const value: unknown = JSON.parse(text);
        const check = validateAgainst(schema, value);
        assert.ok(check.valid, `${name}: ${text} ${check.errors.join('; ')}`);
        assert.equal(finishOf(events), 'stop');
        assert.equal(usageOf(events).outputTokens, countTokens(text));
        assert.equal(text, textOf(await run(req)), 'deterministic');
      }
    });
  }

  it('fills meaningful values from the persona and the question', async () => {
    const text = textOf(await run(request({ persona: genZ, format: { type: 'json_schema', name: 'feedback', schema: schemas.feedback ?? {}, strict: true } }, 'Would you buy the new Aurora headphones for $149?')));
    const value = JSON.parse(text) as { name: string; summary: string; concerns: string[] };
    assert.equal(value.name, genZ.name);
    assert.match(value.summary, /Aurora headphones/);
    assert.ok(value.concerns.every((c) => genZ.profile.objections.includes(c)));
  });

  it('streams JSON as several text deltas', async () => {
    const events = await run(request({ persona: genZ, format: { type: 'json_schema', name: 'feedback', schema: schemas.feedback ?? {}, strict: true } }));
    assert.ok(events.filter((e) => e.type === 'text-delta').length > 5);
  });

  it('throws a clear error for a schema nothing satisfies', async () => {
    const req = request({ format: { type: 'json_schema', name: 'impossible', schema: { type: 'string', minLength: 5, maxLength: 2 }, strict: true } });
    await assert.rejects(run(req), /could not generate a value that matches the JSON schema for response format 'impossible'/);
  });

  it('produces a JSON object for json_object', async () => {
    const withPersona = JSON.parse(textOf(await run(request({ persona: genZ, format: { type: 'json_object' } })))) as Record<string, unknown>;
    assert.equal(withPersona.persona, genZ.name);
    assert.match(String(withPersona.answer), /sneaker line/);
    const plain = JSON.parse(textOf(await run(request({ format: { type: 'json_object' } })))) as Record<string, unknown>;
    assert.equal(typeof plain.answer, 'string');
  });

  it('samples strings for regex patterns', () => {
    const rng = new Rng('patterns');
    for (const pattern of ['^[A-Z]{3}$', '^\\d{3}-\\d{4}$', '^(foo|bar)+baz?$', '^[^\\s@]+@[^\\s@]+\\.[a-z]{2,}$', '^v\\d+\\.\\d+\\.\\d+$', '[a-z]+_[0-9]{2}', '^\\p{Lu}\\p{Ll}+$', '^(?:[A-Z][a-z]+ ){1,2}[A-Z][a-z]+$']) {
      const s = sampleFromPattern(pattern, rng);
      assert.ok(s !== undefined && new RegExp(pattern, 'u').test(s), `${pattern} → ${s}`);
    }
    assert.equal(sampleFromPattern('^[a-z]{2,4}$', rng, { minLength: 5 }), undefined);
  });
});

describe('sandbox engine: usage', () => {
  it('counts input tokens over system and items with a 4-token overhead each', async () => {
    const items: ConversationItem[] = [
      { type: 'message', role: 'developer', content: [{ type: 'text', text: 'Be brief.' }] },
      userMessage('What is the weather in Rome?'),
      { type: 'function_call', callId: 'call_x', name: 'get_weather', arguments: '{"location":"Rome"}' },
      { type: 'function_call_output', callId: 'call_x', output: '{"temperature":21}' },
      { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'It is 21 degrees.' }] },
      userMessage('And tomorrow?'),
    ];
    const system = 'You are answering as a specific person.';
    const expected =
      4 + countTokens(system) +
      4 + countTokens('Be brief.') +
      4 + countTokens('What is the weather in Rome?') +
      4 + countTokens('get_weather') + countTokens('{"location":"Rome"}') +
      4 + countTokens('{"temperature":21}') +
      4 + countTokens('It is 21 degrees.') +
      4 + countTokens('And tomorrow?');
    const req = request({ system, items, persona: genZ });
    assert.equal(countInputTokens(req), expected);
    const events = await run(req);
    const usage = usageOf(events);
    assert.equal(usage.inputTokens, expected);
    assert.equal(usage.outputTokens, countTokens(textOf(events)));
  });

  it('counts an image part as a fixed 85 tokens', () => {
    const req = request({ items: [{ type: 'message', role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', url: 'https://example.com/a.png', detail: 'auto' }] }] });
    assert.equal(countInputTokens(req), 4 + countTokens('What is this?') + 85);
  });

  it('sums the arguments of every call as output tokens', async () => {
    const events = await run(request({ tools: ALL_TOOLS }, "What's the weather in Tokyo, and the stock price of MSFT?"));
    const calls = callsOf(events);
    assert.equal(usageOf(events).outputTokens, calls.reduce((n, c) => n + countTokens(c.arguments), 0));
  });
});

describe('sandbox engine: plan', () => {
  it('exposes the plan without streaming', () => {
    const plan = planSandboxResponse(request({ tools: [WEATHER] }, 'weather in Lisbon?'));
    assert.equal(plan.kind, 'tool_calls');
    if (plan.kind === 'tool_calls') assert.equal(plan.calls[0]?.name, 'get_weather');
  });
});
