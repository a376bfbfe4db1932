/**
 * The segment tests against textbook examples (R's documented outputs, which SciPy 1.17
 * reproduces) and hand computations.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chiSquareIndependence } from '../../../src/focus-groups/stats/chi-square-test.js';
import { mean, sd } from '../../../src/focus-groups/stats/descriptive.js';
import { kruskalWallisFromCounts } from '../../../src/focus-groups/stats/kruskal-wallis.js';
import { mannWhitneyFromCounts } from '../../../src/focus-groups/stats/mann-whitney.js';
import { benjaminiHochbergAdjust, holmAdjust } from '../../../src/focus-groups/stats/p-adjust.js';
import { twoProportionZTest } from '../../../src/focus-groups/stats/proportion-test.js';
import { welchTTest } from '../../../src/focus-groups/stats/welch-t-test.js';

const close = (actual: number, expected: number, tol: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} vs ${expected} (tol ${tol})`);

/** Counts of each group over the sorted distinct values of both groups. */
function countsOverValues(...groups: number[][]): Float64Array[] {
  const values = [...new Set(groups.flat())].sort((a, b) => a - b);
  return groups.map((g) => Float64Array.from(values, (v) => g.filter((x) => x === v).length));
}

describe("Welch's t-test", () => {
  it("Student's sleep data (Cushny & Peebles 1905): R's t.test(extra ~ group, data = sleep) gives t = −1.8608, df = 17.776, p = 0.07939, CI [−3.3655, 0.2055]", () => {
    const g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
    const r = welchTTest({ mean: mean(g1), sd: sd(g1), n: 10 }, { mean: mean(g2), sd: sd(g2), n: 10 });
    assert.ok(r);
    close(r.t, -1.8608134674868526, 1e-12, 't');
    close(r.df, 17.776473516178488, 1e-10, 'df');
    close(r.pValue, 0.0793941401873583, 1e-10, 'p');
    close(r.ci[0], -3.3654832307117104, 1e-9, 'ci low');
    close(r.ci[1], 0.20548323071171137, 1e-9, 'ci high');
    // Cohen's d by hand: −1.58 / √((1.789010² + 2.002249²)/2) = −0.8322
    close(r.cohensD, -0.8321810813495395, 1e-12, 'd');
  });
  it('needs two observations per group and some variance', () => {
    assert.equal(welchTTest({ mean: 1, sd: NaN, n: 1 }, { mean: 2, sd: 1, n: 5 }), null);
    assert.equal(welchTTest({ mean: 1, sd: 0, n: 4 }, { mean: 2, sd: 0, n: 5 }), null);
  });
});

describe('Mann–Whitney U', () => {
  it("Hollander & Wolfe's permeability data (R's ?wilcox.test): W = 35; normal approximation with continuity correction p = 0.2446", () => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const [cx, cy] = countsOverValues(x, y);
    const r = mannWhitneyFromCounts(cx!, cy!);
    assert.ok(r);
    assert.equal(r.u, 35);
    close(r.pValue, 0.24462360512698333, 1e-12, 'p');
    close(r.rankBiserial, (2 * 35) / 50 - 1, 1e-15, 'r');
  });
  it('a tie-heavy 5-point scale (36 vs 31 answers): U = 777.5, tie-corrected p = 0.004772 (SciPy asymptotic, continuity)', () => {
    const a = [3, 5, 10, 12, 6];
    const b = [8, 9, 7, 5, 2];
    const r = mannWhitneyFromCounts(a, b);
    assert.ok(r);
    close(r.u, 777.5, 1e-9, 'U');
    close(r.pValue, 0.004771898253905943, 1e-12, 'p');
    assert.ok(r.rankBiserial > 0, 'group a answers higher');
  });
  it('by hand: a = {1, 2}, b = {3} → U_a = 0, r = −1; identical groups → r = 0, p = 1', () => {
    const r = mannWhitneyFromCounts([1, 1, 0], [0, 0, 1]);
    assert.equal(r?.u, 0);
    assert.equal(r?.rankBiserial, -1);
    const same = mannWhitneyFromCounts([2, 3, 1], [2, 3, 1]);
    assert.equal(same?.rankBiserial, 0);
    assert.equal(same?.pValue, 1);
  });
});

