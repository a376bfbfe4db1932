/**
 * Every code example in README.md, docs/ and bench/README.md is checked, by
 * the fence's language:
 *
 * - `ts`: type-checked under `--strict` against each `openai` version we test
 *   with (openai 7 and the `openai6` alias: examples-typescript.test.ts), then
 *   run against a real server with a test key (examples-run.test.ts);
 * - `js`: run against that server;
 * - `python`: compiled (py_compile; the `openai` Python package is not here);
 * - `json` / `yaml`: parsed (config files are validated in test/config);
 * - `sh` (examples-run.test.ts): a block of `curl` lines runs in bash against the server (any non-2xx
 *   fails it), a block of `cohort` lines runs on a fresh data folder (with the
 *   workspace 'default' the first start creates); other
 *   lines must be `npm` scripts that exist, files that exist, and environment
 *   variables that docs/configuration.md documents;
 * - `text`: output and synopses, not code.
 *
 * A fence in any other language fails: an example nothing checks drifts.
 * Links between these documents are checked too (files and anchors).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { runCohort } from '../helpers/cli.js';
import { ALL, DOCS, run, where, workDir } from './doc-blocks.js';

describe('code examples in the documentation', () => {
  it('are all in a language a test checks', () => {
    const known = new Set(['ts', 'js', 'python', 'json', 'yaml', 'sh', 'text']);
    for (const b of ALL) assert.ok(known.has(b.lang), `${where(b)}: a \`\`\`${b.lang || '(no language)'} block is checked by no test`);
    assert.ok(ALL.some((b) => b.lang === 'ts') && ALL.some((b) => b.lang === 'python') && ALL.some((b) => b.lang === 'sh'));
  });


  it('Python: compiles', () => {
    const py = ALL.filter((b) => b.lang === 'python');
    for (const [i, b] of py.entries()) {
      const f = path.join(workDir(`python-${i}`), 'example.py');
      fs.writeFileSync(f, b.body);
      const r = run('python3', ['-m', 'py_compile', f]);
      assert.equal(r.code, 0, `${where(b)}:\n${r.err}`);
    }
  });


  it('JSON and YAML: parse', () => {
    for (const b of ALL.filter((x) => x.lang === 'json')) assert.doesNotThrow(() => JSON.parse(b.body), where(b));
    for (const b of ALL.filter((x) => x.lang === 'yaml')) assert.doesNotThrow(() => YAML.parse(b.body), where(b));
  });

});

describe('links between the documents', () => {
  const slug = (t: string): string =>
    t
      .trim()
      .toLowerCase()
      .replace(/<[^>]+>/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
  const anchors = (file: string): Set<string> => {
    const text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
    return new Set([...[...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)), ...[...text.matchAll(/<a id="([^"]+)"/g)].map((m) => m[1]!)]);
  };

  it('point to files and headings that exist', () => {
    for (const file of DOCS) {
      const text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [p, anchor] = target!.split('#') as [string, string | undefined];
        const dest = p === '' ? file : path.join(path.dirname(file), p);
        assert.ok(fs.existsSync(dest), `${file}: link to ${target}: no such file`);
        if (anchor !== undefined && dest.endsWith('.md')) assert.ok(anchors(dest).has(anchor), `${file}: link to ${target}: no such heading`);
      }
    }
  });

  it('README lists the commands as `cohort --help` does, and no command\'s help points back to itself', async () => {
    // bin/cohort.js once (what a user runs); each command's help in process (a child each took a minute on a loaded machine).
    // Run from the clone, it names itself `node bin/cohort.js` (README: what `cohort` is in a clone).
    const help = run(process.execPath, ['bin/cohort.js', '--help']).out.replaceAll('node bin/cohort.js ', 'cohort ');
    const commands = help.slice(help.indexOf('Commands:')).split('\n\n')[0]!;
    assert.ok(fs.readFileSync('README.md', 'utf8').includes(`\`\`\`text\n${commands}\n\`\`\``), `README.md shows ${commands}`);
    for (const name of commands.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[0]!).filter((n) => n !== 'help')) {
      for (const args of [[name, '--help'], ['help', name]]) {
        const r = await runCohort(args);
        assert.equal(r.code, 0, args.join(' '));
        assert.match(r.out, /^Usage/, args.join(' '));
        for (const self of [`cohort ${name} --help`, `cohort help ${name}`, `cohort ${name} -h`]) assert.ok(!(r.out + r.err).includes(self), `\`cohort ${args.join(' ')}\` points to ${self}`);
      }
    }
  });

  it('README is short and has a table of contents', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    assert.ok(readme.split('\n').length <= 400, `README.md has ${readme.split('\n').length} lines`);
    assert.match(readme, /^## Contents$/m);
    for (const doc of ['configuration', 'backends', 'accounts-and-credits', 'personas', 'focus-groups', 'operations', 'migrating', 'api']) assert.match(readme, new RegExp(`\\(docs/${doc}\\.md\\)`));
  });
});

