/**
 * GET …/export?format=html: the study and its results as one self-contained HTML file a
 * researcher can mail — inline CSS, charts as inline SVG (./svg-charts.ts), no script, no
 * external resource (not even a font or an image URL: a stimulus image is named, not
 * shown). Every text that came from a client, a persona or a model is escaped.
 */
import type { QuestionResultDocument, ResultsDocument } from '../results.js';
import type { Interval, Segment, SegmentTest, Theme } from '../stats/index.js';
import type { StudyView } from '../views.js';
import { escapeHtml as esc } from './escape.js';
import { transcriptsSection, TRANSCRIPT_CSS, type ReportTranscripts } from './html-transcripts.js';
import { heatmap, horizontalBars, npsChart, PALETTE, scaleColors, stackedBars, verticalBars } from './svg-charts.js';

const CSS = `
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1d2330;max-width:980px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 4px;border-top:1px solid #dde2ea;padding-top:16px}h3{font-size:14px;margin:16px 0 6px}
.muted{color:#5c6577}.small{font-size:12px}
dl.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:6px 16px;margin:8px 0}
dl.stats div{background:#f4f6fa;border-radius:4px;padding:6px 8px}dl.stats dt{font-size:11px;color:#5c6577;text-transform:uppercase;letter-spacing:.03em}dl.stats dd{margin:0;font-weight:600}
table{border-collapse:collapse;margin:6px 0 12px;font-size:12px}th,td{border-bottom:1px solid #e3e7ee;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f6fa}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.significant td{background:#fff4d6}.badge{display:inline-block;background:#e0893a;color:#fff;border-radius:3px;padding:0 5px;font-size:11px}
svg.chart{max-width:100%;height:auto;display:block;margin:8px 0;font-family:inherit}
blockquote{margin:4px 0 4px 0;padding:4px 10px;border-left:3px solid #3b6fb6;background:#f7f9fc}
.theme{margin:10px 0}.toc{columns:2;font-size:13px}section.question{break-inside:avoid-page}
@media print{body{padding:0}h2{break-after:avoid}}
`;

