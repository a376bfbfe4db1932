/**
 * The live backends' configuration: `cohort.config.json` or
 * `cohort.config.yaml` (path from `cohort serve --config FILE` or
 * COHORT_CONFIG; else ./cohort.config.json, .yaml or .yml when present),
 * validated with zod. Errors name the file and the field path
 * (`cohort.config.yaml: backends.primary.model: …`).
 *
 *   backends:
 *     primary:  { type: openai-responses, baseURL: https://api.openai.com/v1, apiKeyEnv: OPENAI_API_KEY, model: gpt-4o-mini }
 *     fallback: { type: anthropic, apiKeyEnv: ANTHROPIC_API_KEY, model: claude-3-5-haiku-latest }
 *   routes:
 *     default: [primary, fallback]
 *     personas:   { hospital-cfo: [fallback] }
 *     workspaces: { acme: [primary] }
 *
 * Without a file, the single-backend short forms: COHORT_UPSTREAM_URL +
 * COHORT_UPSTREAM_MODEL (+ COHORT_UPSTREAM_API_KEY, COHORT_UPSTREAM_API=chat
 * |responses) for an OpenAI-compatible server, or COHORT_MODEL_PATH for a
 * local GGUF model. Without either, src/backends.ts picks one at start-up
 * (zero-config). Everything here is synchronous: it runs in readConfig.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BUILTIN_PERSONA_DIR } from './personas/library.js';

/** The built-in persona ids: the library's file names. */
function builtinPersonaIds(): string[] {
  return fs
    .readdirSync(BUILTIN_PERSONA_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length));
}

export const BACKEND_TYPES = ['openai-chat', 'openai-responses', 'anthropic', 'llama-cpp'] as const;
export type BackendType = (typeof BACKEND_TYPES)[number];

const name = z.string().regex(/^[A-Za-z0-9][\w.-]*$/, 'must be letters, digits, _, . or -');
const ms = z.number().int().min(0).max(3_600_000);

const timeouts = z.strictObject({
  /** Until the upstream's response headers (HTTP backends). */
  connectMs: ms.optional(),
  /** Until the first event of an attempt. */
  firstByteMs: ms.optional(),
  /** Between two events. */
  idleMs: ms.optional(),
  /** HTTP backends, non-streaming requests (streaming: auto): until the whole answer, instead of firstByteMs. */
  wholeAnswerMs: ms.optional(),
});

const retries = z.strictObject({
  max: z.number().int().min(0).max(10),
  baseMs: ms,
  maxDelayMs: ms.optional(),
});

const common = {
  timeouts: timeouts.optional(),
  retries: retries.optional(),
  /** false: the backend does not enforce json_schema itself; the router validates and repairs (router.ts). */
  jsonSchema: z.boolean().optional(),
};

