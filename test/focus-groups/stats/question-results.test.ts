/**
 * The per-question result functions: the shapes the service returns (issue 12, "Shapes"),
 * their numbers on hand-computed data, segments with Holm-adjusted tests, weights, SSR
 * answers, determinism per seed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScaleAnswer } from '../../../src/focus-groups/answer-types.js';
import { mean, median, sd } from '../../../src/focus-groups/stats/descriptive.js';
import {
  conjointResults,
  holmAdjust,
  likertResults,
  matrixResults,
  maxDiffResults,
  multipleChoiceResults,
  npsResults,
  openEndedResults,
  questionResults,
  questionResultStream,
  rankingResults,
  sliderResults,
  ssrDistribution,
  statsMethods,
  yesNoResults,
  type RespondentAnswer,
} from '../../../src/focus-groups/stats/index.js';
import { tInterval } from '../../../src/focus-groups/stats/intervals.js';
import { createRng } from '../../../src/focus-groups/stats/random.js';

const close = (actual: number, expected: number, tol: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} vs ${expected} (tol ${tol})`);

const scale = (values: number[], segments?: Record<string, string>[]): RespondentAnswer<ScaleAnswer>[] =>
  values.map((value, i) => ({ answer: { value }, ...(segments ? { segments: segments[i]! } : {}) }));

/** No NaN or Infinity anywhere: the results must serialize to JSON as they are. */
function assertFiniteJson(x: unknown, path = '$'): void {
  if (typeof x === 'number') assert.ok(Number.isFinite(x), `${path} is ${x}`);
  else if (Array.isArray(x)) x.forEach((v, i) => assertFiniteJson(v, `${path}[${i}]`));
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) assertFiniteJson(v, `${path}.${k}`);
}