const pct = (x: number | null | undefined, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(d)}%`);
const num = (x: number | null | undefined, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
const ci = (c: Interval | null | undefined, f: (x: number) => string) => (c ? ` <span class="muted small">95% CI ${f(c[0])} to ${f(c[1])}</span>` : '');
/** A p-value as the table cell's HTML: `&lt; 0.001` below that, three decimals otherwise. */
export const pValueHtml = (p: number): string => esc(p < 0.001 ? '< 0.001' : p.toFixed(3));
const date = (t: number | null) => (t ? new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '–');
const stat = (label: string, value: string) => `<div><dt>${esc(label)}</dt><dd>${value}</dd></div>`;

type Q = Record<string, unknown> & { id: string; type: string; text: string };
type R = QuestionResultDocument & Record<string, any>;

/** The scale's point labels of a question (its own, or "1 Cheap", "2", … for a semantic differential). */
function pointLabels(result: R): string[] {
  return (result.distribution as { value: number | string; label?: string }[]).map((e) => (e.label ? `${e.value} ${e.label}` : String(e.value)));
}

function statsBlock(r: R): string {
  const items = [stat('Answered (n)', String(r.n))];
  if (r.n_effective !== undefined) items.push(stat('Effective n (weighted)', num(r.n_effective, 1)));
  items.push(stat('Skipped', String(r.skipped)), stat('Failed', String(r.failed)));
  if (r.nps) items.push(stat('NPS', `${num(r.nps.score, 1)}${ci(r.ci?.nps, (x) => num(x, 1))}`));
  if ('mean' in r && r.mean !== undefined) items.push(stat('Mean', `${num(r.mean)}${ci(r.ci?.mean, (x) => num(x))}`));
  if ('median' in r && r.median !== undefined) items.push(stat('Median', `${num(r.median, 1)}${ci(r.ci?.median, (x) => num(x, 1))}`));
  if ('sd' in r && r.sd !== undefined) items.push(stat('Standard deviation', num(r.sd)));
  if (r.top2box !== undefined && r.top2box !== null) items.push(stat('Top-2-box', `${pct(r.top2box)}${ci(r.ci?.top2box, (x) => pct(x))}`));
  if (r.bottom2box !== undefined && r.bottom2box !== null) items.push(stat('Bottom-2-box', `${pct(r.bottom2box)}${ci(r.ci?.bottom2box, (x) => pct(x))}`));
  if (r.type === 'yes_no') items.push(stat('Yes', `${pct(r.yes)}${ci(r.ci?.yes, (x) => pct(x))}`));
  if (r.reference) {
    const ref = r.reference as { representativeness: number | null; jensen_shannon: number; sd_ratio: number | null };
    items.push(stat('Representativeness vs reference', num(ref.representativeness, 3)), stat('Jensen–Shannon divergence', num(ref.jensen_shannon, 3)), stat('Spread ratio (sd study / reference)', num(ref.sd_ratio, 2)));
  }
  return `<dl class="stats">${items.join('')}</dl>`;
}

/** Bins a long scale's (slider's) distribution into ten equal ranges. */
function binned(r: R): { label: string; share: number }[] {
  const entries = r.distribution as { value: number; share: number }[];
  if (entries.length <= 21) return entries.map((e) => ({ label: String(e.value), share: e.share }));
  const lo = Number(entries[0]!.value);
  const hi = Number(entries[entries.length - 1]!.value);
  const width = (hi - lo + 1) / 10;
  const bins = Array.from({ length: 10 }, (_, i) => ({ label: `${Math.ceil(lo + i * width)}–${Math.ceil(lo + (i + 1) * width) - 1}`, share: 0 }));
  for (const e of entries) bins[Math.min(9, Math.floor((Number(e.value) - lo) / width))]!.share += e.share;
  return bins;
}

function chartFor(r: R, q: Q): string {
  const t = esc(q.text);
  switch (r.type) {
    case 'nps': {
      const colors = Array.from({ length: 11 }, (_, i) => (i <= 6 ? '#c0504d' : i <= 8 ? '#bbbbbb' : '#4f9d69'));
      return (r.nps ? npsChart(`NPS of "${q.text}"`, r.nps, r.ci?.nps) : '') + verticalBars(`Distribution of answers to "${q.text}"`, r.distribution.map((e: { value: unknown; share: number }, i: number) => ({ label: String(e.value), share: e.share, color: colors[i] })));
    }
    case 'likert':
    case 'semantic_differential': {
      const labels = pointLabels(r);
      const colors = scaleColors(labels.length);
      const rows = [{ label: 'Overall', shares: r.distribution.map((e: { share: number }) => e.share) }];
      const persona = (r.segments as Segment<{ distribution: { share: number }[] }>[])[0];
      for (const g of persona?.groups ?? []) rows.push({ label: g.key, shares: g.distribution.map((e) => e.share) });
      return stackedBars(`${q.text}: answers on the ${labels.length}-point scale, overall and by persona`, rows, labels, colors);
    }
    case 'rating':
    case 'slider':
      return verticalBars(`Distribution of answers to "${q.text}"`, binned(r));
    case 'yes_no':
      return horizontalBars(`Yes and no to "${q.text}"`, r.distribution.map((e: { value: unknown; label?: string; share: number; count: number }, i: number) => ({ label: String(e.label ?? e.value), value: e.share, ...(i === 0 && r.ci?.yes ? { ci: r.ci.yes } : {}), note: `(${Math.round(e.count)})`, color: i === 0 ? PALETTE[2] : PALETTE[3] })), { max: 1, format: (x) => pct(x) });
    case 'multiple_choice':
      return horizontalBars(`Share of respondents choosing each option of "${q.text}"`, r.distribution.map((e: { value: unknown; share: number; ci?: Interval | null; count: number }) => ({ label: String(e.value), value: e.share, ci: e.ci ?? null, note: `(${Math.round(e.count)})` })), { max: Math.max(1, ...r.distribution.map((e: { share: number }) => e.share)), format: (x) => pct(x) });
    case 'ranking': {
      const options = r.options as { option: string; mean_rank: number | null; ci: Interval | null; first_choice: number }[];
      return horizontalBars(`Mean rank of each option of "${q.text}" (1 is best)`, options.map((o) => ({ label: o.option, value: o.mean_rank ?? 0, ci: o.ci, note: `first ${pct(o.first_choice, 0)}` })), { min: 0, max: options.length, format: (x) => num(x, 2) });
    }
    case 'maxdiff': {
      const items = r.items as { item: string; score: number | null }[];
      return horizontalBars(`Best-minus-worst score of each item of "${q.text}"`, items.map((i) => ({ label: i.item, value: i.score ?? 0, color: (i.score ?? 0) >= 0 ? PALETTE[2] : PALETTE[3] })), { min: -1, max: 1, format: (x) => num(x, 2) });
    }
    case 'conjoint': {
      const attributes = r.attributes as { attribute: string; importance: number; levels: { level: string; part_worth: number; ci: Interval | null }[] }[];
      const importance = horizontalBars(`Importance of each attribute in "${q.text}" (percent of the part-worth ranges)`, attributes.map((a) => ({ label: a.attribute, value: a.importance })), { max: 100, format: (x) => `${num(x, 1)}%` });
      const rows = attributes.flatMap((a) => a.levels.map((l) => `<tr><td>${esc(a.attribute)}</td><td>${esc(l.level)}</td><td class="num">${num(l.part_worth, 3)}</td><td class="num">${l.ci ? `${num(l.ci[0], 3)} to ${num(l.ci[1], 3)}` : '–'}</td></tr>`));
      return `${importance}<table><caption class="muted small">Part-worths (logit utilities, effects-coded: each attribute's levels sum to 0)</caption><thead><tr><th>Attribute</th><th>Level</th><th class="num">Part-worth</th><th class="num">95% CI</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
    }
    case 'matrix': {
      const rows = r.rows as { row: string; mean: number | null; ci: { mean: Interval | null }; distribution: { value: number; label?: string; share: number }[] }[];
      const columns = rows[0]?.distribution.map((e) => (e.label ? `${e.value} ${e.label}` : String(e.value))) ?? [];
      const means = rows.map((row) => `<tr><td>${esc(row.row)}</td><td class="num">${num(row.mean)}</td><td class="num">${row.ci?.mean ? `${num(row.ci.mean[0])} to ${num(row.ci.mean[1])}` : '–'}</td></tr>`);
      return `${heatmap(`Share of each answer per row of "${q.text}"`, rows.map((row) => ({ label: row.row, shares: row.distribution.map((e) => e.share) })), columns)}<table><thead><tr><th>Row</th><th class="num">Mean</th><th class="num">95% CI</th></tr></thead><tbody>${means.join('')}</tbody></table>`;
    }
    case 'open_ended': {
      const themes = r.themes as Theme[];
      const chart = themes.length ? horizontalBars(`Share of answers in each theme of "${q.text}"`, themes.map((th) => ({ label: th.label, value: th.share, note: `(${th.count})` })), { max: Math.max(0.01, ...themes.map((th) => th.share)), format: (x) => pct(x) }) : '';
      const list = themes
        .map(
          (th) =>
            `<div class="theme"><h3>${esc(th.label)} <span class="muted small">${th.count} answers · ${pct(th.share)}${th.sentiment !== undefined && th.sentiment !== null ? ` · sentiment ${num(th.sentiment, 2)}` : ''}</span></h3><p class="muted small">Terms: ${th.terms.map(esc).join(', ')}</p>${th.quotes.map((qt) => `<blockquote>${esc(qt.text)}</blockquote>`).join('')}</div>`,
        )
        .join('');
      return `${chart}${list}<p class="muted small">Unthemed: ${r.unthemed.count} (${pct(r.unthemed.share)}); themes found by ${esc(r.method)} clustering.</p>`;
    }
    default:
      return `<p class="muted">${t}</p>`;
  }
}