const httpUrl = z
  .string()
  .refine((v) => {
    try {
      return /^https?:$/.test(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL such as http://127.0.0.1:11434/v1')
  .transform((v) => v.replace(/\/+$/, ''));

const key = {
  apiKey: z.string().min(1).optional(),
  /** Name of the environment variable holding the key (e.g. OPENAI_API_KEY). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
    .optional(),
};

/** How an HTTP backend asks for answers (src/providers/http-backend/index.ts, UpstreamStreaming). */
const streaming = { streaming: z.enum(['auto', 'always']).optional() };

/**
 * The backend's embedding model (focus groups' SSR elicitation): `api: openai`
 * (default) posts to {baseURL}/embeddings, `api: ollama` to Ollama's
 * {root}/api/embed; `baseURL` defaults to the backend's.
 */
const embeddingsSchema = z.strictObject({
  model: z.string().min(1),
  api: z.enum(['openai', 'ollama']).optional(),
  baseURL: httpUrl.optional(),
  dimensions: z.number().int().min(1).max(8192).optional(),
});
export type EmbeddingsConfig = z.infer<typeof embeddingsSchema>;

const openaiLike = {
  baseURL: httpUrl.optional(),
  embeddings: embeddingsSchema.optional(),
  ...key,
  model: z.string().min(1),
  /** Extra request headers (OpenAI-Organization, HTTP-Referer for OpenRouter, …). */
  headers: z.record(z.string(), z.string()).optional(),
  ...streaming,
  ...common,
};

const backendSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('openai-chat'), ...openaiLike }),
  z.strictObject({ type: z.literal('openai-responses'), ...openaiLike }),
  z.strictObject({
    type: z.literal('anthropic'),
    baseURL: httpUrl.optional(),
    ...key,
    model: z.string().min(1),
    maxTokens: z.number().int().positive().optional(),
    anthropicVersion: z.string().min(1).optional(),
    ...streaming,
    ...common,
  }),
  z.strictObject({
    type: z.literal('llama-cpp'),
    modelPath: z.string().min(1),
    /** Display name; default the file name. */
    model: z.string().min(1).optional(),
    contextSize: z.number().int().min(128).optional(),
    maxQueue: z.number().int().min(0).optional(),
    parallel: z.number().int().min(1).max(64).optional(),
    gpu: z.union([z.boolean(), z.enum(['cuda', 'vulkan', 'metal'])]).optional(),
    threads: z.number().int().min(1).optional(),
    /** true: embeddings from the same model (its embedding context). */
    embeddings: z.boolean().optional(),
    ...common,
  }),
]);

const route = z.array(name).min(1, 'must name at least one backend');

const fileSchema = z.strictObject({
  backends: z.record(name, backendSchema).refine((b) => Object.keys(b).length > 0, 'must define at least one backend'),
  routes: z
    .strictObject({
      default: route.optional(),
      personas: z.record(z.string().min(1), route).optional(),
      workspaces: z.record(z.string().min(1), route).optional(),
    })
    .optional(),
});

type FileBackend = z.infer<typeof backendSchema>;

/** A backend after loading: `apiKeyEnv` resolved into `apiKey`. */
export type BackendConfig = FileBackend extends infer B ? (B extends unknown ? Omit<B, 'apiKeyEnv'> : never) : never;

export interface RoutesSettings {
  default: string[];
  personas?: Record<string, string[]>;
  workspaces?: Record<string, string[]>;
}

export interface BackendsConfig {
  backends: Record<string, BackendConfig>;
  routes: RoutesSettings;
  /** Why these backends: "cohort.config.yaml", "COHORT_UPSTREAM_URL is set", … (completes "because …"). */
  reason: string;
  /** What start-up should say: backends skipped for a missing key or model file, routes changed by it. */
  warnings?: string[];
  /** The config file, as errors name it. */
  file?: string;
}

export class ConfigFileError extends Error {}

export const CONFIG_FILE_NAMES = ['cohort.config.json', 'cohort.config.yaml', 'cohort.config.yml'];

/** The config file to read: --config, else COHORT_CONFIG, else the first of CONFIG_FILE_NAMES in `cwd`. */
export function findConfigFile(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const explicit = flag || env.COHORT_CONFIG;
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    if (!fs.existsSync(file)) throw new ConfigFileError(`${flag ? '--config' : 'COHORT_CONFIG'}: no such file: ${explicit}`);
    return file;
  }
  for (const n of CONFIG_FILE_NAMES) {
    const file = path.join(cwd, n);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

/** Reads and validates a config file (JSON by `.json`, else YAML). */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv): BackendsConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigFileError(`${file}: cannot be read (${err instanceof Error ? err.message : String(err)})`);
  }
  return parseConfigText(text, file, env, { modelFileExists: (p) => fs.existsSync(p) });
}

export interface ParseOptions {
  /**
   * Whether a llama-cpp backend's model file is there; a backend whose file is
   * absent is skipped like one whose key is not set. loadConfigFile asks the
   * file system; by default every file is taken to exist (parsing alone).
   */
  modelFileExists?: (modelPath: string) => boolean;
}

