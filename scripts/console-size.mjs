#!/usr/bin/env node
// After `vite build` (dist/console-ui): writes each compressible file's brotli
// (quality 11) and gzip (level 9) forms beside it (name.br, name.gz), which the
// server sends as they are (src/console/assets.ts: compressing at quality 11
// on a request would take about a second per 200 KB), and measures the
// console's JavaScript — what the page loads first (index.html's module
// scripts and their static imports, as module preloads) and everything. Fails
// above the budget of the initial load: 300 KB (307,200 bytes) of gzip JS.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const BUDGET = 300 * 1024;
const dir = path.resolve(process.argv[2] ?? 'dist/console-ui');
const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');

const refs = new Set();
for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) refs.add(m[1]);
for (const m of html.matchAll(/<link\b[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) refs.add(m[1]);
if (/<script\b(?![^>]*\bsrc=)[^>]*>[^<]/.test(html)) {
  console.error('console: index.html has an inline script; the CSP allows none');
  process.exit(1);
}

const COMPRESSIBLE = /\.(js|css|html|svg|json|webmanifest|txt)$/;
const compressed = new Map();
const walk = (d) =>
  fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
for (const file of walk(dir).filter((f) => COMPRESSIBLE.test(f))) {
  const body = fs.readFileSync(file);
  const gz = zlib.gzipSync(body, { level: 9 });
  const br = zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  fs.writeFileSync(`${file}.gz`, gz);
  fs.writeFileSync(`${file}.br`, br);
  compressed.set(file, { raw: body.length, gzip: gz.length, br: br.length });
}

const size = (file) => compressed.get(file) ?? { raw: 0, gzip: 0, br: 0 };
const sum = (list) => list.reduce((t, s) => ({ raw: t.raw + s.raw, gzip: t.gzip + s.gzip, br: t.br + s.br }), { raw: 0, gzip: 0, br: 0 });
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const initial = sum([...refs].map((r) => size(path.join(dir, r.replace(/^\//, '')))));
const all = sum(
  fs
    .readdirSync(path.join(dir, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => size(path.join(dir, 'assets', f))),
);
console.log(`console: initial JS ${kb(initial.gzip)} gzip (${kb(initial.br)} brotli, ${kb(initial.raw)} raw) in ${refs.size} file(s); all JS ${kb(all.gzip)} gzip (${kb(all.raw)} raw); budget ${kb(BUDGET)} gzip`);
if (initial.gzip > BUDGET) {
  console.error(`console: the initial load is ${kb(initial.gzip)} of compressed JS, over the ${kb(BUDGET)} budget`);
  process.exit(1);
}
