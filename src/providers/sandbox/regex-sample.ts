/**
 * Generates strings that match a JSON Schema `pattern` (ECMAScript regex, as
 * Ajv compiles it with the `u` flag). Supports literals, escapes (\d \w \s …),
 * classes with ranges and negation, `.`, groups, alternation and quantifiers;
 * lookarounds and back-references are skipped, and every candidate is checked
 * against the pattern, so an unsupported construct only costs a retry. The
 * check runs on the linear-time engine (util/safe-regex.ts), never on a
 * backtracking RegExp, and a candidate stops growing past MAX_SAMPLE_CHARS.
 *
 * Not randexp: its parser predates the `u` flag (`\p{…}`, `\u{…}` come out as
 * literal text) and it draws from printable ASCII only (test/providers/regex-sample.test.ts).
 */
import { safePattern, type SafePattern } from '../../util/safe-regex.js';
import type { Rng } from './seed.js';

/** Longest candidate string built, whatever the pattern's repetitions multiply to. */
const MAX_SAMPLE_CHARS = 100_000;

/** Thrown inside one attempt whose candidate outgrew its bound; the attempt is dropped. */
class Overgrown extends Error {}

type Range = [number, number];
type Node =
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'set'; ranges: Range[]; negated: boolean }
  | { t: 'lit'; cp: number }
  | { t: 'repeat'; node: Node; min: number; max: number }
  | { t: 'empty' };

const DIGIT: Range[] = [[48, 57]];
const WORD: Range[] = [
  [48, 57],
  [65, 90],
  [95, 95],
  [97, 122],
];
const SPACE: Range[] = [
  [32, 32],
  [9, 10],
  [13, 13],
];
const LETTERS: Range[] = [
  [65, 90],
  [97, 122],
];

class Parser {
  private i = 0;
  /** Bodies of positive lookaheads ((?=…)), generated in front of the match as a fallback. */
  readonly lookaheads: Node[] = [];
  private readonly cps: number[];

  constructor(pattern: string) {
    this.cps = Array.from(pattern).map((c) => c.codePointAt(0) ?? 0);
  }

  parse(): Node {
    const node = this.alt();
    if (this.i < this.cps.length) throw new Error('unbalanced pattern');
    return node;
  }

  private peek(offset = 0): string {
    const cp = this.cps[this.i + offset];
    return cp === undefined ? '' : String.fromCodePoint(cp);
  }

  private alt(): Node {
    const options = [this.seq()];
    while (this.peek() === '|') {
      this.i++;
      options.push(this.seq());
    }
    return options.length === 1 ? (options[0] as Node) : { t: 'alt', options };
  }

