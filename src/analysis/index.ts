/**
 * Analysis mode. createAnalyzer() is the `analyze` dependency of createApp:
 * test keys (sandbox engine) get the lexicon analyzer — offline, free,
 * deterministic — and live keys a second, persona-aware pass on the same
 * engine, falling back to the lexicon when that pass cannot produce a valid
 * analysis (see ./live.ts).
 */
import type { Logger } from '../logger.js';
import { analyzeLive } from './live.js';
import { analyzeWithLexicon } from './lexicon.js';
import type { Analyze } from './types.js';

export type { Analysis, AnalysisInput, Analyze } from './types.js';
export { ANALYSIS_SCHEMA } from './schema.js';
export { analyzeWithLexicon } from './lexicon.js';
export { analyzeLive } from './live.js';

export interface AnalyzerOptions {
  /** Receives `analysis.live_fallback` warnings. */
  logger?: Logger;
  /** A lower output cap for each live-pass model call than the request's budget (src/providers/extra-calls.ts). */
  maxOutputTokens?: number;
}

export function createAnalyzer(options: AnalyzerOptions = {}): Analyze {
  return async (input) => {
    if (input.signal.aborted) throw input.signal.reason;
    if (input.mode === 'live') return analyzeLive(input, options);
    return analyzeWithLexicon(input);
  };
}
