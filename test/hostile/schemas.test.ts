/**
 * The hostile-schema corpus (test/hostile/corpus/schemas.json, issue 16 items
 * 2, 4 and 11) over real HTTP against the app in a process of its own: every
 * case ends in a 2xx or a 4xx (the status and param the corpus expects), and
 * /health keeps answering while it runs. Stalls show as a /health request
 * that gets no answer within HEALTH_BOUND_MS; the bounds are generous
 * failure detectors (the cases this guards against took 20 s to forever),
 * not timings of the work.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';

const HEALTH_BOUND_MS = 5_000;
const REQUEST_BOUND_MS = 60_000;

type Status = number | number[] | 'sandbox-422' | '2xx-or-4xx';
interface Case {
  name: string;
  issue: string;
  schema: unknown;
  expect: { status: Status; at?: string; atPattern?: string };
  via?: string[];
  input?: unknown;
  liveAnswer?: string;
}

const corpus = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'corpus', 'schemas.json'), 'utf8')) as { cases: Case[] };
type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The corpus's macros, for schemas too large to write out. */
function expand(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(expand);
  if (!isObj(v)) return v;
  if ('$repeat' in v) return String(v.$repeat).repeat(Number(v.times));
  if ('$range' in v) return Array.from({ length: Number(v.$range) }, (_, i) => i);
  if ('$words' in v) return Array.from({ length: Number(v.$words) }, (_, i) => `word${i}`);
  if ('$manyPatterns' in v) return { type: 'object', properties: Object.fromEntries(Array.from({ length: Number(v.$manyPatterns) }, (_, i) => [`p${i}`, { type: 'string', pattern: `^x{${i % 50}}[a-z]${i}$` }])) };
  if ('$manyProperties' in v) return { type: 'object', properties: Object.fromEntries(Array.from({ length: Number(v.$manyProperties) }, (_, i) => [`p${i}`, { type: 'string' }])) };
  if ('$refBomb' in v) {
    const { levels, fanout } = v.$refBomb as { levels: number; fanout: number };
    const $defs: Json = {};
    for (let i = 0; i < levels; i++) {
      const keys = Array.from({ length: fanout }, (_, k) => `k${k}`);
      $defs[`d${i}`] = i === levels - 1 ? { type: 'string' } : { type: 'object', properties: Object.fromEntries(keys.map((k) => [k, { $ref: `#/$defs/d${i + 1}` }])), required: keys };
    }
    return { $defs, $ref: '#/$defs/d0' };
  }
  if ('$nest' in v) {
    let s: Json = { type: 'string' };
    for (let i = 0; i < (v.$nest as { depth: number }).depth; i++) s = { type: 'object', properties: { a: s }, required: ['a'] };
    return s;
  }
  if ('$oneOfNest' in v) {
    // every level: oneOf two identical branches, so every candidate matches both and the search goes on
    const depth = (v.$oneOfNest as { depth: number }).depth;
    const $defs: Json = { s0: { type: 'string' } };
    for (let i = 1; i <= depth; i++) {
      $defs[`x${i}`] = { type: 'object', properties: { a: { $ref: `#/$defs/s${i - 1}` } }, required: ['a'] };
      $defs[`s${i}`] = { oneOf: [{ $ref: `#/$defs/x${i}` }, { $ref: `#/$defs/x${i}` }] };
    }
    return { $defs, $ref: `#/$defs/s${depth}` };
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expand(x)]));
}

interface Server {
  child: ChildProcess;
  url: string;
  testKey: string;
  liveKey: string;
}

let upstream: MockChatUpstream;
let server: Server | undefined;

async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'server-process.ts')], {
    env: { ...process.env, HOSTILE_UPSTREAM_URL: `${upstream.url}` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`the server process exited (${code}) before it listened`)));
  });
  return { child, ...(JSON.parse(line) as { url: string; testKey: string; liveKey: string }) };
}

