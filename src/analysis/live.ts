/**
 * The live analyzer: a second, persona-aware model pass for live keys, on the
 * same engine that produced the answer.
 *
 * 1. Ask the engine for the Analysis object with a strict `json_schema` output
 *    format (ANALYSIS_SCHEMA), a system prompt that explains the task and the
 *    scales, and a user message with the persona's profile summary (name,
 *    description, values, decision style, pains), the question and the answer.
 * 2. Collect the text deltas, JSON.parse, validate against the schema.
 * 3. Invalid (not JSON, or not the schema) → one repair request: the same
 *    conversation plus the invalid reply and the validation errors.
 * 4. Still invalid, or the engine failed (HTTP error, connection) → the
 *    lexicon analysis (./lexicon.ts) and a `analysis.live_fallback` warning in
 *    the log. The response itself never fails because of its analysis.
 *
 * A bias whose evidence is not a quote of the answer (compared ignoring case
 * and whitespace) is dropped. An aborted `input.signal` (client gone,
 * response cancelled) stops the pass and is rethrown, never swallowed.
 * The pass's tokens are not added to the response's usage; analysis mode is
 * priced by src/pricing.ts.
 *
 * Both calls draw on the request's budget of extra model calls
 * (src/providers/extra-calls.ts): each generates at most
 * min(1,024, the request's max_output_tokens) tokens, and a call the budget
 * does not allow (too few tokens, no call left) is not made: the lexicon
 * analysis instead, with an `analysis.live_fallback` warning (`budget`).
 */
import type { Logger } from '../logger.js';
import type { PersonaRecord } from '../personas/persona-schema.js';
import { budgetOf } from '../providers/extra-calls.js';
import type { ConversationItem } from '../providers/types.js';
import { extractJson } from '../structured/extract-json.js';
import { generateObject, GenerateObjectError } from '../structured/generate-object.js';
import { validateAgainst } from '../util/json-schema.js';
import { analyzeWithLexicon } from './lexicon.js';
import { ANALYSIS_SCHEMA } from './schema.js';
import type { Analysis, AnalysisInput } from './types.js';

export interface LiveAnalyzerOptions {
  logger?: Logger;
  /** A lower output cap for each model call than the budget's (extra-calls.ts). */
  maxOutputTokens?: number;
}

export const ANALYST_PROMPT = `You are the analysis pass of a persona research API. A persona (a simulated member of an audience) answered a question; you read the answer and rate it. Reply with only a JSON object that matches the given schema.

Scales, all integers from 1 to 10:
- confidence: how confident the persona is in this answer. 1 = heavily hedged ("maybe", "not sure", "it depends", "on the fence"); 10 = certain ("definitely", "no doubt", "I know").
- emotion.emotional_valence: 1 = very negative, 5–6 = neutral, 10 = very positive.
- emotion.arousal: 1 = calm and flat; 10 = intensely activated (strong emotion words, exclamations, capitals).
- emotion.dominance: 1 = powerless, constrained by others or circumstances ("I can't", "no choice"); 10 = in control of the decision ("I decide", "my call").

biases: cognitive biases the answer's own words show, such as anchoring, confirmation bias, status quo bias, bandwagon effect, loss aversion, authority bias, scarcity effect, present bias, optimism bias, negativity bias, sunk cost fallacy. For each: name (lowercase), description (one sentence on how it shows here), evidence (an exact quote copied from the answer, word for word). Report only biases the answer shows; an empty list is a valid answer; at most 6.

key_insights: 2 to 5 short, concrete takeaways for whoever asked the question: the persona's stance, the main objection, the decision driver, and how the answer reflects the persona's profile. Ground each in the answer; do not invent facts.

Rate the answer as written, in light of who the persona is.`;

/** The user message of the pass: who the persona is, what was asked, what they answered. */
export function analysisBrief(persona: PersonaRecord | undefined, question: string, answer: string): string {
  const lines: string[] = [];
  if (persona) {
    const p = persona.profile;
    lines.push(`Persona: ${persona.name}: ${persona.description}`);
    lines.push(`Values: ${p.psychographics.values.join('; ')}`);
    lines.push(`Decision style: ${p.buying_behavior.decision_style} (price sensitivity ${p.buying_behavior.price_sensitivity}, brand loyalty ${p.buying_behavior.brand_loyalty})`);
    lines.push(`Pain points: ${p.pains.join('; ')}`);
    lines.push(`Typical objections: ${p.objections.join(' ')}`);
  } else lines.push('Persona: none (a generic assistant answered, without a persona).');
  lines.push('', 'Question:', '<<<', question || '(no question text)', '>>>', '', 'Answer:', '<<<', answer, '>>>');
  return lines.join('\n');
}

