/**
 * enum: a member the message mentions, else one that matches the answer's
 * stance (sentiment, purchase intent, …), else the default, then the first or
 * a seeded pick. What an enum offers is worked out once per enum and
 * generation (an enum in each of a thousand array items is one piece of work).
 */
import type { Generator } from '../core/generator.js';
import { UnsatisfiableError, type Schema, type Where } from '../core/context.js';
import { jsonType } from '../core/schema-shape.js';
import { STANCE_WORDS } from '../generators/keys.js';

export function chooseEnum(g: Generator, values: unknown[], s: Schema, w: Where): unknown {
  const { pool, mentioned, byStance } = enumPlan(g, values, s, w);
  if (pool.length === 0) throw new UnsatisfiableError(`empty enum at ${w.pointer || '/'}`, [...w.spath, 'enum']);
  const offset = w.index ?? 0;
  // 1. a member the message mentions
  if (mentioned.length) return mentioned[offset % mentioned.length];
  // 2. a member that matches the answer's stance (sentiment, purchase intent, …)
  if (byStance.length && offset === 0) return byStance[0];
  // 3. default, then first or a seeded pick
  if (offset === 0 && 'default' in s && pool.some((v) => JSON.stringify(v) === JSON.stringify(s.default))) return structuredClone(s.default);
  if (g.opts.enumFallback === 'first') return structuredClone(pool[offset % pool.length]);
  const base = g.rngAt(w, '#enum').int(0, pool.length - 1);
  return structuredClone(pool[(base + offset) % pool.length]);
}

/**
 * An enum's members of the schema's type, those the message mentions (in
 * the order it mentions them) and those matching the answer's stance:
 * worked out once per enum and type per generation (an enum in each of a
 * thousand array items is one piece of work, not a thousand).
 */
export function enumPlan(g: Generator, values: unknown[], s: Schema, w: Where): { pool: unknown[]; mentioned: string[]; byStance: unknown[] } {
  const typeKey = JSON.stringify(s.type ?? null);
  let byType = g.shared.enums.get(values);
  const known = byType?.get(typeKey);
  if (known) return known;
  g.budget.spend(values.length, w.spath);
  let pool = values;
  if (typeof s.type === 'string' || Array.isArray(s.type)) {
    const allowed = new Set(typeof s.type === 'string' ? [s.type] : (s.type as unknown[]));
    const typed = values.filter((v) => allowed.has(jsonType(v)) || (allowed.has('number') && jsonType(v) === 'integer'));
    if (typed.length) pool = typed;
  }
  const at = mentionsOf(g, values, w);
  const mentioned = pool
    .filter((v): v is string => typeof v === 'string' && v.length > 0)
    .map((v) => ({ v, at: at.get(v) ?? -1 }))
    .filter((x) => x.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((x) => x.v);
  const stanceWords = STANCE_WORDS[g.hints.stance];
  const byStance = pool.filter((v) => typeof v === 'string' && stanceWords.includes(v.toLowerCase().replace(/[\s-]+/g, '_')));
  const plan = { pool, mentioned, byStance };
  if (!byType) g.shared.enums.set(values, (byType = new Map()));
  byType.set(typeKey, plan);
  return plan;
}

/**
 * Where the message mentions each string member of an enum (members it does
 * not mention are absent). Searched once per enum per generation, at a cost
 * in steps that grows with the members and the message: an enum inside an
 * array of a thousand items is not a thousand searches.
 */
export function mentionsOf(g: Generator, values: unknown[], w: Where): Map<string, number> {
  let found = g.shared.mentions.get(values);
  if (found) return found;
  g.budget.spend(values.length, w.spath);
  found = new Map();
  // a regex scan of the message costs about a step per hundred characters
  const scan = 1 + Math.floor(g.paddedMessage.length / 100);
  for (const v of values) {
    if (typeof v !== 'string' || v.length === 0 || found.has(v)) continue;
    // a member whose first word is not a whole word of the message is not mentioned: no regex scan for it
    const first = v.toLowerCase().replace(/[_-]+/g, ' ').trim().split(' ')[0] ?? '';
    if (first.length === 0 || !hasWholeWord(g.paddedMessage, first)) continue;
    g.budget.spend(scan, w.spath);
    const at = mentionIndex(g.paddedMessage, v);
    if (at >= 0) found.set(v, at);
  }
  g.shared.mentions.set(values, found);
  return found;
}

/** Position of an enum member mentioned in a message as a whole word (or phrase), -1 when absent. */
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Whether `word` occurs in `text` with no letter or digit right before or after it (what mentionIndex needs of a phrase's first word). */
function hasWholeWord(text: string, word: string): boolean {
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    const before = at > 0 ? text.charAt(at - 1) : '';
    const after = text.charAt(at + word.length);
    if (!LETTER_OR_DIGIT.test(before) && !LETTER_OR_DIGIT.test(after)) return true;
  }
  return false;
}

function mentionIndex(paddedLowerMessage: string, value: string): number {
  const v = value.toLowerCase().replace(/[_-]+/g, ' ').trim();
  if (v.length < 2) return -1;
  const escaped = v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[\\s_-]+');
  const m = new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'u').exec(paddedLowerMessage);
  return m ? m.index : -1;
}
