/** Numeric bounds of a schema, both drafts' exclusive forms included. */
import { num, type Schema } from './context.js';

export function lowerBound(s: Schema): number {
  let lo = -Infinity;
  const min = num(s.minimum);
  if (min !== undefined) lo = min;
  const ex = num(s.exclusiveMinimum);
  if (ex !== undefined && ex >= lo) lo = ex;
  return lo;
}

export function upperBound(s: Schema): number {
  let hi = Infinity;
  const max = num(s.maximum);
  if (max !== undefined) hi = max;
  const ex = num(s.exclusiveMaximum);
  if (ex !== undefined && ex <= hi) hi = ex;
  return hi;
}

export function integerBounds(s: Schema): boolean {
  return [s.minimum, s.maximum, s.exclusiveMinimum, s.exclusiveMaximum].every((v) => typeof v !== 'number' || Number.isInteger(v));
}
