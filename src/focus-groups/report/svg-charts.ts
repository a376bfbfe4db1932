/**
 * The charts of the HTML report as inline SVG strings: no script, no external
 * resource, every text escaped. Each chart has a <title> (its summary, read by
 * screen readers as the image's name) and fixed viewBox dimensions, so it
 * scales with the page and prints.
 */
import { escapeHtml as esc } from './escape.js';

export const PALETTE = ['#3b6fb6', '#e0893a', '#4f9d69', '#c0504d', '#8064a2', '#4bacc6', '#9b8c3a', '#d16ba5'];
/** Diverging, lowest point first (reds → grey → blues), for scales. */
export function scaleColors(points: number): string[] {
  const lo = [192, 80, 77];
  const mid = [200, 200, 200];
  const hi = [59, 111, 182];
  return Array.from({ length: points }, (_, i) => {
    const t = points === 1 ? 0.5 : i / (points - 1);
    const [a, b, u] = t < 0.5 ? [lo, mid, t * 2] : [mid, hi, (t - 0.5) * 2];
    return `rgb(${a.map((x, k) => Math.round(x + (b[k]! - x) * u)).join(',')})`;
  });
}

const W = 640;
const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * A row label in the chart's label column: one line of at most `n`
 * characters, or two broken between words (a word longer than a line is cut),
 * clipped with … only past that.
 */
export function labelLines(s: string, n: number): string[] {
  if (s.length <= n) return [s];
  const words = s.split(/\s+/);
  let first = '';
  let i = 0;
  for (; i < words.length; i++) {
    const next = first ? `${first} ${words[i]}` : words[i]!;
    if (next.length > n) break;
    first = next;
  }
  if (!first) return [s.slice(0, n), clip(s.slice(n), n)];
  return [first, clip(words.slice(i).join(' '), n)];
}

/** A right-aligned label ending at `x`, centred on `middle` (one or two lines of 12px text). */
function rowLabel(x: number, middle: number, lines: readonly string[]): string {
  if (lines.length === 1) return `<text x="${x}" y="${middle + 4}" text-anchor="end" font-size="12">${esc(lines[0]!)}</text>`;
  return `<text x="${x}" y="${middle - 3}" text-anchor="end" font-size="12">${lines.map((l, k) => `<tspan x="${x}"${k ? ' dy="14"' : ''}>${esc(l)}</tspan>`).join('')}</text>`;
}

/** Characters of 12px text that fit in a label column `width` wide (about 6.3px each, and a margin). */
const fits = (width: number) => Math.floor((width - 10) / 6.3);

function svg(width: number, height: number, title: string, body: string): string {
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" class="chart"><title>${esc(title)}</title>${body}</svg>`;
}

export interface HBar {
  label: string;
  value: number;
  /** [lower, upper] in the value's units. */
  ci?: readonly [number, number] | null | undefined;
  note?: string;
  color?: string | undefined;
}

/**
 * Horizontal bars from `min` to `max` (a zero line when min < 0), with interval whiskers.
 * `format` renders a value at the bar's end.
 */
export function horizontalBars(title: string, bars: readonly HBar[], options: { min?: number; max: number; format: (x: number) => string }): string {
  const labelW = 200;
  const valueW = 110;
  const plotW = W - labelW - valueW;
  const labels = bars.map((b) => labelLines(b.label, fits(labelW)));
  const two = labels.some((l) => l.length > 1);
  const rowH = two ? 36 : 26;
  const min = options.min ?? 0;
  const span = options.max - min || 1;
  const x = (v: number) => labelW + ((Math.min(options.max, Math.max(min, v)) - min) / span) * plotW;
  const zero = x(0);
  const rows = bars.map((b, i) => {
    const y = i * rowH + 4 + (two ? 5 : 0);
    const x0 = Math.min(zero, x(b.value));
    const w = Math.max(1, Math.abs(x(b.value) - zero));
    const whisker = b.ci ? `<line x1="${x(b.ci[0]).toFixed(1)}" x2="${x(b.ci[1]).toFixed(1)}" y1="${y + 9}" y2="${y + 9}" stroke="#222" stroke-width="1.5"/><line x1="${x(b.ci[0]).toFixed(1)}" x2="${x(b.ci[0]).toFixed(1)}" y1="${y + 4}" y2="${y + 14}" stroke="#222"/><line x1="${x(b.ci[1]).toFixed(1)}" x2="${x(b.ci[1]).toFixed(1)}" y1="${y + 4}" y2="${y + 14}" stroke="#222"/>` : '';
    return (
      rowLabel(labelW - 6, y + 9, labels[i]!) +
      `<rect x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${b.color ?? PALETTE[0]}"/>${whisker}` +
      `<text x="${W - valueW + 6}" y="${y + 13}" font-size="12">${esc(options.format(b.value))}${b.note ? ` <tspan fill="#666">${esc(b.note)}</tspan>` : ''}</text>`
    );
  });
  const height = bars.length * rowH + (two ? 4 : 8);
  const axis = min < 0 ? `<line x1="${zero.toFixed(1)}" x2="${zero.toFixed(1)}" y1="0" y2="${height - 4}" stroke="#888"/>` : '';
  return svg(W, height, title, rows.join('') + axis);
}

