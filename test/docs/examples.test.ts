/**
 * Every code example in README.md, docs/ and bench/README.md is checked, by
 * the fence's language:
 *
 * - `ts`: type-checked under `--strict` against each `openai` version we test
 *   with (openai 7 and the `openai6` alias), then run against a real server
 *   with a test key;
 * - `js`: run against that server;
 * - `python`: compiled (py_compile; the `openai` Python package is not here);
 * - `json` / `yaml`: parsed (config files are validated in test/config);
 * - `sh`: a block of `curl` lines runs in bash against the server (any non-2xx
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
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { startTestServer, tempDir, type TestServer } from '../helpers/app.js';

const ROOT = path.resolve('.');
const DOCS = ['README.md', ...fs.readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`), 'bench/README.md', 'CHANGELOG.md'];
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string>; name: string };
const configDoc = fs.readFileSync('docs/configuration.md', 'utf8');

interface Block {
  file: string;
  line: number;
  lang: string;
  body: string;
}

function blocks(): Block[] {
  const out: Block[] = [];
  for (const file of DOCS) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = /^```(\S*)/.exec(lines[i]!);
      if (!open) continue;
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
      out.push({ file, line: start + 1, lang: open[1]!, body: body.join('\n') });
    }
  }
  return out;
}

const ALL = blocks();
const where = (b: Block): string => `${b.file}:${b.line}`;
const work = path.join(ROOT, 'test-results', 'docs-examples');
const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Shell lines of a block: continuations joined, comments and blank lines dropped. */
function shellLines(body: string): string[] {
  return body
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function run(cmd: string, args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string; timeout?: number } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, input: options.input, timeout: options.timeout ?? 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('code examples in the documentation', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
  });
  after(() => s.close());

  const point = (code: string): string => code.replaceAll('http://127.0.0.1:8080', s.url);

  it('are all in a language a test checks', () => {
    const known = new Set(['ts', 'js', 'python', 'json', 'yaml', 'sh', 'text']);
    for (const b of ALL) assert.ok(known.has(b.lang), `${where(b)}: a \`\`\`${b.lang || '(no language)'} block is checked by no test`);
    assert.ok(ALL.some((b) => b.lang === 'ts') && ALL.some((b) => b.lang === 'python') && ALL.some((b) => b.lang === 'sh'));
  });

  it('TypeScript: type-checks under --strict with openai 7 and openai 6', () => {
    const ts = ALL.filter((b) => b.lang === 'ts');
    assert.ok(ts.length >= 2);
    const dir = path.join(work, 'ts');
    fs.mkdirSync(dir, { recursive: true });
    const files = ts.map((b, i) => {
      const f = path.join(dir, `example-${i}.ts`);
      fs.writeFileSync(f, `// ${where(b)}\n${b.body}\nexport {};\n`);
      return f;
    });
    for (const openai of ['openai', 'openai6']) {
      const tsconfig = {
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [path.join(ROOT, 'node_modules/@types')],
          paths: { openai: [path.join(ROOT, 'node_modules', openai)], 'openai/*': [path.join(ROOT, 'node_modules', openai, '*')] },
        },
        files,
      };
      const config = path.join(dir, `tsconfig.${openai}.json`);
      fs.writeFileSync(config, JSON.stringify(tsconfig, null, 2));
      const r = run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', config], { timeout: 120_000 });
      assert.equal(r.code, 0, `with ${openai}:\n${r.out}${r.err}`);
    }
  });

  it('TypeScript and JavaScript: run against a server with a test key', async () => {
    const code = ALL.filter((b) => b.lang === 'ts' || b.lang === 'js');
    for (const [i, b] of code.entries()) {
      const f = path.join(work, `run-${i}.${b.lang === 'ts' ? 'mts' : 'mjs'}`);
      fs.writeFileSync(f, point(b.body));
      // Asynchronously: the server answering these lives in this process.
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', f], { cwd: ROOT, env: { ...process.env, COHORT_KEY: s.testKey } });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (c) => resolve({ code: c, out }));
      });
      assert.equal(r.code, 0, `${where(b)}:\n${r.out}`);
      assert.ok(r.out.trim().length > 0, `${where(b)} printed nothing`);
    }
  });

  it('Python: compiles', () => {
    const py = ALL.filter((b) => b.lang === 'python');
    for (const [i, b] of py.entries()) {
      const f = path.join(work, `example-${i}.py`);
      fs.writeFileSync(f, b.body);
      const r = run('python3', ['-m', 'py_compile', f]);
      assert.equal(r.code, 0, `${where(b)}:\n${r.err}`);
    }
  });

  it('JSON and YAML: parse', () => {
    for (const b of ALL.filter((x) => x.lang === 'json')) assert.doesNotThrow(() => JSON.parse(b.body), where(b));
    for (const b of ALL.filter((x) => x.lang === 'yaml')) assert.doesNotThrow(() => YAML.parse(b.body), where(b));
  });

  it('shell: curl blocks run against the server, cohort blocks on a data folder, the rest refer to what exists', async () => {
    for (const b of ALL.filter((x) => x.lang === 'sh')) {
      const lines = shellLines(b.body);
      if (lines.some((l) => l.startsWith('curl '))) {
        const cwd = tempDir('cohort-doc-sh-');
        dirs.push(cwd);
        const script = `set -euo pipefail\ncurl() { command curl --fail-with-body --max-time 60 "$@"; }\n${point(b.body)}\n`;
        const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn('bash', ['-c', script], { cwd, env: { ...process.env, COHORT_KEY: s.testKey } });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (out += d.toString()));
          child.on('exit', (c) => resolve({ code: c, out }));
        });
        assert.equal(r.code, 0, `${where(b)}:\n${r.out.slice(-2000)}`);
        continue;
      }
      if (lines.every((l) => l.startsWith('cohort '))) {
        const data = tempDir('cohort-doc-cli-');
        dirs.push(data);
        // As after the first start, which creates the operator's own workspace 'default'.
        const script = `set -euo pipefail\ncohort() { "${process.execPath}" "${path.join(ROOT, 'bin/cohort.js')}" "$@"; }\ncohort workspaces create default --plan enterprise >/dev/null\n${b.body}\n`;
        const r = run('bash', ['-c', script], { env: { COHORT_DATA_DIR: data } });
        assert.equal(r.code, 0, `${where(b)}:\n${r.out}${r.err}`);
        continue;
      }
      for (const line of lines) checkCommandLine(b, line.replace(/\s+#.*$/, ''));
    }
  });
});

