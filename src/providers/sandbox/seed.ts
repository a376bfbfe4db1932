/**
 * Determinism for the sandbox engine: a stable hash of the request and a small
 * seeded PRNG. Every choice the engine makes comes from an `Rng` forked from
 * the request seed by a label, so one part of the answer (say, the persona's
 * opening phrase) never shifts because another part consumed more numbers.
 */
import { createHash } from 'node:crypto';
import type { ProviderRequest } from '../types.js';

/** A value already stringified (stableStringify writes it as is). */
class Stringified {
  constructor(readonly text: string) {}
}

/**
 * A persona's stable string, kept per persona object: a persona is read-only
 * once loaded, and the built-in ones are the same object for every request
 * (5–10 KB of JSON stringified per answer was a twentieth of the engine's time).
 */
const personaStrings = new WeakMap<object, string>();
function personaString(persona: object): string {
  let text = personaStrings.get(persona);
  if (text === undefined) personaStrings.set(persona, (text = stableStringify(persona)));
  return text;
}

/** JSON with object keys sorted and `undefined` members dropped: equal values, equal strings. */
export function stableStringify(value: unknown): string {
  if (value instanceof Stringified) return value.text;
  if (value === null || typeof value !== 'object') {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return 'null';
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => stableStringify(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The request seed: sha256 over everything that shapes the answer: system
 * prompt, persona, items, tools, tool choice, parallel flag, format and
 * sampling (the `seed` setting included). Three fields are left out on
 * purpose: the abort signal, `maxOutputTokens` and `stop`, so a capped or
 * stopped response is a prefix of the full one (as with a real model at
 * temperature 0).
 */
export function requestSeed(req: Omit<ProviderRequest, 'signal'> & { signal?: AbortSignal }): string {
  const { maxOutputTokens: _cap, stop: _stop, ...sampling } = req.sampling;
  return sha256Hex(
    stableStringify({
      v: 1,
      system: req.system ?? null,
      persona: req.persona ? new Stringified(personaString(req.persona)) : null,
      items: req.items,
      tools: req.tools,
      toolChoice: req.toolChoice,
      parallelToolCalls: req.parallelToolCalls,
      format: req.format,
      sampling,
      // Absent (undefined, dropped by stableStringify) for everything but focus-group respondents.
      respondent: req.respondent,
    }),
  );
}

/** sfc32, seeded from sha256(seed + label). Small, fast and good enough for choosing words. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: string) {
    const h = createHash('sha256').update(seed).digest();
    this.a = h.readUInt32LE(0);
    this.b = h.readUInt32LE(4);
    this.c = h.readUInt32LE(8);
    this.d = h.readUInt32LE(12);
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** An independent stream for one purpose. */
  fork(label: string | number): Rng {
    return new Rng(`${this.seed}/${label}`);
  }

  nextUint32(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    if (max <= min) return min;
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('sandbox rng: pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.nextUint32().toString(16).padStart(8, '0');
    return out.slice(0, length);
  }
}