describe('likert', () => {
  const answers = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5];
  const labels = ['Strongly disagree', 'Disagree', 'Neutral', 'Agree', 'Strongly agree'];
  it('by hand: 12 answers → mean 40/12, median 3.5, sd as the sample sd, top-2-box 6/12, bottom-2-box 3/12; labels; skipped answers', () => {
    const records = [...scale(answers), { answer: null }, { answer: { value: 9 } }];
    const r = likertResults({ id: 'q1', type: 'likert', scale: 5, labels }, records, { seed: 1 });
    assert.equal(r.question_id, 'q1');
    assert.equal(r.type, 'likert');
    assert.equal(r.n, 12);
    assert.equal(r.skipped, 2);
    assert.equal(r.n_effective, undefined);
    assert.deepEqual(
      r.distribution.map((d) => [d.value, d.label, d.count]),
      labels.map((l, i) => [i + 1, l, [1, 2, 3, 4, 2][i]]),
    );
    close(r.mean!, mean(answers), 1e-14);
    close(r.median!, median(answers), 1e-15);
    close(r.sd!, sd(answers), 1e-14);
    close(r.top2box!, 0.5, 1e-15);
    close(r.bottom2box!, 0.25, 1e-15);
    assert.deepEqual(r.ci.mean_t, tInterval(mean(answers), sd(answers), 12, 0.95));
    assert.ok(r.ci.mean![0] < r.mean! && r.mean! < r.ci.mean![1]);
    assert.ok(r.ci.top2box![0] <= 0.5 && 0.5 <= r.ci.top2box![1]);
    assert.deepEqual(r.segments, []);
    assertFiniteJson(r);
  });
  it('is reproducible per seed, and the seed matters', () => {
    const q = { id: 'q1', type: 'likert' as const, scale: 5 };
    const rng = createRng(8);
    const many = scale(Array.from({ length: 200 }, () => 1 + rng.nextInt(5)));
    const a = likertResults(q, many, { seed: 'study-1' });
    assert.deepEqual(likertResults(q, many, { seed: 'study-1' }), a);
    assert.notDeepEqual(likertResults(q, many, { seed: 'study-2' }).ci.mean, a.ci.mean);
  });
  it('segments: groups with the same statistics, a chi-square and pairwise Mann–Whitney tests, Holm-adjusted together', () => {
    const rng = createRng(5);
    const values: number[] = [];
    const segs: Record<string, string>[] = [];
    for (let i = 0; i < 300; i++) {
      const persona = ['optimist', 'skeptic', 'neutral'][i % 3]!;
      const base = persona === 'optimist' ? 4 : persona === 'skeptic' ? 2 : 3;
      values.push(Math.min(5, Math.max(1, base + rng.nextInt(3) - 1)));
      segs.push({ persona, region: i % 2 ? 'north' : 'south' });
    }
    const r = likertResults({ id: 'q2', type: 'likert', scale: 5 }, scale(values, segs), { seed: 3, segmentBy: ['persona', 'region'] });
    assert.deepEqual(
      r.segments.map((s) => [s.by, s.groups.map((g) => [g.key, g.n])]),
      [
        ['persona', [['neutral', 100], ['optimist', 100], ['skeptic', 100]]],
        ['region', [['north', 150], ['south', 150]]],
      ],
    );
    const persona = r.segments[0]!;
    const optimist = persona.groups.find((g) => g.key === 'optimist')!;
    assert.ok(optimist.mean! > 3.5 && optimist.ci.mean !== null);
    assert.deepEqual(
      persona.tests.map((t) => [t.test, t.groups.join(' vs ')]),
      [
        ['chi_square', 'neutral vs optimist vs skeptic'],
        ['mann_whitney_u', 'neutral vs optimist'],
        ['mann_whitney_u', 'neutral vs skeptic'],
        ['mann_whitney_u', 'optimist vs skeptic'],
      ],
    );
    const os = persona.tests[3]!;
    assert.ok(os.significant && os.effect_size!.measure === 'rank_biserial' && os.effect_size!.value > 0.5);
    close(os.difference!, optimist.mean! - persona.groups[2]!.mean!, 1e-12);
    const all = r.segments.flatMap((s) => s.tests);
    const adjusted = holmAdjust(all.map((t) => t.p_value));
    all.forEach((t, i) => close(t.p_adjusted, adjusted[i]!, 1e-15, `${t.metric} ${t.groups}`));
    assertFiniteJson(r);
  });
  it('weights: uniform weights change nothing but add n_effective; weight 2 on a respondent counts like two respondents in the distribution', () => {
    const q = { id: 'q', type: 'likert' as const, scale: 5 };
    const plain = likertResults(q, scale(answers), { seed: 1 });
    const uniform = likertResults(q, scale(answers).map((r) => ({ ...r, weight: 3 })), { seed: 1 });
    assert.equal(uniform.n_effective, 12);
    close(uniform.mean!, plain.mean!, 1e-14);
    close(uniform.sd!, plain.sd!, 1e-14);
    const doubled = likertResults(q, scale([1, 5]).map((r, i) => ({ ...r, weight: i === 1 ? 2 : 1 })), { seed: 1 });
    const copied = likertResults(q, scale([1, 5, 5]), { seed: 1 });
    assert.deepEqual(doubled.distribution.map((d) => d.share), copied.distribution.map((d) => d.share));
    close(doubled.n_effective!, 9 / 5, 1e-15);
  });
  it('SSR answers: each spreads over the scale; the mean is the mean of the expected values, the counts fractional', () => {
    const anchors = [1, 2, 3, 4, 5].map((k) => [Math.cos(k), Math.sin(k), 0.3]);
    const embeddings = [
      [1, 0, 0],
      [0, 1, 0],
      [0.5, 0.5, 0.5],
    ];
    const records = embeddings.map((e) => {
      const distribution = Array.from(ssrDistribution(e, [anchors]));
      return { answer: { value: distribution.reduce((s, p, i) => s + p * (i + 1), 0), distribution, text: 'words' } };
    });
    const r = likertResults({ id: 'q', type: 'likert', scale: 5 }, records, { seed: 1 });
    close(r.mean!, mean(records.map((x) => x.answer.value)), 1e-12);
    close(r.distribution.reduce((s, d) => s + d.count, 0), 3, 1e-12);
    assert.ok(r.distribution.some((d) => !Number.isInteger(d.count)));
  });
});

