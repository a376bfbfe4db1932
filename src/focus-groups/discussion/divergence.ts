/**
 * When the moderator probes: the answers to a question diverge.
 *
 * - scale questions (nps, likert, rating, slider, semantic_differential): the
 *   spread of the points (max − min; SSR answers at their expected value) is at
 *   least half the scale's range;
 * - matrix: some row does, on the matrix's scale;
 * - open_ended: never (words differ by nature; themes are for the results);
 * - every other type (yes_no, multiple_choice, ranking, conjoint, maxdiff):
 *   the answers are not all the same — what the minimal counts tally (the
 *   choice, the first-ranked option, the chosen profile, the best item) differs.
 */
import type { Answer, MatrixAnswer } from '../answer-types.js';
import { typeOf, type Question } from '../questions/registry.js';

export function diverges(q: Question, answers: readonly Answer[]): boolean {
  if (answers.length < 2 || q.type === 'open_ended') return false;
  const def = typeOf(q);
  if (q.type === 'matrix') {
    const scale = def.scale!(q as never);
    const half = (scale.max - scale.min) / 2;
    return q.rows.some((row) => spread(answers.map((a) => (a as MatrixAnswer).rows[row]?.value)) >= half);
  }
  const scale = def.scale?.(q as never);
  if (scale) return spread(answers.map((a) => (a as { value?: number }).value)) >= (scale.max - scale.min) / 2;
  const tallies = answers.map((a) => def.tally(q as never, a as never).join('\u0000'));
  return new Set(tallies).size > 1;
}

function spread(values: Array<number | undefined>): number {
  const xs = values.filter((v): v is number => typeof v === 'number');
  return xs.length < 2 ? 0 : Math.max(...xs) - Math.min(...xs);
}
