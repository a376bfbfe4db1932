/**
 * Resolution: $ref chains followed within the schema (siblings of $ref merged
 * on top, 2020-12 style) and allOf flattened into one schema, each step
 * charged to the generation's budget. mergeSchemas is the best-effort merge
 * both need: enough to generate from, not a full intersection.
 */
import { isObj, type SchemaIndex, type SchemaPath } from '../../../../util/schema-index.js';
import type { GenerationBudget } from '../../generation-budget.js';
import { UnsatisfiableError, type Schema } from './context.js';

export class Resolver {
  constructor(
    private readonly index: SchemaIndex,
    private readonly budget: GenerationBudget,
  ) {}

  private lookup(ref: string, from: Schema, spath: SchemaPath): { node: unknown; path: SchemaPath } {
    const found = this.index.resolve(ref, from);
    if (!found) throw new UnsatisfiableError(`$ref '${ref}' does not resolve within the schema`, [...spath, '$ref']);
    return found;
  }

  /**
   * Follows $ref chains (siblings of $ref are merged on top, 2020-12 style).
   * Returns the schema, how many refs were followed and where the last one led.
   */
  resolve(schema: unknown, spath: SchemaPath): { s: Schema | boolean; refs: number; spath: SchemaPath } {
    let refs = 0;
    let current: unknown = schema;
    let at = spath;
    while (isObj(current) && typeof current.$ref === 'string') {
      if (++refs > 32) throw new UnsatisfiableError('$ref chain too long', at);
      this.budget.spend(1, at);
      const { $ref, ...siblings } = current;
      const target = this.lookup($ref as string, current, at);
      at = target.path;
      const meaningful = Object.keys(siblings).filter((k) => !['$comment', 'description', 'title', '$id', '$schema', '$defs', 'definitions', 'examples'].includes(k));
      if (meaningful.length === 0 || !isObj(target.node)) current = target.node;
      else {
        const resolved = this.resolve(target.node, at);
        refs += resolved.refs;
        if (resolved.s === false) return { s: false, refs, spath: resolved.spath };
        current = mergeSchemas(resolved.s === true ? {} : resolved.s, siblings);
        at = resolved.spath;
        break;
      }
    }
    if (typeof current === 'boolean') return { s: current, refs, spath: at };
    return { s: isObj(current) ? current : {}, refs, spath: at };
  }

  resolvedObject(schema: unknown, spath: SchemaPath): Schema {
    const { s } = this.resolve(schema, spath);
    if (s === false) throw new UnsatisfiableError('a subschema is `false`', spath);
    return s === true ? {} : s;
  }

  /** Flattens allOf (recursively) into one schema. */
  flattenAllOf(s: Schema, spath: SchemaPath): Schema {
    if (!Array.isArray(s.allOf)) return s;
    const { allOf, ...base } = s;
    let merged: Schema = base;
    (allOf as unknown[]).forEach((part, i) => {
      const at = [...spath, 'allOf', i];
      merged = mergeSchemas(merged, this.flattenAllOf(this.resolvedObject(part, at), at));
    });
    return merged;
  }
}

const LOWER_KEYS = ['minimum', 'minLength', 'minItems', 'minProperties', 'minContains'];
const UPPER_KEYS = ['maximum', 'maxLength', 'maxItems', 'maxProperties', 'maxContains'];

/** Merges two schemas as `allOf` would require (best effort: enough to generate from). */
export function mergeSchemas(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a };
  for (const [k, bv] of Object.entries(b)) {
    const av = out[k];
    if (av === undefined) {
      out[k] = bv;
      continue;
    }
    if (k === 'properties' && isObj(av) && isObj(bv)) {
      const props: Schema = { ...av };
      for (const [pk, pv] of Object.entries(bv)) {
        const existing = props[pk];
        props[pk] = isObj(existing) && isObj(pv) ? { allOf: [existing, pv] } : pv;
      }
      out[k] = props;
    } else if (k === 'required' && Array.isArray(av) && Array.isArray(bv)) out[k] = [...new Set([...av, ...bv])];
    else if (k === 'type') {
      const at = Array.isArray(av) ? av : [av];
      const bt = Array.isArray(bv) ? bv : [bv];
      let both = at.filter((t) => bt.includes(t) || (t === 'integer' && bt.includes('number')));
      for (const t of bt) if (t === 'integer' && at.includes('number') && !both.includes('integer')) both.push('integer');
      if (both.includes('integer') && both.includes('number')) both = both.filter((t) => t !== 'number');
      out[k] = both.length === 1 ? both[0] : both.length ? both : bv;
    } else if (k === 'enum' && Array.isArray(av) && Array.isArray(bv)) {
      const inter = av.filter((x) => bv.some((y) => JSON.stringify(x) === JSON.stringify(y)));
      out[k] = inter.length ? inter : bv;
    } else if (LOWER_KEYS.includes(k) && typeof av === 'number' && typeof bv === 'number') out[k] = Math.max(av, bv);
    else if (UPPER_KEYS.includes(k) && typeof av === 'number' && typeof bv === 'number') out[k] = Math.min(av, bv);
    else if (k === 'exclusiveMinimum' && typeof av === 'number' && typeof bv === 'number') out[k] = Math.max(av, bv);
    else if (k === 'exclusiveMaximum' && typeof av === 'number' && typeof bv === 'number') out[k] = Math.min(av, bv);
    else if (k === 'additionalProperties') out[k] = av === false || bv === false ? false : isObj(av) && isObj(bv) ? { allOf: [av, bv] } : bv;
    else if ((k === 'items' || k === 'contains' || k === 'not') && isObj(av) && isObj(bv)) out[k] = { allOf: [av, bv] };
    else if ((k === 'anyOf' || k === 'oneOf') && Array.isArray(av) && Array.isArray(bv)) {
      const allOf = Array.isArray(out.allOf) ? [...(out.allOf as unknown[])] : [];
      allOf.push({ [k]: bv });
      out.allOf = allOf;
    } else if (k === 'allOf' && Array.isArray(av) && Array.isArray(bv)) out[k] = [...av, ...bv];
    else if (k === '$defs' || k === 'definitions') out[k] = { ...(isObj(av) ? av : {}), ...(isObj(bv) ? bv : {}) };
    else out[k] = bv;
  }
  return out;
}
