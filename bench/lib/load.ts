/**
 * Closed-loop HTTP load generator on node:http with keep-alive agents: each of
 * `concurrency` connections sends its next request as soon as the previous one
 * has completed (no fixed rate). Records the latency of every request (request
 * start → last body byte) and, when `first` is set, the time to the first
 * occurrence of that string in the body (time to first text delta).
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface RequestSpec {
  port: number;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** String whose first appearance in the body marks the first text delta. */
  first?: string;
  /** Strings the body must contain for the request to count as a success. */
  expect: string[];
}

export interface Outcome {
  ok: boolean;
  ms: number;
  ttftMs: number;
  error?: string;
}

export interface RoundResult {
  latencies: number[];
  ttfts: number[];
  completed: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  rps: number;
}

/** Bytes kept from the previous chunk so needles split across chunks are found (needles are shorter). */
const TAIL = 64;

export function newAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'fifo' });
}

/** One request; never rejects (failures are an Outcome with ok: false). */
export function send(spec: RequestSpec, agent: Agent, onFirst?: () => void): Promise<Outcome> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let settled = false;
    const done = (o: Outcome): void => {
      if (!settled) {
        settled = true;
        resolve(o);
      }
    };
    const req = request(
      { agent, host: '127.0.0.1', port: spec.port, method: 'POST', path: spec.path, headers: { ...spec.headers, 'content-length': String(spec.body.length) } },
      (res) => {
        const needles = spec.expect;
        const found = new Array<boolean>(needles.length).fill(false);
        let ttftMs = -1;
        let tail: Buffer | undefined;
        let errorBody = '';
        res.on('data', (chunk: Buffer) => {
          if (res.statusCode !== 200) {
            if (errorBody.length < 2000) errorBody += chunk.toString('utf8');
            return;
          }
          // Needles may straddle two chunks: search the previous chunk's tail + this chunk.
          const buf = tail ? Buffer.concat([tail, chunk]) : chunk;
          if (ttftMs < 0 && spec.first !== undefined && buf.includes(spec.first, 0, 'latin1')) {
            ttftMs = performance.now() - t0;
            onFirst?.();
          }
          for (let i = 0; i < needles.length; i++) if (!found[i] && buf.includes(needles[i]!, 0, 'latin1')) found[i] = true;
          tail = Buffer.from(buf.subarray(Math.max(0, buf.length - TAIL)));
        });
        res.on('end', () => {
          const ms = performance.now() - t0;
          if (res.statusCode !== 200) return done({ ok: false, ms, ttftMs, error: `HTTP ${res.statusCode}: ${errorBody.slice(0, 300)}` });
          const missing = needles.filter((_, i) => !found[i]);
          if (missing.length > 0) return done({ ok: false, ms, ttftMs, error: `body lacks ${missing.map((m) => JSON.stringify(m)).join(', ')}` });
          if (spec.first !== undefined && ttftMs < 0) return done({ ok: false, ms, ttftMs, error: `no first delta ${JSON.stringify(spec.first)}` });
          done({ ok: true, ms, ttftMs });
        });
        res.on('error', (err) => done({ ok: false, ms: performance.now() - t0, ttftMs, error: String(err) }));
        res.on('aborted', () => done({ ok: false, ms: performance.now() - t0, ttftMs, error: 'response aborted' }));
      },
    );
    req.on('socket', (s) => s.setNoDelay(true));
    req.on('error', (err) => done({ ok: false, ms: performance.now() - t0, ttftMs: -1, error: String(err) }));
    req.end(spec.body);
  });
}

/** Runs `concurrency` closed loops for `durationMs` (requests in flight at the deadline complete). */
export async function closedLoop(spec: RequestSpec, concurrency: number, durationMs: number): Promise<RoundResult> {
  const agent = newAgent(concurrency);
  const latencies: number[] = [];
  const ttfts: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + durationMs;
  let last = start;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const o = await send(spec, agent);
      last = performance.now();
      if (o.ok) {
        latencies.push(o.ms);
        if (o.ttftMs >= 0) ttfts.push(o.ttftMs);
      } else {
        errors++;
        firstError ??= o.error;
        if (errors > 50) return;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  const elapsedMs = last - start;
  return { latencies, ttfts, completed: latencies.length, errors, ...(firstError !== undefined ? { firstError } : {}), elapsedMs, rps: (latencies.length / elapsedMs) * 1000 };
}
