/**
 * GBNF for JSON values node-llama-cpp's JSON-Schema grammar generator cannot
 * express (grammar.ts splices these into its output): numbers within
 * bounds and strings matching a `pattern`.
 *
 * - Integers in [min, max] (either bound may be absent; exclusive bounds
 *   become inclusive ones): alternations of digit patterns per digit count
 *   (0–9 → `[0-9]`, 10–37 → `"1" [0-9] | "2" [0-9] | "3" [0-7]`, ≥ 10 →
 *   `[1-9] [0-9]{1,15}`), in JSON form (no leading zeros, no exponent).
 * - Numbers whose bounds are integers (0–1, ≥ 0, 1–100): the integer part
 *   within the bounds, then a fraction (`"." [0-9]{1,16}`), except at the
 *   upper bound, where only zeros may follow. Fractional or exclusive bounds
 *   on numbers: not expressed.
 * - `pattern`: a subset of ECMAScript regular expressions — literals and
 *   escapes, `.`, `\d \w \s` (and `\D \W \S`), classes with ranges and
 *   negation, groups (`(…)`, `(?:…)`) with `|`, and the quantifiers `? * +
 *   {n} {n,} {n,m}` (lazy forms alike) — anchored or not (an open end
 *   allows any characters there). Each character is written as JSON writes
 *   it inside a string (`"` as `\"`, `\` as `\\`). Anything else
 *   (backreferences, lookarounds, `\b`, `\p{…}`, code points above U+FFFF,
 *   repetitions above MAX_REPEAT, patterns over MAX_PATTERN characters) is
 *   not expressed.
 *
 * "Not expressed" returns undefined: the caller leaves the keyword to the
 * validation after generation (and its repair), see grammar.ts.
 */

/** node-llama-cpp's JSON-string character class (grammar.ts tightens it after generation). */
const STRING_CHAR = String.raw`[^"\\\x7F\x00-\x1F]`;
/** What grammar.ts's strict string rule also excludes: UTF-16 surrogates, code points above U+10FFFF. */
const STRICT_EXCLUSIONS = String.raw`\uD800-\uDFFF\U00110000-\U001FFFFF`;
const ESCAPED_QUOTE = String.raw`"\\\""`; // JSON \"
const ESCAPED_BACKSLASH = String.raw`"\\\\"`; // JSON \\

/** Digits node-llama-cpp allows in a JSON number (and the limit of what is expressed here). */
const MAX_DIGITS = 16;
export const MAX_PATTERN = 512;
export const MAX_REPEAT = 64;
const MAX_GROUP_DEPTH = 16;

// ---------------------------------------------------------------------------
// Numbers

type Tok = string; // one GBNF element matching one digit

function digitsOf(n: number): number {
  return String(n).length;
}

function render(tokens: Tok[]): string {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    let j = i;
    while (j < tokens.length && tokens[j] === tokens[i]) j++;
    const n = j - i;
    out.push(n === 1 ? tokens[i]! : `${tokens[i]!}{${n}}`);
    i = j;
  }
  return out.join(' ');
}

const lit = (d: string): Tok => `"${d}"`;
const cls = (a: string, b: string): Tok => (a === b ? lit(a) : a === '0' && b === '9' ? '[0-9]' : `[${a}-${b}]`);

/** Digit patterns for the integers lo..hi written with the same number of digits. */
function sameLength(lo: string, hi: string): Tok[][] {
  if (lo.length === 0) return [[]];
  if (lo[0] === hi[0]) return sameLength(lo.slice(1), hi.slice(1)).map((p) => [lit(lo[0]!), ...p]);
  const rest = lo.length - 1;
  const out: Tok[][] = [];
  let a = Number(lo[0]);
  let b = Number(hi[0]);
  const loRest = lo.slice(1);
  const hiRest = hi.slice(1);
  if (!/^0*$/.test(loRest)) {
    out.push(...sameLength(loRest, '9'.repeat(rest)).map((p) => [lit(lo[0]!), ...p]));
    a++;
  }
  const tail = /^9*$/.test(hiRest) ? undefined : hi[0]!;
  if (tail !== undefined) b--;
  if (a <= b) out.push([cls(String(a), String(b)), ...Array<Tok>(rest).fill('[0-9]')]);
  if (tail !== undefined) out.push(...sameLength('0'.repeat(rest), hiRest).map((p) => [lit(tail), ...p]));
  return out;
}

