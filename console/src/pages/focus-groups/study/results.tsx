/**
 * The results dashboard: one card per question with the chart its type
 * calls for — distribution bars, Likert stacked bars, NPS with its interval,
 * ranking and MaxDiff scores, a matrix heatmap, conjoint importance, themes
 * with quotes — and the segment comparison with significant differences
 * marked. Whatever the server did not compute (intervals, segments, themes)
 * is said, not invented.
 */
import { normalizeResult, pointLabels, type QuestionResultView, type ResultsDocument, type Segment, type StudyQuestion } from '../../../api/focus-groups';
import { formatNumber, formatPercent, Notice } from '../../../components/ui';
import { palette } from '../../../charts/chart-canvas';
import { BarChart, GroupBars, StackedScale, type Bar } from './charts';

/** A count of answers: whole, or with one decimal where answers are spread over the scale (SSR). */
const answers = (count: number) => `${formatNumber(count, Number.isInteger(count) ? 0 : 1)} ${count === 1 ? 'answer' : 'answers'}`;
const SCALE_TYPES = new Set(['nps', 'likert', 'rating', 'slider', 'semantic_differential']);
const ci = (c: [number, number] | null | undefined, fmt: (v: number) => string) => (c ? ` (95% CI ${fmt(c[0])} – ${fmt(c[1])})` : '');

export function ResultsDashboard({ results, questions }: { results: ResultsDocument; questions: StudyQuestion[] }) {
  const views = results.questions.map((r) => normalizeResult(r, questions.find((q) => q.id === r.question_id)));
  const minimal = views.some((v) => v.minimal);
  return (
    <div class="stack" data-testid="results">
      {minimal ? (
        <Notice tone="info">This server reports the distribution of each question (and the mean of scales). Confidence intervals, segment comparisons and themes appear here when it computes them.</Notice>
      ) : null}
      {views.map((v, i) => (
        <QuestionCard key={v.question_id} view={v} question={questions.find((q) => q.id === v.question_id)} index={i} />
      ))}
    </div>
  );
}

function QuestionCard({ view, question, index }: { view: QuestionResultView; question: StudyQuestion | undefined; index: number }) {
  const id = `result-${view.question_id}`;
  return (
    <section class="panel" aria-labelledby={`${id}-title`} data-question-id={view.question_id}>
      <div class="panel-head">
        <h3 id={`${id}-title`} class="result-title">
          <span class="muted">Q{index + 1} · {view.type.replace('_', ' ')}</span> {view.text}
        </h3>
      </div>
      <dl class="stats">
        <div>
          <dt>Answered</dt>
          <dd>{formatNumber(view.n)}</dd>
        </div>
        {view.skipped ? (
          <div>
            <dt>Skipped</dt>
            <dd>{formatNumber(view.skipped)}</dd>
          </div>
        ) : null}
        {view.failed ? (
          <div>
            <dt>Failed</dt>
            <dd>{formatNumber(view.failed)}</dd>
          </div>
        ) : null}
        {view.mean !== undefined && view.mean !== null && view.type !== 'nps' ? (
          <div>
            <dt>Mean</dt>
            <dd>
              {formatNumber(view.mean, 2)}
              <span class="muted small">{ci(view.ci?.mean, (x) => formatNumber(x, 2))}</span>
            </dd>
          </div>
        ) : null}
        {view.sd !== undefined && view.sd !== null ? (
          <div>
            <dt>SD</dt>
            <dd>{formatNumber(view.sd, 2)}</dd>
          </div>
        ) : null}
        {view.top2box !== undefined && view.top2box !== null ? (
          <div>
            <dt>Top-2-box</dt>
            <dd>
              {formatPercent(view.top2box)}
              <span class="muted small">{ci(view.ci?.top2box, (x) => formatPercent(x))}</span>
            </dd>
          </div>
        ) : null}
      </dl>
      {view.n === 0 && view.type !== 'open_ended' ? <p class="muted">No answers yet.</p> : <TypeChart view={view} question={question} />}
      {view.segments && view.segments.length > 0 ? <Segments segments={view.segments} view={view} question={question} /> : null}
    </section>
  );
}

