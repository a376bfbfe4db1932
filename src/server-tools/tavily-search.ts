/**
 * tavily_search (aliases web_search, web_search_preview): web search through
 * Tavily. POST {TAVILY_URL}/search with `Authorization: Bearer <key>` and
 * `{query, max_results, search_depth, include_answer}` → `{answer?, results:
 * [{title, url, content, score}]}`.
 *
 * Settings: `max_results` (1–20, default 5), `search_depth` (basic |
 * advanced; OpenAI's `search_context_size: "high"` means advanced),
 * `include_answer` (default true).
 */
import { z } from 'zod';
import { obj, requestJson, str } from './http.js';
import { clip, defineTool, slug, type ToolOutcome } from './tool.js';

const settings = z.object({
  max_results: z.number().int().min(1).max(20).optional(),
  search_depth: z.enum(['basic', 'advanced']).optional(),
  include_answer: z.boolean().optional(),
  search_context_size: z.enum(['low', 'medium', 'high']).optional(),
});
type Settings = z.infer<typeof settings>;

interface Resolved {
  maxResults: number;
  depth: 'basic' | 'advanced';
  includeAnswer: boolean;
}

function resolve(s: Settings): Resolved {
  return {
    maxResults: s.max_results ?? 5,
    depth: s.search_depth ?? (s.search_context_size === 'high' ? 'advanced' : 'basic'),
    includeAnswer: s.include_answer ?? true,
  };
}

export interface SearchResult {
  title: string;
  url: string;
  content: string;
  score?: number;
}

/** Per-result snippet length and total length of what the model reads. */
const SNIPPET_CHARS = 700;
const TEXT_CHARS = 8000;

/** The model's view: a summary sentence first (with the top result), the answer, then each result. */
export function formatSearch(query: string, results: SearchResult[], answer: string | undefined, label = ''): string {
  const top = results[0];
  const lines = [
    top
      ? `${label}Web search for "${query}" found ${results.length} result${results.length === 1 ? '' : 's'}; the top one is "${top.title}" (${top.url}).`
      : `${label}Web search for "${query}" found no results.`,
  ];
  if (answer) lines.push(`Answer: ${answer}`);
  results.forEach((r, i) => {
    lines.push('', `[${i + 1}] ${r.title}`, `URL: ${r.url}`, clip(r.content.replace(/\s+/g, ' ').trim(), SNIPPET_CHARS));
  });
  return clip(lines.join('\n'), TEXT_CHARS);
}

function outcome(query: string, results: SearchResult[], answer: string | undefined, label = ''): ToolOutcome {
  return {
    text: formatSearch(query, results, answer, label),
    summary: `${label}${results.length} result${results.length === 1 ? '' : 's'} for "${clip(query, 80)}"`,
    urls: results.map((r) => r.url),
  };
}

export const tavilySearch = defineTool<Settings, { query: string }>({
  name: 'tavily_search',
  missing: (config) => (config.tavily.apiKey ? null : 'TAVILY_API_KEY'),
  settings,
  definition(s) {
    const r = resolve(s);
    return {
      name: 'tavily_search',
      description: `Search the web for current information. Returns up to ${r.maxResults} results with titles, URLs and snippets${r.includeAnswer ? ', and a short answer' : ''}.`,
      parameters: {
        type: 'object',
        properties: { query: { type: 'string', minLength: 1, maxLength: 400, description: 'What to search the web for.' } },
        required: ['query'],
        additionalProperties: false,
      },
      strict: false,
    };
  },
  args: (raw) => ({ query: String(raw.query).trim() }),
  async run({ query }, s, ctx) {
    const r = resolve(s);
    const body = await requestJson(ctx, {
      service: 'Tavily',
      method: 'POST',
      url: `${ctx.config.tavily.baseURL}/search`,
      apiKey: ctx.config.tavily.apiKey,
      body: { query, max_results: r.maxResults, search_depth: r.depth, include_answer: r.includeAnswer },
      timeoutMs: r.depth === 'advanced' ? 60_000 : 30_000,
    });
    const b = obj(body) ?? {};
    const results: SearchResult[] = [];
    for (const item of Array.isArray(b.results) ? b.results : []) {
      const o = obj(item);
      const url = str(o?.url);
      if (!o || !url) continue;
      const result: SearchResult = { title: str(o.title) ?? url, url, content: str(o.content) ?? '' };
      if (typeof o.score === 'number') result.score = o.score;
      results.push(result);
    }
    return outcome(query, results.slice(0, r.maxResults), str(b.answer) || undefined);
  },
  simulate({ query }, s) {
    const r = resolve(s);
    const base = `https://example.com/search/${slug(query)}`;
    const n = Math.min(r.maxResults, 3);
    const results = Array.from({ length: n }, (_, i) => ({
      title: `[simulated] ${['Overview', 'Latest coverage', 'Background'][i]} of ${clip(query, 80)}`,
      url: `${base}/${i + 1}`,
      content: `[simulated] A placeholder result about ${clip(query, 120)}. Test keys never search the web; use a live key for real results.`,
      score: Math.round((0.9 - i * 0.1) * 100) / 100,
    }));
    const answer = r.includeAnswer ? `[simulated] No real search ran for "${clip(query, 120)}"; these are placeholder results from the sandbox.` : undefined;
    return outcome(query, results, answer, '[simulated] ');
  },
});
