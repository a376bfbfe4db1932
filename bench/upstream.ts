/**
 * A minimal, fast mock OpenAI Chat Completions upstream for the gateway
 * benchmark (a dedicated node:http server, so the upstream is not the
 * bottleneck; the test mock records every request and is heavier).
 *
 * Behaviour of POST …/chat/completions (every other request: 404):
 * - `"stream":false` (or absent): waits BENCH_UPSTREAM_DELAY_MS (20), then one
 *   `chat.completion` JSON body.
 * - `"stream":true`: waits the same delay, writes the role chunk and the first
 *   content delta, then the other BENCH_UPSTREAM_CHUNKS-1 deltas (20 in all)
 *   BENCH_UPSTREAM_GAP_MS (2) apart, then the finish chunk, the usage chunk and
 *   `data: [DONE]`.
 * - `"stream":true` and the body contains `BENCH_BURST`: waits the delay, then
 *   writes the whole stream in one write (what a gateway that always streams
 *   upstream sees when the generation is already finished: used to compare a
 *   non-streaming Cohort request with a non-streaming direct request when
 *   Cohort runs with COHORT_UPSTREAM_STREAMING=always).
 * - `"stream":true` and the body contains `BENCH_HOLD`: after the first delta,
 *   holds the stream open until `POST /__release` (or BENCH_UPSTREAM_MAX_HOLD_MS,
 *   60 s), then sends the rest at once.
 *
 * - a non-streaming request with a `response_format` json_schema (structured
 *   output, e.g. a focus-group answer): the same delay, then a completion whose
 *   content is a valid instance of the schema (built once per distinct schema).
 *
 * Every frame is pre-built at start-up. Content deltas are `Zq00 ` … `Zq19 `,
 * so clients can find the first text delta (`Zq00`) and check the last (`Zq19`).
 *
 * Prints `{"port":N}` on stdout when listening (port from BENCH_UPSTREAM_PORT, default 0).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { instanceOf } from '../test/helpers/focus-groups.js';

const DELAY_MS = Number(process.env.BENCH_UPSTREAM_DELAY_MS ?? 20);
const CHUNKS = Math.max(2, Number(process.env.BENCH_UPSTREAM_CHUNKS ?? 20));
const GAP_MS = Number(process.env.BENCH_UPSTREAM_GAP_MS ?? 2);
const MAX_HOLD_MS = Number(process.env.BENCH_UPSTREAM_MAX_HOLD_MS ?? 60_000);
/** Held streams, each ended by its release function. */
const held = new Set<() => void>();

const pieces = Array.from({ length: CHUNKS }, (_, i) => `Zq${String(i).padStart(2, '0')} `);
const base = '{"id":"chatcmpl-bench0000000000000000000001","object":"chat.completion.chunk","created":1767225600,"model":"bench-model","system_fingerprint":"fp_bench","service_tier":"default",';
const frame = (rest: string): string => `data: ${base}${rest}}\n\n`;
const choice = (delta: string, finish: string | null): string =>
  `"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : JSON.stringify(finish)}}],"usage":null`;
const usage = { prompt_tokens: 50, completion_tokens: CHUNKS, total_tokens: 50 + CHUNKS, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } };

const roleFrame = frame(choice('{"role":"assistant","content":"","refusal":null}', null));
const deltaFrames = pieces.map((p) => Buffer.from(frame(choice(JSON.stringify({ content: p }), null))));
const tailFrame = Buffer.from(frame(choice('{}', 'stop')) + frame(`"choices":[],"usage":${JSON.stringify(usage)}`) + 'data: [DONE]\n\n');
const headBuf = Buffer.concat([Buffer.from(roleFrame), deltaFrames[0]!]);
const burstBuf = Buffer.concat([headBuf, ...deltaFrames.slice(1), tailFrame]);
const completionBuf = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench0000000000000000000001',
    object: 'chat.completion',
    created: 1767225600,
    model: 'bench-model',
    choices: [{ index: 0, message: { role: 'assistant', content: pieces.join(''), refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
    usage,
    service_tier: 'default',
    system_fingerprint: 'fp_bench',
  }),
);
/** Completions answering a json_schema request, by the schema's JSON. */
const structured = new Map<string, Buffer>();
function structuredCompletion(body: string): Buffer | undefined {
  let schema: unknown;
  try {
    schema = (JSON.parse(body) as { response_format?: { json_schema?: { schema?: unknown } } }).response_format?.json_schema?.schema;
  } catch {
    return undefined;
  }
  if (!schema || typeof schema !== 'object') return undefined;
  const key = JSON.stringify(schema);
  let buf = structured.get(key);
  if (!buf) {
    const content = JSON.stringify(instanceOf(schema as Record<string, unknown>, { reasoning: 'It fits how I shop and what I can spend each week.' }));
    buf = Buffer.from(
      JSON.stringify({
        id: 'chatcmpl-bench0000000000000000000002',
        object: 'chat.completion',
        created: 1767225600,
        model: 'bench-model',
        choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
        usage,
        service_tier: 'default',
        system_fingerprint: 'fp_bench',
      }),
    );
    if (structured.size < 1000) structured.set(key, buf);
  }
  return buf;
}
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };
const JSON_HEADERS = { 'content-type': 'application/json', 'content-length': String(completionBuf.length) };

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  let body = '';
  req.setEncoding('latin1');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    if (req.method === 'POST' && req.url === '/__release') {
      const n = held.size;
      for (const release of [...held]) release();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ released: n }));
      return;
    }
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
      return;
    }
    const stream = body.includes('"stream":true');
    const burst = stream && body.includes('BENCH_BURST');
    const hold = stream && body.includes('BENCH_HOLD');
    const object = !stream && body.includes('"response_format"') ? structuredCompletion(body) : undefined;
    setTimeout(() => {
      if (res.destroyed) return;
      if (object) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(object.length) });
        res.end(object);
        return;
      }
      if (!stream) {
        res.writeHead(200, JSON_HEADERS);
        res.end(completionBuf);
        return;
      }
      res.writeHead(200, SSE_HEADERS);
      if (burst) {
        res.end(burstBuf);
        return;
      }
      res.write(headBuf);
      if (hold) {
        const release = (): void => {
          held.delete(release);
          clearTimeout(timer);
          if (!res.destroyed) res.end(Buffer.concat([...deltaFrames.slice(1), tailFrame]));
        };
        const timer = setTimeout(release, MAX_HOLD_MS);
        held.add(release);
        res.once('close', () => {
          held.delete(release);
          clearTimeout(timer);
        });
        return;
      }
      const step = (i: number): void => {
        if (res.destroyed) return;
        if (i < CHUNKS) {
          res.write(deltaFrames[i]!);
          setTimeout(step, GAP_MS, i + 1);
        } else {
          res.end(tailFrame);
        }
      };
      setTimeout(step, GAP_MS, 1);
    }, DELAY_MS);
  });
});
server.maxHeadersCount = 100;
server.listen(Number(process.env.BENCH_UPSTREAM_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