/** Parses config text; `file` names it in errors and picks the syntax (`.json` → JSON, else YAML). */
export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv, options: ParseOptions = {}): BackendsConfig {
  const rel = path.relative(process.cwd(), file);
  const label = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigFileError(`${label}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    // A misspelt field explains a missing one better than "is required" does.
    const issue = parsed.error.issues.find((i) => i.code === 'unrecognized_keys') ?? parsed.error.issues[0]!;
    throw new ConfigFileError(`${label}: ${fieldPath(issue.path)}: ${issueMessage(issue, raw)}`);
  }
  const backends: Record<string, BackendConfig> = {};
  /** Backends whose apiKeyEnv is not set: skipped (see below), by name → the variable. */
  const missing = new Map<string, string>();
  /** Local backends whose model file is absent: skipped the same way, by name → the path as shown. */
  const noModel = new Map<string, string>();
  const shownPath = (p: string) => {
    const r = path.relative(process.cwd(), p);
    return r !== '' && !r.startsWith('..') && !path.isAbsolute(r) ? r : p;
  };
  for (const [n, b] of Object.entries(parsed.data.backends)) {
    const { apiKeyEnv, ...rest } = b as FileBackend & { apiKeyEnv?: string };
    const resolved: BackendConfig = { ...rest };
    if (apiKeyEnv !== undefined && resolved.type !== 'llama-cpp') {
      if (resolved.apiKey !== undefined) throw new ConfigFileError(`${label}: backends.${n}: set apiKey or apiKeyEnv, not both`);
      const value = env[apiKeyEnv];
      if (!value) {
        missing.set(n, apiKeyEnv);
        continue;
      }
      (resolved as { apiKey?: string }).apiKey = value;
    }
    // A relative model path is relative to the config file.
    if (resolved.type === 'llama-cpp') resolved.modelPath = path.resolve(path.dirname(file), resolved.modelPath);
    if (resolved.timeouts?.wholeAnswerMs !== undefined) {
      if (resolved.type === 'llama-cpp') throw new ConfigFileError(`${label}: backends.${n}.timeouts.wholeAnswerMs: only HTTP backends fetch whole answers`);
      if (resolved.streaming === 'always') throw new ConfigFileError(`${label}: backends.${n}.timeouts.wholeAnswerMs: has no effect with streaming: always`);
    }
    if (resolved.type === 'anthropic' && !resolved.apiKey) {
      throw new ConfigFileError(`${label}: backends.${n}: an anthropic backend needs apiKey or apiKeyEnv`);
    }
    if (resolved.type === 'llama-cpp' && options.modelFileExists && !options.modelFileExists(resolved.modelPath)) {
      noModel.set(n, shownPath(resolved.modelPath));
      continue;
    }
    backends[n] = resolved;
  }
  const r = parsed.data.routes ?? {};
  const declared = Object.keys(parsed.data.backends);
  const check = (list: string[], where: string): void => {
    list.forEach((n, i) => {
      if (!declared.includes(n)) throw new ConfigFileError(`${label}: ${where}[${i}]: '${n}' is not one of the backends (${declared.join(', ')})`);
    });
  };
  if (r.default) check(r.default, 'routes.default');
  for (const [k, list] of Object.entries(r.personas ?? {})) check(list, `routes.personas.${k}`);
  for (const [k, list] of Object.entries(r.workspaces ?? {})) check(list, `routes.workspaces.${k}`);

  // A backend whose key variable is not set, or whose local model file is not there, is
  // skipped with a warning rather than failing the start: a file listing several providers
  // (examples/cohort.config.yaml) starts with the ones that can serve. Only when none is
  // left is it an error — naming everything missing at once. (COHORT_MODEL_PATH, set on
  // purpose, still fails at start when its file is missing: backends.ts checkLocalModelFiles.)
  const skipped = (n: string) => missing.has(n) || noModel.has(n);
  const whatIsMissing = [
    ...[...missing].map(([n, v]) => `backends.${n}.apiKeyEnv: the environment variable ${v} is not set`),
    ...[...noModel].map(([n, p]) => `backends.${n}.modelPath: ${p} does not exist`),
  ];
  if (Object.keys(backends).length === 0) {
    throw new ConfigFileError(`${label}: ${whatIsMissing.join('; ')}${whatIsMissing.length > 1 ? ' (set at least one of them)' : ''}`);
  }
  const warnings: string[] = [];
  const skips = [...[...missing].map(([n, v]) => `${n} (${v} is not set)`), ...[...noModel].map(([n, p]) => `${n} (its model file ${p} does not exist)`)];
  if (skips.length > 0) warnings.push(`${label}: skipped ${skips.join(', ')}`);
  const keep = (list: string[]) => list.filter((n) => !skipped(n));
  const first = Object.keys(backends)[0]!;
  let defaultRoute = r.default ? keep(r.default) : [first];
  if (defaultRoute.length === 0) {
    defaultRoute = [first];
    warnings.push(`${label}: routes.default names only skipped backends; using ${first}, the first usable backend`);
  }
  const routes: RoutesSettings = { default: defaultRoute };
  const usable = (all: Record<string, string[]> | undefined, where: string): Record<string, string[]> | undefined => {
    if (!all) return undefined;
    const out: Record<string, string[]> = {};
    for (const [k, list] of Object.entries(all)) {
      const left = keep(list);
      if (left.length > 0) out[k] = left;
      else warnings.push(`${label}: ${where}.${k} names only skipped backends; it takes the default route`);
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const personas = usable(r.personas, 'routes.personas');
  const workspaces = usable(r.workspaces, 'routes.workspaces');
  if (personas) routes.personas = personas;
  if (workspaces) routes.workspaces = workspaces;
  return {
    backends,
    routes,
    reason: `${path.basename(file)} configures it${skipReason(missing.size, noModel.size)}`,
    ...(warnings.length > 0 ? { warnings } : {}),
    file: label,
  };
}

/** " (5 backends skipped: no key)", " (6 backends skipped: 5 no key, 1 no model file)", or ''. */
function skipReason(noKey: number, noModel: number): string {
  const total = noKey + noModel;
  if (total === 0) return '';
  const why = noModel === 0 ? 'no key' : noKey === 0 ? 'no model file' : `${noKey} no key, ${noModel} no model file`;
  return ` (${total} backend${total > 1 ? 's' : ''} skipped: ${why})`;
}

/** The custom persona ids (cp_…) routes.personas names: checked against the database at start (bootstrap.ts). */
export function customRoutePersonas(config: BackendsConfig): string[] {
  return Object.keys(config.routes.personas ?? {}).filter((id) => id.startsWith(`${CUSTOM_PERSONA_PREFIX}_`));
}

/** The error for routes naming personas that do not exist, with the closest built-in id when there is one. */
export function unknownPersonasError(label: string, ids: string[]): ConfigFileError {
  const builtins = builtinPersonaIds();
  const what = ids.map((id) => {
    const near = closest(id, builtins);
    return `routes.personas.${id}: no persona '${id}'${near ? ` (did you mean ${near}?)` : ''}`;
  });
  return new ConfigFileError(`${label}: ${what.join('; ')} — see cohort personas list`);
}

/** Custom persona ids: 'cp_…' (src/personas/custom-persona.ts CUSTOM_ID_PREFIX). */
const CUSTOM_PERSONA_PREFIX = 'cp';

/** The id within edit distance 3 of `id`, if one is clearly closest. */
function closest(id: string, ids: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of ids) {
    const d = editDistance(id, candidate, bestDistance);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once every path is at least `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    if (Math.min(...row) >= limit) return limit;
    prev = row;
  }
  return Math.min(prev[b.length]!, limit);
}