/** Alternatives for the non-negative integers in [a, b]; b undefined: up to MAX_DIGITS digits. */
function naturals(a: number, b: number | undefined): string[] {
  const out: string[] = [];
  const top = b ?? 10 ** digitsOf(a) - 1;
  for (let len = digitsOf(a); len <= digitsOf(top); len++) {
    const lo = Math.max(a, len === 1 ? 0 : 10 ** (len - 1));
    const hi = Math.min(top, 10 ** len - 1);
    if (lo <= hi) out.push(...sameLength(String(lo), String(hi)).map(render));
  }
  if (b === undefined && digitsOf(a) < MAX_DIGITS) out.push(`[1-9] [0-9]{${digitsOf(a)},${MAX_DIGITS - 1}}`);
  return out;
}

const group = (alts: string[]): string => (alts.length === 1 ? alts[0]! : `(${alts.join(' | ')})`);

/** Bounds usable here: safe integers of at most 15 digits. */
function usable(n: number | undefined): boolean {
  return n === undefined || (Number.isSafeInteger(n) && Math.abs(n) < 10 ** (MAX_DIGITS - 1));
}

/** GBNF for the JSON integers in [min, max]; undefined when the range is empty or the bounds too large. */
export function integerRange(min: number | undefined, max: number | undefined): string | undefined {
  if (!usable(min) || !usable(max) || (min !== undefined && max !== undefined && min > max)) return undefined;
  const alts: string[] = [];
  if (max === undefined || max >= 0) alts.push(...naturals(Math.max(min ?? 0, 0), max));
  if (min === undefined || min < 0) {
    const low = max !== undefined && max < 0 ? -max : 1;
    alts.push(`"-" ${group(naturals(low, min === undefined ? undefined : -min))}`);
  }
  return group(alts);
}

const FRACTION = `("." [0-9]{1,${MAX_DIGITS}})?`;
const ZERO_FRACTION = `("." "0"{1,${MAX_DIGITS}})?`;

/** Magnitudes in [lo, hi] with fractions (hi undefined: unbounded); hi itself only with zeros after the point. */
function magnitudes(lo: number, hi: number | undefined): string | undefined {
  if (hi === undefined) return `${group(naturals(lo, undefined))} ${FRACTION}`;
  const alts: string[] = [];
  if (lo <= hi - 1) alts.push(`${group(naturals(lo, hi - 1))} ${FRACTION}`);
  if (lo <= hi) alts.push(`"${hi}" ${ZERO_FRACTION}`);
  return alts.length === 0 ? undefined : group(alts);
}

/** GBNF for JSON numbers in [min, max] when both bounds are integers (or absent); else undefined. */
export function numberRange(min: number | undefined, max: number | undefined): string | undefined {
  if (!usable(min) || !usable(max) || (min !== undefined && max !== undefined && min > max)) return undefined;
  if (min === undefined && max === undefined) return undefined; // plain numbers: node-llama-cpp's own rule
  const alts: string[] = [];
  if (max === undefined || max >= 0) {
    const m = magnitudes(Math.max(min ?? 0, 0), max);
    if (m) alts.push(m);
  }
  if (min === undefined || min < 0) {
    const m = magnitudes(max !== undefined && max < 0 ? -max : 0, min === undefined ? undefined : -min);
    if (m) alts.push(`"-" ${m}`);
  }
  return alts.length === 0 ? undefined : group(alts);
}

// ---------------------------------------------------------------------------
// Patterns

class Unsupported extends Error {}

/** One character as GBNF, in its JSON-string form. */
function jsonChar(c: string): string {
  if (c === '"') return ESCAPED_QUOTE;
  if (c === '\\') return ESCAPED_BACKSLASH;
  const code = c.codePointAt(0)!;
  if (code > 0xffff || (code >= 0xd800 && code <= 0xdfff)) throw new Unsupported();
  if (code < 0x20) {
    const short: Record<number, string> = { 8: 'b', 9: 't', 10: 'n', 12: 'f', 13: 'r' };
    return `"\\\\${short[code] ?? `u${code.toString(16).padStart(4, '0')}`}"`;
  }
  if (code === 0x7f) return String.raw`"\\u007f"`;
  return `"${gbnfLiteralChar(c)}"`;
}

function gbnfLiteralChar(c: string): string {
  const code = c.charCodeAt(0);
  if (code >= 0x20 && code < 0x7f) return c === '"' || c === '\\' ? `\\${c}` : c;
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

function classChar(c: string): string {
  const code = c.charCodeAt(0);
  if (code >= 0x20 && code < 0x7f) return ']\\-^['.includes(c) ? `\\${c}` : c;
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A set of BMP characters as ranges. */
type Ranges = Array<[number, number]>;

const DIGIT: Ranges = [[0x30, 0x39]];
const WORD: Ranges = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const SPACE: Ranges = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x2028, 0x2029],
  [0xfeff, 0xfeff],
];