async function stopServer(): Promise<void> {
  if (!server) return;
  const { child } = server;
  server = undefined;
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** Runs `work` while /health is asked again and again; each must be answered within HEALTH_BOUND_MS. */
async function whileHealthy<T>(base: string, work: Promise<T>): Promise<{ result: T; healthAnswers: number }> {
  let done = false;
  let answers = 0;
  const watch = (async () => {
    while (!done) {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(HEALTH_BOUND_MS) }).catch((err: unknown) => {
        throw new Error(`/health got no answer within ${HEALTH_BOUND_MS} ms while the request ran: the server is stalled (${String(err)})`);
      });
      assert.equal(res.status, 200);
      await res.text();
      answers++;
      // pace the probes: the server has other work to do
      if (!done) await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const result = await Promise.race([work, watch.then(() => new Promise<never>(() => {}))]).finally(() => (done = true));
  await watch;
  return { result, healthAnswers: answers };
}

interface Sent {
  status: number;
  body: string;
  base: string;
}

function send(s: Server, c: Case, via: string, schema: unknown): Promise<Sent> {
  const input = c.input === undefined ? 'Would you buy the new Aurora headphones for $149? Tell me why.' : String(expand(c.input));
  const post = async (route: string, key: string, body: Json, base: string): Promise<Sent> => {
    const res = await fetch(`${s.url}/v1${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_BOUND_MS),
    });
    return { status: res.status, body: await res.text(), base };
  };
  const tool = { type: 'function', name: 'probe', description: 'Opens a page or records a probe', parameters: schema };
  switch (via) {
    case 'format':
      return post('/responses', s.testKey, { model: 'mavera-1', input, text: { format: { type: 'json_schema', name: 'probe', schema } } }, 'text.format.schema');
    case 'tool':
      return post('/responses', s.testKey, { model: 'mavera-1', input, tools: [tool] }, 'tools[0].parameters');
    case 'tool-required':
      return post('/responses', s.testKey, { model: 'mavera-1', input, tools: [tool], tool_choice: 'required' }, 'tools[0].parameters');
    case 'chat':
      return post('/chat/completions', s.testKey, { model: 'mavera-1', messages: [{ role: 'user', content: input }], response_format: { type: 'json_schema', json_schema: { name: 'probe', schema } } }, 'response_format.json_schema.schema');
    case 'live-stream':
      upstream.enqueue({ type: 'stream', content: c.liveAnswer ?? '{}' });
      return post('/responses', s.liveKey, { model: 'mavera-1', input, stream: true, text: { format: { type: 'json_schema', name: 'probe', schema } } }, 'text.format.schema');
    default:
      throw new Error(`unknown via ${via}`);
  }
}

function check(c: Case, sent: Sent): void {
  const { status } = c.expect;
  const detail = `${sent.status} ${sent.body.slice(0, 400)}`;
  if (status === '2xx-or-4xx') assert.ok(sent.status >= 200 && sent.status < 500, detail);
  else if (Array.isArray(status)) assert.ok(status.includes(sent.status), detail);
  else assert.equal(sent.status, status === 'sandbox-422' ? 422 : status, detail);
  if (sent.status === 422) {
    const error = (JSON.parse(sent.body) as { error: { code: string; param: string | null } }).error;
    assert.equal(error.code, 'validation_error', detail);
    assert.ok(error.param !== null && (error.param === sent.base || error.param.startsWith(`${sent.base}.`) || error.param.startsWith(`${sent.base}[`)), detail);
    const rest = error.param.slice(sent.base.length).replace(/^\./, '');
    if (c.expect.at !== undefined) assert.equal(rest, c.expect.at, detail);
    if (c.expect.atPattern !== undefined) assert.match(rest, new RegExp(c.expect.atPattern), detail);
  }
  if (sent.status === 200 && sent.body.startsWith('event:')) assert.match(sent.body, /data: \[DONE\]\n\n$/, 'the stream ends');
}

before(async () => {
  upstream = await startMockChatUpstream();
  server = await startServer();
});

after(async () => {
  await stopServer();
  await upstream.close();
});

describe('hostile JSON Schemas over HTTP (test/hostile/corpus/schemas.json)', () => {
  for (const c of corpus.cases) {
    for (const via of c.via ?? ['format', 'tool', 'chat']) {
      it(`${c.issue} ${c.name} (${via})`, async () => {
        server ??= await startServer();
        const s = server;
        try {
          const { result, healthAnswers } = await whileHealthy(s.url, send(s, c, via, expand(c.schema)));
          assert.ok(healthAnswers >= 1);
          check(c, result);
        } catch (err) {
          // a stalled or crashed server would fail every case after this one: start a fresh one
          await stopServer();
          throw err;
        }
      });
    }
  }
});
