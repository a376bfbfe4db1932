/** An internal error is a generic 500 (or response.failed) that leaks no message, path or stack. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Provider } from '../../src/providers/types.js';
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
