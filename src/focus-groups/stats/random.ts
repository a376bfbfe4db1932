/**
 * The statistics' only source of randomness: a small seeded PRNG, so that the same study
 * and seed give the same bootstrap intervals and themes on every run and machine.
 *
 * Generator: sfc32 ("Small Fast Chaotic", Chris Doty-Humphrey, from PractRand), 128 bits of
 * state in four 32-bit words, period at least 2^32 and about 2^127 on average; it passes
 * PractRand and BigCrush. Its state is filled from a 32-bit seed with splitmix32 (the
 * 32-bit variant of Steele, Lea & Flood's SplitMix), so nearby seeds give unrelated
 * streams, and the first 12 outputs are discarded (the author's recommendation).
 * Uniform doubles carry 32 random bits (resolution 2^-32), ample for resampling.
 *
 * Not cryptographic, and not meant to be.
 */

/** A stream of uniform numbers in [0, 1). */
export interface Rng {
  /** Uniform in [0, 1), 32 random bits. */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform integer in [0, n) (n ≥ 1, at most 2^32), without modulo bias. */
  nextInt(n: number): number;
}

function splitmix32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

/** A seeded generator; `seed` is reduced to 32 bits (use `seedFrom` for strings or several parts). */
export function createRng(seed: number): Rng {
  const init = splitmix32(Number.isFinite(seed) ? Math.trunc(seed) % 4294967296 : 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) nextUint32();
  return {
    nextUint32,
    next: () => nextUint32() / 4294967296,
    nextInt(n: number): number {
      if (!(n >= 1 && n <= 4294967296)) throw new RangeError(`nextInt: n must be in [1, 2^32], got ${n}`);
      // Rejection of the top partial block keeps every value equally likely.
      const limit = 4294967296 - (4294967296 % n);
      for (;;) {
        const x = nextUint32();
        if (x < limit) return x % n;
      }
    },
  };
}

/**
 * A 32-bit seed derived from several parts (a study seed, a question id, a segment key…):
 * FNV-1a over the parts' UTF-16 code units, with a separator between parts, then the
 * MurmurHash3 finalizer for avalanche. Each question and segment gets its own stream, so
 * its results do not depend on which other questions or segments were computed first.
 */
export function seedFrom(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  const mix = (unit: number): void => {
    h ^= unit;
    h = Math.imul(h, 0x01000193);
  };
  for (const part of parts) {
    const s = typeof part === 'number' ? `#${part}` : `$${part}`;
    for (let i = 0; i < s.length; i++) mix(s.charCodeAt(i));
    mix(0x1f);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
