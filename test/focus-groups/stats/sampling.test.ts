/**
 * The seeded PRNG and the binomial / multinomial samplers: determinism, and goodness of fit
 * of 100,000 binomial draws against the exact binomial pmf (Pearson's chi-square with cells
 * pooled to expected counts ≥ 5) on both algorithms (inversion below n·p = 10, BTRS above).
 * The seeds are fixed, so these tests are deterministic.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chiSquareSf } from '../../../src/focus-groups/stats/distributions.js';
import { createRng, seedFrom } from '../../../src/focus-groups/stats/random.js';
import { createAliasTable, sampleBinomial, sampleMultinomial, sampleMultinomialByAlias } from '../../../src/focus-groups/stats/sampling.js';
import { logGamma } from '../../../src/focus-groups/stats/special-functions.js';

function binomialPmf(n: number, p: number, k: number): number {
  return Math.exp(logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/** Pearson goodness of fit of draws against the binomial pmf, cells pooled left to right until expected ≥ 5. */
function binomialFitP(n: number, p: number, draws: number, seed: number): number {
  const rng = createRng(seed);
  const observed = new Float64Array(n + 1);
  for (let i = 0; i < draws; i++) {
    const k = sampleBinomial(n, p, rng);
    assert.ok(Number.isInteger(k) && k >= 0 && k <= n, `draw ${k} outside 0..${n}`);
    observed[k]!++;
  }
  let chi = 0;
  let cells = 0;
  let o = 0;
  let e = 0;
  for (let k = 0; k <= n; k++) {
    o += observed[k]!;
    e += draws * binomialPmf(n, p, k);
    if (e >= 5 && (k === n || draws * (1 - cumulative(n, p, k)) >= 5)) {
      chi += ((o - e) * (o - e)) / e;
      cells++;
      o = 0;
      e = 0;
    }
  }
  if (e > 0) chi += ((o - e) * (o - e)) / Math.max(e, 1e-12);
  return chiSquareSf(chi, cells - 1);
}

function cumulative(n: number, p: number, k: number): number {
  let s = 0;
  for (let j = 0; j <= k; j++) s += binomialPmf(n, p, j);
  return s;
}

describe('random', () => {
  it('is deterministic per seed, differs across seeds, and seedFrom separates its parts', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    assert.deepEqual(xs, Array.from({ length: 5 }, () => b.next()));
    assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.next()));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.equal(seedFrom('q1', 'persona'), seedFrom('q1', 'persona'));
    assert.notEqual(seedFrom('q1', 'persona'), seedFrom('q1persona'));
    assert.notEqual(seedFrom(1), seedFrom('1'));
  });
  it('is uniform: 100,000 draws in 20 cells pass a chi-square test; nextInt covers 0..n−1 evenly', () => {
    const rng = createRng(7);
    const cells = new Float64Array(20);
    for (let i = 0; i < 100_000; i++) cells[Math.floor(rng.next() * 20)]!++;
    const chi = cells.reduce((s, o) => s + (o - 5000) ** 2 / 5000, 0);
    assert.ok(chiSquareSf(chi, 19) > 0.001, `chi ${chi}`);
    const ints = new Float64Array(3);
    for (let i = 0; i < 30_000; i++) ints[rng.nextInt(3)]!++;
    for (const v of ints) assert.ok(Math.abs(v - 10_000) < 400, `nextInt cell ${v}`);
  });
});

describe('binomial', () => {
  for (const [n, p] of [
    [20, 0.3], // inversion
    [1000, 0.3], // BTRS
    [50, 0.9], // symmetry, inversion on 1 − p
    [10_000, 0.02], // BTRS, n·p = 200
    [37, 0.5], // BTRS at p = ½
  ] as const) {
    it(`Binomial(${n}, ${p}): 100,000 draws fit the exact pmf (chi-square p > 0.001)`, () => {
      const pv = binomialFitP(n, p, 100_000, seedFrom('binomial', n, p));
      assert.ok(pv > 0.001, `p = ${pv}`);
    });
  }
  it('edge cases: p = 0, p = 1, n = 0', () => {
    const rng = createRng(1);
    assert.equal(sampleBinomial(10, 0, rng), 0);
    assert.equal(sampleBinomial(10, 1, rng), 10);
    assert.equal(sampleBinomial(0, 0.5, rng), 0);
  });
});

describe('multinomial', () => {
  it('every draw sums to n; the mean of 20,000 draws is n·p within 4 standard errors; zero cells stay 0', () => {
    const rng = createRng(11);
    const probs = [0.1, 0, 0.25, 0.05, 0.6];
    const n = 500;
    const sums = new Float64Array(5);
    const out = new Float64Array(5);
    const draws = 20_000;
    for (let i = 0; i < draws; i++) {
      sampleMultinomial(n, probs, rng, out);
      assert.equal(out.reduce((s, x) => s + x, 0), n);
      assert.equal(out[1], 0);
      for (let k = 0; k < 5; k++) sums[k]! += out[k]!;
    }
    probs.forEach((p, k) => {
      const se = Math.sqrt((n * p * (1 - p)) / draws);
      assert.ok(Math.abs(sums[k]! / draws - n * p) <= 4 * se + 1e-12, `cell ${k}: ${sums[k]! / draws} vs ${n * p}`);
    });
  });
});

describe('alias table', () => {
  it('n draws from an alias table are a Multinomial(n, p) sample: 200,000 draws fit p (chi-square p > 0.001), zero cells never drawn', () => {
    const probs = [0.5, 0, 0.2, 0.05, 0.25];
    const table = createAliasTable(probs);
    const out = new Float64Array(5);
    sampleMultinomialByAlias(200_000, table, createRng(12), out);
    assert.equal(out[1], 0);
    const chi = probs.reduce((s, p, k) => (p > 0 ? s + (out[k]! - 200_000 * p) ** 2 / (200_000 * p) : s), 0);
    assert.ok(chiSquareSf(chi, 3) > 0.001, `chi ${chi}`);
  });
});