/** A character set as GBNF: plain characters in one class, `"` `\` and control characters as their JSON escapes. */
function charSet(ranges: Ranges, negated: boolean): string {
  const alts: string[] = [];
  if (negated) {
    // Any string character but the listed ones (control characters are never listed as allowed raw).
    const body = ranges.map(([a, b]) => (a === b ? classChar(String.fromCharCode(a)) : `${classChar(String.fromCharCode(a))}-${classChar(String.fromCharCode(b))}`)).join('');
    alts.push(`[^"\\\\\\x7F\\x00-\\x1F${STRICT_EXCLUSIONS}${body}]`);
    // Characters JSON writes escaped: `"`, `\`, the control characters and DEL, unless listed.
    for (let c = 0; c <= 0x7f; c = c === 0x1f ? 0x22 : c === 0x22 ? 0x5c : c === 0x5c ? 0x7f : c + 1) {
      if (!inRanges(ranges, c)) alts.push(jsonChar(String.fromCharCode(c)));
    }
    return group(alts);
  }
  const plain = subtract(ranges, [
    [0x00, 0x1f],
    [0x22, 0x22],
    [0x5c, 0x5c],
    [0x7f, 0x7f],
    [0xd800, 0xdfff],
  ]).map(([x, y]) => (x === y ? classChar(String.fromCharCode(x)) : `${classChar(String.fromCharCode(x))}-${classChar(String.fromCharCode(y))}`));
  if (plain.length > 0) alts.push(`[${plain.join('')}]`);
  for (let c = 0; c <= 0x7f; c = c === 0x1f ? 0x22 : c + 1) if (inRanges(ranges, c) && (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x7f)) alts.push(jsonChar(String.fromCharCode(c)));
  if (alts.length === 0) throw new Unsupported();
  return group(alts);
}

/** `ranges` without the characters of `cut`. */
function subtract(ranges: Ranges, cut: Ranges): Ranges {
  let parts = ranges;
  for (const [a, b] of cut) {
    const next: Ranges = [];
    for (const [x, y] of parts) {
      if (b < x || a > y) next.push([x, y]);
      else {
        if (x < a) next.push([x, a - 1]);
        if (y > b) next.push([b + 1, y]);
      }
    }
    parts = next;
  }
  return parts;
}

function inRanges(ranges: Ranges, c: number): boolean {
  return ranges.some(([a, b]) => a <= c && c <= b);
}

/** An unanchored end of a pattern: any string character (node-llama-cpp's rule, plus `"` and `\`). */
const ANY_CHAR = group([STRING_CHAR, ESCAPED_QUOTE, ESCAPED_BACKSLASH]);

/** `.`: any character but a line terminator. */
const DOT = charSet(
  [
    [0x0a, 0x0a],
    [0x0d, 0x0d],
    [0x2028, 0x2029],
  ],
  true,
);

/** A recursive-descent reader of the supported regex subset, writing GBNF. */
class PatternReader {
  private i = 0;
  private depth = 0;
  constructor(private readonly src: string) {}

  private peek(): string | undefined {
    return this.src[this.i];
  }

  alternation(): string {
    const alts = [this.sequence()];
    while (this.peek() === '|') {
      this.i++;
      alts.push(this.sequence());
    }
    return group(alts.map((a) => (a === '' ? '""' : a)));
  }

  private sequence(): string {
    const parts: string[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') break;
      const atom = this.atom();
      parts.push(this.quantified(atom));
    }
    return parts.join(' ');
  }

