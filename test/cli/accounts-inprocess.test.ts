/**
 * The accounts side of the `cohort` command, run in process through
 * `main(argv, io)` (no child processes): the first operator key and what it
 * can do, explicit workspace creation, scopes, the keys table, the usage
 * report's dates and its test traffic, and exporting a built-in persona
 * without a data folder.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { ensureFirstKey } from '../../src/cli/banner.js';
import type { Io } from '../../src/cli/args.js';
import { createRuntime, type Runtime } from '../../src/bootstrap.js';
import { readConfig } from '../../src/config.js';
import { createAccountsStore } from '../../src/storage/accounts-store.js';
import { openDatabase } from '../../src/storage/db.js';
import { randomIds, systemClock } from '../../src/util/ids.js';
import { tempDir } from '../helpers/app.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function dataDir(): string {
  const d = tempDir('cohort-cli-inproc-');
  dirs.push(d);
  return d;
}

/** Runs `cohort …args` in this process; env has no database URL, so the data folder is SQLite. */
async function cohort(dir: string | undefined, ...args: string[]) {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), env: dir ? { COHORT_DATA_DIR: dir } : {} };
  const code = await main(args, io);
  return { code, out, err };
}

/** The server's app on a data folder, asked in process. */
async function runtimeOn(dir: string): Promise<Runtime> {
  return createRuntime(readConfig({ 'data-dir': dir, port: '0' }, { OLLAMA_HOST: '127.0.0.1:9', COHORT_LOG_LEVEL: 'error' }));
}
async function ask(rt: Runtime, key: string, method: string, p: string, body?: unknown) {
  const res = await rt.app.app.request(p, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('the first operator key', () => {
  const dir = dataDir();
  let rt: Runtime;
  before(async () => {
    rt = await runtimeOn(dir);
    await ensureFirstKey(rt.accounts, { out: () => {}, err: () => {}, env: {} });
  });
  after(() => rt.close());

  it("the first start's workspace is the operator's, on the enterprise plan (not the free tier's 10 requests a minute)", async () => {
    const w = await rt.accounts.findWorkspace('default');
    assert.equal(w?.plan, 'enterprise');
    const [first] = await rt.accounts.listKeys('default');
    assert.deepEqual(first!.scopes.includes('admin') || first!.scopes.includes('operator'), false, 'the printed key is not an admin key');
  });

  it('comes from `cohort keys create --scopes operator` and administers every workspace', async () => {
    assert.equal((await cohort(dir, 'workspaces', 'create', 'acme', '--plan', 'pro')).code, 0);
    const r = await cohort(dir, 'keys', 'create', '--workspace', 'default', '--name', 'ops', '--scopes', 'operator', '--json');
    assert.equal(r.code, 0, r.err);
    const { key } = JSON.parse(r.out);
    const list = await ask(rt, key, 'GET', '/v1/admin/workspaces');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.map((w: any) => w.name).sort(), ['acme', 'default']);
    const grant = await ask(rt, key, 'POST', '/v1/admin/workspaces/acme/credits', { amount: 5, reason: 'pilot' });
    assert.equal(grant.body.balance, 5005);
  });

  it('an admin key from `--scopes admin` administers its own workspace only', async () => {
    const r = await cohort(dir, 'keys', 'create', '--workspace', 'acme', '--scopes', 'admin,responses', '--json');
    assert.equal(r.code, 0, r.err);
    const { key } = JSON.parse(r.out);
    assert.equal((await ask(rt, key, 'GET', '/v1/admin/workspaces/acme/keys')).status, 200);
    assert.equal((await ask(rt, key, 'GET', '/v1/admin/workspaces/default/keys')).status, 403);
  });

  it('--scopes is checked against the known scopes', async () => {
    const bad = await cohort(dir, 'keys', 'create', '--workspace', 'acme', '--scopes', 'responses,superuser');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unknown scope 'superuser'; known: responses, personas:read, personas:write, focus_groups, usage:read, admin, operator/);
    assert.equal((await cohort(dir, 'keys', 'create', '--workspace', 'acme', '--scopes', ',')).code, 2);
  });
});

