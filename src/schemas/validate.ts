/**
 * Request validation: zod schemas at the door, turned into the brief's errors.
 * A required field that is absent → 400 `invalid_request`; a field that is
 * present but fails its type or constraint → 422 `validation_error`. Both name
 * the offending `param` in OpenAI's path notation (`input[0].content`).
 */
import type { z } from 'zod';
import { ApiError } from '../errors/api-error.js';

/** Keys under which nulls are data (JSON Schemas), not "absent". */
const KEEP_NULLS_UNDER = new Set(['parameters', 'schema']);

/** Removes null-valued object properties, as real clients send `null` for "unset". */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) continue;
    out[k] = KEEP_NULLS_UNDER.has(k) ? v : dropNulls(v);
  }
  return out;
}

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

export function formatParam(path: Path): string | null {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || null;
}

function valueAt(root: unknown, path: Path): unknown {
  let cur = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

/**
 * Picks the most telling issue. Unions report one issue list per branch: the
 * branch that got deepest into the value is the one the client meant.
 */
function bestIssue(issues: readonly Issue[], base: Path = []): { issue: Issue; path: Path } | undefined {
  let best: { issue: Issue; path: Path } | undefined;
  for (const issue of issues) {
    let candidate: { issue: Issue; path: Path } = { issue, path: [...base, ...issue.path] };
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      let deepest: { issue: Issue; path: Path } | undefined;
      for (const branch of issue.errors) {
        const b = bestIssue(branch, candidate.path);
        if (b && (!deepest || b.path.length > deepest.path.length)) deepest = b;
      }
      if (deepest && deepest.path.length > candidate.path.length) candidate = deepest;
    }
    if (!best || candidate.path.length > best.path.length) best = candidate;
  }
  return best;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function messageFor(issue: Issue, param: string, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return `Invalid type for '${param}': expected ${issue.expected === 'int' ? 'an integer' : issue.expected}, but got ${describe(value)}${typeof value === 'number' ? ` (${value})` : ''}.`;
    case 'invalid_value':
      return `Invalid value for '${param}': must be one of [${issue.values.map((v) => `'${String(v)}'`).join(', ')}].`;
    case 'too_big':
      return issue.origin === 'number'
        ? `Invalid value for '${param}': must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}, got ${String(value)}.`
        : `Invalid value for '${param}': ${issue.message.replace(/^Too big: /, '')}.`;
    case 'too_small':
      return issue.origin === 'number'
        ? `Invalid value for '${param}': must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}, got ${String(value)}.`
        : `Invalid value for '${param}': ${issue.message.replace(/^Too small: /, '')}.`;
    case 'invalid_union':
      return typeof value === 'string'
        ? `Invalid value for '${param}': '${value}' is not supported.`
        : `Invalid value for '${param}': ${describe(value)} is not an accepted shape here.`;
    default:
      return `Invalid value for '${param}': ${issue.message}.`;
  }
}

/** Parses `body` with `schema`, or throws the ApiError a client should see. */
export function parseRequest<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const cleaned = dropNulls(body);
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const found = bestIssue(result.error.issues);
  if (!found) throw new ApiError('invalid_request', 'The request body is invalid.');
  const param = formatParam(found.path) ?? 'body';
  const value = valueAt(cleaned, found.path);
  if (value === undefined) {
    throw new ApiError('invalid_request', `Missing required parameter: '${param}'.`, { param });
  }
  throw new ApiError('validation_error', messageFor(found.issue, param, value), { param });
}
