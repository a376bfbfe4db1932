/**
 * Analysis mode: a structured reading of the persona's answer, added to the
 * response as `analysis` (and to the response in `response.completed`).
 * Scales are 1–10. Implementations: a lexicon-based analyzer (sandbox,
 * deterministic, offline) and a second persona-aware model pass (live keys).
 */
import type { PersonaRecord } from '../personas/persona-schema.js';
import type { ExtraCallBudget } from '../providers/extra-calls.js';
import type { Provider } from '../providers/types.js';

export interface Analysis {
  /** How confident the persona is in this response: 1 hedged … 10 certain. */
  confidence: number;
  emotion: {
    /** 1 very negative … 10 very positive. */
    emotional_valence: number;
    /** 1 calm … 10 intensely activated. */
    arousal: number;
    /** 1 powerless … 10 in control. */
    dominance: number;
  };
  /** Cognitive biases visible in the answer, each with the words that show it. */
  biases: { name: string; description: string; evidence: string }[];
  /** Structured takeaways from the response. */
  key_insights: string[];
}

export interface AnalysisInput {
  persona: PersonaRecord | undefined;
  /** The last user message the answer responds to. */
  question: string;
  answer: string;
  /** The engine that produced the answer (used by the live analyzer for its second pass). */
  provider: Provider;
  mode: 'live' | 'test';
  signal: AbortSignal;
  /** The request's budget of extra model calls (the live pass draws on it); absent: a fresh one. */
  extraCalls?: ExtraCallBudget;
}

export type Analyze = (input: AnalysisInput) => Promise<Analysis>;
