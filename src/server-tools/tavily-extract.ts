/**
 * tavily_extract: the readable content of web pages.
 *
 * With TAVILY_API_KEY: POST {TAVILY_URL}/extract `{urls, extract_depth}` →
 * `{results: [{url, raw_content}], failed_results: [{url, error}]}`.
 * Without one the server fetches each page itself through the guarded fetch
 * (HTML or plain text only, 2 MB cap, 15 s) and extracts the article with
 * Mozilla Readability.
 *
 * Settings: `extract_depth` (basic | advanced, Tavily only), `max_chars`
 * (characters of each page the model reads, 500–50,000, default 6,000).
 */
import { z } from 'zod';
import { obj, requestJson, str } from './http.js';
import { clip, defineTool, slug, ToolError, type ToolContext, type ToolOutcome } from './tool.js';

const settings = z.object({
  extract_depth: z.enum(['basic', 'advanced']).optional(),
  max_chars: z.number().int().min(500).max(50_000).optional(),
});
type Settings = z.infer<typeof settings>;

const MAX_URLS = 5;
const PAGE_BYTES = 2 * 1024 * 1024;
const PAGE_TIMEOUT_MS = 15_000;
const PAGE_TYPES = ['text/html', 'application/xhtml+xml', 'text/plain'] as const;

interface Page {
  url: string;
  title?: string;
  text: string;
}

interface Failure {
  url: string;
  error: string;
}

function format(pages: Page[], failed: Failure[], total: number, maxChars: number, label = ''): ToolOutcome {
  const lines = [`${label}Extracted ${pages.length} of ${total} page${total === 1 ? '' : 's'}${pages[0] ? `; the first is "${pages[0].title ?? pages[0].url}" (${pages[0].url})` : ''}.`];
  pages.forEach((p, i) => {
    lines.push('', `[${i + 1}] ${p.title ?? p.url}`, `URL: ${p.url}`, clip(p.text.trim(), maxChars));
  });
  for (const f of failed) lines.push('', `Could not extract ${f.url}: ${f.error}`);
  return {
    text: lines.join('\n'),
    summary: `${label}extracted ${pages.length} of ${total} page${total === 1 ? '' : 's'}`,
    urls: pages.map((p) => p.url),
  };
}

async function viaTavily(urls: string[], s: Settings, ctx: ToolContext): Promise<{ pages: Page[]; failed: Failure[] }> {
  const body = obj(
    await requestJson(ctx, {
      service: 'Tavily',
      method: 'POST',
      url: `${ctx.config.tavily.baseURL}/extract`,
      apiKey: ctx.config.tavily.apiKey,
      body: { urls, ...(s.extract_depth ? { extract_depth: s.extract_depth } : {}) },
      timeoutMs: s.extract_depth === 'advanced' ? 90_000 : 60_000,
    }),
  ) ?? {};
  const pages: Page[] = [];
  for (const r of Array.isArray(body.results) ? body.results : []) {
    const o = obj(r);
    const url = str(o?.url);
    if (url) pages.push({ url, text: str(o?.raw_content) ?? '' });
  }
  const failed: Failure[] = [];
  for (const r of Array.isArray(body.failed_results) ? body.failed_results : []) {
    const o = obj(r);
    const url = str(o?.url);
    if (url) failed.push({ url, error: str(o?.error) ?? 'failed' });
  }
  return { pages, failed };
}

/** One page through the guarded fetch, as readable text. */
export async function fetchReadable(url: string, ctx: ToolContext): Promise<Page> {
  const res = await ctx.fetchGuarded(url, { signal: ctx.signal, maxBytes: PAGE_BYTES, timeoutMs: PAGE_TIMEOUT_MS, accept: PAGE_TYPES });
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(res.charset ?? 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  const raw = decoder.decode(res.body);
  if (res.contentType === 'text/plain') return { url: res.url, text: raw };
  // The HTML parser loads on first use (~25 MB that a server without this fallback never needs).
  const { readableText } = await import('./readable-text.js');
  const page = readableText(raw, res.url);
  return { url: res.url, title: page.title, text: page.text };
}

async function viaOwnFetch(urls: string[], ctx: ToolContext): Promise<{ pages: Page[]; failed: Failure[] }> {
  const settled = await Promise.allSettled(urls.map((u) => fetchReadable(u, ctx)));
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const pages: Page[] = [];
  const failed: Failure[] = [];
  settled.forEach((r, i) => {
    if (r.status === 'fulfilled') pages.push(r.value);
    else failed.push({ url: urls[i]!, error: r.reason instanceof Error ? r.reason.message : String(r.reason) });
  });
  return { pages, failed };
}

export const tavilyExtract = defineTool<Settings, { urls: string[] }>({
  name: 'tavily_extract',
  // Without a Tavily key the server fetches the pages itself.
  missing: () => null,
  settings,
  definition: () => ({
    name: 'tavily_extract',
    description: 'Extract the readable text content of web pages from their URLs. Returns each page title and text.',
    parameters: {
      type: 'object',
      properties: {
        urls: {
          type: 'array',
          items: { type: 'string', format: 'uri', description: 'An http(s) URL.' },
          minItems: 1,
          maxItems: MAX_URLS,
          description: `The pages to extract (1–${MAX_URLS} http(s) URLs).`,
        },
      },
      required: ['urls'],
      additionalProperties: false,
    },
    strict: false,
  }),
  args(raw) {
    const urls = [...new Set((raw.urls as string[]).map((u) => u.trim()))];
    for (const u of urls) {
      if (!/^https?:\/\//i.test(u)) throw new ToolError(`urls must be http(s) URLs; got "${clip(u, 100)}".`);
    }
    return { urls };
  },
  async run({ urls }, s, ctx) {
    const { pages, failed } = ctx.config.tavily.apiKey ? await viaTavily(urls, s, ctx) : await viaOwnFetch(urls, ctx);
    if (pages.length === 0) throw new ToolError(failed.length ? failed.map((f) => `${f.url}: ${f.error}`).join('; ') : 'nothing was extracted.');
    return format(pages, failed, urls.length, s.max_chars ?? 6000);
  },
  simulate({ urls }, s) {
    const pages = urls.map((url) => {
      let host = 'example.com';
      try {
        host = new URL(url).host;
      } catch {
        // keep the placeholder host
      }
      return {
        url,
        title: `[simulated] Page at ${host}`,
        text: `[simulated] Placeholder content for ${url} (${slug(url)}). Test keys never fetch pages; use a live key for the real text.`,
      };
    });
    return format(pages, [], urls.length, s.max_chars ?? 6000, '[simulated] ');
  },
});
