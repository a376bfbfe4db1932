/**
 * The documentation's examples that run, against a real server with a test
 * key: TypeScript and JavaScript programs; shell blocks of `curl` lines (any
 * non-2xx fails them) and of `cohort` lines (on a fresh data folder, with the
 * workspace 'default' the first start creates). Other shell lines must be npm
 * scripts that exist, files that exist, and environment variables that
 * docs/configuration.md documents.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startTestServer, tempDir, type TestServer } from '../helpers/app.js';
import { runCohort } from '../helpers/cli.js';
import { ALL, checkCommandLine, ROOT, shellLines, where, workDir } from './doc-blocks.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('documentation examples run', () => {
  let s: TestServer;
  let work: string;
  before(async () => {
    s = await startTestServer();
    work = workDir('run');
  });
  after(() => s.close());

  const point = (code: string): string => code.replaceAll('http://127.0.0.1:8080', s.url);

  it('TypeScript and JavaScript: run against a server with a test key', async () => {
    const code = ALL.filter((b) => b.lang === 'ts' || b.lang === 'js');
    for (const [i, b] of code.entries()) {
      const f = path.join(work, `run-${i}.${b.lang === 'ts' ? 'mts' : 'mjs'}`);
      fs.writeFileSync(f, point(b.body));
      // Asynchronously: the server answering these lives in this process.
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', f], { cwd: ROOT, env: { ...process.env, COHORT_API_KEY: s.testKey } });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (c) => resolve({ code: c, out }));
      });
      assert.equal(r.code, 0, `${where(b)}:\n${r.out}`);
      assert.ok(r.out.trim().length > 0, `${where(b)} printed nothing`);
    }
  });

  it('shell: curl blocks run against the server, cohort blocks on a data folder, the rest refer to what exists', async () => {
    for (const b of ALL.filter((x) => x.lang === 'sh')) {
      const lines = shellLines(b.body);
      if (lines.some((l) => l.startsWith('curl '))) {
        const cwd = tempDir('cohort-doc-sh-');
        dirs.push(cwd);
        const script = `set -euo pipefail\ncurl() { command curl --fail-with-body --max-time 60 "$@"; }\n${point(b.body)}\n`;
        const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn('bash', ['-c', script], { cwd, env: { ...process.env, COHORT_API_KEY: s.testKey } });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (out += d.toString()));
          child.on('exit', (c) => resolve({ code: c, out }));
        });
        assert.equal(r.code, 0, `${where(b)}:\n${r.out.slice(-2000)}`);
        continue;
      }
      // `cohort …`, and `node bin/cohort.js …` (the same command run from a clone).
      const clone = 'node bin/cohort.js ';
      if (lines.every((l) => l.startsWith('cohort ') || l.startsWith(clone))) {
        const data = tempDir('cohort-doc-cli-');
        dirs.push(data);
        const env = { COHORT_DATA_DIR: data };
        // As after the first start, which creates the operator's own workspace 'default'.
        assert.equal((await runCohort(['workspaces', 'create', 'default', '--plan', 'enterprise'], env)).code, 0);
        // Each line through main() in process, split as the shell splits it (a child per line
        // took a minute on a loaded machine); a line the splitter cannot read fails the test.
        for (const line of lines) {
          const r = await runCohort(shellWords(line).slice(line.startsWith(clone) ? 2 : 1), env);
          assert.equal(r.code, 0, `${where(b)}: ${line}\n${r.out}${r.err}`);
        }
        continue;
      }
      for (const line of lines) checkCommandLine(b, line.replace(/\s+#.*$/, ''));
    }
  });
});

/** A command line's words as a POSIX shell splits them: blanks, '…', "…" (with \\ \" \$), a trailing # comment; anything needing more (expansions, pipes, redirections) throws. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word), (word = undefined);
    } else if (c === '#' && word === undefined) break;
    else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let text = '';
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '$' || line[i] === '`') throw new Error(`expansion in: ${line}`);
        if (line[i] === '\\' && /["\\$`]/.test(line[i + 1] ?? '')) i++;
        text += line[i];
      }
      if (i >= line.length) throw new Error(`unterminated " in: ${line}`);
      word = (word ?? '') + text;
    } else if (/[|&;<>()$`\\*?[\]{}~]/.test(c)) throw new Error(`shell syntax '${c}' in: ${line}`);
    else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}