describe('nps', () => {
  it('by hand: 50 promoters, 30 passives, 20 detractors → NPS 30, se 7.81, normal interval 30 ± 1.96·7.81; reference distance', () => {
    const counts = [5, 0, 5, 0, 5, 0, 5, 10, 20, 25, 25];
    const values = counts.flatMap((c, v) => Array.from({ length: c }, () => v));
    const reference = counts.map(() => 1 / 11);
    const r = npsResults({ id: 'nps', type: 'nps', reference }, scale(values), { seed: 1 });
    close(r.nps!.score, 30, 1e-12);
    close(r.nps!.se!, 100 * Math.sqrt(0.61 / 100), 1e-12);
    close(r.ci.nps_normal![1] - 30, 1.959963984540054 * r.nps!.se!, 1e-9);
    assert.ok(r.ci.nps![0] < 30 && r.ci.nps![1] > 30);
    close((r.ci.nps![1] - r.ci.nps![0]) / (r.ci.nps_normal![1] - r.ci.nps_normal![0]), 1, 0.1, 'bootstrap vs normal width');
    assert.equal(r.top2box, undefined);
    assert.ok(r.reference && r.reference.wasserstein! > 0 && r.reference.wasserstein! < 1);
    close(r.reference.representativeness!, 1 - r.reference.wasserstein!, 1e-15);
  });
});

describe('other scale types', () => {
  it('slider: Welch t pairwise and Kruskal–Wallis across groups, no top-box', () => {
    const values = Array.from({ length: 60 }, (_, i) => (i % 2 ? 70 : 30) + (i % 7));
    const segs = values.map((_, i) => ({ persona: i % 2 ? 'fan' : 'critic' }));
    const r = sliderResults({ id: 's', type: 'slider' }, scale(values, segs), { seed: 1, segmentBy: ['persona'] });
    assert.equal(r.distribution.length, 101);
    assert.equal(r.top2box, undefined);
    assert.deepEqual(r.segments[0]!.tests.map((t) => t.test), ['kruskal_wallis', 'welch_t']);
    assert.equal(r.segments[0]!.tests[1]!.effect_size!.measure, 'cohens_d');
    const [critic, fan] = r.segments[0]!.groups;
    close(r.segments[0]!.tests[1]!.difference!, critic!.mean! - fan!.mean!, 1e-12);
    assert.ok(r.segments[0]!.tests[1]!.p_value < 1e-10);
  });
  it('yes/no: share of yes with its interval; two-proportion z between groups', () => {
    const records = Array.from({ length: 200 }, (_, i) => ({ answer: { value: i % 10 < (i < 100 ? 3 : 6) }, segments: { g: i < 100 ? 'a' : 'b' } }));
    const r = yesNoResults({ id: 'y', type: 'yes_no' }, records, { seed: 1, segmentBy: ['g'] });
    close(r.yes!, 0.45, 1e-15);
    assert.deepEqual(r.distribution.map((d) => d.value), ['yes', 'no']);
    assert.ok(r.ci.yes![0] < 0.45 && r.ci.yes![1] > 0.45);
    const z = r.segments[0]!.tests.find((t) => t.test === 'two_proportion_z')!;
    close(z.difference!, -0.3, 1e-12);
    close(z.statistic, -0.3 / Math.sqrt(0.45 * 0.55 * 0.02), 1e-9);
  });
});

