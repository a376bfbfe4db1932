/**
 * Gateway benchmark: the mock upstream called directly, a minimal pass-through
 * proxy, and Cohort (built dist/, live key, persona, store and credits on,
 * real SQLite in a temp dir) side by side on the same machine.
 *
 *   npm run build && npm run bench        # ~4 minutes, writes bench/results.md
 *   BENCH_QUICK=1 npm run bench           # ~30-40 s
 *   npm run bench -- clients              # only the upstream client comparison (bench/upstream-clients.ts)
 *   npm run bench -- focus-groups         # only the focus-group scenarios (bench/focus-groups.ts),
 *                                         # also `npm run bench:focus-groups`; BENCH_FOCUS_GROUPS=0 skips them
 *   BENCH_PROFILE=1 npm run bench         # CPU profile of Cohort under 16-connection (BENCH_PROFILE_CONNS)
 *                                         # non-streaming load (BENCH_PROFILE_MODE=streaming:
 *                                         # streaming), writes bench/profile.md
 *
 * Processes: the upstream (bench/upstream.ts), the proxy (bench/proxy.ts) and
 * Cohort (`bin/cohort.js serve`) each run in their own child process; the
 * closed-loop load generator runs here. See bench/README.md for the method.
 *
 * Tunables (env): BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_CONCURRENCY (e.g. "1,16,64"),
 * BENCH_STREAMS (open streams for the RSS test, 1000), BENCH_HOLD_MS,
 * BENCH_PROFILE_MS, BENCH_UPSTREAM_DELAY_MS (20), BENCH_UPSTREAM_CHUNKS (20),
 * BENCH_UPSTREAM_GAP_MS (2).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_HTTP_TIMEOUTS } from '../src/backends.js';
import { summarizeProfile, type CpuProfile } from './lib/cpuprofile.js';
import { closedLoop, newAgent, send, type RequestSpec, type RoundResult } from './lib/load.js';
import { childPids, foreignLoadMeter, killAll, machineInfo, procCpuMs, setProcessPriority, waitForQuiet, procStatus, startChild, treeCpuMs, type Child } from './lib/procs.js';
import { fmtAdded, fmtInt, fmtMB, fmtMs, median, percentile, sortedCopy } from './lib/stats.js';
import { type ClientsOptions, upstreamClientsBenchmark } from './upstream-clients.js';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const env = process.env;
const num = (v: string | undefined, fallback: number): number => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : fallback);
const QUICK = env.BENCH_QUICK === '1';
const PROFILE = env.BENCH_PROFILE === '1';
const ROUNDS = num(env.BENCH_ROUNDS, QUICK ? 3 : 5);
const ROUND_MS = num(env.BENCH_ROUND_MS, QUICK ? 300 : 1200);
const WARMUP_MS = QUICK ? 300 : 1000;
const CONCURRENCY = (env.BENCH_CONCURRENCY ?? '1,16,64')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const STREAMS = num(env.BENCH_STREAMS, 1000);
/** How long all streams are kept open together (after the last one opened) while RSS is sampled. */
const HOLD_MS = num(env.BENCH_HOLD_MS, QUICK ? 500 : 1500);
/** Give up waiting for all streams to open after this long. */
const OPEN_TIMEOUT_MS = 60_000;
const PROFILE_MS = num(env.BENCH_PROFILE_MS, QUICK ? 5000 : 10000);
const UPSTREAM_DELAY_MS = num(env.BENCH_UPSTREAM_DELAY_MS, 20);
const UPSTREAM_CHUNKS = num(env.BENCH_UPSTREAM_CHUNKS, 20);
const UPSTREAM_GAP_MS = num(env.BENCH_UPSTREAM_GAP_MS, 2);
const PERSONA = 'gen-z-digital-native';
/**
 * BENCH_PRIORITY=-10: run the benchmark's processes at that nice value, so that on a
 * shared machine other processes take less CPU from them (needs privileges; opt-in).
 */
const PRIORITY = env.BENCH_PRIORITY !== undefined && env.BENCH_PRIORITY !== '' ? Number(env.BENCH_PRIORITY) : undefined;
function prioritize(...pids: number[]): void {
  if (PRIORITY === undefined) return;
  for (const pid of pids) if (!setProcessPriority(pid, PRIORITY)) log(`could not set the priority of pid ${pid} to ${PRIORITY}`);
}
/** Measuring waits until other processes use less than this many cores (a shared machine). */
const QUIET_CORES = num(env.BENCH_QUIET_CORES, 0.3);
let foreignLoad = { median: NaN, max: NaN };
let measureSeconds = NaN;
const QUESTION = 'Would you pay $15 a month for a meal-kit app?';

type Mode = 'non-streaming' | 'streaming';
type Target = 'direct' | 'proxy' | 'cohort' | 'workers';
const MODES: Mode[] = ['non-streaming', 'streaming'];
/**
 * BENCH_WORKERS (default 2; 0 or 1: off): also measure `cohort serve --workers N`
 * in the same run, on the same data, as a fourth target.
 */
const WORKERS = num(env.BENCH_WORKERS, 2);
const TARGETS: Target[] = WORKERS > 1 ? ['direct', 'proxy', 'cohort', 'workers'] : ['direct', 'proxy', 'cohort'];

/** The node flags of `npm start` (package.json), which the benchmark runs Cohort with. */
const START_NODE_FLAGS: string[] = (() => {
  const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: { start?: string } }).scripts?.start ?? '';
  return (/^node\s+(.*?)\s*bin\/cohort\.js/.exec(start)?.[1] ?? '').split(/\s+/).filter(Boolean);
})();

