/**
 * A client that leaves stops its image downloads (issue 17.6): the request's
 * signal reaches `prepare`'s downloads (a required parameter now). Before,
 * no signal was passed and a slow image server kept its connection until the
 * fetch deadline (here set to two minutes, so the test would time out).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PNG_1x1 } from '../helpers/images.js';
import { startTestServer, type TestServer } from '../helpers/app.js';

let s: TestServer;
const arrived: Array<(req: IncomingMessage) => void> = [];
/** Sends the first bytes of a PNG, then nothing more. */
const slow = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(1024 * 1024) });
  res.write(PNG_1x1.subarray(0, 8));
  for (const f of arrived.splice(0)) f(req);
});
let slowUrl: string;

before(async () => {
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', () => resolve()));
  slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow.png`;
  s = await startTestServer({ imageFetch: { allow: ['127.0.0.1'], timeoutMs: 120_000 } });
});
after(async () => {
  slow.closeAllConnections();
  slow.close();
  await s.close();
});

describe('image downloads', () => {
  for (const path of ['/v1/responses', '/v1/chat/completions']) {
    it(`stop when the client leaves (${path})`, { timeout: 30_000 }, async () => {
      const reached = new Promise<IncomingMessage>((resolve) => arrived.push(resolve));
      const client = new AbortController();
      const body =
        path === '/v1/responses'
          ? { model: 'mavera-1', input: [{ role: 'user', content: [{ type: 'input_image', image_url: slowUrl }] }] }
          : { model: 'mavera-1', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: slowUrl } }] }] };
      const pending = fetch(`${s.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.testKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: client.signal,
      }).catch((err: unknown) => err);
      const download = await reached;
      const closed = new Promise<void>((resolve) => download.socket.once('close', () => resolve()));
      client.abort();
      assert.ok((await pending) instanceof Error);
      await closed; // the image server sees the download's connection closed
      assert.equal(download.socket.destroyed, true);
    });
  }
});
