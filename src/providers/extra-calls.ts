/**
 * The one budget of extra model calls a request may make besides its answer:
 *
 * - `json_repair`: a structured answer that fails its schema, asked again
 *   once (router.ts, backends without full JSON Schema enforcement);
 * - `tool_choice_retry`: an answer without the function call a forced
 *   `tool_choice` requires, asked again once (tool-choice.ts);
 * - `analysis` and `analysis_repair`: the live analysis pass and its one
 *   repair (src/analysis/live.ts).
 *
 * Bounds, per request: at most EXTRA_CALLS.maxCalls extra calls of all
 * kinds together (a call over the bound is not made: the repair or retry
 * fails as if it had failed, the analysis falls back to the lexicon); a
 * repair or retry generates at most what the answer may (the request's
 * `max_output_tokens`); an analysis call at most
 * min(EXTRA_CALLS.analysisMaxTokens, max_output_tokens), and none is made
 * when that is below EXTRA_CALLS.analysisMinTokens. So a request generates
 * at most (1 + maxCalls) × max_output_tokens tokens.
 *
 * One budget object per request travels in `ProviderRequest.extraCalls`
 * (spreads of the request share it) and in the analysis input.
 */

export const EXTRA_CALLS = {
  /** Extra model calls per request, all kinds together. */
  maxCalls: 3,
  /** Output tokens of one analysis call: the analysis object needs a few hundred; the rest is room for a reasoning model's low effort. */
  analysisMaxTokens: 1024,
  /** Fewer tokens than this for an analysis call: no call, the lexicon analysis. */
  analysisMinTokens: 256,
} as const;

export type ExtraCallKind = 'json_repair' | 'tool_choice_retry' | 'analysis' | 'analysis_repair';

export class ExtraCallBudget {
  private left: number = EXTRA_CALLS.maxCalls;
  /** The calls granted so far, in order (for logs and tests). */
  readonly granted: Array<{ kind: ExtraCallKind; maxOutputTokens: number | undefined }> = [];

  /** @param maxOutputTokens the request's `max_output_tokens` (undefined: the backend's default). */
  constructor(readonly maxOutputTokens: number | undefined) {}

  /**
   * Grants one extra call and returns its output cap (undefined: no cap but
   * the answer's own, i.e. none was set), or `false` when the budget does not
   * allow it: no calls left, or (analysis) too few tokens to be worth it.
   */
  take(kind: ExtraCallKind): { maxOutputTokens: number | undefined } | false {
    if (this.left <= 0) return false;
    let cap = this.maxOutputTokens;
    if (kind === 'analysis' || kind === 'analysis_repair') {
      cap = Math.min(EXTRA_CALLS.analysisMaxTokens, cap ?? Infinity);
      if (cap < EXTRA_CALLS.analysisMinTokens) return false;
    }
    this.left--;
    this.granted.push({ kind, maxOutputTokens: cap });
    return { maxOutputTokens: cap };
  }

  get callsLeft(): number {
    return this.left;
  }
}

/** The request's budget, or a fresh one for a caller that brought none (each such call then has the full bound). */
export function budgetOf(req: { extraCalls?: ExtraCallBudget; sampling: { maxOutputTokens?: number } }): ExtraCallBudget {
  return req.extraCalls ?? new ExtraCallBudget(req.sampling.maxOutputTokens);
}
