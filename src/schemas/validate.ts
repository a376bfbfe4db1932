/**
 * Request validation: zod schemas at the door, turned into the brief's errors.
 * A required field that is absent → 400 `invalid_request`; a field that is
 * present but fails its type or constraint → 422 `validation_error`. Both name
 * the offending `param` in OpenAI's path notation (`input[0].content`).
 *
 * A key a strict object does not know (`z.strictObject`) → 400
 * `invalid_request` "Unknown parameter: 'persona'." (OpenAI's wording), checked
 * before anything else: a misspelt name also makes its intended field look
 * missing, and the typo is what the caller must fix.
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

/** A literal as the client writes it in JSON or YAML: strings quoted, numbers and booleans bare. */
function literal(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

/** The value that was sent, short: a literal, or its kind. */
function shown(value: unknown): string {
  if (typeof value === 'string') return value.length <= 80 ? `'${value}'` : `'${value.slice(0, 77)}…'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return describe(value) === 'object' ? 'an object' : `${/^[aeiou]/.test(describe(value)) ? 'an' : 'a'} ${describe(value)}`;
}

function mustBe(accepted: string[]): string {
  if (accepted.length === 1) return `it must be ${accepted[0]}`;
  if (accepted.length === 2) return `it must be ${accepted[0]} or ${accepted[1]}`;
  return `it must be one of ${accepted.join(', ')}`;
}

/**
 * What each branch of a union accepts, when every branch is one literal or
 * one type (`5 | 7`, `'auto' | number`): their values and kinds, in order.
 */
function acceptedByBranches(branches: readonly (readonly Issue[])[]): { list: string[]; values: unknown[] } | undefined {
  if (branches.length === 0) return undefined;
  const list: string[] = [];
  const values: unknown[] = [];
  for (const branch of branches) {
    const [only] = branch;
    if (branch.length !== 1 || !only || only.path.length > 0) return undefined;
    if (only.code === 'invalid_value') {
      list.push(...only.values.map(literal));
      values.push(...only.values);
    } else if (only.code === 'invalid_type') list.push(only.expected === 'int' ? 'an integer' : `${/^[aeiou]/.test(only.expected) ? 'an' : 'a'} ${only.expected}`);
    else return undefined;
  }
  return { list: [...new Set(list)], values };
}

/** ` Did you mean 'multiple_choice'?` when a string is close to one accepted string (case, - or space for _, a typo). */
function didYouMean(value: unknown, accepted: readonly unknown[]): string {
  if (typeof value !== 'string') return '';
  const strings = accepted.filter((v): v is string => typeof v === 'string');
  const norm = (t: string) => t.toLowerCase().replace(/[\s-]+/g, '_');
  const hint = strings.find((k) => norm(k) === norm(value)) ?? suggestKey(norm(value), strings);
  return hint !== undefined && hint !== value ? ` Did you mean '${hint}'?` : '';
}

function messageFor(issue: Issue, param: string, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return `Invalid type for '${param}': expected ${issue.expected === 'int' ? 'an integer' : issue.expected}, but got ${describe(value)}${typeof value === 'number' ? ` (${value})` : ''}.`;
    case 'invalid_value':
      return `Invalid value for '${param}': ${shown(value)} is not supported; ${mustBe(issue.values.map(literal))}.${didYouMean(value, issue.values)}`;
    case 'too_big':
      return issue.origin === 'number'
        ? `Invalid value for '${param}': must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}, got ${String(value)}.`
        : `Invalid value for '${param}': ${issue.message.replace(/^Too big: /, '')}.`;
    case 'too_small':
      return issue.origin === 'number'
        ? `Invalid value for '${param}': must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}, got ${String(value)}.`
        : `Invalid value for '${param}': ${issue.message.replace(/^Too small: /, '')}.`;
    case 'invalid_union': {
      // A discriminated union names its tags; a union of literals or types says them per branch.
      const accepted = 'options' in issue && Array.isArray(issue.options) && issue.options.length > 0 ? { list: issue.options.map(literal), values: issue.options } : acceptedByBranches(issue.errors);
      if (accepted) return `Invalid value for '${param}': ${shown(value)} is not supported; ${mustBe(accepted.list)}.${didYouMean(value, accepted.values)}`;
      return typeof value === 'string'
        ? `Invalid value for '${param}': '${value}' is not supported.`
        : `Invalid value for '${param}': ${describe(value)} is not an accepted shape here.`;
    }
    default:
      return `Invalid value for '${param}': ${issue.message}.`;
  }
}

export interface ParseOptions {
  /** The message for an unknown top-level key (default OpenAI's Responses wording, `Unknown parameter: 'x'.`). */
  unknownTopLevel?: (key: string) => string;
}

/** The first unknown key, outside union branches (a union's other branches do not know the keys of the one meant). */
function unknownKey(issues: readonly Issue[]): { path: Path; key: string } | undefined {
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) return { path: issue.path, key: issue.keys[0]! };
  }
  return undefined;
}

/** A known key the unknown one was probably meant as: it starts with it, or is at most two edits away. */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const u = unknown.toLowerCase();
  if (u.length < 3) return undefined;
  return known.find((k) => k.startsWith(u)) ?? known.find((k) => Math.abs(k.length - u.length) <= 2 && editDistance(u, k, 2) <= 2);
}

/** Levenshtein distance, stopping early above `max` (keys are short: at most 64 characters here). */
function editDistance(a: string, b: string, max: number): number {
  if (a.length > 64 || b.length > 64) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

function topLevelKeys(schema: z.ZodType): string[] {
  const shape = (schema as { shape?: unknown }).shape;
  return shape !== null && typeof shape === 'object' ? Object.keys(shape) : [];
}

/** Parses `body` with `schema`, or throws the ApiError a client should see. */
export function parseRequest<S extends z.ZodType>(schema: S, body: unknown, options: ParseOptions = {}): z.infer<S> {
  const cleaned = dropNulls(body);
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const unknown = unknownKey(result.error.issues);
  if (unknown) {
    const param = formatParam([...unknown.path, unknown.key])!;
    const topLevel = unknown.path.length === 0;
    const hint = topLevel ? suggestKey(unknown.key, topLevelKeys(schema)) : undefined;
    const message = topLevel && options.unknownTopLevel ? options.unknownTopLevel(unknown.key) : `Unknown parameter: '${param}'.`;
    throw new ApiError('invalid_request', hint ? `${message}${/[.?!]$/.test(message) ? '' : '.'} Did you mean '${hint}'?` : message, { param });
  }
  const found = bestIssue(result.error.issues);
  if (!found) throw new ApiError('invalid_request', 'The request body is invalid.');
  const param = formatParam(found.path) ?? 'body';
  const value = valueAt(cleaned, found.path);
  if (value === undefined) {
    throw new ApiError('invalid_request', `Missing required parameter: '${param}'.`, { param });
  }
  throw new ApiError('validation_error', messageFor(found.issue, param, value), { param });
}