function fieldPath(p: readonly PropertyKey[]): string {
  if (p.length === 0) return '(top level)';
  return p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc === '' ? String(k) : `${acc}.${String(k)}`), '');
}

/** The value at a zod issue's path in what was parsed (zod's issues do not carry it). */
function valueAt(raw: unknown, p: readonly PropertyKey[]): { present: boolean; value?: unknown } {
  let v: unknown = raw;
  for (const k of p) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k as string)) return { present: false };
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return { present: v !== undefined, value: v };
}

function shown(v: unknown): string {
  const text = typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function issueMessage(issue: z.core.$ZodIssue, raw: unknown): string {
  if (issue.code === 'invalid_union' && 'discriminator' in issue) return `type must be one of ${BACKEND_TYPES.join(', ')}`;
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  const at = valueAt(raw, issue.path);
  if (issue.code === 'invalid_type' && !at.present) return 'is required';
  const field = String(issue.path.at(-1) ?? '');
  // Timeouts and delays: say what is wanted, with the value that was given ("30s" is not a number).
  if (/Ms$/.test(field) && ['invalid_type', 'too_big', 'too_small', 'not_multiple_of'].includes(issue.code)) {
    return `must be a whole number of milliseconds from 0 to 3600000 (30000 is 30 s), got ${shown(at.value)}`;
  }
  if (issue.code === 'invalid_type')
    return `must be ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'an object (a map of fields)' : `a ${issue.expected}`}, got ${shown(at.value)}`;
  return issue.message;
}

/**
 * The short forms, without a config file: COHORT_UPSTREAM_URL (+ MODEL,
 * API_KEY, API, STREAMING) or COHORT_MODEL_PATH. Undefined when neither is set.
 * Throws ConfigFileError naming the variable.
 */
export function backendsFromEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): BackendsConfig | undefined {
  const url = env.COHORT_UPSTREAM_URL;
  const modelPath = env.COHORT_MODEL_PATH;
  if (url && modelPath) throw new ConfigFileError('Set COHORT_UPSTREAM_URL or COHORT_MODEL_PATH, not both — or write a cohort.config.yaml with both backends and a route.');
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigFileError(`COHORT_UPSTREAM_URL must be a URL such as http://127.0.0.1:11434/v1, got '${url}'`);
    }
    if (!/^https?:$/.test(parsed.protocol)) throw new ConfigFileError('COHORT_UPSTREAM_URL must be an http(s) URL');
    const api = env.COHORT_UPSTREAM_API || 'chat';
    if (api !== 'chat' && api !== 'responses') throw new ConfigFileError(`COHORT_UPSTREAM_API must be chat or responses, got '${api}'`);
    const model = env.COHORT_UPSTREAM_MODEL;
    if (!model) throw new ConfigFileError('COHORT_UPSTREAM_MODEL must name the upstream model (e.g. gpt-4o-mini, llama3.2) when COHORT_UPSTREAM_URL is set');
    const streaming = env.COHORT_UPSTREAM_STREAMING || undefined;
    if (streaming !== undefined && streaming !== 'auto' && streaming !== 'always') throw new ConfigFileError(`COHORT_UPSTREAM_STREAMING must be auto or always, got '${streaming}'`);
    const type: BackendType = api === 'responses' ? 'openai-responses' : 'openai-chat';
    const embeddingApi = env.COHORT_UPSTREAM_EMBEDDING_API || undefined;
    if (embeddingApi !== undefined && embeddingApi !== 'openai' && embeddingApi !== 'ollama')
      throw new ConfigFileError(`COHORT_UPSTREAM_EMBEDDING_API must be openai or ollama, got '${embeddingApi}'`);
    if (embeddingApi !== undefined && !env.COHORT_UPSTREAM_EMBEDDING_MODEL)
      throw new ConfigFileError('COHORT_UPSTREAM_EMBEDDING_API needs COHORT_UPSTREAM_EMBEDDING_MODEL (e.g. text-embedding-3-small, nomic-embed-text)');
    const backend: BackendConfig = {
      type,
      baseURL: url.replace(/\/+$/, ''),
      model,
      ...(env.COHORT_UPSTREAM_EMBEDDING_MODEL ? { embeddings: { model: env.COHORT_UPSTREAM_EMBEDDING_MODEL, ...(embeddingApi ? { api: embeddingApi } : {}) } } : {}),
      ...(env.COHORT_UPSTREAM_API_KEY ? { apiKey: env.COHORT_UPSTREAM_API_KEY } : {}),
      ...(streaming ? { streaming } : {}),
    };
    return { backends: { [type]: backend }, routes: { default: [type] }, reason: 'COHORT_UPSTREAM_URL is set' };
  }
  if (modelPath) {
    return { backends: { 'llama-cpp': { type: 'llama-cpp', modelPath: path.resolve(cwd, modelPath) } }, routes: { default: ['llama-cpp'] }, reason: 'COHORT_MODEL_PATH is set' };
  }
  return undefined;
}

