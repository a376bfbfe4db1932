/**
 * Focus-group benchmarks (issue 12), run by `npm run bench` after the gateway
 * benchmark, or alone: `npm run bench:focus-groups` (= `npm run bench -- focus-groups`).
 * Writes bench/focus-group-studies.md.
 *
 *  A. Sandbox study, 1,000 respondents × 10 questions (test key, fresh `cohort serve`):
 *     wall time, answers/s, peak RSS, and how Cohort's CPU splits between the sandbox
 *     engine (every sample with a src/providers/sandbox/ frame on its stack: the stand-in
 *     for the model) and the orchestration (runner, structured output, SQLite, HTTP, GC…),
 *     from a CPU profile of the server (1 ms sampling).
 *  B. Live key against the mock upstream (bench/upstream.ts, 20 ms, structured answers):
 *     answers/s of a study with 64 respondents in flight (COHORT_FOCUS_GROUP_CONCURRENCY
 *     and _SERVER_CONCURRENCY 64) against the same server's `/v1/responses` throughput at
 *     64 connections (non-streaming, persona on), alternating, medians of the rounds.
 *  C. Sandbox study, 10,000 respondents: peak RSS (target < 300 MB) through the run, its
 *     GET …/results and its CSV export.
 *
 * Tunables: BENCH_FG_A_RESPONDENTS (1000), BENCH_FG_B_RESPONDENTS (512 per study round),
 * BENCH_FG_B_ROUNDS (3), BENCH_FG_C_RESPONDENTS (10000), BENCH_FG_C_QUESTIONS (3),
 * BENCH_FG_ONLY (a,b,c: a subset), BENCH_UPSTREAM_DELAY_MS (20).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stackShare, type CpuProfile } from './lib/cpuprofile.js';
import { closedLoop, newAgent, send, type RequestSpec } from './lib/load.js';
import { killAll, machineInfo, procCpuMs, procStatus, startChild, type Child } from './lib/procs.js';
import { fmtInt, fmtMB, median } from './lib/stats.js';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const env = process.env;
const num = (v: string | undefined, fallback: number): number => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : fallback);
const A_RESPONDENTS = num(env.BENCH_FG_A_RESPONDENTS, 1000);
const B_RESPONDENTS = num(env.BENCH_FG_B_RESPONDENTS, 512);
const B_ROUNDS = num(env.BENCH_FG_B_ROUNDS, 3);
const B_ROUND_MS = num(env.BENCH_FG_B_ROUND_MS, 3000);
const C_RESPONDENTS = num(env.BENCH_FG_C_RESPONDENTS, 10_000);
const C_QUESTIONS = num(env.BENCH_FG_C_QUESTIONS, 3);
const ONLY = new Set((env.BENCH_FG_ONLY ?? 'a,b,c').split(',').map((s) => s.trim().toLowerCase()));
const UPSTREAM_DELAY_MS = num(env.BENCH_UPSTREAM_DELAY_MS, 20);
const CONCURRENCY = 64;
const PERSONAS = ['millennial-suburban-parent', 'budget-conscious-single-parent', 'urban-young-professional'];

const T0 = performance.now();
const log = (msg: string): void => void process.stderr.write(`[${((performance.now() - T0) / 1000).toFixed(1).padStart(5)} s] fg: ${msg}\n`);

/** Ten questions of ten types, no skip logic (every answer slot is a model call). */
export const BENCH_QUESTIONS = [
  { id: 'nps', type: 'nps', text: 'How likely are you to recommend FreshBox to a friend?' },
  { id: 'appeal', type: 'likert', text: 'FreshBox would make my weeknights easier.', scale: 5 },
  { id: 'price', type: 'rating', text: 'How fair is $59 a month for 2 meals a week?', min: 1, max: 10 },
  { id: 'trial', type: 'yes_no', text: 'Would you try a first box at half price?' },
  { id: 'cook', type: 'multiple_choice', text: 'How do you handle weeknight dinners?', options: ['Cook from scratch', 'Mix', 'Takeout', 'Ready meals'] },
  { id: 'features', type: 'ranking', text: 'Rank what matters most in a meal kit.', options: ['Price', 'Cooking time', 'Healthy recipes', 'Less waste'] },
  { id: 'spend', type: 'slider', text: 'How much of your food budget would go to meal kits (0–100%)?' },
  { id: 'feel', type: 'semantic_differential', text: 'FreshBox feels…', left: 'cheap', right: 'premium' },
  { id: 'grid', type: 'matrix', text: 'Rate FreshBox on each.', rows: ['Taste', 'Price', 'Convenience'], scale: 5 },
  { id: 'why', type: 'open_ended', text: 'What would make you sign up?', max_words: 40 },
] as const;