type Check = { ok: true; analysis: Analysis } | { ok: false; errors: string[] };

/** Parses and validates a reply of the model (generateObject's steps, for one reply). */
export function checkReply(text: string, answer: string): Check {
  const json = extractJson(text);
  if (!json.ok) return { ok: false, errors: [json.error] };
  const check = validateAgainst(ANALYSIS_SCHEMA, json.value);
  if (!check.valid) return { ok: false, errors: check.errors };
  return { ok: true, analysis: quotedOnly(json.value as Analysis, answer) };
}

/** The analysis with only the biases whose evidence quotes the answer (ignoring case, whitespace and curly quotes). */
function quotedOnly(a: Analysis, answer: string): Analysis {
  const haystack = squash(answer);
  return {
    confidence: a.confidence,
    emotion: { emotional_valence: a.emotion.emotional_valence, arousal: a.emotion.arousal, dominance: a.emotion.dominance },
    biases: a.biases
      .filter((b) => b.evidence.trim() !== '' && haystack.includes(squash(b.evidence)))
      .map((b) => ({ name: b.name, description: b.description, evidence: b.evidence })),
    key_insights: [...a.key_insights],
  };
}

function squash(text: string): string {
  return text.replace(/[’‘]/g, "'").replace(/[“”]/g, '"').replace(/\s+/g, ' ').trim().toLowerCase();
}

const userMessage = (text: string): ConversationItem => ({ type: 'message', role: 'user', content: [{ type: 'text', text }] });

export async function analyzeLive(input: AnalysisInput, options: LiveAnalyzerOptions = {}): Promise<Analysis> {
  const fallback = () => analyzeWithLexicon(input);
  if (input.signal.aborted) throw input.signal.reason;
  // Nothing to read (e.g. the answer was only function calls): no model call.
  if (!input.answer.trim()) return fallback();
  const budget = budgetOf({ ...(input.extraCalls ? { extraCalls: input.extraCalls } : {}), sampling: {} });
  const cap = options.maxOutputTokens;
  const warn = (reason: string, fields: Record<string, unknown>) =>
    options.logger?.warn('analysis.live_fallback', { reason, engine: input.provider.name, persona_id: input.persona?.id ?? null, ...fields });
  try {
    const { object } = await generateObject<Analysis>({
      provider: input.provider,
      request: {
        system: ANALYST_PROMPT,
        items: [userMessage(analysisBrief(input.persona, input.question, input.answer))],
        sampling: { reasoningEffort: 'low' },
        // A repair the router makes of a call (a backend without JSON Schema support) counts too.
        extraCalls: budget,
      },
      schema: { name: 'analysis', schema: ANALYSIS_SCHEMA, description: 'A structured reading of the persona answer.' },
      check: (value) => ({ ok: true, value: quotedOnly(value as Analysis, input.answer) }),
      repairBudget: 1,
      // Each call within the request's budget of extra model calls, at most `cap` tokens.
      beforeCall: (attempt) => {
        const grant = budget.take(attempt === 1 ? 'analysis' : 'analysis_repair');
        if (!grant) return false;
        const granted = grant.maxOutputTokens ?? Infinity;
        return { maxOutputTokens: Math.min(granted, cap ?? granted) };
      },
      signal: input.signal,
    });
    return object;
  } catch (err) {
    if (input.signal.aborted) throw input.signal.reason;
    if (err instanceof GenerateObjectError && err.kind === 'budget') warn('budget', { max_output_tokens: budget.maxOutputTokens ?? null, extra_calls_left: budget.callsLeft });
    else if (err instanceof GenerateObjectError) warn('invalid_after_repair', { errors: err.errors.slice(0, 10) });
    else warn('engine_error', { err });
    return fallback();
  }
}
