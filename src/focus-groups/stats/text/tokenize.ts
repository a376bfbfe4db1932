/**
 * Tokens for theme extraction: lower-cased runs of letters and digits (Unicode-aware), at
 * least two characters and at least one letter, stop words removed, then a light plural
 * folding ("prices" → "price", "batteries" → "battery") so that one theme does not split
 * on number. `surface` keeps the most frequent original spelling of each folded term for
 * labels.
 */
import { STOP_WORDS } from './stop-words.js';

const WORD = /[\p{L}\p{N}]+/gu;
const HAS_LETTER = /\p{L}/u;

/** Folds a plural to its singular when the rule is safe enough for labels. */
export function foldPlural(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !/(ss|us|is|ous)$/.test(word)) return word.slice(0, -1);
  return word;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The folded terms of a text, in order; `surface` (optional) counts term → original word. */
export function tokenize(text: string, surface?: Map<string, Map<string, number>>): string[] {
  const out: string[] = [];
  const lower = text.toLowerCase();
  if (!NON_ASCII.test(lower)) {
    // ASCII (most answers): the runs of [a-z0-9] are what the Unicode pattern matches, scanned without a regex.
    let start = -1;
    let letter = false;
    for (let i = 0; i <= lower.length; i++) {
      const c = i < lower.length ? lower.charCodeAt(i) : 0;
      const isLetter = c >= 97 && c <= 122;
      if (isLetter || (c >= 48 && c <= 57)) {
        if (start < 0) {
          start = i;
          letter = false;
        }
        letter ||= isLetter;
      } else if (start >= 0) {
        if (letter && i - start >= 2) addWord(lower.slice(start, i), out, surface);
        start = -1;
      }
    }
    return out;
  }
  for (const match of lower.replace(/[’‘]/g, "'").matchAll(WORD)) {
    const word = match[0];
    if (word.length >= 2 && HAS_LETTER.test(word)) addWord(word, out, surface);
  }
  return out;
}

function addWord(word: string, out: string[], surface: Map<string, Map<string, number>> | undefined): void {
  if (STOP_WORDS.has(word)) return;
  const term = foldPlural(word);
  if (STOP_WORDS.has(term)) return;
  out.push(term);
  if (surface) {
    let forms = surface.get(term);
    if (!forms) surface.set(term, (forms = new Map()));
    forms.set(word, (forms.get(word) ?? 0) + 1);
  }
}

/** The most frequent original spelling of a term (ties: the shorter, then alphabetical). */
export function surfaceForm(term: string, surface: Map<string, Map<string, number>>): string {
  const forms = surface.get(term);
  if (!forms) return term;
  let best = term;
  let bestCount = -1;
  for (const [form, count] of forms) {
    if (count > bestCount || (count === bestCount && (form.length < best.length || (form.length === best.length && form < best)))) {
      best = form;
      bestCount = count;
    }
  }
  return best;
}
