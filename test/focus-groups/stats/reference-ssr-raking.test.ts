/** Reference comparison, SSR and raking against hand-computed values and their defining properties. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../../src/focus-groups/stats/random.js';
import { rake, RakingError } from '../../../src/focus-groups/stats/raking.js';
import { compareToReference, jensenShannonDivergence, normalizedWasserstein, sdRatio, wassersteinOrdinal } from '../../../src/focus-groups/stats/reference-comparison.js';
import { cosineSimilarity, expectedValue, scalePmf, ssrDistribution } from '../../../src/focus-groups/stats/ssr.js';

const close = (actual: number, expected: number, tol: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} vs ${expected} (tol ${tol})`);

describe('reference comparison', () => {
  it('Wasserstein by hand: all mass at 1 vs at 3 → W₁ = 2, normalized 1; (½,½,0) vs (0,½,½) → CDF gaps ½ + ½ = 1, normalized ½', () => {
    assert.equal(wassersteinOrdinal([1, 0, 0], [0, 0, 1]), 2);
    assert.equal(normalizedWasserstein([1, 0, 0], [0, 0, 1]), 1);
    close(normalizedWasserstein([0.5, 0.5, 0], [0, 0.5, 0.5]), 0.5, 1e-15);
    // OpinionQA's representativeness of a 5-point answer shifted up by one point: 1 − 1/4.
    const c = compareToReference([1, 2, 3, 4, 5], [0.2, 0.3, 0.5, 0, 0], [0, 0.2, 0.3, 0.5, 0], true);
    close(c.wasserstein!, 0.25, 1e-15);
    close(c.representativeness!, 0.75, 1e-15);
    close(c.sd_ratio!, 1, 1e-12, 'a shift keeps the spread');
  });
  it('Jensen–Shannon by hand: (½, ½) vs (1, 0): M = (¾, ¼), ½·[½log₂(⅔) + ½log₂2] + ½·log₂(4/3) = 0.311278', () => {
    const expected = 0.5 * (0.5 * Math.log2(0.5 / 0.75) + 0.5 * Math.log2(0.5 / 0.25)) + 0.5 * Math.log2(1 / 0.75);
    close(jensenShannonDivergence([0.5, 0.5], [1, 0]), expected, 1e-15);
    close(expected, 0.3112781244591328, 1e-13);
    assert.equal(jensenShannonDivergence([1, 0], [0, 1]), 1);
    assert.equal(jensenShannonDivergence([0.2, 0.8], [2, 8]), 0, 'counts are normalized');
  });
  it('sd ratio: a compressed distribution (all on the middle ± one) against a uniform one', () => {
    // uniform on 1..5 has variance 2; (0, ½, 0, ½, 0) has variance 1.
    close(sdRatio([1, 2, 3, 4, 5], [0, 0.5, 0, 0.5, 0], [1, 1, 1, 1, 1])!, Math.sqrt(1 / 2), 1e-15);
    assert.equal(sdRatio([1, 2, 3], [1, 1, 1], [0, 1, 0]), null);
    const nominal = compareToReference([0, 1, 2], [1, 0, 0], [0, 1, 0], false);
    assert.equal(nominal.wasserstein, null);
    assert.equal(nominal.jensen_shannon, 1);
  });
});

describe('SSR (Maier et al. 2025)', () => {
  // Anchors on a circle: the answer (1, 0) has cosines −1, 0, 1 → γ = 0, ½, 1.
  const anchors = [
    [-1, 0],
    [0, 1],
    [1, 0],
  ];
  it('by hand: γ − γ_min = (0, ½, 1) → pmf (0, ⅓, ⅔), expected value 2⅔ on 1..3', () => {
    const pmf = ssrDistribution([1, 0], [anchors]);
    close(pmf[0]!, 0, 1e-15);
    close(pmf[1]!, 1 / 3, 1e-15);
    close(pmf[2]!, 2 / 3, 1e-15);
    close(expectedValue([1, 2, 3], pmf), 8 / 3, 1e-15);
  });
  it('ε goes to the least similar point only: (0.1, ½, 1)/1.6', () => {
    const pmf = ssrDistribution([1, 0], [anchors], { epsilon: 0.1 });
    close(pmf[0]!, 0.1 / 1.6, 1e-15);
    close(pmf[1]!, 0.5 / 1.6, 1e-15);
    close(pmf[2]!, 1 / 1.6, 1e-15);
  });
  it('temperature T = ½ squares and renormalizes: (0, ⅓, ⅔) → (0, ⅕, ⅘); T = 0 → the mode', () => {
    const pmf = ssrDistribution([1, 0], [anchors], { temperature: 0.5 });
    close(pmf[1]!, 0.2, 1e-15);
    close(pmf[2]!, 0.8, 1e-15);
    assert.deepEqual(Array.from(scalePmf([0.2, 0.5, 0.3], 0)), [0, 1, 0]);
  });
  it('several anchor sets are averaged; an answer equally far from every anchor is uniform', () => {
    const other = [
      [0, -1],
      [-1, 0],
      [1, 0],
    ]; // answer (1,0): γ = ½, 0, 1 → (½, 0, 1)/1.5
    const pmf = ssrDistribution([1, 0], [anchors, other]);
    close(pmf[0]!, (0 + 1 / 3) / 2, 1e-15);
    close(pmf[1]!, (1 / 3 + 0) / 2, 1e-15);
    close(pmf[2]!, (2 / 3 + 2 / 3) / 2, 1e-15);
    assert.deepEqual(Array.from(ssrDistribution([0, 0, 1], [[[1, 0, 0], [0, 1, 0]]])), [0.5, 0.5]);
    close(cosineSimilarity([1, 2], [2, 4]), 1, 1e-15);
    assert.throws(() => ssrDistribution([1, 0], [[[1, 0]]]), /two anchors/);
  });
});

describe('raking (IPF)', () => {
  it('2 × 2 by hand: seed [[20, 30], [10, 40]], targets A (0.6, 0.4), B (0.5, 0.5): the fitted share x₁₁ keeps the odds ratio 8/3 → 5x² − 8.5x + 2.4 = 0, x₁₁ = 0.3575571', () => {
    const respondents = [
      ...Array.from({ length: 20 }, () => ({ a: 'a1', b: 'b1' })),
      ...Array.from({ length: 30 }, () => ({ a: 'a1', b: 'b2' })),
      ...Array.from({ length: 10 }, () => ({ a: 'a2', b: 'b1' })),
      ...Array.from({ length: 40 }, () => ({ a: 'a2', b: 'b2' })),
    ];
    const r = rake(respondents, { a: { a1: 0.6, a2: 0.4 }, b: { b1: 0.5, b2: 0.5 } }, { tolerance: 1e-12 });
    assert.equal(r.converged, true);
    const x11 = (8.5 - Math.sqrt(8.5 ** 2 - 4 * 5 * 2.4)) / 10;
    close(x11, 0.3575571, 1e-7);
    // Weight of a cell's respondents = fitted share · n / cell count (mean weight 1).
    close(r.weights[0]!, (x11 * 100) / 20, 1e-9, 'w11');
    close(r.weights[20]!, ((0.6 - x11) * 100) / 30, 1e-9, 'w12');
    close(r.weights[50]!, ((0.5 - x11) * 100) / 10, 1e-9, 'w21');
    close(r.weights[60]!, ((x11 - 0.1) * 100) / 40, 1e-9, 'w22');
    close(r.weights.reduce((s, w) => s + w, 0), 100, 1e-9, 'sum n');
  });

  it('property: on random samples the raked marginals equal the targets and every cross-product ratio of the seed table is kept', () => {
    const rng = createRng(31);
    const ages = ['18-34', '35-54', '55+'];
    const regions = ['North', 'South', 'East', 'West'];
    for (let trial = 0; trial < 20; trial++) {
      const respondents = Array.from({ length: 300 + rng.nextInt(500) }, () => ({ age: ages[rng.nextInt(3)]!, region: regions[rng.nextInt(4)]! }));
      const targetAge = dirichlet(rng, 3);
      const targetRegion = dirichlet(rng, 4);
      const targets = { age: Object.fromEntries(ages.map((a, i) => [a, targetAge[i]!])), region: Object.fromEntries(regions.map((g, i) => [g, targetRegion[i]!])) };
      const r = rake(respondents, targets, { tolerance: 1e-10, maxIterations: 1000 });
      assert.equal(r.converged, true, `trial ${trial}`);
      const n = respondents.length;
      const cellW = ages.map(() => regions.map(() => 0));
      const cellN = ages.map(() => regions.map(() => 0));
      respondents.forEach((p, i) => {
        cellW[ages.indexOf(p.age)]![regions.indexOf(p.region)]! += r.weights[i]! / n;
        cellN[ages.indexOf(p.age)]![regions.indexOf(p.region)]! += 1;
      });
      ages.forEach((_, i) => close(cellW[i]!.reduce((s, x) => s + x, 0), targetAge[i]!, 1e-9, `age ${i}`));
      regions.forEach((_, j) => close(cellW.reduce((s, row) => s + row[j]!, 0), targetRegion[j]!, 1e-9, `region ${j}`));
      const or = (t: number[][]): number => (t[0]![0]! * t[1]![1]!) / (t[0]![1]! * t[1]![0]!);
      if (cellN.every((row) => row.every((c) => c > 0))) close(or(cellW) / or(cellN), 1, 1e-8, 'odds ratio kept');
    }
  });

  it('trimming bounds the weights (and may leave the targets unmet, which it reports)', () => {
    const respondents = [...Array.from({ length: 95 }, () => ({ g: 'x' })), ...Array.from({ length: 5 }, () => ({ g: 'y' }))];
    const r = rake(respondents, { g: { x: 0.5, y: 0.5 } }, { trim: { max: 3 } });
    const max = Math.max(...r.weights);
    const mean = r.weights.reduce((s, w) => s + w, 0) / r.weights.length;
    assert.ok(max <= 3 * mean + 1e-9, `max weight ${max}`);
    assert.equal(r.converged, false);
    assert.ok(r.maxDeviation > 0.1);
    assert.ok(r.designEffect > 1);
  });

  it('errors name the dimension and category: a target category without respondents, an unlisted category, bad shares', () => {
    const respondents = [{ region: 'North' }, { region: 'South' }];
    assert.throws(
      () => rake(respondents, { region: { North: 0.5, South: 0.3, West: 0.2 } }),
      (e: unknown) => e instanceof RakingError && e.code === 'empty_target_category' && e.dimension === 'region' && e.category === 'West',
    );
    assert.throws(() => rake(respondents, { region: { North: 1 } }), (e: unknown) => e instanceof RakingError && e.code === 'unknown_category' && e.category === 'South');
    assert.throws(() => rake(respondents, { region: { North: 0.5, South: 0.6 } }), (e: unknown) => e instanceof RakingError && e.code === 'invalid_targets');
    assert.throws(() => rake([{}], { region: { North: 1 } }), (e: unknown) => e instanceof RakingError && e.code === 'missing_category');
    // A share of 0 excludes a category's respondents.
    const r = rake(respondents, { region: { North: 1, South: 0 } });
    assert.deepEqual(Array.from(r.weights), [2, 0]);
  });
});

function dirichlet(rng: ReturnType<typeof createRng>, k: number): number[] {
  const xs = Array.from({ length: k }, () => -Math.log(1 - rng.next()) + 0.05);
  const s = xs.reduce((a, b) => a + b, 0);
  return xs.map((x) => x / s);
}
