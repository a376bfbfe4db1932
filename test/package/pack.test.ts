/**
 * The package as a stranger gets it: `npm pack` → the tarball installed into
 * an empty folder → `npx cohort-persona-api serve` there, from that folder,
 * answering with its console, its personas and its migrated database; then
 * stopped. Also: the install prints no EBADENGINE on this Node.js, and
 * COHORT_MODEL_PATH without the opt-in engine stops the start with the one
 * command that adds it.
 *
 * Fast: `npm test` has built dist/ (so the pack skips `prepare`),
 * the dependencies' tarballs come from npm's cache (`--prefer-offline`: only
 * their metadata is asked of the registry; `npm ci` filled the cache),
 * and install scripts are skipped — the native SQLite addon, the only one, is
 * copied from this checkout's build of the same pinned version instead of
 * being compiled again (a minute of g++).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { until } from '../helpers/wait.js';
import { freePort, tempDir } from '../helpers/app.js';

const ROOT = path.resolve('.');
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { name: string; version: string };
const dirs: string[] = [];
const children: ChildProcess[] = [];
/** npx runs the server as its child: signals go to the process group (spawned detached). */
const signalGroup = (c: ChildProcess, signal: NodeJS.Signals): void => {
  try {
    process.kill(-c.pid!, signal);
  } catch {
    // already gone
  }
};
after(() => {
  for (const c of children) signalGroup(c, 'SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function dir(prefix: string): string {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
}

function npm(args: string[], cwd: string) {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
  assert.equal(r.status, 0, `npm ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

describe(`npm pack → install in an empty folder → npx ${pkg.name} serve`, () => {
  let app: string;
  let installLog: string;

  before(() => {
    assert.ok(fs.existsSync('dist/cli/main.js') && fs.existsSync('dist/console-ui/index.html'), 'dist/ is built (npm test builds it first)');
    const out = dir('cohort-pack-');
    const packed = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', out], ROOT).replace(/^[^[]*/, '')) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0]!.files.map((f) => f.path);
    for (const f of ['bin/cohort.js', 'dist/cli/main.js', 'dist/console-ui/index.html', 'dist/storage/migrations/index.js', 'dist/api-docs/swagger-ui-bundle.js', 'personas/hospital-cfo.json'])
      assert.ok(files.includes(f), `the tarball holds ${f}`);
    assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('src/') || f.startsWith('node_modules/')), 'no sources, tests or dependencies in the tarball');
    app = dir('cohort-app-');
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'trying-cohort', version: '1.0.0', private: true }));
    installLog = npm(['install', '--prefer-offline', '--ignore-scripts', path.join(out, packed[0]!.filename)], app);
    // The native addon(s) this Node.js loads, from this checkout's build of the same version.
    for (const addon of ['better-sqlite3', 'better-sqlite3-13']) {
      const from = path.join(ROOT, 'node_modules', addon, 'build', 'Release', 'better_sqlite3.node');
      const to = path.join(app, 'node_modules', addon);
      if (fs.existsSync(from) && fs.existsSync(to)) {
        fs.mkdirSync(path.join(to, 'build', 'Release'), { recursive: true });
        fs.copyFileSync(from, path.join(to, 'build', 'Release', 'better_sqlite3.node'));
      }
    }
  });

  it('installs without engine warnings and without the local model engine', () => {
    assert.doesNotMatch(installLog, /EBADENGINE/);
    assert.ok(fs.existsSync(path.join(app, 'node_modules', pkg.name, 'dist', 'cli', 'main.js')));
    assert.ok(!fs.existsSync(path.join(app, 'node_modules', 'node-llama-cpp')), 'node-llama-cpp is opt-in');
    assert.ok(!fs.existsSync(path.join(app, 'node_modules', '@node-llama-cpp')));
  });

  it('starts from that folder, serves the console, the personas and a response, and stops', async () => {
    const port = await freePort();
    const child = spawn('npx', ['--no-install', pkg.name, 'serve', '--port', String(port), '--host', '127.0.0.1'], {
      cwd: app,
      detached: true,
      env: { ...process.env, COHORT_LOG_LEVEL: 'warn', npm_config_update_notifier: 'false' },
    });
    children.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await until('the listening line', () => /listening on/.test(out) || child.exitCode !== null, 60_000);
    assert.match(out, /listening on/, out);
    const key = /mvra_test_\w+/.exec(out)?.[0];
    assert.ok(key, `the first start prints a test key:\n${out}`);
    assert.ok(fs.existsSync(path.join(app, 'data', 'cohort.db')), 'the data folder is created where it was started');
    const url = `http://127.0.0.1:${port}`;

    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script type="module"/);

    const docs = await fetch(`${url}/docs`);
    assert.equal(docs.status, 200, 'the API reference ships in the package');
    assert.match(await docs.text(), /swagger-ui-bundle\.js/);
    assert.equal((await fetch(`${url}/docs/swagger-ui-bundle.js`)).status, 200);

    const personas = (await (await fetch(`${url}/v1/personas?limit=100`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: unknown[] };
    assert.equal(personas.data.length, fs.readdirSync('personas').filter((f) => f.endsWith('.json')).length);

    const res = await fetch(`${url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mavera-1', persona_id: 'hospital-cfo', input: 'How do you evaluate new software vendors?' }),
    });
    const body = (await res.json()) as { status: string; output: unknown[] };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.status, 'completed');

    // Stopped as a terminal's Ctrl-C would: the signal reaches npx and the server.
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    signalGroup(child, 'SIGTERM');
    await exited;
    await until(
      'the server to stop',
      () =>
        fetch(`${url}/health`).then(
          () => false,
          () => true,
        ),
      15_000,
    );
    assert.doesNotMatch(out, /Error|uncaught/i, out);
  });

  it('COHORT_MODEL_PATH without node-llama-cpp: exit 2 before anything is written, with the command that adds it', () => {
    const model = path.join(dir('cohort-model-'), 'model.gguf');
    fs.writeFileSync(model, Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(64)]));
    const data = path.join(dir('cohort-data-'), 'data');
    const r = spawnSync('npx', ['--no-install', pkg.name, 'serve', '--port', '0', '--data-dir', data], {
      cwd: app,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, COHORT_MODEL_PATH: model, npm_config_update_notifier: 'false' },
    });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim(), 'cohort: COHORT_MODEL_PATH: The local model engine is not installed (node-llama-cpp, opt-in): npm install node-llama-cpp@3.21.1');
    assert.ok(!fs.existsSync(data), 'nothing written');
  });
});
