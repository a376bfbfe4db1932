/**
 * integer and number: a target the property name suggests (generators/numbers.ts),
 * varied for retried array items, then the nearest value that satisfies the
 * bounds, integer-ness and multipleOf.
 */
import type { Generator } from '../core/generator.js';
import { integerBounds, lowerBound, upperBound } from '../core/bounds.js';
import { num, UnsatisfiableError, type Schema, type Where } from '../core/context.js';
import { numberTarget } from '../generators/numbers.js';

export function genNumber(g: Generator, s: Schema, w: Where, integer: boolean): number {
  let target = numberTarget(g, s, w, integer);
  if (w.jitter) {
    const lo = lowerBound(s);
    const hi = upperBound(s);
    const r = g.rngAt(w, `#jitter${w.jitter}`);
    target = Number.isFinite(lo) && Number.isFinite(hi) ? lo + (hi - lo) * r.next() : target + r.int(1, 50) * (num(s.multipleOf) ?? 1) * (r.chance(0.5) ? 1 : -1);
    if (!integer && num(s.multipleOf) === undefined) target += r.int(1, 99) / 100;
  }
  return fitNumber(target, s, integer || Number.isInteger(num(s.multipleOf) ?? 0.5) && integerBounds(s));
}

function decimals(x: number): number {
  const t = String(x);
  if (t.includes('e-')) return Number(t.split('e-')[1] ?? 0) + (t.split('e')[0]?.split('.')[1]?.length ?? 0);
  return t.split('.')[1]?.length ?? 0;
}

/** The value nearest `target` that satisfies bounds (both drafts' exclusives), integer-ness and multipleOf. */
export function fitNumber(target: number, s: Schema, integer: boolean): number {
  const min = num(s.minimum);
  const max = num(s.maximum);
  const exMin = s.exclusiveMinimum;
  const exMax = s.exclusiveMaximum;
  const m = num(s.multipleOf);
  const ok = (v: number): boolean => {
    if (!Number.isFinite(v)) return false;
    if (integer && !Number.isInteger(v)) return false;
    if (min !== undefined && (exMin === true ? v <= min : v < min)) return false;
    if (max !== undefined && (exMax === true ? v >= max : v > max)) return false;
    if (typeof exMin === 'number' && v <= exMin) return false;
    if (typeof exMax === 'number' && v >= exMax) return false;
    if (m !== undefined && m > 0 && !Number.isInteger(v / m)) return false;
    return true;
  };
  const lo = lowerBound(s);
  const hi = upperBound(s);
  let t = Number.isFinite(target) ? target : 0;
  if (t < lo || t > hi) t = Number.isFinite(lo) && Number.isFinite(hi) ? (lo + hi) / 2 : Number.isFinite(lo) ? lo + 1 : hi - 1;
  if (m !== undefined && m > 0) {
    const d = decimals(m);
    const k0 = Math.round(t / m);
    for (let dk = 0; dk < 5000; dk++) {
      for (const k of dk === 0 ? [k0] : [k0 + dk, k0 - dk]) {
        const v = Number((k * m).toFixed(Math.min(20, d)));
        if (ok(v)) return v;
      }
    }
  } else {
    const start = integer ? Math.round(t) : Math.round(t * 100) / 100;
    if (ok(start)) return start;
    const step = integer ? 1 : Number.isFinite(lo) && Number.isFinite(hi) && hi - lo < 0.02 ? (hi - lo) / 4 || 1e-9 : 0.01;
    for (let i = 1; i < 5000; i++) {
      for (const v of [start + i * step, start - i * step]) {
        const r = integer ? v : Number(v.toFixed(12));
        if (ok(r)) return r;
      }
    }
    if (!integer && Number.isFinite(lo) && Number.isFinite(hi) && ok((lo + hi) / 2)) return (lo + hi) / 2;
  }
  throw new UnsatisfiableError(`no ${integer ? 'integer' : 'number'} satisfies the bounds${m !== undefined ? ` and multipleOf ${m}` : ''}`);
}
