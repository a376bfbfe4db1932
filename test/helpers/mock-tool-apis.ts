/**
 * Mock backends of the built-in server tools, each speaking its API's wire
 * format, on one real node:http server on 127.0.0.1 (random port), recording
 * every request:
 *
 * - Tavily:  POST /search → `{query, answer, results:[{title,url,content,score}], response_time}`;
 *            POST /extract → `{results:[{url, raw_content}], failed_results:[{url, error}], response_time}`.
 *            Bad key → 401 `{"detail":{"error":"…"}}`.
 * - OpenAI images: POST /v1/images/generations (JSON) and /v1/images/edits
 *            (multipart/form-data) → `{created, data:[{b64_json}]}` (or `{url}`
 *            with `imageResponse = 'url'`). Bad key → 401 `{"error":{message,type,param,code}}`.
 * - OpenAI videos: POST /v1/videos → a `video` job `{id, object:"video", status:"queued", …}`;
 *            GET /v1/videos/{id} walks `videoSteps` one step per poll; GET …/content → MP4 bytes.
 * - Runway:  POST /v1/image_to_video (needs `X-Runway-Version`) → `{id}`;
 *            GET /v1/tasks/{id} walks `runwaySteps` (SUCCEEDED carries `output`, FAILED `failure`/`failureCode`).
 * - Pages:   GET /pages/… serves what `page(path, body, type)` registered (for guarded fetches).
 *
 * `failNext(path, status, body)` makes the next request to `path` fail.
 *
 *   const apis = await startMockToolApis();
 *   createServerTools(apis.config(), { pollIntervalMs: 1 });
 *   apis.requests.at(-1).body   // JSON, or a FormData for multipart
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerToolsConfig } from '../../src/server-tools/types.js';

export const KEYS = { tavily: 'tvly-test-key', openai: 'sk-images-test-key', runway: 'key_runway_test' } as const;

/** The 1×1 PNG the mock images API "generates". */
export const MOCK_PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

export interface RecordedToolRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, a FormData for multipart bodies, else the text. */
  body: unknown;
}

export interface MockToolApis {
  url: string;
  requests: RecordedToolRequest[];
  /** Requests to one path (exact match). */
  to(path: string): RecordedToolRequest[];
  /** ServerToolsConfig pointing every backend here, with the keys the mock expects. */
  config(overrides?: Partial<ServerToolsConfig>): ServerToolsConfig;
  /** Search results Tavily returns (default: three results about the query). */
  searchResults: ((query: string) => Array<{ title: string; url: string; content: string; score: number }>) | null;
  searchAnswer: string | null;
  /** Raw content per URL for /extract; URLs without one are in failed_results. */
  extractContent: Record<string, string>;
  imageResponse: 'b64_json' | 'url';
  /** Status of a video after each poll: the last one repeats. */
  videoSteps: Array<'queued' | 'in_progress' | 'completed' | 'failed'>;
  runwaySteps: Array<'PENDING' | 'THROTTLED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED'>;
  page(path: string, body: string | Uint8Array, contentType: string): void;
  failNext(path: string, status: number, body: unknown): void;
  close(): Promise<void>;
}