  private seq(): Node {
    const items: Node[] = [];
    while (this.i < this.cps.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return { t: 'seq', items };
  }

  private quantified(atom: Node): Node {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const rest = this.cps
        .slice(this.i)
        .map((x) => String.fromCodePoint(x))
        .join('');
      const m = /^\{(\d+)(,(\d*))?\}/.exec(rest);
      if (!m) return atom;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] ? Number(m[3]) : Infinity;
      this.i += Array.from(m[0]).length - 1;
    } else return atom;
    this.i++;
    if (this.peek() === '?') this.i++; // lazy
    return { t: 'repeat', node: atom, min, max };
  }

  private atom(): Node {
    const c = this.peek();
    this.i++;
    switch (c) {
      case '^':
      case '$':
        return { t: 'empty' };
      case '.':
        return { t: 'set', ranges: LETTERS, negated: false };
      case '(': {
        let lookaround = false;
        let positiveAhead = false;
        if (this.peek() === '?') {
          const next = this.peek(1);
          if (next === ':') this.i += 2;
          else if (next === '=' || next === '!') {
            positiveAhead = next === '=';
            this.i += 2;
            lookaround = true;
          } else if (next === '<' && (this.peek(2) === '=' || this.peek(2) === '!')) {
            this.i += 3;
            lookaround = true;
          } else if (next === '<') {
            while (this.i < this.cps.length && this.peek() !== '>') this.i++;
            this.i++;
          }
        }
        const inner = this.alt();
        if (this.peek() !== ')') throw new Error('unclosed group');
        this.i++;
        if (positiveAhead) this.lookaheads.push(inner);
        return lookaround ? { t: 'empty' } : inner;
      }
      case '[':
        return this.charClass();
      case '\\':
        return this.escape(false);
      default:
        return { t: 'lit', cp: c.codePointAt(0) ?? 0 };
    }
  }

  /** After a backslash. Inside a class, \b is a backspace; outside it is an assertion. */
  private escape(inClass: boolean): Node {
    const c = this.peek();
    this.i++;
    switch (c) {
      case 'd':
        return { t: 'set', ranges: DIGIT, negated: false };
      case 'D':
        return { t: 'set', ranges: DIGIT, negated: true };
      case 'w':
        return { t: 'set', ranges: WORD, negated: false };
      case 'W':
        return { t: 'set', ranges: WORD, negated: true };
      case 's':
        return { t: 'set', ranges: SPACE, negated: false };
      case 'S':
        return { t: 'set', ranges: SPACE, negated: true };
      case 'b':
        return inClass ? { t: 'lit', cp: 8 } : { t: 'empty' };
      case 'B':
        return { t: 'empty' };
      case 'n':
        return { t: 'lit', cp: 10 };
      case 't':
        return { t: 'lit', cp: 9 };
      case 'r':
        return { t: 'lit', cp: 13 };
      case 'f':
        return { t: 'lit', cp: 12 };
      case 'v':
        return { t: 'lit', cp: 11 };
      case '0':
        return { t: 'lit', cp: 0 };
      case 'x': {
        const hex = this.take(/^[0-9a-fA-F]{2}/);
        return hex ? { t: 'lit', cp: parseInt(hex, 16) } : { t: 'lit', cp: 120 };
      }
      case 'u': {
        if (this.peek() === '{') {
          const hex = this.take(/^\{[0-9a-fA-F]{1,6}\}/);
          if (hex) return { t: 'lit', cp: parseInt(hex.slice(1, -1), 16) };
        }
        const hex = this.take(/^[0-9a-fA-F]{4}/);
        return hex ? { t: 'lit', cp: parseInt(hex, 16) } : { t: 'lit', cp: 117 };
      }
      case 'p':
      case 'P': {
        const prop = this.take(/^\{[^}]*\}/) ?? '';
        const negated = c === 'P';
        if (/^\{(?:N|Nd|Number|Decimal_Number)\}$/.test(prop)) return { t: 'set', ranges: DIGIT, negated };
        return { t: 'set', ranges: LETTERS, negated };
      }
      case 'c':
        this.i++;
        return { t: 'empty' };
      default:
        if (/[1-9]/.test(c)) {
          this.take(/^\d*/);
          return { t: 'empty' }; // back-reference: not generated
        }
        if (c === 'k' && this.peek() === '<') {
          this.take(/^<[^>]*>/);
          return { t: 'empty' };
        }
        return { t: 'lit', cp: c.codePointAt(0) ?? 0 };
    }
  }

  private take(re: RegExp): string | undefined {
    const rest = this.cps
      .slice(this.i, this.i + 16)
      .map((x) => String.fromCodePoint(x))
      .join('');
    const m = re.exec(rest);
    if (!m) return undefined;
    this.i += Array.from(m[0]).length;
    return m[0];
  }

  private charClass(): Node {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.i++;
    }
    const ranges: Range[] = [];
    while (this.i < this.cps.length && this.peek() !== ']') {
      let lo: number | null;
      if (this.peek() === '\\') {
        this.i++;
        const esc = this.escape(true);
        if (esc.t === 'set') {
          if (esc.negated) ranges.push(...complement(esc.ranges));
          else ranges.push(...esc.ranges);
          continue;
        }
        lo = esc.t === 'lit' ? esc.cp : null;
      } else {
        lo = this.cps[this.i] ?? 0;
        this.i++;
      }
      if (lo === null) continue;
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '') {
        this.i++;
        let hi: number;
        if (this.peek() === '\\') {
          this.i++;
          const esc = this.escape(true);
          if (esc.t !== 'lit') {
            ranges.push([lo, lo], [45, 45]);
            if (esc.t === 'set' && !esc.negated) ranges.push(...esc.ranges);
            continue;
          }
          hi = esc.cp;
        } else {
          hi = this.cps[this.i] ?? lo;
          this.i++;
        }
        ranges.push(lo <= hi ? [lo, hi] : [hi, lo]);
      } else ranges.push([lo, lo]);
    }
    if (this.peek() !== ']') throw new Error('unclosed character class');
    this.i++;
    return { t: 'set', ranges, negated };
  }
}

