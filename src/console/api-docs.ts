/**
 * The API reference at `/docs`: Swagger UI rendering `/openapi.json`, both
 * from this server. The renderer is bundled at build time into dist/api-docs
 * (scripts/build-api-docs.mjs, from swagger-ui-dist): nothing comes from a
 * CDN, and the page runs under the console's CSP (scripts and styles from
 * 'self' only, no inline script or style, API calls to this origin).
 *
 * - `/docs`: the page, revalidated on every load (no-cache + ETag);
 * - `/docs/<file>`: its script, styles and licence, cached for an hour (their
 *   names are not content-hashed).
 */
import path from 'node:path';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/context.js';
import { CONSOLE_CSP, defaultConsoleDir, pageHeaders, staticFiles } from './assets.js';

/** Where `npm run build` puts the API reference. */
export function defaultApiDocsDir(): string {
  return path.join(path.dirname(defaultConsoleDir()), 'api-docs');
}

export function apiDocsRoutes(options: { dir?: string } = {}) {
  const { get, send } = staticFiles(options.dir ?? defaultApiDocsDir(), 'The API reference is not built on this server: run `npm run build` (`npm ci` does it) and restart.');
  const page = (c: Context<AppEnv>) => send(c, get('/index.html')!, 'no-cache', pageHeaders(CONSOLE_CSP));
  const r = new Hono<AppEnv>();
  r.get('/docs', page);
  r.get('/docs/', page);
  r.get('/docs/:file{[A-Za-z0-9_.-]+\\.(?:js|css|txt)}', async (c, next) => {
    const asset = get(`/${c.req.param('file')}`);
    if (!asset) return next();
    return send(c, asset, 'public, max-age=3600');
  });
  return r;
}
