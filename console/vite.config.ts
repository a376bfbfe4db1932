/**
 * Builds the web console (Preact + Chart.js) into dist/console-ui, which
 * `cohort serve` serves at `/` (src/console/assets.ts). Hashed file names under
 * assets/ are cached forever; index.html is revalidated. No module preload
 * polyfill or inline script: the page's CSP allows scripts from 'self' only.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console-ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: true,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