function studyBody(name: string, respondents: number, questions: readonly object[]) {
  return {
    name,
    respondents,
    personas: PERSONAS.map((persona_id, i) => ({ persona_id, share: [40, 35, 25][i] })),
    stimulus: { text: 'FreshBox delivers pre-portioned ingredients and recipes for healthy dinners in 30 minutes, from $59 a month.' },
    questions,
    seed: 42,
  };
}

// ---------------------------------------------------------------------------
// Processes

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { NODE_OPTIONS: '', PORT: '', HOST: '', COHORT_UPSTREAM_URL: '', COHORT_UPSTREAM_API_KEY: '', COHORT_DATABASE_URL: '', COHORT_REDIS_URL: '', COHORT_REDIS_PREFIX: '', COHORT_CONFIG: '', COHORT_MODEL_PATH: '', OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', OLLAMA_HOST: '127.0.0.1:9', COHORT_LOG_LEVEL: 'info', ...extra };
}

const START_NODE_FLAGS: string[] = (() => {
  const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: { start?: string } }).scripts?.start ?? '';
  return (/^node\s+(.*?)\s*bin\/cohort\.js/.exec(start)?.[1] ?? '').split(/\s+/).filter(Boolean);
})();

const execFileAsync = promisify(execFile);
async function cli(dataDir: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, ['bin/cohort.js', ...args, '--data-dir', dataDir], { cwd: ROOT, env: { ...process.env, ...childEnv() }, encoding: 'utf8' });
  return stdout;
}

/** An enterprise workspace with a live key (large grant, custom rpm/rpd) and a test key. */
async function setupWorkspace(dataDir: string): Promise<{ live: string; test: string }> {
  const live = JSON.parse(await cli(dataDir, ['keys', 'create', '--workspace', 'bench', '--create-workspace', '--plan', 'enterprise', '--json'])) as { key: string };
  const test = JSON.parse(await cli(dataDir, ['keys', 'create', '--workspace', 'bench', '--test', '--json'])) as { key: string };
  await cli(dataDir, ['workspaces', 'set-plan', 'bench', 'enterprise', '--rpm', '1000000000', '--rpd', '1000000000']);
  await cli(dataDir, ['credits', 'grant', '--workspace', 'bench', '--amount', '1000000000', '--reason', 'benchmark']);
  return { live: live.key, test: test.key };
}

async function startUpstream(): Promise<{ child: Child; port: number }> {
  const { child, match } = await startChild('upstream', ['--import', 'tsx', 'bench/upstream.ts'], {
    cwd: ROOT,
    env: childEnv({ BENCH_UPSTREAM_DELAY_MS: String(UPSTREAM_DELAY_MS) }),
    ready: /\{"port":(\d+)\}/,
  });
  return { child, port: Number(match[1]) };
}