describe('choice types', () => {
  it('multiple choice, single: shares with intervals, "other" texts counted; unknown-only answers skipped', () => {
    const records: RespondentAnswer<{ selected: string[]; other?: string }>[] = [
      { answer: { selected: ['Price'] } },
      { answer: { selected: ['Price'] } },
      { answer: { selected: ['Quality'] } },
      { answer: { selected: [], other: 'Brand name.' } },
      { answer: { selected: ['other'], other: 'brand name' } },
      { answer: { selected: ['Nope'] } },
    ];
    const r = multipleChoiceResults({ id: 'm', type: 'multiple_choice', options: ['Price', 'Quality'] }, records, { seed: 1 });
    assert.equal(r.n, 5);
    assert.equal(r.skipped, 1);
    assert.deepEqual(r.distribution.map((d) => [d.value, d.count]), [['Price', 2], ['Quality', 1], ['other', 2]]);
    assert.ok(r.distribution.every((d) => d.ci !== undefined));
    assert.deepEqual(r.other_answers, [{ text: 'brand name', count: 2 }]);
  });
  it('multiple choice, multi-select: shares of respondents (summing past 1), a chi-square per option across groups', () => {
    const records = Array.from({ length: 40 }, (_, i) => ({ answer: { selected: i % 2 ? ['A', 'B'] : ['A'] }, segments: { g: i % 2 ? 'x' : 'y' } }));
    const r = multipleChoiceResults({ id: 'm', type: 'multiple_choice', options: ['A', 'B'], multiple: true }, records, { seed: 1, segmentBy: ['g'] });
    assert.equal(r.multiple, true);
    assert.deepEqual(r.distribution.map((d) => d.share), [1, 0.5, 0]);
    assert.deepEqual(r.segments[0]!.tests.map((t) => t.metric), ['option:B']);
  });
  it('ranking: mean ranks, Borda, first-choice distribution; Kruskal–Wallis per option across groups', () => {
    const records = Array.from({ length: 30 }, (_, i) => ({ answer: { order: i % 3 ? ['A', 'B', 'C'] : ['C', 'B', 'A'] }, segments: { g: i % 3 ? 'p' : 'q' } }));
    const r = rankingResults({ id: 'r', type: 'ranking', options: ['A', 'B', 'C'] }, records, { seed: 1, segmentBy: ['g'] });
    close(r.options[0]!.mean_rank!, (20 * 1 + 10 * 3) / 30, 1e-12);
    close(r.options[1]!.borda, 1, 1e-12);
    assert.deepEqual(r.distribution.map((d) => d.count), [20, 0, 10]);
    assert.deepEqual(r.segments[0]!.tests.map((t) => t.metric), ['rank:A', 'rank:C']); // B is always second: no test possible
  });
  it('maxdiff: scores per item; conjoint: part-worths, importances and the position distribution', () => {
    const md = maxDiffResults({ id: 'md', type: 'maxdiff', options: ['A', 'B', 'C'] }, [{ answer: { tasks: [{ shown: ['A', 'B', 'C'], best: 'A', worst: 'C' }] } }], { seed: 1 });
    assert.deepEqual(md.items.map((i) => i.score), [1, 0, -1]);
    const tasks = Array.from({ length: 100 }, (_, i) => ({ shown: [{ color: 'red' }, { color: 'blue' }], chosen: i < 75 ? 0 : 1 }));
    const cj = conjointResults({ id: 'c', type: 'conjoint', attributes: [{ name: 'color', levels: ['red', 'blue'] }] }, [{ answer: { tasks } }], { seed: 1 });
    close(cj.attributes[0]!.levels[0]!.part_worth, Math.log(3) / 2, 1e-3);
    assert.deepEqual(cj.distribution.map((d) => [d.value, d.share]), [[1, 0.75], [2, 0.25]]);
  });
  it('conjoint segments: a likelihood-ratio test finds groups with opposite preferences', () => {
    const records = Array.from({ length: 80 }, (_, i) => ({
      answer: { tasks: Array.from({ length: 5 }, (_, t) => ({ shown: [{ color: 'red' }, { color: 'blue' }], chosen: (i % 2 ? t < 4 : t < 1) ? 0 : 1 })) },
      segments: { g: i % 2 ? 'likes-red' : 'likes-blue' },
    }));
    const r = conjointResults({ id: 'c', type: 'conjoint', attributes: [{ name: 'color', levels: ['red', 'blue'] }] }, records, { seed: 1, segmentBy: ['g'] });
    const t = r.segments[0]!.tests[0]!;
    assert.equal(t.test, 'likelihood_ratio');
    assert.equal(t.df, 1);
    assert.ok(t.p_value < 1e-6);
  });
});

