/**
 * The upstream HTTP client, undici's `Pool.request` (src/util/upstream-client.ts,
 * Cohort's) against the hand-written node:http client it replaced
 * (bench/lib/node-client.ts), in the same run: the Chat Completions backend (src/providers/openai/chat/) in this
 * process calls the benchmark's mock upstream through each client in turn,
 * closed loop, and every answer is read to its last event. Only the client
 * differs, so the CPU per request of this process (which does nothing else
 * meanwhile) is the client's cost plus the same decoding.
 *
 *   npm run bench                  # part of the full run (section "Upstream client")
 *   npm run bench -- clients       # this part only (its own mock upstream)
 *
 * Rounds alternate which client goes first; p50, req/s and CPU per request
 * are medians over rounds, p99 is over the rounds' requests pooled.
 */
import { performance } from 'node:perf_hooks';
import { createOpenAIChatProvider } from '../src/providers/openai/chat/index.js';
import type { Provider, ProviderRequest } from '../src/providers/types.js';
import { type UpstreamClient, undiciClient } from '../src/util/upstream-client.js';
import { nodeClient } from './lib/node-client.js';
import { foreignLoadMeter } from './lib/procs.js';
import { fmtInt, fmtMs, median, percentile, sortedCopy } from './lib/stats.js';

export type ClientName = 'node:http' | 'undici Pool';
type Mode = 'non-streaming' | 'streaming';

export interface ClientsOptions {
  upstreamPort: number;
  upstreamPid: number;
  rounds: number;
  roundMs: number;
  warmupMs: number;
  concurrency: number[];
  /** The connect timeout both clients run with (Cohort's default for HTTP backends: 30 s). */
  connectMs: number;
  log(msg: string): void;
}

interface Round {
  latencies: number[];
  completed: number;
  errors: number;
  firstError?: string;
  rps: number;
  cpuUsPerReq: number;
  foreign: number;
}

export interface ClientCell {
  p50: number;
  p99: number;
  rps: number;
  cpuUsPerReq: number;
  errors: number;
  foreign: number;
}

const CLIENTS: ClientName[] = ['node:http', 'undici Pool'];
const MODES: Mode[] = ['non-streaming', 'streaming'];

function request(mode: Mode): ProviderRequest {
  return {
    system: 'You are a helpful assistant.',
    items: [{ type: 'message', role: 'user', content: [{ type: 'text', text: 'Would you pay $15 a month for a meal-kit app?' }] }],
    tools: [],
    toolChoice: { mode: 'auto' },
    parallelToolCalls: true,
    format: { type: 'text' },
    sampling: {},
    signal: AbortSignal.abort(),
    // A non-streaming request asks the upstream for the whole answer, as Cohort's do.
    incremental: mode === 'streaming',
  };
}

/** One answer read to its end; throws unless it is the mock's whole answer. */
async function answer(provider: Provider, req: ProviderRequest): Promise<void> {
  let text = '';
  let finished = false;
  for await (const e of provider.stream(req)) {
    if (e.type === 'text-delta') text += e.delta;
    else if (e.type === 'finish') finished = true;
  }
  if (!finished || !text.includes('Zq19')) throw new Error(`an incomplete answer (${text.length} characters, finish ${finished})`);
}

async function closedLoop(provider: Provider, mode: Mode, concurrency: number, durationMs: number): Promise<Omit<Round, 'cpuUsPerReq' | 'foreign'>> {
  const req = request(mode);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + durationMs;
  let last = start;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        // A signal per request, as Cohort's requests have.
        await answer(provider, { ...req, signal: new AbortController().signal });
        last = performance.now();
        latencies.push(last - t0);
      } catch (err) {
        last = performance.now();
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
        if (errors > 50) return;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = last - start;
  return { latencies, completed: latencies.length, errors, ...(firstError !== undefined ? { firstError } : {}), rps: (latencies.length / elapsed) * 1000 };
}

