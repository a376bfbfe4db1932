/**
 * Is the upstream the bottleneck? Drives the dedicated bench mock
 * (bench/upstream.ts) and the test suite's mock (via bench/test-mock-server.ts)
 * directly with the same closed-loop load and prints latency, throughput and
 * the upstream's CPU per request.
 *
 *   node --import tsx bench/compare-mocks.ts
 */
import { closedLoop, type RequestSpec } from './lib/load.js';
import { killAll, procCpuMs, startChild } from './lib/procs.js';
import { fmtInt, fmtMs, median, percentile, sortedCopy } from './lib/stats.js';

const ROOT = new URL('..', import.meta.url).pathname;
const ROUNDS = 3;
const ROUND_MS = 1500;

function spec(port: number, stream: boolean): RequestSpec {
  return {
    port,
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'hi' }], stream, ...(stream ? { stream_options: { include_usage: true } } : {}) })),
    ...(stream ? { first: 'Zq00' } : {}),
    expect: ['Zq19'],
  };
}

try {
  const mocks = [
    { name: 'bench/upstream.ts', ...(await startChild('bench-mock', ['--import', 'tsx', 'bench/upstream.ts'], { cwd: ROOT, env: { NODE_OPTIONS: '' }, ready: /\{"port":(\d+)\}/ })) },
    { name: 'test/helpers/mock-chat-upstream.ts', ...(await startChild('test-mock', ['--import', 'tsx', 'bench/test-mock-server.ts'], { cwd: ROOT, env: { NODE_OPTIONS: '' }, ready: /\{"port":(\d+)\}/ })) },
  ];
  console.log('| mock | mode | conns | p50 ms | p99 ms | req/s | upstream CPU ms/req |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const stream of [false, true]) {
    for (const c of [16, 64, 256]) {
      for (const m of mocks) {
        const s = spec(Number(m.match[1]), stream);
        await closedLoop(s, c, 500);
        const p50: number[] = [];
        const rps: number[] = [];
        const cpu: number[] = [];
        const all: number[] = [];
        for (let r = 0; r < ROUNDS; r++) {
          const c0 = procCpuMs(m.child.pid);
          const res = await closedLoop(s, c, ROUND_MS);
          cpu.push((procCpuMs(m.child.pid) - c0) / res.completed);
          p50.push(percentile(sortedCopy(res.latencies), 50));
          rps.push(res.rps);
          all.push(...res.latencies);
          if (res.errors) console.log(`errors: ${res.errors} ${res.firstError}`);
        }
        console.log(`| ${m.name} | ${stream ? 'streaming' : 'non-streaming'} | ${c} | ${fmtMs(median(p50))} | ${fmtMs(percentile(sortedCopy(all), 99))} | ${fmtInt(median(rps))} | ${fmtMs(median(cpu), 3)} |`);
      }
    }
  }
} finally {
  killAll();
}
