/** Ranking (mean rank, Borda), MaxDiff counts and the conjoint logit against hand-computed values and known utilities. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addConjointTask, createConjointTally, fitConjoint, type ConjointProfile } from '../../../src/focus-groups/stats/conjoint.js';
import { addMaxDiffAnswer, createMaxDiffTally, maxDiffScores } from '../../../src/focus-groups/stats/maxdiff.js';
import { createRng } from '../../../src/focus-groups/stats/random.js';
import { addRankingByName as addRanking, createRankingTally, rankingStats } from '../../../src/focus-groups/stats/ranking.js';

const close = (actual: number, expected: number, tol: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} vs ${expected} (tol ${tol})`);

describe('ranking', () => {
  it("Borda on Wikipedia's Tennessee capital example (42/26/15/17 voters): Nashville 194, Chattanooga 173, Memphis 126, Knoxville 107 per 100 voters", () => {
    const cities = ['Memphis', 'Nashville', 'Chattanooga', 'Knoxville'];
    const t = createRankingTally(cities);
    const blocs: [number, string[]][] = [
      [42, ['Memphis', 'Nashville', 'Chattanooga', 'Knoxville']],
      [26, ['Nashville', 'Chattanooga', 'Knoxville', 'Memphis']],
      [15, ['Chattanooga', 'Knoxville', 'Nashville', 'Memphis']],
      [17, ['Knoxville', 'Chattanooga', 'Nashville', 'Memphis']],
    ];
    for (const [voters, order] of blocs) for (let i = 0; i < voters; i++) addRanking(t, order);
    const s = rankingStats(t, 0.95);
    const borda = Object.fromEntries(s.map((o) => [o.option, o.borda * 100]));
    close(borda.Memphis!, 126, 1e-9);
    close(borda.Nashville!, 194, 1e-9);
    close(borda.Chattanooga!, 173, 1e-9);
    close(borda.Knoxville!, 107, 1e-9);
    close(s.reduce((a, o) => a + o.borda_share, 0), 1, 1e-12);
    // Mean rank of Memphis: (42·1 + 58·4)/100 = 2.74; first choice 42%.
    close(s[0]!.mean_rank!, 2.74, 1e-12);
    close(s[0]!.first_choice, 0.42, 1e-12);
    close(s[0]!.rank_distribution[3]!, 0.58, 1e-12);
  });
  it('partial rankings: unranked options get no Borda points and do not enter their mean rank; weights count', () => {
    const t = createRankingTally(['a', 'b', 'c']);
    addRanking(t, ['a'], 2);
    addRanking(t, ['b', 'a', 'zzz', 'b'], 1); // unknown and repeated entries ignored
    const s = rankingStats(t, 0.95);
    close(s[0]!.mean_rank!, (2 * 1 + 1 * 2) / 3, 1e-15, 'a');
    close(s[0]!.borda, (2 * 2 + 1 * 1) / 3, 1e-15, 'a borda');
    assert.equal(s[2]!.mean_rank, null);
    assert.equal(s[2]!.borda, 0);
    close(s[1]!.first_choice, 1 / 3, 1e-15);
  });
});

describe('MaxDiff', () => {
  it('counts by hand: 4 tasks over A–D; score = (best − worst)/shown', () => {
    const t = createMaxDiffTally(['A', 'B', 'C', 'D']);
    addMaxDiffAnswer(t, ['A', 'B', 'C'], 'A', 'C');
    addMaxDiffAnswer(t, ['A', 'B', 'D'], 'B', 'D');
    addMaxDiffAnswer(t, ['B', 'C', 'D'], 'B', 'C');
    addMaxDiffAnswer(t, ['A', 'C', 'D'], 'D', 'C');
    addMaxDiffAnswer(t, ['A', 'B'], 'C', 'A'); // best not shown: skipped
    const s = Object.fromEntries(maxDiffScores(t).map((x) => [x.item, x]));
    close(s.A!.score!, 1 / 3, 1e-15);
    close(s.B!.score!, 2 / 3, 1e-15);
    close(s.C!.score!, -1, 1e-15);
    close(s.D!.score!, 0, 1e-15);
    close(s.D!.best_share!, 1 / 3, 1e-15);
    assert.equal(s.A!.shown, 3);
    assert.equal(t.skippedTasks, 1);
  });
});

describe('conjoint (multinomial logit)', () => {
  it('by hand: two levels, 100 paired choices, level x chosen 75 times → the logit MLE of the difference is ln(75/25) = ln 3, so effects-coded part-worths are ±ln 3 / 2', () => {
    const t = createConjointTally([{ name: 'color', levels: ['red', 'blue'] }]);
    for (let i = 0; i < 100; i++) addConjointTask(t, [{ color: 'red' }, { color: 'blue' }], i < 75 ? 0 : 1);
    const fit = fitConjoint(t, { ridge: 0 });
    assert.equal(fit.converged, true);
    assert.equal(fit.identified, true);
    close(fit.attributes[0]!.levels[0]!.part_worth, Math.log(3) / 2, 1e-9, 'red');
    close(fit.attributes[0]!.levels[1]!.part_worth, -Math.log(3) / 2, 1e-9, 'blue');
    // SE of β (half the log odds): √(1/(n p (1−p))) / 2 = √(1/18.75)/2
    close(fit.attributes[0]!.levels[0]!.se!, Math.sqrt(1 / 18.75) / 2, 1e-9, 'se');
    close(fit.attributes[0]!.importance, 100, 1e-12);
    close(fit.attributes[0]!.levels[0]!.choice_share!, 0.75, 1e-15);
    close(fit.null_log_likelihood, 100 * Math.log(0.5), 1e-9);
    close(fit.log_likelihood, 75 * Math.log(0.75) + 25 * Math.log(0.25), 1e-9);
  });

  it('recovers known part-worths from 20,000 simulated choices (3 profiles a task, a none option), each within 4 standard errors; importances from the true ranges', () => {
    const attributes = [
      { name: 'price', levels: ['$5', '$10', '$15'] },
      { name: 'brand', levels: ['A', 'B'] },
      { name: 'size', levels: ['S', 'M', 'L', 'XL'] },
    ];
    const truth: Record<string, number[]> = { price: [0.8, 0.1, -0.9], brand: [0.3, -0.3], size: [-0.5, 0.2, 0.4, -0.1] };
    const noneUtility = -0.5;
    const rng = createRng(77);
    const t = createConjointTally(attributes);
    const gumbel = (): number => -Math.log(-Math.log(1 - rng.next()));
    for (let task = 0; task < 20_000; task++) {
      const shown: ConjointProfile[] = [0, 1, 2].map(() => Object.fromEntries(attributes.map((a) => [a.name, a.levels[rng.nextInt(a.levels.length)]!])));
      const utilities = shown.map((p) => attributes.reduce((u, a) => u + truth[a.name]![a.levels.indexOf(p[a.name]!)]!, 0) + gumbel());
      const none = noneUtility + gumbel();
      const best = utilities.indexOf(Math.max(...utilities));
      addConjointTask(t, shown, none > utilities[best]! ? null : best, 1);
    }
    const fit = fitConjoint(t);
    assert.equal(fit.converged, true);
    assert.equal(fit.identified, true);
    assert.ok(fit.iterations < 15, `iterations ${fit.iterations}`);
    for (const a of fit.attributes) {
      a.levels.forEach((l, i) => {
        const expected = truth[a.attribute]![i]!;
        assert.ok(Math.abs(l.part_worth - expected) <= 4 * l.se!, `${a.attribute}=${l.level}: ${l.part_worth} vs ${expected} ± 4·${l.se}`);
      });
    }
    assert.ok(fit.none && Math.abs(fit.none.utility - noneUtility) <= 4 * fit.none.se!, `none ${fit.none?.utility}`);
    const ranges = { price: 1.7, brand: 0.6, size: 0.9 };
    for (const a of fit.attributes) close(a.importance, (100 * ranges[a.attribute as keyof typeof ranges]) / 3.2, 2.5, a.attribute);
    assert.ok(fit.mcfadden_r2 > 0 && fit.mcfadden_r2 < 1);
  });

  it('one fixed choice set cannot identify more parameters than it has alternatives: identified = false, still finite', () => {
    const attributes = [
      { name: 'a', levels: ['a1', 'a2', 'a3'] },
      { name: 'b', levels: ['b1', 'b2', 'b3'] },
    ];
    const t = createConjointTally(attributes);
    const set = [
      { a: 'a1', b: 'b1' },
      { a: 'a2', b: 'b2' },
    ];
    for (let i = 0; i < 50; i++) addConjointTask(t, set, i % 3 === 0 ? 1 : 0);
    const fit = fitConjoint(t);
    assert.equal(fit.identified, false);
    assert.ok(fit.attributes.every((a) => a.levels.every((l) => Number.isFinite(l.part_worth))));
  });

  it('an always-chosen level stays finite under the ridge, and unknown levels skip the task', () => {
    const t = createConjointTally([{ name: 'c', levels: ['x', 'y'] }]);
    for (let i = 0; i < 30; i++) addConjointTask(t, [{ c: 'x' }, { c: 'y' }], 0);
    addConjointTask(t, [{ c: 'x' }, { c: 'zzz' }], 0);
    const fit = fitConjoint(t);
    assert.equal(t.skippedTasks, 1);
    assert.ok(Number.isFinite(fit.attributes[0]!.levels[0]!.part_worth) && fit.attributes[0]!.levels[0]!.part_worth > 2);
  });
});
