/**
 * Hostile inputs of the transport, size and stream kind (issue 16: 1, 5, 6, 7,
 * 13), each one that ended in a 500, a blocked event loop, a hang or a memory
 * blow-up before its fix. test/hostile/transport.test.ts sends every case over
 * real HTTP and checks it ends in a 2xx or 4xx within a bound while /health
 * keeps answering. Bodies are built on demand (some are megabytes).
 */

export type CaseKey = 'test' | 'live' | 'admin';

export interface HostileCase {
  name: string;
  /** Default POST. */
  method?: string;
  path: string;
  key: CaseKey;
  /** Default application/json; null sends none. */
  contentType?: string | null;
  body: () => string | Uint8Array;
  /** Live key only: the client leaves once the upstream has the request (usage is then estimated). */
  abortAfterUpstream?: boolean;
  /** The status the fix gives (any 2xx/4xx passes the corpus; this pins the case). */
  expect: number;
}

const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const json = (value: unknown) => () => JSON.stringify(value);
const responses = (extra: Record<string, unknown>) => json({ model: 'mavera-1', input: 'hi', ...extra });
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** Every endpoint that reads a JSON body, with the key it needs and a field to hang things on. */
const BODY_ENDPOINTS: Array<{ path: string; key: CaseKey; base: string }> = [
  { path: '/v1/responses', key: 'test', base: '{"model":"mavera-1","input":"hi","x":' },
  { path: '/v1/chat/completions', key: 'test', base: '{"model":"mavera-1","messages":[{"role":"user","content":"hi"}],"x":' },
  { path: '/v1/personas', key: 'test', base: '{"pipeline_type":"advanced","name":"n","description":"d","details":' },
  { path: '/v1/personas/import', key: 'test', base: '{"name":"n","description":"d","details":' },
  { path: '/v1/personas/gen-z-digital-native/clone', key: 'test', base: '{"name":' },
  { path: '/v1/admin/workspaces', key: 'admin', base: '{"name":' },
  { path: '/v1/admin/workspaces/acme/keys', key: 'admin', base: '{"mode":"test","name":' },
  { path: '/v1/admin/workspaces/acme/credits', key: 'admin', base: '{"amount":1,"reason":' },
];

