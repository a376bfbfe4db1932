/**
 * Issue 16 item 11: a run that fails by the server's fault is logged with its
 * cause (the client sees only a generic internal_error); a client's schema
 * problem is a 422 before the run and is not logged as a failure.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/logger.js';
import type { Provider } from '../../src/providers/types.js';
import { startTestServer, type TestServer } from '../helpers/app.js';

const broken: Provider = {
  name: 'broken',
  // eslint-disable-next-line require-yield
  async *stream() {
    throw new TypeError('cannot read properties of undefined (reading "choices")');
  },
};

const lines: Record<string, any>[] = [];
let s: TestServer;
before(async () => {
  s = await startTestServer({ live: broken, logger: createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }) });
});
after(() => s.close());

const post = (key: string, body: object) =>
  fetch(`${s.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mavera-1', input: 'hi', ...body }) });

describe('run failures', () => {
  it("a failure that is the server's fault is logged with its cause", async () => {
    const res = await post(s.liveKey, {});
    assert.equal(res.status, 500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'internal_error');
    assert.ok(!body.error.message.includes('choices'));
    const logged = lines.find((l) => l.msg === 'response.run_failed');
    assert.ok(logged, JSON.stringify(lines));
    assert.equal(logged.level, 'error');
    assert.match(logged.err.message, /reading "choices"/);
    assert.equal(logged.engine, 'broken');
  });

  it("a client's unsatisfiable schema is a 422 with its path, not a logged failure", async () => {
    lines.length = 0;
    const res = await post(s.testKey, { text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object', properties: { n: { type: 'integer', minimum: 1.2, maximum: 1.8 } }, required: ['n'] } } } });
    assert.equal(res.status, 422);
    assert.equal(((await res.json()) as { error: { param: string } }).error.param, 'text.format.schema.properties.n.minimum');
    assert.ok(!lines.some((l) => l.msg === 'response.run_failed'));
  });
});