const T0 = performance.now();
const log = (msg: string): void => void process.stderr.write(`[${((performance.now() - T0) / 1000).toFixed(1).padStart(5)} s] ${msg}\n`);

// ---------------------------------------------------------------------------
// Processes

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Nothing from the caller's environment that would change what runs (another database, Redis, a log level…).
  return { NODE_OPTIONS: '', PORT: '', HOST: '', COHORT_UPSTREAM_API_KEY: '', COHORT_DATABASE_URL: '', COHORT_REDIS_URL: '', COHORT_REDIS_PREFIX: '', COHORT_LOG_LEVEL: 'info', ...extra };
}

async function startUpstream(): Promise<{ child: Child; port: number }> {
  const { child, match } = await startChild('upstream', ['--import', 'tsx', 'bench/upstream.ts'], {
    cwd: ROOT,
    env: childEnv({ BENCH_UPSTREAM_DELAY_MS: String(UPSTREAM_DELAY_MS), BENCH_UPSTREAM_CHUNKS: String(UPSTREAM_CHUNKS), BENCH_UPSTREAM_GAP_MS: String(UPSTREAM_GAP_MS) }),
    ready: /\{"port":(\d+)\}/,
  });
  return { child, port: Number(match[1]) };
}

async function startProxy(upstreamPort: number): Promise<{ child: Child; port: number }> {
  const { child, match } = await startChild('proxy', ['--import', 'tsx', 'bench/proxy.ts'], {
    cwd: ROOT,
    env: childEnv({ BENCH_PROXY_UPSTREAM_PORT: String(upstreamPort) }),
    ready: /\{"port":(\d+)\}/,
  });
  return { child, port: Number(match[1]) };
}

const execFileAsync = promisify(execFile);

async function cli(dataDir: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, ['bin/cohort.js', ...args, '--data-dir', dataDir], { cwd: ROOT, env: { ...process.env, ...childEnv() }, encoding: 'utf8' });
  return stdout;
}

/**
 * A workspace whose limits do not get in the way of a benchmark: enterprise plan with
 * custom rpm/rpd far above what the benchmark sends, and credits it cannot run out of
 * (credits are still held and debited for every request). Returns a live key.
 */
async function setupWorkspace(dataDir: string, name: string, customLimits = true): Promise<string> {
  const created = JSON.parse(await cli(dataDir, ['keys', 'create', '--workspace', name, '--create-workspace', '--plan', 'enterprise', '--json'])) as { key: string; mode: string };
  if (created.mode !== 'live') throw new Error(`expected a live key, got ${JSON.stringify(created)}`);
  await Promise.all([
    customLimits ? cli(dataDir, ['workspaces', 'set-plan', name, 'enterprise', '--rpm', '1000000000', '--rpd', '1000000000']) : undefined,
    cli(dataDir, ['credits', 'grant', '--workspace', name, '--amount', '1000000000', '--reason', 'benchmark']),
  ]);
  return created.key;
}

/**
 * A plan caps the responses in progress per workspace (enterprise: 200), so the
 * open-streams test spreads its streams over several workspaces, each kept a
 * little under the cap. The cap is read from the built plans when available.
 */
let STREAMS_PER_WORKSPACE = 180;
let ENTERPRISE_CONCURRENCY = 200;
async function readPlanLimits(): Promise<void> {
  try {
    const mod = (await import(pathToFileURL(path.join(ROOT, 'dist', 'accounts', 'plans.js')).href)) as { PLAN_LIMITS?: { enterprise?: { concurrency?: { responses?: number } } } };
    const cap = mod.PLAN_LIMITS?.enterprise?.concurrency?.responses;
    if (typeof cap === 'number' && cap > 0) {
      ENTERPRISE_CONCURRENCY = cap;
      STREAMS_PER_WORKSPACE = Math.max(1, Math.floor(cap * 0.9));
    }
  } catch {
    /* keep the defaults */
  }
}

/** Workspaces for the open-streams test: one request each per stream, so the plan's default rpm (1,000) is enough. */
async function setupStreamWorkspaces(dataDir: string): Promise<string[]> {
  const names = Array.from({ length: Math.ceil(STREAMS / STREAMS_PER_WORKSPACE) }, (_, i) => `bench-streams-${i}`);
  const keys: string[] = [];
  for (let i = 0; i < names.length; i += 6) keys.push(...(await Promise.all(names.slice(i, i + 6).map((n) => setupWorkspace(dataDir, n, false)))));
  return keys;
}

async function startCohort(upstreamPort: number, dataDir: string, nodeArgs: string[] = [], workers = 1): Promise<{ child: Child; port: number }> {
  const name = workers > 1 ? 'cohort-workers' : 'cohort';
  // Run as `npm start` runs it (its node flags); BENCH_COHORT_NODE_ARGS replaces them, to compare.
  const extra = (env.BENCH_COHORT_NODE_ARGS ?? START_NODE_FLAGS.join(' ')).split(' ').filter(Boolean);
  const { child, match } = await startChild(
    name,
    [...extra, ...nodeArgs, 'bin/cohort.js', 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, ...(workers > 1 ? ['--workers', String(workers)] : [])],
    {
      cwd: ROOT,
      env: childEnv({ COHORT_UPSTREAM_URL: `http://127.0.0.1:${upstreamPort}/v1`, COHORT_UPSTREAM_MODEL: 'bench-model' }),
      ready: /Cohort listening on http:\/\/[^:\s]+:(\d+)/,
      stderrFile: path.join(dataDir, `${name}-stderr.log`),
    },
  );
  return { child, port: Number(match[1]) };
}