/**
 * The live backends from flags and environment: the config file when there is
 * one (it wins over the short forms), else the short forms, else undefined
 * (zero-config decides at start-up).
 */
export function readBackendsConfig(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): BackendsConfig | undefined {
  const file = findConfigFile(flag, env, cwd);
  if (file) {
    const config = loadConfigFile(file, env);
    // Built-in persona ids are known now; custom ones (cp_…) are checked against the database at start (bootstrap.ts).
    const builtins = builtinPersonaIds();
    const unknown = Object.keys(config.routes.personas ?? {}).filter((id) => !id.startsWith(`${CUSTOM_PERSONA_PREFIX}_`) && !builtins.includes(id));
    if (unknown.length > 0) throw unknownPersonasError(config.file ?? file, unknown);
    const ignored = ['COHORT_UPSTREAM_URL', 'COHORT_MODEL_PATH'].filter((v) => env[v]);
    if (ignored.length > 0) config.reason += ` (${ignored.join(' and ')} ignored)`;
    return config;
  }
  return backendsFromEnv(env, cwd);
}

// ---------------------------------------------------------------------------
// Zero-config inputs (src/backends.ts decides at start-up)

export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';
export const DEFAULT_ANTHROPIC_MODEL = 'claude-3-5-haiku-latest';
export const DEFAULT_OLLAMA_URL = 'http://127.0.0.1:11434';

