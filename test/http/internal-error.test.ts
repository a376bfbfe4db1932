/** An internal error is a generic 500 (or response.failed) that leaks no message, path or stack. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Provider } from '../../src/providers/types.js';
import { createLogger } from '../../src/logger.js';
import { readSse, startTestServer, type TestServer } from '../helpers/app.js';

const broken: Provider = {
  name: 'broken',
  // eslint-disable-next-line require-yield
  async *stream() {
    throw new Error('db password=hunter2 at /srv/cohort/src/secret.ts:42');
  },
};

let s: TestServer;
before(async () => {
  s = await startTestServer({ live: broken });
});
after(() => s.close());

const post = (body: object) =>
  fetch(`${s.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${s.liveKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mavera-1', input: 'hi', ...body }) });

describe('internal errors', () => {
  it('non-streaming: 500 internal_error with a generic message', async () => {
    const res = await post({});
    assert.equal(res.status, 500);
    const text = await res.text();
    const body = JSON.parse(text);
    assert.equal(body.error.code, 'internal_error');
    assert.equal(body.error.type, 'server_error');
    for (const leak of ['hunter2', 'secret.ts', '/srv/', 'at ']) assert.ok(!text.includes(leak), leak);
    assert.ok(res.headers.get('retry-after') === null || Number(res.headers.get('retry-after')) >= 0);
  });

  it('streaming: error event then response.failed, no details', async () => {
    const { raw, events } = await readSse(await post({ stream: true }));
    assert.deepEqual(events.map((e) => e.event).slice(-3), ['error', 'response.failed', null]);
    assert.ok(!raw.includes('hunter2') && !raw.includes('secret.ts'));
  });
});

describe('a corrupt stored response', () => {
  const lines: string[] = [];
  let c: TestServer;
  before(async () => {
    c = await startTestServer({ logger: createLogger({ level: 'error', write: (line) => lines.push(line) }) });
  });
  after(() => c.close());

  const call = (path: string, init: RequestInit = {}) => fetch(`${c.url}/v1/responses${path}`, { ...init, headers: { authorization: `Bearer ${c.testKey}`, 'content-type': 'application/json' } });
  const create = async (): Promise<string> => {
    const res = await call('', { method: 'POST', body: JSON.stringify({ model: 'mavera-1', input: 'hi' }) });
    assert.equal(res.status, 200);
    return ((await res.json()) as { id: string }).id;
  };
  /** A generic 500 for the client; the log names the row and the column. */
  const assertCorrupt = async (res: Response, id: string, column: string) => {
    assert.equal(res.status, 500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'internal_error');
    assert.ok(!body.error.message.includes(id), 'the message leaks nothing');
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; err?: { name: string; message: string } }).filter((l) => l.msg === 'request.internal_error');
    assert.ok(
      logged.some((l) => l.err?.name === 'StoredDataError' && l.err.message.startsWith(`responses row '${id}': column ${column} `)),
      JSON.stringify(logged),
    );
  };

  it('GET, replay and cancel answer 500 and log the row; input_items, which does not read the body, still works', async () => {
    const id = await create();
    await c.db.updateTable('responses').set({ body: '{"id":' }).where('id', '=', id).execute();
    await assertCorrupt(await call(`/${id}`), id, 'body');
    await assertCorrupt(await call(`/${id}?stream=true`), id, 'body');
    await assertCorrupt(await call(`/${id}/cancel`, { method: 'POST' }), id, 'body');
    const items = await call(`/${id}/input_items`);
    assert.equal(items.status, 200);
    assert.equal(((await items.json()) as { data: unknown[] }).data.length, 1);
  });

  it('previous_response_id and input_items over a corrupt row answer 500 and log the row', async () => {
    const id = await create();
    await c.db.updateTable('responses').set({ context: '{}', input_items: '[{"type":"message"}]' }).where('id', '=', id).execute();
    await assertCorrupt(await call('', { method: 'POST', body: JSON.stringify({ model: 'mavera-1', input: 'and then?', previous_response_id: id }) }), id, 'context');
    await assertCorrupt(await call(`/${id}/input_items`), id, 'input_items');
    assert.equal((await call(`/${id}`)).status, 200, 'the body is intact');
  });
});
