/**
 * Config mistakes a user makes, and what start-up says about them
 * (src/config-file.ts, bootstrap.ts): a value of the wrong type is named with
 * the value given (not "is required"); backends whose key variable is unset
 * are skipped with a warning (an error naming every missing variable when none
 * is left); routes naming personas that do not exist are refused at start;
 * and examples/cohort.config.yaml starts as shipped, with no key set.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createRuntime } from '../../src/bootstrap.js';
import { ConfigError, readConfig } from '../../src/config.js';
import { ConfigFileError, parseConfigText } from '../../src/config-file.js';
import { openDatabase } from '../../src/storage/db.js';
import { tempDir } from '../helpers/app.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const parse = (text: string, env: Record<string, string> = {}) => parseConfigText(text, 'cohort.config.yaml', env);
const fails = (text: string, pattern: RegExp, env: Record<string, string> = {}) =>
  assert.throws(() => parse(text, env), (err: unknown) => err instanceof ConfigFileError && pattern.test(err.message), `${text} → ${pattern}`);

describe('config errors say what is wrong', () => {
  it('a timeout that is not a number of milliseconds is named with the value given', () => {
    fails('backends:\n  a: { type: openai-chat, model: m, timeouts: { connectMs: "30s" } }', /^cohort\.config\.yaml: backends\.a\.timeouts\.connectMs: must be a whole number of milliseconds from 0 to 3600000 \(30000 is 30 s\), got "30s"$/);
    fails('backends:\n  a: { type: openai-chat, model: m, timeouts: { idleMs: 1.5 } }', /timeouts\.idleMs: must be a whole number of milliseconds .*got 1\.5$/);
    fails('backends:\n  a: { type: openai-chat, model: m, retries: { max: 1, baseMs: 99999999 } }', /retries\.baseMs: must be a whole number of milliseconds .*got 99999999$/);
    fails('backends:\n  a: { type: openai-chat, model: m, timeouts: { idleMs: null } }', /timeouts\.idleMs: must be a whole number of milliseconds .*got null$/);
  });

  it('other values of the wrong type too; only an absent field "is required"', () => {
    fails('backends:\n  a: { type: openai-chat, model: 5 }', /backends\.a\.model: must be a string, got 5$/);
    fails('backends:\n  a: { type: llama-cpp, modelPath: m.gguf, contextSize: "4k" }', /backends\.a\.contextSize: must be a number, got "4k"$/);
    fails('backends:\n  a: { type: openai-chat, model: m }\nroutes:\n  default: primary', /routes\.default: must be a list, got "primary"$/);
    fails('backends:\n  a: { type: openai-chat }', /backends\.a\.model: is required$/);
  });
});

describe('backends whose key variable is not set', () => {
  const TWO = `
backends:
  cloud: { type: openai-responses, apiKeyEnv: CLOUD_KEY, model: gpt-4o-mini }
  local: { type: openai-chat, baseURL: "http://127.0.0.1:11434/v1", model: llama3.2 }
routes:
  default: [cloud, local]
  personas:
    hospital-cfo: [cloud]
  workspaces:
    lab: [local, cloud]
`;

  it('are skipped with a warning, and the routes go on without them', () => {
    const c = parse(TWO);
    assert.deepEqual(Object.keys(c.backends), ['local']);
    assert.deepEqual(c.routes, { default: ['local'], workspaces: { lab: ['local'] } });
    assert.deepEqual(c.warnings, [
      'cohort.config.yaml: skipped cloud (CLOUD_KEY is not set)',
      'cohort.config.yaml: routes.personas.hospital-cfo names only skipped backends; it takes the default route',
    ]);
    assert.match(c.reason, /cohort\.config\.yaml configures it \(1 backend skipped: no key\)/);
    const full = parse(TWO, { CLOUD_KEY: 'sk-1' });
    assert.equal(full.warnings, undefined);
    assert.deepEqual(full.routes.default, ['cloud', 'local']);
  });

  it('a default route left empty takes the first usable backend, as when none is given', () => {
    const c = parse('backends:\n  cloud: { type: openai-chat, apiKeyEnv: CLOUD_KEY, model: m }\n  local: { type: openai-chat, model: m }\nroutes:\n  default: [cloud]');
    assert.deepEqual(c.routes.default, ['local']);
    assert.match(c.warnings!.at(-1)!, /routes\.default names only skipped backends; using local, the first usable backend/);
  });

  it('when none is left, the error names every missing variable at once', () => {
    fails(
      'backends:\n  a: { type: openai-chat, model: m, apiKeyEnv: A_KEY }\n  b: { type: anthropic, model: m, apiKeyEnv: B_KEY }',
      /^cohort\.config\.yaml: backends\.a\.apiKeyEnv: the environment variable A_KEY is not set; backends\.b\.apiKeyEnv: the environment variable B_KEY is not set \(set at least one of them\)$/,
    );
  });

  it('examples/cohort.config.yaml starts as shipped, with no key in the environment', async () => {
    const config = readConfig({ config: path.join(ROOT, 'examples/cohort.config.yaml'), 'data-dir': ':memory:', port: '0' }, { COHORT_LOG_LEVEL: 'error' });
    assert.deepEqual(config.backends?.warnings, [
      'examples/cohort.config.yaml: skipped openai (OPENAI_API_KEY is not set), anthropic (ANTHROPIC_API_KEY is not set), groq (GROQ_API_KEY is not set), together (TOGETHER_API_KEY is not set), openrouter (OPENROUTER_API_KEY is not set), local-gguf (its model file models/qwen2.5-0.5b-instruct-q4_k_m.gguf does not exist)',
      'examples/cohort.config.yaml: routes.default names only skipped backends; using ollama, the first usable backend',
      'examples/cohort.config.yaml: routes.personas.hospital-cfo names only skipped backends; it takes the default route',
      'examples/cohort.config.yaml: routes.workspaces.offline-lab names only skipped backends; it takes the default route',
    ]);
    const runtime = await createRuntime(config);
    try {
      assert.match(runtime.liveEngine, /^ollama: openai-chat \(llama3\.2 at 127\.0\.0\.1:11434\)/);
      assert.match(runtime.liveReason ?? '', /6 backends skipped: 5 no key, 1 no model file/);
    } finally {
      await runtime.close();
    }
  });
});

describe('local backends whose model file is absent', () => {
  const write = (text: string) => {
    const dir = tempDir('cohort-config-models-');
    fs.writeFileSync(path.join(dir, 'cohort.config.yaml'), text);
    return dir;
  };

  it('a config file’s llama-cpp backend is skipped with a warning, like one without its key; its routes go on without it', async () => {
    const dir = write('backends:\n  gguf: { type: llama-cpp, modelPath: ./models/none.gguf }\n  up: { type: openai-chat, baseURL: "http://127.0.0.1:9/v1", model: m }\nroutes:\n  default: [gguf, up]\n');
    const config = readConfig({ 'data-dir': ':memory:', port: '0' }, { COHORT_LOG_LEVEL: 'error' }, dir);
    assert.deepEqual(Object.keys(config.backends!.backends), ['up']);
    assert.deepEqual(config.backends!.routes.default, ['up']);
    assert.equal(config.backends!.warnings?.length, 1);
    assert.match(config.backends!.warnings![0]!, /cohort\.config\.yaml: skipped gguf \(its model file .*models\/none\.gguf does not exist\)$/);
    const runtime = await createRuntime(config);
    await runtime.close();
  });

  it('when nothing is left, one error names every missing key and model file', () => {
    const dir = write('backends:\n  gguf: { type: llama-cpp, modelPath: ./none.gguf }\n  cloud: { type: openai-chat, model: m, apiKeyEnv: A_KEY }\n');
    assert.throws(
      () => readConfig({ 'data-dir': ':memory:' }, {}, dir),
      (err: unknown) =>
        err instanceof ConfigError &&
        /cohort\.config\.yaml: backends\.cloud\.apiKeyEnv: the environment variable A_KEY is not set; backends\.gguf\.modelPath: .*none\.gguf does not exist \(set at least one of them\)$/.test(err.message),
    );
  });

  it('a model file that is there but not GGUF still stops the start (a mistake, not an absence)', async () => {
    const dir = write('backends:\n  gguf: { type: llama-cpp, modelPath: ./notes.gguf }\n  up: { type: openai-chat, baseURL: "http://127.0.0.1:9/v1", model: m }\n');
    fs.writeFileSync(path.join(dir, 'notes.gguf'), 'not a model');
    const config = readConfig({ 'data-dir': ':memory:', port: '0' }, { COHORT_LOG_LEVEL: 'error' }, dir);
    await assert.rejects(createRuntime(config), (err: unknown) => err instanceof ConfigError && /backends\.gguf\.modelPath in the config file: .*notes\.gguf is not a GGUF model file/.test(err.message));
  });

  it('COHORT_MODEL_PATH naming a missing file still fails at start: it was asked for', async () => {
    const missing = path.join(tempDir('cohort-config-models-'), 'none.gguf');
    const config = readConfig({ 'data-dir': ':memory:', port: '0' }, { COHORT_LOG_LEVEL: 'error', COHORT_MODEL_PATH: missing });
    assert.deepEqual(Object.keys(config.backends!.backends), ['llama-cpp']);
    await assert.rejects(createRuntime(config), (err: unknown) => err instanceof ConfigError && err.message === `COHORT_MODEL_PATH: ${missing} does not exist`);
  });
});

describe('routes naming personas', () => {
  const withRoute = (id: string) => `backends:\n  a: { type: openai-chat, baseURL: "http://127.0.0.1:9/v1", model: m }\nroutes:\n  personas:\n    ${id}: [a]\n`;
  const write = (text: string) => {
    const dir = tempDir('cohort-config-personas-');
    fs.writeFileSync(path.join(dir, 'cohort.config.yaml'), text);
    return dir;
  };

  it('an unknown built-in id is refused at start, with the closest id', () => {
    const dir = write(withRoute('hospital-cf'));
    assert.throws(
      () => readConfig({ 'data-dir': ':memory:' }, {}, dir),
      (err: unknown) => err instanceof ConfigError && /cohort\.config\.yaml: routes\.personas\.hospital-cf: no persona 'hospital-cf' \(did you mean hospital-cfo\?\) — see cohort personas list/.test(err.message),
    );
    assert.ok(readConfig({ 'data-dir': ':memory:' }, {}, write(withRoute('hospital-cfo'))).backends?.routes.personas?.['hospital-cfo']);
  });

  it('a custom persona id must be in the database when the server starts', async () => {
    const data = tempDir('cohort-config-personas-data-');
    const missing = readConfig({ 'data-dir': data, port: '0' }, { COHORT_LOG_LEVEL: 'error' }, write(withRoute('cp_0000000000000000000000ff')));
    await assert.rejects(createRuntime(missing), (err: unknown) => err instanceof ConfigError && /routes\.personas\.cp_0000000000000000000000ff: no persona 'cp_0000000000000000000000ff'/.test(err.message));

    // A custom persona that exists is a valid route.
    const db = await openDatabase({ dataDir: data });
    const id = await insertCustomPersona(db);
    await db.destroy();
    const runtime = await createRuntime(readConfig({ 'data-dir': data, port: '0' }, { COHORT_LOG_LEVEL: 'error' }, write(withRoute(id))));
    await runtime.close();
    fs.rmSync(data, { recursive: true, force: true });
  });
});

/** A custom persona's row (only its id matters here); returns the id. */
async function insertCustomPersona(db: Awaited<ReturnType<typeof openDatabase>>): Promise<string> {
  const id = 'cp_00000000000000000000abcd';
  await db
    .insertInto('custom_personas')
    .values({ id, workspace_id: 'ws_x', name: 'X', category: 'Custom', description: 'x', is_expert: 0, pipeline_type: 'advanced', persona_type: 'b2c', version: 1, profile: '{}', guided: '{}', cloned_from: null, credits_charged: 0, created_by_key: null, created_at: 1, updated_at: 1, deleted_at: null })
    .execute();
  return id;
}

