/**
 * The commands `cohort` prints in its hints run as printed: from a clone that
 * is `node bin/cohort.js …` (no `cohort` on PATH; `npx cohort` would fetch
 * another npm package), from a local install `npx cohort-persona-api …`, from a
 * global install or `npm link` the link's name. Also: `help --help`, and the
 * one output option `--out`/`--output` of the export commands.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { reaped } from '../helpers/child-reaper.js';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Io } from '../../src/cli/args.js';
import { ensureFirstKey, printBanner } from '../../src/cli/banner.js';
import { cohortCommand, withCommand } from '../../src/cli/invocation.js';
import { HELP, main } from '../../src/cli/main.js';
import { createAccountsStore } from '../../src/storage/accounts-store.js';
import { openDatabase } from '../../src/storage/db.js';
import { randomIds, systemClock } from '../../src/util/ids.js';
import { tempDir } from '../helpers/app.js';
import { BIN } from '../helpers/cohort-process.js';

const ROOT = path.resolve('.');
const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const dataDir = (): string => {
  const d = tempDir('cohort-invocation-');
  dirs.push(d);
  return d;
};

async function cohort(args: string[], command?: string, env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), env, ...(command ? { command } : {}) };
  const code = await main(args, io);
  return { code, out, err };
}

describe('how cohort names itself in hints', () => {
  it('as the process was started: a clone, a local install, a global install or npm link', () => {
    assert.equal(cohortCommand('/home/me/cohort/bin/cohort.js', '/home/me/cohort'), 'node bin/cohort.js');
    assert.equal(cohortCommand('/home/me/cohort/bin/cohort.js', '/home/me/cohort/data'), 'node /home/me/cohort/bin/cohort.js', 'outside the clone: the whole path');
    assert.equal(cohortCommand('/home/me/my cohort/bin/cohort.js', '/tmp'), `node '/home/me/my cohort/bin/cohort.js'`, 'quoted for the shell');
    assert.equal(cohortCommand('/srv/app/node_modules/.bin/cohort-persona-api', '/srv/app'), 'npx cohort-persona-api');
    assert.equal(cohortCommand('/srv/app/node_modules/.bin/cohort', '/srv/app'), 'npx cohort-persona-api', 'never `npx cohort`: that is another package');
    assert.equal(cohortCommand('/srv/app/node_modules/cohort-persona-api/bin/cohort.js', '/srv/app'), 'npx cohort-persona-api');
    assert.equal(cohortCommand('/usr/local/bin/cohort', '/tmp'), 'cohort');
    assert.equal(cohortCommand('/usr/local/bin/cohort-persona-api', '/tmp'), 'cohort-persona-api');
    assert.equal(cohortCommand(undefined, '/tmp'), 'cohort');
  });

  it('rewrites mentions of its commands only, not other words', () => {
    assert.equal(
      withCommand("Run 'cohort keys --help' (cohort help keys); `cohort serve`", 'node bin/cohort.js'),
      "Run 'node bin/cohort.js keys --help' (node bin/cohort.js help keys); `node bin/cohort.js serve`",
    );
    assert.equal(withCommand('a cohort of people; cohort.config.yaml; cohort: error; cohort keysmith', 'node bin/cohort.js'), 'a cohort of people; cohort.config.yaml; cohort: error; cohort keysmith');
    assert.equal(withCommand('cohort keys list', undefined), 'cohort keys list');
  });

  it('help and usage errors use it', async () => {
    const help = await cohort(['--help'], 'node bin/cohort.js');
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage: node bin\/cohort\.js <command> \[options\]/);
    assert.match(help.out, /\(node bin\/cohort\.js help keys\)/);
    const keys = await cohort(['keys', 'create', '--help'], 'npx cohort-persona-api');
    assert.match(keys.out, /^ {2}npx cohort-persona-api keys create --workspace NAME/m);
    const usage = await cohort(['keys', 'create', '--data-dir', dataDir()], 'node bin/cohort.js');
    assert.equal(usage.code, 2);
    assert.equal(usage.err, "cohort: keys create needs --workspace NAME\nRun 'node bin/cohort.js keys --help' for usage.\n");
    const missing = await cohort(['keys', 'create', '--workspace', 'nope', '--data-dir', dataDir()], 'node bin/cohort.js');
    assert.match(missing.err, /Create it with: node bin\/cohort\.js workspaces create nope/);
    // Without a command set (main called directly), the plain name.
    assert.match((await cohort(['--help'])).out, /^Usage: cohort <command>/);
  });

  it('`help --help`, `help help` and `--help --help` print the list, exit 0; an unknown topic is a usage error', async () => {
    for (const args of [['help', '--help'], ['help', '-h'], ['help', 'help'], ['--help', '--help'], ['help']]) {
      const r = await cohort(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.equal(r.out, HELP, args.join(' '));
      assert.equal(r.err, '');
    }
    const keys = await cohort(['help', '--help', 'keys']);
    assert.equal(keys.code, 0);
    assert.match(keys.out, /cohort keys create/);
    const bogus = await cohort(['help', 'bogus']);
    assert.equal(bogus.code, 2);
    assert.match(bogus.err, /^cohort: unknown command 'bogus'/);
  });

  it('the first-start banner: its commands as started, with the data folder serve was given', async () => {
    const dir = dataDir();
    const db = await openDatabase({ dataDir: dir });
    try {
      const accounts = createAccountsStore(db, randomIds, systemClock);
      let out = '';
      const io: Io = { out: (t) => void (out += t), err: () => {}, env: {}, command: 'node bin/cohort.js' };
      await ensureFirstKey(accounts, io, { dataDir: dir });
      assert.ok(out.includes(`node bin/cohort.js keys create --workspace default --name ops --scopes operator --data-dir ${dir}\n`), out);
      assert.ok(out.includes(`node bin/cohort.js credits grant --workspace default --amount N --data-dir ${dir}\n`), out);
      assert.doesNotMatch(out, /(^|\s)cohort (keys|credits)/);
      out = '';
      await ensureFirstKey(accounts, { ...io, env: { COHORT_DATA_DIR: dir } }, { dataDir: dir });
      assert.equal(
        out,
        '1 workspace in this data folder (node bin/cohort.js workspaces list). New key: node bin/cohort.js keys create --workspace default [--test] [--scopes operator]\n',
        'the folder the commands find by themselves is not repeated',
      );
    } finally {
      await db.destroy();
    }
  });

  it('the start-up line says what the server is bound to and a URL to open here', () => {
    const lines = (host: string, url: string) => {
      let out = '';
      printBanner({ out: (t) => void (out += t), err: () => {}, env: {}, command: 'node bin/cohort.js' }, { url, host, dataDir: './data', liveEngine: 'none' });
      return out.split('\n');
    };
    const all = lines('0.0.0.0', 'http://127.0.0.1:8080');
    assert.equal(all[0], 'Cohort listening on http://127.0.0.1:8080 (bound to 0.0.0.0: every IPv4 network interface; data: ./data)');
    assert.match(all[3]!, /they get 503 until one is \(node bin\/cohort\.js serve --help\)\.$/);
    assert.equal(lines('127.0.0.1', 'http://127.0.0.1:8080')[0], 'Cohort listening on http://127.0.0.1:8080 (data: ./data)');
  });

  it('bin/cohort.js started from the clone prints `node bin/cohort.js …` hints, and the printed command runs', async () => {
    const dir = dataDir();
    const child = reaped(
      spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dir], {
        cwd: ROOT,
        env: {
          ...process.env,
          COHORT_DATA_DIR: '',
          COHORT_DATABASE_URL: '',
          COHORT_REDIS_URL: '',
          COHORT_UPSTREAM_URL: '',
          COHORT_MODEL_PATH: '',
          COHORT_CONFIG: '',
          OPENAI_API_KEY: '',
          ANTHROPIC_API_KEY: '',
          OLLAMA_HOST: '127.0.0.1:9',
        },
      }),
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      for (let i = 0; i < 400 && !/Live keys/.test(out) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
      const hint = /An operator key \(the admin API for every workspace\): (.*)$/m.exec(out)?.[1];
      assert.equal(hint, `node bin/cohort.js keys create --workspace default --name ops --scopes operator --data-dir ${dir}`, out);
      const words = hint.split(' ');
      const ran = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const c = spawn(words[0]!, [...words.slice(1), '--json'], { cwd: ROOT, env: { ...process.env, COHORT_DATA_DIR: '', COHORT_DATABASE_URL: '' } });
        let text = '';
        let err = '';
        c.stdout.on('data', (d: Buffer) => (text += d.toString()));
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        c.on('exit', (code) => resolve({ code, out: text, err }));
      });
      assert.equal(ran.code, 0, ran.err);
      assert.match(JSON.parse(ran.out).key, /^mvra_live_/);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});

describe('export commands take --out and --output', () => {
  it('personas export writes with either spelling (and -o); two different files is a usage error', async () => {
    const dir = dataDir();
    for (const flag of ['--out', '--output', '-o']) {
      const file = path.join(dir, `p${flag}.json`);
      const r = await cohort(['personas', 'export', 'gen-z-digital-native', flag, file]);
      assert.equal(r.code, 0, `${flag}: ${r.err}`);
      assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).name, 'Gen Z Digital Native');
    }
    const both = await cohort(['personas', 'export', 'gen-z-digital-native', '--out', path.join(dir, 'a'), '--output', path.join(dir, 'b')]);
    assert.equal(both.code, 2);
    assert.match(both.err, /--out and --output are the same option/);
  });
});