// ---------------------------------------------------------------------------
// Requests

function chatSpec(port: number, mode: Mode): RequestSpec {
  const stream = mode === 'streaming';
  const body = { model: 'bench-model', messages: [{ role: 'user', content: QUESTION }], stream, ...(stream ? { stream_options: { include_usage: true } } : {}) };
  return {
    port,
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: Buffer.from(JSON.stringify(body)),
    ...(stream ? { first: 'Zq00' } : {}),
    expect: stream ? ['Zq19', 'data: [DONE]'] : ['Zq19', '"finish_reason":"stop"'],
  };
}

function cohortSpec(port: number, key: string, mode: Mode, inputPrefix = ''): RequestSpec {
  const stream = mode === 'streaming';
  // A non-streaming request gets the upstream's whole answer (stream: false) like a direct one.
  // BENCH_BURST matters with COHORT_UPSTREAM_STREAMING=always: the mock then answers Cohort's
  // streamed upstream request in one write after the delay, the same upstream timing.
  const input = `${stream ? '' : 'BENCH_BURST '}${inputPrefix}${QUESTION}`;
  return {
    port,
    path: '/v1/responses',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: Buffer.from(JSON.stringify({ model: 'mavera-1', persona_id: PERSONA, input, stream })),
    ...(stream ? { first: 'Zq00' } : {}),
    expect: stream ? ['Zq19', 'event: response.completed', '"credits_used":', 'data: [DONE]'] : ['Zq19', '"status":"completed"', '"credits_used":'],
  };
}

/** One request of each kind, checked, and the stored response read back (store on). */
async function smokeTest(specs: Record<Target, Record<Mode, RequestSpec>>, cohortPort: number, key: string): Promise<void> {
  const agent = newAgent(1);
  for (const t of TARGETS) {
    for (const m of MODES) {
      const o = await send(specs[t][m], agent);
      if (!o.ok) throw new Error(`smoke test ${t} ${m} failed: ${o.error}`);
    }
  }
  agent.destroy();
  const res = await fetch(`http://127.0.0.1:${cohortPort}/v1/responses`, { method: 'POST', headers: specs.cohort['non-streaming'].headers, body: specs.cohort['non-streaming'].body.toString('utf8') });
  const created = (await res.json()) as { id: string; usage?: { credits_used?: number }; output_text?: string };
  const got = await fetch(`http://127.0.0.1:${cohortPort}/v1/responses/${created.id}`, { headers: { authorization: `Bearer ${key}` } });
  if (got.status !== 200) throw new Error(`stored response ${created.id} not retrievable: HTTP ${got.status}`);
  log(`smoke test ok (response ${created.id} stored, credits_used ${created.usage?.credits_used}, engine ${res.headers.get('x-cohort-engine')})`);
}

// ---------------------------------------------------------------------------
// Aggregation

interface Cell {
  rounds: RoundResult[];
  cpuMsPerReq: number[];
  upstreamCpuMsPerReq: number[];
  /** Load generator CPU, fraction of one core. */
  loadGen: number[];
  /** CPU used by other processes on the machine meanwhile, in cores. */
  foreign: number[];
}

interface Agg {
  p50: number;
  p99: number;
  ttft50: number;
  ttft99: number;
  rps: number;
  cpuPerReq: number;
  upstreamCpuPerReq: number;
  loadGen: number;
  foreignMax: number;
  completed: number;
  errors: number;
  firstError?: string;
}

function aggregate(cell: Cell): Agg {
  const pooled = sortedCopy(cell.rounds.flatMap((r) => r.latencies));
  const pooledTtft = sortedCopy(cell.rounds.flatMap((r) => r.ttfts));
  const errs = cell.rounds.filter((r) => r.errors > 0);
  return {
    p50: median(cell.rounds.map((r) => percentile(sortedCopy(r.latencies), 50))),
    p99: percentile(pooled, 99),
    ttft50: median(cell.rounds.map((r) => percentile(sortedCopy(r.ttfts), 50))),
    ttft99: percentile(pooledTtft, 99),
    rps: median(cell.rounds.map((r) => r.rps)),
    cpuPerReq: median(cell.cpuMsPerReq),
    upstreamCpuPerReq: median(cell.upstreamCpuMsPerReq),
    loadGen: median(cell.loadGen),
    foreignMax: Math.max(...cell.foreign),
    completed: cell.rounds.reduce((n, r) => n + r.completed, 0),
    errors: cell.rounds.reduce((n, r) => n + r.errors, 0),
    ...(errs[0]?.firstError !== undefined ? { firstError: errs[0].firstError } : {}),
  };
}

// ---------------------------------------------------------------------------
// RSS with many open streams

interface RssResult {
  streams: number;
  baselineRss: number;
  /** Highest RSS sampled up to the release of the held streams. */
  peakRss: number;
  /** VmHWM just before the release (includes the warm-up). */
  hwmOpen: number;
  /** VmHWM at the end (includes 1000 responses completing and being stored at once). */
  hwm: number;
  maxOpen: number;
  openAllMs: number;
  ok: number;
  errors: number;
  firstError?: string;
}