describe('the focus-group job queue settings', () => {
  it('default to a worker in every process, one respondent per job, 30 s locks', () => {
    const c = readConfig({}, {});
    assert.deepEqual(c.focusGroups, { perStudy: 8, perServer: 32, worker: true, batch: 1, lockMs: 30_000 });
  });

  it('read COHORT_FOCUS_GROUP_WORKER/BATCH/LOCK_MS; --no-focus-group-worker wins over the variable', () => {
    const c = readConfig({}, { COHORT_FOCUS_GROUP_WORKER: '0', COHORT_FOCUS_GROUP_BATCH: '10', COHORT_FOCUS_GROUP_LOCK_MS: '5000' });
    assert.deepEqual([c.focusGroups.worker, c.focusGroups.batch, c.focusGroups.lockMs], [false, 10, 5000]);
    assert.equal(readConfig({}, { COHORT_FOCUS_GROUP_WORKER: 'true' }).focusGroups.worker, true);
    assert.equal(readConfig({ focusGroupWorker: false }, { COHORT_FOCUS_GROUP_WORKER: '1' }).focusGroups.worker, false);
  });

  it('a bad value names its variable and the value given', () => {
    const bad = (env: Record<string, string>, pattern: RegExp) => assert.throws(() => readConfig({}, env), (err: unknown) => err instanceof ConfigError && pattern.test(err.message));
    bad({ COHORT_FOCUS_GROUP_WORKER: 'maybe' }, /^COHORT_FOCUS_GROUP_WORKER must be 1 or 0 \(true or false\), got 'maybe'$/);
    bad({ COHORT_FOCUS_GROUP_BATCH: '0' }, /^COHORT_FOCUS_GROUP_BATCH must be an integer from 1 to 1000, got '0'$/);
    bad({ COHORT_FOCUS_GROUP_LOCK_MS: '500' }, /^COHORT_FOCUS_GROUP_LOCK_MS must be an integer from 1000 to 3600000, got '500'$/);
  });

  it('cohort worker without Redis is a usage error naming COHORT_REDIS_URL', async () => {
    const { main } = await import('../../src/cli/main.js');
    let err = '';
    const code = await main(['worker', '--data-dir', path.join(ROOT, 'no-such-data-dir')], { out: () => {}, err: (t) => (err += t), env: {} });
    assert.equal(code, 2);
    assert.match(err, /cohort worker needs the job queue in Redis: set COHORT_REDIS_URL/);
  });
});