export async function startMockToolApis(): Promise<MockToolApis> {
  const requests: RecordedToolRequest[] = [];
  const pages = new Map<string, { body: string | Uint8Array; type: string }>();
  const failures = new Map<string, { status: number; body: unknown }[]>();
  const videos = new Map<string, { polls: number; prompt: string; seconds: string; size: string; model: string }>();
  const tasks = new Map<string, { polls: number }>();
  let counter = 0;

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://mock');
    const path = url.pathname;
    const type = String(req.headers['content-type'] ?? '');
    let body: unknown = raw.toString('utf8');
    if (type.startsWith('application/json')) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = raw.toString('utf8');
      }
    } else if (type.startsWith('multipart/form-data')) {
      body = await new Request('http://mock/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
    }
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });

    const json = (status: number, value: unknown): void => {
      const text = JSON.stringify(value);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    const queued = failures.get(path)?.shift();
    if (queued) return json(queued.status, queued.body);
    const bearer = String(req.headers.authorization ?? '');
    const openaiError = (status: number, message: string, code: string | null = null) =>
      json(status, { error: { message, type: 'invalid_request_error', param: null, code } });

    // ---- pages (guarded-fetch targets)
    const page = pages.get(path);
    if (page && req.method === 'GET') {
      const bytes = typeof page.body === 'string' ? Buffer.from(page.body) : Buffer.from(page.body);
      res.writeHead(200, { 'content-type': page.type, 'content-length': bytes.length });
      return res.end(bytes);
    }
    if (path === '/redirect-to-page' && req.method === 'GET') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
      return res.end();
    }

    // ---- Tavily
    if (path === '/search' || path === '/extract') {
      if (bearer !== `Bearer ${KEYS.tavily}`) return json(401, { detail: { error: 'Unauthorized: missing or invalid API key.' } });
      const b = body as Record<string, unknown>;
      if (path === '/search') {
        const query = String(b.query ?? '');
        const results = (api.searchResults ?? defaultResults)(query).slice(0, Number(b.max_results ?? 5));
        return json(200, { query, follow_up_questions: null, answer: b.include_answer ? api.searchAnswer : null, images: [], results, response_time: 0.42 });
      }
      const urls = Array.isArray(b.urls) ? (b.urls as string[]) : [String(b.urls)];
      return json(200, {
        results: urls.filter((u) => u in api.extractContent).map((u) => ({ url: u, raw_content: api.extractContent[u], images: [] })),
        failed_results: urls.filter((u) => !(u in api.extractContent)).map((u) => ({ url: u, error: 'Failed to fetch url' })),
        response_time: 0.3,
      });
    }

    // ---- OpenAI images + videos
    if (path.startsWith('/v1/images/') || path.startsWith('/v1/videos')) {
      if (bearer !== `Bearer ${KEYS.openai}`) return openaiError(401, 'Incorrect API key provided: sk-images-****.', 'invalid_api_key');
      if (path === '/v1/images/generations' || path === '/v1/images/edits') {
        if (path.endsWith('/edits') && !(body instanceof FormData)) return openaiError(400, "Invalid Content-Type header, expected multipart/form-data.");
        const datum = api.imageResponse === 'url' ? { url: 'https://images.example.com/generated.png', revised_prompt: 'a revised prompt' } : { b64_json: MOCK_PNG_B64 };
        return json(200, { created: 1767225600, background: 'opaque', output_format: 'png', quality: 'medium', size: '1024x1024', data: [datum], usage: { input_tokens: 10, output_tokens: 100, total_tokens: 110 } });
      }
      if (path === '/v1/videos' && req.method === 'POST') {
        const b = body as Record<string, unknown>;
        const id = `video_${(++counter).toString(16).padStart(8, '0')}`;
        const v = { polls: 0, prompt: String(b.prompt), seconds: String(b.seconds ?? '4'), size: String(b.size ?? '720x1280'), model: String(b.model ?? 'sora-2') };
        videos.set(id, v);
        return json(200, videoObject(id, v, 'queued'));
      }
      const m = /^\/v1\/videos\/([^/]+)(\/content)?$/.exec(path);
      const v = m ? videos.get(decodeURIComponent(m[1]!)) : undefined;
      if (m && v && req.method === 'GET') {
        if (m[2]) {
          res.writeHead(200, { 'content-type': 'video/mp4' });
          return res.end(Buffer.from('00000018667479706d703432', 'hex'));
        }
        const status = api.videoSteps[Math.min(v.polls, api.videoSteps.length - 1)] ?? 'completed';
        v.polls++;
        return json(200, videoObject(m[1]!, v, status));
      }
      return openaiError(404, `No route ${req.method} ${path}`);
    }

    // ---- Runway
    if (path === '/v1/image_to_video' || path.startsWith('/v1/tasks/')) {
      if (bearer !== `Bearer ${KEYS.runway}`) return json(401, { error: 'Invalid API key.' });
      if (req.headers['x-runway-version'] !== '2024-11-06') return json(400, { error: 'The X-Runway-Version header is required.' });
      if (path === '/v1/image_to_video' && req.method === 'POST') {
        const id = `${(++counter).toString(16).padStart(8, '0')}-4f1c-4b7a-9d2e-3c8a1f0e7b6d`;
        tasks.set(id, { polls: 0 });
        return json(200, { id });
      }
      const id = decodeURIComponent(path.slice('/v1/tasks/'.length));
      const t = tasks.get(id);
      if (!t) return json(404, { error: 'Task not found.' });
      const status = api.runwaySteps[Math.min(t.polls, api.runwaySteps.length - 1)] ?? 'SUCCEEDED';
      t.polls++;
      const task: Record<string, unknown> = { id, status, createdAt: '2026-01-01T00:00:00.000Z' };
      if (status === 'RUNNING') task.progress = 0.5;
      if (status === 'SUCCEEDED') task.output = [`https://dnznrvs05pmza.cloudfront.net/${id}.mp4?_jwt=test`];
      if (status === 'FAILED') {
        task.failure = 'The prompt was flagged by content moderation.';
        task.failureCode = 'SAFETY.INPUT.TEXT';
      }
      return json(200, task);
    }
    json(404, { error: `no mock route for ${req.method} ${path}` });
  });

  function videoObject(id: string, v: { prompt: string; seconds: string; size: string; model: string }, status: string): Record<string, unknown> {
    return {
      id,
      object: 'video',
      model: v.model,
      status,
      progress: status === 'completed' ? 100 : status === 'in_progress' ? 50 : 0,
      created_at: 1767225600,
      completed_at: status === 'completed' ? 1767225700 : null,
      expires_at: status === 'completed' ? 1767312100 : null,
      prompt: v.prompt,
      remixed_from_video_id: null,
      seconds: v.seconds,
      size: v.size,
      error: status === 'failed' ? { code: 'moderation_blocked', message: 'The video was blocked by moderation.' } : null,
    };
  }

  const defaultResults = (query: string) => [
    { title: `${query} — Wikipedia`, url: 'https://en.wikipedia.org/wiki/Example', content: `An encyclopedia article about ${query}.`, score: 0.91 },
    { title: `Latest news on ${query}`, url: 'https://news.example.org/latest', content: `Reporting on ${query} from this week.`, score: 0.83 },
    { title: `${query}: a guide`, url: 'https://guide.example.net/', content: `How ${query} works, step by step.`, score: 0.71 },
  ];

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const api: MockToolApis = {
    url,
    requests,
    to: (path) => requests.filter((r) => r.path === path),
    config: (overrides = {}) => ({
      tavily: { baseURL: url, apiKey: KEYS.tavily },
      images: { baseURL: `${url}/v1`, apiKey: KEYS.openai, model: 'gpt-image-1' },
      video: { baseURL: `${url}/v1`, apiKey: KEYS.openai, model: 'sora-2' },
      runway: { baseURL: url, apiKey: KEYS.runway },
      ...overrides,
    }),
    searchResults: null,
    searchAnswer: 'A short answer from the mock.',
    extractContent: {},
    imageResponse: 'b64_json',
    videoSteps: ['in_progress', 'completed'],
    runwaySteps: ['PENDING', 'RUNNING', 'SUCCEEDED'],
    page: (path, body, contentType) => void pages.set(path, { body, type: contentType }),
    failNext(path, status, body) {
      const list = failures.get(path) ?? [];
      list.push({ status, body });
      failures.set(path, list);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return api;
}
