/**
 * The instances store (src/storage/instances-store.ts) on SQLite and
 * PostgreSQL: a process is dead when silent for 3 of its own heartbeats, or
 * when its successor under the same name registers; rows written before
 * heartbeats were recorded count as beating every 10 s.
 */
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { createInstancesStore, serverOf } from '../../src/storage/instances-store.js';
import { forEachDatabase } from '../helpers/databases.js';

forEachDatabase('instances store', (t) => {
  beforeEach(() => t.db.deleteFrom('instances').execute());

  it('judges each process by its own heartbeat: dead after 3 silent beats, not before', async () => {
    const store = createInstancesStore(t.db);
    await store.register('fast', 'h:1:/d', 1000, 1000);
    await store.register('slow', 'h:2:/d', 1000, 10_000);
    await store.register('self', 'h:3:/d', 1000, 1000);
    // 3 s of silence is exactly the fast one's lapse: still alive.
    assert.deepEqual((await store.liveOthers('self', 1003)).sort(), ['h:1:/d', 'h:2:/d']);
    assert.deepEqual(await store.reapDead('self', 'h:3:/d', 1003), []);
    // One more second: the fast one is dead, the slow one (30 s) is not.
    assert.deepEqual(await store.liveOthers('self', 1004), ['h:2:/d']);
    assert.deepEqual(await store.reapDead('self', 'h:3:/d', 1004), ['fast']);
    await store.heartbeat('slow', 1025);
    assert.deepEqual(await store.reapDead('self', 'h:3:/d', 1055), []);
    assert.deepEqual(await store.reapDead('self', 'h:3:/d', 1056), ['slow']);
    assert.deepEqual(await store.liveOthers('self', 1056), []);
  });

  it('a successor under the same name reaps its predecessor at once', async () => {
    const store = createInstancesStore(t.db);
    await store.register('old', 'h:9:/d#1', 2000, 10_000);
    await store.register('new', 'h:9:/d#1', 2001, 10_000);
    assert.deepEqual(await store.reapDead('new', 'h:9:/d#1', 2001), ['old']);
  });

  it('rows without a recorded heartbeat count as beating every 10 s', async () => {
    const store = createInstancesStore(t.db);
    await t.db.insertInto('instances').values({ id: 'legacy', name: 'h:7:/d', started_at: 3000, last_seen: 3000 }).execute();
    assert.deepEqual(await store.reapDead('x', 'h:8:/d', 3030), []);
    assert.deepEqual(await store.reapDead('x', 'h:8:/d', 3031), ['legacy']);
  });

  it('serverOf: the workers of one server are one server', () => {
    assert.equal(serverOf('host:8080:/data#3'), 'host:8080:/data');
    assert.equal(serverOf('host:8080:/data'), 'host:8080:/data');
  });
});