function complement(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (let cp = 32; cp <= 126; cp++) if (!inRanges(cp, ranges)) out.push([cp, cp]);
  return out;
}

function inRanges(cp: number, ranges: readonly Range[]): boolean {
  return ranges.some(([lo, hi]) => cp >= lo && cp <= hi);
}

/** Printable ASCII members of a set, alphanumerics first when there are any. */
function chooseChar(ranges: Range[], negated: boolean, rng: Rng): string {
  const members: number[] = [];
  for (let cp = 32; cp <= 126; cp++) if (inRanges(cp, ranges) !== negated) members.push(cp);
  const alnum = members.filter((cp) => (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122));
  const pool = alnum.length ? alnum : members;
  if (pool.length) return String.fromCodePoint(rng.pick(pool));
  if (!negated && ranges.length) {
    const [lo, hi] = rng.pick(ranges);
    return String.fromCodePoint(rng.int(lo, hi));
  }
  return 'é';
}

function generate(node: Node, rng: Rng, spread: number, out: string[], limit: number): void {
  switch (node.t) {
    case 'empty':
      return;
    case 'lit':
      out.push(String.fromCodePoint(node.cp));
      break;
    case 'set':
      out.push(chooseChar(node.ranges, node.negated, rng));
      break;
    case 'seq':
      for (const item of node.items) generate(item, rng, spread, out, limit);
      return;
    case 'alt':
      generate(rng.pick(node.options), rng, spread, out, limit);
      return;
    case 'repeat': {
      const upper = Math.min(node.max, node.min + spread);
      let count = rng.int(node.min, upper);
      if (node.min === 0 && count === 0 && upper >= 1 && rng.chance(0.8)) count = 1;
      for (let k = 0; k < count; k++) generate(node.node, rng, spread, out, limit);
      return;
    }
  }
  if (out.length > limit) throw new Overgrown();
}

export interface PatternConstraints {
  minLength?: number;
  maxLength?: number;
}

/**
 * A string that matches `pattern` and the length bounds, or undefined when no
 * attempt succeeds (unsupported syntax, contradictory constraints).
 */
export function sampleFromPattern(pattern: string, rng: Rng, constraints: PatternConstraints = {}): string | undefined {
  let re: SafePattern;
  let ast: Node;
  let lookaheads: Node[];
  try {
    re = safePattern(pattern);
    const parser = new Parser(pattern);
    ast = parser.parse();
    lookaheads = parser.lookaheads;
  } catch {
    return undefined;
  }
  const min = constraints.minLength ?? 0;
  const max = constraints.maxLength ?? Infinity;
  const spreads = [2, 3, 1, 4, 0, 6, 8, 12, 20, 40, 80];
  for (let attempt = 0; attempt < 40; attempt++) {
    const spread = spreads[attempt % spreads.length] ?? 3;
    const out: string[] = [];
    // characters are pushed one at a time: a candidate past the bound is dropped
    const limit = MAX_SAMPLE_CHARS;
    try {
      // every other attempt for patterns with lookaheads ("must contain a digit"): satisfy them up front
      if (lookaheads.length && attempt % 2 === 1) for (const la of lookaheads) generate(la, rng, 1, out, limit);
      generate(ast, rng, Math.max(spread, attempt >= 20 ? Math.ceil(min / 2) : 0), out, limit);
    } catch (err) {
      if (err instanceof Overgrown) continue;
      throw err;
    }
    const s = out.join('');
    const len = Array.from(s).length;
    if (len >= min && len <= max && re.test(s)) return s;
  }
  return undefined;
}
