/**
 * object: the declared properties (all, or the required ones plus those the
 * message speaks to), dependentRequired, made-up keys up to minProperties
 * (from propertyNames or patternProperties patterns), maxProperties, and an
 * `answer` for an open root. An optional property that cannot be generated is
 * left out.
 */
import { isObj, type SchemaPath } from '../../../../util/schema-index.js';
import { safePattern } from '../../../../util/safe-regex.js';
import { slugify } from '../../language.js';
import { GenerationError, TooLarge } from '../../generation-budget.js';
import { sampleFromPattern } from '../../regex-sample.js';
import type { Generator } from '../core/generator.js';
import { MAX_EXTRA_KEYS, num, PATTERN_STEPS, UnsatisfiableError, type Schema, type Where } from '../core/context.js';
import { escapePointer } from '../core/json-text.js';
import { COUNT_KEYS, keyWords, PLACE_KEYS, URL_KEYS } from '../generators/keys.js';
import { mentionsOf } from './enum.js';

export function genObject(g: Generator, s: Schema, w: Where): Record<string, unknown> {
  const props = isObj(s.properties) ? s.properties : {};
  const required = new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : []);
  const additional = s.additionalProperties;
  const out: Record<string, unknown> = {};
  const minimal = g.minimal(w);
  // properties of the n-th array item keep its index, so the items differ (names, labels, …)
  const child = (key: string, spath: SchemaPath): Where => ({ key, parent: w.key, index: w.index, pointer: `${w.pointer}/${escapePointer(key)}`, spath, depth: w.depth + 1, refs: w.refs, jitter: w.jitter });
  const propPath = (key: string): SchemaPath => [...w.spath, 'properties', key];

  const include = new Set<string>();
  for (const key of Object.keys(props)) {
    if (required.has(key)) include.add(key);
    else if (!minimal && g.opts.optional === 'all') include.add(key);
    else if (!minimal && g.opts.optional === 'hinted' && hasMessageHint(g, key, props[key], w)) include.add(key);
  }
  for (const key of required) include.add(key);
  // dependentRequired: including a key pulls in its dependants
  if (isObj(s.dependentRequired)) {
    for (const [key, deps] of Object.entries(s.dependentRequired)) {
      if (include.has(key) && Array.isArray(deps)) for (const d of deps) if (typeof d === 'string') include.add(d);
    }
  }

  const schemaFor = (key: string): { schema: unknown; spath: SchemaPath } => {
    if (Object.hasOwn(props, key)) return { schema: props[key], spath: propPath(key) };
    if (isObj(s.patternProperties)) {
      for (const [pat, sub] of Object.entries(s.patternProperties)) {
        let matches = false;
        try {
          matches = safePattern(pat).test(key);
        } catch {
          /* refused at the door */
        }
        if (matches) return { schema: sub, spath: [...w.spath, 'patternProperties', pat] };
      }
    }
    return { schema: additional === undefined || additional === true || additional === false ? {} : additional, spath: [...w.spath, 'additionalProperties'] };
  };
  /** An optional property that cannot be generated (or would be too large) is left out. */
  const put = (key: string, optional: boolean): void => {
    const { schema, spath } = schemaFor(key);
    if (!optional) {
      out[key] = g.gen(schema, child(key, spath));
      return;
    }
    const mark = g.budget.mark();
    try {
      out[key] = g.gen(schema, child(key, spath));
    } catch (err) {
      if (!(err instanceof GenerationError)) throw err;
      g.budget.reset(mark);
    }
  };

  for (const key of Object.keys(props)) if (include.has(key)) put(key, !required.has(key));
  for (const key of include) if (!(key in out)) put(key, !required.has(key));

  const minProps = num(s.minProperties) ?? 0;
  if (minProps > Object.keys(props).length + MAX_EXTRA_KEYS) {
    throw new TooLarge([...w.spath, 'minProperties'], `minProperties is ${minProps}; the sandbox generates at most ${MAX_EXTRA_KEYS} properties beyond those declared`);
  }
  if (Object.keys(out).length < minProps) {
    for (const key of Object.keys(props)) {
      if (Object.keys(out).length >= minProps) break;
      if (!(key in out)) put(key, false);
    }
    const patterns = isObj(s.patternProperties) ? Object.keys(s.patternProperties) : [];
    const namePattern = isObj(s.propertyNames) && typeof s.propertyNames.pattern === 'string' ? s.propertyNames.pattern : undefined;
    const keyRng = g.rngAt(w, '#keys');
    for (let n = 1; Object.keys(out).length < minProps && n <= MAX_EXTRA_KEYS; n++) {
      let key: string | undefined;
      const plain = `${slugify(g.hints.keywords[n - 1] ?? 'field', 20).replace(/-/g, '_')}_${n}`;
      g.budget.spend(PATTERN_STEPS, w.spath);
      if (namePattern) key = sampleFromPattern(namePattern, keyRng);
      else if (additional === false && patterns.length) key = sampleFromPattern(patterns[(n - 1) % patterns.length] as string, keyRng);
      else key = plain;
      if (key === undefined || key in out) continue;
      if (isObj(s.propertyNames) && !g.check(s.propertyNames, key, w)) continue;
      put(key, false);
    }
  }

  const maxProps = num(s.maxProperties);
  if (maxProps !== undefined) {
    for (const key of Object.keys(out).reverse()) {
      if (Object.keys(out).length <= maxProps) break;
      if (!required.has(key)) delete out[key];
    }
  }

  if (w.depth === 0 && g.opts.answerForOpenRoot && Object.keys(props).length === 0 && Object.keys(out).length === 0 && additional !== false && !isObj(s.patternProperties)) {
    const answerSchema = isObj(additional) ? additional : { type: 'string' };
    out.answer = g.gen(answerSchema, child('answer', [...w.spath, 'additionalProperties']));
  }
  return out;
}

/** For optional function arguments: whether the message says something about this property. */
export function hasMessageHint(g: Generator, key: string, schema: unknown, w: Where): boolean {
  let s: Schema;
  try {
    s = g.resolver.flattenAllOf(g.resolver.resolvedObject(schema, w.spath), w.spath);
  } catch (err) {
    if (err instanceof UnsatisfiableError) return false;
    throw err;
  }
  if (Array.isArray(s.enum)) return mentionsOf(g, s.enum, w).size > 0;
  const words = keyWords(key);
  if (words.some((x) => PLACE_KEYS.has(x))) return g.hints.places.length > 0;
  if (words.some((x) => COUNT_KEYS.has(x))) return g.hints.numbers.length > 0;
  if (words.some((x) => ['price', 'cost', 'amount', 'budget'].includes(x))) return g.hints.amounts.length > 0;
  if (words.includes('email')) return g.hints.email !== undefined;
  if (words.some((x) => URL_KEYS.has(x))) return g.hints.url !== undefined;
  return false;
}
