/**
 * Focus-group shapes (issue 12 "Shapes", src/focus-groups/views.ts and
 * stats/results/result-types.ts). The results are read in both forms the
 * server may send: the full statistics (distribution as entries with shares,
 * intervals, NPS, segments, themes…) and the minimal aggregates (distribution
 * as category → count, the mean); `normalizeResult` turns either into one
 * shape the dashboard draws, leaving out what the server did not compute.
 */
export const QUESTION_TYPES = ['nps', 'likert', 'multiple_choice', 'open_ended', 'rating', 'yes_no', 'ranking', 'slider', 'matrix', 'semantic_differential', 'conjoint', 'maxdiff'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export const TYPE_LABELS: Record<QuestionType, string> = {
  nps: 'NPS (0–10)',
  likert: 'Likert scale',
  multiple_choice: 'Multiple choice',
  open_ended: 'Open-ended',
  rating: 'Rating',
  yes_no: 'Yes / no',
  ranking: 'Ranking',
  slider: 'Slider',
  matrix: 'Matrix',
  semantic_differential: 'Semantic differential',
  conjoint: 'Conjoint',
  maxdiff: 'MaxDiff',
};

export interface When {
  question_id: string;
  equals?: string | number | boolean;
  not_equals?: string | number | boolean;
  in?: (string | number)[];
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  includes?: string;
}

export interface StudyQuestion {
  id: string;
  type: QuestionType;
  text: string;
  when?: When;
  options?: string[];
  multiple?: boolean;
  max_choices?: number;
  allow_other?: boolean;
  scale?: number;
  labels?: string[];
  min?: number;
  max?: number;
  rows?: string[];
  left?: string;
  right?: string;
  attributes?: { name: string; levels: string[] }[];
  profiles?: { id?: string; levels: Record<string, string> }[];
  allow_none?: boolean;
  sets?: string[][];
  set_size?: number;
  reference?: number[];
}

export interface StudyProgress {
  respondents_total: number;
  respondents_completed: number;
  answers_total: number;
  answers_completed: number;
  answers_failed: number;
  answers_skipped: number;
  percent: number;
}

export type StudyStatus = 'pending' | 'processing' | 'completed' | 'cancelled' | 'failed';

export interface Study {
  id: string;
  object: 'focus_group';
  name: string;
  status: StudyStatus;
  mode: string;
  livemode: boolean;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  personas: { persona_id: string; respondents: number; share?: number }[];
  respondents: number;
  questions: StudyQuestion[];
  stimulus: { text?: string; images?: string[] } | null;
  instructions: string | null;
  seed: number;
  temperature: number | null;
  metadata: Record<string, string>;
  progress: StudyProgress;
  estimate: { credits: number; max_credits: number };
  credits_held: number;
  credits_used: number;
  error: string | { message?: string } | null;
}

/** A discussion session's transcript (GET …/transcripts). */
export interface Transcript {
  id: string;
  object: 'focus_group.transcript';
  session: number;
  status: 'pending' | 'in_progress' | 'completed';
  members: { respondent_id: string; name: string | null }[];
  turns: {
    seq: number;
    question_id: string | null;
    kind: 'question' | 'answer' | 'probe' | 'probe_answer';
    /** 'moderator' or a respondent's id. */
    speaker: string;
    name: string | null;
    text: string;
    answer?: Record<string, unknown>;
  }[];
}

export interface Estimate {
  object: 'focus_group.estimate';
  respondents: number;
  questions: number;
  answers: number;
  credits: number;
  max_credits: number;
  livemode: boolean;
}

export interface ProgressEvent extends StudyProgress {
  type: 'focus_group.progress';
  focus_group_id: string;
  status: StudyStatus;
  credits_used: number;
  answers_per_second: number | null;
  eta_seconds: number | null;
}

export interface RespondentProfile {
  name: string;
  age: number;
  age_band: string;
  gender: string;
  region: string;
  country: string;
  income: { band: string; amount: number | null; currency: string | null; period: string | null; basis: string | null };
  household: string;
  attributes: Record<string, string>;
  traits: Record<string, unknown>;
}

export interface RespondentAnswer {
  question_id: string;
  type: QuestionType;
  status: 'answered' | 'skipped' | 'failed';
  answer: Record<string, unknown> | null;
  credits: number;
  error?: string;
}

export interface Respondent {
  id: string;
  object: 'focus_group.respondent';
  index: number;
  persona_id: string;
  status: string;
  profile: RespondentProfile;
  answers: RespondentAnswer[];
}

export type Interval = [number, number];

export interface DistributionEntry {
  value: number | string;
  label?: string;
  count: number;
  share: number;
  ci?: Interval | null;
}

export interface SegmentTest {
  test: string;
  metric: string;
  groups: string[];
  statistic: number;
  df?: number;
  p_value: number;
  p_adjusted: number;
  significant: boolean;
  effect_size: { measure: string; value: number } | null;
  difference?: number;
  warning?: string;
}

export interface SegmentGroup {
  key: string;
  n: number;
  distribution?: DistributionEntry[];
  mean?: number | null;
  ci?: Record<string, Interval | null | undefined>;
  nps?: { score: number } | null;
  yes?: number | null;
  top2box?: number | null;
  [k: string]: unknown;
}

export interface Segment {
  by: string;
  groups: SegmentGroup[];
  tests: SegmentTest[];
}

export interface Theme {
  id: string;
  label: string;
  terms: string[];
  count: number;
  share: number;
  quotes: { text: string; respondent_id?: string }[];
  sentiment?: number | null;
}

/** One question's results as the dashboard draws them (fields the server did not compute are absent). */
export interface QuestionResultView {
  question_id: string;
  type: QuestionType;
  text: string;
  n: number;
  skipped: number;
  failed: number;
  distribution: DistributionEntry[];
  mean?: number | null;
  median?: number | null;
  sd?: number | null;
  ci?: Record<string, Interval | null | undefined>;
  top2box?: number | null;
  bottom2box?: number | null;
  nps?: { score: number; promoters: number; passives: number; detractors: number; se: number | null } | null;
  yes?: number | null;
  other_answers?: { text: string; count: number }[];
  options?: { option: string; mean_rank: number | null; ci: Interval | null; first_choice: number; borda_share: number }[];
  items?: { item: string; shown: number; score: number | null; best_share: number | null; worst_share: number | null }[];
  attributes?: { attribute: string; importance: number; levels: { level: string; part_worth: number; ci: Interval | null; choice_share: number | null }[] }[];
  rows?: { row: string; n: number; mean: number | null; distribution: DistributionEntry[] }[];
  themes?: Theme[];
  unthemed?: { count: number; share: number };
  segments?: Segment[];
  /** True when the server sent the minimal aggregates (no intervals, segments or themes). */
  minimal: boolean;
}

export interface ResultsDocument {
  object?: string;
  focus_group_id?: string;
  status?: string;
  questions: Record<string, unknown>[];
}

function entriesFrom(d: unknown, n: number): DistributionEntry[] {
  if (Array.isArray(d)) return d as DistributionEntry[];
  if (d && typeof d === 'object') return Object.entries(d as Record<string, number>).map(([value, count]) => ({ value, count, share: n > 0 ? count / n : 0 }));
  return [];
}

/** Either results shape → the dashboard's, with the study's question (text, scale) joined in. */
export function normalizeResult(raw: Record<string, unknown>, question: StudyQuestion | undefined): QuestionResultView {
  const n = Number(raw.n ?? 0);
  const minimal = !Array.isArray(raw.distribution);
  const view = {
    ...(raw as object),
    question_id: String(raw.question_id),
    type: raw.type as QuestionType,
    text: String(raw.text ?? question?.text ?? ''),
    n,
    skipped: Number(raw.skipped ?? 0),
    failed: Number(raw.failed ?? 0),
    distribution: entriesFrom(raw.distribution, n),
    minimal,
  } as QuestionResultView;
  if (minimal && view.type === 'matrix' && !view.rows) {
    // Minimal matrix categories are "row: point".
    const rows = new Map<string, DistributionEntry[]>();
    for (const e of view.distribution) {
      const s = String(e.value);
      const cut = s.lastIndexOf(': ');
      if (cut < 0) continue;
      const row = s.slice(0, cut);
      rows.set(row, [...(rows.get(row) ?? []), { value: Number(s.slice(cut + 2)), count: e.count, share: 0 }]);
    }
    view.rows = [...rows].map(([row, dist]) => {
      const total = dist.reduce((t, e) => t + e.count, 0);
      const mean = total > 0 ? dist.reduce((t, e) => t + Number(e.value) * e.count, 0) / total : null;
      return { row, n: total, mean, distribution: dist.map((e) => ({ ...e, share: total > 0 ? e.count / total : 0 })) };
    });
  }
  return view;
}

/** The scale points' labels of a question (likert agreement by default, as the server does). */
export function pointLabels(q: StudyQuestion | undefined, points: number): string[] | undefined {
  if (q?.labels && q.labels.length === points) return q.labels;
  if (q?.type === 'semantic_differential' && q.left && q.right) return Array.from({ length: points }, (_, i) => (i === 0 ? `1 ${q.left}` : i === points - 1 ? `${points} ${q.right}` : String(i + 1)));
  if ((q?.type === 'likert' || q?.type === 'matrix') && points === 5) return ['Strongly disagree', 'Disagree', 'Neither agree nor disagree', 'Agree', 'Strongly agree'];
  if ((q?.type === 'likert' || q?.type === 'matrix') && points === 7) return ['Strongly disagree', 'Disagree', 'Somewhat disagree', 'Neither agree nor disagree', 'Somewhat agree', 'Agree', 'Strongly agree'];
  return undefined;
}

export const isTerminal = (s: StudyStatus) => s === 'completed' || s === 'cancelled' || s === 'failed';
