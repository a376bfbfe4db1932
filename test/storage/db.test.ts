/** openDatabase options and COHORT_DATABASE_URL, apart from the store contract. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { forEachDatabase } from '../helpers/databases.js';
import { ConfigError, readConfig } from '../../src/config.js';
import { openDatabase } from '../../src/storage/db.js';

describe('COHORT_DATABASE_URL', () => {
  it('is read into config.databaseUrl', () => {
    assert.equal(readConfig({}, { COHORT_DATABASE_URL: 'postgres://cohort@db:5432/cohort' }).databaseUrl, 'postgres://cohort@db:5432/cohort');
    assert.equal(readConfig({}, { COHORT_DATABASE_URL: 'postgresql://db/cohort' }).databaseUrl, 'postgresql://db/cohort');
    assert.equal('databaseUrl' in readConfig({}, {}), false);
    assert.equal('databaseUrl' in readConfig({}, { COHORT_DATABASE_URL: '' }), false);
  });

  it('must be a PostgreSQL URL', () => {
    assert.throws(() => readConfig({}, { COHORT_DATABASE_URL: 'mysql://db/cohort' }), (e) => e instanceof ConfigError && /COHORT_DATABASE_URL/.test(e.message));
    assert.throws(() => readConfig({}, { COHORT_DATABASE_URL: './data/cohort.db' }), ConfigError);
  });
});

describe('openDatabase', () => {
  it('rejects a URL that is not PostgreSQL', async () => {
    await assert.rejects(openDatabase({ dataDir: ':memory:', databaseUrl: 'mysql://u:secret@db/x' }), (e: Error) => /postgres:\/\//.test(e.message) && !e.message.includes('secret'));
  });

  it('names the server it cannot reach, without the password', async () => {
    await assert.rejects(openDatabase({ dataDir: ':memory:', databaseUrl: 'postgres://u:secret@127.0.0.1:1/x' }), (e: Error) => {
      assert.match(e.message, /cannot connect to PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/);
      assert.ok(!e.message.includes('secret'));
      return true;
    });
  });
});

forEachDatabase('openDatabase', (t) => {
  it('postgres: the pool holds at most poolSize connections', { skip: t.kind !== 'postgres' && 'postgres only' }, async () => {
    const db = await t.open({ poolSize: 2 });
    const pids = await Promise.all(Array.from({ length: 6 }, async () => (await sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.05)`.execute(db)).rows[0]!.pid));
    assert.equal(new Set(pids).size, 2);
  });
});
