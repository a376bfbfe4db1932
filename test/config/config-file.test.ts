/**
 * cohort.config.json / .yaml (src/config-file.ts): both syntaxes, apiKeyEnv,
 * errors that name the file and the field, discovery (--config,
 * COHORT_CONFIG, ./cohort.config.*), the short forms; zero-config selection
 * (src/backends.ts) with a fake environment and a fake Ollama; the docs'
 * example config and the start-up line of `cohort serve`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { autodetectBackends, createLiveRouter, describeBackends } from '../../src/backends.js';
import { resolveLiveBackends } from '../../src/bootstrap.js';
import { ConfigError, readConfig } from '../../src/config.js';
import { autodetectSettingsFrom, backendsFromEnv, ConfigFileError, findConfigFile, loadConfigFile, ollamaURLFrom, parseConfigText } from '../../src/config-file.js';
import { tempDir } from '../helpers/app.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const YAML = `
# Two backends, a fallback route and per-persona / per-workspace routes.
backends:
  primary:
    type: openai-responses
    baseURL: https://api.openai.com/v1/
    apiKeyEnv: TEST_OPENAI_KEY
    model: gpt-4o-mini
    timeouts: { connectMs: 5000, firstByteMs: 30000, idleMs: 20000, wholeAnswerMs: 300000 }
    retries: { max: 3, baseMs: 200 }
    streaming: auto
  fallback:
    type: anthropic
    apiKey: sk-ant-test
    model: claude-3-5-haiku-latest
    maxTokens: 2048
  local:
    type: llama-cpp
    modelPath: ./models/tiny.gguf
    contextSize: 2048
    maxQueue: 4
routes:
  default: [primary, fallback]
  personas:
    hospital-cfo: [fallback]
  workspaces:
    acme: [local, primary]
`;

describe('config file', () => {
  it('parses YAML: backends, resolved apiKeyEnv, routes; relative model paths are relative to the file', () => {
    const c = parseConfigText(YAML, '/etc/cohort/cohort.config.yaml', { TEST_OPENAI_KEY: 'sk-from-env' });
    assert.deepEqual(c.backends.primary, {
      type: 'openai-responses',
      baseURL: 'https://api.openai.com/v1',
      apiKey: 'sk-from-env',
      model: 'gpt-4o-mini',
      timeouts: { connectMs: 5000, firstByteMs: 30000, idleMs: 20000, wholeAnswerMs: 300000 },
      retries: { max: 3, baseMs: 200 },
      streaming: 'auto',
    });
    assert.equal(c.backends.fallback?.type, 'anthropic');
    assert.deepEqual(c.backends.local, { type: 'llama-cpp', modelPath: '/etc/cohort/models/tiny.gguf', contextSize: 2048, maxQueue: 4 });
    assert.deepEqual(c.routes, { default: ['primary', 'fallback'], personas: { 'hospital-cfo': ['fallback'] }, workspaces: { acme: ['local', 'primary'] } });
    assert.equal(c.reason, 'cohort.config.yaml configures it');
  });

  it('parses JSON the same way; routes.default defaults to the first backend', () => {
    const json = JSON.stringify({ backends: { ollama: { type: 'openai-chat', baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.2' }, other: { type: 'openai-chat', baseURL: 'http://127.0.0.1:8000/v1', model: 'm' } } });
    const c = parseConfigText(json, 'cohort.config.json', {});
    assert.deepEqual(c.backends.ollama, { type: 'openai-chat', baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.2' });
    assert.deepEqual(c.routes, { default: ['ollama'] });
  });

  it('errors name the file and the field path', () => {
    const cases: Array<[string, string, Record<string, string>, RegExp]> = [
      ['cohort.config.yaml', 'backends:\n  a: { type: gemini, model: x }', {}, /^cohort\.config\.yaml: backends\.a\.type: type must be one of openai-chat, openai-responses, anthropic, llama-cpp$/],
      ['cohort.config.yaml', 'backends:\n  a: { type: openai-chat }', {}, /^cohort\.config\.yaml: backends\.a\.model: is required$/],
      ['cohort.config.yaml', 'backends:\n  a: { type: openai-chat, model: m, baseUrl: http://x }', {}, /backends\.a: unknown field 'baseUrl'/],
      ['cohort.config.yaml', 'backends:\n  a: { type: openai-chat, model: m, timeouts: { idleMs: -5 } }', {}, /backends\.a\.timeouts\.idleMs: /],
      ['cohort.config.yaml', 'backends:\n  a: { type: openai-chat, model: m, retries: { max: 2 } }', {}, /backends\.a\.retries\.baseMs: is required/],
      ['cohort.config.yaml', 'backends:\n  a: { type: openai-chat, model: m, baseURL: "ftp://x" }', {}, /backends\.a\.baseURL: must be an http\(s\) URL/],
      ['cohort.config.yaml', 'backends:\n  a: { type: openai-chat, model: m, apiKeyEnv: MISSING_KEY }', {}, /backends\.a\.apiKeyEnv: the environment variable MISSING_KEY is not set/],
      ['cohort.config.yaml', 'backends:\n  a: { type: anthropic, model: m }', {}, /backends\.a: an anthropic backend needs apiKey or apiKeyEnv/],
      ['cohort.config.yaml', 'backends:\n  a: { type: llama-cpp }', {}, /backends\.a\.modelPath: is required/],
      ['cohort.config.yaml', 'backends:\n  a: { type: openai-chat, model: m }\nroutes:\n  default: [a, b]', {}, /routes\.default\[1\]: 'b' is not one of the backends \(a\)/],
      ['cohort.config.yaml', 'backends:\n  a: { type: openai-chat, model: m }\nroutes:\n  personas: { cfo: [] }', {}, /routes\.personas\.cfo: must name at least one backend/],
      ['cohort.config.yaml', 'backends: {}', {}, /backends: must define at least one backend/],
      ['cohort.config.yaml', 'backend:\n  a: {}', {}, /\(top level\): unknown field 'backend'/],
      ['cohort.config.yaml', 'backends: [', {}, /^cohort\.config\.yaml: not valid YAML/],
      ['cohort.config.json', '{"backends": ', {}, /^cohort\.config\.json: not valid JSON/],
      ['cohort.config.json', '{"backends":{"a":{"type":"openai-chat","model":"m","headers":{"x":1}}}}', {}, /backends\.a\.headers\.x: /],
      ['cohort.config.yaml', 'backends:\n  a: { type: openai-chat, model: m, streaming: never }', {}, /backends\.a\.streaming: /],
      ['cohort.config.yaml', 'backends:\n  a: { type: llama-cpp, modelPath: m.gguf, streaming: always }', {}, /backends\.a: unknown field 'streaming'/],
      ['cohort.config.yaml', 'backends:\n  a: { type: llama-cpp, modelPath: m.gguf, timeouts: { wholeAnswerMs: 1000 } }', {}, /backends\.a\.timeouts\.wholeAnswerMs: only HTTP backends fetch whole answers/],
      ['cohort.config.yaml', 'backends:\n  a: { type: openai-chat, model: m, streaming: always, timeouts: { wholeAnswerMs: 1000 } }', {}, /backends\.a\.timeouts\.wholeAnswerMs: has no effect with streaming: always/],
    ];
    for (const [file, text, env, pattern] of cases) {
      assert.throws(() => parseConfigText(text, file, env), (err: unknown) => err instanceof ConfigFileError && pattern.test(err.message), `${text} → ${pattern}`);
    }
  });

  it('is found by --config, COHORT_CONFIG or in the working directory; readConfig reports errors as ConfigError', () => {
    const dir = tempDir('cohort-config-');
    assert.equal(findConfigFile(undefined, {}, dir), undefined);
    fs.writeFileSync(path.join(dir, 'cohort.config.yaml'), 'backends:\n  local: { type: openai-chat, baseURL: "http://127.0.0.1:9/v1", model: m }\n');
    assert.equal(findConfigFile(undefined, {}, dir), path.join(dir, 'cohort.config.yaml'));
    fs.writeFileSync(path.join(dir, 'other.json'), JSON.stringify({ backends: { x: { type: 'openai-chat', model: 'n' } } }));
    assert.equal(findConfigFile(undefined, { COHORT_CONFIG: 'other.json' }, dir), path.join(dir, 'other.json'));
    assert.equal(findConfigFile('other.json', { COHORT_CONFIG: 'nope.yaml' }, dir), path.join(dir, 'other.json'), '--config wins');
    assert.throws(() => findConfigFile('missing.yaml', {}, dir), /--config: no such file: missing\.yaml/);
    assert.throws(() => findConfigFile(undefined, { COHORT_CONFIG: 'missing.yaml' }, dir), /COHORT_CONFIG: no such file/);

    const config = readConfig({}, { COHORT_UPSTREAM_URL: 'http://127.0.0.1:1/v1', COHORT_UPSTREAM_MODEL: 'ignored' }, dir);
    assert.deepEqual(Object.keys(config.backends!.backends), ['local'], 'the file wins over the short form');
    assert.match(config.backends!.reason, /cohort\.config\.yaml configures it \(COHORT_UPSTREAM_URL ignored\)/);
    assert.equal(config.autodetect, undefined);
    assert.equal(readConfig({ config: 'other.json' }, {}, dir).backends!.backends.x?.type, 'openai-chat');

    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'backends:\n  a: { type: openai-chat }\n');
    assert.throws(() => readConfig({ config: 'bad.yaml' }, {}, dir), (err: unknown) => err instanceof ConfigError && /bad\.yaml: backends\.a\.model: is required/.test(err.message));
    assert.throws(() => readConfig({}, { COHORT_FETCH_ALLOW: '10.0.0.0/40' }, dir), /COHORT_FETCH_ALLOW/);
    assert.deepEqual(readConfig({}, { COHORT_FETCH_ALLOW: '127.0.0.1,10.0.0.0/8' }, dir).fetchAllow, ['127.0.0.1', '10.0.0.0/8']);
    const loaded = loadConfigFile(path.join(dir, 'other.json'), {});
    assert.equal(loaded.backends.x?.type, 'openai-chat');
  });

  it('short forms: COHORT_UPSTREAM_* (chat or responses) and COHORT_MODEL_PATH', () => {
    assert.equal(backendsFromEnv({}), undefined);
    const chat = backendsFromEnv({ COHORT_UPSTREAM_URL: 'http://127.0.0.1:11434/v1/', COHORT_UPSTREAM_MODEL: 'llama3.2' })!;
    assert.deepEqual(chat.backends, { 'openai-chat': { type: 'openai-chat', baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.2' } });
    assert.equal(chat.reason, 'COHORT_UPSTREAM_URL is set');
    const responses = backendsFromEnv({ COHORT_UPSTREAM_URL: 'https://api.openai.com/v1', COHORT_UPSTREAM_MODEL: 'gpt-4o', COHORT_UPSTREAM_API_KEY: 'sk-x', COHORT_UPSTREAM_API: 'responses' })!;
    assert.deepEqual(responses.backends['openai-responses'], { type: 'openai-responses', baseURL: 'https://api.openai.com/v1', model: 'gpt-4o', apiKey: 'sk-x' });
    assert.throws(() => backendsFromEnv({ COHORT_UPSTREAM_URL: 'http://x/v1', COHORT_UPSTREAM_MODEL: 'm', COHORT_UPSTREAM_API: 'grpc' }), /COHORT_UPSTREAM_API must be chat or responses/);
    const always = backendsFromEnv({ COHORT_UPSTREAM_URL: 'http://x/v1', COHORT_UPSTREAM_MODEL: 'm', COHORT_UPSTREAM_STREAMING: 'always' })!;
    assert.equal((always.backends['openai-chat'] as { streaming?: string }).streaming, 'always');
    assert.throws(() => backendsFromEnv({ COHORT_UPSTREAM_URL: 'http://x/v1', COHORT_UPSTREAM_MODEL: 'm', COHORT_UPSTREAM_STREAMING: 'sometimes' }), /COHORT_UPSTREAM_STREAMING must be auto or always/);
    const local = backendsFromEnv({ COHORT_MODEL_PATH: './model.gguf' }, '/srv')!;
    assert.deepEqual(local.backends, { 'llama-cpp': { type: 'llama-cpp', modelPath: '/srv/model.gguf' } });
    assert.equal(local.reason, 'COHORT_MODEL_PATH is set');
    assert.throws(() => backendsFromEnv({ COHORT_MODEL_PATH: 'a.gguf', COHORT_UPSTREAM_URL: 'http://x/v1' }), /not both/);
    const embedding = backendsFromEnv({ COHORT_UPSTREAM_URL: 'http://x/v1', COHORT_UPSTREAM_MODEL: 'm', COHORT_UPSTREAM_EMBEDDING_MODEL: 'nomic-embed-text', COHORT_UPSTREAM_EMBEDDING_API: 'ollama' })!;
    assert.deepEqual((embedding.backends['openai-chat'] as { embeddings?: unknown }).embeddings, { model: 'nomic-embed-text', api: 'ollama' });
    assert.throws(() => backendsFromEnv({ COHORT_UPSTREAM_URL: 'http://x/v1', COHORT_UPSTREAM_MODEL: 'm', COHORT_UPSTREAM_EMBEDDING_API: 'ollama' }), /needs COHORT_UPSTREAM_EMBEDDING_MODEL/);
    assert.throws(() => backendsFromEnv({ COHORT_UPSTREAM_URL: 'http://x/v1', COHORT_UPSTREAM_MODEL: 'm', COHORT_UPSTREAM_EMBEDDING_MODEL: 'e', COHORT_UPSTREAM_EMBEDDING_API: 'grpc' }), /must be openai or ollama/);
  });

  it('an embeddings block on an HTTP backend gives the router embeddings; llama-cpp takes embeddings: true', () => {
    const c = parseConfigText(
      'backends:\n  a: { type: openai-chat, baseURL: "http://127.0.0.1:9/v1", model: m, embeddings: { model: nomic-embed-text, api: ollama } }\n  b: { type: anthropic, apiKey: k, model: c }\nroutes: { default: [a, b], personas: { p1: [b] } }\n',
      'cohort.config.yaml',
      {},
    );
    assert.deepEqual((c.backends.a as { embeddings?: unknown }).embeddings, { model: 'nomic-embed-text', api: 'ollama' });
    const live = createLiveRouter(c);
    assert.equal(live.provider.embeddings?.available({}), true);
    assert.equal(live.provider.embeddings?.available({ persona: { id: 'p1' } as never }), false, "the persona's route has no backend with embeddings");
    assert.throws(() => parseConfigText('backends:\n  a: { type: openai-chat, model: m, embeddings: { api: openai } }\n', 'cohort.config.yaml', {}), /backends\.a\.embeddings\.model/);
    const local = parseConfigText('backends:\n  l: { type: llama-cpp, modelPath: /x.gguf, embeddings: true }\n', 'cohort.config.yaml', {});
    assert.equal((local.backends.l as { embeddings?: boolean }).embeddings, true);
  });

  it('describes the backends in one line', () => {
    const c = parseConfigText(YAML, 'cohort.config.yaml', { TEST_OPENAI_KEY: 'k' });
    assert.equal(describeBackends(c), 'primary: openai-responses (gpt-4o-mini) → fallback: anthropic (claude-3-5-haiku-latest) (+2 persona/workspace routes)');
    const live = createLiveRouter(c);
    assert.equal(live.provider.name, 'primary');
    assert.deepEqual([...live.provider.backends.keys()], ['primary', 'fallback', 'local']);
  });
});

describe('zero-config', () => {
  let ollama: Server;
  let ollamaURL: string;
  let tags: unknown = { models: [{ name: 'qwen2.5:0.5b', model: 'qwen2.5:0.5b' }, { name: 'llama3.2:latest' }] };
  const hits: string[] = [];
  before(async () => {
    ollama = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/api/tags') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(tags));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => ollama.listen(0, '127.0.0.1', r));
    ollamaURL = `http://127.0.0.1:${(ollama.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => ollama.close(() => r())));

  const unused = 'http://127.0.0.1:9'; // discard port: nothing answers

  it('OPENAI_API_KEY → OpenAI Responses (COHORT_OPENAI_MODEL, default gpt-4o-mini)', async () => {
    const found = await autodetectBackends(autodetectSettingsFrom({ OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant', OLLAMA_HOST: ollamaURL }));
    assert.ok(found.config);
    assert.deepEqual(found.config.backends, {
      'openai-responses': { type: 'openai-responses', baseURL: 'https://api.openai.com/v1', apiKey: 'sk-test', model: 'gpt-4o-mini', embeddings: { model: 'text-embedding-3-small' } },
    });
    assert.equal(`${describeBackends(found.config)} because ${found.config.reason}`, 'openai-responses (gpt-4o-mini) because OPENAI_API_KEY is set');
    const custom = await autodetectBackends(autodetectSettingsFrom({ OPENAI_API_KEY: 'sk-test', COHORT_OPENAI_MODEL: 'gpt-4.1', OPENAI_BASE_URL: 'https://proxy.example/v1/' }));
    assert.equal(describeBackends(custom.config!), 'openai-responses (gpt-4.1 at proxy.example)');
    const embedding = await autodetectBackends(autodetectSettingsFrom({ OPENAI_API_KEY: 'sk-test', COHORT_OPENAI_EMBEDDING_MODEL: 'text-embedding-3-large' }));
    assert.deepEqual((embedding.config!.backends['openai-responses'] as { embeddings?: unknown }).embeddings, { model: 'text-embedding-3-large' });
  });

  it('else ANTHROPIC_API_KEY → Anthropic (COHORT_ANTHROPIC_MODEL, default claude-3-5-haiku-latest)', async () => {
    const found = await autodetectBackends(autodetectSettingsFrom({ ANTHROPIC_API_KEY: 'sk-ant', OLLAMA_HOST: ollamaURL }));
    assert.deepEqual(found.config?.backends, { anthropic: { type: 'anthropic', apiKey: 'sk-ant', model: 'claude-3-5-haiku-latest' } });
    assert.equal(found.config?.reason, 'ANTHROPIC_API_KEY is set');
    const custom = await autodetectBackends(autodetectSettingsFrom({ ANTHROPIC_API_KEY: 'sk-ant', COHORT_ANTHROPIC_MODEL: 'claude-sonnet-4-5' }));
    assert.equal(custom.config?.backends.anthropic?.type === 'anthropic' && custom.config.backends.anthropic.model, 'claude-sonnet-4-5');
  });

  it('else a local Ollama answering /api/tags: its first model, through its OpenAI-compatible /v1', async () => {
    hits.length = 0;
    // A probe time a loaded machine cannot miss: what is checked here is what an answering Ollama gives.
    const found = await autodetectBackends(autodetectSettingsFrom({ OLLAMA_HOST: ollamaURL }), { probeMs: 10_000 });
    assert.deepEqual(hits, ['/api/tags']);
    assert.deepEqual(found.config?.backends, { 'openai-chat': { type: 'openai-chat', baseURL: `${ollamaURL}/v1`, model: 'qwen2.5:0.5b' } });
    assert.equal(`${describeBackends(found.config!)} because ${found.config!.reason}`, `openai-chat (qwen2.5:0.5b at ${new URL(ollamaURL).host}) because Ollama answers at ${ollamaURL}`);
  });

  it('else none, with the reason (an Ollama without models, or none answering within the probe time)', async () => {
    tags = { models: [] };
    try {
      const empty = await autodetectBackends(autodetectSettingsFrom({ OLLAMA_HOST: ollamaURL }), { probeMs: 10_000 });
      assert.equal(empty.config, undefined);
      assert.match((empty as { reason: string }).reason, /has no models \(ollama pull/);
    } finally {
      tags = { models: [{ name: 'qwen2.5:0.5b' }] };
    }
    const none = await autodetectBackends(autodetectSettingsFrom({ OLLAMA_HOST: unused }));
    assert.equal(none.config, undefined);
    assert.match((none as { reason: string }).reason, /OPENAI_API_KEY or ANTHROPIC_API_KEY is set and no Ollama answers at http:\/\/127\.0\.0\.1:9$/);

    // A server that never answers: the probe gives up after its timeout.
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const started = Date.now();
      const slow = await autodetectBackends(autodetectSettingsFrom({ OLLAMA_HOST: `127.0.0.1:${(silent.address() as AddressInfo).port}` }), { probeMs: 100 });
      assert.equal(slow.config, undefined);
      assert.ok(Date.now() - started < 5000, 'gave up instead of waiting for ever');
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('OLLAMA_HOST is read the way Ollama reads it', () => {
    assert.equal(ollamaURLFrom(undefined), 'http://127.0.0.1:11434');
    assert.equal(ollamaURLFrom('0.0.0.0'), 'http://127.0.0.1:11434');
    assert.equal(ollamaURLFrom('0.0.0.0:8080'), 'http://127.0.0.1:8080');
    assert.equal(ollamaURLFrom('https://ollama.example'), 'https://ollama.example');
  });

  it('readConfig + resolveLiveBackends: the chosen backend and the sentence `cohort serve` prints', async () => {
    const dir = tempDir('cohort-zero-');
    const config = readConfig({}, { OLLAMA_HOST: ollamaURL }, dir);
    assert.equal(config.backends, undefined);
    const live = await resolveLiveBackends(config);
    try {
      assert.equal(live.description, `openai-chat (qwen2.5:0.5b at ${new URL(ollamaURL).host})`);
      assert.equal(live.reason, `Ollama answers at ${ollamaURL}`);
      assert.equal(live.router?.provider.name, 'openai-chat');
    } finally {
      await live.router?.close();
    }
    const none = await resolveLiveBackends(readConfig({}, { OLLAMA_HOST: unused }, dir));
    assert.equal(none.router, undefined);
    assert.equal(none.description, 'none');
  });
});

describe('docs/backends.md', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'docs/backends.md'), 'utf8');

  it('every cohort.config example in docs/backends.md is valid', () => {
    // YAML blocks that start with `# cohort.config.yaml`, JSON blocks whose first key is "backends".
    const blocks = [...readme.matchAll(/```(yaml|json)\n((?:# cohort\.config\.yaml|\{\s*"backends")[\s\S]*?)```/g)];
    assert.ok(blocks.length >= 2, 'docs/backends.md shows a YAML and a JSON example');
    const env = { OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k', GROQ_API_KEY: 'k', TOGETHER_API_KEY: 'k', OPENROUTER_API_KEY: 'k' };
    for (const [, lang, body] of blocks) {
      const c = parseConfigText(body!, `cohort.config.${lang}`, env);
      assert.ok(Object.keys(c.backends).length >= 1);
      createLiveRouter(c); // builds every backend
    }
  });

  it('the examples file has one backend per provider docs/backends.md lists', () => {
    // Parsed without looking for model files: local-gguf's is not shipped (at start it is skipped: config-errors.test.ts).
    const file = path.join(ROOT, 'examples/cohort.config.yaml');
    const c = parseConfigText(fs.readFileSync(file, 'utf8'), file, { OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k', GROQ_API_KEY: 'k', TOGETHER_API_KEY: 'k', OPENROUTER_API_KEY: 'k' });
    assert.deepEqual(Object.keys(c.backends).sort(), ['anthropic', 'groq', 'llamacpp-server', 'lmstudio', 'local-gguf', 'ollama', 'openai', 'openrouter', 'together', 'vllm']);
    createLiveRouter(c);
  });
});
