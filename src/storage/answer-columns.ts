/**
 * How an answer's value and reasoning are laid out in `focus_group_answers`: the reasoning
 * once, in its own column; `value` is the Answer without it (migration 0009). The results
 * read `value` alone — a third of the bytes they read before — and everything that returns
 * an answer to a client gets it back whole from `answerFromColumns`.
 *
 * Exact both ways: the reasoning leaves the value only when it is a non-empty string equal
 * to the column, and is put back only when the column is non-empty and the value has none.
 */
import type { Answer } from '../focus-groups/answer-types.js';

export interface AnswerColumns {
  value: string | null;
  reasoning: string | null;
}

/** The columns of an answer to store. */
export function answerColumns(value: Answer | null, reasoning: string | null): AnswerColumns {
  if (value === null) return { value: null, reasoning };
  if (typeof value.reasoning === 'string' && value.reasoning !== '' && value.reasoning === reasoning) {
    const { reasoning: _dropped, ...rest } = value;
    return { value: JSON.stringify(rest), reasoning };
  }
  return { value: JSON.stringify(value), reasoning };
}

/** The stored answer whole again (its reasoning last, where the answer parsers put it). */
export function answerFromColumns(value: string | null, reasoning: string | null): Answer | null {
  if (value === null) return null;
  const parsed = JSON.parse(value) as Answer;
  if (reasoning !== null && reasoning !== '' && !('reasoning' in parsed)) parsed.reasoning = reasoning;
  return parsed;
}