async function rssTest(upstreamPort: number, dataDir: string, key: string, streamKeys: string[]): Promise<RssResult> {
  const { child, port } = await startCohort(upstreamPort, dataDir);
  prioritize(child.pid);
  try {
    // Warm up (JIT, lazy modules, SQLite statements), as a server that has been serving for a while.
    await closedLoop(cohortSpec(port, key, 'streaming'), 16, WARMUP_MS);
    await closedLoop(cohortSpec(port, key, 'non-streaming'), 16, WARMUP_MS);
    await new Promise((r) => setTimeout(r, 300));
    const baselineRss = procStatus(child.pid).rss;
    const specs = streamKeys.map((k) => cohortSpec(port, k, 'streaming', 'BENCH_HOLD '));
    const agent = newAgent(STREAMS);
    let open = 0;
    let maxOpen = 0;
    let firstCount = 0;
    let openAllMs = NaN;
    let peakRss = baselineRss;
    let allOpen!: () => void;
    const allOpened = new Promise<void>((r) => (allOpen = r));
    const t0 = performance.now();
    const sampler = setInterval(() => {
      try {
        peakRss = Math.max(peakRss, procStatus(child.pid).rss);
      } catch {
        /* exited */
      }
    }, 50);
    const pending = Promise.all(
      Array.from({ length: STREAMS }, (_, i) =>
        send(specs[i % specs.length]!, agent, () => {
          open++;
          maxOpen = Math.max(maxOpen, open);
          if (++firstCount === STREAMS) {
            openAllMs = performance.now() - t0;
            allOpen();
          }
        }).then((o) => {
          if (o.ttftMs >= 0) open--;
          return o;
        }),
      ),
    );
    // Every stream is open (first delta received, upstream holding): keep them so a while, then release.
    let openTimer: NodeJS.Timeout | undefined;
    await Promise.race([allOpened, pending, new Promise((r) => (openTimer = setTimeout(r, OPEN_TIMEOUT_MS)))]);
    clearTimeout(openTimer);
    await new Promise((r) => setTimeout(r, HOLD_MS));
    const openRss = Math.max(peakRss, procStatus(child.pid).rss);
    const openHwm = procStatus(child.pid).hwm;
    await fetch(`http://127.0.0.1:${upstreamPort}/__release`, { method: 'POST' });
    const outcomes = await pending;
    clearInterval(sampler);
    agent.destroy();
    const status = procStatus(child.pid);
    const failed = outcomes.filter((o) => !o.ok);
    return {
      streams: STREAMS,
      baselineRss,
      peakRss: openRss,
      hwmOpen: openHwm,
      hwm: status.hwm,
      maxOpen,
      openAllMs,
      ok: outcomes.length - failed.length,
      errors: failed.length,
      ...(failed[0]?.error !== undefined ? { firstError: failed[0].error } : {}),
    };
  } finally {
    await child.stop();
  }
}

// ---------------------------------------------------------------------------
// Report