describe('cohort keys', () => {
  it('refuses an unknown workspace, listing the existing ones, and creates nothing', async () => {
    const dir = dataDir();
    assert.equal((await cohort(dir, 'workspaces', 'create', 'acme')).code, 0);
    assert.equal((await cohort(dir, 'workspaces', 'create', 'zeta')).code, 0);
    const typo = await cohort(dir, 'keys', 'create', '--workspace', 'acmee');
    assert.equal(typo.code, 1);
    assert.match(typo.err, /no workspace 'acmee'\. Existing: acme, zeta\./);
    assert.match(typo.err, /cohort workspaces create acmee/);
    const listed = JSON.parse((await cohort(dir, 'workspaces', 'list', '--json')).out);
    assert.deepEqual(listed.map((w: any) => w.name), ['acme', 'zeta'], 'no workspace was created');
    assert.equal(JSON.parse((await cohort(dir, 'keys', 'list', '--json')).out).length, 0, 'no key was created');
    const plan = await cohort(dir, 'keys', 'create', '--workspace', 'acme', '--plan', 'pro');
    assert.equal(plan.code, 2, '--plan alone does not create or change a workspace');
    assert.match(plan.err, /workspaces set-plan acme pro/);
  });

  it('--create-workspace creates it on --plan; an empty data folder says there are none', async () => {
    const dir = dataDir();
    const none = await cohort(dir, 'keys', 'create', '--workspace', 'acme');
    assert.match(none.err, /There are none yet/);
    const r = await cohort(dir, 'keys', 'create', '--workspace', 'newco', '--create-workspace', '--plan', 'business', '--json');
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).plan, 'business');
    const again = await cohort(dir, 'keys', 'create', '--workspace', 'newco', '--create-workspace', '--test', '--json');
    assert.equal(again.code, 0, 'creating a workspace that exists is a no-op');
  });

  it('a live key in a workspace without credits comes with a note on how to grant them', async () => {
    const dir = dataDir();
    await cohort(dir, 'workspaces', 'create', 'big', '--plan', 'enterprise');
    const r = await cohort(dir, 'keys', 'create', '--workspace', 'big');
    assert.equal(r.code, 0);
    assert.match(r.err, /no credits available: live requests get 402 .*cohort credits grant --workspace big --amount N/);
    assert.equal((await cohort(dir, 'keys', 'create', '--workspace', 'big', '--test')).err, '', 'test keys spend no credits: no note');
  });

  it('lists keys with their names and scopes', async () => {
    const dir = dataDir();
    await cohort(dir, 'workspaces', 'create', 'acme');
    await cohort(dir, 'keys', 'create', '--workspace', 'acme', '--name', 'billing-service', '--test');
    await cohort(dir, 'keys', 'create', '--workspace', 'acme', '--scopes', 'admin');
    const r = await cohort(dir, 'keys', 'list');
    assert.equal(r.code, 0);
    const [header, ...rows] = r.out.trimEnd().split('\n');
    assert.match(header!, /^ID\s+NAME\s+PREFIX\s+MODE\s+WORKSPACE\s+SCOPES\s+CREATED\s+STATUS$/);
    assert.equal(rows.length, 2);
    const [named, admin] = [rows.find((r) => r.includes('mvra_test_')), rows.find((r) => r.includes('mvra_live_'))];
    assert.match(named!, /^key_\S+\s+billing-service\s+mvra_test_\S+\s+test\s+acme\s+default\s+\S+Z\s+active$/);
    assert.match(admin!, /^key_\S+\s+-\s+mvra_live_\S+\s+live\s+acme\s+admin\s+/);
    assert.equal((await cohort(dir, 'keys', 'list', '--workspace', 'nope')).code, 1);
  });
});

describe('cohort usage', () => {
  const dir = dataDir();
  before(async () => {
    await cohort(dir, 'workspaces', 'create', 'acme');
  });

  it('rejects dates that are not calendar days, and --to before --from', async () => {
    for (const [flag, value] of [
      ['--from', '2026-13-45'],
      ['--from', '2026-02-30'],
      ['--to', '2025-02-29'],
      ['--to', '26-01-01'],
      ['--from', 'yesterday'],
    ] as const) {
      const r = await cohort(dir, 'usage', '--workspace', 'acme', flag, value);
      assert.equal(r.code, 2, `${flag} ${value}`);
      assert.match(r.err, new RegExp(`${flag} '${value}' is not a date`));
    }
    const reversed = await cohort(dir, 'usage', '--workspace', 'acme', '--from', '2026-03-02', '--to', '2026-03-01');
    assert.equal(reversed.code, 2);
    assert.match(reversed.err, /--to 2026-03-01 is before --from 2026-03-02/);
    assert.equal((await cohort(dir, 'usage', '--workspace', 'acme', '--from', '2024-02-29', '--to', '2024-03-01')).code, 0, 'a leap day is a day');
  });

  it('shows test-key traffic as its own rows at zero cost, in the CLI and GET /v1/usage', async () => {
    const test = JSON.parse((await cohort(dir, 'keys', 'create', '--workspace', 'acme', '--test', '--json')).out).key;
    const rt = await runtimeOn(dir);
    try {
      for (let i = 0; i < 3; i++) {
        const r = await ask(rt, test, 'POST', '/v1/responses', { model: 'mavera-1', input: `question ${i}`, persona_id: 'hospital-cfo', ...(i === 2 ? { store: false } : {}) });
        assert.equal(r.status, 200);
      }
      const usage = await ask(rt, test, 'GET', '/v1/usage?group_by=persona&start_date=2020-01-01');
      assert.equal(usage.body.total_requests, 3);
      assert.equal(usage.body.test_requests, 3);
      assert.equal(usage.body.total_credits, 0);
      assert.equal(usage.body.data.length, 1);
      const row = usage.body.data[0];
      assert.deepEqual([row.persona, row.mode, row.credits, row.requests], ['hospital-cfo', 'test', 0, 3]);
      assert.ok(row.input_tokens > 0 && row.output_tokens > 0);
      const persona = await ask(rt, test, 'POST', '/v1/personas', { pipeline_type: 'north_star', name: 'Retired Teachers in Florida', description: 'Former public school teachers aged 65-75 living on pensions.' });
      assert.equal(persona.status, 200, JSON.stringify(persona.body));
      const byOperation = await ask(rt, test, 'GET', '/v1/usage?group_by=operation');
      assert.deepEqual(
        byOperation.body.data.map((r: any) => [r.operation, r.mode, r.credits, r.requests]),
        [
          ['persona_create', 'test', 0, 1],
          ['responses', 'test', 0, 3],
        ],
      );
      const balance = (await ask(rt, test, 'GET', '/v1/credits')).body.balance;
      assert.equal(balance, 100, 'nothing was spent');
    } finally {
      await rt.close();
    }
    const cli = await cohort(dir, 'usage', '--workspace', 'acme', '--by', 'persona');
    assert.equal(cli.code, 0, cli.err);
    assert.match(cli.out, /^PERSONA\s+MODE\s+CREDITS\s+REQUESTS/);
    assert.match(cli.out, /\nhospital-cfo\s+test\s+0\s+3\s+\d+\s+\d+\n/);
  });
});

