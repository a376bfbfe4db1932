/**
 * What `cohort focus-groups` prints: the progress line of a followed study,
 * the study list, one study, and its results as a terminal table. Pure
 * functions over the API's JSON shapes. Results come in two shapes — the
 * minimal aggregates (distribution as category → count, a mean) and the full
 * statistics (distribution entries, NPS, intervals, themes…) — and both are
 * read: a statistic the server did not send is worked out from the
 * distribution where it can be.
 */
import { table } from './args.js';

export interface ProgressView {
  status?: string;
  answers_total: number;
  answers_completed: number;
  answers_failed: number;
  answers_skipped: number;
  respondents_total?: number;
  respondents_completed?: number;
  percent?: number;
  answers_per_second?: number | null;
  eta_seconds?: number | null;
}

export interface StudyJson {
  id: string;
  name: string;
  status: string;
  mode?: string;
  livemode?: boolean;
  created_at: number;
  started_at?: number | null;
  completed_at?: number | null;
  personas?: { persona_id: string; respondents: number }[];
  respondents: number;
  questions: { id: string; type: string; text: string }[];
  seed?: number;
  progress: ProgressView;
  estimate?: { credits: number; max_credits: number };
  credits_used?: number;
  credits_held?: number;
  error?: { code?: string; message?: string } | null;
}

/** 75 → "1:15", 3725 → "1:02:05", 9 → "9s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** `[█████░░░░░]  52.0%  562/1080 answers (98 skipped)  41.3 answers/s  ETA 0:12` */
export function formatProgress(p: ProgressView, width = 24): string {
  const total = Math.max(0, p.answers_total);
  const settled = p.answers_completed + p.answers_failed + p.answers_skipped;
  const fraction = total === 0 ? 1 : Math.min(1, settled / total);
  const filled = Math.round(fraction * width);
  const extra = [p.answers_skipped ? `${p.answers_skipped} skipped` : '', p.answers_failed ? `${p.answers_failed} failed` : ''].filter(Boolean).join(', ');
  const parts = [
    `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`,
    `${(fraction * 100).toFixed(1).padStart(5)}%`,
    `${settled}/${total} answers${extra ? ` (${extra})` : ''}`,
  ];
  if (typeof p.answers_per_second === 'number') parts.push(`${p.answers_per_second.toFixed(1)} answers/s`);
  if (typeof p.eta_seconds === 'number' && settled < total) parts.push(`ETA ${formatDuration(p.eta_seconds)}`);
  return parts.join('  ');
}

const iso = (sec: number | null | undefined): string => (typeof sec === 'number' ? new Date(sec * 1000).toISOString().slice(0, 16).replace('T', ' ') : '—');

export function formatStudyList(studies: StudyJson[]): string {
  if (studies.length === 0) return 'No focus groups yet (cohort focus-groups run study.yaml).\n';
  return table([
    ['ID', 'STATUS', 'PROGRESS', 'RESPONDENTS', 'QUESTIONS', 'CREATED (UTC)', 'NAME'],
    ...studies.map((s) => [s.id, s.status, `${(s.progress.percent ?? 0).toFixed(1)}%`, String(s.respondents), String(s.questions.length), iso(s.created_at), s.name]),
  ]);
}

