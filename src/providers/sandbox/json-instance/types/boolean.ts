/** boolean: what the answer's stance says for intent-like and concern-like names, else a seeded coin. */
import type { Generator } from '../core/generator.js';
import type { Where } from '../core/context.js';
import { keyWords } from '../generators/keys.js';

export function genBoolean(g: Generator, w: Where): boolean {
  const words = keyWords(w.key);
  const intent = ['buy', 'purchase', 'interested', 'recommend', 'likely', 'approve', 'positive', 'trust', 'like', 'subscribe', 'agree', 'try', 'would', 'worth', 'support', 'favorable', 'satisfied', 'accept', 'adopt', 'use', 'switch'];
  const negative = ['concern', 'concerned', 'objection', 'risk', 'reject', 'negative', 'skeptical', 'hesitant', 'worried'];
  if (words.some((x) => negative.includes(x))) return g.hints.stance !== 'positive';
  if (words.some((x) => intent.includes(x))) {
    if (g.hints.stance === 'positive') return true;
    if (g.hints.stance === 'skeptical') return false;
  }
  return g.rngAt(w, `#bool${w.jitter ?? ''}`).chance(0.5);
}