/** A group's headline figure, when its type has one. */
function groupFigure(r: R, g: Record<string, any>): { value: number; ci: Interval | null; text: string } | null {
  if (r.type === 'nps' && g.nps) return { value: g.nps.score, ci: g.ci?.nps ?? null, text: `NPS ${num(g.nps.score, 1)}` };
  if (r.type === 'yes_no' && typeof g.yes === 'number') return { value: g.yes, ci: g.ci?.yes ?? null, text: `yes ${pct(g.yes)}` };
  if (['likert', 'rating', 'slider', 'semantic_differential'].includes(r.type) && typeof g.mean === 'number') return { value: g.mean, ci: g.ci?.mean ?? null, text: `mean ${num(g.mean)}` };
  return null;
}

function testsTable(tests: readonly SegmentTest[]): string {
  if (tests.length === 0) return '';
  const rows = tests.map(
    (t) =>
      `<tr${t.significant ? ' class="significant"' : ''}><td>${esc(t.metric)}</td><td>${t.groups.map(esc).join(' vs ')}</td><td>${esc(t.test.replace(/_/g, ' '))}</td><td class="num">${num(t.statistic, 2)}${t.df !== undefined ? ` (df ${t.df})` : ''}</td><td class="num">${pValueHtml(t.p_value)}</td><td class="num">${pValueHtml(t.p_adjusted)}</td><td class="num">${t.effect_size ? `${esc(t.effect_size.measure.replace(/_/g, ' '))} ${num(t.effect_size.value, 2)}` : '–'}</td><td>${t.significant ? '<span class="badge">significant</span>' : ''}${t.warning ? ` <span class="muted small">${esc(t.warning)}</span>` : ''}</td></tr>`,
  );
  return `<table class="tests"><caption class="muted small">Tests between groups (p adjusted by Holm over all of the question's tests)</caption><thead><tr><th>Metric</th><th>Groups</th><th>Test</th><th class="num">Statistic</th><th class="num">p</th><th class="num">p (Holm)</th><th class="num">Effect size</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** What a segment table's share columns hold, by question type: the caption and each column's header. */
function segmentColumns(r: R): { caption: string; header: (value: string) => string } {
  switch (r.type) {
    case 'ranking':
      return { caption: "Share of each group ranking each option first, with its 95% Wilson interval", header: (v) => `1st: ${v}` };
    case 'multiple_choice':
      return { caption: `Share of each group choosing each option${r.multiple ? ' (several allowed: shares sum past 100%)' : ''}, with its 95% Wilson interval`, header: (v) => v };
    case 'maxdiff':
      return { caption: "Share of each group's best picks falling on each item", header: (v) => `best: ${v}` };
    case 'conjoint':
      return { caption: 'Share of each group’s choices falling on each profile position (a position-bias check)', header: (v) => `position ${v}` };
    case 'open_ended':
      return { caption: "Share of each group's answers in each theme", header: (v) => v };
    case 'matrix':
      return { caption: "Share of each group's answers on each scale point, all rows pooled", header: (v) => v };
    default:
      return { caption: "Share of each group's answers on each value", header: (v) => v };
  }
}

/** The headline figure's column header, for the types that have one (see groupFigure). */
function figureHeader(r: R): string | null {
  if (r.type === 'nps') return 'NPS (95% CI)';
  if (r.type === 'yes_no') return 'Yes (95% CI)';
  if (['likert', 'rating', 'slider', 'semantic_differential'].includes(r.type)) return 'Mean (95% CI)';
  return null;
}

function segmentsBlock(r: R, q: Q): string {
  const segments = (r.segments ?? []) as Segment<Record<string, any>>[];
  const figure = figureHeader(r);
  const columns = segmentColumns(r);
  return segments
    .map((s) => {
      const figures = s.groups.map((g) => ({ g, f: groupFigure(r, g) }));
      const withFigure = figures.filter((x) => x.f !== null);
      let chart = '';
      if (withFigure.length === figures.length && figures.length > 0) {
        const share = r.type === 'yes_no';
        const lo = r.type === 'nps' ? -100 : share ? 0 : Math.min(...withFigure.map((x) => x.f!.ci?.[0] ?? x.f!.value), 0);
        const hi = r.type === 'nps' ? 100 : share ? 1 : Math.max(...withFigure.map((x) => x.f!.ci?.[1] ?? x.f!.value));
        chart = horizontalBars(`${q.text}: by ${s.by}`, withFigure.map(({ g, f }) => ({ label: g.key, value: f!.value, ci: f!.ci, note: `n ${g.n}` })), { min: lo, max: hi || 1, format: (x) => (share ? pct(x) : num(x, r.type === 'nps' ? 1 : 2)) });
      }
      const categories = (s.groups[0]?.distribution ?? []) as { value: unknown; label?: string }[];
      const shown = categories.slice(0, 12);
      const head = shown.map((c) => `<th class="num">${esc(columns.header(String(c.value)))}</th>`).join('');
      const rows = s.groups.map((g) => {
        const f = figure ? groupFigure(r, g) : null;
        const entries = (g.distribution ?? []) as { share: number; ci?: Interval | null }[];
        // A share's interval is shown in its cell when the table has no headline figure to carry one.
        const cells = shown.map((_, k) => `<td class="num">${pct(entries[k]?.share, 0)}${!figure && entries[k]?.ci ? ` <span class="muted small">[${pct(entries[k]!.ci![0], 0)}, ${pct(entries[k]!.ci![1], 0)}]</span>` : ''}</td>`).join('');
        const figureCell = figure ? `<td class="num">${f ? `${esc(f.text)}${f.ci ? ` <span class="muted">[${share(r, f.ci[0])}, ${share(r, f.ci[1])}]</span>` : ''}` : '–'}</td>` : '';
        return `<tr><td>${esc(g.key)}</td><td class="num">${g.n}</td>${figureCell}${cells}</tr>`;
      });
      return `<h3>By ${esc(s.by)}</h3>${chart}<table class="segment"><caption class="muted small">${esc(columns.caption)}${shown.length < categories.length ? ` (first ${shown.length} of ${categories.length})` : ''}</caption><thead><tr><th>${esc(s.by)}</th><th class="num">n</th>${figure ? `<th class="num">${esc(figure)}</th>` : ''}${head}</tr></thead><tbody>${rows.join('')}</tbody></table>${testsTable(s.tests)}`;
    })
    .join('');
}

const share = (r: R, x: number) => (r.type === 'yes_no' ? pct(x) : num(x, r.type === 'nps' ? 1 : 2));

/** The report; a discussion study's `transcripts` (sessions read up to the report's budget) are shown after the questions. */
export function htmlReport(study: StudyView, results: ResultsDocument, options: { generatedAt: number; transcripts?: ReportTranscripts }): string {
  const questions = new Map((study.questions as unknown as Q[]).map((q) => [q.id, q]));
  const sections = results.questions.map((raw, i) => {
    const r = raw as R;
    const q = questions.get(r.question_id) ?? ({ id: r.question_id, type: r.type, text: r.text } as Q);
    return `<section class="question" id="q-${i + 1}"><h2>Q${i + 1}. ${esc(q.text)}</h2><p class="muted small">${esc(r.type.replace(/_/g, ' '))} · id ${esc(r.question_id)}</p>${statsBlock(r)}${chartFor(r, q)}${segmentsBlock(r, q)}</section>`;
  });
  const w = results.weighting;
  const weighting = !w
    ? '<p>Unweighted: the study has no target marginals.</p>'
    : w.applied
      ? `<p>Weighted by raking to target marginals on ${Object.keys(w.targets).map(esc).join(', ')} (${w.iterations} iterations, ${w.converged ? 'converged' : 'not converged'}; effective sample size ${num(w.effective_n, 1)}, design effect ${num(w.design_effect, 2)}; weights trimmed to ${w.trim?.min}–${w.trim?.max} × the mean).</p>`
      : `<p>Unweighted: the target marginals could not be met — ${esc(w.error?.message ?? '')}</p>`;
  const personas = study.personas.map((p) => `<li>${esc(p.persona_id)}: ${p.respondents} respondents</li>`).join('');
  const m = results.methods;
  // Every method text comes from results.methods (stats/index.ts statsMethods): what is said is what was computed.
  const intervals = Object.entries(m.intervals)
    .filter(([k]) => k !== 'nps')
    .map(([k, v]) => `${esc(k.replace(/_/g, ' '))}: ${esc(v)}`)
    .join('; ');
  const methods = `<ul class="small"><li>Intervals (${Math.round(m.ci_level * 100)}%): ${intervals}.</li><li>Bootstrap: ${esc(m.bootstrap)} (B = ${m.bootstrap_replicates}).</li><li>NPS: ${esc(m.nps)}.</li><li>Tests: ${Object.entries(m.tests)
    .map(([k, v]) => `${esc(k.replace(/_/g, ' '))}: ${esc(v)}`)
    .join('; ')}. ${esc(m.correction)}.</li><li>Weighting: ${esc(m.weighting)}.</li></ul>`;
  const toc = results.questions.map((r, i) => `<li><a href="#q-${i + 1}">Q${i + 1}. ${esc(r.text)}</a></li>`).join('');
  const transcripts = options.transcripts ? `${transcriptsSection(options.transcripts, study.questions.map((q) => q.id))}\n` : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${esc(study.name)} — focus group report</title><style>${CSS}${options.transcripts ? TRANSCRIPT_CSS : ''}</style></head>
<body><header><h1>${esc(study.name)}</h1><p class="muted">Focus group ${esc(study.id)} · ${esc(study.status)} · ${results.respondents} respondents · ${results.questions.length} questions · seed ${study.seed} · ${study.livemode ? 'live' : 'sandbox (test key)'}<br>Created ${date(study.created_at)} · completed ${date(study.completed_at)} · report generated ${date(options.generatedAt)}</p></header>
<h2>Sample</h2><ul>${personas}</ul>${study.stimulus?.text ? `<h3>Stimulus</h3><blockquote>${esc(study.stimulus.text)}</blockquote>` : ''}${study.stimulus?.images?.length ? `<p class="muted small">Stimulus images (not embedded): ${study.stimulus.images.length}</p>` : ''}${weighting}<p class="muted small">Segments: ${results.segment_by.map(esc).join(', ')}. Simulated respondents: read these numbers as a model of the audience, not a measurement of it.</p>
<nav><h2>Questions</h2><ol class="toc">${toc}</ol>${options.transcripts ? '<p><a href="#transcripts">Discussion transcripts</a></p>' : ''}</nav>
${sections.join('\n')}
${transcripts}<h2>Methods</h2>${methods}
</body></html>
`;
}