async function startCohort(dataDir: string, extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<{ child: Child; port: number; url: string }> {
  const { child, match } = await startChild('cohort', [...START_NODE_FLAGS, ...nodeArgs, 'bin/cohort.js', 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    env: childEnv(extraEnv),
    ready: /Cohort listening on http:\/\/[^:\s]+:(\d+)/,
    stderrFile: path.join(dataDir, 'cohort-stderr.log'),
  });
  const port = Number(match[1]);
  return { child, port, url: `http://127.0.0.1:${port}` };
}

// ---------------------------------------------------------------------------
// A study over HTTP

interface StudyRun {
  id: string;
  wallMs: number;
  /** Answers per second between 10% and 90% of the slots settled (the steady state), from the polls. */
  steadyRate: number;
  answers: number;
  answered: number;
  failed: number;
  status: string;
  peakRss: number;
  hwm: number;
  cpuMs: number;
  /** µs of CLOCK_MONOTONIC, for the profile window. */
  windowUs: [number, number];
}

async function runStudy(url: string, key: string, body: object, pid: number, pollMs = 200): Promise<StudyRun> {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, procStatus(pid).rss);
    } catch {
      /* gone */
    }
  }, 50);
  const cpu0 = procCpuMs(pid);
  const w0 = Number(process.hrtime.bigint() / 1000n);
  const t0 = performance.now();
  try {
    const res = await fetch(`${url}/v1/focus-groups`, { method: 'POST', headers, body: JSON.stringify(body) });
    const created = (await res.json()) as { id: string; error?: unknown };
    if (res.status !== 202) throw new Error(`create: HTTP ${res.status} ${JSON.stringify(created)}`);
    const marks: Array<{ t: number; settled: number }> = [];
    for (;;) {
      await new Promise((r) => setTimeout(r, pollMs));
      const s = (await (await fetch(`${url}/v1/focus-groups/${created.id}`, { headers })).json()) as { status: string; progress: { answers_total: number; answers_completed: number; answers_failed: number; answers_skipped: number } };
      const p = s.progress;
      const settled = p.answers_completed + p.answers_failed + p.answers_skipped;
      marks.push({ t: performance.now(), settled });
      if (s.status === 'completed' || s.status === 'failed' || s.status === 'cancelled') {
        const wallMs = performance.now() - t0;
        const w1 = Number(process.hrtime.bigint() / 1000n);
        const at = (f: number) => marks.find((m) => m.settled >= f * p.answers_total);
        const [m10, m90] = [at(0.1), at(0.9)];
        const steadyRate = m10 && m90 && m90.t > m10.t ? ((m90.settled - m10.settled) * 1000) / (m90.t - m10.t) : (p.answers_total * 1000) / wallMs;
        return { id: created.id, wallMs, steadyRate, answers: p.answers_total, answered: p.answers_completed, failed: p.answers_failed, status: s.status, peakRss: Math.max(peakRss, procStatus(pid).rss), hwm: procStatus(pid).hwm, cpuMs: procCpuMs(pid) - cpu0, windowUs: [w0, w1] };
      }
    }
  } finally {
    clearInterval(sampler);
  }
}

// ---------------------------------------------------------------------------
// A. Sandbox, 1,000 × 10, with a CPU profile

interface AResult {
  run: StudyRun;
  engineShare: number;
  orchestrationShare: number;
  profiled: number;
}

