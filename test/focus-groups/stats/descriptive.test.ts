/**
 * Descriptive statistics (raw and from distributions), the bootstrap against its analytic
 * counterparts, the t-interval and NPS, on hand-computed and textbook values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bootstrapDistribution, percentileInterval } from '../../../src/focus-groups/stats/bootstrap.js';
import { kishEffectiveN, mean, median, quantileSorted, sd, weightedMean, weightedMedian, weightedSd, weightedVariance } from '../../../src/focus-groups/stats/descriptive.js';
import { distributionMean, distributionMedian, distributionSampleSd, massBetween } from '../../../src/focus-groups/stats/discrete-distribution.js';
import { normalInterval, tInterval } from '../../../src/focus-groups/stats/intervals.js';
import { npsDifferenceTest, npsFromDistribution, npsStandardError } from '../../../src/focus-groups/stats/nps.js';
import { createRng } from '../../../src/focus-groups/stats/random.js';

const close = (actual: number, expected: number, tol: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} vs ${expected} (tol ${tol})`);

describe('descriptive', () => {
  it("sleep data group 1 (R: mean 0.75, sd 1.789010, median 0.35)", () => {
    const g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    close(mean(g1), 0.75, 1e-15);
    close(sd(g1), 1.7890096577591, 1e-12);
    close(median(g1), 0.35, 1e-15);
    assert.ok(Number.isNaN(sd([1])));
  });
  it('type-7 quantiles: quantile(1:10, 0.1) = 1.9 as in R', () => {
    const xs = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    close(quantileSorted(xs, 0.1), 1.9, 1e-15);
    close(quantileSorted(xs, 0.5), 5.5, 1e-15);
  });
  it('weighted, by hand: x = [1, 3], w = [2, 1] → mean 5/3; variance 2 · (2·4/9 + 16/9)/3 = 16/9', () => {
    close(weightedMean([1, 3], [2, 1]), 5 / 3, 1e-15);
    close(weightedVariance([1, 3], [2, 1]), 16 / 9, 1e-15);
    close(weightedSd([1, 3], [2, 1]), 4 / 3, 1e-15);
  });
  it('equal weights reproduce the unweighted statistics; Kish n_eff = n for equal weights, (Σw)²/Σw² otherwise', () => {
    const xs = [4, 1, 5, 2, 2, 3, 5, 4];
    const ws = xs.map(() => 2.5);
    close(weightedMean(xs, ws), mean(xs), 1e-14);
    close(weightedSd(xs, ws), sd(xs), 1e-14);
    close(weightedMedian(xs, ws), median(xs), 1e-14);
    close(kishEffectiveN(ws), 8, 1e-12);
    close(kishEffectiveN([1, 3]), 16 / 10, 1e-15);
  });
  it('weighted median: weights [1, 1, 2] on [1, 2, 3] is the median of [1, 2, 3, 3] = 2.5', () => {
    close(weightedMedian([1, 2, 3], [1, 1, 2]), 2.5, 1e-15);
    close(weightedMedian([1, 2, 3], [1, 1, 3]), 3, 1e-15);
  });
  it('from a distribution: the same statistics as the raw answers they tally', () => {
    const answers = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5];
    const values = [1, 2, 3, 4, 5];
    const counts = values.map((v) => answers.filter((a) => a === v).length);
    close(distributionMean(values, counts), mean(answers), 1e-14);
    close(distributionSampleSd(values, counts, answers.length), sd(answers), 1e-14);
    close(distributionMedian(values, counts), median(answers), 1e-14);
    close(distributionMedian([1, 2, 3, 4, 5], [1, 0, 0, 1, 0]), 2.5, 1e-15); // median of [1, 4]
    close(massBetween(counts, 3, 4), 6 / 12, 1e-15); // top-2-box
  });
});

describe('intervals', () => {
  it('t-interval on the sleep data group 1: 0.75 ± 2.262157 · 1.789010/√10 (R t.test: [−0.5297804, 2.0297804])', () => {
    const ci = tInterval(0.75, 1.7890096577591, 10, 0.95)!;
    close(ci[0], -0.5297804, 1e-6);
    close(ci[1], 2.0297804, 1e-6);
    assert.equal(tInterval(1, 1, 1, 0.95), null);
    const z = normalInterval(10, 2, 0.95)!;
    close(z[1] - 10, 1.959963984540054 * 2, 1e-12);
  });
});

describe('bootstrap', () => {
  const values = [1, 2, 3, 4, 5];
  const shares = [0.1, 0.15, 0.3, 0.3, 0.15];
  const n = 400;
  const rng = createRng(2024);
  const [means, tops] = bootstrapDistribution(shares, n, 4000, rng, 2, (counts, size, out) => {
    out[0] = distributionMean(values, counts);
    out[1] = massBetween(counts, 3, 4);
    assert.equal(counts.reduce((s, x) => s + x, 0), size);
  });
  it('the bootstrap SE of the mean matches the plug-in σ/√n (Efron & Tibshirani §6.2) within 5%', () => {
    const seBoot = sd(means!);
    const mu = distributionMean(values, shares);
    const sigma = Math.sqrt(values.reduce((s, v, k) => s + shares[k]! * (v - mu) ** 2, 0));
    close(seBoot / (sigma / Math.sqrt(n)), 1, 0.05, 'SE ratio');
  });
  it('the percentile interval of the mean agrees with the t-interval within 5% of its width', () => {
    const boot = percentileInterval(means!, 0.95)!;
    const mu = distributionMean(values, shares);
    const t = tInterval(mu, distributionSampleSd(values, shares, n), n, 0.95)!;
    const width = t[1] - t[0];
    close(boot[0], t[0], 0.05 * width, 'lower');
    close(boot[1], t[1], 0.05 * width, 'upper');
  });
  it('the percentile interval of a proportion (top-2-box 0.45) agrees with the Wald interval within 5% of its width', () => {
    const boot = percentileInterval(tops!, 0.95)!;
    const wald = normalInterval(0.45, Math.sqrt((0.45 * 0.55) / n), 0.95)!;
    const width = wald[1] - wald[0];
    close(boot[0], wald[0], 0.05 * width, 'lower');
    close(boot[1], wald[1], 0.05 * width, 'upper');
  });
  it('is reproducible per seed and ignores NaN replicates', () => {
    const run = (): Float64Array => bootstrapDistribution(shares, 50, 100, createRng(5), 1, (c, _s, out) => void (out[0] = distributionMean(values, c)))[0]!;
    assert.deepEqual(run(), run());
    assert.deepEqual(percentileInterval([NaN, 1, 2, 3, NaN], 0.5), [1.5, 2.5]);
    assert.equal(percentileInterval([NaN], 0.95), null);
  });
  it('resampling counts is resampling respondents: 6 yes of 20 give Binomial(20, 0.3) yes counts, and the 95% interval of the share is the exact binomial quantiles [2, 10]/20', () => {
    // 20 ≥ 8 × 2 categories: each replicate is one conditional-binomial multinomial draw.
    const [yes] = bootstrapDistribution([0.3, 0.7], 20, 4000, createRng(77), 1, (counts, size, out) => void (out[0] = counts[0]! / size));
    const observed = new Float64Array(21);
    for (const share of yes!) observed[Math.round(share * 20)]! += 1;
    const pmf = Array.from({ length: 21 }, (_, k) => binomialCoefficient(20, k) * 0.3 ** k * 0.7 ** (20 - k));
    // Pearson chi-square over cells with an expected count ≥ 5 (k = 1 … 11), the tails pooled.
    let chi = 0;
    let tailObserved = 0;
    let tailExpected = 0;
    pmf.forEach((p, k) => {
      if (4000 * p >= 5) chi += (observed[k]! - 4000 * p) ** 2 / (4000 * p);
      else {
        tailObserved += observed[k]!;
        tailExpected += 4000 * p;
      }
    });
    chi += (tailObserved - tailExpected) ** 2 / tailExpected;
    assert.ok(chi < 30, `chi-square ${chi} on 11 df`); // p ≈ 0.002
    // P(X ≤ 1) = 0.0076 < 2.5% ≤ P(X ≤ 2) = 0.0355; P(X ≤ 9) = 0.952 < 97.5% ≤ P(X ≤ 10) = 0.983.
    assert.deepEqual(percentileInterval(yes!, 0.95), [0.1, 0.5]);
  });
  it('the percentile interval selects the same order statistics a sort gives (ties, infinities, NaN, every size)', () => {
    const rng = createRng(31);
    for (let size = 1; size <= 60; size++) {
      for (const level of [0.5, 0.8, 0.95, 0.99]) {
        const xs = Array.from({ length: size }, () => {
          const u = rng.next();
          return u < 0.05 ? NaN : u < 0.08 ? Infinity : u < 0.1 ? -Infinity : Math.floor(rng.next() * 7) / 2;
        });
        const finite = xs.filter(Number.isFinite).sort((a, b) => a - b);
        const expected = finite.length === 0 ? null : [quantileSorted(finite, (1 - level) / 2), quantileSorted(finite, 1 - (1 - level) / 2)];
        assert.deepEqual(percentileInterval(xs, level), expected, `size ${size}, level ${level}`);
      }
    }
  });
});

function binomialCoefficient(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

describe('NPS', () => {
  const values = Array.from({ length: 11 }, (_, i) => i);
  it('by hand: 50 promoters, 30 passives, 20 detractors of 100 → NPS 30, se = 100·√((0.5 + 0.2 − 0.3²)/100) = 7.8102', () => {
    const counts = [5, 0, 5, 0, 5, 0, 5, 10, 20, 25, 25];
    const nps = npsFromDistribution(values, counts)!;
    close(nps.score, 30, 1e-12);
    close(nps.promoters, 0.5, 1e-15);
    close(nps.passives, 0.3, 1e-15);
    close(nps.detractors, 0.2, 1e-15);
    close(npsStandardError(nps, 100), 100 * Math.sqrt(0.61 / 100), 1e-12);
  });
  it('the multinomial SE matches the bootstrap SE of the NPS within 5%', () => {
    const shares = [0.05, 0, 0.05, 0, 0.05, 0, 0.05, 0.1, 0.2, 0.25, 0.25];
    const [reps] = bootstrapDistribution(shares, 300, 4000, createRng(9), 1, (c, _s, out) => void (out[0] = npsFromDistribution(values, c)!.score));
    close(sd(reps!) / npsStandardError(npsFromDistribution(values, shares)!, 300), 1, 0.05, 'ratio');
  });
  it('difference of two groups: z = (30 − 10)/√(se_a² + se_b²)', () => {
    const a = { score: 30, promoters: 0.5, passives: 0.3, detractors: 0.2 };
    const b = { score: 10, promoters: 0.4, passives: 0.3, detractors: 0.3 };
    const r = npsDifferenceTest(a, 100, b, 100)!;
    const seA = 100 * Math.sqrt((0.7 - 0.09) / 100);
    const seB = 100 * Math.sqrt((0.7 - 0.01) / 100);
    close(r.z, 20 / Math.sqrt(seA ** 2 + seB ** 2), 1e-12);
  });
});
