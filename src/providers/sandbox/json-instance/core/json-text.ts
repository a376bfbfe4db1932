/**
 * Sizes and forms of JSON text the traversal needs: a value's length in
 * characters (what the budget counts), a string's length in code points (what
 * JSON Schema counts), a canonical form (uniqueItems), a JSON pointer segment.
 */

/** JSON characters of a value; cheap for scalars. */
export function jsonLength(v: unknown): number {
  if (typeof v === 'string') return v.length + 2;
  if (typeof v === 'number') return String(v).length;
  if (typeof v === 'boolean') return v ? 4 : 5;
  if (v === null || v === undefined) return 4;
  return (JSON.stringify(v) ?? '').length;
}

/** Characters (code points) of a string, as JSON Schema counts lengths. */
export function codePoints(x: string): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const c = x.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 >= x.length) n++;
    else {
      const d = x.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      n++;
    }
  }
  return n;
}

export function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'undefined';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