function scaleBars(view: QuestionResultView, question: StudyQuestion | undefined): Bar[] {
  const labels = pointLabels(question, view.distribution.length);
  return view.distribution.map((e, i) => ({ label: e.label ?? labels?.[i] ?? String(e.value), value: e.share, note: answers(e.count) }));
}

function TypeChart({ view, question }: { view: QuestionResultView; question: StudyQuestion | undefined }) {
  const p = palette();
  switch (view.type) {
    case 'nps':
      return <Nps view={view} />;
    case 'likert':
    case 'semantic_differential': {
      const labels = pointLabels(question, view.distribution.length) ?? view.distribution.map((e) => String(e.value));
      return (
        <div class="grid-2">
          <StackedScale summary={`${view.text}: answers on the ${labels.length}-point scale, overall.`} points={labels} rows={[{ label: 'Overall', shares: view.distribution.map((e) => e.share) }]} />
          <BarChart summary={`Distribution of answers to "${view.text}".`} bars={scaleBars(view, question)} />
        </div>
      );
    }
    case 'rating':
    case 'slider': {
      const bars = scaleBars(view, question);
      return <BarChart horizontal={false} summary={`Distribution of answers to "${view.text}"${bars.length > MAX_POINTS ? ', in ten equal ranges' : ''}.`} bars={bars.length > MAX_POINTS ? binned(view) : bars} />;
    }
    case 'yes_no':
      return (
        <>
          {view.yes !== undefined && view.yes !== null ? (
            <p>
              <strong>{formatPercent(view.yes)}</strong> said yes<span class="muted small">{ci(view.ci?.yes, (x) => formatPercent(x))}</span>
            </p>
          ) : null}
          <BarChart summary={`Yes and no to "${view.text}".`} bars={view.distribution.map((e, i) => ({ label: String(e.label ?? e.value), value: e.share, note: `${formatNumber(e.count)} answers`, color: i === 0 ? p.series[2]! : p.series[3]! }))} />
        </>
      );
    case 'multiple_choice':
      return (
        <>
          <BarChart
            horizontal
            summary={`Share of respondents choosing each option of "${view.text}".`}
            bars={[...view.distribution].sort((a, b) => b.share - a.share).map((e) => ({ label: String(e.label ?? e.value), value: e.share, note: e.ci ? `95% CI ${formatPercent(e.ci[0])} – ${formatPercent(e.ci[1])}` : `${formatNumber(e.count)} respondents` }))}
          />
          {view.other_answers && view.other_answers.length > 0 ? (
            <p class="small">
              Other answers:{' '}
              {view.other_answers.map((o, i) => (
                <span key={i}>
                  {i > 0 ? '; ' : ''}
                  {o.text} ({o.count})
                </span>
              ))}
            </p>
          ) : null}
        </>
      );
    case 'ranking':
      return view.options ? (
        <BarChart
          horizontal
          unit="value"
          valueLabel="Mean rank (1 = first)"
          summary={`Mean rank of each option of "${view.text}" (lower is better).`}
          bars={[...view.options].sort((a, b) => (a.mean_rank ?? 99) - (b.mean_rank ?? 99)).map((o) => ({ label: o.option, value: o.mean_rank ?? 0, note: `${o.ci ? `95% CI ${formatNumber(o.ci[0], 2)} – ${formatNumber(o.ci[1], 2)}; ` : ''}first choice ${formatPercent(o.first_choice)}; Borda ${formatPercent(o.borda_share)}` }))}
        />
      ) : (
        <BarChart horizontal summary={`How often each option of "${view.text}" was ranked first.`} valueLabel="Ranked first" bars={view.distribution.map((e) => ({ label: String(e.value), value: e.share, note: `${formatNumber(e.count)} respondents` }))} />
      );
    case 'maxdiff':
      return view.items ? (
        <BarChart
          horizontal
          unit="value"
          valueLabel="Best − worst score"
          summary={`MaxDiff best-minus-worst score of each item of "${view.text}".`}
          bars={[...view.items].sort((a, b) => (b.score ?? 0) - (a.score ?? 0)).map((it) => ({ label: it.item, value: it.score ?? 0, note: `best ${formatPercent(it.best_share)}, worst ${formatPercent(it.worst_share)}, shown ${it.shown}`, color: (it.score ?? 0) >= 0 ? p.series[6]! : p.series[3]! }))}
        />
      ) : (
        <BarChart horizontal summary={`How often each item of "${view.text}" was picked as best.`} valueLabel="Picked best (share of picks)" bars={normalizeShares(view).map((e) => ({ label: String(e.value), value: e.share, note: `${formatNumber(e.count)} picks` }))} />
      );
    case 'conjoint':
      return view.attributes ? (
        <div class="grid-2">
          <BarChart horizontal unit="value" max={100} summary={`Importance of each attribute in "${view.text}", in percent of the part-worth ranges.`} valueLabel="Importance (%)" bars={[...view.attributes].sort((a, b) => b.importance - a.importance).map((a) => ({ label: a.attribute, value: a.importance }))} />
          <div class="table-wrap" tabIndex={0}>
            <table class="table table-compact part-worths">
              <caption class="muted small">Part-worths (effects coded)</caption>
              <thead>
                <tr>
                  <th scope="col">Attribute</th>
                  <th scope="col">Level</th>
                  <th scope="col" class="num">Part-worth</th>
                  <th scope="col">95% CI</th>
                </tr>
              </thead>
              <tbody>
                {view.attributes.flatMap((a) =>
                  a.levels.map((l, j) => (
                    <tr key={`${a.attribute}-${l.level}`}>
                      {j === 0 ? (
                        <th scope="rowgroup" rowSpan={a.levels.length}>
                          {a.attribute}
                        </th>
                      ) : null}
                      <td>{l.level}</td>
                      <td class="num">{formatNumber(l.part_worth, 3)}</td>
                      <td>{l.ci ? `${formatNumber(l.ci[0], 2)} – ${formatNumber(l.ci[1], 2)}` : '—'}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
        </div>
      ) : (
        <BarChart summary={`Which profile of "${view.text}" was chosen.`} valueLabel="Chosen" bars={normalizeShares(view).map((e) => ({ label: `Profile ${String(e.value)}`, value: e.share, note: `${formatNumber(e.count)} choices` }))} />
      );
    case 'matrix':
      return <Heatmap view={view} question={question} />;
    case 'open_ended':
      return <Themes view={view} />;
    default:
      return null;
  }
}

/** A scale drawn point by point up to this many points; past it (a 0–100 slider), in ten equal ranges. */
const MAX_POINTS = 21;

function binned(view: QuestionResultView): Bar[] {
  const points = view.distribution.map((e) => ({ v: Number(e.value), count: e.count, share: e.share })).filter((e) => Number.isFinite(e.v));
  const lo = Math.min(...points.map((p) => p.v));
  const hi = Math.max(...points.map((p) => p.v));
  const width = (hi - lo + 1) / 10;
  return Array.from({ length: 10 }, (_, i) => {
    const from = Math.ceil(lo + i * width);
    const to = Math.ceil(lo + (i + 1) * width) - 1;
    const inBin = points.filter((p) => p.v >= from && p.v <= to);
    const count = inBin.reduce((t, p) => t + p.count, 0);
    return { label: from === to ? String(from) : `${from}–${to}`, value: inBin.reduce((t, p) => t + p.share, 0), note: answers(count) };
  });
}

/** Shares of choices (maxdiff, conjoint), when the server sent counts: each category's count over all choices. */
function normalizeShares(view: QuestionResultView) {
  const total = view.distribution.reduce((t, e) => t + e.count, 0);
  return view.minimal ? view.distribution.map((e) => ({ ...e, share: total ? e.count / total : 0 })) : view.distribution;
}

function Nps({ view }: { view: QuestionResultView }) {
  const p = palette();
  const byPoint = new Map(view.distribution.map((e) => [Number(e.value), e]));
  const share = (lo: number, hi: number) => {
    let s = 0;
    for (let v = lo; v <= hi; v++) s += byPoint.get(v)?.share ?? 0;
    return s;
  };
  const promoters = view.nps?.promoters ?? share(9, 10);
  const detractors = view.nps?.detractors ?? share(0, 6);
  const passives = view.nps?.passives ?? share(7, 8);
  const score = view.nps?.score ?? Math.round((promoters - detractors) * 1000) / 10;
  const interval = view.ci?.nps;
  const bars: Bar[] = Array.from({ length: 11 }, (_, v) => ({ label: String(v), value: byPoint.get(v)?.share ?? 0, note: answers(byPoint.get(v)?.count ?? 0), color: v <= 6 ? p.series[3]! : v <= 8 ? p.series[1]! : p.series[2]! }));
  return (
    <div class="grid-2">
      <div>
        <p class="nps-score">
          NPS <strong data-testid="nps-score">{formatNumber(score, 1)}</strong>
          {interval ? (
            <span class="muted">
              {' '}
              (95% CI {formatNumber(interval[0], 1)} to {formatNumber(interval[1], 1)})
            </span>
          ) : (
            <span class="muted small"> (no interval reported)</span>
          )}
        </p>
        <NpsInterval score={score} interval={interval ?? null} />
        <dl class="stats">
          <div>
            <dt>Promoters (9–10)</dt>
            <dd>{formatPercent(promoters)}</dd>
          </div>
          <div>
            <dt>Passives (7–8)</dt>
            <dd>{formatPercent(passives)}</dd>
          </div>
          <div>
            <dt>Detractors (0–6)</dt>
            <dd>{formatPercent(detractors)}</dd>
          </div>
        </dl>
      </div>
      <BarChart summary={`Distribution of the 0–10 answers: NPS ${formatNumber(score, 1)}.`} bars={bars} />
    </div>
  );
}

/** The NPS on its −100…100 axis, with the interval as a band (SVG: a text-free shape, the numbers are beside it). */
function NpsInterval({ score, interval }: { score: number; interval: [number, number] | null }) {
  const x = (v: number) => ((v + 100) / 200) * 300;
  return (
    <svg class="nps-axis" viewBox="0 0 300 34" role="img" aria-label={`NPS ${score.toFixed(1)} on a scale from −100 to 100${interval ? `, interval ${interval[0].toFixed(1)} to ${interval[1].toFixed(1)}` : ''}`}>
      <line x1="0" y1="17" x2="300" y2="17" class="nps-axis-line" />
      <line x1="150" y1="8" x2="150" y2="26" class="nps-axis-zero" />
      {interval ? <rect x={x(interval[0])} y="10" width={Math.max(2, x(interval[1]) - x(interval[0]))} height="14" rx="3" class="nps-band" /> : null}
      <circle cx={x(score)} cy="17" r="6" class="nps-dot" />
    </svg>
  );
}

function Heatmap({ view, question }: { view: QuestionResultView; question: StudyQuestion | undefined }) {
  const rows = view.rows ?? [];
  const points = Math.max(0, ...rows.map((r) => r.distribution.length));
  const labels = pointLabels(question, points) ?? Array.from({ length: points }, (_, i) => String(i + 1));
  return (
    <div class="table-wrap" tabIndex={0}>
      <table class="table heatmap" aria-label={`Share of each answer per row of "${view.text}"`}>
        <thead>
          <tr>
            <th scope="col">Row</th>
            {labels.map((l) => (
              <th scope="col" key={l}>
                {l}
              </th>
            ))}
            <th scope="col" class="num">
              Mean
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.row}>
              <th scope="row">{r.row}</th>
              {r.distribution.map((e, i) => (
                <td key={i} class={`heat heat-${Math.min(9, Math.floor(e.share * 10))}`}>
                  {formatPercent(e.share)}
                </td>
              ))}
              <td class="num">{formatNumber(r.mean, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Themes({ view }: { view: QuestionResultView }) {
  if (!view.themes) return <p class="muted">Themes of the answers are not computed by this server yet: read the answers in the respondent browser below.</p>;
  if (view.themes.length === 0) return <p class="muted">No theme found{view.n ? '' : ' (no answers)'}.</p>;
  return (
    <div>
      <BarChart horizontal summary={`Share of answers in each theme of "${view.text}".`} valueLabel="Share of answers" bars={view.themes.map((t) => ({ label: t.label, value: t.share, note: `${t.count} answers` }))} />
      {view.themes.map((t) => (
        <div class="theme" key={t.id}>
          <h4>
            {t.label} <span class="muted small">· {formatPercent(t.share)} · {t.terms.slice(0, 6).join(', ')}</span>
            {t.sentiment !== undefined && t.sentiment !== null ? <span class="muted small"> · sentiment {formatNumber(t.sentiment, 2)}</span> : null}
          </h4>
          {t.quotes.slice(0, 3).map((q, i) => (
            <blockquote key={i}>{q.text}</blockquote>
          ))}
        </div>
      ))}
      {view.unthemed && view.unthemed.count > 0 ? <p class="muted small">{view.unthemed.count} answers fit no theme.</p> : null}
    </div>
  );
}

function groupValue(view: QuestionResultView, g: Segment['groups'][number]): { value: number; ci?: [number, number] | null | undefined; unit: 'share' | 'value'; label: string } | null {
  if (view.type === 'nps' && g.nps) return { value: g.nps.score, ci: g.ci?.nps, unit: 'value', label: 'NPS' };
  if (SCALE_TYPES.has(view.type) && typeof g.mean === 'number') return { value: g.mean, ci: g.ci?.mean, unit: 'value', label: 'Mean' };
  if (view.type === 'yes_no' && typeof g.yes === 'number') return { value: g.yes, ci: g.ci?.yes, unit: 'share', label: 'Yes' };
  return null;
}

/** Segment comparison: the groups' statistic side by side, and the tests between them with significant ones marked. */
function Segments({ segments, view, question }: { segments: Segment[]; view: QuestionResultView; question: StudyQuestion | undefined }) {
  return (
    <div class="segments">
      {segments.map((s) => {
        const values = s.groups.map((g) => ({ g, v: groupValue(view, g) }));
        const scale = (view.type === 'likert' || view.type === 'semantic_differential') && s.groups.every((g) => Array.isArray(g.distribution));
        const labels = scale ? (pointLabels(question, s.groups[0]?.distribution?.length ?? 0) ?? (s.groups[0]?.distribution ?? []).map((e) => String(e.value))) : [];
        return (
          <div key={s.by} class="segment">
            <h4>By {s.by.replace(/_/g, ' ')}</h4>
            {scale ? (
              <StackedScale
                summary={`${view.text}: answers by ${s.by}.`}
                points={labels}
                rows={[{ label: 'Overall', shares: view.distribution.map((e) => e.share) }, ...s.groups.map((g) => ({ label: `${g.key} (n=${g.n})`, shares: (g.distribution ?? []).map((e) => e.share) }))]}
              />
            ) : values.every((x) => x.v) && values.length > 0 ? (
              <GroupBars summary={`${values[0]!.v!.label} of each ${s.by} group for "${view.text}".`} label={values[0]!.v!.label} unit={values[0]!.v!.unit} groups={values.map(({ g, v }) => ({ key: g.key, value: v!.value, ci: v!.ci, n: g.n }))} />
            ) : null}
            {s.tests.length > 0 ? (
              <div class="table-wrap" tabIndex={0}>
                <table class="table table-compact segment-tests">
                  <caption class="muted small">Differences between groups: p-values Holm-adjusted over this question's tests; ★ significant at 95%.</caption>
                  <thead>
                    <tr>
                      <th scope="col">Compared</th>
                      <th scope="col">Groups</th>
                      <th scope="col">Test</th>
                      <th scope="col" class="num">Difference</th>
                      <th scope="col" class="num">Effect size</th>
                      <th scope="col" class="num">p (adjusted)</th>
                      <th scope="col">Significant</th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.tests.map((t, i) => (
                      <tr key={i} class={t.significant ? 'significant-row' : ''}>
                        <td>{t.metric}</td>
                        <td>{t.groups.join(' vs ')}</td>
                        <td>{t.test.replace(/_/g, ' ')}</td>
                        <td class="num">{t.difference !== undefined ? formatNumber(t.difference, 2) : '—'}</td>
                        <td class="num">{t.effect_size ? `${formatNumber(t.effect_size.value, 2)} ${t.effect_size.measure.replace(/_/g, ' ')}` : '—'}</td>
                        <td class="num">{t.p_adjusted < 0.001 ? '< 0.001' : formatNumber(t.p_adjusted, 3)}</td>
                        <td>
                          {t.significant ? <span class="significant">★ yes</span> : 'no'}
                          {t.warning ? <span class="muted small"> ({t.warning})</span> : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
