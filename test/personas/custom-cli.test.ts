/**
 * `cohort personas create/export/list/show` on a data folder: create charges
 * the workspace like the API, export writes a document that create reads
 * back, and every command has --help.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { personasCommand } from '../../src/cli/personas.js';
import type { Io } from '../../src/cli/args.js';
import { createAccountsStore } from '../../src/storage/accounts-store.js';
import { createCreditsStore } from '../../src/storage/credits-store.js';
import { openDatabase } from '../../src/storage/db.js';
import { randomIds, systemClock } from '../../src/util/ids.js';
import { personas, tempDir } from '../helpers/app.js';

async function run(args: string[]) {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), env: { ...process.env, COHORT_DATABASE_URL: '' } };
  let code: number;
  try {
    code = await personasCommand(args, io);
  } catch (e) {
    code = e instanceof Error && e.constructor.name === 'UsageError' ? 2 : 1;
    err += e instanceof Error ? e.message : String(e);
  }
  return { code, out, err };
}

describe('cohort personas (custom)', () => {
  let dir: string;
  before(async () => {
    dir = tempDir('cohort-personas-cli-');
    const db = await openDatabase({ dataDir: dir });
    const accounts = createAccountsStore(db, randomIds, systemClock);
    await accounts.createWorkspace('acme', 'pro');
    await accounts.createWorkspace('poor', 'free');
    await db.destroy();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const balance = async (name: string) => {
    const db = await openDatabase({ dataDir: dir });
    try {
      const w = (await createAccountsStore(db, randomIds, systemClock).findWorkspace(name))!;
      const credits = createCreditsStore(db, randomIds, systemClock);
      return { balance: (await credits.summary(w.id)).balance, ledger: await credits.ledger(w.id, { limit: 5 }) };
    } finally {
      await db.destroy();
    }
  };

  it('has --help for every command', async () => {
    for (const args of [['--help'], ['create', '--help'], ['export', '--help'], ['list', '--help'], ['show', '--help']]) {
      const r = await run([...args, '--data-dir', dir]);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.out, /cohort personas create --workspace NAME --file persona.json/);
    }
    assert.equal((await run(['create', '--data-dir', dir])).code, 2);
    assert.equal((await run(['export', '--workspace', 'acme', '--data-dir', dir])).code, 2);
  });

  it('exports a built-in persona, creates a custom one from the file (charged), exports and lists it', async () => {
    const file = path.join(dir, 'cfo.json');
    const exp = await run(['export', 'hospital-cfo', '--workspace', 'acme', '--data-dir', dir, '--out', file]);
    assert.equal(exp.code, 0, exp.err);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(doc.object, 'persona.export');
    assert.deepEqual(doc.details.demographics, personas.find((p) => p.id === 'hospital-cfo')!.profile.demographics);
    doc.name = 'CLI CFO';
    fs.writeFileSync(file, JSON.stringify(doc));

    const created = await run(['create', '--workspace', 'acme', '--file', file, '--json', '--data-dir', dir]);
    assert.equal(created.code, 0, created.err);
    const p = JSON.parse(created.out);
    assert.match(p.id, /^cp_/);
    assert.deepEqual([p.name, p.credits_charged, p.version], ['CLI CFO', 300, 1]);
    const { balance: after, ledger } = await balance('acme');
    assert.equal(after, 5000 - 300);
    assert.deepEqual([ledger[0]!.operation, ledger[0]!.persona_id, ledger[0]!.key_id], ['persona_create', p.id, null]);

    const again = await run(['export', p.id, '--workspace', 'acme', '--data-dir', dir]);
    assert.equal(again.code, 0, again.err);
    assert.equal(JSON.parse(again.out).name, 'CLI CFO');
    const list = await run(['list', '--workspace', 'acme', '--custom', 'true', '--json', '--data-dir', dir]);
    assert.deepEqual(JSON.parse(list.out).map((x: any) => x.id), [p.id]);
    const show = await run(['show', p.id, '--workspace', 'acme', '--data-dir', dir]);
    assert.equal(show.code, 0, show.err);
    assert.match(show.out, /CLI CFO/);
    assert.match(show.out, /custom v1/);
    assert.equal((await run(['export', p.id, '--workspace', 'poor', '--data-dir', dir])).code, 1, 'other workspaces cannot see it');
  });

  it('refuses invalid files naming the field, and a workspace that cannot pay', async () => {
    const file = path.join(dir, 'bad.json');
    const doc = JSON.parse((await run(['export', 'hospital-cfo', '--workspace', 'acme', '--data-dir', dir])).out);
    doc.details.demographics.life_stage = 'retired';
    doc.details.demographics.age_range = '18-25';
    fs.writeFileSync(file, JSON.stringify(doc));
    const bad = await run(['create', '--workspace', 'acme', '--file', file, '--data-dir', dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /details\.demographics\.age_range/);
    const good = path.join(dir, 'good.json');
    fs.writeFileSync(good, (await run(['export', 'hospital-cfo', '--workspace', 'acme', '--data-dir', dir])).out);
    const poor = await run(['create', '--workspace', 'poor', '--file', good, '--data-dir', dir]);
    assert.equal(poor.code, 1);
    assert.match(poor.err, /costs 300 credits/);
    assert.equal((await balance('poor')).balance, 100);
    assert.equal((await run(['create', '--workspace', 'nobody', '--file', good, '--data-dir', dir])).code, 1);
  });
});