/** Runs the comparison; returns the cells by `${mode}|${conns}|${client}` and the report section. */
export async function upstreamClientsBenchmark(o: ClientsOptions): Promise<{ cells: Map<string, ClientCell>; report: string[] }> {
  const baseURL = `http://127.0.0.1:${o.upstreamPort}/v1`;
  const clients: Record<ClientName, UpstreamClient> = { 'node:http': nodeClient({ connectMs: o.connectMs }), 'undici Pool': undiciClient({ connectMs: o.connectMs }) };
  const providers = Object.fromEntries(CLIENTS.map((n) => [n, createOpenAIChatProvider({ baseURL, model: 'bench-model', apiKey: 'sk-bench', client: clients[n] })])) as Record<ClientName, Provider>;
  const meter = foreignLoadMeter(() => [process.pid, o.upstreamPid]);

  for (const m of MODES) for (const n of CLIENTS) await closedLoop(providers[n], m, 16, o.warmupMs);

  const cells = new Map<string, ClientCell>();
  for (const m of MODES) {
    for (const c of o.concurrency) {
      const rounds: Record<ClientName, Round[]> = { 'node:http': [], 'undici Pool': [] };
      for (let r = 0; r < o.rounds; r++) {
        for (const n of r % 2 === 0 ? CLIENTS : [...CLIENTS].reverse()) {
          const cpu0 = process.cpuUsage();
          meter.start();
          const res = await closedLoop(providers[n], m, c, o.roundMs);
          const foreign = meter.stop();
          const cpu = process.cpuUsage(cpu0);
          rounds[n].push({ ...res, cpuUsPerReq: (cpu.user + cpu.system) / Math.max(1, res.completed), foreign });
        }
      }
      for (const n of CLIENTS) {
        const rs = rounds[n];
        cells.set(`${m}|${c}|${n}`, {
          p50: median(rs.map((x) => percentile(sortedCopy(x.latencies), 50))),
          p99: percentile(sortedCopy(rs.flatMap((x) => x.latencies)), 99),
          rps: median(rs.map((x) => x.rps)),
          cpuUsPerReq: median(rs.map((x) => x.cpuUsPerReq)),
          errors: rs.reduce((s, x) => s + x.errors, 0),
          foreign: median(rs.map((x) => x.foreign)),
        });
      }
      const [a, b] = CLIENTS.map((n) => cells.get(`${m}|${c}|${n}`)!) as [ClientCell, ClientCell];
      const errs = CLIENTS.flatMap((n) => rounds[n].map((x) => x.firstError).filter(Boolean));
      o.log(
        `client ${m.padEnd(13)} c=${String(c).padStart(2)}  CPU/req node:http ${fmtInt(a.cpuUsPerReq)} µs, undici ${fmtInt(b.cpuUsPerReq)} µs (${ratio(b.cpuUsPerReq, a.cpuUsPerReq)}) | p50 ${fmtMs(a.p50)} / ${fmtMs(b.p50)} ms | req/s ${fmtInt(a.rps)} / ${fmtInt(b.rps)}${errs.length ? ` | ERRORS ${a.errors}/${b.errors}: ${errs[0]}` : ''}`,
      );
    }
  }
  return { cells, report: section(cells, o) };
}

const ratio = (x: number, base: number): string => (Number.isFinite(x / base) ? `${(x / base).toFixed(2)}×` : 'n/a');

function section(cells: Map<string, ClientCell>, o: ClientsOptions): string[] {
  const out = [
    '## Upstream client: node:http vs undici Pool',
    '',
    `The Chat Completions backend in the benchmark's own process calls the mock upstream through each client in turn (\`bench/upstream-clients.ts\`; connect timeout ${o.connectMs} ms on both, as Cohort's default), closed loop, ${o.rounds} rounds × ${o.roundMs} ms per cell, the client going first alternating; every answer read to its last event. CPU per request is this process's (the backend, the client, nothing else); "undici ÷ node" below 1 means undici is cheaper or faster.`,
    '',
    '| mode | conns | CPU µs/req node:http / undici | undici ÷ node (CPU) | p50 ms node:http / undici | p99 ms node:http / undici | req/s node:http / undici | undici ÷ node (req/s) | errors | other processes (cores) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of MODES) {
    for (const c of o.concurrency) {
      const a = cells.get(`${m}|${c}|node:http`)!;
      const b = cells.get(`${m}|${c}|undici Pool`)!;
      out.push(
        `| ${m} | ${c} | ${fmtInt(a.cpuUsPerReq)} / ${fmtInt(b.cpuUsPerReq)} | ${ratio(b.cpuUsPerReq, a.cpuUsPerReq)} | ${fmtMs(a.p50)} / ${fmtMs(b.p50)} | ${fmtMs(a.p99)} / ${fmtMs(b.p99)} | ${fmtInt(a.rps)} / ${fmtInt(b.rps)} | ${ratio(b.rps, a.rps)} | ${a.errors} / ${b.errors} | ${fmtMs(Math.max(a.foreign, b.foreign))} |`,
      );
    }
  }
  out.push('');
  return out;
}
