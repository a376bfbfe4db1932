/** The results dashboard's charts, on the console's one ChartCanvas (each with its data table). */
import type { ChartConfiguration } from 'chart.js';
import { ChartCanvas, palette } from '../../../charts/chart-canvas';
import { formatNumber, formatPercent } from '../../../components/ui';

/** Category-axis labels past this length end in "…" (the table and the tooltip keep the full text). */
const AXIS_LABEL_CHARS = 22;
const truncate = (s: string) => (s.length > AXIS_LABEL_CHARS ? `${s.slice(0, AXIS_LABEL_CHARS - 1)}…` : s);
/** Chart.js calls tick callbacks with the scale as `this`. */
const shortLabels = {
  callback(this: { getLabelForValue(v: number): string }, value: string | number) {
    return truncate(this.getLabelForValue(Number(value)));
  },
};

export interface Bar {
  label: string;
  value: number;
  /** Shown in the table beside the value. */
  note?: string;
  color?: string;
}

/** Bars of shares (0–1) or of any value; horizontal when labels are long or many. */
export function BarChart({ bars, summary, unit = 'share', horizontal, max, height, valueLabel }: { bars: Bar[]; summary: string; unit?: 'share' | 'value'; horizontal?: boolean; max?: number; height?: number; valueLabel?: string }) {
  const h = horizontal ?? (bars.length > 8 || bars.some((b) => b.label.length > 14));
  const fmt = (v: number) => (unit === 'share' ? formatPercent(v, 1) : formatNumber(v, 2));
  return (
    <ChartCanvas
      summary={summary}
      height={height ?? (h ? Math.max(140, 28 * bars.length + 40) : 220)}
      table={{ columns: ['', valueLabel ?? (unit === 'share' ? 'Share' : 'Value'), ...(bars.some((b) => b.note) ? [''] : [])], rows: bars.map((b) => [b.label, fmt(b.value), ...(bars.some((x) => x.note) ? [b.note ?? ''] : [])]) }}
      config={(): ChartConfiguration => {
        const p = palette();
        const valueAxis = { beginAtZero: true, ...(max !== undefined ? { max } : {}), ticks: { color: p.muted, ...(unit === 'share' ? { callback: (v: string | number) => `${Math.round(Number(v) * 100)}%` } : {}) }, grid: { color: p.grid } };
        const labelAxis = { ticks: { color: p.text, autoSkip: false, ...shortLabels }, grid: { display: false } };
        return {
          type: 'bar',
          data: { labels: bars.map((b) => b.label), datasets: [{ label: valueLabel ?? (unit === 'share' ? 'Share' : 'Value'), data: bars.map((b) => b.value), backgroundColor: bars.map((b) => b.color ?? p.series[0]!), borderRadius: 3 }] },
          options: {
            indexAxis: h ? 'y' : 'x',
            plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => fmt(Number(ctx.raw)) } } },
            scales: h ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
          },
        };
      }}
    />
  );
}

/** 100% stacked horizontal bars: one row per group (Overall, then segments), one colour per scale point. */
export function StackedScale({ rows, points, summary }: { rows: { label: string; shares: number[] }[]; points: string[]; summary: string }) {
  return (
    <ChartCanvas
      summary={summary}
      height={Math.max(160, 34 * rows.length + 130)}
      table={{ columns: ['', ...points], rows: rows.map((r) => [r.label, ...r.shares.map((s) => formatPercent(s, 0))]) }}
      config={(): ChartConfiguration => {
        const p = palette();
        return {
          type: 'bar',
          data: {
            labels: rows.map((r) => r.label),
            datasets: points.map((pt, i) => ({ label: pt, data: rows.map((r) => r.shares[i] ?? 0), backgroundColor: p.scale(i, points.length), borderWidth: 0 })),
          },
          options: {
            indexAxis: 'y',
            plugins: { legend: { position: 'bottom', labels: { color: p.text, boxWidth: 12 } }, tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${formatPercent(Number(ctx.raw), 1)}` } } },
            scales: {
              x: { stacked: true, min: 0, max: 1, ticks: { color: p.muted, callback: (v) => `${Math.round(Number(v) * 100)}%` }, grid: { color: p.grid } },
              y: { stacked: true, ticks: { color: p.text, ...shortLabels }, grid: { display: false } },
            },
          },
        };
      }}
    />
  );
}

/** One value per segment group (mean, NPS, share), with its interval in the table. */
export function GroupBars({ groups, summary, label, unit }: { groups: { key: string; value: number; ci?: [number, number] | null | undefined; n: number }[]; summary: string; label: string; unit: 'share' | 'value' }) {
  const fmt = (v: number) => (unit === 'share' ? formatPercent(v, 1) : formatNumber(v, 2));
  return (
    <ChartCanvas
      summary={summary}
      height={Math.max(140, 30 * groups.length + 50)}
      table={{ columns: ['Group', label, '95% interval', 'n'], rows: groups.map((g) => [g.key, fmt(g.value), g.ci ? `${fmt(g.ci[0])} – ${fmt(g.ci[1])}` : '—', g.n]) }}
      config={(): ChartConfiguration => {
        const p = palette();
        return {
          type: 'bar',
          data: { labels: groups.map((g) => g.key), datasets: [{ label, data: groups.map((g) => g.value), backgroundColor: groups.map((_, i) => p.series[i % p.series.length]!), borderRadius: 3 }] },
          options: {
            indexAxis: 'y',
            plugins: { legend: { display: false } },
            scales: { x: { ticks: { color: p.muted }, grid: { color: p.grid } }, y: { ticks: { color: p.text, ...shortLabels }, grid: { display: false } } },
          },
        };
      }}
    />
  );
}
