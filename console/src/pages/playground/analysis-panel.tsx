/** Analysis mode's reading of the answer: emotion and confidence as a small chart (1–10), biases with their quoted evidence, key insights. */
import type { Analysis } from '../../api/types';
import { ChartCanvas, palette } from '../../charts/chart-canvas';

const METRICS: { key: string; label: string; get: (a: Analysis) => number }[] = [
  { key: 'valence', label: 'Valence', get: (a) => a.emotion.emotional_valence },
  { key: 'arousal', label: 'Arousal', get: (a) => a.emotion.arousal },
  { key: 'dominance', label: 'Dominance', get: (a) => a.emotion.dominance },
  { key: 'confidence', label: 'Confidence', get: (a) => a.confidence },
];

export function AnalysisPanel({ analysis }: { analysis: Analysis }) {
  const values = METRICS.map((m) => m.get(analysis));
  return (
    <div class="analysis">
      <ChartCanvas
        height={170}
        summary={`Analysis scores out of 10: ${METRICS.map((m, i) => `${m.label} ${values[i]}`).join(', ')}.`}
        table={{ columns: ['Measure', 'Score (1–10)'], rows: METRICS.map((m, i) => [m.label, values[i]!]) }}
        config={() => {
          const p = palette();
          return {
            type: 'bar',
            data: {
              labels: METRICS.map((m) => m.label),
              datasets: [{ label: 'Score', data: values, backgroundColor: [p.series[0]!, p.series[1]!, p.series[2]!, p.series[3]!], borderRadius: 4 }],
            },
            options: {
              indexAxis: 'y',
              plugins: { legend: { display: false } },
              scales: {
                x: { min: 0, max: 10, ticks: { stepSize: 1, color: p.muted }, grid: { color: p.grid } },
                y: { ticks: { color: p.text }, grid: { display: false } },
              },
            },
          };
        }}
        caption="1 = very negative / calm / powerless / hedged … 10 = very positive / intense / in control / certain"
      />
      <div class="analysis-lists">
        <div>
          <h3>Biases</h3>
          {analysis.biases.length === 0 ? (
            <p class="muted">None detected.</p>
          ) : (
            <ul class="bias-list">
              {analysis.biases.map((b, i) => (
                <li key={i}>
                  <strong>{b.name}</strong> — {b.description}
                  <blockquote>{b.evidence}</blockquote>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h3>Key insights</h3>
          <ul class="insight-list">
            {analysis.key_insights.map((k, i) => (
              <li key={i}>{k}</li>
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}
