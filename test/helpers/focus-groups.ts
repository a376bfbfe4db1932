/**
 * Focus-group test helpers: a mock-upstream handler that answers any
 * structured-output request with a valid instance of its schema (as a model
 * under strict json_schema would), HTTP calls, and an SSE reader that reads a
 * study's event stream frame by frame until a condition holds (no sleeps).
 */
import type { MockHandler, MockReply, MockUsage } from './mock-chat-upstream.js';
import type { RecordedRequest } from './scripted-server.js';

type Schema = Record<string, unknown>;

/** A valid instance of a strict answer schema: reasoning text, the `pick`-th enum member, integers at `at` (0 = minimum, 1 = maximum). */
export function instanceOf(schema: Schema, options: { pick?: number; at?: number; reasoning?: string } = {}): unknown {
  const t = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
  if (Array.isArray(schema.enum)) return schema.enum[Math.min(options.pick ?? 0, schema.enum.length - 1)];
  if (t.includes('object')) {
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    const names = Object.keys(props);
    if (names.length === 2 && props.best?.enum && props.worst?.enum) {
      const e = props.best.enum as string[];
      return { best: e[0], worst: e[1] };
    }
    return Object.fromEntries(names.map((k) => [k, k === 'reasoning' ? (options.reasoning ?? 'Because it fits my budget.') : instanceOf(props[k]!, options)]));
  }
  if (t.includes('array')) {
    const items = (schema.items ?? {}) as Schema;
    const n = typeof schema.minItems === 'number' ? schema.minItems : 1;
    if (Array.isArray(items.enum)) return (items.enum as unknown[]).slice(0, Math.max(1, n));
    return Array.from({ length: n }, () => instanceOf(items, options));
  }
  if (t.includes('integer') || t.includes('number')) {
    const lo = (schema.minimum as number) ?? 0;
    const hi = (schema.maximum as number) ?? 10;
    return Math.round(lo + (options.at ?? 0.5) * (hi - lo));
  }
  if (t.includes('boolean')) return true;
  if (t.includes('null')) return null;
  return 'Fine by me.';
}

/** The json_schema a Chat Completions request asked for. */
export function requestedSchema(req: RecordedRequest): Schema {
  return (req.body as { response_format: { json_schema: { schema: Schema } } }).response_format.json_schema.schema;
}

/** A handler answering every structured request validly, with fixed usage (so each answer's price is known). */
export function answeringHandler(usage: MockUsage = { prompt_tokens: 1200, completion_tokens: 60, total_tokens: 1260 }, options: Parameters<typeof instanceOf>[1] = {}): MockHandler {
  return (req): MockReply => ({ type: 'completion', content: JSON.stringify(instanceOf(requestedSchema(req), options)), usage });
}

/** Routes by path as a real server does: `/embeddings` gets the OpenAI embeddings reply, anything else `chat`. */
export function withEmbeddings(chat: MockHandler): MockHandler {
  return (req) => (req.path.endsWith('/embeddings') ? { type: 'embeddings' } : chat(req));
}

export function api(baseURL: string, key: string) {
  const headers = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json', ...extra });
  return {
    post: (path: string, body?: unknown, extra: Record<string, string> = {}) =>
      fetch(`${baseURL}${path}`, { method: 'POST', headers: headers(extra), ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }),
    get: (path: string, extra: Record<string, string> = {}) => fetch(`${baseURL}${path}`, { headers: headers(extra) }),
    delete: (path: string) => fetch(`${baseURL}${path}`, { method: 'DELETE', headers: headers() }),
    async json<T = any>(res: Response | Promise<Response>): Promise<{ status: number; body: T; headers: Headers }> {
      const r = await res;
      return { status: r.status, body: (await r.json()) as T, headers: r.headers };
    },
  };
}

export interface SseFrame {
  id: string | null;
  event: string | null;
  data: string;
}

/** Reads an SSE response frame by frame; `until` returns true to stop (the body is cancelled). All frames read are returned. */
export async function readEvents(res: Response, until: (frame: SseFrame) => boolean = () => false): Promise<SseFrame[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const frames: SseFrame[] = [];
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      if (block.startsWith(':')) continue;
      const lines = block.split('\n');
      const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? null;
      const frame = { id: field('id'), event: field('event'), data: lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n') };
      frames.push(frame);
      if (until(frame)) {
        await reader.cancel();
        return frames;
      }
    }
  }
  return frames;
}

/** The guide most tests use: NPS, a follow-up only promoters get, a choice and an open question. */
export const GUIDE = [
  { type: 'nps', text: 'How likely are you to recommend FreshBox to a friend?' },
  { id: 'why_promote', type: 'open_ended', text: 'What do you like most?', when: { question_id: 'q1', gte: 9 } },
  { id: 'plan', type: 'multiple_choice', text: 'Which plan would you pick?', options: ['2 meals', '4 meals', '6 meals'] },
  { type: 'yes_no', text: 'Would you subscribe at $59 per month?' },
];

/** RFC 4180 CSV (quoted cells may hold commas, quotes and line breaks; CRLF rows) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}