describe('cohort personas export', () => {
  it('exports a built-in persona without --workspace, and without creating a data folder', async () => {
    const dir = path.join(dataDir(), 'never-created');
    const r = await cohort(dir, 'personas', 'export', 'hospital-cfo');
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    assert.equal(doc.name, 'Hospital CFO');
    assert.equal(fs.existsSync(dir), false);
    const custom = await cohort(dir, 'personas', 'export', 'cp_0123');
    assert.equal(custom.code, 1);
    assert.match(custom.err, /a custom persona needs --workspace NAME/);
  });
});

describe('cohort help', () => {
  it('lists every command with one line each', async () => {
    const r = await cohort(undefined, '--help');
    assert.equal(r.code, 0);
    const lines = r.out.split('\n').filter((l) => /^ {2}\S/.test(l));
    assert.deepEqual(lines.map((l) => l.trim().split(/\s+/)[0]), ['serve', 'worker', 'keys', 'workspaces', 'credits', 'usage', 'personas', 'focus-groups', 'help']);
    assert.equal((await cohort(undefined, 'help', 'keys')).out, (await cohort(undefined, 'keys', '--help')).out);
  });

  it("`cohort <cmd> --help` prints the command's help, whatever else is on the line, and never points back to itself", async () => {
    for (const args of [
      ['usage', '--help', '--bogus'],
      ['keys', 'create', '--workspace', '--help'],
      ['serve', '--port', 'x', '--help'],
      ['credits', 'grant', '-h'],
      ['personas', 'export', '--help'],
      ['workspaces', 'set-plan', '--help'],
    ]) {
      const r = await cohort(undefined, ...args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.out, /^Usage/, args.join(' '));
      assert.doesNotMatch(r.out + r.err, /Run 'cohort/, args.join(' '));
    }
    const unknown = await cohort(undefined, 'bogus');
    assert.equal(unknown.code, 2);
    assert.doesNotMatch(unknown.err, /cohort bogus --help/, 'no help to point to for a command that does not exist');
  });
});

describe('cohort serve on a taken port', () => {
  it('stops before anything is written to the data folder (EADDRINUSE first)', async () => {
    const held = net.createServer();
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', r));
    const port = (held.address() as net.AddressInfo).port;
    const dir = path.join(dataDir(), 'data');
    try {
      const r = await cohort(undefined, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dir, '--config', 'examples/cohort.config.yaml');
      assert.equal(r.code, 1);
      assert.match(r.err, /^cohort: warning: examples\/cohort\.config\.yaml: skipped openai \(OPENAI_API_KEY is not set\), anthropic/, 'config warnings come first');
      assert.match(r.err, new RegExp(`port ${port} is in use on 127\\.0\\.0\\.1 \\(EADDRINUSE\\).*--port N`));
      assert.equal(r.out, '', 'no key printed');
      assert.equal(fs.existsSync(dir), false, 'no data folder created');
    } finally {
      held.close();
    }
  });
});

describe('restarts', () => {
  it('a restart creates no key and says how to make one', async () => {
    const dir = dataDir();
    const db = await openDatabase({ dataDir: dir });
    try {
      const accounts = createAccountsStore(db, randomIds, systemClock);
      let first = '';
      await ensureFirstKey(accounts, { out: (t) => void (first += t), err: () => {}, env: {} });
      assert.match(first, /mvra_test_/);
      assert.match(first, /enterprise plan \(1,000 requests\/min, 1,000,000\/day, 200 in progress\)/);
      assert.match(first, /cohort keys create --workspace default --name ops --scopes operator/);
      let again = '';
      await ensureFirstKey(accounts, { out: (t) => void (again += t), err: () => {}, env: {} });
      assert.doesNotMatch(again, /mvra_/);
      assert.match(again, /1 workspace in this data folder .*cohort keys create --workspace default/);
      assert.equal((await accounts.listKeys()).length, 1);
    } finally {
      await db.destroy();
    }
  });
});
