/**
 * An index of one JSON Schema document: its subschemas with their paths and
 * base URIs, its resources (`$id`) and anchors, and `$ref` resolution within
 * the document. Nothing outside the document is ever resolved: a schema sees
 * only itself (a `$ref` to another request's `$id`, or to a URL, does not
 * resolve). Built without recursion, so a deep schema cannot overflow the stack.
 */

export type Json = Record<string, unknown>;
export type SchemaPath = (string | number)[];

/** Keywords whose value is one subschema. */
export const SINGLE_KEYWORDS = ['additionalProperties', 'additionalItems', 'items', 'contains', 'propertyNames', 'not', 'if', 'then', 'else', 'unevaluatedItems', 'unevaluatedProperties'] as const;
/** Keywords whose value maps names to subschemas. */
export const MAP_KEYWORDS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'dependencies'] as const;
/** Keywords whose value is an array of subschemas. */
export const ARRAY_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items'] as const;

/** The base URI of a schema without `$id`: `$ref`s relative to it find nothing outside the document. */
const DEFAULT_BASE = 'https://cohort.invalid/schema.json';

export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface Located {
  node: unknown;
  path: SchemaPath;
}

export interface IndexedNode {
  node: Json | boolean;
  path: SchemaPath;
  base: string;
  /** Inside `not` or `if`: constraints there describe what is excluded or tested, not what is required. */
  negated: boolean;
}

/** Each subschema position of `node` (keyword and key/index), in document order. */
export function childSchemas(node: Json): { value: unknown; path: SchemaPath }[] {
  const out: { value: unknown; path: SchemaPath }[] = [];
  for (const k of SINGLE_KEYWORDS) if (k in node && !Array.isArray(node[k])) out.push({ value: node[k], path: [k] });
  for (const k of MAP_KEYWORDS) {
    const m = node[k];
    if (isObj(m)) for (const [name, v] of Object.entries(m)) if (isObj(v) || typeof v === 'boolean') out.push({ value: v, path: [k, name] });
  }
  for (const k of ARRAY_KEYWORDS) {
    const a = node[k];
    if (Array.isArray(a)) a.forEach((v, i) => out.push({ value: v, path: [k, i] }));
  }
  return out;
}

function stripFragment(uri: string): string {
  const at = uri.indexOf('#');
  return at < 0 ? uri : uri.slice(0, at);
}

function resolveUri(ref: string, base: string): string | undefined {
  try {
    return new URL(ref, base).href;
  } catch {
    return undefined;
  }
}

export class SchemaIndex {
  /** Every subschema, parents before children. */
  readonly nodes: IndexedNode[] = [];
  private readonly resources = new Map<string, Located>();
  private readonly anchors = new Map<string, Located>();
  private readonly baseOf = new Map<object, string>();
  private readonly pathOf = new Map<object, SchemaPath>();
  /** Resolutions already made, by base and reference (a URL parse each is the slow part). */
  private readonly resolved = new Map<string, Located | undefined>();

  constructor(readonly root: unknown) {
    const rootBase = isObj(root) && typeof root.$id === 'string' && !root.$id.startsWith('#') ? (resolveUri(root.$id, DEFAULT_BASE) ?? DEFAULT_BASE) : DEFAULT_BASE;
    this.resources.set(stripFragment(DEFAULT_BASE), { node: root, path: [] });
    const stack: IndexedNode[] = [];
    if (isObj(root) || typeof root === 'boolean') stack.push({ node: root, path: [], base: stripFragment(rootBase), negated: false });
    while (stack.length) {
      const item = stack.pop() as IndexedNode;
      let { base } = item;
      const node = item.node;
      if (isObj(node)) {
        if (typeof node.$id === 'string') {
          if (node.$id.startsWith('#')) this.anchors.set(`${base}${node.$id}`, { node, path: item.path });
          else {
            const id = resolveUri(node.$id, base);
            if (id !== undefined) {
              base = stripFragment(id);
              this.resources.set(base, { node, path: item.path });
            }
          }
        }
        for (const key of ['$anchor', '$dynamicAnchor']) {
          const a = node[key];
          if (typeof a === 'string') this.anchors.set(`${base}#${a}`, { node, path: item.path });
        }
        this.baseOf.set(node, base);
        this.pathOf.set(node, item.path);
      }
      this.nodes.push({ ...item, base });
      if (!isObj(node)) continue;
      const negated = item.negated;
      const children = childSchemas(node);
      for (let i = children.length - 1; i >= 0; i--) {
        const c = children[i] as { value: unknown; path: SchemaPath };
        if (!isObj(c.value) && typeof c.value !== 'boolean') continue;
        stack.push({ node: c.value, path: [...item.path, ...c.path], base, negated: negated || c.path[0] === 'not' || c.path[0] === 'if' });
      }
    }
  }

  /** The document path of a subschema object of this document. */
  pathFor(node: object): SchemaPath | undefined {
    return this.pathOf.get(node);
  }

  /** What `ref`, written in subschema `from`, points at within this document; undefined when nothing. */
  resolve(ref: string, from: object): Located | undefined {
    const base = this.baseOf.get(from) ?? stripFragment(DEFAULT_BASE);
    const key = `${base}\u0000${ref}`;
    if (this.resolved.has(key)) return this.resolved.get(key);
    const found = this.lookup(ref, base);
    if (this.resolved.size < 10_000) this.resolved.set(key, found);
    return found;
  }

  private lookup(ref: string, base: string): Located | undefined {
    const uri = resolveUri(ref, base);
    if (uri === undefined) return undefined;
    const resourceKey = stripFragment(uri);
    const resource = this.resources.get(resourceKey);
    const hash = uri.indexOf('#');
    const fragment = hash < 0 ? '' : decodeFragment(uri.slice(hash + 1));
    if (fragment === undefined) return undefined;
    if (fragment === '' || fragment === '/') return resource;
    if (!fragment.startsWith('/')) return this.anchors.get(`${resourceKey}#${fragment}`);
    if (!resource) return undefined;
    let node: unknown = resource.node;
    const path = [...resource.path];
    for (const raw of fragment.slice(1).split('/')) {
      const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (Array.isArray(node)) {
        if (!/^\d+$/.test(part)) return undefined;
        node = node[Number(part)];
        path.push(Number(part));
      } else if (isObj(node) && Object.hasOwn(node, part)) {
        node = node[part];
        path.push(part);
      } else return undefined;
      if (node === undefined) return undefined;
    }
    return { node, path };
  }
}

function decodeFragment(fragment: string): string | undefined {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return undefined;
  }
}