async function benchA(tmp: string, key: string): Promise<AResult> {
  const profDir = path.join(tmp, 'profile-a');
  fs.mkdirSync(profDir);
  const cohort = await startCohort(tmp, {}, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=1000']);
  try {
    // Warm-up: a small study (JIT, statements, persona prompts).
    await runStudy(cohort.url, key, studyBody('warm-up', 30, BENCH_QUESTIONS), cohort.child.pid);
    log(`A: ${A_RESPONDENTS} respondents × ${BENCH_QUESTIONS.length} questions on the sandbox…`);
    const run = await runStudy(cohort.url, key, studyBody('A', A_RESPONDENTS, BENCH_QUESTIONS), cohort.child.pid, 500);
    await cohort.child.stop('SIGTERM');
    const file = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('A: no CPU profile written');
    const prof = JSON.parse(fs.readFileSync(path.join(profDir, file), 'utf8')) as CpuProfile;
    const share = stackShare(prof, { root: ROOT, windowUs: run.windowUs, inStack: (f) => f.startsWith('src/providers/sandbox/') });
    const busy = share.samples - share.idle;
    return { run, engineShare: share.matched / busy, orchestrationShare: (busy - share.matched) / busy, profiled: busy };
  } finally {
    await cohort.child.stop();
  }
}

// ---------------------------------------------------------------------------
// B. Live key, mock upstream: a study at 64 in flight vs /v1/responses at 64 connections

interface BResult {
  studyRates: number[];
  responsesRates: number[];
  /** Cohort's CPU (ms) per answer of the study / per /v1/responses request, per round. */
  studyCpu: number[];
  responsesCpu: number[];
  /** The load generator's (this process's) CPU ms per /v1/responses request. */
  loadGenCpu: number[];
  upstreamCpuResponses: number[];
  upstreamCpuStudy: number[];
  failed: number;
  responseErrors: number;
  firstError?: string;
}

async function benchB(tmp: string, key: string): Promise<BResult> {
  const upstream = await startUpstream();
  const cohort = await startCohort(tmp, {
    COHORT_UPSTREAM_URL: `http://127.0.0.1:${upstream.port}/v1`,
    COHORT_UPSTREAM_MODEL: 'bench-model',
    COHORT_FOCUS_GROUP_CONCURRENCY: String(CONCURRENCY),
    COHORT_FOCUS_GROUP_SERVER_CONCURRENCY: String(CONCURRENCY),
  });
  try {
    const spec: RequestSpec = {
      port: cohort.port,
      path: '/v1/responses',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: Buffer.from(JSON.stringify({ model: 'mavera-1', persona_id: PERSONAS[0], input: 'Would you pay $59 a month for FreshBox meal kits?' })),
      expect: ['Zq19', '"status":"completed"', '"credits_used":'],
    };
    const smoke = await send(spec, newAgent(1));
    if (!smoke.ok) throw new Error(`B: /v1/responses smoke test failed: ${smoke.error}`);
    // Warm-up both paths.
    await closedLoop(spec, CONCURRENCY, 1000);
    await runStudy(cohort.url, key, studyBody('warm-up', CONCURRENCY, BENCH_QUESTIONS), cohort.child.pid);
    const out: BResult = { studyRates: [], responsesRates: [], studyCpu: [], responsesCpu: [], loadGenCpu: [], upstreamCpuResponses: [], upstreamCpuStudy: [], failed: 0, responseErrors: 0 };
    for (let r = 0; r < B_ROUNDS; r++) {
      const cpu0 = procCpuMs(cohort.child.pid);
      const up0 = procCpuMs(upstream.child.pid);
      const lg0 = process.cpuUsage();
      const loop = await closedLoop(spec, CONCURRENCY, B_ROUND_MS);
      const lg = process.cpuUsage(lg0);
      out.loadGenCpu.push((lg.user + lg.system) / 1000 / Math.max(1, loop.completed));
      out.upstreamCpuResponses.push((procCpuMs(upstream.child.pid) - up0) / Math.max(1, loop.completed));
      out.responsesCpu.push((procCpuMs(cohort.child.pid) - cpu0) / Math.max(1, loop.completed));
      out.responsesRates.push(loop.rps);
      out.responseErrors += loop.errors;
      if (loop.firstError !== undefined) out.firstError ??= loop.firstError;
      const upS = procCpuMs(upstream.child.pid);
      const run = await runStudy(cohort.url, key, studyBody(`B${r}`, B_RESPONDENTS, BENCH_QUESTIONS), cohort.child.pid, 100);
      out.upstreamCpuStudy.push((procCpuMs(upstream.child.pid) - upS) / Math.max(1, run.answers));
      out.studyRates.push(run.steadyRate);
      out.studyCpu.push(run.cpuMs / Math.max(1, run.answers));
      out.failed += run.failed;
      log(`B round ${r + 1}/${B_ROUNDS}: /v1/responses ${fmtInt(loop.rps)} req/s (${loop.errors} errors, ${out.responsesCpu.at(-1)!.toFixed(2)} CPU ms each), study ${fmtInt(run.steadyRate)} answers/s (${out.studyCpu.at(-1)!.toFixed(2)} CPU ms each) (${run.answered} answered, ${run.failed} failed, ${(run.wallMs / 1000).toFixed(1)} s)`);
    }
    return out;
  } finally {
    await cohort.child.stop();
    await upstream.child.stop();
  }
}

// ---------------------------------------------------------------------------
// C. Sandbox, 10,000 respondents: memory through the run, the results and the export

/** V8's heap (used / total) and external memory of the server, from its /metrics. */
async function heapOf(url: string): Promise<{ used: number; total: number; external: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { used: value('nodejs_heap_size_used_bytes'), total: value('nodejs_heap_size_total_bytes'), external: value('nodejs_external_memory_bytes') };
}

const fmtHeap = (h: { used: number; total: number; external: number }) => `${fmtMB(h.used)} / ${fmtMB(h.total)} / ${fmtMB(h.external)}`;

interface CResult {
  heapBefore: { used: number; total: number; external: number };
  heapAfter: { used: number; total: number; external: number };
  run: StudyRun;
  resultsMs: number;
  exportMs: number;
  exportBytes: number;
  peakRss: number;
  hwm: number;
  baselineRss: number;
}

async function benchC(tmp: string, key: string): Promise<CResult> {
  const cohort = await startCohort(tmp);
  try {
    await runStudy(cohort.url, key, studyBody('warm-up', 30, BENCH_QUESTIONS.slice(0, C_QUESTIONS)), cohort.child.pid);
    const baselineRss = procStatus(cohort.child.pid).rss;
    const heapBefore = await heapOf(cohort.url);
    log(`C: ${C_RESPONDENTS} respondents × ${C_QUESTIONS} questions on the sandbox…`);
    const run = await runStudy(cohort.url, key, studyBody('C', C_RESPONDENTS, BENCH_QUESTIONS.slice(0, C_QUESTIONS)), cohort.child.pid, 1000);
    const heapAfter = await heapOf(cohort.url);
    let peakRss = run.peakRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, procStatus(cohort.child.pid).rss)), 20);
    const headers = { authorization: `Bearer ${key}` };
    try {
      let t = performance.now();
      const results = await fetch(`${cohort.url}/v1/focus-groups/${run.id}/results`, { headers });
      await results.arrayBuffer();
      const resultsMs = performance.now() - t;
      if (results.status !== 200) throw new Error(`C: results HTTP ${results.status}`);
      t = performance.now();
      const exp = await fetch(`${cohort.url}/v1/focus-groups/${run.id}/export?format=csv`, { headers });
      let exportBytes = 0;
      for await (const chunk of exp.body as unknown as AsyncIterable<Uint8Array>) exportBytes += chunk.length;
      const exportMs = performance.now() - t;
      return { heapBefore, heapAfter, run, resultsMs, exportMs, exportBytes, peakRss: Math.max(peakRss, procStatus(cohort.child.pid).rss), hwm: procStatus(cohort.child.pid).hwm, baselineRss };
    } finally {
      clearInterval(sampler);
    }
  } finally {
    await cohort.child.stop();
  }
}

