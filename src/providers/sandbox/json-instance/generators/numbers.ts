/**
 * The number a property name asks for before bounds are applied: a number or
 * amount from the message, an age from the persona, a rating or probability
 * that follows the answer's stance, a plausible price, year, count…
 */
import type { Generator } from '../core/generator.js';
import { lowerBound, upperBound } from '../core/bounds.js';
import type { Schema, Where } from '../core/context.js';
import { COUNT_KEYS, keyWords } from './keys.js';

export function numberTarget(g: Generator, s: Schema, w: Where, integer: boolean): number {
  const words = keyWords(w.key);
  const lo = lowerBound(s);
  const hi = upperBound(s);
  const frac = g.hints.stance === 'positive' ? 0.8 : g.hints.stance === 'mixed' ? 0.6 : 0.3;
  const inRange = (x: number) => x >= lo && x <= hi;
  const rng = g.rngAt(w, '#num');
  const has = (...xs: string[]) => words.some((x) => xs.includes(x));

  const money = has('price', 'cost', 'amount', 'budget', 'total', 'salary', 'fee', 'pay', 'spend', 'wtp', 'income', 'revenue');
  const pool = money ? [...g.hints.amounts, ...g.hints.numbers] : words.some((x) => COUNT_KEYS.has(x)) || has('year', 'years') ? g.hints.numbers : [];
  const fromMessage = pool.find((n) => !g.source.usedNumbers.has(n) && inRange(n) && (!integer || Number.isInteger(n)));
  if (fromMessage !== undefined) {
    g.source.usedNumbers.add(fromMessage);
    return fromMessage;
  }
  if (has('age')) {
    const range = g.hints.persona?.profile.demographics.age_range;
    const m = range ? /(\d+)\D+(\d+)/.exec(range) : null;
    if (m) return Math.round((Number(m[1]) + Number(m[2])) / 2);
    const single = range ? /(\d+)/.exec(range) : null;
    return single ? Number(single[1]) + 5 : 34;
  }
  if (has('confidence', 'probability', 'likelihood', 'certainty', 'share', 'ratio', 'fraction', 'weight')) {
    if (hi <= 1) return Math.max(lo, 0) + (Math.min(hi, 1) - Math.max(lo, 0)) * (frac + 0.05);
    return 100 * frac;
  }
  if (has('rating', 'stars', 'star', 'score', 'nps', 'grade', 'satisfaction', 'interest', 'intent', 'likely', 'likeliness', 'sentiment', 'favorability', 'rank', 'level', 'priority')) {
    const a = Number.isFinite(lo) ? lo : has('score', 'nps', 'satisfaction', 'favorability') ? 0 : 1;
    const b = Number.isFinite(hi) ? hi : has('score', 'favorability', 'satisfaction') ? 100 : has('nps') ? 10 : 5;
    return a + (b - a) * frac;
  }
  if (has('percent', 'percentage', 'pct')) return Math.round(100 * frac);
  if (has('price', 'cost', 'amount', 'budget', 'total', 'fee')) return integer ? 49 : 19.99;
  if (has('salary', 'income')) return 52000;
  if (has('year')) return 2025;
  if (has('month')) return 6;
  if (has('day', 'days', 'nights')) return 3;
  if (has('hour', 'hours')) return 2;
  if (has('minute', 'minutes')) return 30;
  if (has('page')) return 1;
  if (has('limit', 'max', 'top', 'k', 'n', 'results', 'size')) return 5;
  if (has('lat', 'latitude')) return 40.7128;
  if (has('lon', 'lng', 'longitude')) return -74.006;
  if (has('temperature', 'temp')) return 21;
  if (words.some((x) => COUNT_KEYS.has(x))) return rng.int(1, 3);
  const fraction = integer ? 0 : rng.int(1, 99) / 100;
  if (Number.isFinite(lo) && Number.isFinite(hi)) return lo + (hi - lo) * (0.25 + rng.next() * 0.5);
  if (Number.isFinite(lo)) return lo + rng.int(1, 10) + fraction;
  if (Number.isFinite(hi)) return Math.min(hi, rng.int(1, 10)) - (hi < 1 ? rng.int(1, 10) : 0) - fraction;
  return rng.int(1, 100) + fraction;
}
