/**
 * The upstream client (undici's Pool) against real local servers: connection
 * reuse, 307/308 redirects (credentials dropped across origins), the connect
 * timeout, and aborts.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fetchClient, undiciClient } from '../../src/util/upstream-client.js';

interface Seen {
  url: string;
  body: string;
  authorization: string | undefined;
}

async function server(handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): Promise<{ url: string; seen: Seen[]; connections: () => number; close(): Promise<void> }> {
  const seen: Seen[] = [];
  let connections = 0;
  const srv = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', body, authorization: req.headers.authorization });
      handler(req, res, body);
    });
  });
  srv.on('connection', () => connections++);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    seen,
    connections: () => connections,
    close: () =>
      new Promise((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

const text = async (body: AsyncIterable<Uint8Array>): Promise<string> => {
  let out = '';
  for await (const c of body) out += Buffer.from(c).toString('utf8');
  return out;
};

describe('upstream client (undici Pool)', () => {
  let a: Awaited<ReturnType<typeof server>>;
  let b: Awaited<ReturnType<typeof server>>;
  before(async () => {
    b = await server((_req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ at: 'b', body }));
    });
    a = await server((req, res, body) => {
      if (req.url === '/moved') {
        res.writeHead(308, { location: '/v1/here' });
        return void res.end();
      }
      if (req.url === '/elsewhere') {
        res.writeHead(307, { location: `${b.url}/v1/there` });
        return void res.end();
      }
      if (req.url === '/loop') {
        res.writeHead(307, { location: '/loop' });
        return void res.end();
      }
      if (req.url === '/hang') return; // never answers
      if (req.url === '/slow') {
        // A whole answer: headers and body once it is generated.
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"done":true}');
        }, 300);
        return;
      }
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        const t = setInterval(() => res.write('data: more\n\n'), 20);
        res.on('close', () => clearInterval(t));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${body}\n\ndata: [DONE]\n\n`);
    });
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  const post = (signal = new AbortController().signal) => ({ headers: { 'content-type': 'application/json', authorization: 'Bearer sk-secret' }, body: '{"q":1}', signal });

  it('reuses its keep-alive connection once a reply was read to its end', async () => {
    const client = undiciClient();
    const before = a.connections();
    for (let i = 0; i < 5; i++) {
      const reply = await client(`${a.url}/v1/x`, post());
      assert.equal(reply.status, 200);
      assert.equal(reply.contentType, 'text/event-stream');
      assert.match(await text(reply.body), /\[DONE\]/);
      // undici reuses a connection one turn of the event loop after its reply ended (a guard
      // against servers that close it anyway); a request sent in the same turn takes another.
      await nextTurn();
    }
    assert.equal(a.connections() - before, 1);
  });

  it('follows a 308 with the same POST body and headers', async () => {
    const reply = await undiciClient()(`${a.url}/moved`, post());
    assert.equal(reply.status, 200);
    assert.match(await text(reply.body), /\{"q":1\}/);
    const last = a.seen.at(-1)!;
    assert.equal(last.url, '/v1/here');
    assert.equal(last.body, '{"q":1}');
    assert.equal(last.authorization, 'Bearer sk-secret');
  });

  it('follows a 307 to another origin without the credentials', async () => {
    const reply = await undiciClient()(`${a.url}/elsewhere`, post());
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(await text(reply.body)), { at: 'b', body: '{"q":1}' });
    assert.equal(b.seen.at(-1)!.authorization, undefined);
  });

  it('gives up after 5 redirects and hands the last reply back', async () => {
    const reply = await undiciClient()(`${a.url}/loop`, post());
    assert.equal(reply.status, 307);
    reply.cancel();
  });

  it('fails with code CONNECT_TIMEOUT when no reply headers arrive in time', async () => {
    await assert.rejects(undiciClient({ connectMs: 100 })(`${a.url}/hang`, post()), (err: { code?: string }) => err.code === 'CONNECT_TIMEOUT');
  });

  it('a whole post (a non-streamed answer) is timed by connectMs only until connected', async () => {
    // A server of its own: the post opens a new connection (no pooled socket), so the timer waits for 'connect'.
    const fresh = await server((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"done":true}');
      }, 300);
    });
    const client = undiciClient({ connectMs: 100 });
    try {
      const first = await client(`${fresh.url}/v1/x`, { ...post(), whole: true });
      assert.equal(first.status, 200);
      assert.equal(await text(first.body), '{"done":true}');
      assert.equal(fresh.connections(), 1, 'a new connection was made and timed');
    } finally {
      await fresh.close();
    }
    const reply = await client(`${a.url}/slow`, { ...post(), whole: true });
    assert.equal(reply.status, 200);
    assert.equal(await text(reply.body), '{"done":true}');
    await assert.rejects(client(`${a.url}/slow`, post()), (err: { code?: string }) => err.code === 'CONNECT_TIMEOUT', 'the same reply is too late for a streamed post');
  });

  it('the fetch client applies connectMs the same way, except to whole posts', async () => {
    const client = fetchClient(fetch, { connectMs: 100 });
    const reply = await client(`${a.url}/slow`, { ...post(), whole: true });
    assert.equal(reply.status, 200);
    assert.equal(await text(reply.body), '{"done":true}');
    await assert.rejects(client(`${a.url}/slow`, post()), (err: { code?: string }) => err.code === 'CONNECT_TIMEOUT');
  });

  it("an abort mid-body rejects the read with the signal's reason and closes the connection", async () => {
    const controller = new AbortController();
    const reply = await undiciClient()(`${a.url}/stream`, post(controller.signal));
    const reason = new Error('client went away');
    const reading = text(reply.body);
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(reading, (err) => err === reason);
  });

  it('a refused connection rejects with ECONNREFUSED', async () => {
    const closed = await server(() => {});
    const url = closed.url;
    await closed.close();
    await assert.rejects(undiciClient()(`${url}/v1/x`, post()), (err: { code?: string }) => err.code === 'ECONNREFUSED');
  });
});
