/**
 * Function calling in the sandbox engine: whether to call, which functions,
 * and with what arguments.
 *
 * - `none` never calls; `required`, a named `function`, and `allowed` with
 *   required=true always call (among the allowed functions).
 * - `auto` (and `allowed` with required=false) calls when the last user
 *   message clearly asks for a function: it names it, uses all the words of
 *   its name (split on _ - and camelCase, minus verbs like get/list/fetch),
 *   or shares at least two significant words with its name and description
 *   together; and no function output already answers that message.
 * - With `parallelToolCalls`, every function the message mentions is called
 *   (in the order they are mentioned); otherwise only the best match.
 *
 * Arguments are generated from the function's JSON Schema, filled from the
 * message where the property names allow (location → a place in the message,
 * query → the request, an enum member the message mentions, a count it
 * states), and validated with Ajv.
 */
import type { PersonaRecord } from '../../personas/persona-schema.js';
import { offeredTools } from '../tool-choice.js';
import type { FunctionToolDef, ProviderRequest } from '../types.js';
import type { ConversationView } from './conversation.js';
import type { GenerationBudget } from './generation-budget.js';
import { buildHints, generateInstance, type InstanceHints } from './json-instance.js';
import { identifierWords, stem, stemSet, wordsOf, isStopword } from '../../text/words.js';
import type { VoiceAnswer } from './persona-voice.js';
import type { Rng } from './seed.js';
import { serverToolIntent } from './server-tool-intent.js';

export interface PlannedCall {
  callId: string;
  name: string;
  /** JSON text of the arguments. */
  arguments: string;
}

/** Verbs and fillers that say nothing about what a function is for. */
const GENERIC_NAME_WORDS = new Set(
  `get set fetch list create update delete remove add find do run make call tool tools api func fn function by for the of to a an
  all info information data detail details current new my lookup look up retrieve read write send check compute calculate handle
  process perform execute query submit post put patch load save show display return v1 v2 with from in on at is`.split(/\s+/),
);

/** Description words too common to count as overlap. */
const GENERIC_DESC_WORDS = new Set(
  `get gets return returns returned current given specified specific provided user value values data information info result
  results based using use used call function tool api request response string number object list optional required parameter
  parameters field fields item items new one two format type name id`
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => stem(w)),
);