/** What zero-config looks at, read from the environment by readConfig. */
export const DEFAULT_OPENAI_EMBEDDING_MODEL = 'text-embedding-3-small';

export interface AutodetectSettings {
  openaiApiKey?: string;
  openaiBaseURL?: string;
  openaiModel: string;
  /** The embedding model of the zero-config OpenAI backend (COHORT_OPENAI_EMBEDDING_MODEL, default text-embedding-3-small). */
  openaiEmbeddingModel?: string;
  anthropicApiKey?: string;
  anthropicBaseURL?: string;
  anthropicModel: string;
  /** Base URL of a local Ollama (OLLAMA_HOST). */
  ollamaURL: string;
}

export function autodetectSettingsFrom(env: NodeJS.ProcessEnv): AutodetectSettings {
  return {
    ...(env.OPENAI_API_KEY ? { openaiApiKey: env.OPENAI_API_KEY } : {}),
    ...(env.OPENAI_BASE_URL ? { openaiBaseURL: env.OPENAI_BASE_URL.replace(/\/+$/, '') } : {}),
    openaiModel: env.COHORT_OPENAI_MODEL || DEFAULT_OPENAI_MODEL,
    openaiEmbeddingModel: env.COHORT_OPENAI_EMBEDDING_MODEL || DEFAULT_OPENAI_EMBEDDING_MODEL,
    ...(env.ANTHROPIC_API_KEY ? { anthropicApiKey: env.ANTHROPIC_API_KEY } : {}),
    ...(env.ANTHROPIC_BASE_URL ? { anthropicBaseURL: env.ANTHROPIC_BASE_URL.replace(/\/+$/, '') } : {}),
    anthropicModel: env.COHORT_ANTHROPIC_MODEL || DEFAULT_ANTHROPIC_MODEL,
    ollamaURL: ollamaURLFrom(env.OLLAMA_HOST),
  };
}

/** OLLAMA_HOST as Ollama reads it ("host", "host:port", "http://host:port"; 0.0.0.0 means this machine). */
export function ollamaURLFrom(host: string | undefined): string {
  if (!host) return DEFAULT_OLLAMA_URL;
  let text = host.trim().replace(/\/+$/, '');
  if (!/^https?:\/\//i.test(text)) text = `http://${text}`;
  try {
    const u = new URL(text);
    if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = '127.0.0.1';
    if (!u.port && u.protocol === 'http:' && !/:\d+$/.test(host.trim())) u.port = '11434';
    return `${u.protocol}//${u.host}`;
  } catch {
    return DEFAULT_OLLAMA_URL;
  }
}
