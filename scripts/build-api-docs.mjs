#!/usr/bin/env node
// Builds the API reference page that `cohort serve` serves at /docs
// (src/console/api-docs.ts): Swagger UI's standalone bundle and stylesheet,
// copied from the swagger-ui-dist package (a development dependency: the
// package ships the copy, not the dependency), with console/api-docs/ (the
// page, its initializer and its styles: no inline script or style, as the
// page's CSP allows none) into dist/api-docs, each compressible file with its
// brotli and gzip forms beside it. Nothing is fetched at run time.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';

const out = path.resolve('dist/api-docs');
const swagger = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const { version } = JSON.parse(fs.readFileSync(path.join(swagger, 'package.json'), 'utf8'));
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
for (const f of ['swagger-ui-bundle.js', 'swagger-ui.css']) fs.copyFileSync(path.join(swagger, f), path.join(out, f));
fs.writeFileSync(
  path.join(out, 'LICENSE.txt'),
  `Swagger UI ${version} (swagger-ui-dist)\n\n${fs.readFileSync(path.join(swagger, 'LICENSE'), 'utf8')}\n${fs.readFileSync(path.join(swagger, 'swagger-ui-bundle.js.LICENSE.txt'), 'utf8')}`,
);
for (const f of fs.readdirSync('console/api-docs')) fs.copyFileSync(path.join('console/api-docs', f), path.join(out, f));
const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
if (/<script\b(?![^>]*\bsrc=)[^>]*>[^<]/.test(html) || /<style\b|\sstyle=/.test(html)) {
  console.error('api-docs: index.html has an inline script or style; the CSP allows none');
  process.exit(1);
}
let gz = 0;
for (const f of fs.readdirSync(out).filter((f) => /\.(js|css|html|txt)$/.test(f))) {
  const body = fs.readFileSync(path.join(out, f));
  const g = zlib.gzipSync(body, { level: 9 });
  fs.writeFileSync(path.join(out, `${f}.gz`), g);
  fs.writeFileSync(path.join(out, `${f}.br`), zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
  gz += g.length;
}
console.log(`api-docs: Swagger UI ${version}, ${(gz / 1024).toFixed(0)} KB gzip in dist/api-docs`);
