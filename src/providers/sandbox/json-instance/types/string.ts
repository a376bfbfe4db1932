/**
 * string: a value of its `format`, else one the property name suggests
 * (generators/strings.ts), fitted to minLength/maxLength with words from the
 * answer, then — when it does not match its `pattern` — a sample of the
 * pattern (regex-sample.ts) or a common value that matches.
 */
import { safePattern, type SafePattern } from '../../../../util/safe-regex.js';
import { clipWords, slugify } from '../../language.js';
import { TooLarge } from '../../generation-budget.js';
import { sampleFromPattern } from '../../regex-sample.js';
import type { Rng } from '../../seed.js';
import type { Generator } from '../core/generator.js';
import { num, PATTERN_STEPS, UnsatisfiableError, type Schema, type Where } from '../core/context.js';
import { codePoints } from '../core/json-text.js';
import { formatCandidate, SAFE_FORMAT_VALUES } from '../generators/formats.js';
import { hintString } from '../generators/strings.js';

export function genString(g: Generator, s: Schema, w: Where): string {
  const minLength = num(s.minLength) ?? 0;
  const maxLength = num(s.maxLength) ?? Infinity;
  const pattern = typeof s.pattern === 'string' ? s.pattern : undefined;
  const format = typeof s.format === 'string' ? s.format : undefined;
  const rng = g.rngAt(w, '#str');
  const cap = g.budget.limits.stringChars;
  if (minLength > cap) throw new TooLarge([...w.spath, 'minLength'], `minLength is ${minLength}; the sandbox generates strings of at most ${cap} characters`);

  let value = format ? formatValue(g, format, w, rng) : undefined;
  if (value === undefined) value = hintString(g.source, w, rng);
  if (w.jitter && w.jitter > 1 && !format) value = `${value} ${w.jitter}`;
  if (!format) value = fitLength(value, minLength, Math.min(maxLength, cap), g.hints.sentences);

  if (pattern !== undefined) {
    let re: SafePattern | undefined;
    try {
      re = safePattern(pattern);
    } catch {
      throw new UnsatisfiableError('the pattern cannot be run safely', [...w.spath, 'pattern']);
    }
    const lenOk = (x: string) => {
      const n = codePoints(x);
      return n >= minLength && n <= maxLength;
    };
    if (!(re.test(value) && lenOk(value))) {
      g.budget.spend(PATTERN_STEPS + Math.ceil(minLength / 100), w.spath);
      const sampled = sampleFromPattern(pattern, rng, { minLength, maxLength: Math.min(Number.isFinite(maxLength) ? maxLength : 10_000, cap) });
      if (sampled !== undefined) value = sampled;
      else {
        const fixed = ['A', 'ABC', 'abc', 'a1', '123', 'example', 'sample-1', 'AB12', 'en', 'en-US', 'USD', '2025-01-01', 'user@example.com', 'https://example.com', value.toLowerCase(), slugify(value)];
        value = fixed.find((x) => re.test(x) && lenOk(x)) ?? value;
      }
    }
  }
  return value;
}

/**
 * A value of `format`. One taken from the user's text (a URL, an email, a
 * time) is kept only if Ajv accepts it for that format: the sandbox never
 * answers with a value that fails its own validation.
 */
export function formatValue(g: Generator, format: string, w: Where, rng: Rng): string | undefined {
  const value = formatCandidate(g.source, format, w, rng);
  if (value === undefined || g.check(formatSchema(format), value, w)) return value;
  // a URL from the message that the format rejects ('https://例え.jp/パス'): its WHATWG form is often accepted
  const normalized = /^https?:/.test(value) ? normalizeUrl(value) : undefined;
  if (normalized !== undefined && g.check(formatSchema(format), normalized, w)) return normalized;
  return SAFE_FORMAT_VALUES[format] ?? value;
}

/** `{type: 'string', format}`, one object per format, so the generation's validators compile it once. */
const FORMAT_SCHEMAS = new Map<string, Schema>();
function formatSchema(format: string): Schema {
  let schema = FORMAT_SCHEMAS.get(format);
  if (!schema) {
    schema = { type: 'string', format };
    if (FORMAT_SCHEMAS.size < 100) FORMAT_SCHEMAS.set(format, schema);
  }
  return schema;
}

function normalizeUrl(url: string): string | undefined {
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}

/** Pads (with words from the answer) or clips a string into [min, max] characters. */
function fitLength(value: string, min: number, max: number, filler: readonly string[]): string {
  // words, not a run of one letter: the answer is tokenized, and a long run without spaces is its worst case
  const parts = value ? [value] : [];
  let len = codePoints(value);
  for (let i = 0; len < min; i++) {
    const extra = filler[i % Math.max(1, filler.length)] ?? 'More detail follows.';
    len += (parts.length ? 1 : 0) + codePoints(extra);
    parts.push(extra);
  }
  let v = parts.join(' ');
  if (len > max) {
    v = clipWords(v, max);
    if (codePoints(v) > max) v = Array.from(v).slice(0, max).join('');
    if (codePoints(v) < min) v = Array.from(value.padEnd(min, 'x')).slice(0, max).join('');
  }
  return v;
}
