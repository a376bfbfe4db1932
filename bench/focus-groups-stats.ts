/**
 * Focus-group statistics benchmark: the aggregation behind `GET /v1/focus-groups/{id}/results`
 * for a 10,000-respondent × 20-question study (issue 12's target: under 1 s), in process,
 * on generated answers — no server, no database: this measures the statistics alone.
 *
 *   npm run bench:stats                 # 10,000 × 20, 5 timed runs after a warm-up
 *   BENCH_STATS_RESPONDENTS=2000 BENCH_STATS_RUNS=3 npm run bench:stats
 *
 * The study: 20 questions of every type (4 likert, 2 nps, 2 rating, 2 slider, 1 semantic
 * differential, 2 yes/no, 2 multiple choice (one multi-select), 1 ranking, 1 maxdiff,
 * 1 conjoint, 1 matrix of 5 rows, 1 open-ended); 3 segment attributes (persona: 5 groups,
 * age band: 4, region: 4); raking weights to age and region targets; B = 1,000 bootstrap
 * replicates. Prints the median wall time of the whole results document and per question type.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Answer } from '../src/focus-groups/answer-types.js';
import { createRng, questionResults, rake, type QuestionSpec, type RespondentAnswer } from '../src/focus-groups/stats/index.js';

const env = process.env;
const RESPONDENTS = Number(env.BENCH_STATS_RESPONDENTS ?? 10_000);
const RUNS = Number(env.BENCH_STATS_RUNS ?? 5);
const rng = createRng(2025);

const personas = ['gen-z-digital-native', 'busy-parent', 'retiree', 'small-business-owner', 'student'];
const ages = ['18-24', '25-34', '35-54', '55+'];
const regions = ['North', 'South', 'East', 'West'];
const words = ['price', 'quality', 'delivery', 'taste', 'brand', 'support', 'app', 'design', 'value', 'packaging', 'speed', 'trust'];

const questions: QuestionSpec[] = [
  ...[1, 2, 3, 4].map((i): QuestionSpec => ({ id: `likert_${i}`, type: 'likert', scale: i % 2 ? 5 : 7 })),
  { id: 'nps_1', type: 'nps' },
  { id: 'nps_2', type: 'nps', reference: [0.05, 0.03, 0.04, 0.05, 0.05, 0.1, 0.1, 0.15, 0.18, 0.12, 0.13] },
  { id: 'rating_1', type: 'rating', max: 10 },
  { id: 'rating_2', type: 'rating', max: 5 },
  { id: 'slider_1', type: 'slider' },
  { id: 'slider_2', type: 'slider' },
  { id: 'sd_1', type: 'semantic_differential', left: 'cheap', right: 'premium' },
  { id: 'yes_1', type: 'yes_no' },
  { id: 'yes_2', type: 'yes_no' },
  { id: 'mc_1', type: 'multiple_choice', options: ['A', 'B', 'C', 'D', 'E'] },
  { id: 'mc_2', type: 'multiple_choice', options: ['A', 'B', 'C', 'D', 'E', 'F'], multiple: true },
  { id: 'rank_1', type: 'ranking', options: ['A', 'B', 'C', 'D', 'E'] },
  { id: 'maxdiff_1', type: 'maxdiff', options: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] },
  { id: 'conjoint_1', type: 'conjoint', attributes: [{ name: 'price', levels: ['$5', '$10', '$15'] }, { name: 'brand', levels: ['X', 'Y'] }, { name: 'size', levels: ['S', 'M', 'L'] }] },
  { id: 'matrix_1', type: 'matrix', rows: ['r1', 'r2', 'r3', 'r4', 'r5'], scale: 5 },
  { id: 'open_1', type: 'open_ended' },
];

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

function answerFor(q: QuestionSpec, tilt: number): Answer {
  const point = (k: number): number => Math.min(k, Math.max(1, Math.round((k + 1) / 2 + tilt * (k / 4) + (rng.next() - 0.5) * k * 0.8)));
  switch (q.type) {
    case 'likert':
      return { value: point(q.scale) };
    case 'nps':
      return { value: point(11) - 1 };
    case 'rating':
      return { value: point(q.max) };
    case 'slider':
      return { value: Math.min(100, Math.max(0, Math.round(50 + tilt * 20 + (rng.next() - 0.5) * 60))) };
    case 'semantic_differential':
      return { value: point(7) };
    case 'yes_no':
      return { value: rng.next() < 0.5 + tilt * 0.2 };
    case 'multiple_choice':
      return { selected: q.multiple ? q.options.filter(() => rng.next() < 0.35) : [q.options[rng.nextInt(q.options.length)]!] };
    case 'ranking':
      return { order: shuffle([...q.options]) };
    case 'maxdiff':
      return {
        tasks: Array.from({ length: 4 }, () => {
          const shown = shuffle([...q.options]).slice(0, 4);
          return { shown, best: shown[0]!, worst: shown[3]! };
        }),
      };
    case 'conjoint':
      return {
        tasks: Array.from({ length: 4 }, () => ({
          shown: [0, 1, 2].map(() => Object.fromEntries(q.attributes.map((a) => [a.name, a.levels[rng.nextInt(a.levels.length)]!]))),
          chosen: rng.next() < 0.1 ? null : rng.nextInt(3),
        })),
      };
    case 'matrix':
      return { rows: Object.fromEntries(q.rows.map((r) => [r, { value: point(q.scale) }])) };
    case 'open_ended':
      return { text: `I care about the ${words[rng.nextInt(words.length)]} and the ${words[rng.nextInt(words.length)]}, mostly the ${words[rng.nextInt(words.length)]}.` };
    default:
      throw new Error('unreachable');
  }
}

// Respondents, their segments and raking weights (age and region targets).
const profiles = Array.from({ length: RESPONDENTS }, (_, i) => ({
  persona: personas[i % personas.length]!,
  age_band: ages[Math.min(3, Math.floor(rng.next() * rng.next() * 5))]!,
  region: regions[rng.nextInt(4)]!,
}));
const t0 = performance.now();
const raked = rake(profiles, { age_band: { '18-24': 0.12, '25-34': 0.18, '35-54': 0.33, '55+': 0.37 }, region: { North: 0.2, South: 0.35, East: 0.2, West: 0.25 } }, { trim: { max: 5 } });
const rakeMs = performance.now() - t0;
const answers = questions.map((q) =>
  profiles.map((p, i): RespondentAnswer<Answer> => ({ answer: rng.next() < 0.03 ? null : answerFor(q, personas.indexOf(p.persona) / 2 - 1), weight: raked.weights[i]!, segments: p, respondent_id: `resp_${i}` })),
);
const options = { seed: 'bench', segmentBy: ['persona', 'age_band', 'region'] };

/** Wall time, and this process's CPU time (user + system): on a shared machine the CPU time is the steadier figure. */
function runOnce(): { totalMs: number; cpuMs: number; byType: Map<string, number> } {
  const byType = new Map<string, number>();
  const start = performance.now();
  const cpu = process.cpuUsage();
  questions.forEach((q, i) => {
    const t = process.cpuUsage();
    const r = questionResults(q, answers[i]!, options);
    if (r.n === 0) throw new Error(`no answers for ${q.id}`);
    const used = process.cpuUsage(t);
    byType.set(q.type, (byType.get(q.type) ?? 0) + (used.user + used.system) / 1000);
  });
  const used = process.cpuUsage(cpu);
  return { totalMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000, byType };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
runOnce(); // warm-up (JIT)
const runs = Array.from({ length: RUNS }, runOnce);
const totals = runs.map((r) => r.totalMs);
const cpus = runs.map((r) => r.cpuMs);
const json = JSON.stringify(questions.map((q, i) => questionResults(q, answers[i]!, options)));
process.stdout.write(
  [
    `# Focus-group statistics: ${RESPONDENTS.toLocaleString('en-US')} respondents × ${questions.length} questions`,
    '',
    `Node ${process.version}; 3 segment attributes (5 + 4 + 4 groups), raking weights (${raked.iterations} IPF sweeps, ${rakeMs.toFixed(1)} ms, design effect ${raked.designEffect.toFixed(2)}), B = 1,000.`,
    '',
    `- whole results document: median ${median(totals).toFixed(0)} ms wall, ${median(cpus).toFixed(0)} ms CPU over ${RUNS} runs (wall min ${Math.min(...totals).toFixed(0)}, max ${Math.max(...totals).toFixed(0)}); ${(json.length / 1024).toFixed(0)} KiB of JSON`,
    `- machine: load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores when it finished`,
    '',
    '| question type | questions | median CPU ms |',
    '|---|---:|---:|',
    ...[...runs[0]!.byType.keys()].map((type) => `| ${type} | ${questions.filter((q) => q.type === type).length} | ${median(runs.map((r) => r.byType.get(type)!)).toFixed(1)} |`),
    '',
  ].join('\n'),
);
