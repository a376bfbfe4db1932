/**
 * One Chart.js chart on a canvas, with its data as a table beside it: the
 * canvas is an image to assistive technology (role="img" with a summary),
 * the table ("Data") carries the numbers for screen readers, for copying and
 * for tests that read a chart.
 */
import type { ChartConfiguration } from 'chart.js';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface DataTable {
  columns: string[];
  rows: (string | number)[][];
}

/** The page's palette, read from CSS variables so charts follow light and dark themes. */
export function palette() {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#1b1d29'),
    muted: v('--muted', '#5a5f73'),
    grid: v('--border', '#d9dbe5'),
    series: [v('--c1', '#3b4cca'), v('--c2', '#d9822b'), v('--c3', '#0f9d8a'), v('--c4', '#c0397a'), v('--c5', '#6b7a0f'), v('--c6', '#7a4fd1'), v('--c7', '#2e7fb8'), v('--c8', '#9c5b1a')],
    scale: (i: number, n: number) => {
      // Diverging: red (low) → grey → blue (high), for scale points.
      const t = n <= 1 ? 0.5 : i / (n - 1);
      const lo = [196, 55, 52];
      const mid = [178, 181, 190];
      const hi = [44, 92, 197];
      const mix = (a: number[], b: number[], u: number) => a.map((x, k) => Math.round(x + (b[k]! - x) * u));
      const c = t < 0.5 ? mix(lo, mid, t * 2) : mix(mid, hi, (t - 0.5) * 2);
      return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
    },
  };
}

export function ChartCanvas({
  config,
  summary,
  table,
  height = 220,
  caption,
}: {
  config: () => ChartConfiguration;
  /** What the chart shows, in one sentence (the canvas's accessible name). */
  summary: string;
  table?: DataTable;
  height?: number;
  caption?: ComponentChildren;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  const key = JSON.stringify(table ?? summary);
  useEffect(() => {
    let chart: { destroy(): void } | undefined;
    let cancelled = false;
    import('./setup')
      .then(({ Chart }) => {
        if (cancelled || !canvas.current) return;
        const cfg = config();
        cfg.options = { responsive: true, maintainAspectRatio: false, ...cfg.options };
        chart = new Chart(canvas.current, cfg);
        setReady(true);
      })
      .catch((err: unknown) => setFailed(err instanceof Error ? err.message : String(err)));
    return () => {
      cancelled = true;
      chart?.destroy();
      setReady(false);
    };
    // The chart is rebuilt when its data changes.
  }, [key]);
  return (
    <figure class="chart" data-chart-ready={ready ? 'true' : 'false'}>
      <div class="chart-box" style={{ height: `${height}px` }}>
        <canvas ref={canvas} role="img" aria-label={summary} />
      </div>
      {failed ? <p class="muted small">The chart could not be drawn: {failed}</p> : null}
      {caption ? <figcaption class="muted small">{caption}</figcaption> : null}
      {table ? (
        <details class="chart-data">
          <summary>Data</summary>
          <div class="table-wrap" tabIndex={0}>
            <table class="table table-compact">
              <thead>
                <tr>
                  {table.columns.map((c) => (
                    <th scope="col" key={c}>
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.rows.map((r, i) => (
                  <tr key={i}>
                    {r.map((cell, j) => (j === 0 ? <th scope="row" key={j}>{cell}</th> : <td key={j}>{cell}</td>))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      ) : null}
    </figure>
  );
}
