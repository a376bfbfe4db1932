/**
 * SSR anchor statements: one first-person sentence per point of a scale
 * question, lowest first, that an answer in words is compared with (by
 * embedding similarity, ./stats/ssr.ts). Following Maier et al. (2025), the
 * anchors are short statements a respondent could have said at that point,
 * not bare numbers.
 *
 * - likert: the labels in the first person ("I strongly disagree."), or the
 *   label itself when it is not about agreement ("Very satisfied.");
 * - nps: eleven statements from "never recommend" to "already recommend";
 * - rating (at most MAX_SSR_POINTS points): a quality ladder by the point's
 *   position, with the question's end labels at the ends;
 * - semantic_differential: "very / fairly / slightly left", "neither …
 *   nor …", "slightly / fairly / very right".
 */
import type { Question } from './questions/registry.js';
import { labelsOf } from './questions/likert.js';

/** Scales longer than this have no anchor statements (a 0–100 rating: elicit directly). */
export const MAX_SSR_POINTS = 11;

/** The scale types SSR elicits. */
export const SSR_TYPES = ['nps', 'likert', 'rating', 'semantic_differential'] as const;

const NPS = [
  'I would never recommend it to anyone; I would warn people off it.',
  'I definitely would not recommend it.',
  'I would not recommend it.',
  'I probably would not recommend it.',
  'I am a little unsure about recommending it.',
  'Maybe, maybe not; I am on the fence about it.',
  'I might recommend it to someone.',
  'I would probably recommend it.',
  'I would recommend it.',
  'I would definitely recommend it.',
  'I would absolutely recommend it to everyone; I love it.',
];

const QUALITY = [
  'It is terrible, the worst.',
  'It is very poor.',
  'It is poor.',
  'It is below average.',
  'It is a little below average.',
  'It is average, neither good nor bad.',
  'It is a little above average.',
  'It is fairly good.',
  'It is good.',
  'It is very good.',
  'It is excellent, the best.',
];

const sentence = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);

/** The point's statement on an 11-step ladder by its position in the scale. */
const onLadder = (ladder: readonly string[], i: number, k: number) => ladder[Math.round((i / (k - 1)) * (ladder.length - 1))]!;

/** Why a question cannot be elicited by SSR, or undefined when it can. */
export function ssrProblem(q: Pick<Question, 'type'> & Record<string, unknown>): string | undefined {
  if (!(SSR_TYPES as readonly string[]).includes(q.type)) return `'ssr' applies to ${SSR_TYPES.join(', ')} questions; a ${q.type} question is elicited directly`;
  if (q.type === 'rating') {
    const points = ((q.max as number | undefined) ?? 10) - ((q.min as number | undefined) ?? 1) + 1;
    if (points > MAX_SSR_POINTS) return `'ssr' needs a scale of at most ${MAX_SSR_POINTS} points (one anchor statement each); this rating has ${points}`;
  }
  return undefined;
}

/** The anchor statements of a scale question, lowest point first. */
export function anchorsOf(q: Question): string[] {
  switch (q.type) {
    case 'nps':
      return [...NPS];
    case 'likert':
      return labelsOf(q).map((l) => (/\b(dis)?agree\b/i.test(l) ? `I ${l.charAt(0).toLowerCase()}${l.slice(1)}.` : sentence(l)));
    case 'rating': {
      const k = q.max - q.min + 1;
      return Array.from({ length: k }, (_, i) => {
        const end = i === 0 ? q.min_label : i === k - 1 ? q.max_label : undefined;
        const base = onLadder(QUALITY, i, k);
        return end ? `${sentence(end)} ${base}` : base;
      });
    }
    case 'semantic_differential': {
      const k = q.scale;
      const half = (k - 1) / 2;
      const degree = half === 3 ? ['very', 'fairly', 'slightly'] : ['very', 'somewhat'];
      return Array.from({ length: k }, (_, i) => {
        if (i === half) return `It is neither ${q.left} nor ${q.right}.`;
        return i < half ? `It is ${degree[i]} ${q.left}.` : `It is ${degree[k - 1 - i]} ${q.right}.`;
      });
    }
    default:
      throw new Error(`no SSR anchors for ${q.type} questions`);
  }
}

/** How the respondent is asked a question elicited by SSR: in words, no number. */
export function ssrRender(q: Question): string {
  return `${q.text}\nAnswer in your own words, in one or two sentences, as you would say it to a friend; do not give a number or a point of a scale.`;
}
