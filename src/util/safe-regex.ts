/**
 * Regular expressions a client wrote (JSON Schema `pattern`, `patternProperties`
 * keys), run on a linear-time engine. JavaScript's RegExp backtracks: `^(a+)+$`
 * against thirty characters keeps the event loop busy for minutes. RE2JS (a pure
 * JavaScript port of RE2, no native addon) matches in time linear in the input,
 * so a pattern costs at most its length times the string's.
 *
 * A pattern must first be a valid ECMAScript pattern with the `u` flag (what
 * JSON Schema means by a pattern), then translate to RE2 syntax. What RE2
 * cannot run in linear time is refused, with a reason: back-references and
 * lookaheads, repetition counts over 1000, programs over RE2's size limit.
 * Lookbehinds without captures are kept (RE2JS runs them in linear time).
 *
 * Memory is bounded too: RE2's lazy DFA caches states as inputs are matched,
 * up to 8 MiB per pattern by default (3.7 MiB measured after 2 MB of
 * adversarial input), and compiled patterns are kept. Each pattern runs as a
 * one-pattern RE2Set, whose DFA budget is set (DFA_BYTES; past it, the
 * bounded NFA, still linear), and the cache of compiled patterns is bounded.
 */
import { RE2JS, RE2Set } from 're2js';

/** Longest pattern accepted, in characters. */
export const MAX_PATTERN_CHARS = 1000;
/** DFA memory of one compiled pattern (RE2Set's budget; 0.3 MiB of heap measured at most). */
const DFA_BYTES = 256 * 1024;

/** What Ajv's `code.regExp` engine and the sandbox call: `test` only. */
export interface SafePattern {
  test(input: string): boolean;
}

const compiled = new Map<string, SafePattern>();
const MAX_CACHED = 512;

/** Why `pattern` cannot be used, or null when it can. */
export function patternProblem(pattern: string): string | null {
  try {
    safePattern(pattern);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * The pattern compiled for the linear-time engine (cached); throws an Error
 * saying why when it cannot be.
 */
export function safePattern(pattern: string): SafePattern {
  const hit = compiled.get(pattern);
  if (hit) return hit;
  if (pattern.length > MAX_PATTERN_CHARS) throw new Error(`the pattern is ${pattern.length} characters long; at most ${MAX_PATTERN_CHARS} are accepted`);
  try {
    new RegExp(pattern, 'u');
  } catch (err) {
    throw new Error(`the pattern is not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`);
  }
  const backReference = findBackReference(pattern);
  if (backReference) throw new Error(`the pattern uses a back-reference (${backReference}), which cannot be matched in linear time; patterns run on a linear-time engine (RE2)`);
  const set = new RE2Set(RE2Set.UNANCHORED, RE2JS.LOOKBEHINDS, DFA_BYTES);
  try {
    set.add(RE2JS.translateRegExp(pattern));
    set.compile();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/\(\?[=!]/.test(message)) throw new Error('the pattern uses a lookahead ((?= or (?!), which the linear-time engine (RE2) does not run');
    throw new Error(`the pattern cannot run on the linear-time engine (RE2): ${message.replace(/^error parsing regexp: /, '')}`);
  }
  // unanchored, as RegExp.prototype.test: the pattern's own ^ and $ anchor it
  const engine: SafePattern = { test: (input) => set.match(input).length > 0 };
  if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(pattern, engine);
  return engine;
}

/**
 * Ajv's `code.regExp` option: the engine Ajv compiles every `pattern` and
 * `patternProperties` key with. Ajv dedupes compiled patterns by `toString()`.
 */
export function ajvRegExpEngine(pattern: string): SafePattern & { toString(): string } {
  const engine = safePattern(pattern);
  return { test: (input: string) => engine.test(input), toString: () => `re2:${pattern}` };
}
ajvRegExpEngine.code = 'safePattern';

/** The first back-reference (`\1`, `\k<name>`) outside a character class, if any. */
function findBackReference(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<'))) return pattern.slice(i, next === 'k' ? pattern.indexOf('>', i) + 1 || i + 3 : i + 2);
      i++;
    } else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
  }
  return undefined;
}
