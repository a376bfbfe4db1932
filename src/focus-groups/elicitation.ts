/**
 * How an answer is obtained from the model: the elicitation hook. `direct`
 * (every type): the model answers under the question type's strict answer
 * schema through generateObject, the type's normalize() checks it and its
 * errors are fed back for a repair. A scale question's `ssr` (semantic-
 * similarity rating: the respondent answers in words, mapped onto the scale
 * by embedding similarity to anchor statements) plugs in here as another
 * Elicitor, chosen by the question's `elicitation`.
 */
import type { Provider } from '../providers/types.js';
import { ssrElicitation } from './ssr-elicitation.js';
import { generateObject, type ObjectRequest, type ObjectUsage } from '../structured/generate-object.js';
import type { Answer } from './answer-types.js';
import { typeOf, type Question } from './questions/registry.js';

export interface ElicitInput {
  provider: Provider;
  question: Question;
  /** System prompt, the conversation with this question last, sampling, persona, respondent hint. */
  request: ObjectRequest;
  repairBudget: number;
  signal: AbortSignal;
}

export interface Elicited {
  /** The Answer (../answer-types.ts), its reasoning included. */
  value: Answer;
  reasoning: string;
  /** The respondent's turn as the conversation keeps it (the accepted JSON). */
  raw: string;
  /** Every model call's tokens (each is paid for). */
  usage: ObjectUsage;
  attempts: number;
  /** SSR: the input tokens of the embeddings call (priced on its own, src/pricing.ts embeddingCredits). */
  embeddingTokens?: number;
}

/** Throws GenerateObjectError when no valid answer came within the repair budget; backend errors propagate. */
export type Elicitor = (input: ElicitInput) => Promise<Elicited>;

export const directElicitation: Elicitor = async ({ provider, question, request, repairBudget, signal }) => {
  const def = typeOf(question);
  const r = await generateObject({
    provider,
    request,
    schema: { name: `answer_${question.type}`, schema: def.answerSchema(question), description: "A survey respondent's answer, with its reasoning." },
    check: (raw) => def.normalize(question, raw as Record<string, unknown>),
    repairBudget,
    signal,
  });
  const value = r.object as Answer;
  return { value, reasoning: value.reasoning ?? '', raw: r.text, usage: r.usage, attempts: r.attempts };
};

export type Elicitors = Record<'direct' | 'ssr', Elicitor | undefined>;

export const DEFAULT_ELICITORS: Elicitors = { direct: directElicitation, ssr: ssrElicitation };
