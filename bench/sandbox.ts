/**
 * Sandbox engine benchmark: how many answers a second the deterministic engine
 * writes, in process (no server, no database) — the engine every test key and
 * every free focus group runs on (issue 13). Three kinds of request over the
 * fixed corpus of the voice tests (test/providers/sandbox-corpus.ts: 5 personas
 * × 20 research questions), side by side in one run:
 *
 *   text      a plain answer in the persona's voice;
 *   analysis  the same, with the lexicon analysis of the answer (analysis_mode on a test key);
 *   json      a focus-group answer: a strict JSON schema {reasoning, score 0-10}.
 *
 *   npm run bench:sandbox                  # 7 timed rounds of the corpus per kind after a warm-up
 *   BENCH_SANDBOX_ROUNDS=3 npm run bench:sandbox
 *
 * Prints, per kind, the median answers/s over the rounds and the median and
 * p95 time of one answer. Compare runs on the same machine only.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { analyzeWithLexicon } from '../src/analysis/lexicon.js';
import { planSandboxResponse } from '../src/providers/sandbox/index.js';
import type { ProviderRequest } from '../src/providers/types.js';
import { CORPUS_PERSONAS, CORPUS_QUESTIONS, loadPersona } from '../test/providers/sandbox-corpus.js';
import { median, percentile, sortedCopy } from './lib/stats.js';

const ROUNDS = Number(process.env.BENCH_SANDBOX_ROUNDS ?? 7);
const personas = CORPUS_PERSONAS.map(loadPersona);
const signal = new AbortController().signal;

const SCORE_SCHEMA = {
  type: 'object',
  properties: { reasoning: { type: 'string', maxLength: 400 }, score: { type: 'integer', minimum: 0, maximum: 10 } },
  required: ['reasoning', 'score'],
  additionalProperties: false,
};

type Kind = 'text' | 'analysis' | 'json';

function request(persona: (typeof personas)[number], question: string, kind: Kind): ProviderRequest {
  return {
    persona,
    items: [{ type: 'message', role: 'user', content: [{ type: 'text', text: question }] }],
    tools: [],
    toolChoice: { mode: 'auto' },
    parallelToolCalls: true,
    format: kind === 'json' ? { type: 'json_schema', name: 'answer', schema: SCORE_SCHEMA, strict: true } : { type: 'text' },
    sampling: {},
    signal,
  };
}

/** One answer; returns its length so the work cannot be optimized away. */
function answer(persona: (typeof personas)[number], question: string, kind: Kind): number {
  const plan = planSandboxResponse(request(persona, question, kind));
  if (plan.kind !== 'text') throw new Error(`expected a text plan for ${question}`);
  if (kind === 'analysis') {
    const a = analyzeWithLexicon({ persona, question, answer: plan.text, mode: 'test', signal } as Parameters<typeof analyzeWithLexicon>[0]);
    return plan.text.length + a.key_insights.length;
  }
  return plan.text.length;
}

function round(kind: Kind, perAnswer: number[]): number {
  let sink = 0;
  const start = performance.now();
  for (const p of personas) {
    for (const q of CORPUS_QUESTIONS) {
      const t = performance.now();
      sink += answer(p, q, kind);
      perAnswer.push(performance.now() - t);
    }
  }
  const ms = performance.now() - start;
  if (sink === 0) throw new Error('no output');
  return (personas.length * CORPUS_QUESTIONS.length) / (ms / 1000);
}

const kinds: Kind[] = ['text', 'analysis', 'json'];
const lines: string[] = [];
for (const kind of kinds) round(kind, []); // warm-up (JIT, caches)
for (const kind of kinds) {
  const rates: number[] = [];
  const per: number[] = [];
  for (let r = 0; r < ROUNDS; r++) rates.push(round(kind, per));
  lines.push(`| ${kind} | ${Math.round(median(rates))} | ${(median(per) * 1000).toFixed(0)} | ${(percentile(sortedCopy(per), 95) * 1000).toFixed(0)} |`);
}
console.log(`Sandbox engine, ${personas.length} personas × ${CORPUS_QUESTIONS.length} questions, ${ROUNDS} rounds per kind; ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}`);
console.log('');
console.log('| kind | answers/s (median round) | µs per answer p50 | p95 |');
console.log('|---|---:|---:|---:|');
for (const l of lines) console.log(l);
