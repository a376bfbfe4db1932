/**
 * SSR elicitation (semantic-similarity rating, Maier et al. 2025): the
 * respondent answers a scale question in words, under a strict schema of
 * `{reasoning, answer}`; one embeddings call then embeds the answer with the
 * question's anchor statements (./ssr-anchors.ts) and ./stats/ssr.ts maps
 * the answer's similarities to a probability distribution over the scale.
 * The stored answer is `{value: expected value, distribution, text,
 * reasoning}` (answer-types.ts ScaleAnswer), which the statistics read as
 * a distribution. Two model calls, both paid: the answer (priced like any
 * answer) and the embeddings (src/pricing.ts embeddingCredits).
 *
 * The anchors are embedded in the same call as the answer, not cached: one
 * call per answer keeps each answer's price exact and known before it runs,
 * and a resumed study needs nothing beyond its stored answers.
 */
import { ApiError } from '../errors/api-error.js';
import { generateObject } from '../structured/generate-object.js';
import type { Elicitor } from './elicitation.js';
import { answerObject, reasoningOf } from './questions/define.js';
import { typeOf } from './questions/registry.js';
import { expectedValue, ssrDistribution } from './stats/ssr.js';
import { anchorsOf } from './ssr-anchors.js';

/** The schema the respondent answers an SSR question under. */
export const SSR_ANSWER_SCHEMA = answerObject({
  answer: { type: 'string', description: 'Your answer in your own words, one or two sentences, without a number or a scale point.' },
});

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export const ssrElicitation: Elicitor = async ({ provider, question, request, repairBudget, signal }) => {
  const embeddings = provider.embeddings;
  if (!embeddings?.available(request)) throw new ApiError('invalid_request', `The backend has no embedding model, which 'ssr' elicitation needs.`);
  const scale = typeOf(question).scale?.(question as never);
  if (!scale) throw new Error(`${question.type} questions have no scale`);
  const r = await generateObject({
    provider,
    request,
    schema: { name: `answer_${question.type}_in_words`, schema: SSR_ANSWER_SCHEMA, description: "A survey respondent's answer in words, with its reasoning." },
    check: (raw) => {
      const text = String((raw as Record<string, unknown>).answer ?? '').trim();
      return text ? { ok: true, value: { text, reasoning: reasoningOf(raw as Record<string, unknown>) } } : { ok: false, errors: ['answer: say it in words, it is empty'] };
    },
    repairBudget,
    signal,
  });
  const { text, reasoning } = r.object;
  const anchors = anchorsOf(question);
  const e = await embeddings.embed({
    input: [text, ...anchors],
    ...(request.persona ? { persona: request.persona } : {}),
    ...(request.workspace ? { workspace: request.workspace } : {}),
    signal,
  });
  const [answer, ...anchorVectors] = e.vectors;
  const pmf = ssrDistribution(answer!, [anchorVectors]);
  const points = Array.from({ length: scale.max - scale.min + 1 }, (_, i) => scale.min + i);
  const distribution = Array.from(pmf, (p) => round(p, 6));
  return {
    value: { value: round(expectedValue(points, pmf), 4), distribution, text, reasoning },
    reasoning,
    raw: r.text,
    usage: r.usage,
    attempts: r.attempts,
    embeddingTokens: e.inputTokens,
  };
};
