/**
 * Image input over HTTP (src/responses/images.ts): bad image URLs get 400/422
 * naming the param, for test keys as for live ones; good ones reach the
 * backend as verified data: URLs while input_items keeps the client's URL;
 * a follow-up fetches the image again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { PNG_1x1, startImageServer, type ImageServer } from '../helpers/images.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';

let s: TestServer;
let strict: TestServer;
let images: ImageServer;
let upstream: MockChatUpstream;
before(async () => {
  images = await startImageServer();
  upstream = await startMockChatUpstream();
  s = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'vision' }), imageFetch: { allow: ['127.0.0.1'] } });
  strict = await startTestServer(); // no allow-list
});
after(async () => {
  await s.close();
  await strict.close();
  await images.close();
  await upstream.close();
});

const post = (server: TestServer, key: string, body: unknown, path = '/v1/responses') =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });

const withImage = (imageUrl: string) => ({
  model: 'mavera-1',
  input: [{ role: 'user', content: [{ type: 'input_text', text: 'What is this?' }, { type: 'input_image', image_url: imageUrl }] }],
});

async function error(res: Response): Promise<{ status: number; code: string; param: string | null; message: string }> {
  const body = (await res.json()) as { error: { code: string; param: string | null; message: string } };
  return { status: res.status, ...body.error };
}

describe('image input', () => {
  it('refuses the cloud metadata address, private and loopback hosts with 422 naming the param', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/iam', 'http://10.0.0.7/cat.png', 'http://[::1]/cat.png']) {
      const e = await error(await post(s, s.testKey, withImage(url)));
      assert.equal(e.status, 422, url);
      assert.equal(e.code, 'validation_error');
      assert.equal(e.param, 'input[0].content[1].image_url');
      assert.match(e.message, /does not fetch/);
    }
    const e = await error(await post(strict, strict.testKey, withImage(`${images.url}/cat.png`)));
    assert.equal(e.status, 422, 'the local server needs the allow-list');
    assert.match(e.message, /loopback/);
  });

  it('refuses a file that is not an image, whatever its name or content type (422)', async () => {
    const e = await error(await post(s, s.testKey, withImage(`${images.url}/notes.png`)));
    assert.equal(e.status, 422);
    assert.equal(e.param, 'input[0].content[1].image_url');
    assert.match(e.message, /not a PNG, JPEG, GIF or WebP/);
    const data = await error(await post(s, s.testKey, withImage(`data:image/png;base64,${Buffer.from('hello').toString('base64')}`)));
    assert.equal(data.status, 422);
    assert.equal(data.param, 'input[0].content[1].image_url');
  });

  it('a download that fails is 400 invalid_request naming the param; live keys get the same', async () => {
    for (const key of [s.testKey, s.liveKey]) {
      const e = await error(await post(s, key, withImage(`${images.url}/missing`)));
      assert.equal(e.status, 400);
      assert.equal(e.code, 'invalid_request');
      assert.equal(e.param, 'input[0].content[1].image_url');
      assert.match(e.message, /HTTP 404/);
    }
    assert.equal(upstream.requests.length, 0, 'the upstream was never called');
  });

  it('names the chat request’s field in Chat Completions', async () => {
    const res = await post(
      s,
      s.testKey,
      { model: 'mavera-1', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'http://192.168.1.1/x.png' } }] }] },
      '/v1/chat/completions',
    );
    const e = await error(res);
    assert.equal(e.status, 422);
    assert.equal(e.param, 'messages[0].content[1].image_url.url');
  });

  it('a good image reaches the backend as a verified data: URL; input_items keeps the URL; a follow-up fetches it again', async () => {
    const url = `${images.url}/cat.png`;
    const before = images.hits.filter((h) => h === '/cat.png').length;
    upstream.enqueue({ type: 'stream', content: ['A tiny image.'] }, { type: 'stream', content: ['Still tiny.'] });
    const res = await post(s, s.liveKey, withImage(url));
    assert.equal(res.status, 200);
    const body = (await res.json()) as { id: string; output_text: string; usage: { credits_used: number } };
    assert.equal(body.output_text, 'A tiny image.');
    assert.ok(body.usage.credits_used >= 3, 'image input pricing');
    const sent = upstream.requests.at(-1)!.body.messages.at(-1).content;
    // Served as image/jpeg, but the bytes say PNG.
    assert.deepEqual(sent[1], { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1x1.toString('base64')}`, detail: 'auto' } });

    const items = (await (await fetch(`${s.url}/v1/responses/${body.id}/input_items`, { headers: { authorization: `Bearer ${s.liveKey}` } })).json()) as { data: Array<{ content: unknown[] }> };
    assert.deepEqual(items.data[0]!.content[1], { type: 'input_image', image_url: url, detail: 'auto' });

    const follow = await post(s, s.liveKey, { model: 'mavera-1', previous_response_id: body.id, input: 'And now?' });
    assert.equal(follow.status, 200);
    const history = upstream.requests.at(-1)!.body.messages as Array<{ role: string; content: unknown }>;
    const first = history.find((m) => m.role === 'user')!.content as Array<{ image_url?: { url: string } }>;
    assert.equal(first[1]!.image_url!.url.startsWith('data:image/png;base64,'), true);
    assert.equal(images.hits.filter((h) => h === '/cat.png').length, before + 2, 'fetched once per request');
  });

  it('test keys get the same checks and answers for JPEG, GIF, WebP and data: URLs', async () => {
    for (const url of [`${images.url}/photo.jpg`, `${images.url}/anim.gif`, `${images.url}/pic.webp`, `${images.url}/redirect?to=/cat.png`, `data:image/jpg;base64,${PNG_1x1.toString('base64')}`]) {
      const res = await post(s, s.testKey, withImage(url));
      assert.equal(res.status, 200, url);
    }
  });
});
