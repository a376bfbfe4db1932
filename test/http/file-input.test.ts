/**
 * `input_file.file_url` (src/responses/files.ts): the server fetches the URL
 * under the SSRF guard and no backend is ever handed a URL. The metadata
 * address, loopback and private hosts, IPv6 forms of them and redirects to
 * them are 422 naming the param, and the upstream sees no request; a good URL
 * reaches the OpenAI Responses upstream as `file_data` (and the Chat
 * Completions upstream, which takes no file URLs, too); input_items keeps the
 * client's URL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { createOpenAIResponsesProvider } from '../../src/providers/openai/responses/index.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { PDF_BYTES, startImageServer, type ImageServer } from '../helpers/images.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';
import { startMockResponsesUpstream, type MockResponsesUpstream } from '../helpers/mock-responses-upstream.js';

let strict: TestServer;
let allowed: TestServer;
let chat: TestServer;
let files: ImageServer;
let upstream: MockResponsesUpstream;
let chatUpstream: MockChatUpstream;

before(async () => {
  files = await startImageServer();
  upstream = await startMockResponsesUpstream();
  chatUpstream = await startMockChatUpstream();
  const live = () => createOpenAIResponsesProvider({ baseURL: upstream.url, apiKey: 'sk-upstream', model: 'gpt-test' });
  strict = await startTestServer({ live: live() }); // no allow-list: the local file server is refused too
  allowed = await startTestServer({ live: live(), imageFetch: { allow: ['127.0.0.1'] } });
  chat = await startTestServer({ live: createOpenAIChatProvider({ baseURL: chatUpstream.url, model: 'm' }), imageFetch: { allow: ['127.0.0.1'] } });
});
after(async () => {
  for (const s of [strict, allowed, chat]) await s?.close();
  await files?.close();
  await upstream?.close();
  await chatUpstream?.close();
});

const post = (server: TestServer, key: string, body: unknown) =>
  fetch(`${server.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });

const withFile = (file: Record<string, unknown>) => ({
  model: 'mavera-1',
  input: [{ role: 'user', content: [{ type: 'input_text', text: 'Summarize this.' }, { type: 'input_file', ...file }] }],
});

async function error(res: Response): Promise<{ status: number; code: string; param: string | null; message: string }> {
  const body = (await res.json()) as { error: { code: string; param: string | null; message: string } };
  return { status: res.status, ...body.error };
}

describe('input_file.file_url', () => {
  it('refuses the metadata address, loopback, private hosts and their IPv6 forms with 422 naming the param; the upstream sees nothing', async () => {
    const before = upstream.requests.length;
    const urls = [
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://127.0.0.1:9/secret.pdf',
      'http://[::1]/secret.pdf',
      'http://10.0.0.7/report.pdf',
      'http://[2002:a9fe:a9fe::]/latest/meta-data/',
      'http://[64:ff9b::7f00:1]/secret.pdf',
      'http://[::ffff:0:a9fe:a9fe]/latest/meta-data/',
      `${files.url}/report.pdf`, // loopback without the allow-list
    ];
    for (const url of urls) {
      for (const key of [strict.liveKey, strict.testKey]) {
        const e = await error(await post(strict, key, withFile({ file_url: url })));
        assert.equal(e.status, 422, url);
        assert.equal(e.code, 'validation_error');
        assert.equal(e.param, 'input[0].content[1].file_url', url);
        assert.match(e.message, /The file URL cannot be used: .* which the server does not fetch/, url);
      }
    }
    assert.equal(upstream.requests.length, before, 'no request reached the upstream');
  });

  it('re-checks redirects: an allowed server redirecting to the metadata address is refused', async () => {
    const e = await error(await post(allowed, allowed.liveKey, withFile({ file_url: `${files.url}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}` })));
    assert.equal(e.status, 422);
    assert.equal(e.param, 'input[0].content[1].file_url');
    assert.match(e.message, /cloud metadata/);
  });

  it('refuses URLs that are not http(s), and answers a failed download with 400', async () => {
    const bad = await error(await post(allowed, allowed.liveKey, withFile({ file_url: 'file:///etc/passwd' })));
    assert.equal(bad.status, 422);
    assert.equal(bad.param, 'input[0].content[1].file_url');
    const missing = await error(await post(allowed, allowed.liveKey, withFile({ file_url: `${files.url}/missing` })));
    assert.equal(missing.status, 400);
    assert.equal(missing.code, 'invalid_request');
    assert.equal(missing.param, 'input[0].content[1].file_url');
    assert.match(missing.message, /HTTP 404/);
  });

  it('a fetched file reaches the Responses upstream as file_data with a filename, never as a URL; input_items keeps the URL', async () => {
    upstream.enqueue({ type: 'stream', content: ['A short report.'] });
    const url = `${files.url}/report.pdf`;
    const res = await post(allowed, allowed.liveKey, withFile({ file_url: url }));
    assert.equal(res.status, 200);
    const body = (await res.json()) as { id: string; output_text: string };
    assert.equal(body.output_text, 'A short report.');
    const sent = upstream.requests.at(-1)!.body as { input: Array<{ content: Array<Record<string, unknown>> }> };
    assert.deepEqual(sent.input[0]!.content[1], { type: 'input_file', filename: 'report.pdf', file_data: `data:application/pdf;base64,${PDF_BYTES.toString('base64')}` });
    assert.doesNotMatch(JSON.stringify(sent), /127\.0\.0\.1/, 'the upstream is never told the URL');
    const items = (await (await fetch(`${allowed.url}/v1/responses/${body.id}/input_items`, { headers: { authorization: `Bearer ${allowed.liveKey}` } })).json()) as { data: Array<{ content: Array<Record<string, unknown>> }> };
    assert.equal(items.data[0]!.content[1]!.file_url, url);
    assert.equal(items.data[0]!.content[1]!.file_data, undefined, 'the bytes are not stored');
  });

  it('keeps the client’s filename and labels other files by their content type', async () => {
    upstream.enqueue({ type: 'stream', content: ['ok'] });
    const res = await post(allowed, allowed.liveKey, withFile({ file_url: `${files.url}/notes.txt`, filename: 'q3.txt' }));
    assert.equal(res.status, 200);
    const sent = upstream.requests.at(-1)!.body as { input: Array<{ content: Array<Record<string, unknown>> }> };
    assert.deepEqual(sent.input[0]!.content[1], { type: 'input_file', filename: 'q3.txt', file_data: `data:text/plain;base64,${Buffer.from('Q3 notes: churn is up.').toString('base64')}` });
  });

  it('the Chat Completions backend, which takes no file URLs, gets the fetched file', async () => {
    chatUpstream.enqueue({ type: 'stream', content: ['read it'] });
    const res = await post(chat, chat.liveKey, withFile({ file_url: `${files.url}/report.pdf` }));
    assert.equal(res.status, 200, JSON.stringify(await res.clone().json()));
    const sent = chatUpstream.requests.at(-1)!.body as { messages: Array<{ content: Array<Record<string, unknown>> }> };
    const user = sent.messages.at(-1)!;
    assert.deepEqual(user.content[1], { type: 'file', file: { filename: 'report.pdf', file_data: `data:application/pdf;base64,${PDF_BYTES.toString('base64')}` } });
  });
});
