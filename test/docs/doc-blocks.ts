/**
 * The code blocks of README.md, docs/, bench/README.md and CHANGELOG.md, and
 * what the documentation tests share (test/docs/examples*.test.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve('.');
export const DOCS = [
  'README.md',
  ...fs
    .readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  'bench/README.md',
  'CHANGELOG.md',
];
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string>; name: string };
const configDoc = fs.readFileSync('docs/configuration.md', 'utf8');

export interface Block {
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

export const ALL = blocks();
export const where = (b: Block): string => `${b.file}:${b.line}`;
/** A clean folder for one test file's generated examples, under test-results/docs-examples/. */
export function workDir(name: string): string {
  const dir = path.join(ROOT, 'test-results', 'docs-examples', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Shell lines of a block: continuations joined, comments and blank lines dropped. */
export function shellLines(body: string): string[] {
  return body
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export function run(cmd: string, args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string; timeout?: number } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, input: options.input, timeout: options.timeout ?? 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A line that is not run: its npm script, file or variables must exist. */
export function checkCommandLine(b: Block, line: string): void {
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
    // Never `npx cohort`: that name on npm is another package.
    assert.ok(args[0] === pkg.name, `${what}: npx runs ${pkg.name}`);
  } else assert.fail(`${what}: a command no test checks`);
}