export function formatStudy(s: StudyJson): string {
  const p = s.progress;
  const lines = [
    `${s.name}  (${s.id})`,
    `${s.status} · ${s.mode ?? 'survey'} · ${s.livemode ? 'live key' : 'test key (sandbox)'}${s.seed !== undefined ? ` · seed ${s.seed}` : ''}`,
    `Personas: ${(s.personas ?? []).map((x) => `${x.persona_id} ${x.respondents}`).join(', ')}`,
    `Respondents ${p.respondents_completed ?? 0}/${s.respondents} · questions ${s.questions.length} · answers ${p.answers_completed} answered, ${p.answers_skipped} skipped, ${p.answers_failed} failed of ${p.answers_total} (${(p.percent ?? 0).toFixed(1)}%)`,
  ];
  if (s.estimate) lines.push(`Credits: estimate ${s.estimate.credits} (at most ${s.estimate.max_credits}), used ${s.credits_used ?? 0}${s.credits_held ? `, held ${s.credits_held}` : ''}${s.livemode ? '' : ' (test key: not charged)'}`);
  const took = typeof s.started_at === 'number' && typeof s.completed_at === 'number' ? ` (${formatDuration(s.completed_at - s.started_at)})` : '';
  lines.push(`Created ${iso(s.created_at)} · started ${iso(s.started_at)} · ended ${iso(s.completed_at)}${took} UTC`);
  if (s.error?.message) lines.push(`Error: ${s.error.message}${s.error.code ? ` (${s.error.code})` : ''}`);
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------
// Results

interface Entry {
  value: string;
  label: string;
  count: number;
  share: number;
}

type Raw = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const pct = (f: number): string => `${Math.round(f * 100)}%`;
const fixed = (v: number, digits = 2): string => (Math.round(v * 10 ** digits) / 10 ** digits).toFixed(digits);
const signed = (v: number): string => `${v > 0 ? '+' : ''}${Math.round(v)}`;
const interval = (ci: unknown, show: (v: number) => string): string => (Array.isArray(ci) && typeof ci[0] === 'number' && typeof ci[1] === 'number' ? ` [${show(ci[0])}, ${show(ci[1])}]` : '');

/** Either distribution shape as entries with shares of the answered (n). */
function entriesOf(raw: Raw, n: number): Entry[] {
  const d = raw.distribution;
  if (Array.isArray(d)) {
    return (d as Raw[]).map((e) => ({ value: String(e.value), label: String(e.label ?? e.value), count: num(e.count) ?? 0, share: num(e.share) ?? (n > 0 ? (num(e.count) ?? 0) / n : 0) }));
  }
  if (d && typeof d === 'object') return Object.entries(d as Record<string, number>).map(([value, count]) => ({ value, label: value, count, share: n > 0 ? count / n : 0 }));
  return [];
}

const numericEntries = (es: Entry[]) => es.filter((e) => e.value !== '' && Number.isFinite(Number(e.value))).map((e) => ({ ...e, point: Number(e.value) }));

function meanOf(es: Entry[]): number | undefined {
  const ns = numericEntries(es);
  const total = ns.reduce((t, e) => t + e.count, 0);
  return total > 0 ? ns.reduce((t, e) => t + e.point * e.count, 0) / total : undefined;
}

function top(es: Entry[], k = 3): string {
  const shown = [...es].filter((e) => e.count > 0).sort((a, b) => b.count - a.count || b.share - a.share);
  if (shown.length === 0) return '—';
  return shown.slice(0, k).map((e) => `${e.label} ${pct(e.share)}`).join(' · ') + (shown.length > k ? ' · …' : '');
}

function scaleSummary(raw: Raw, es: Entry[], topBox: boolean): string {
  const mean = num(raw.mean) ?? meanOf(es);
  const ci = (raw.ci ?? {}) as Raw;
  const parts = [mean === undefined ? 'mean —' : `mean ${fixed(mean)}${interval(ci.mean, (v) => fixed(v))}`];
  let t2b = num(raw.top2box);
  if (t2b === undefined && topBox) {
    const ns = numericEntries(es).sort((a, b) => a.point - b.point);
    const total = ns.reduce((t, e) => t + e.count, 0);
    if (ns.length >= 4 && total > 0) t2b = (ns[ns.length - 1]!.count + ns[ns.length - 2]!.count) / total;
  }
  if (t2b !== undefined) parts.push(`top-2 box ${pct(t2b)}`);
  return parts.join(' · ');
}

function npsSummary(raw: Raw, es: Entry[]): string {
  const nps = raw.nps as { score?: number; promoters?: number; detractors?: number } | null | undefined;
  let score = num(nps?.score);
  let promoters = num(nps?.promoters);
  let detractors = num(nps?.detractors);
  if (score === undefined) {
    const ns = numericEntries(es);
    const total = ns.reduce((t, e) => t + e.count, 0);
    if (total > 0) {
      promoters = ns.filter((e) => e.point >= 9).reduce((t, e) => t + e.count, 0) / total;
      detractors = ns.filter((e) => e.point <= 6).reduce((t, e) => t + e.count, 0) / total;
      score = (promoters - detractors) * 100;
    }
  }
  if (score === undefined) return 'NPS —';
  const mean = num(raw.mean) ?? meanOf(es);
  const shares = promoters !== undefined && detractors !== undefined ? ` (promoters ${pct(promoters)}, detractors ${pct(detractors)})` : '';
  return `NPS ${signed(score)}${interval(((raw.ci ?? {}) as Raw).nps, signed)}${shares}${mean !== undefined ? ` · mean ${fixed(mean, 1)}` : ''}`;
}

function matrixSummary(raw: Raw, es: Entry[]): string {
  if (Array.isArray(raw.rows)) return (raw.rows as Raw[]).map((r) => `${String(r.row)} ${num(r.mean) !== undefined ? fixed(num(r.mean)!, 1) : '—'}`).join(' · ');
  // Minimal categories are "row: point".
  const rows = new Map<string, Entry[]>();
  for (const e of es) {
    const cut = e.value.lastIndexOf(': ');
    if (cut < 0) continue;
    const row = e.value.slice(0, cut);
    rows.set(row, [...(rows.get(row) ?? []), { ...e, value: e.value.slice(cut + 2) }]);
  }
  return [...rows].map(([row, list]) => `${row} ${meanOf(list) !== undefined ? fixed(meanOf(list)!, 1) : '—'}`).join(' · ') || '—';
}

/** One line of statistics for a question's results, by its type. */
export function summarizeQuestion(raw: Raw): string {
  const n = num(raw.n) ?? 0;
  const es = entriesOf(raw, n);
  if (n === 0) return 'no answers';
  switch (raw.type) {
    case 'nps':
      return npsSummary(raw, es);
    case 'likert':
    case 'rating':
    case 'semantic_differential':
      return scaleSummary(raw, es, true);
    case 'slider':
      return scaleSummary(raw, es, false);
    case 'yes_no': {
      const yes = num(raw.yes) ?? es.find((e) => e.value === 'yes' || e.value === 'true')?.share;
      return yes === undefined ? top(es) : `yes ${pct(yes)}${interval(((raw.ci ?? {}) as Raw).yes, pct)} · no ${pct(1 - yes)}`;
    }
    case 'ranking':
      if (Array.isArray(raw.options)) {
        const opts = (raw.options as Raw[]).filter((o) => num(o.mean_rank) !== undefined).sort((a, b) => num(a.mean_rank)! - num(b.mean_rank)!);
        return `mean rank: ${opts.slice(0, 3).map((o) => `${String(o.option)} ${fixed(num(o.mean_rank)!, 1)}`).join(' · ')}${opts.length > 3 ? ' · …' : ''}`;
      }
      return `ranked first: ${top(es)}`;
    case 'maxdiff':
      if (Array.isArray(raw.items)) {
        const items = (raw.items as Raw[]).filter((i) => num(i.score) !== undefined).sort((a, b) => num(b.score)! - num(a.score)!);
        return `best–worst: ${items.slice(0, 3).map((i) => `${String(i.item)} ${fixed(num(i.score)!)}`).join(' · ')}${items.length > 3 ? ' · …' : ''}`;
      }
      return `best: ${top(es)}`;
    case 'conjoint':
      if (Array.isArray(raw.attributes)) {
        const attrs = (raw.attributes as Raw[]).sort((a, b) => (num(b.importance) ?? 0) - (num(a.importance) ?? 0));
        return `importance: ${attrs.map((a) => `${String(a.attribute)} ${Math.round(num(a.importance) ?? 0)}%`).join(' · ')}`;
      }
      return `chosen: ${top(es)}`;
    case 'matrix':
      return matrixSummary(raw, es);
    case 'open_ended':
      if (Array.isArray(raw.themes) && raw.themes.length > 0) return `themes: ${(raw.themes as Raw[]).slice(0, 3).map((t) => `${String(t.label)} ${pct(num(t.share) ?? 0)}`).join(' · ')}`;
      return `${n} answers in words (see the export)`;
    default:
      return top(es);
  }
}

const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** The results document as a table: per question its id, type, answered, skipped and the summary line; then the questions' texts. */
export function formatResults(results: { questions?: Raw[] }, options: { width?: number } = {}): string {
  const questions = results.questions ?? [];
  if (questions.length === 0) return 'No results.\n';
  const width = options.width ?? 200;
  const skipped = (q: Raw) => {
    const s = num(q.skipped) ?? 0;
    const f = num(q.failed) ?? 0;
    return f ? `${s + f} (${f} failed)` : String(s);
  };
  const rows = questions.map((q) => [String(q.question_id), String(q.type), String(num(q.n) ?? 0), skipped(q), summarizeQuestion(q)]);
  const idWidth = Math.max(8, ...rows.map((r) => r[0]!.length));
  const used = idWidth + Math.max(4, ...rows.map((r) => r[1]!.length)) + Math.max(1, ...rows.map((r) => r[2]!.length)) + Math.max(7, ...rows.map((r) => r[3]!.length)) + 8;
  const room = Math.max(30, width - used);
  const body = table([['QUESTION', 'TYPE', 'N', 'SKIPPED', 'RESULT'], ...rows.map((r) => [...r.slice(0, 4), clip(r[4]!, room)])]);
  const texts = questions.map((q) => `  ${String(q.question_id).padEnd(idWidth)}  ${clip(String(q.text ?? ''), Math.max(30, width - idWidth - 4))}`);
  return `${body}\n${texts.join('\n')}\n`;
}
