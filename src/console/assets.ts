/**
 * Serves the web console's built files (console/ → dist/console-ui by
 * `npm run build`, which `npm ci` runs through `prepare`) from the same
 * process as the API:
 *
 * - `/` (and `/index.html`): the page, `Cache-Control: no-cache` with an ETag,
 *   so a new build is picked up at once; Content-Security-Policy without
 *   inline scripts or styles, no framing, nothing from another origin.
 * - `/assets/*`: content-hashed file names, `immutable` for a year.
 * - other root files of the build (the icon): an hour.
 *
 * Files are read once, on the first request (a server that nobody opens the
 * console of pays nothing). Their brotli and gzip forms come from the build
 * (name.br, name.gz, written by scripts/console-size.mjs at the highest
 * levels); a file without them is compressed once per encoding at a fast
 * level, off the event loop. Nothing is fetched from the network: the
 * console is offline by construction.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../util/package-info.js';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Hono, type Context } from 'hono';
import { ApiError } from '../errors/api-error.js';
import type { AppEnv } from '../http/context.js';

/**
 * The policy of the console's page: scripts and styles only from this origin
 * (no `unsafe-inline`, no `eval`), images from here or data:/blob: (previews),
 * API calls to this origin only, never framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Bounds on what is loaded: a build is a few files of a few hundred KB. */
const MAX_FILES = 500;
const MAX_FILE_BYTES = 8 * 1024 * 1024;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.webmanifest', '.txt', '.map']);

interface Asset {
  type: string;
  body: Buffer;
  etag: string;
  compressible: boolean;
  encoded: Map<'br' | 'gzip', Promise<Buffer>>;
}

/** Where `npm run build` puts the console. */
export function defaultConsoleDir(): string {
  return path.join(packageRoot(), 'dist', 'console-ui');
}

function readAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const walk = (sub: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile()) {
        const ext = path.extname(entry.name).toLowerCase();
        const type = TYPES[ext];
        if (!type) continue;
        if (out.size >= MAX_FILES) throw new Error(`the console build in ${dir} has more than ${MAX_FILES} files`);
        const body = fs.readFileSync(path.join(dir, rel));
        if (body.length > MAX_FILE_BYTES) throw new Error(`console file ${rel} is over ${MAX_FILE_BYTES} bytes`);
        const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
        const encoded = new Map<'br' | 'gzip', Promise<Buffer>>();
        for (const [encoding, suffix] of [['br', '.br'], ['gzip', '.gz']] as const) {
          const pre = path.join(dir, `${rel}${suffix}`);
          if (fs.existsSync(pre)) encoded.set(encoding, Promise.resolve(fs.readFileSync(pre)));
        }
        out.set(`/${rel}`, { type, body, etag, compressible: COMPRESSIBLE.has(ext) && body.length > 512, encoded });
      }
    }
  };
  walk('');
  return out;
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

function encode(asset: Asset, encoding: 'br' | 'gzip'): Promise<Buffer> {
  let p = asset.encoded.get(encoding);
  if (!p) {
    p =
      encoding === 'br'
        ? brotli(asset.body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: asset.body.length } })
        : gzip(asset.body, { level: 6 });
    asset.encoded.set(encoding, p);
  }
  return p;
}

/** The encoding to answer with, by the client's Accept-Encoding (q=0 refuses). */
function pickEncoding(header: string | undefined): 'br' | 'gzip' | undefined {
  if (!header) return undefined;
  const accepted = new Map<string, number>();
  for (const part of header.toLowerCase().split(',').slice(0, 20)) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name) accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return undefined;
}

export interface ConsoleAssetsOptions {
  /** The built console (default: dist/console-ui of this package). */
  dir?: string;
}

/**
 * The built files of `dir`, read on first use (an index.html missing there is
 * a 503 saying `notBuilt`), and how to answer with one: ETag, encodings.
 */
export function staticFiles(dir: string, notBuilt: string) {
  let loaded: Map<string, Asset> | undefined;
  const assets = (): Map<string, Asset> => {
    if (!loaded) {
      if (!fs.existsSync(path.join(dir, 'index.html'))) throw new ApiError('service_unavailable', notBuilt);
      loaded = readAssets(dir);
    }
    return loaded;
  };

  const send = async (c: Context<AppEnv>, asset: Asset, cacheControl: string, extra: Record<string, string> = {}): Promise<Response> => {
    const headers: Record<string, string> = {
      'content-type': asset.type,
      'cache-control': cacheControl,
      etag: asset.etag,
      'x-content-type-options': 'nosniff',
      'cross-origin-resource-policy': 'same-origin',
      ...extra,
    };
    if (asset.compressible) headers.vary = 'accept-encoding';
    const match = c.req.header('if-none-match');
    if (match?.split(',').some((t) => t.trim().replace(/^W\//, '') === asset.etag)) return c.body(null, 304, headers);
    const encoding = asset.compressible ? pickEncoding(c.req.header('accept-encoding')) : undefined;
    const body = encoding ? await encode(asset, encoding) : asset.body;
    if (encoding) headers['content-encoding'] = encoding;
    headers['content-length'] = String(body.length);
    if (c.req.method === 'HEAD') return c.body(null, 200, headers);
    return c.body(new Uint8Array(body), 200, headers);
  };
  return { get: (rel: string): Asset | undefined => assets().get(rel), send };
}

/** The headers of an HTML page served under `csp`: never framed, no referrer, isolated. */
export function pageHeaders(csp: string): Record<string, string> {
  return {
    'content-security-policy': csp,
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
}

/** The routes serving the console; mount at `/` after the API. */
export function consoleRoutes(options: ConsoleAssetsOptions = {}) {
  const { get, send } = staticFiles(options.dir ?? defaultConsoleDir(), 'The web console is not built on this server: run `npm run build` (`npm ci` does it) and restart.');
  const assets = { get };

  const page = async (c: Context<AppEnv>) => {
    const index = assets.get('/index.html')!;
    return send(c, index, 'no-cache', pageHeaders(CONSOLE_CSP));
  };

  const r = new Hono<AppEnv>();
  r.get('/', page);
  r.get('/index.html', page);
  r.get('/assets/:file', async (c, next) => {
    const asset = assets.get(`/assets/${c.req.param('file')}`);
    if (!asset) return next();
    return send(c, asset, 'public, max-age=31536000, immutable');
  });
  r.get('/:file{[A-Za-z0-9_-]+\\.(?:svg|png|ico|webmanifest|txt)}', async (c, next) => {
    const asset = assets.get(`/${c.req.param('file')}`);
    if (!asset) return next();
    return send(c, asset, 'public, max-age=3600');
  });
  return r;
}