// ---------------------------------------------------------------------------
// Report

const pc = (f: number): string => (Number.isFinite(f) ? `${(f * 100).toFixed(0)}%` : 'n/a');
const check = (label: string, pass: boolean, detail: string): string => `| ${pass ? 'PASS' : 'MISS'} | ${label} | ${detail} |`;

function report(a: AResult | undefined, b: BResult | undefined, c: CResult | undefined, wallS: number, load: number[]): string {
  const m = machineInfo();
  const out: string[] = [];
  out.push('# Focus-group benchmark', '');
  out.push(`Generated ${new Date().toISOString()} by \`npm run bench:focus-groups\` (${wallS.toFixed(0)} s in all).`, '');
  out.push(
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB.toFixed(1)} GiB RAM, ${m.os}; Node ${m.node}`,
    `- Load average before / after: ${load.map((l) => l.toFixed(1)).join(' / ')} (other work on the machine shares its cores)`,
    `- Cohort: \`node ${[...START_NODE_FLAGS, ''].join(' ')}bin/cohort.js serve\` (dist/), SQLite in a temp dir, a fresh process per scenario, default focus-group concurrency (8 per study, 32 per server) except in B`,
    `- Study: 3 personas (${PERSONAS.join(', ')}: 40/35/25%), ${BENCH_QUESTIONS.length} questions of ${BENCH_QUESTIONS.length} types (${BENCH_QUESTIONS.map((q) => q.type).join(', ')}), no skip logic, a concept text; followed by polling GET /v1/focus-groups/{id}`,
    '',
  );
  if (a) {
    const r = a.run;
    out.push('## A. Sandbox study, 1,000 respondents × 10 questions', '');
    out.push(
      `Test key (sandbox engine). Answers/s: all answers over the wall time (create → completed seen), and between 10% and 90% settled. CPU: the server process's (/proc), in cores while the study ran. Split: a CPU profile of the server (1 ms sampling) during the study; "sandbox engine" = samples with a \`src/providers/sandbox/\` frame on the stack (the stand-in for the model, with everything it calls), "orchestration" = every other busy sample (runner, prompts, structured-output validation, storage and SQLite, credits, HTTP, GC).`,
      '',
      '| respondents × questions | answers (failed) | wall time | answers/s (overall / steady) | server CPU | CPU ms per answer | peak RSS (sampled / VmHWM) | sandbox engine | orchestration (ms per answer) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| ${A_RESPONDENTS} × ${BENCH_QUESTIONS.length} | ${r.answered} (${r.failed}) | ${(r.wallMs / 1000).toFixed(1)} s | ${fmtInt((r.answers * 1000) / r.wallMs)} / ${fmtInt(r.steadyRate)} | ${(r.cpuMs / r.wallMs).toFixed(2)} cores | ${(r.cpuMs / r.answers).toFixed(2)} | ${fmtMB(r.peakRss)} / ${fmtMB(r.hwm)} | ${pc(a.engineShare)} | ${pc(a.orchestrationShare)} (${((a.orchestrationShare * r.cpuMs) / r.answers).toFixed(2)}) |`,
      '',
      `(${a.profiled} busy profile samples. The RSS includes the CPU profiler's own memory; C measures memory without it.)`,
      '',
    );
  }
  if (b) {
    const s = median(b.studyRates);
    const q = median(b.responsesRates);
    out.push(`## B. Live key, mock upstream (${UPSTREAM_DELAY_MS} ms): a study at ${CONCURRENCY} in flight vs /v1/responses at ${CONCURRENCY} connections`, '');
    out.push(
      `One Cohort process (COHORT_FOCUS_GROUP_CONCURRENCY = COHORT_FOCUS_GROUP_SERVER_CONCURRENCY = ${CONCURRENCY}), live key, credits held and debited. Alternating rounds: ${B_ROUND_MS} ms of closed-loop non-streaming \`POST /v1/responses\` (persona, store on) at ${CONCURRENCY} connections, then a study of ${B_RESPONDENTS} respondents × ${BENCH_QUESTIONS.length} questions (each answer a structured-output call the mock answers with a valid instance of its schema after ${UPSTREAM_DELAY_MS} ms; answers/s between 10% and 90% settled). Medians of ${B_ROUNDS} rounds.`,
      '',
      '| | rounds | median |',
      '|---|---|---:|',
      `| /v1/responses, req/s | ${b.responsesRates.map(fmtInt).join(', ')} | ${fmtInt(q)} |`,
      `| study, answers/s | ${b.studyRates.map(fmtInt).join(', ')} | ${fmtInt(s)} |`,
      `| study ÷ responses | | **${pc(s / q)}** |`,
      `| Cohort CPU ms per /v1/responses request | ${b.responsesCpu.map((v) => v.toFixed(2)).join(', ')} | ${median(b.responsesCpu).toFixed(2)} |`,
      `| Cohort CPU ms per study answer | ${b.studyCpu.map((v) => v.toFixed(2)).join(', ')} | ${median(b.studyCpu).toFixed(2)} |`,
      `| mock upstream CPU ms per /v1/responses request / per study answer | | ${median(b.upstreamCpuResponses).toFixed(2)} / ${median(b.upstreamCpuStudy).toFixed(2)} |`,
      `| load generator CPU ms per /v1/responses request (the study needs none) | ${b.loadGenCpu.map((v) => v.toFixed(2)).join(', ')} | ${median(b.loadGenCpu).toFixed(2)} |`,
      '',
      `Failed answers: ${b.failed}; /v1/responses errors: ${b.responseErrors}${b.firstError ? ` (first: ${b.firstError})` : ''}.`,
      '',
    );
  }
  if (c) {
    out.push(`## C. Sandbox study, ${fmtInt(C_RESPONDENTS)} respondents × ${C_QUESTIONS} questions: memory`, '');
    out.push(
      `RSS of the server process sampled every 50 ms through the study, then every 20 ms through its \`GET …/results\` and its CSV export (streamed); VmHWM at the end. ${C_QUESTIONS} questions (${BENCH_QUESTIONS.slice(0, C_QUESTIONS).map((q) => q.type).join(', ')}) keep the run to minutes on the sandbox; memory grows with the respondents in flight and with what is kept per study, not with the answers stored (they stream to SQLite).`,
      '',
      '| answers (failed) | wall time | answers/s | RSS before | peak RSS (sampled) | VmHWM | GET results | CSV export |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| ${fmtInt(c.run.answered)} (${c.run.failed}) | ${(c.run.wallMs / 1000).toFixed(0)} s | ${fmtInt((c.run.answers * 1000) / c.run.wallMs)} | ${fmtMB(c.baselineRss)} | ${fmtMB(c.peakRss)} | ${fmtMB(c.hwm)} | ${fmtInt(c.resultsMs)} ms | ${fmtInt(c.exportMs)} ms, ${fmtMB(c.exportBytes)} |`,
      '',
      `V8 heap used / heap total / external memory (from the server's /metrics): before the study ${fmtHeap(c.heapBefore)}, when it ended ${fmtHeap(c.heapAfter)}.`,
      '',
    );
  }
  out.push('## Targets', '', '| result | target | measured |', '|---|---|---|');
  if (b) {
    const ratio = median(b.studyRates) / median(b.responsesRates);
    out.push(check(`study at ${CONCURRENCY} in flight: answers/s ≥ 80% of /v1/responses at ${CONCURRENCY} connections`, ratio >= 0.8, `${pc(ratio)} (${fmtInt(median(b.studyRates))} vs ${fmtInt(median(b.responsesRates))})`));
  }
  if (c) {
    const peak = Math.max(c.peakRss, c.hwm);
    out.push(check(`${fmtInt(C_RESPONDENTS)}-respondent study: peak RSS < 300 MB`, peak < 300 * 1024 * 1024, `${fmtMB(peak)} (VmHWM)`));
  }
  return out.join('\n') + '\n';
}

