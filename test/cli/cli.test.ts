/**
 * The `cohort` command on a temporary data folder. The data-folder commands run
 * through `main(argv, io)` in this process (a child per call costs seconds on a
 * busy machine); `serve`, and one check that bin/cohort.js passes main's exit
 * code to the shell, run the real bin/cohort.js (built dist/) in a child.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { reaped } from '../helpers/child-reaper.js';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN } from '../helpers/cohort-process.js';
import type { Io } from '../../src/cli/args.js';
import { main } from '../../src/cli/main.js';
import { tempDir } from '../helpers/app.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function dataDir(): string {
  const d = tempDir('cohort-cli-');
  dirs.push(d);
  return d;
}

/** Runs `cohort …args` in this process, its output captured; env has no database URL, so a data folder is SQLite. */
async function cohort(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), env };
  const code = await main(args, io);
  return { code, out, err };
}

/** The real bin/cohort.js in a child process. */
function cohortProcess(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, COHORT_DATABASE_URL: '', DATABASE_URL: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('cohort CLI', () => {
  it('prints help and uses exit codes 0/1/2', async () => {
    assert.equal((await cohort(['--help'])).code, 0);
    for (const c of [['serve', '--help'], ['keys', '--help'], ['keys', 'create', '--help'], ['personas', '--help'], ['personas', 'list', '--help']]) {
      const r = await cohort(c);
      assert.equal(r.code, 0, c.join(' '));
      assert.match(r.out, /Usage/);
    }
    assert.equal((await cohort([])).code, 2);
    assert.equal((await cohort(['bogus'])).code, 2);
    assert.equal((await cohort(['keys', 'create', '--data-dir', dataDir()])).code, 2, 'missing --workspace');
    assert.equal((await cohort(['keys', 'create', '--workspace', 'x', '--plan', 'gold', '--data-dir', dataDir()])).code, 2);
    assert.equal((await cohort(['keys', 'list', '--nope'])).code, 2);
    assert.equal((await cohort(['keys', 'revoke', 'key_missing', '--data-dir', dataDir()])).code, 1);
    assert.equal((await cohort(['personas', 'show', 'nobody'])).code, 1);
    // bin/cohort.js hands main's exit code to the shell.
    assert.equal(cohortProcess(['--help']).code, 0);
    assert.equal(cohortProcess(['bogus']).code, 2);
    assert.equal(cohortProcess(['personas', 'show', 'nobody']).code, 1);
  });

  it('creates, lists and revokes keys; the secret is shown once', async () => {
    const dir = dataDir();
    const live = await cohort(['keys', 'create', '--workspace', 'acme', '--create-workspace', '--plan', 'pro', '--json', '--data-dir', dir]);
    assert.equal(live.code, 0, live.err);
    const k = JSON.parse(live.out);
    assert.deepEqual(Object.keys(k).sort(), ['id', 'key', 'mode', 'plan', 'workspace']);
    assert.match(k.key, /^mvra_live_[0-9A-Za-z]{32}$/);
    assert.equal(k.plan, 'pro');
    assert.equal(k.mode, 'live');
    const test = JSON.parse((await cohort(['keys', 'create', '--workspace', 'acme', '--test', '--json'], { COHORT_DATA_DIR: dir })).out);
    assert.match(test.key, /^mvra_test_/);
    const list = await cohort(['keys', 'list', '--json', '--data-dir', dir]);
    assert.ok(!list.out.includes(k.key) && !list.out.includes(test.key), 'list never shows secrets');
    const ids = JSON.parse(list.out).map((x: any) => x.id);
    assert.deepEqual(ids.sort(), [k.id, test.id].sort());
    assert.equal((await cohort(['keys', 'revoke', k.id, '--data-dir', dir])).code, 0);
    const after = JSON.parse((await cohort(['keys', 'list', '--json', '--data-dir', dir])).out);
    assert.ok(after.find((x: any) => x.id === k.id).revoked_at > 0);
    const db = fs.readFileSync(path.join(dir, 'cohort.db')).toString('latin1');
    assert.ok(!db.includes(k.key), 'the key is stored hashed');
  });

  it('lists and shows personas', async () => {
    const r = await cohort(['personas', 'list', '--category', 'Expert', '--json']);
    assert.equal(r.code, 0);
    const list = JSON.parse(r.out);
    assert.ok(list.length >= 3);
    assert.ok(list.every((p: any) => p.category === 'Expert' && p.is_expert));
    const show = await cohort(['personas', 'show', 'gen-z-digital-native']);
    assert.equal(show.code, 0);
    assert.match(show.out, /Gen Z/);
  });

  it('serves: first start prints a test key; keys created while it runs work at once; SIGTERM stops it', async () => {
    const dir = dataDir();
    const child = reaped(spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dir], { env: { ...process.env, COHORT_UPSTREAM_URL: '', COHORT_MODEL_PATH: '', COHORT_CONFIG: '', OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', OLLAMA_HOST: '127.0.0.1:9' } }));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      // The lines arrive as separate writes to the pipe: wait for the last one the test reads.
      for (let i = 0; i < 200 && !(/listening on (\S+)/.test(out) && /Live keys/.test(out)); i++) await new Promise((r) => setTimeout(r, 50));
      const url = /listening on (\S+)/.exec(out)?.[1];
      assert.ok(url, out);
      const firstKey = /(mvra_test_\w+)/.exec(out)?.[1];
      assert.ok(firstKey, 'first start prints a test key');
      assert.match(out, /Live keys \(mvra_live_\): no backend configured/);
      assert.ok(out.includes(`Console: ${url}/ (sign in with a key) · API reference: ${url}/docs`), out);
      for (const page of ['/', '/docs']) {
        const served: Response = await fetch(`${url}${page}`);
        assert.equal(served.status, 200, page);
        assert.match(served.headers.get('content-type') ?? '', /text\/html/, page);
      }
      const ask = (key: string) =>
        fetch(`${url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mavera-1', input: 'hi', persona_id: 'gen-z-digital-native' }) });
      assert.equal((await ask(firstKey)).status, 200);
      const created = await cohort(['keys', 'create', '--workspace', 'other', '--create-workspace', '--test', '--json', '--data-dir', dir]);
      assert.equal(created.code, 0, created.err);
      assert.equal((await ask(JSON.parse(created.out).key)).status, 200);
      assert.equal((await fetch(`${url}/health`)).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    // A second start creates no second default key.
    const again = spawnSync(process.execPath, [BIN, 'keys', 'list', '--json', '--data-dir', dir], { encoding: 'utf8' });
    assert.equal(JSON.parse(again.stdout).length, 2);
  });
});