function machineLines(withWorkers = TARGETS.includes('workers')): string[] {
  const m = machineInfo();
  return [
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB.toFixed(1)} GiB RAM, ${m.os}`,
    `- Node ${m.node}; load generator, upstream, proxy and Cohort in separate processes sharing these cores${withWorkers ? ` (and \`cohort serve --workers ${WORKERS}\`: a primary and ${WORKERS} workers)` : ''}${PRIORITY !== undefined ? `, all at nice ${PRIORITY} (BENCH_PRIORITY) to shield them from other load on the machine` : ''}`,
  ];
}

const pc = (f: number): string => (Number.isFinite(f) ? `${(f * 100).toFixed(0)}%` : 'n/a');

function check(label: string, pass: boolean, detail: string): string {
  return `| ${pass ? 'PASS' : 'MISS'} | ${label} | ${detail} |`;
}

function buildReport(results: Map<string, Agg>, rss: RssResult | undefined, loadGenCpu: number, wallS: number, clientsSection: string[] = []): string {
  const get = (m: Mode, c: number, t: Target): Agg => results.get(`${m}|${c}|${t}`)!;
  const out: string[] = [];
  out.push(`# Cohort gateway benchmark${QUICK ? ' (quick run)' : ''}`, '');
  out.push(
    `Generated ${new Date().toISOString()} by \`npm run bench\`${QUICK ? ' with BENCH_QUICK=1' : ''} (${wallS.toFixed(0)} s in all, ${measureSeconds.toFixed(0)} s of latency/throughput measurement).`,
    '',
  );
  out.push(...machineLines());
  out.push(
    `- Upstream: mock Chat Completions (bench/upstream.ts), ${UPSTREAM_DELAY_MS} ms before the reply; streaming: ${UPSTREAM_DELAY_MS} ms to the first delta, then ${UPSTREAM_CHUNKS - 1} more deltas ${UPSTREAM_GAP_MS} ms apart`,
    `- Cohort: \`node ${[...START_NODE_FLAGS, ''].join(' ')}bin/cohort.js serve\` (dist/; the flags of \`npm start\`), live key, persona \`${PERSONA}\`, store on, credits on (enterprise workspace with a large grant and custom rpm/rpd so limits never trigger, but are still checked), default log level (info, stderr to a file), SQLite in a temp dir, upstream = openai-chat provider → the mock`,
    `- Closed loop (each connection sends its next request when the previous completes), ${ROUNDS} rounds × ${ROUND_MS} ms per cell, targets interleaved within each round`,
    `- p50 and req/s: median over rounds; p99: over all rounds' requests pooled; "added" = Cohort (or proxy) minus direct; TTFT = time to the first text-delta byte`,
    `- Load generator CPU: ${(loadGenCpu * 100).toFixed(0)}% of one core on average while measuring`,
    `- Other processes on the machine (noise): median ${fmtMs(foreignLoad.median)} cores, max ${fmtMs(foreignLoad.max)} cores per measured round${foreignLoad.max > 0.5 ? ' — **the machine was shared; treat the affected cells with care**' : ''}`,
    '',
  );
  out.push('## Latency and throughput (ms, req/s)', '');
  out.push(
    '| mode | conns | direct p50 / p99 | proxy p50 / p99 | proxy added p50 / p99 | cohort p50 / p99 | cohort added p50 / p99 | TTFT added p50 proxy / cohort | req/s direct / proxy / cohort | cohort ÷ direct |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  /** One table row per mode × connection count, built from that cell's figures per target. */
  const cellRows = (row: (m: Mode, c: number, at: (t: Target) => Agg) => string): void => {
    for (const m of MODES) for (const c of CONCURRENCY) out.push(row(m, c, (t) => get(m, c, t)));
  };
  cellRows((m, c, at) => {
    const [d, p, k] = [at('direct'), at('proxy'), at('cohort')];
    const ttft = m === 'streaming' ? `${fmtAdded(p.ttft50 - d.ttft50)} / ${fmtAdded(k.ttft50 - d.ttft50)}` : '—';
    return `| ${m} | ${c} | ${fmtMs(d.p50)} / ${fmtMs(d.p99)} | ${fmtMs(p.p50)} / ${fmtMs(p.p99)} | ${fmtAdded(p.p50 - d.p50)} / ${fmtAdded(p.p99 - d.p99)} | ${fmtMs(k.p50)} / ${fmtMs(k.p99)} | ${fmtAdded(k.p50 - d.p50)} / ${fmtAdded(k.p99 - d.p99)} | ${ttft} | ${fmtInt(d.rps)} / ${fmtInt(p.rps)} / ${fmtInt(k.rps)} | ${((k.rps / d.rps) * 100).toFixed(0)}% |`;
  });
  if (TARGETS.includes('workers')) {
    out.push(
      '',
      `## Cohort with \`--workers ${WORKERS}\` (same run, same data)`,
      '',
      `\`cohort serve --workers ${WORKERS}\`: ${WORKERS} worker processes on the port, request limits kept by the primary process over IPC. Measured in the same rounds as the table above, against the same direct figures. CPU is the primary's and the workers' together.`,
      '',
      '| mode | conns | p50 / p99 | added p50 / p99 | TTFT added p50 | req/s | ÷ direct | CPU ms per request |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
    );
    cellRows((m, c, at) => {
      const [d, w] = [at('direct'), at('workers')];
      return `| ${m} | ${c} | ${fmtMs(w.p50)} / ${fmtMs(w.p99)} | ${fmtAdded(w.p50 - d.p50)} / ${fmtAdded(w.p99 - d.p99)} | ${m === 'streaming' ? fmtAdded(w.ttft50 - d.ttft50) : '—'} | ${fmtInt(w.rps)} | ${((w.rps / d.rps) * 100).toFixed(0)}% | ${fmtMs(w.cpuPerReq, 3)} |`;
    });
  }
  out.push('', '## Time to first token and CPU cost', '');
  out.push(
    "| mode | conns | TTFT p50 direct / proxy / cohort | TTFT p99 direct / proxy / cohort | CPU ms per request: upstream / proxy / cohort | load generator CPU (one core) direct / proxy / cohort | other processes' CPU (cores, max) direct / proxy / cohort | requests (errors) direct / proxy / cohort |",
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  cellRows((m, c, at) => {
    const [d, p, k] = [at('direct'), at('proxy'), at('cohort')];
    const ttft = m === 'streaming' ? [`${fmtMs(d.ttft50)} / ${fmtMs(p.ttft50)} / ${fmtMs(k.ttft50)}`, `${fmtMs(d.ttft99)} / ${fmtMs(p.ttft99)} / ${fmtMs(k.ttft99)}`] : ['—', '—'];
    return `| ${m} | ${c} | ${ttft[0]} | ${ttft[1]} | ${fmtMs(d.cpuPerReq, 3)} / ${fmtMs(p.cpuPerReq, 3)} / ${fmtMs(k.cpuPerReq, 3)} | ${pc(d.loadGen)} / ${pc(p.loadGen)} / ${pc(k.loadGen)} | ${fmtMs(d.foreignMax)} / ${fmtMs(p.foreignMax)} / ${fmtMs(k.foreignMax)} | ${d.completed} (${d.errors}) / ${p.completed} (${p.errors}) / ${k.completed} (${k.errors}) |`;
  });
  const errors = [...results.entries()].filter(([, a]) => a.errors > 0);
  if (errors.length > 0) {
    out.push('', '**Errors:**', ...errors.map(([k, a]) => `- ${k}: ${a.errors} (first: ${a.firstError})`));
  }
  if (clientsSection.length > 0) out.push('', ...clientsSection);
  if (rss) {
    out.push('', `## Memory with ${rss.streams} concurrent open streams`, '');
    out.push(
      `Fresh Cohort process, warmed up, then ${rss.streams} streaming requests at once (spread over ${Math.ceil(rss.streams / STREAMS_PER_WORKSPACE)} workspaces: enterprise allows ${ENTERPRISE_CONCURRENCY} in progress per workspace) whose upstream holds each stream open after its first delta until all ${rss.streams} have received theirs and ${HOLD_MS} ms more have passed; RSS sampled from /proc/<pid>/status every 50 ms.`,
      '',
      '| RSS before | peak RSS, all open (sampled) | VmHWM, all open | VmHWM after all completed at once | per open stream | streams open at once (max) | time until all had their first delta | completed (errors) |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| ${fmtMB(rss.baselineRss)} | ${fmtMB(rss.peakRss)} | ${fmtMB(rss.hwmOpen)} | ${fmtMB(rss.hwm)} | ${fmtInt((rss.peakRss - rss.baselineRss) / rss.streams / 1024)} KB | ${rss.maxOpen} | ${Number.isFinite(rss.openAllMs) ? `${fmtInt(rss.openAllMs)} ms` : 'not all'} | ${rss.ok} (${rss.errors}) |`,
    );
    if (rss.firstError) out.push('', `First error: ${rss.firstError}`);
  }
  out.push('', '## Targets', '', '| result | target | measured |', '|---|---|---|');
  for (const target of TARGETS.filter((t): t is 'cohort' | 'workers' => t === 'cohort' || t === 'workers')) {
    const who = target === 'workers' ? ` (--workers ${WORKERS})` : '';
    for (const m of MODES) {
      for (const c of [1, 16].filter((n) => CONCURRENCY.includes(n))) {
        const added = get(m, c, target).p50 - get(m, c, 'direct').p50;
        out.push(check(`${m}, ${c} conn${who}: added p50 < 1 ms`, added < 1, `${fmtAdded(added)} ms`));
      }
      if (CONCURRENCY.includes(16)) {
        const added = get(m, 16, target).p99 - get(m, 16, 'direct').p99;
        out.push(check(`${m}, 16 conn${who}: added p99 < 5 ms`, added < 5, `${fmtAdded(added)} ms`));
      }
      if (CONCURRENCY.includes(64)) {
        const ratio = get(m, 64, target).rps / get(m, 64, 'direct').rps;
        out.push(
          check(`${m}, 64 conn${who}: throughput ≥ 65% of direct`, ratio >= 0.65, `${(ratio * 100).toFixed(0)}% (${fmtInt(get(m, 64, target).rps)} vs ${fmtInt(get(m, 64, 'direct').rps)} req/s)`),
        );
      }
    }
  }
  if (rss) {
    const peak = Math.max(rss.peakRss, rss.hwmOpen);
    const allOpen = rss.maxOpen === rss.streams;
    out.push(
      check(
        `${rss.streams} open streams: RSS < 200 MB`,
        peak < 200 * 1024 * 1024 && rss.errors === 0 && allOpen,
        `${fmtMB(peak)} (VmHWM while all open)${rss.errors ? `, ${rss.errors} errors` : ''}${allOpen ? '' : `, only ${rss.maxOpen} open at once`}`,
      ),
    );
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------
// Main: the benchmark

async function benchmark(): Promise<void> {
  const t0 = performance.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-bench-'));
  try {
    await readPlanLimits();
    const [upstream, key] = await Promise.all([startUpstream(), setupWorkspace(tmp, 'bench')]);
    const [proxy, cohort] = await Promise.all([startProxy(upstream.port), startCohort(upstream.port, tmp)]);
    // After the first Cohort: it migrated the database the workers' primary opens.
    const workers = WORKERS > 1 ? await startCohort(upstream.port, tmp, [], WORKERS) : undefined;
    prioritize(process.pid, upstream.child.pid, proxy.child.pid, cohort.child.pid, ...(workers ? [workers.child.pid, ...childPids(workers.child.pid)] : []));
    log(
      `upstream :${upstream.port} (pid ${upstream.child.pid}), proxy :${proxy.port} (pid ${proxy.child.pid}), cohort :${cohort.port} (pid ${cohort.child.pid})${workers ? `, cohort --workers ${WORKERS} :${workers.port} (pid ${workers.child.pid}, workers ${childPids(workers.child.pid).join(' ')})` : ''}, data ${tmp}`,
    );

    const specs: Record<Target, Record<Mode, RequestSpec>> = {
      direct: { 'non-streaming': chatSpec(upstream.port, 'non-streaming'), streaming: chatSpec(upstream.port, 'streaming') },
      proxy: { 'non-streaming': chatSpec(proxy.port, 'non-streaming'), streaming: chatSpec(proxy.port, 'streaming') },
      cohort: { 'non-streaming': cohortSpec(cohort.port, key, 'non-streaming'), streaming: cohortSpec(cohort.port, key, 'streaming') },
      workers: workers
        ? { 'non-streaming': cohortSpec(workers.port, key, 'non-streaming'), streaming: cohortSpec(workers.port, key, 'streaming') }
        : { 'non-streaming': cohortSpec(cohort.port, key, 'non-streaming'), streaming: cohortSpec(cohort.port, key, 'streaming') },
    };
    await smokeTest(specs, cohort.port, key);
    // The open-streams test's workspaces are created (by `cohort` CLI processes) while warming up.
    const streamKeysReady = setupStreamWorkspaces(tmp);
    streamKeysReady.catch(() => {});
    for (const m of MODES) for (const t of TARGETS) await closedLoop(specs[t][m], 16, WARMUP_MS);
    const streamKeys = await streamKeysReady;

    const pids: Record<Target, number> = { direct: upstream.child.pid, proxy: proxy.child.pid, cohort: cohort.child.pid, workers: workers?.child.pid ?? cohort.child.pid };
    const ours = (): number[] => [process.pid, upstream.child.pid, proxy.child.pid, cohort.child.pid, ...(workers ? [workers.child.pid, ...childPids(workers.child.pid)] : [])];
    const meter = foreignLoadMeter(ours);
    const foreignAll: number[] = [];
    const quiet = await waitForQuiet(ours, QUIET_CORES, QUICK ? 0 : 30_000, (load) => log(`waiting for the machine to be quiet: other processes use ${load.toFixed(2)} cores…`));
    log(`other processes' CPU before measuring: ${quiet.toFixed(2)} cores`);
    const results = new Map<string, Agg>();
    const cpuStart = process.cpuUsage();
    const measureStart = performance.now();
    for (const m of MODES) {
      for (const c of CONCURRENCY) {
        const cells = Object.fromEntries(TARGETS.map((t): [Target, Cell] => [t, { rounds: [], cpuMsPerReq: [], upstreamCpuMsPerReq: [], loadGen: [], foreign: [] }])) as Record<Target, Cell>;
        for (let r = 0; r < ROUNDS; r++) {
          for (const t of TARGETS) {
            const cpu0 = treeCpuMs(pids[t]);
            const up0 = procCpuMs(upstream.child.pid);
            const lg0 = process.cpuUsage();
            meter.start();
            const res = await closedLoop(specs[t][m], c, ROUND_MS);
            const lg = process.cpuUsage(lg0);
            const foreign = meter.stop();
            foreignAll.push(foreign);
            cells[t].loadGen.push((lg.user + lg.system) / 1000 / res.elapsedMs);
            cells[t].foreign.push(foreign);
            cells[t].rounds.push(res);
            cells[t].cpuMsPerReq.push((treeCpuMs(pids[t]) - cpu0) / Math.max(1, res.completed));
            cells[t].upstreamCpuMsPerReq.push((procCpuMs(upstream.child.pid) - up0) / Math.max(1, res.completed));
          }
        }
        for (const t of TARGETS) results.set(`${m}|${c}|${t}`, aggregate(cells[t]));
        const [d, p, k] = TARGETS.map((t) => results.get(`${m}|${c}|${t}`)!) as [Agg, Agg, Agg];
        const w = results.get(`${m}|${c}|workers`);
        log(
          `${m.padEnd(13)} c=${String(c).padStart(2)}  p50 direct ${fmtMs(d.p50)} proxy ${fmtMs(p.p50)} cohort ${fmtMs(k.p50)}${w ? ` workers ${fmtMs(w.p50)}` : ''} ms | p99 ${fmtMs(d.p99)} / ${fmtMs(p.p99)} / ${fmtMs(k.p99)}${w ? ` / ${fmtMs(w.p99)}` : ''} | req/s ${fmtInt(d.rps)} / ${fmtInt(p.rps)} / ${fmtInt(k.rps)}${w ? ` / ${fmtInt(w.rps)}` : ''}${k.errors + d.errors + p.errors + (w?.errors ?? 0) ? ` | ERRORS ${d.errors}/${p.errors}/${k.errors}/${w?.errors ?? 0}: ${k.firstError ?? p.firstError ?? d.firstError ?? w?.firstError}` : ''}`,
        );
      }
    }
    const cpu = process.cpuUsage(cpuStart);
    foreignLoad = { median: median(foreignAll), max: Math.max(...foreignAll) };
    measureSeconds = (performance.now() - measureStart) / 1000;
    const loadGenCpu = (cpu.user + cpu.system) / 1000 / (performance.now() - measureStart);
    await cohort.child.stop();
    await workers?.child.stop();
    await proxy.child.stop();

    log('upstream client: node:http vs undici Pool, in this process…');
    const clients = await upstreamClientsBenchmark(clientsOptions(upstream));

    log(`RSS test: ${STREAMS} open streams (fresh Cohort process)…`);
    const rss = await rssTest(upstream.port, tmp, key, streamKeys);
    log(
      `RSS: before ${fmtMB(rss.baselineRss)}, peak while open ${fmtMB(rss.peakRss)}, VmHWM while open ${fmtMB(rss.hwmOpen)}, at end ${fmtMB(rss.hwm)}, max open ${rss.maxOpen}, ok ${rss.ok}, errors ${rss.errors}`,
    );
    await upstream.child.stop();

    const report = buildReport(results, rss, loadGenCpu, (performance.now() - t0) / 1000, clients.report);
    process.stdout.write('\n' + report);
    fs.writeFileSync(path.join(ROOT, 'bench', 'results.md'), report);
    log('\nwritten to bench/results.md');
  } finally {
    killAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The upstream client comparison (bench/upstream-clients.ts) with this run's rounds, against `upstream`. */
function clientsOptions(upstream: { child: Child; port: number }): ClientsOptions {
  return {
    upstreamPort: upstream.port,
    upstreamPid: upstream.child.pid,
    rounds: ROUNDS,
    roundMs: ROUND_MS,
    warmupMs: WARMUP_MS,
    concurrency: CONCURRENCY,
    connectMs: DEFAULT_HTTP_TIMEOUTS.connectMs,
    log,
  };
}

/** `npm run bench -- clients`: the upstream client comparison alone, printed (bench/results.md is left as it is). */
async function clientsOnly(): Promise<void> {
  const upstream = await startUpstream();
  try {
    prioritize(process.pid, upstream.child.pid);
    log(`upstream :${upstream.port} (pid ${upstream.child.pid}); upstream client: node:http vs undici Pool, in this process…`);
    const { report } = await upstreamClientsBenchmark(clientsOptions(upstream));
    process.stdout.write(`\n${[...machineLines(false), '', ...report].join('\n')}\n`);
  } finally {
    await upstream.child.stop();
  }
}

// ---------------------------------------------------------------------------
// BENCH_PROFILE=1: where Cohort spends its CPU under 16-connection load
// (non-streaming; BENCH_PROFILE_MODE=streaming for streaming requests;
// BENCH_PROFILE_CONNS for another number of connections)
const PROFILE_MODE: Mode = env.BENCH_PROFILE_MODE === 'streaming' ? 'streaming' : 'non-streaming';
const PROFILE_CONNS = Math.max(1, num(env.BENCH_PROFILE_CONNS, 16));

async function profile(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-bench-'));
  const profDir = path.join(tmp, 'profile');
  fs.mkdirSync(profDir);
  try {
    const [upstream, key] = await Promise.all([startUpstream(), setupWorkspace(tmp, 'bench')]);
    const cohort = await startCohort(upstream.port, tmp, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=250']);
    prioritize(process.pid, upstream.child.pid, cohort.child.pid);
    const spec = cohortSpec(cohort.port, key, PROFILE_MODE);
    log(`profiling Cohort (pid ${cohort.child.pid}) under ${PROFILE_CONNS}-connection ${PROFILE_MODE} load for ${PROFILE_MS} ms…`);
    await closedLoop(spec, PROFILE_CONNS, WARMUP_MS * 2);
    const cpu0 = procCpuMs(cohort.child.pid);
    const w0 = Number(process.hrtime.bigint() / 1000n);
    const res = await closedLoop(spec, PROFILE_CONNS, PROFILE_MS);
    const w1 = Number(process.hrtime.bigint() / 1000n);
    const cpuMs = procCpuMs(cohort.child.pid) - cpu0;
    await cohort.child.stop('SIGTERM');
    await upstream.child.stop();
    const file = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile written in ${profDir}:\n${cohort.child.output()}`);
    const prof = JSON.parse(fs.readFileSync(path.join(profDir, file), 'utf8')) as CpuProfile;
    const s = summarizeProfile(prof, { root: ROOT, windowUs: [w0, w1] });
    const busy = s.samples - s.idleSamples;
    const pct = (n: number, of: number): string => `${((n / of) * 100).toFixed(1)}%`;
    const out: string[] = [];
    out.push(`# Cohort CPU profile: ${PROFILE_CONNS} connection${PROFILE_CONNS === 1 ? '' : 's'}, ${PROFILE_MODE}`, '');
    out.push(`Generated ${new Date().toISOString()} by \`BENCH_PROFILE=1 npm run bench\`.`, '', ...machineLines(false));
    out.push(
      `- Load: ${res.completed} requests in ${(res.elapsedMs / 1000).toFixed(1)} s = ${fmtInt(res.rps)} req/s (with the profiler on), p50 ${fmtMs(percentile(sortedCopy(res.latencies), 50))} ms, ${res.errors} errors`,
      `- Cohort CPU: ${fmtMs(cpuMs / Math.max(1, res.completed), 3)} ms per request, ${((cpuMs / res.elapsedMs) * 100).toFixed(0)}% of one core`,
      `- Profile: ${s.samples} samples at 250 µs ${s.windowMatched ? `inside the load window (${(s.windowMs / 1000).toFixed(1)} s)` : '(whole process: the load window did not match the profile clock)'}, ${pct(s.idleSamples, s.samples)} idle; percentages below are of the ${busy} busy (non-idle) samples`,
      '',
      '## Top 25 functions by self time',
      '',
      '| # | self | total | function | file:line | area |',
      '|---:|---:|---:|---|---|---|',
    );
    const fns = s.functions.filter((f) => f.name !== '(idle)');
    fns
      .sort((a, b) => b.selfSamples - a.selfSamples)
      .slice(0, 25)
      .forEach((f, i) => out.push(`| ${i + 1} | ${pct(f.selfSamples, busy)} | ${pct(f.totalSamples, busy)} | \`${f.name}\` | ${f.location || '—'} | ${f.area} |`));
    out.push('', '## Self time by file / package', '', '| self | file or package |', '|---:|---|');
    for (const a of s.areas.filter((a) => a.area !== '(idle)').slice(0, 20)) out.push(`| ${pct(a.selfSamples, busy)} | ${a.area} |`);
    out.push('', '## Cohort functions by total (inclusive) time', '', '| total | self | function | file:line |', '|---:|---:|---|---|');
    fns
      .filter((f) => f.location.startsWith('src/'))
      .sort((a, b) => b.totalSamples - a.totalSamples)
      .slice(0, 25)
      .forEach((f) => out.push(`| ${pct(f.totalSamples, busy)} | ${pct(f.selfSamples, busy)} | \`${f.name}\` | ${f.location} |`));
    const report = out.join('\n') + '\n';
    process.stdout.write('\n' + report);
    fs.writeFileSync(path.join(ROOT, 'bench', 'profile.md'), report);
    log(`\nwritten to bench/profile.md (raw profile: ${path.join(profDir, file)} is deleted; set BENCH_KEEP_PROFILE=1 to keep it)`);
    if (env.BENCH_KEEP_PROFILE === '1') {
      const keep = path.join(os.tmpdir(), `cohort-bench-${Date.now()}.cpuprofile`);
      fs.copyFileSync(path.join(profDir, file), keep);
      log(`kept ${keep}`);
    }
  } finally {
    killAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------

if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
  log('bench: dist/ is missing; run `npm run build` first.');
  process.exit(1);
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAll();
    process.exit(130);
  });
}
// `npm run bench -- focus-groups` (or `npm run bench:focus-groups`): the focus-group scenarios only
// (bench/focus-groups.ts); a full run does them after the gateway's, unless BENCH_FOCUS_GROUPS=0.
const FOCUS_GROUPS_ONLY = process.argv.slice(2).includes('focus-groups');
const CLIENTS_ONLY = process.argv.slice(2).includes('clients');
try {
  if (PROFILE) await profile();
  else if (CLIENTS_ONLY) await clientsOnly();
  else {
    if (!FOCUS_GROUPS_ONLY) await benchmark();
    if (FOCUS_GROUPS_ONLY || env.BENCH_FOCUS_GROUPS !== '0') await (await import('./focus-groups.js')).focusGroupsBenchmark();
  }
} catch (err) {
  killAll();
  log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
}