describe('Kruskal–Wallis', () => {
  it("R's ?kruskal.test example (Hollander & Wolfe, p. 116): H = 0.77143, df = 2, p = 0.68", () => {
    const r = kruskalWallisFromCounts(countsOverValues([2.9, 3.0, 2.5, 2.6, 3.2], [3.8, 2.7, 4.0, 2.4], [2.8, 3.4, 3.7, 2.2, 2.0]));
    assert.ok(r);
    close(r.h, 0.7714285714285722, 1e-12, 'H');
    assert.equal(r.df, 2);
    close(r.pValue, 0.6799647735788936, 1e-12, 'p');
  });
  it('two groups: H equals the square of the uncorrected Mann–Whitney z', () => {
    const a = [3, 5, 10, 12, 6];
    const b = [8, 9, 7, 5, 2];
    const kw = kruskalWallisFromCounts([a, b])!;
    // z without continuity correction, by the same tie-corrected variance:
    const mw = mannWhitneyFromCounts(a, b)!;
    const nA = 36;
    const nB = 31;
    const sigma = (mw.u - (nA * nB) / 2 - 0.5) / mw.z;
    close(kw.h, ((mw.u - (nA * nB) / 2) / sigma) ** 2, 1e-9, 'H vs z²');
  });
});

describe('chi-square test of independence', () => {
  it("Agresti's party identification by gender (R's ?chisq.test): X² = 30.07, df = 2, p = 2.954e−07; Cramér's V = 0.1044", () => {
    const r = chiSquareIndependence([
      [762, 327, 468],
      [484, 239, 477],
    ]);
    assert.ok(r);
    close(r.statistic, 30.070149095754672, 1e-9, 'X²');
    assert.equal(r.df, 2);
    close(r.pValue / 2.9535891832117595e-7, 1, 1e-9, 'p');
    close(r.cramersV, 0.10443580235646777, 1e-12, 'V');
    assert.equal(r.cochranOk, true);
  });
  it('drops empty rows and columns before counting df, and flags sparse tables', () => {
    const r = chiSquareIndependence([
      [3, 0, 1],
      [0, 0, 0],
      [1, 0, 4],
    ]);
    assert.ok(r);
    assert.equal(r.df, 1);
    assert.equal(r.cochranOk, false);
    assert.equal(chiSquareIndependence([[1, 2, 3]]), null);
  });
});

describe('two-proportion z', () => {
  it('by hand: 45/100 vs 30/100 → pooled 0.375, z = 0.15/√(0.375·0.625·0.02) = 2.1909, p = 0.02846; z² = X² of the 2×2 table (4.8)', () => {
    const r = twoProportionZTest(45, 100, 30, 100)!;
    close(r.z, 0.15 / Math.sqrt(0.375 * 0.625 * 0.02), 1e-12, 'z');
    close(r.pValue, 0.02845902974879611, 1e-4, 'p');
    close(r.z * r.z, chiSquareIndependence([
      [45, 55],
      [30, 70],
    ])!.statistic, 1e-9, 'z² = X²');
    close(r.cohensH, 2 * Math.asin(Math.sqrt(0.45)) - 2 * Math.asin(Math.sqrt(0.3)), 1e-15, 'h');
  });
});

describe('multiple comparisons', () => {
  // Benjamini & Hochberg (1995), §4: 15 p-values from Neuhaus et al.; at 0.05 the
  // Bonferroni-type procedures reject 3 hypotheses and theirs rejects 4.
  const p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1.0];
  it('Holm: adjusted values by hand (m − i + 1)·p_(i), made monotone; rejects the first 3', () => {
    const adj = holmAdjust(p);
    const expected = [0.0015, 0.0056, 0.0247, 0.114, 0.2211, 0.278, 0.278, 0.278, 0.3213, 1, 1, 1, 1, 1, 1];
    adj.forEach((v, i) => close(v, expected[i]!, 1e-12, `p${i + 1}`));
    assert.equal(adj.filter((v) => v < 0.05).length, 3);
  });
  it('Benjamini–Hochberg: rejects the first 4 (values as SciPy false_discovery_control)', () => {
    const adj = benjaminiHochbergAdjust(p);
    const expected = [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714, 0.06385714, 0.0645, 0.0765, 0.486, 0.58118182, 0.714875, 0.75323077, 0.81321429, 1];
    adj.forEach((v, i) => close(v, expected[i]!, 1e-8, `p${i + 1}`));
    assert.equal(adj.filter((v) => v < 0.05).length, 4);
  });
  it('order does not matter and NaN stays out of the family', () => {
    const shuffled = [0.04, Number.NaN, 0.01, 0.03];
    assert.deepEqual(holmAdjust(shuffled).map((v) => (Number.isNaN(v) ? 'NaN' : v.toFixed(6))), ['0.060000', 'NaN', '0.030000', '0.060000']);
  });
});