  private quantified(atom: string): string {
    const c = this.peek();
    let out = atom;
    if (c === '?' || c === '*' || c === '+') {
      this.i++;
      out = `${wrap(atom)}${c}`;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) throw new Unsupported();
      this.i += m[0].length;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? undefined : Number(m[3]);
      if (min > MAX_REPEAT || (max !== undefined && (max > MAX_REPEAT || max < min))) throw new Unsupported();
      out = `${wrap(atom)}{${min}${m[2] === undefined ? '' : `,${max ?? ''}`}}`;
    } else return out;
    if (this.peek() === '?') this.i++; // lazy: the same language
    const next = this.peek();
    if (next === '?' || next === '*' || next === '+' || next === '{') throw new Unsupported();
    return out;
  }

  private atom(): string {
    const c = this.src[this.i++]!;
    switch (c) {
      case '.':
        return DOT;
      case '(': {
        if (++this.depth > MAX_GROUP_DEPTH) throw new Unsupported();
        if (this.src.startsWith('?:', this.i)) this.i += 2;
        else if (this.peek() === '?') throw new Unsupported(); // lookarounds, named groups
        const inner = this.alternation();
        if (this.src[this.i++] !== ')') throw new Unsupported();
        this.depth--;
        return `(${inner})`;
      }
      case '[':
        return this.charClass();
      case '\\':
        return this.escape(false) as string;
      case '*':
      case '+':
      case '?':
      case '{':
      case ')':
      case ']':
      case '}':
      case '|':
      case '^':
      case '$':
        throw new Unsupported();
      default:
        return jsonChar(c);
    }
  }

  /** An escape after `\`: a GBNF element, or (inside a class) its ranges. */
  private escape(inClass: boolean): string | Ranges {
    const c = this.src[this.i++];
    if (c === undefined) throw new Unsupported();
    const sets: Record<string, [Ranges, boolean]> = { d: [DIGIT, false], D: [DIGIT, true], w: [WORD, false], W: [WORD, true], s: [SPACE, false], S: [SPACE, true] };
    const set = sets[c];
    if (set) {
      if (inClass) {
        if (set[1]) throw new Unsupported();
        return set[0];
      }
      return charSet(set[0], set[1]);
    }
    const controls: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11, '0': 0 };
    let code: number | undefined = controls[c];
    if (code === undefined && c === 'x') {
      const m = /^[0-9a-fA-F]{2}/.exec(this.src.slice(this.i));
      if (!m) throw new Unsupported();
      this.i += 2;
      code = parseInt(m[0], 16);
    } else if (code === undefined && c === 'u') {
      const m = /^[0-9a-fA-F]{4}/.exec(this.src.slice(this.i));
      if (!m) throw new Unsupported();
      this.i += 4;
      code = parseInt(m[0], 16);
    } else if (code === undefined) {
      if (/[A-Za-z0-9]/.test(c)) throw new Unsupported(); // \b, \B, \p, backreferences, …
      code = c.charCodeAt(0);
    }
    return inClass ? [[code, code]] : jsonChar(String.fromCharCode(code));
  }

  private charClass(): string {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.i++;
    }
    const ranges: Ranges = [];
    let first = true;
    for (;;) {
      const c = this.src[this.i++];
      if (c === undefined) throw new Unsupported();
      if (c === ']' && !first) break;
      first = false;
      let lo: Ranges;
      if (c === '\\') lo = this.escape(true) as Ranges;
      else if (c === '[') throw new Unsupported();
      else lo = [[c.charCodeAt(0), c.charCodeAt(0)]];
      if (this.peek() === '-' && this.src[this.i + 1] !== ']' && this.src[this.i + 1] !== undefined && lo.length === 1 && lo[0]![0] === lo[0]![1]) {
        this.i++;
        const d = this.src[this.i++]!;
        let hi: Ranges;
        if (d === '\\') hi = this.escape(true) as Ranges;
        else hi = [[d.charCodeAt(0), d.charCodeAt(0)]];
        if (hi.length !== 1 || hi[0]![0] !== hi[0]![1] || hi[0]![0] < lo[0]![0]) throw new Unsupported();
        ranges.push([lo[0]![0], hi[0]![0]]);
      } else ranges.push(...lo);
    }
    if (ranges.some(([a, b]) => a > 0xffff || b > 0xffff)) throw new Unsupported();
    return charSet(ranges, negated);
  }

  get done(): boolean {
    return this.i >= this.src.length;
  }
}

/** An atom ready for a quantifier: a bare literal or class as is, anything else in parentheses. */
function wrap(atom: string): string {
  return /^"[^"\\]*"$/.test(atom) || /^\[[^\]\\]*\]$/.test(atom) ? atom : `(${atom})`;
}

/**
 * GBNF for the inside of a JSON string (without its quotes) matching an
 * ECMAScript `pattern`, or undefined when the pattern uses more than the
 * subset above.
 */
export function patternGbnf(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN) return undefined;
  let body = pattern;
  const anchoredStart = body.startsWith('^');
  if (anchoredStart) body = body.slice(1);
  const anchoredEnd = body.endsWith('$') && !body.endsWith('\\$');
  if (anchoredEnd) body = body.slice(0, -1);
  try {
    const reader = new PatternReader(body);
    const inner = body === '' ? '""' : reader.alternation();
    if (!reader.done) return undefined;
    const open = `${ANY_CHAR}*`;
    return [anchoredStart ? '' : open, `(${inner})`, anchoredEnd ? '' : open].filter(Boolean).join(' ');
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
