/**
 * Intervals of proportions: the Wilson score interval against textbook values (Newcombe,
 * "Two-sided confidence intervals for the single proportion", Statistics in Medicine 1998,
 * Table I, method 3) and against the closed forms at the boundary — at x = n the lower bound
 * is n / (n + z²), at x = 0 the upper bound is z² / (n + z²) — and each statistic that is a
 * proportion (yes, top-2/bottom-2-box, multiple-choice shares, first-choice shares of a
 * ranking) reporting it, on Kish's effective n when weighted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { likertResults, multipleChoiceResults, npsResults, rankingResults, statsMethods, yesNoResults } from '../../../src/focus-groups/stats/index.js';
import { wilsonInterval } from '../../../src/focus-groups/stats/intervals.js';

const Z2 = 1.959963984540054 ** 2;

function closeInterval(actual: readonly [number, number] | null | undefined, expected: readonly [number, number], tol: number, what = ''): void {
  assert.ok(actual, `${what}: no interval`);
  assert.ok(Math.abs(actual[0] - expected[0]) <= tol && Math.abs(actual[1] - expected[1]) <= tol, `${what}: [${actual}] vs [${expected}] (tol ${tol})`);
}

describe('wilsonInterval', () => {
  it("matches Newcombe's (1998) Table I at 95%", () => {
    closeInterval(wilsonInterval(81 / 263, 263, 0.95), [0.2553, 0.3662], 5e-5, '81/263');
    closeInterval(wilsonInterval(15 / 148, 148, 0.95), [0.0624, 0.1605], 5e-5, '15/148');
    closeInterval(wilsonInterval(0 / 20, 20, 0.95), [0, 0.1611], 5e-5, '0/20');
    closeInterval(wilsonInterval(1 / 29, 29, 0.95), [0.0061, 0.1718], 5e-5, '1/29');
  });
  it('does not collapse at 0 or n successes: [n/(n+z²), 1] and [0, z²/(n+z²)], exactly 1 and 0 at the edge', () => {
    const all = wilsonInterval(1, 15, 0.95)!;
    closeInterval(all, [15 / (15 + Z2), 1], 1e-12, '15/15');
    closeInterval(all, [0.796, 1], 5e-4, '15/15 (3 decimals)');
    assert.equal(all[1], 1);
    const none = wilsonInterval(0, 10, 0.95)!;
    closeInterval(none, [0, Z2 / (10 + Z2)], 1e-12, '0/10');
    closeInterval(none, [0, 0.2775], 5e-5, '0/10 (4 decimals)');
    assert.equal(none[0], 0);
    // A share a sum of shares pushed past 1 by an ulp is still 100%.
    assert.deepEqual(wilsonInterval(1 + 2 ** -52, 15, 0.95), all);
  });
  it('is symmetric in p ↔ 1 − p, widens with the level, and is undefined without answers', () => {
    const a = wilsonInterval(0.3, 40, 0.95)!;
    const b = wilsonInterval(0.7, 40, 0.95)!;
    closeInterval(a, [1 - b[1], 1 - b[0]], 1e-12, 'symmetry');
    const c = wilsonInterval(0.3, 40, 0.99)!;
    assert.ok(c[0] < a[0] && c[1] > a[1]);
    assert.equal(wilsonInterval(0.5, 0, 0.95), null);
    assert.equal(wilsonInterval(Number.NaN, 10, 0.95), null);
  });
});

const yesNo = (values: boolean[], weights?: number[], segments?: Record<string, string>[]) =>
  values.map((value, i) => ({ answer: { value }, ...(weights ? { weight: weights[i]! } : {}), ...(segments ? { segments: segments[i]! } : {}) }));

describe('proportions in the results get the Wilson interval', () => {
  it('yes/no, 15 of 15 yes: [0.796, 1] for yes, [0, 0.204] for no — not [1, 1]', () => {
    const r = yesNoResults({ id: 'y', type: 'yes_no' }, yesNo(Array(15).fill(true)), { seed: 1 });
    assert.equal(r.yes, 1);
    closeInterval(r.ci.yes, [15 / (15 + Z2), 1], 1e-12, 'ci.yes');
    closeInterval(r.distribution[0]!.ci, [15 / (15 + Z2), 1], 1e-12, 'distribution yes');
    closeInterval(r.distribution[1]!.ci, [0, Z2 / (15 + Z2)], 1e-12, 'distribution no');
    // The interval of a proportion does not come from the bootstrap: none with 0 replicates either.
    assert.deepEqual(yesNoResults({ id: 'y', type: 'yes_no' }, yesNo(Array(15).fill(true)), { seed: 1, replicates: 0 }).ci.yes, r.ci.yes);
  });
  it('yes/no per segment group: each group its own n (3 of 12 yes: Wilson [0.0889, 0.5323])', () => {
    const values = [...Array(12).keys()].map((i) => i < 3).concat(Array(5).fill(false));
    const segs = values.map((_, i) => ({ g: i < 12 ? 'a' : 'b' }));
    const r = yesNoResults({ id: 'y', type: 'yes_no' }, yesNo(values, undefined, segs), { seed: 1, segmentBy: ['g'] });
    const [a, b] = r.segments[0]!.groups;
    closeInterval(a!.ci.yes, [0.0889, 0.5323], 5e-5, 'group a, 3/12');
    closeInterval(b!.ci.yes, [0, Z2 / (5 + Z2)], 1e-12, 'group b, 0/5');
  });
  it("weighted: the weighted share on Kish's effective n", () => {
    // yes weights 2, 1, 1; no weights 1, 1: p = 4/6, n_eff = 6² / (4 + 1 + 1 + 1 + 1) = 4.5.
    const r = yesNoResults({ id: 'y', type: 'yes_no' }, yesNo([true, true, true, false, false], [2, 1, 1, 1, 1]), { seed: 1 });
    closeInterval(r.ci.yes, [0.260929, 0.918896], 1e-6, 'weighted');
    // All yes, weights 1, 2, 3: n_eff = 36/14; lower bound n_eff / (n_eff + z²) = 0.400978.
    const all = yesNoResults({ id: 'y', type: 'yes_no' }, yesNo([true, true, true], [1, 2, 3]), { seed: 1 });
    closeInterval(all.ci.yes, [36 / 14 / (36 / 14 + Z2), 1], 1e-12, 'weighted, all yes');
  });
  it('top-2-box and bottom-2-box: 15 answers of 5 on a 5-point scale → top [0.796, 1], bottom [0, 0.204]', () => {
    const r = likertResults(
      { id: 'l', type: 'likert', scale: 5 },
      Array.from({ length: 15 }, () => ({ answer: { value: 5 } })),
      { seed: 1 },
    );
    assert.equal(r.top2box, 1);
    closeInterval(r.ci.top2box, [15 / (15 + Z2), 1], 1e-12, 'top2box');
    closeInterval(r.ci.bottom2box, [0, Z2 / (15 + Z2)], 1e-12, 'bottom2box');
    // 6 of 8 in the top two: Wilson [0.4093, 0.9285].
    const mixed = likertResults(
      { id: 'l', type: 'likert', scale: 5 },
      [5, 5, 4, 4, 4, 5, 1, 2].map((value) => ({ answer: { value } })),
      { seed: 1 },
    );
    closeInterval(mixed.ci.top2box, [0.409275, 0.928521], 1e-6, 'top2box 6/8');
    closeInterval(mixed.ci.bottom2box, [0.071479, 0.590725], 1e-6, 'bottom2box 2/8');
  });
  it('multiple choice: single-choice shares and multi-select shares of respondents', () => {
    const single = multipleChoiceResults(
      { id: 'm', type: 'multiple_choice', options: ['A', 'B'] },
      Array.from({ length: 10 }, () => ({ answer: { selected: ['A'] } })),
      { seed: 1 },
    );
    closeInterval(single.distribution[0]!.ci, [10 / (10 + Z2), 1], 1e-12, 'single A 10/10');
    closeInterval(single.distribution[1]!.ci, [0, Z2 / (10 + Z2)], 1e-12, 'single B 0/10');
    const multi = multipleChoiceResults(
      { id: 'm', type: 'multiple_choice', options: ['A', 'B'], multiple: true },
      Array.from({ length: 10 }, (_, i) => ({ answer: { selected: i < 3 ? ['A', 'B'] : ['A'] } })),
      { seed: 1 },
    );
    closeInterval(multi.distribution[0]!.ci, [0.7225, 1], 5e-5, 'multi A 10/10');
    closeInterval(multi.distribution[1]!.ci, [0.1078, 0.6032], 5e-5, 'multi B 3/10');
    closeInterval(multi.distribution[2]!.ci, [0, 0.2775], 5e-5, 'multi other 0/10');
  });
  it('ranking: the first-choice share of each option (1 of 4 first → [0.0456, 0.6994])', () => {
    const orders = [
      ['A', 'B'],
      ['A', 'B'],
      ['A', 'B'],
      ['B', 'A'],
    ];
    const r = rankingResults(
      { id: 'r', type: 'ranking', options: ['A', 'B'] },
      orders.map((order) => ({ answer: { order } })),
      { seed: 1 },
    );
    assert.deepEqual(
      r.distribution.map((d) => d.share),
      [0.75, 0.25],
    );
    closeInterval(r.distribution[1]!.ci, [0.0456, 0.6994], 5e-5, 'B first 1/4');
    closeInterval(r.distribution[0]!.ci, [0.3006, 0.9544], 5e-5, 'A first 3/4');
  });
  it('NPS and means keep the seeded bootstrap; the methods say which interval each statistic gets', () => {
    const r = npsResults(
      { id: 'n', type: 'nps' },
      [10, 9, 8, 3, 10, 6, 9, 7].map((value) => ({ answer: { value } })),
      { seed: 1 },
    );
    assert.ok(r.ci.nps && r.ci.nps[0] < r.nps!.score && r.nps!.score < r.ci.nps[1]);
    assert.equal(
      npsResults(
        { id: 'n', type: 'nps' },
        [10, 9, 8, 3].map((value) => ({ answer: { value } })),
        { seed: 1, replicates: 0 },
      ).ci.nps,
      null,
    );
    const m = statsMethods();
    assert.match(m.intervals.proportions, /^Wilson score interval on Kish’s effective n/);
    assert.match(m.intervals.nps, /^percentile bootstrap \(ci\.nps\)/);
    assert.match(m.nps, /interval: percentile bootstrap \(ci\.nps\)/);
    assert.doesNotMatch(m.nps, /; normal interval/);
  });
});
