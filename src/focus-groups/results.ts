/**
 * GET /v1/focus-groups/{id}/results: per question, the full statistics of
 * ./stats/ (issue 12 "Results" and "Shapes") — n, distribution, mean / median /
 * sd with seeded-bootstrap intervals, NPS, top-2-box, ranking, MaxDiff,
 * conjoint, matrix rows, themes with quotes and sentiment, the distance to a
 * question's `reference` — overall and per segment (persona always, plus the
 * attributes asked for with `segment_by`), with Holm-adjusted tests between
 * groups; weighted by raking when the study has `targets`.
 *
 * Memory stays bounded whatever the study's size: the respondents' segment
 * attributes are read once in pages (one small record each), then the answers
 * are read a page of respondents at a time and each goes straight into its
 * question's tallies (stats/ questionResultStream), so no answer outlives its
 * page; the questions that keep something per answer (open-ended texts,
 * conjoint choice sets) are read in batches holding at most MAX_HELD_ANSWERS.
 */
import { tone } from '../text/tone.js';
import type { FocusGroupsStore } from '../storage/focus-groups-store.js';
import type { Answer } from './answer-types.js';
import { labelsOf } from './questions/likert.js';
import { matrixLabels } from './questions/matrix.js';
import type { Question } from './questions/registry.js';
import { checkSegmentAttributes, segmentsOf } from './segment-attributes.js';
import { questionResultStream, rake, RakingError, statsMethods, type QuestionResult, type QuestionSpec, type RespondentAnswer } from './stats/index.js';
import type { StudyRecord } from './study.js';
import { respondentId } from './views.js';

/** Answers held in memory at once while computing (a batch of questions × the respondents). */
export const MAX_HELD_ANSWERS = 100_000;
/** Raking weights are kept within these multiples of the mean weight (anesrake's cap is 5). */
export const WEIGHT_TRIM = { min: 0.2, max: 5 } as const;

export interface ResultsOptions {
  /** Segment attributes, persona first (./segment-attributes.ts parseSegmentBy). */
  segmentBy: readonly string[];
  /** Bootstrap replicates (default 1,000). */
  replicates?: number;
}

export type QuestionResultDocument = QuestionResult & { text: string; failed: number };

export interface Weighting {
  targets: Record<string, Record<string, number>>;
  /** false: the targets could not be met (see error); the aggregates are unweighted. */
  applied: boolean;
  iterations?: number;
  converged?: boolean;
  max_deviation?: number;
  effective_n?: number;
  design_effect?: number;
  trim?: { min: number; max: number };
  error?: { code: string; message: string; param: string };
}

export interface ResultsDocument {
  object: 'focus_group.results';
  focus_group_id: string;
  status: StudyRecord['status'];
  /** Respondents whose answers were read. */
  respondents: number;
  segment_by: string[];
  weighting: Weighting | null;
  methods: ReturnType<typeof statsMethods>;
  questions: QuestionResultDocument[];
}

/**
 * Sentiment of an open-ended answer, −1 … 1: the sum of its words' AFINN-165 valences (the
 * word scores under the analysis lexicon, src/text/tone.ts) normalized as VADER's compound
 * score is, x / √(x² + 15). The full lexicon reading (negation, boosters, per sentence)
 * costs ~0.1 ms an answer: 1 s for 10,000; this costs ~2 µs.
 */
export function answerSentiment(text: string): number {
  const x = tone(text);
  return Math.round((x / Math.sqrt(x * x + 15)) * 1000) / 1000;
}

interface Respondent {
  segments: Record<string, string>;
  weight: number;
}

