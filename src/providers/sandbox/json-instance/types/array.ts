/**
 * array: prefix items and the rest, a length the property name suggests (a
 * profile list's size) within minItems/maxItems and what the budget can
 * afford, uniqueItems by canonical form, and contains/minContains.
 */
import { isObj } from '../../../../util/schema-index.js';
import { GenerationError, TooLarge } from '../../generation-budget.js';
import type { Generator } from '../core/generator.js';
import { num, type Schema, type Where } from '../core/context.js';
import { canonical } from '../core/json-text.js';
import { singular } from '../generators/keys.js';
import { listPool } from '../generators/lists.js';

export function genArray(g: Generator, s: Schema, w: Where): unknown[] {
  const prefix: unknown[] = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : [];
  const rest: unknown = Array.isArray(s.items) ? s.additionalItems : s.items;
  const min = num(s.minItems) ?? 0;
  let max = num(s.maxItems) ?? Infinity;
  if (rest === false) max = Math.min(max, prefix.length);
  const itemKey = singular(w.key);
  let count: number;
  if (g.minimal(w)) count = min;
  else {
    const pool = listPool(g.hints, w.key);
    const preferred = pool ? Math.min(pool.length, 3) : g.rngAt(w, '#len').int(2, 3);
    count = Math.max(min, Math.min(max, Math.max(preferred, prefix.length > 0 && rest === false ? prefix.length : 0)));
  }
  count = Math.min(count, max);
  count = affordableCount(g, w, count, min, prefix, rest);
  const unique = s.uniqueItems === true;
  const out: unknown[] = [];
  const seen = new Set<string>();
  const restPath = [...w.spath, Array.isArray(s.items) ? 'additionalItems' : 'items'];
  for (let i = 0; out.length < count && i < count + 12; i++) {
    const idx = out.length;
    const itemSchema = idx < prefix.length ? prefix[idx] : rest === undefined || rest === true ? {} : rest;
    const spath = idx < prefix.length ? [...w.spath, Array.isArray(s.prefixItems) ? 'prefixItems' : 'items', idx] : restPath;
    let value: unknown;
    let accepted = false;
    for (let attempt = 0; attempt < 8 && !accepted; attempt++) {
      const where: Where = {
        key: itemKey,
        parent: w.key,
        index: idx + attempt * count,
        pointer: `${w.pointer}/${idx}${attempt ? `~${attempt}` : ''}`,
        spath,
        depth: w.depth + 1,
        refs: w.refs,
        jitter: attempt,
      };
      const mark = g.budget.mark();
      value = g.gen(itemSchema, where);
      const sig = canonical(value);
      if (!unique || !seen.has(sig)) {
        seen.add(sig);
        accepted = true;
      } else g.budget.reset(mark);
    }
    if (accepted) out.push(value);
    else if (out.length >= min) break;
  }

  if (s.contains !== undefined && s.contains !== true) {
    const minContains = num(s.minContains) ?? 1;
    const containsPath = [...w.spath, 'contains'];
    if (minContains > g.budget.limits.arrayItems) throw new TooLarge([...w.spath, 'minContains'], `minContains is ${minContains}; the sandbox generates at most ${g.budget.limits.arrayItems} items`);
    let have = out.filter((v) => g.check(s.contains, v, w)).length;
    let k = 0;
    while (have < minContains && k < minContains + 3) {
      const v = g.gen(s.contains, { key: itemKey, parent: w.key, index: out.length, pointer: `${w.pointer}/contains${k}`, spath: containsPath, depth: w.depth + 1, refs: w.refs });
      if (out.length < max) out.push(v);
      else {
        const replaceAt = out.findIndex((x) => !g.check(s.contains, x, w));
        if (replaceAt < 0) break;
        out[replaceAt] = v;
      }
      have++;
      k++;
    }
  }
  return out;
}

/**
 * `count` items, or `min` when `count` would not fit in what is left of the
 * budget; throws TooLarge (at minItems) when even `min` would not.
 */
function affordableCount(g: Generator, w: Where, count: number, min: number, prefix: unknown[], rest: unknown): number {
  const limits = g.budget.limits;
  if (min > limits.arrayItems) throw new TooLarge([...w.spath, 'minItems'], `minItems is ${min}; the sandbox generates at most ${limits.arrayItems} items`);
  const itemChars = rest === undefined || typeof rest === 'boolean' ? 1 : Math.max(1, g.shared.sizes.of(rest, [...w.spath, 'items']));
  const itemNodes = minimalNodes(g, rest);
  const fits = (n: number) => Math.max(0, n - prefix.length) * itemNodes <= g.budget.nodesLeft && Math.max(0, n - prefix.length) * itemChars <= limits.chars - g.budget.chars;
  if (fits(count)) return count;
  if (fits(min)) return min;
  throw new TooLarge([...w.spath, 'minItems'], `minItems is ${min} and each item takes at least ${itemNodes} values and ${itemChars} characters: more than the sandbox generates (${limits.nodes} values, ${limits.chars} characters)`);
}

/** A lower bound of the values in an instance of `schema`: itself, and one per required property when it is an object. */
function minimalNodes(g: Generator, schema: unknown): number {
  let s: Schema | boolean;
  try {
    s = g.resolver.resolve(schema, []).s;
  } catch (err) {
    if (err instanceof GenerationError) return 1;
    throw err;
  }
  if (!isObj(s) || 'const' in s || Array.isArray(s.enum)) return 1;
  const typed = s.type === 'object' || (s.type === undefined && isObj(s.properties));
  return typed && Array.isArray(s.required) ? 1 + new Set(s.required).size : 1;
}
