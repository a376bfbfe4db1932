/**
 * Usage and credits: the balance (GET /v1/credits), credits and requests per
 * day (GET /v1/usage?group_by=day) as a chart, a breakdown by operation,
 * persona or key, and — for admin keys — the ledger (the admin API).
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, query } from '../api/client';
import type { Credits, LedgerRow, Usage, UsageRow } from '../api/types';
import { ChartCanvas, palette } from '../charts/chart-canvas';
import { ErrorBanner, formatNumber, formatTime, Notice, PageHeader, Section, Spinner } from '../components/ui';
import { hasScope, useSession } from '../session';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Every day of the range with live credits, live requests and test requests (days without traffic are zeros). */
export function dailySeries(rows: UsageRow[], start: string, end: string) {
  const days: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`) && days.length < 400; t += DAY) days.push(iso(t));
  const by = new Map(days.map((d) => [d, { credits: 0, live: 0, test: 0 }]));
  for (const r of rows) {
    const d = by.get(r.day ?? '');
    if (!d) continue;
    d.credits += r.credits;
    if (r.mode === 'live') d.live += r.requests;
    else d.test += r.requests;
  }
  return days.map((day) => ({ day, ...by.get(day)! }));
}

export function UsagePage() {
  const session = useSession();
  const [days, setDays] = useState(30);
  const [groupBy, setGroupBy] = useState<'operation' | 'persona' | 'key'>('operation');
  const [credits, setCredits] = useState<Credits | null>(null);
  const [daily, setDaily] = useState<Usage | null>(null);
  const [breakdown, setBreakdown] = useState<Usage | null>(null);
  const [ledger, setLedger] = useState<LedgerRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const admin = hasScope(session, 'admin');
  const range = useMemo(() => {
    const end = iso(Date.now());
    return { start_date: iso(Date.now() - (days - 1) * DAY), end_date: end };
  }, [days]);

  useEffect(() => {
    setError(null);
    Promise.all([
      api<Credits>('/credits').then(setCredits),
      api<Usage>(`/usage${query({ ...range, group_by: 'day' })}`).then(setDaily),
      admin && session.workspace.name
        ? api<{ ledger: LedgerRow[] }>(`/admin/workspaces/${encodeURIComponent(session.workspace.name)}/credits`).then((r) => setLedger(r.ledger))
        : Promise.resolve(),
    ]).catch(setError);
  }, [range, admin]);
  useEffect(() => {
    api<Usage>(`/usage${query({ ...range, group_by: groupBy })}`)
      .then(setBreakdown)
      .catch(setError);
  }, [range, groupBy]);

  const series = daily ? dailySeries(daily.data, daily.start_date, daily.end_date) : [];
  return (
    <div class="page">
      <PageHeader title="Usage & credits">
        <label class="field field-inline">
          <span class="field-label">Period</span>
          <select value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            <option value="7">Last 7 days</option>
            <option value="30">Last 30 days</option>
            <option value="90">Last 90 days</option>
          </select>
        </label>
      </PageHeader>
      <ErrorBanner error={error} />
      <Section title="Balance" id="usage-balance">
        {credits ? (
          <dl class="stats stats-large">
            <div>
              <dt>Balance</dt>
              <dd data-testid="balance">{formatNumber(credits.balance)}</dd>
            </div>
            <div>
              <dt>Held by work in progress</dt>
              <dd>{formatNumber(credits.held)}</dd>
            </div>
            <div>
              <dt>Available</dt>
              <dd>{formatNumber(credits.available)}</dd>
            </div>
            <div>
              <dt>Spent in {credits.month}</dt>
              <dd>
                {formatNumber(credits.month_spend)}
                {credits.monthly_budget !== null ? <span class="muted"> of {formatNumber(credits.monthly_budget)} budget</span> : null}
              </dd>
            </div>
          </dl>
        ) : (
          <Spinner />
        )}
        {session.key.mode === 'test' ? <p class="muted small">This is a test key: its requests run on the sandbox and spend no credits; they are counted as test requests.</p> : null}
      </Section>
      <Section title="Credits and requests per day" id="usage-chart">
        {daily ? (
          <>
            <dl class="stats">
              <div>
                <dt>Credits</dt>
                <dd data-testid="total-credits">{formatNumber(daily.total_credits)}</dd>
              </div>
              <div>
                <dt>Requests</dt>
                <dd data-testid="total-requests">{formatNumber(daily.total_requests)}</dd>
              </div>
              <div>
                <dt>of which test</dt>
                <dd>{formatNumber(daily.test_requests)}</dd>
              </div>
            </dl>
            <ChartCanvas
              height={260}
              summary={`Credits and requests per day from ${daily.start_date} to ${daily.end_date}: ${daily.total_credits} credits, ${daily.total_requests} requests.`}
              table={{ columns: ['Day', 'Credits', 'Live requests', 'Test requests'], rows: series.filter((s) => s.credits || s.live || s.test).map((s) => [s.day, s.credits, s.live, s.test]) }}
              config={() => {
                const p = palette();
                return {
                  type: 'bar',
                  data: {
                    labels: series.map((s) => s.day.slice(5)),
                    datasets: [
                      { type: 'bar', label: 'Credits', data: series.map((s) => s.credits), backgroundColor: p.series[0]!, yAxisID: 'credits', order: 2 },
                      { type: 'line', label: 'Live requests', data: series.map((s) => s.live), borderColor: p.series[1]!, backgroundColor: p.series[1]!, yAxisID: 'requests', pointRadius: 2, order: 1 },
                      { type: 'line', label: 'Test requests', data: series.map((s) => s.test), borderColor: p.series[2]!, backgroundColor: p.series[2]!, borderDash: [5, 4], yAxisID: 'requests', pointRadius: 2, order: 1 },
                    ],
                  },
                  options: {
                    interaction: { mode: 'index', intersect: false },
                    plugins: { legend: { labels: { color: p.text } } },
                    scales: {
                      x: { ticks: { color: p.muted, maxRotation: 0, autoSkip: true }, grid: { display: false } },
                      credits: { type: 'linear', position: 'left', beginAtZero: true, title: { display: true, text: 'credits', color: p.muted }, ticks: { color: p.muted, precision: 0 }, grid: { color: p.grid } },
                      requests: { type: 'linear', position: 'right', beginAtZero: true, title: { display: true, text: 'requests', color: p.muted }, ticks: { color: p.muted, precision: 0 }, grid: { display: false } },
                    },
                  },
                };
              }}
            />
          </>
        ) : (
          <Spinner />
        )}
      </Section>
      <Section
        title="Breakdown"
        id="usage-breakdown"
        actions={
          <label class="field field-inline">
            <span class="field-label">By</span>
            <select value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value as typeof groupBy)}>
              <option value="operation">Operation</option>
              <option value="persona">Persona</option>
              <option value="key">Key</option>
            </select>
          </label>
        }
      >
        {breakdown ? (
          breakdown.data.length === 0 ? (
            <p class="muted">No usage in this period.</p>
          ) : (
            <div class="table-wrap" tabIndex={0}>
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">{groupBy === 'operation' ? 'Operation' : groupBy === 'persona' ? 'Persona' : 'Key'}</th>
                    <th scope="col">Mode</th>
                    <th scope="col" class="num">Requests</th>
                    <th scope="col" class="num">Credits</th>
                    <th scope="col" class="num">Input tokens</th>
                    <th scope="col" class="num">Output tokens</th>
                  </tr>
                </thead>
                <tbody>
                  {breakdown.data.map((r, i) => (
                    <tr key={i}>
                      <th scope="row">{r[groupBy] ?? <span class="muted">none</span>}</th>
                      <td>{r.mode}</td>
                      <td class="num">{formatNumber(r.requests)}</td>
                      <td class="num">{formatNumber(r.credits)}</td>
                      <td class="num">{formatNumber(r.input_tokens)}</td>
                      <td class="num">{formatNumber(r.output_tokens)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        ) : (
          <Spinner />
        )}
      </Section>
      <Section title="Ledger" id="usage-ledger">
        {!admin ? (
          <Notice>The ledger is read through the admin API: sign in with a key that has the admin scope to see every grant, debit and refund.</Notice>
        ) : ledger === null ? (
          <Spinner />
        ) : ledger.length === 0 ? (
          <p class="muted">No ledger entries yet.</p>
        ) : (
          <div class="table-wrap" tabIndex={0}>
            <table class="table">
              <caption class="muted small">The latest {ledger.length} entries, newest first.</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Kind</th>
                  <th scope="col" class="num">Amount</th>
                  <th scope="col" class="num">Balance after</th>
                  <th scope="col">What</th>
                </tr>
              </thead>
              <tbody>
                {ledger.map((l) => (
                  <tr key={l.id}>
                    <td>{formatTime(l.created_at)}</td>
                    <td>{l.kind}</td>
                    <td class={l.amount < 0 ? 'num negative' : 'num positive'}>{l.amount > 0 ? `+${formatNumber(l.amount)}` : formatNumber(l.amount)}</td>
                    <td class="num">{formatNumber(l.balance_after)}</td>
                    <td>{[l.operation, l.persona_id, l.response_id, l.reason].filter(Boolean).join(' · ') || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}