describe('matrix and open-ended', () => {
  it('matrix: per-row statistics and tests, pooled distribution, n counts respondents', () => {
    const records = Array.from({ length: 20 }, (_, i) => ({ answer: { rows: { Price: { value: 1 + (i % 5) }, Quality: { value: 5 } } }, segments: { g: i < 10 ? 'a' : 'b' } }));
    const r = matrixResults({ id: 'mx', type: 'matrix', rows: ['Price', 'Quality'], scale: 5 }, records, { seed: 1, segmentBy: ['g'] });
    assert.equal(r.n, 20);
    assert.deepEqual(r.rows.map((row) => [row.row, row.n, row.mean]), [['Price', 20, 3], ['Quality', 20, 5]]);
    close(r.distribution[4]!.share, 24 / 40, 1e-15);
    const tests = r.segments[0]!.tests;
    assert.deepEqual(tests.map((t) => `${t.test} ${t.metric}`), ['chi_square row:Price:distribution', 'mann_whitney_u row:Price:scale', 'mann_whitney_u row:Quality:scale']);
    assert.equal(tests[2]!.p_value, 1, 'identical answers');
  });
  it('open-ended: themes with quotes, distribution over theme ids and unthemed, chi-square across groups', () => {
    const texts = ['too expensive for the price', 'the price is too high', 'costs too much money', 'delivery was late', 'late delivery again', 'shipping was slow and late'];
    const records = Array.from({ length: 60 }, (_, i) => ({ answer: { text: texts[i % 6]! }, segments: { g: i % 6 < 3 ? 'thrifty' : 'busy' }, respondent_id: `r${i}` }));
    records.push({ answer: { text: 'ok' }, segments: { g: 'busy' }, respondent_id: 'r60' });
    const r = openEndedResults({ id: 'o', type: 'open_ended' }, records, { seed: 1, segmentBy: ['g'], sentiment: (t) => (t.includes('late') ? -1 : 0) });
    assert.equal(r.method, 'lexical');
    assert.ok(r.themes.length >= 2);
    assert.equal(r.unthemed.count, 1);
    assert.deepEqual(r.distribution.map((d) => d.value), [...r.themes.map((t) => t.id), 'unthemed']);
    assert.ok(r.themes.every((t) => t.quotes.length > 0 && t.sentiment !== undefined));
    const chi = r.segments[0]!.tests[0]!;
    assert.equal(chi.metric, 'themes');
    assert.ok(chi.p_value < 1e-6);
    assertFiniteJson({ ...r, themes: r.themes.map((t) => ({ ...t, sentiment: t.sentiment ?? 0 })) });
  });
});

describe('questionResults and methods', () => {
  it('dispatches by type and describes the methods', () => {
    const r = questionResults({ id: 'n', type: 'nps' }, scale([10, 9, 0]), { seed: 1, replicates: 0 });
    assert.equal(r.type, 'nps');
    if (r.type === 'nps') {
      close(r.nps!.score, 100 / 3, 1e-12);
      assert.equal(r.ci.mean, null, 'no bootstrap with 0 replicates');
    }
    assert.equal(statsMethods().bootstrap_replicates, 1000);
    assert.equal(statsMethods({ replicates: 1e9 }).bootstrap_replicates, 10_000);
    assert.throws(() => questionResults({ id: 'n', type: 'nps' }, [{ answer: { value: 1 }, weight: -1 }], { seed: 1 }), /weights/);
  });
});

describe('questionResultStream', () => {
  it('gives what questionResults gives, fed one record at a time into a reused object (add keeps nothing of a record)', () => {
    const texts = ['too expensive for the price', 'the price is too high', 'delivery was late', 'late delivery again', ''];
    const cases = [
      { question: { id: 'n', type: 'nps' } as const, answer: (i: number) => ({ value: i % 11 }) },
      { question: { id: 'm', type: 'multiple_choice', options: ['A', 'B'], multiple: true } as const, answer: (i: number) => ({ selected: i % 3 ? ['A', 'B'] : ['B'] }) },
      { question: { id: 'o', type: 'open_ended' } as const, answer: (i: number) => ({ text: texts[i % 5]! }) },
    ];
    for (const { question, answer } of cases) {
      const records = Array.from({ length: 60 }, (_, i) => ({ answer: i % 7 === 6 ? null : answer(i), weight: 1 + (i % 4) / 4, segments: { g: i % 2 ? 'x' : 'y' }, respondent_id: `r${i}` }));
      const options = { seed: 3, segmentBy: ['g'], replicates: 200 };
      const stream = questionResultStream(question, options);
      const scratch: RespondentAnswer<never> = { answer: null };
      for (const r of records) {
        Object.assign(scratch, r);
        stream.add(scratch as RespondentAnswer<never>);
        Object.assign(scratch, { answer: { value: -1, selected: ['Z'], text: 'overwritten afterwards' }, weight: 9, segments: { g: 'z' }, respondent_id: 'gone' });
      }
      assert.deepEqual(stream.result(), questionResults(question, records as RespondentAnswer<never>[], options), question.type);
    }
  });
});
