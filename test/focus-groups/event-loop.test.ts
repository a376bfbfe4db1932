/**
 * A sandbox study does not hold the server: the sandbox answers without I/O
 * and SQLite is synchronous, so without a turn of the event loop per answer
 * every await of a study resolved at once and no request (not even /health,
 * nor the create's own 202) was served until the study ended.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { api } from '../helpers/focus-groups.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

describe('focus-group runner and the event loop', () => {
  it('serves other requests while a sandbox study runs', async () => {
    const fg = api(s.baseURL, s.testKey);
    const created = await fg.json(
      fg.post('/focus-groups', {
        name: 'Long study',
        personas: [{ persona_id: 'gen-z-digital-native', respondents: 5000 }],
        questions: [
          { type: 'yes_no', text: 'Would you try it?' },
          { type: 'rating', text: 'How much do you like it?', min: 1, max: 5 },
        ],
        seed: 7,
      }),
    );
    assert.equal(created.status, 202);
    const id = created.body.id as string;
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${s.url}/health`)).status, 200);
    const study = (await fg.json(fg.get(`/focus-groups/${id}`))).body;
    const p = study.progress;
    assert.notEqual(study.status, 'completed', 'the requests were answered while the study ran, not after it');
    assert.ok(p.answers_completed + p.answers_skipped + p.answers_failed < p.answers_total);
    assert.equal((await fg.json(fg.post(`/focus-groups/${id}/cancel`))).body.status, 'cancelled');
  });
});
