/**
 * The local model at start-up: `cohort serve` refuses a COHORT_MODEL_PATH
 * that is missing or not a GGUF file, naming the variable, instead of
 * starting cleanly and failing the first request; it loads the model in the
 * background as it starts (log lines llama_cpp.loading / loaded with the
 * time it took), says so in the banner, and /ready answers 503 until the
 * model can serve — and stays 503, with the reason, when it cannot be loaded.
 * Real `cohort serve` processes on the tiny GGUF fixture. (dist/ is built by `npm test`.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { checkLocalModelFiles } from '../../src/backends.js';
import { readConfig } from '../../src/config.js';
import { checkModelFile, createLlamaCppProvider, MISSING_PACKAGE_MESSAGE } from '../../src/providers/llama-cpp/index.js';
import { until } from '../helpers/wait.js';
import { tempDir } from '../helpers/app.js';
import { BIN, type CohortProcess, killAll, startCohortServer } from '../helpers/cohort-process.js';
import { needEngine } from '../helpers/llama-engine.js';

const MODEL = (() => {
  const candidates = [process.env.COHORT_TEST_MODEL, path.resolve('..', 'shared', 'fixtures', 'models', 'llama-2-tiny-random.gguf'), '/work/shared/fixtures/models/llama-2-tiny-random.gguf'];
  const found = candidates.find((p): p is string => !!p && fs.existsSync(p));
  if (!found) throw new Error(`the test model is missing; looked in: ${candidates.filter(Boolean).join(', ')}`);
  return found;
})();

const dirs: string[] = [];
const children: CohortProcess[] = [];
after(async () => {
  await killAll(children);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = tempDir('cohort-model-');
  dirs.push(d);
  return d;
}

const env = (modelPath: string): NodeJS.ProcessEnv => ({
  ...process.env,
  COHORT_MODEL_PATH: modelPath,
  COHORT_UPSTREAM_URL: '',
  COHORT_CONFIG: '',
  COHORT_DATABASE_URL: '',
  COHORT_REDIS_URL: '',
  COHORT_LOG_LEVEL: 'info',
  COHORT_SHUTDOWN_GRACE_SECONDS: '0',
});


const serve = (modelPath: string) => startCohortServer({ dataDir: dir(), env: env(modelPath), into: children });

const logLines = (out: string, msg: string) =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the model file, checked', () => {
  it('names what is wrong: missing, a folder, not GGUF, too short; the fixture passes', async () => {
    const d = dir();
    fs.writeFileSync(path.join(d, 'notes.gguf'), 'just text, not a model');
    fs.writeFileSync(path.join(d, 'short.gguf'), 'GG');
    assert.equal(await checkModelFile(path.join(d, 'missing.gguf')), 'does not exist');
    assert.equal(await checkModelFile(d), 'is not a file');
    assert.match((await checkModelFile(path.join(d, 'notes.gguf')))!, /is not a GGUF model file/);
    assert.match((await checkModelFile(path.join(d, 'short.gguf')))!, /is not a GGUF model file/);
    assert.equal(await checkModelFile(MODEL), undefined);
  });

  it('the provider says whether its model can serve: idle, loading, failed with why, closed', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const provider = createLlamaCppProvider({
      modelPath: MODEL,
      importModule: () => gate.then(() => Promise.reject(Object.assign(new Error('Cannot find package'), { code: 'ERR_MODULE_NOT_FOUND' }))),
    });
    assert.deepEqual(provider.state(), { state: 'idle' });
    const load = provider.load();
    assert.deepEqual(provider.state(), { state: 'loading' });
    open();
    await assert.rejects(load);
    assert.deepEqual(provider.state(), { state: 'failed', error: MISSING_PACKAGE_MESSAGE });
    await provider.close();
    assert.deepEqual(provider.state(), { state: 'closed' });
  });

  it('without the engine installed, the start is refused with the one command that adds it', async () => {
    const noEngine = { engineInstalled: () => false };
    const viaEnv = readConfig({}, { COHORT_MODEL_PATH: MODEL }, dir()).backends!;
    assert.deepEqual(await checkLocalModelFiles(viaEnv, noEngine), [
      'COHORT_MODEL_PATH: The local model engine is not installed (node-llama-cpp, opt-in): npm install node-llama-cpp@3.21.1',
    ]);
    assert.deepEqual(await checkLocalModelFiles(viaEnv, { engineInstalled: () => true }), []);
    const file = path.join(dir(), 'cohort.config.json');
    fs.writeFileSync(file, JSON.stringify({ backends: { local: { type: 'llama-cpp', modelPath: MODEL }, other: { type: 'openai-chat', baseURL: 'http://127.0.0.1:9/v1', model: 'm' } } }));
    const viaFile = readConfig({ config: file }, {}, dir()).backends!;
    assert.deepEqual(await checkLocalModelFiles(viaFile, noEngine), [`backends.local (llama-cpp) in the config file: ${MISSING_PACKAGE_MESSAGE}`]);
    // An HTTP-only configuration does not need the engine.
    assert.deepEqual(await checkLocalModelFiles(readConfig({}, { COHORT_UPSTREAM_URL: 'http://127.0.0.1:9/v1', COHORT_UPSTREAM_MODEL: 'm' }, dir()).backends!, noEngine), []);
  });
});

describe('cohort serve with COHORT_MODEL_PATH', () => {
  const start = (modelPath: string, ...extra: string[]) =>
    spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dir(), ...extra], { encoding: 'utf8', env: env(modelPath), timeout: 60_000 });

  it('a missing file stops the start with an error naming COHORT_MODEL_PATH (also with --workers)', () => {
    const missing = path.join(dir(), 'nope', 'model.gguf');
    for (const extra of [[], ['--workers', '2']]) {
      const r = start(missing, ...extra);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr, `cohort: COHORT_MODEL_PATH: ${missing} does not exist\n`);
      assert.doesNotMatch(r.stdout, /listening/);
    }
  });

  it('a file that is not a GGUF model stops the start too', () => {
    const file = path.join(dir(), 'model.gguf');
    fs.writeFileSync(file, '<html>404 Not Found</html>');
    const r = start(file);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^cohort: COHORT_MODEL_PATH: .*model\.gguf is not a GGUF model file/);
  });

  it('a GGUF file that cannot be loaded: the server runs, /ready says why it is not ready, the log says it failed', async (t) => {
    if (!needEngine(t)) return;
    const file = path.join(dir(), 'broken.gguf');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(64, 0xff)]));
    const s = await serve(file);
    assert.match(s.output(), /Local model broken\.gguf is loading in the background: \/ready answers 503 until it is loaded/);
    assert.equal((await fetch(`${s.url}/health`)).status, 200, 'the process is alive');
    let body = '';
    await until(
      '/ready to report the failed load',
      async () => {
        const res = await fetch(`${s.url}/ready`);
        body = await res.text();
        assert.equal(res.status, 503, body);
        return /could not be loaded/.test(body);
      },
      60_000,
    );
    assert.match(JSON.parse(body).error.message, /^Not ready: live keys cannot be served: the local model broken\.gguf could not be loaded: /);
    assert.ok(!body.includes(path.dirname(file)), 'no server path in the reply');
    await until('the log line', () => logLines(s.output(), 'llama_cpp.load_failed').length === 1, 5000);
    assert.equal(logLines(s.output(), 'llama_cpp.loading')[0]!.model, 'broken.gguf');
    s.child.kill('SIGTERM');
  });

  it('the fixture: loaded at start with a log line, then /ready is 200 and live keys are answered', async (t) => {
    if (!needEngine(t)) return;
    const s = await serve(MODEL);
    assert.match(s.output(), /Live keys \(mvra_live_\): llama-cpp/);
    assert.match(s.output(), /Local model llama-2-tiny-random\.gguf is loading in the background/);
    await until('/ready', async () => (await fetch(`${s.url}/ready`)).status === 200, 120_000);
    await until('the log line', () => logLines(s.output(), 'llama_cpp.loaded').length === 1, 5000);
    const loaded = logLines(s.output(), 'llama_cpp.loaded')[0]!;
    assert.equal(loaded.model, 'llama-2-tiny-random.gguf');
    assert.equal(loaded.backend, 'llama-cpp');
    assert.ok(typeof loaded.ms === 'number' && loaded.ms > 0);
    const r = spawnSync(process.execPath, [BIN, 'keys', 'create', '--workspace', 'live', '--create-workspace', '--plan', 'pro', '--json', '--data-dir', dirs.at(-1)!], { encoding: 'utf8', env: env(MODEL) });
    const { key } = JSON.parse(r.stdout) as { key: string };
    const res = await fetch(`${s.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mavera-1', input: 'hi', max_output_tokens: 4, temperature: 0 }),
    });
    const body = (await res.json()) as { status: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.status, 'incomplete', 'four tokens of the fixture’s gibberish');
    assert.equal(logLines(s.output(), 'llama_cpp.loading').length, 1, 'loaded once, at start: the request did not load it again');
    s.child.kill('SIGTERM');
  });
});
