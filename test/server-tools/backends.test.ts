/**
 * Each server tool against a mock of its backend's real wire format: what is
 * sent (path, headers, body), how the answer maps to the model's text and the
 * `server_tool_calls` record, failures that become failed records (never
 * thrown), polling, and the session rules (settings, configuration, turns,
 * credits, sandbox simulation).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiError } from '../../src/errors/api-error.js';
import { createGuardedFetch } from '../../src/server-tools/guarded-fetch.js';
import { createServerTools, type ServerToolsDeps } from '../../src/server-tools/registry.js';
import type { ServerToolSpec, ServerToolsConfig } from '../../src/server-tools/types.js';
import { SIMULATED_PNG_B64 } from '../../src/server-tools/generate-image.js';
import { KEYS, MOCK_PNG_B64, startMockToolApis, type MockToolApis } from '../helpers/mock-tool-apis.js';

let apis: MockToolApis;
before(async () => {
  apis = await startMockToolApis();
});
after(async () => {
  await apis.close();
});
beforeEach(() => {
  apis.requests.length = 0;
  apis.videoSteps = ['in_progress', 'completed'];
  apis.runwaySteps = ['PENDING', 'RUNNING', 'SUCCEEDED'];
  apis.imageResponse = 'b64_json';
});

const spec = (type: ServerToolSpec['type'], settings: Record<string, unknown> = {}, index = 0): ServerToolSpec => ({ type, settings, index });
const deps = (): ServerToolsDeps => ({ pollIntervalMs: 1, pollTimeoutMs: 5000, fetchGuarded: createGuardedFetch({ allow: ['127.0.0.1'] }) });
const open = (specs: ServerToolSpec[], mode: 'live' | 'test' = 'live', config: ServerToolsConfig = apis.config(), d: ServerToolsDeps = deps()) =>
  createServerTools(config, d).open(specs, mode);
const call = (name: string, args: unknown, callId = 'call_1') => ({ callId, name, arguments: typeof args === 'string' ? args : JSON.stringify(args) });
const signal = () => new AbortController().signal;

describe('tavily_search', () => {
  it('POSTs /search with the Bearer key and the settings, and maps results for the model and the record', async () => {
    const session = open([spec('tavily_search', { max_results: 3, search_depth: 'advanced' })]);
    assert.deepEqual(session.definitions.map((d) => d.name), ['tavily_search']);
    assert.deepEqual(session.definitions[0]!.parameters.required, ['query']);
    assert.match(session.definitions[0]!.description!, /Search the web/);
    const text = await session.execute(call('tavily_search', { query: 'persona research' }), signal(), 0);
    const [req] = apis.to('/search');
    assert.equal(req!.method, 'POST');
    assert.equal(req!.headers.authorization, `Bearer ${KEYS.tavily}`);
    assert.deepEqual(req!.body, { query: 'persona research', max_results: 3, search_depth: 'advanced', include_answer: true });
    assert.match(text, /^Web search for "persona research" found 3 results; the top one is "persona research — Wikipedia" \(https:\/\/en\.wikipedia\.org\/wiki\/Example\)\./);
    assert.match(text, /Answer: A short answer from the mock\./);
    assert.match(text, /\[2\] Latest news on persona research\nURL: https:\/\/news\.example\.org\/latest\nReporting on persona research/);
    const [rec] = session.calls;
    assert.equal(rec!.tool, 'tavily_search');
    assert.equal(rec!.status, 'completed');
    assert.match(rec!.id, /^stc_/);
    assert.deepEqual(rec!.arguments, { query: 'persona research' });
    assert.deepEqual(rec!.urls, ['https://en.wikipedia.org/wiki/Example', 'https://news.example.org/latest', 'https://guide.example.net/']);
    assert.equal(rec!.result_summary, '3 results for "persona research"');
    assert.equal(rec!.credits, 2);
    assert.equal(typeof rec!.latency_ms, 'number');
    assert.equal(session.turns, 1);
  });

  it("maps OpenAI's search_context_size: high to advanced depth; include_answer false is sent", async () => {
    const session = open([spec('web_search', { search_context_size: 'high', include_answer: false })]);
    await session.execute(call('tavily_search', { query: 'q' }), signal(), 0);
    assert.deepEqual(apis.to('/search')[0]!.body, { query: 'q', max_results: 5, search_depth: 'advanced', include_answer: false });
  });

  it('an upstream error becomes a failed record and an error text for the model, with the key redacted', async () => {
    const session = open([spec('tavily_search')], 'live', apis.config({ tavily: { baseURL: apis.url, apiKey: 'tvly-wrong-key' } }));
    apis.failNext('/search', 401, { detail: { error: 'Unauthorized: key tvly-wrong-key is invalid.' } });
    const text = await session.execute(call('tavily_search', { query: 'x' }), signal(), 0);
    assert.match(text, /^Error: tavily_search failed: Tavily returned HTTP 401: Unauthorized: key \[redacted\] is invalid\./);
    const [rec] = session.calls;
    assert.equal(rec!.status, 'failed');
    assert.match(rec!.error!, /HTTP 401/);
    assert.doesNotMatch(JSON.stringify(rec), /tvly-wrong-key/);
    assert.equal(session.turns, 1, 'a failed call still used the turn');
  });

  it('an unreachable backend is a failed record, not a thrown error', async () => {
    const session = open([spec('tavily_search')], 'live', apis.config({ tavily: { baseURL: 'http://127.0.0.1:9', apiKey: 'k' } }));
    const text = await session.execute(call('tavily_search', { query: 'x' }), signal(), 0);
    assert.match(text, /Could not reach Tavily at 127\.0\.0\.1:9/);
    assert.equal(session.calls[0]!.status, 'failed');
  });

  it('arguments that do not match the schema fail the call without reaching the backend', async () => {
    const session = open([spec('tavily_search')]);
    const text = await session.execute(call('tavily_search', { q: 'wrong' }), signal(), 0);
    assert.match(text, /invalid arguments/);
    const bad = await session.execute(call('tavily_search', '{not json'), signal(), 0);
    assert.match(bad, /not a JSON object/);
    assert.equal(apis.to('/search').length, 0);
    assert.deepEqual(session.calls.map((c) => c.status), ['failed', 'failed']);
  });
});

describe('tavily_extract via Tavily', () => {
  it('POSTs /extract {urls} and reports results and failed_results', async () => {
    apis.extractContent = { 'https://a.example.com/post': 'The full article text about tides.' };
    const session = open([spec('tavily_extract', { extract_depth: 'advanced' })]);
    const text = await session.execute(call('tavily_extract', { urls: ['https://a.example.com/post', 'https://b.example.com/missing'] }), signal(), 0);
    const [req] = apis.to('/extract');
    assert.equal(req!.headers.authorization, `Bearer ${KEYS.tavily}`);
    assert.deepEqual(req!.body, { urls: ['https://a.example.com/post', 'https://b.example.com/missing'], extract_depth: 'advanced' });
    assert.match(text, /^Extracted 1 of 2 pages/);
    assert.match(text, /The full article text about tides\./);
    assert.match(text, /Could not extract https:\/\/b\.example\.com\/missing: Failed to fetch url/);
    assert.deepEqual(session.calls[0]!.urls, ['https://a.example.com/post']);
    assert.equal(session.calls[0]!.status, 'completed');
  });

  it('rejects non-http URLs before any request', async () => {
    const session = open([spec('tavily_extract')]);
    const text = await session.execute(call('tavily_extract', { urls: ['file:///etc/passwd'] }), signal(), 0);
    assert.match(text, /must be http\(s\) URLs/);
    assert.equal(apis.requests.length, 0);
  });
});

describe('generateImage / editImage (OpenAI images API)', () => {
  it('POSTs /images/generations {model, prompt, size, n:1} and keeps b64_json', async () => {
    const session = open([spec('image_generation', { size: '1536x1024', quality: 'high' })]);
    assert.deepEqual(session.definitions.map((d) => d.name), ['generateImage']);
    const text = await session.execute(call('generateImage', { prompt: 'a lighthouse at dusk' }), signal(), 0);
    const [req] = apis.to('/v1/images/generations');
    assert.equal(req!.headers.authorization, `Bearer ${KEYS.openai}`);
    assert.deepEqual(req!.body, { model: 'gpt-image-1', prompt: 'a lighthouse at dusk', size: '1536x1024', n: 1, quality: 'high' });
    assert.match(text, /Generated an image \(1536x1024\) for "a lighthouse at dusk"/);
    assert.doesNotMatch(text, new RegExp(MOCK_PNG_B64.slice(0, 20)), 'the model never reads the bytes');
    assert.equal(session.calls[0]!.b64_json, MOCK_PNG_B64);
  });

  it('keeps the URL when the API answers with one (DALL·E)', async () => {
    apis.imageResponse = 'url';
    const session = open([spec('generateImage')]);
    const text = await session.execute(call('generateImage', { prompt: 'p' }), signal(), 0);
    assert.deepEqual(session.calls[0]!.urls, ['https://images.example.com/generated.png']);
    assert.match(text, /revised prompt: "a revised prompt"/);
    assert.equal(session.calls[0]!.b64_json, undefined);
  });

  it('POSTs /images/edits as multipart with the image from a data URL', async () => {
    const png = Buffer.from(MOCK_PNG_B64, 'base64');
    const session = open([spec('editImage', { size: '1024x1024' })]);
    await session.execute(call('editImage', { image_url: `data:image/png;base64,${MOCK_PNG_B64}`, prompt: 'make it night' }), signal(), 0);
    const [req] = apis.to('/v1/images/edits');
    assert.match(String(req!.headers['content-type']), /^multipart\/form-data; boundary=/);
    const form = req!.body as FormData;
    assert.equal(form.get('model'), 'gpt-image-1');
    assert.equal(form.get('prompt'), 'make it night');
    assert.equal(form.get('size'), '1024x1024');
    assert.equal(form.get('n'), '1');
    const image = form.get('image') as File;
    assert.equal(image.type, 'image/png');
    assert.equal(image.name, 'image.png');
    assert.deepEqual(Buffer.from(await image.arrayBuffer()), png);
    assert.equal(session.calls[0]!.status, 'completed');
  });

  it('downloads an http(s) source image through the guarded fetch', async () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    apis.page('/pages/photo.jpg', jpeg, 'image/jpeg');
    const session = open([spec('editImage')]);
    await session.execute(call('editImage', { image_url: `${apis.url}/pages/photo.jpg`, prompt: 'add snow' }), signal(), 0);
    const image = (apis.to('/v1/images/edits')[0]!.body as FormData).get('image') as File;
    assert.equal(image.type, 'image/jpeg');
    assert.deepEqual(Buffer.from(await image.arrayBuffer()), jpeg);
  });

  it('checks the source image by its bytes, not its label', async () => {
    const session = open([spec('editImage')]);
    const text = await session.execute(call('editImage', { image_url: `data:image/png;base64,${Buffer.from('<svg/>').toString('base64')}`, prompt: 'x' }), signal(), 0);
    assert.match(text, /image_url must be a PNG, JPEG or WebP image\./);
    apis.page('/pages/octet.bin', Buffer.from(MOCK_PNG_B64, 'base64'), 'application/octet-stream');
    await session.execute(call('editImage', { image_url: `${apis.url}/pages/octet.bin`, prompt: 'x' }), signal(), 0);
    const image = (apis.to('/v1/images/edits')[0]!.body as FormData).get('image') as File;
    assert.equal(image.type, 'image/png');
  });

  it('refuses a private source image without the allow-list', async () => {
    apis.page('/pages/photo.png', Buffer.from(MOCK_PNG_B64, 'base64'), 'image/png');
    const session = open([spec('editImage')], 'live', apis.config(), { ...deps(), fetchGuarded: createGuardedFetch() });
    const text = await session.execute(call('editImage', { image_url: `${apis.url}/pages/photo.png`, prompt: 'x' }), signal(), 0);
    assert.match(text, /could not download image_url: 127\.0\.0\.1 is a loopback address, which the server does not fetch/);
    assert.equal(apis.to('/v1/images/edits').length, 0);
  });
});

describe('generateVideo (OpenAI videos API)', () => {
  it('POSTs /videos {model, prompt, seconds, size}, polls until completed, returns the content URL', async () => {
    apis.videoSteps = ['queued', 'in_progress', 'completed'];
    const session = open([spec('generateVideo', { seconds: 8, size: '720x1280' })]);
    const text = await session.execute(call('generateVideo', { prompt: 'waves at sunrise' }), signal(), 0);
    const [create] = apis.to('/v1/videos');
    assert.equal(create!.method, 'POST');
    assert.equal(create!.headers.authorization, `Bearer ${KEYS.openai}`);
    assert.deepEqual(create!.body, { model: 'sora-2', prompt: 'waves at sunrise', seconds: '8', size: '720x1280' });
    const polls = apis.requests.filter((r) => r.method === 'GET' && /^\/v1\/videos\/video_/.test(r.path));
    assert.equal(polls.length, 3);
    const id = polls[0]!.path.split('/').at(-1)!;
    const url = `${apis.url}/v1/videos/${id}/content`;
    assert.deepEqual(session.calls[0]!.urls, [url]);
    assert.match(text, new RegExp(`Generated a 8-second 720x1280 video \\(id ${id}\\)`));
    assert.equal(session.calls[0]!.result_summary, `video ${id} completed (8 s, 720x1280)`);
  });

  it('a failed job is a failed record with the API error', async () => {
    apis.videoSteps = ['failed'];
    const session = open([spec('generateVideo')]);
    const text = await session.execute(call('generateVideo', { prompt: 'p' }), signal(), 0);
    assert.match(text, /failed: The video was blocked by moderation\./);
    assert.equal(session.calls[0]!.status, 'failed');
  });

  it('stops polling when the response is cancelled', async () => {
    apis.videoSteps = ['in_progress'];
    const session = open([spec('generateVideo')], 'live', apis.config(), { ...deps(), pollIntervalMs: 20, pollTimeoutMs: 60_000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('cancelled')), 80);
    const started = Date.now();
    const text = await session.execute(call('generateVideo', { prompt: 'p' }), ac.signal, 0);
    assert.ok(Date.now() - started < 2000);
    assert.match(text, /cancelled/);
    assert.equal(session.calls[0]!.status, 'failed');
  });

  it('gives up after the poll timeout', async () => {
    apis.videoSteps = ['in_progress'];
    const session = open([spec('generateVideo')], 'live', apis.config(), { ...deps(), pollIntervalMs: 5, pollTimeoutMs: 40 });
    const text = await session.execute(call('generateVideo', { prompt: 'p' }), signal(), 0);
    assert.match(text, /still running after/);
  });
});

describe('imageToVideo (Runway)', () => {
  it('POSTs /v1/image_to_video with X-Runway-Version and polls /v1/tasks/{id} until SUCCEEDED', async () => {
    const session = open([spec('imageToVideo', { ratio: '720:1280', duration: 10 })]);
    const text = await session.execute(call('imageToVideo', { image_url: 'https://img.example.com/cat.jpg', prompt: 'the cat yawns' }), signal(), 0);
    const [create] = apis.to('/v1/image_to_video');
    assert.equal(create!.headers.authorization, `Bearer ${KEYS.runway}`);
    assert.equal(create!.headers['x-runway-version'], '2024-11-06');
    assert.deepEqual(create!.body, { promptImage: 'https://img.example.com/cat.jpg', promptText: 'the cat yawns', model: 'gen4_turbo', ratio: '720:1280', duration: 10 });
    const polls = apis.requests.filter((r) => r.path.startsWith('/v1/tasks/'));
    assert.equal(polls.length, 3);
    assert.ok(polls.every((p) => p.headers['x-runway-version'] === '2024-11-06'));
    const rec = session.calls[0]!;
    assert.equal(rec.status, 'completed');
    assert.match(rec.urls![0]!, /^https:\/\/dnznrvs05pmza\.cloudfront\.net\/.+\.mp4/);
    assert.match(text, /Generated a 10-second 720:1280 video from the image/);
  });

  it('FAILED carries failure and failureCode', async () => {
    apis.runwaySteps = ['RUNNING', 'FAILED'];
    const session = open([spec('imageToVideo')]);
    const text = await session.execute(call('imageToVideo', { image_url: 'https://img.example.com/a.png', prompt: 'p' }), signal(), 0);
    assert.match(text, /failed: The prompt was flagged by content moderation\. \(SAFETY\.INPUT\.TEXT\)/);
  });

  it('needs an https (or data) image URL', async () => {
    const session = open([spec('imageToVideo')]);
    const text = await session.execute(call('imageToVideo', { image_url: 'http://img.example.com/a.png', prompt: 'p' }), signal(), 0);
    assert.match(text, /image_url must be an https URL/);
    assert.equal(apis.requests.length, 0);
  });
});

describe('sessions', () => {
  it('a live key with an unconfigured tool is refused with the variable to set', () => {
    const config: ServerToolsConfig = { tavily: { baseURL: 'https://api.tavily.com' } };
    const tools = createServerTools(config);
    assert.throws(
      () => tools.open([spec('tavily_search', {}, 2)], 'live'),
      (e: unknown) => e instanceof ApiError && e.status === 400 && e.param === 'tools[2]' && e.message === 'tavily_search is not configured on this server: set TAVILY_API_KEY.',
    );
    assert.throws(() => tools.open([spec('web_search')], 'live'), /web_search \(tavily_search\) is not configured on this server: set TAVILY_API_KEY\./);
    assert.throws(() => tools.open([spec('generateImage')], 'live'), /set COHORT_IMAGES_API_KEY \(or OPENAI_API_KEY\)/);
    assert.throws(() => tools.open([spec('generateVideo')], 'live'), /set COHORT_VIDEO_API_KEY/);
    assert.throws(() => tools.open([spec('imageToVideo')], 'live'), /set RUNWAY_API_KEY/);
    // tavily_extract falls back to fetching pages itself; test keys never need a backend.
    assert.deepEqual(tools.open([spec('tavily_extract')], 'live').definitions.map((d) => d.name), ['tavily_extract']);
    assert.equal(tools.open([spec('tavily_search'), spec('imageToVideo', {}, 1)], 'test').definitions.length, 2);
  });

  it('invalid settings are 422s naming the setting', () => {
    const tools = createServerTools(apis.config());
    assert.throws(
      () => tools.open([spec('tavily_search', { max_results: 50 }, 1)], 'test'),
      (e: unknown) => e instanceof ApiError && e.status === 422 && e.param === 'tools[1].max_results',
    );
    assert.throws(() => tools.open([spec('generateVideo', { seconds: 5 })], 'test'), (e: unknown) => e instanceof ApiError && e.param === 'tools[0].seconds');
    assert.throws(() => tools.open([spec('tavily_search', { max_tool_turns: 0 })], 'test'), (e: unknown) => e instanceof ApiError && e.param === 'tools[0].max_tool_turns');
  });

  it('aliases share one definition; max_tool_turns sets maxTurns (default 4)', () => {
    const tools = createServerTools(apis.config());
    const s = tools.open([spec('web_search'), spec('tavily_search', {}, 1), spec('web_search_preview', {}, 2)], 'test');
    assert.deepEqual(s.definitions.map((d) => d.name), ['tavily_search']);
    assert.equal(s.maxTurns, 4);
    assert.ok(s.handles('tavily_search'));
    assert.ok(!s.handles('web_search'));
    assert.equal(tools.open([spec('tavily_search', { max_tool_turns: 2 })], 'test').maxTurns, 2);
  });

  it('settings shape the definitions the model sees', () => {
    const s = createServerTools(apis.config()).open([spec('tavily_search', { max_results: 7, include_answer: false }), spec('generateVideo', { seconds: '12', size: '1792x1024' }, 1), spec('imageToVideo', { duration: 3 }, 2)], 'test');
    const [search, video, i2v] = s.definitions;
    assert.match(search!.description!, /up to 7 results/);
    assert.doesNotMatch(search!.description!, /answer/);
    assert.match(video!.description!, /12 seconds, 1792x1024/);
    assert.match(i2v!.description!, /3 seconds, 1280:720/);
  });

  it('parallel calls are recorded in call order, turns counted once, credits split per turn', async () => {
    const session = open([spec('tavily_search'), spec('generateImage', {}, 1)]);
    const results = await Promise.all([
      session.execute(call('generateImage', { prompt: 'slow?' }, 'c1'), signal(), 0),
      session.execute(call('tavily_search', { query: 'a' }, 'c2'), signal(), 0),
      session.execute(call('tavily_search', { query: 'b' }, 'c3'), signal(), 0),
    ]);
    assert.equal(results.length, 3);
    assert.deepEqual(session.calls.map((c) => c.tool), ['generateImage', 'tavily_search', 'tavily_search']);
    assert.deepEqual(session.calls.map((c) => c.credits), [0.67, 0.67, 0.66]);
    await session.execute(call('tavily_search', { query: 'c' }, 'c4'), signal(), 1);
    assert.equal(session.turns, 2);
    assert.equal(session.calls.at(-1)!.credits, 2);
    assert.equal(new Set(session.calls.map((c) => c.id)).size, 4);
  });

  it('test keys get deterministic, labelled simulations and never touch the network', async () => {
    const noNetwork = (() => {
      throw new Error('network used');
    }) as unknown as typeof fetch;
    const guarded = (async () => {
      throw new Error('network used');
    }) as unknown as ServerToolsDeps['fetchGuarded'] & object;
    const run = async () => {
      const s = createServerTools({ tavily: { baseURL: 'https://api.tavily.com' } }, { fetch: noNetwork, fetchGuarded: guarded }).open(
        [spec('tavily_search'), spec('tavily_extract', {}, 1), spec('generateImage', {}, 2), spec('editImage', {}, 3), spec('generateVideo', {}, 4), spec('imageToVideo', {}, 5)],
        'test',
      );
      const texts = [
        await s.execute(call('tavily_search', { query: 'electric bikes' }), signal(), 0),
        await s.execute(call('tavily_extract', { urls: ['https://news.example.org/a'] }), signal(), 0),
        await s.execute(call('generateImage', { prompt: 'a red bike' }), signal(), 0),
        await s.execute(call('editImage', { image_url: 'https://img.example.com/x.png', prompt: 'blue' }), signal(), 0),
        await s.execute(call('generateVideo', { prompt: 'a bike ride' }), signal(), 0),
        await s.execute(call('imageToVideo', { image_url: 'https://img.example.com/x.png', prompt: 'pan left' }), signal(), 0),
      ];
      return { texts, calls: s.calls.map(({ id: _id, latency_ms: _l, ...rest }) => rest) };
    };
    const a = await run();
    const b = await run();
    assert.deepEqual(a, b, 'deterministic');
    for (const t of a.texts) assert.match(t, /^\[simulated\] /);
    for (const c of a.calls) {
      assert.equal(c.status, 'completed');
      assert.match(c.result_summary, /^\[simulated\]/);
    }
    assert.ok(a.calls[0]!.urls!.every((u) => u.startsWith('https://example.com/')));
    assert.equal(a.calls[2]!.b64_json, SIMULATED_PNG_B64);
    assert.equal(a.calls[3]!.b64_json, SIMULATED_PNG_B64);
    assert.match(a.calls[4]!.urls![0]!, /^https:\/\/example\.com\/simulated\/videos\/a-bike-ride\.mp4$/);
    assert.equal(Buffer.from(SIMULATED_PNG_B64, 'base64').subarray(1, 4).toString(), 'PNG');
  });
});
