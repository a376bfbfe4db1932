/**
 * Documents that must not drift: docs/api.md's error table against the error
 * registry, and /openapi.json against the routes and request schemas.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ERRORS } from '../../src/errors/registry.js';
import { NODE_LLAMA_CPP_VERSION } from '../../src/providers/llama-cpp/index.js';
import { validateAgainst } from '../../src/util/json-schema.js';
import { startTestServer, type TestServer } from '../helpers/app.js';

describe('README and docs/', () => {
  it('docs/api.md lists exactly the registry’s error codes with their statuses', () => {
    const readme = fs.readFileSync('docs/api.md', 'utf8');
    const table = readme.slice(readme.indexOf('<!-- error-table:start -->'), readme.indexOf('<!-- error-table:end -->'));
    const rows = [...table.matchAll(/^\| (\d{3}) \| `([a-z_]+)` \|/gm)].map((m) => [m[2], Number(m[1])]);
    assert.deepEqual(Object.fromEntries(rows), Object.fromEntries(Object.entries(ERRORS).map(([c, e]) => [c, e.status])));
  });

  it('the local model engine is opt-in, and CI installs the version the code expects', () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const field of ['dependencies', 'optionalDependencies', 'devDependencies']) assert.equal(pkg[field]?.['node-llama-cpp'], undefined, field);
    const install = `node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`;
    assert.ok(fs.readFileSync('.ci/run', 'utf8').includes(`npm install --no-save --no-audit --no-fund ${install}`));
    assert.ok(fs.readFileSync('scripts/test-on-node.sh', 'utf8').includes(install));
    assert.ok(fs.readFileSync('docs/backends.md', 'utf8').includes(`npm install ${install}`));
  });

  it('gives the install and test commands', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    assert.match(readme, /npm ci && npm test/);
    assert.match(readme, /npm start/);
  });
});

describe('/openapi.json', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  it('is OpenAPI 3.1 and documents every route the app serves', async () => {
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as any;
    assert.equal(doc.openapi, '3.1.0');
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} /v1${p.replace(/\{(\w+)\}/g, ':x')}`));
    const served = s.app.app.routes
      .filter((r) => r.path.startsWith('/v1/') && r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, ':x').replace(/\/$/, '')}`);
    for (const route of new Set(served)) assert.ok(documented.includes(route), `undocumented: ${route}`);
  });

  it('describes the request schema the server validates with', async () => {
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as any;
    // Resolve component references the way an OpenAPI tool would.
    const schema = JSON.parse(JSON.stringify(doc.components.schemas.CreateResponseRequest).replaceAll('#/components/schemas/', '#/$defs/'));
    schema.$defs = doc.components.schemas;
    assert.ok(validateAgainst(schema, { model: 'mavera-1', input: 'hi', temperature: 1 }).valid);
    assert.ok(!validateAgainst(schema, { model: 'mavera-1', input: 'hi', temperature: 3 }).valid);
    assert.ok(!validateAgainst(schema, { model: 'gpt-4', input: 'hi' }).valid);
    assert.deepEqual(schema.required.sort(), ['input', 'model']);
  });
});