interface Mention {
  tool: FunctionToolDef;
  score: number;
  /** Character offset of the first matching word in the message (for ordering and segmenting). */
  index: number;
  order: number;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How clearly `message` asks for `tool` (0 = not at all; ≥ 2 counts as a request). */
export function mentionOf(tool: FunctionToolDef, message: string, order = 0): Mention {
  const none: Mention = { tool, score: 0, index: Number.MAX_SAFE_INTEGER, order };
  if (!message.trim()) return none;
  // 1. the function's name, as written or with its separators as spaces
  const spaced = identifierWords(tool.name).join(' ');
  for (const form of [tool.name, spaced]) {
    if (!form) continue;
    const m = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRe(form).replace(/ /g, '[\\s_-]+')}(?![\\p{L}\\p{N}_])`, 'iu').exec(message);
    if (m) return { tool, score: 10, index: m.index, order };
  }
  // 2. the significant words of its name
  const nameWords = identifierWords(tool.name);
  let significant = nameWords.filter((w) => !GENERIC_NAME_WORDS.has(w) && w.length > 1);
  if (significant.length === 0) significant = nameWords.filter((w) => !isStopword(w) && w.length > 2 && !['get', 'set', 'run', 'do'].includes(w));
  const msgWords = wordsOf(message);
  const msgStems = msgWords.map((w) => stem(w.lower));
  let matched = 0;
  let first = Number.MAX_SAFE_INTEGER;
  for (const w of significant) {
    const s = stem(w);
    const at = msgStems.findIndex((x) => x === s || (s.length >= 5 && x.length >= 5 && (x.startsWith(s) || s.startsWith(x))));
    if (at >= 0) {
      matched++;
      first = Math.min(first, msgWords[at]?.index ?? first);
    }
  }
  let score = 0;
  if (significant.length > 0 && matched === significant.length) score = 5 + matched;
  else if (matched >= 2) score = 2 * matched;
  // 3. overlap with the name's words and the description: at least two distinct significant words
  if (tool.description || matched > 0) {
    const desc = new Set([...stemSet(`${significant.join(' ')} ${tool.description ?? ''}`, false)].filter((s) => !GENERIC_DESC_WORDS.has(s)));
    const hitStems = new Set<string>();
    let firstHit = Number.MAX_SAFE_INTEGER;
    msgWords.forEach((w, i) => {
      const s = msgStems[i] ?? '';
      if (!isStopword(w.lower) && w.lower.length >= 3 && desc.has(s) && !GENERIC_DESC_WORDS.has(s)) {
        hitStems.add(s);
        firstHit = Math.min(firstHit, w.index);
      }
    });
    if (hitStems.size >= 2 && hitStems.size > score) {
      score = hitStems.size;
      first = Math.min(first, firstHit);
    }
  }
  return score > 0 ? { tool, score, index: first, order } : none;
}

export interface ToolPlanInput {
  req: Omit<ProviderRequest, 'signal'>;
  view: ConversationView;
  voice: VoiceAnswer;
  persona?: PersonaRecord | undefined;
  rng: Rng;
  /** What generating the arguments may cost (shared with the request's other schemas). */
  budget?: GenerationBudget | undefined;
}

/** The calls to emit, or null when the response should be text. */
export function planToolCalls({ req, view, voice, persona, rng, budget }: ToolPlanInput): PlannedCall[] | null {
  const { tools: offered, toolChoice: choice } = offeredTools(req);
  if (choice.mode === 'none') return null;
  let candidates = offered;
  let forced = choice.mode === 'required';
  if (choice.mode === 'function') {
    const named = offered.find((t) => t.name === choice.name) ?? { name: choice.name, parameters: { type: 'object', properties: {} }, strict: false };
    candidates = [named];
    forced = true;
  }
  if (candidates.length === 0) return null;

  const message = view.lastUserText;
  if (!forced) {
    if (view.toolResults.length > 0 || view.lastUserIndex < 0) return null;
  }
  const mentions = candidates
    .map((t, i) => mentionOf(t, message, i))
    .filter((m) => m.score >= 2)
    .sort((a, b) => a.index - b.index || a.order - b.order);
  if (mentions.length === 0 && choice.mode !== 'function') {
    // A built-in server tool asked for by what it does ("draw an image of…", "the latest news on…").
    const intent = serverToolIntent(candidates, view);
    if (intent) return [{ callId: `call_${rng.fork('call-id-0').hex(24)}`, name: intent.tool.name, arguments: JSON.stringify(intent.arguments) }];
  }
  if (!forced && mentions.length === 0) return null;

  let selected: Mention[];
  if (choice.mode === 'function') {
    selected = [mentions[0] ?? { tool: candidates[0] as FunctionToolDef, score: 0, index: 0, order: 0 }];
  } else if (mentions.length > 0) {
    if (req.parallelToolCalls) selected = mentions;
    else {
      const best = [...mentions].sort((a, b) => b.score - a.score || a.index - b.index || a.order - b.order)[0] as Mention;
      selected = [best];
    }
  } else {
    // forced without a clear mention: the function whose description best fits, else the first one
    const scored = candidates.map((t, i) => ({ tool: t, score: descriptionFit(t, message), index: 0, order: i }));
    const best = [...scored].sort((a, b) => b.score - a.score || a.order - b.order)[0] as Mention;
    selected = [best];
  }

  const exclude = new Set(candidates.flatMap((t) => [t.name.toLowerCase(), ...identifierWords(t.name)]));
  const full = buildHints(message, voice, persona, exclude);
  return selected.map((m, i) => {
    let hints: InstanceHints = full;
    if (selected.length > 1) {
      const start = m.index === Number.MAX_SAFE_INTEGER ? 0 : m.index;
      const next = selected[i + 1]?.index;
      const segment = message.slice(start, next !== undefined && next > start ? next : undefined);
      const seg = buildHints(segment, voice, persona, exclude);
      hints = {
        ...full,
        message: segment,
        query: seg.query || full.query,
        places: [...new Set([...seg.places, ...full.places])],
        numbers: [...seg.numbers, ...full.numbers.filter((n) => !seg.numbers.includes(n))],
      };
    }
    const index = req.tools.indexOf(m.tool);
    const args = argumentsFor(m.tool, hints, rng.fork(`call-${i}`), { budget, ...(index >= 0 ? { index } : {}) });
    return { callId: `call_${rng.fork(`call-id-${i}`).hex(24)}`, name: m.tool.name, arguments: args };
  });
}

function descriptionFit(tool: FunctionToolDef, message: string): number {
  const msg = stemSet(message, false);
  const desc = stemSet(`${identifierWords(tool.name).join(' ')} ${tool.description ?? ''}`, false);
  let n = 0;
  for (const s of desc) if (msg.has(s) && !GENERIC_DESC_WORDS.has(s)) n++;
  return n;
}

/**
 * JSON arguments for one call, valid against the function's parameters schema.
 * `index` is the tool's place in the request's tools, named by a refusal.
 */
export function argumentsFor(tool: FunctionToolDef, hints: InstanceHints, rng: Rng, within: { budget?: GenerationBudget | undefined; index?: number } = {}): string {
  const params = tool.parameters;
  const empty = !params || Object.keys(params).length === 0;
  const schema: Record<string, unknown> = empty ? { type: 'object', properties: {} } : params;
  const value = generateInstance(schema, hints, rng, {
    optional: tool.strict ? 'all' : 'hinted',
    enumFallback: 'first',
    preferNull: true,
    label: `function '${tool.name}'`,
    ...(within.budget ? { budget: within.budget } : {}),
    ...(within.index !== undefined ? { origin: { kind: 'tool' as const, index: within.index } } : {}),
  });
  return JSON.stringify(value);
}