export async function computeResults(store: FocusGroupsStore, study: StudyRecord, options: ResultsOptions): Promise<ResultsDocument> {
  const def = study.definition;
  const questions = def.questions;
  const total = study.respondentsTotal;

  // 1. Who answered: segment attributes per respondent index (one small record each).
  const respondents: (Respondent | undefined)[] = new Array(total);
  const seen = new Set<string>();
  let count = 0;
  for await (const r of store.respondentProfiles(study.id)) {
    const segments = segmentsOf(r.persona_id, r.profile);
    for (const k of Object.keys(segments)) seen.add(k);
    respondents[r.index] = { segments, weight: 1 };
    count++;
  }
  checkSegmentAttributes(options.segmentBy, seen);

  // 2. Weights, when the study has targets.
  const weighting = def.targets ? weigh(def.targets, respondents) : null;
  const weighted = weighting?.applied === true;

  // 3. The questions, a batch at a time, each answer streamed into its question's tallies.
  const analysis = { seed: def.seed, segmentBy: options.segmentBy, ...(options.replicates !== undefined ? { replicates: options.replicates } : {}) };
  const out: QuestionResultDocument[] = [];
  for (const [from, to] of questionBatches(questions, total)) {
    const streams = questions.slice(from, to).map((q) => questionResultStream(specOf(q), { ...analysis, ...(q.type === 'open_ended' ? { sentiment: answerSentiment } : {}) }));
    const quoted = questions.slice(from, to).map((q) => q.type === 'open_ended');
    const failed = new Array<number>(to - from).fill(0);
    await store.eachAnswerSlots(study.id, { fromQuestion: from, toQuestion: to, respondents: total }, ({ respondent_index, slots }) => {
      const r = respondents[respondent_index];
      if (!r) return;
      for (const [question_index, status, value] of slots) {
        const k = question_index - from;
        if (k < 0 || k >= streams.length) continue;
        if (status === 'failed') {
          failed[k]! += 1;
          continue;
        }
        // The stream reads the record and keeps none of it (open-ended keeps the text).
        const record: RespondentAnswer<Answer> = { answer: status === 'answered' ? (value as Answer | null) : null, segments: r.segments };
        if (weighted) record.weight = r.weight;
        if (quoted[k]) record.respondent_id = respondentId(study.id, respondent_index);
        streams[k]!.add(record);
      }
    });
    for (let q = from; q < to; q++) {
      const { question_id, type, ...rest } = streams[q - from]!.result();
      out.push({ question_id, type, text: questions[q]!.text, ...rest, failed: failed[q - from]! } as QuestionResultDocument);
    }
  }

  return {
    object: 'focus_group.results',
    focus_group_id: study.id,
    status: study.status,
    respondents: count,
    segment_by: [...options.segmentBy],
    weighting,
    methods: statsMethods(options.replicates !== undefined ? { replicates: options.replicates } : {}),
    questions: out,
  };
}

/**
 * Consecutive question ranges read in one pass over the answers. Most question types keep
 * only tallies; open-ended and conjoint questions keep something per answer (the text for the
 * themes; the choice sets), so a batch holds at most MAX_HELD_ANSWERS of those, or one such
 * question when it alone holds more.
 */
export function questionBatches(questions: readonly Question[], respondents: number): [number, number][] {
  const out: [number, number][] = [];
  let from = 0;
  let held = 0;
  questions.forEach((q, i) => {
    const holds = q.type === 'open_ended' || q.type === 'conjoint' ? Math.max(1, respondents) : 0;
    if (holds > 0 && held > 0 && held + holds > MAX_HELD_ANSWERS) {
      out.push([from, i]);
      from = i;
      held = 0;
    }
    held += holds;
  });
  if (questions.length > from) out.push([from, questions.length]);
  return out;
}

/** A question as the statistics read it: scale labels filled in where the question leaves them to their default. */
export function specOf(q: Question): QuestionSpec {
  if (q.type === 'likert') return { ...q, labels: labelsOf(q) } as unknown as QuestionSpec;
  if (q.type === 'matrix') {
    const labels = matrixLabels(q);
    return (labels ? { ...q, labels } : q) as unknown as QuestionSpec;
  }
  return q as unknown as QuestionSpec;
}

/** Rakes the respondents to the targets; sets each respondent's weight. A target the sample cannot meet leaves the results unweighted, saying why. */
function weigh(targets: Record<string, Record<string, number>>, respondents: (Respondent | undefined)[]): Weighting {
  const present = respondents.filter((r): r is Respondent => r !== undefined);
  if (present.length === 0) return { targets, applied: false, error: { code: 'no_respondents', message: 'No respondent to weight yet.', param: 'targets' } };
  try {
    const r = rake(
      present.map((p) => p.segments),
      targets,
      { trim: WEIGHT_TRIM },
    );
    present.forEach((p, i) => (p.weight = r.weights[i]!));
    return {
      targets,
      applied: true,
      iterations: r.iterations,
      converged: r.converged,
      max_deviation: r.maxDeviation,
      effective_n: r.effectiveN,
      design_effect: r.designEffect,
      trim: { ...WEIGHT_TRIM },
    };
  } catch (error) {
    if (!(error instanceof RakingError)) throw error;
    const param = `targets.${error.dimension}${error.category !== undefined ? `.${error.category}` : ''}`;
    return { targets, applied: false, error: { code: error.code, message: error.message, param } };
  }
}