export interface VBar {
  label: string;
  /** 0–1. */
  share: number;
  color?: string | undefined;
}

/** Vertical bars of shares (a distribution over a scale's points), the share above each. */
export function verticalBars(title: string, bars: readonly VBar[]): string {
  const top = 18;
  const plotH = 150;
  const bottom = 34;
  const max = Math.max(0.0001, ...bars.map((b) => b.share));
  const slot = (W - 20) / Math.max(1, bars.length);
  const bw = Math.max(4, Math.min(48, slot * 0.7));
  const body = bars
    .map((b, i) => {
      const cx = 10 + slot * (i + 0.5);
      const h = (b.share / max) * plotH;
      return (
        `<rect x="${(cx - bw / 2).toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${bw.toFixed(1)}" height="${Math.max(0.5, h).toFixed(1)}" fill="${b.color ?? PALETTE[0]}"/>` +
        (bars.length <= 21 ? `<text x="${cx.toFixed(1)}" y="${(top + plotH - h - 4).toFixed(1)}" text-anchor="middle" font-size="10">${fmt(b.share * 100, 0)}%</text>` : '') +
        `<text x="${cx.toFixed(1)}" y="${top + plotH + 14}" text-anchor="middle" font-size="11">${esc(clip(b.label, Math.max(3, Math.floor(slot / 6.5))))}</text>`
      );
    })
    .join('');
  return svg(W, top + plotH + bottom, title, `<line x1="10" x2="${W - 10}" y1="${top + plotH}" y2="${top + plotH}" stroke="#888"/>${body}`);
}

/** One 100% stacked bar per row (Likert and other scales: overall and per group), with a legend. */
export function stackedBars(title: string, rows: readonly { label: string; shares: readonly number[] }[], legend: readonly string[], colors: readonly string[]): string {
  const labelW = 200;
  const plotW = W - labelW - 10;
  const labels = rows.map((r) => labelLines(r.label, fits(labelW)));
  const two = labels.some((l) => l.length > 1);
  const rowH = two ? 34 : 24;
  const legendRows = Math.ceil(legend.length / 3);
  const body = rows
    .map((r, i) => {
      const y = i * rowH + 4 + (two ? 4 : 0);
      const total = r.shares.reduce((a, b) => a + b, 0) || 1;
      let x = labelW;
      const parts = r.shares.map((s, k) => {
        const w = (s / total) * plotW;
        const part = `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(0, w).toFixed(1)}" height="18" fill="${colors[k]}"/>` + (w > 28 ? `<text x="${(x + w / 2).toFixed(1)}" y="${y + 13}" text-anchor="middle" font-size="10" fill="#fff">${fmt((s / total) * 100, 0)}%</text>` : '');
        x += w;
        return part;
      });
      return `${rowLabel(labelW - 6, y + 9, labels[i]!)}${parts.join('')}`;
    })
    .join('');
  const ly = rows.length * rowH + 10;
  const legendSvg = legend
    .map((l, k) => {
      const col = k % 3;
      const row = Math.floor(k / 3);
      const x = 10 + col * ((W - 20) / 3);
      const y = ly + row * 18;
      return `<rect x="${x}" y="${y}" width="12" height="12" fill="${colors[k]}"/><text x="${x + 16}" y="${y + 10}" font-size="11">${esc(clip(l, 32))}</text>`;
    })
    .join('');
  return svg(W, ly + legendRows * 18 + 4, title, body + legendSvg);
}