/** A line that is not run: its npm script, file or variables must exist. */
function checkCommandLine(b: Block, line: string): void {
  const words = line.split(/\s+/);
  while (words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[0]!)) {
    const name = words.shift()!.split('=')[0]!;
    assert.ok(configDoc.includes(`\`${name}\``) || fs.readFileSync('bench/README.md', 'utf8').includes(name), `${where(b)}: ${name} is not documented in docs/configuration.md`);
  }
  const [cmd, ...args] = words;
  const what = `${where(b)}: \`${line}\``;
  if (cmd === 'npm') {
    const [sub, ...rest] = args;
    if (sub === 'run') assert.ok(pkg.scripts[rest[0]!], `${what}: no npm script ${rest[0]}`);
    else if (sub === 'start' || sub === 'test') assert.ok(pkg.scripts[sub], what);
    else if (sub === 'ci' || sub === 'pack') assert.equal(rest.filter((a) => !a.startsWith('-')).length, 0, what);
    else if (sub === 'install' || sub === 'i') {
      for (const spec of rest.filter((a) => !a.startsWith('-'))) assert.ok(/^(@?[\w./-]+)@\d+\.\d+\.\d+$/.test(spec) || spec.endsWith('.tgz'), `${what}: install an exact version`);
    } else assert.fail(`${what}: npm ${sub} is not checked`);
  } else if (cmd === 'node') {
    const file = args.find((a) => /\.(ts|js|mjs)$/.test(a));
    assert.ok(file && fs.existsSync(file), `${what}: no such file`);
  } else if (cmd === 'npx') {
    assert.ok(args[0] === pkg.name || args[0] === 'cohort', `${what}: npx runs ${pkg.name}`);
  } else assert.fail(`${what}: a command no test checks`);
}

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

  it('README is short and has a table of contents', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    assert.ok(readme.split('\n').length <= 400, `README.md has ${readme.split('\n').length} lines`);
    assert.match(readme, /^## Contents$/m);
    for (const doc of ['configuration', 'backends', 'accounts-and-credits', 'personas', 'focus-groups', 'operations', 'migrating', 'api']) assert.match(readme, new RegExp(`\\(docs/${doc}\\.md\\)`));
  });
});