/** Runs the scenarios (BENCH_FG_ONLY picks some), prints and writes bench/focus-group-studies.md. */
export async function focusGroupsBenchmark(): Promise<void> {
  const t0 = performance.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-bench-fg-'));
  const load0 = os.loadavg()[0]!;
  try {
    const keys = await setupWorkspace(tmp);
    const a = ONLY.has('a') ? await benchA(tmp, keys.test) : undefined;
    if (a) log(`A: ${(a.run.wallMs / 1000).toFixed(1)} s, ${fmtInt((a.run.answers * 1000) / a.run.wallMs)} answers/s, peak RSS ${fmtMB(a.run.peakRss)}, sandbox ${pc(a.engineShare)} / orchestration ${pc(a.orchestrationShare)}`);
    const b = ONLY.has('b') ? await benchB(tmp, keys.live) : undefined;
    const c = ONLY.has('c') ? await benchC(tmp, keys.test) : undefined;
    if (c) log(`C: ${(c.run.wallMs / 1000).toFixed(0)} s, peak RSS ${fmtMB(c.peakRss)}, VmHWM ${fmtMB(c.hwm)}, results ${fmtInt(c.resultsMs)} ms`);
    const text = report(a, b, c, (performance.now() - t0) / 1000, [load0, os.loadavg()[0]!]);
    process.stdout.write('\n' + text);
    fs.writeFileSync(path.join(ROOT, 'bench', 'focus-group-studies.md'), text);
    log('written to bench/focus-group-studies.md');
  } finally {
    killAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