export const TRANSPORT_CORPUS: HostileCase[] = [
  // 16.1 — the tokenizer was quadratic in a run without spaces.
  { name: '200 KB of one letter', path: '/v1/responses', key: 'test', body: responses({ input: 'a'.repeat(200_000) }), expect: 200 },
  { name: '1 MB of one letter (accepted: 125,000 tokens)', path: '/v1/responses', key: 'test', body: responses({ input: 'a'.repeat(1_000_000) }), expect: 200 },
  // Counted for the input-token cap (1,000,000 and 333,334 tokens): refused, linearly.
  { name: '2 MB of combining marks', path: '/v1/responses', key: 'test', body: responses({ input: '\u0301'.repeat(1_000_000) }), expect: 422 },
  { name: '1 MB of digits, no spaces', path: '/v1/responses', key: 'test', body: responses({ input: '7'.repeat(1_000_000) }), expect: 422 },
  { name: '200 KB of combining marks (accepted)', path: '/v1/responses', key: 'test', body: responses({ input: '\u0301'.repeat(200_000) }), expect: 200 },
  { name: 'instructions of 500 KB of punctuation', path: '/v1/responses', key: 'test', body: responses({ instructions: '!?'.repeat(250_000) }), expect: 200 },
  { name: 'a special-token string in the input (the tokenizer threw: 500)', path: '/v1/responses', key: 'test', body: responses({ input: 'say <|endoftext|><|im_start|> now' }), expect: 200 },
  { name: 'lone surrogates', path: '/v1/responses', key: 'test', body: () => '{"model":"mavera-1","input":"\\ud800\\udbff x \\udc00"}', expect: 200 },
  { name: 'live key leaves mid-request with 200 KB of one letter (usage estimated)', path: '/v1/responses', key: 'live', body: responses({ input: 'a'.repeat(200_000) }), abortAfterUpstream: true, expect: 0 },
  // Sandbox language rules: TRAILS split every space two ways (exponential: 50 characters of " tbh" took 3 s, 100 never ended).
  { name: '200 KB of " tbh"', path: '/v1/responses', key: 'test', body: responses({ input: `What about it${' tbh'.repeat(50_000)} x` }), expect: 200 },
  { name: '200 KB of ", for you"', path: '/v1/responses', key: 'test', body: responses({ input: `Is it good${', for you'.repeat(25_000)}?` }), expect: 200 },
  { name: 'a 200 KB word quoted back', path: '/v1/responses', key: 'test', body: responses({ input: `What about ${'x'.repeat(200_000)}?` }), expect: 200 },
  { name: 'chat completions, 200 KB of one letter', path: '/v1/chat/completions', key: 'test', body: json({ model: 'mavera-1', messages: [{ role: 'user', content: 'b'.repeat(200_000) }] }), expect: 200 },

  // 16.5 — 10,000 levels of nesting overflowed the stack in null stripping (500).
  ...BODY_ENDPOINTS.map((e): HostileCase => ({ name: `10,000 levels of nesting: ${e.path}`, path: e.path, key: e.key, body: () => `${e.base}${deep(10_000)}}`, expect: 400 })),
  { name: 'nesting inside a tool schema', path: '/v1/responses', key: 'test', body: () => `{"model":"mavera-1","input":"hi","tools":[{"type":"function","name":"f","parameters":{"type":"object","properties":{"a":${deep(5_000)}}}}]}`, expect: 400 },
  { name: 'nesting of nulls', path: '/v1/responses', key: 'test', body: () => `{"model":"mavera-1","input":"hi","metadata":${'{"a":'.repeat(3_000)}null${'}'.repeat(3_000)}}`, expect: 400 },

  // 16.6 — bodies were buffered whole before the limit.
  { name: '30 MiB body (over the 25 MiB limit)', path: '/v1/responses', key: 'test', body: () => `{"model":"mavera-1","input":"${'a'.repeat(30 * 1024 * 1024)}"}`, expect: 413 },
  { name: '30 MiB persona import', path: '/v1/personas/import', key: 'test', body: () => `{"name":"n","description":"${'d'.repeat(30 * 1024 * 1024)}"}`, expect: 413 },

  // 16.7 — accepted large inputs cost a minute each; custom personas had no maximum.
  { name: '24 MB text input', path: '/v1/responses', key: 'test', body: responses({ input: 'word '.repeat(4_800_000) }), expect: 422 },
  { name: '2 MB text input', path: '/v1/responses', key: 'test', body: responses({ input: 'ab'.repeat(1_000_000) }), expect: 422 },
  { name: '5,000 input items', path: '/v1/responses', key: 'test', body: responses({ input: Array.from({ length: 5000 }, () => ({ role: 'user', content: 'hi' })) }), expect: 422 },
  { name: '100,000 content parts', path: '/v1/responses', key: 'test', body: responses({ input: [{ role: 'user', content: Array.from({ length: 100_000 }, () => ({ type: 'input_text', text: 'a' })) }] }), expect: 422 },
  { name: '5,000 tools', path: '/v1/responses', key: 'test', body: responses({ tools: Array.from({ length: 5000 }, (_, i) => ({ type: 'function', name: `f${i}`, parameters: { type: 'object', properties: { [`p${i}`]: { type: 'string' } } } })) }), expect: 422 },
  { name: '100 images', path: '/v1/responses', key: 'test', body: responses({ input: [{ role: 'user', content: Array.from({ length: 100 }, () => ({ type: 'input_image', image_url: PNG })) }] }), expect: 422 },
  { name: 'metadata: 17 pairs', path: '/v1/responses', key: 'test', body: responses({ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }), expect: 422 },
  { name: 'metadata: a 65-character key', path: '/v1/responses', key: 'test', body: responses({ metadata: { ['k'.repeat(65)]: 'v' } }), expect: 422 },
  { name: 'metadata: a 513-character value', path: '/v1/responses', key: 'test', body: responses({ metadata: { k: 'v'.repeat(513) } }), expect: 422 },
  { name: '17 MB custom persona', path: '/v1/personas', key: 'test', body: json({ pipeline_type: 'north_star', name: 'n', description: 'd', primary_use_case: 'u'.repeat(17_000_000) }), expect: 422 },
  {
    name: 'a persona profile field of 1 MB',
    path: '/v1/personas',
    key: 'test',
    body: json({ pipeline_type: 'north_star', name: 'Night owl', description: 'A student who studies at night.', details: { goals: ['g'.repeat(1_000_000)] } }),
    expect: 422,
  },

  // 16.13 — the documented 415 was never sent; expires_at in the past was accepted.
  ...BODY_ENDPOINTS.map((e): HostileCase => ({ name: `text/plain: ${e.path}`, path: e.path, key: e.key, contentType: 'text/plain', body: () => `${e.base}"x"}`, expect: 415 })),
  { name: 'form-encoded body', path: '/v1/responses', key: 'test', contentType: 'application/x-www-form-urlencoded', body: () => 'model=mavera-1&input=hi', expect: 415 },
  { name: 'a key that expired yesterday', path: '/v1/admin/workspaces/acme/keys', key: 'admin', body: () => JSON.stringify({ mode: 'test', expires_at: Math.floor(Date.now() / 1000) - 86_400 }), expect: 422 },
];