/** NPS: the detractor / passive / promoter split as one bar, and the score with its interval on a −100 … 100 axis. */
export function npsChart(title: string, nps: { score: number; promoters: number; passives: number; detractors: number }, ci: readonly [number, number] | null | undefined): string {
  const left = 20;
  const plotW = W - 40;
  const split = [
    { share: nps.detractors, color: '#c0504d', label: 'Detractors (0–6)' },
    { share: nps.passives, color: '#bbbbbb', label: 'Passives (7–8)' },
    { share: nps.promoters, color: '#4f9d69', label: 'Promoters (9–10)' },
  ];
  let x = left;
  const bar = split
    .map((s) => {
      const w = s.share * plotW;
      const out = `<rect x="${x.toFixed(1)}" y="6" width="${Math.max(0, w).toFixed(1)}" height="22" fill="${s.color}"/>` + (w > 60 ? `<text x="${(x + w / 2).toFixed(1)}" y="21" text-anchor="middle" font-size="11" fill="#fff">${esc(s.label)} ${fmt(s.share * 100, 0)}%</text>` : '');
      x += w;
      return out;
    })
    .join('');
  const ax = (v: number) => left + ((Math.max(-100, Math.min(100, v)) + 100) / 200) * plotW;
  const ticks = [-100, -50, 0, 50, 100].map((t) => `<line x1="${ax(t)}" x2="${ax(t)}" y1="56" y2="62" stroke="#888"/><text x="${ax(t)}" y="76" text-anchor="middle" font-size="10">${t}</text>`).join('');
  const interval = ci ? `<line x1="${ax(ci[0]).toFixed(1)}" x2="${ax(ci[1]).toFixed(1)}" y1="50" y2="50" stroke="#222" stroke-width="2"/><line x1="${ax(ci[0]).toFixed(1)}" x2="${ax(ci[0]).toFixed(1)}" y1="44" y2="56" stroke="#222"/><line x1="${ax(ci[1]).toFixed(1)}" x2="${ax(ci[1]).toFixed(1)}" y1="44" y2="56" stroke="#222"/>` : '';
  const marker = `<circle cx="${ax(nps.score).toFixed(1)}" cy="50" r="5" fill="#3b6fb6"/><text x="${ax(nps.score).toFixed(1)}" y="41" text-anchor="middle" font-size="12" font-weight="bold">NPS ${fmt(nps.score, 1)}</text>`;
  return svg(W, 84, title, `${bar}<line x1="${left}" x2="${left + plotW}" y1="56" y2="56" stroke="#888"/>${ticks}${interval}${marker}`);
}

/** Rows × columns of shares as shaded cells (a matrix question's answers per row). */
export function heatmap(title: string, rows: readonly { label: string; shares: readonly number[] }[], columns: readonly string[]): string {
  const labelW = 160;
  const cellW = Math.min(80, (W - labelW - 10) / Math.max(1, columns.length));
  const labels = rows.map((r) => labelLines(r.label, fits(labelW)));
  const cellH = labels.some((l) => l.length > 1) ? 32 : 24;
  const head = columns.map((c, j) => `<text x="${(labelW + cellW * (j + 0.5)).toFixed(1)}" y="14" text-anchor="middle" font-size="10">${esc(clip(c, Math.floor(cellW / 6)))}</text>`).join('');
  const body = rows
    .map((r, i) => {
      const y = 20 + i * cellH;
      const cells = r.shares
        .map((s, j) => {
          const a = Math.max(0.04, Math.min(1, s));
          return `<rect x="${(labelW + cellW * j).toFixed(1)}" y="${y}" width="${(cellW - 2).toFixed(1)}" height="${cellH - 2}" fill="rgba(59,111,182,${a.toFixed(3)})"/><text x="${(labelW + cellW * (j + 0.5)).toFixed(1)}" y="${y + cellH / 2 + 3}" text-anchor="middle" font-size="10" fill="${a > 0.5 ? '#fff' : '#222'}">${fmt(s * 100, 0)}%</text>`;
        })
        .join('');
      return `${rowLabel(labelW - 6, y + (cellH - 2) / 2, labels[i]!)}${cells}`;
    })
    .join('');
  return svg(W, 24 + rows.length * cellH, title, head + body);
}
