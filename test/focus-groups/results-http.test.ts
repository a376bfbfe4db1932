/**
 * GET /v1/focus-groups/{id}/results and the exports over real HTTP, on a sandbox study
 * with a fixed seed: every statistic checked against what this test computes itself from
 * the respondents' answers (read through GET …/respondents): counts, NPS, means, medians,
 * sds, top-2-box, shares, mean ranks, matrix rows, the reference distance, per-persona and
 * per-attribute groups; raking to target marginals checked against the one-dimension
 * closed form; `segment_by` and `targets` refused with their param; the HTML report
 * self-contained and escaped (a live study whose model answers carry markup).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { api, instanceOf, readEvents, requestedSchema } from '../helpers/focus-groups.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';

const NPS_REFERENCE = [0.05, 0.03, 0.04, 0.05, 0.05, 0.1, 0.1, 0.15, 0.18, 0.12, 0.13];
const QUESTIONS = [
  { id: 'nps', type: 'nps', text: 'How likely are you to recommend FreshBox to a friend?', reference: NPS_REFERENCE },
  { id: 'value', type: 'likert', text: 'FreshBox is good value for money.' },
  { id: 'sub', type: 'yes_no', text: 'Would you subscribe at $59 per month?' },
  { id: 'uses', type: 'multiple_choice', text: 'Which would you use it for?', options: ['Weeknight dinners', 'Lunches', 'Parties'], multiple: true },
  { id: 'rank', type: 'ranking', text: 'Rank what matters most.', options: ['Price', 'Taste', 'Convenience'] },
  { id: 'grid', type: 'matrix', text: 'How do you rate these?', rows: ['Price', 'Variety'], scale: 5 },
  { id: 'buy', type: 'slider', text: 'How likely are you to buy it next month, in percent?' },
  { id: 'why', type: 'open_ended', text: 'What would make you try it?' },
];
const PERSONAS = [
  { persona_id: 'gen-z-digital-native', respondents: 16 },
  { persona_id: 'baby-boomer-active-retiree', respondents: 14 },
];
const STUDY = { name: 'FreshBox results', personas: PERSONAS, questions: QUESTIONS, seed: 4242 };

interface ApiRespondent {
  id: string;
  persona_id: string;
  profile: { gender: string; age_band: string };
  answers: { question_id: string; status: string; answer: any }[];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => sum(xs) / xs.length;
const sd = (xs: number[]) => Math.sqrt(sum(xs.map((x) => (x - mean(xs)) ** 2)) / (xs.length - 1));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const close = (actual: number, expected: number, what: string, tol = 1e-9) => assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} ≠ ${expected}`);
/** The Wilson score interval at 95%, written out here: (p + z²/2n ± z√(p(1−p)/n + z²/4n²)) / (1 + z²/n). */
function wilson(x: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = x / n;
  const c = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const h = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, c - h), Math.min(1, c + h)];
}
const closeInterval = (actual: [number, number], expected: [number, number], what: string) => {
  close(actual[0], expected[0], `${what} lower`, 1e-9);
  close(actual[1], expected[1], `${what} upper`, 1e-9);
};
const within = (x: number, ci: [number, number], what: string) => assert.ok(ci[0] <= x + 1e-9 && x <= ci[1] + 1e-9, `${what}: ${x} outside [${ci}]`);

async function finished(fg: ReturnType<typeof api>, id: string) {
  const frames = await readEvents(await fg.get(`/focus-groups/${id}/events`));
  assert.equal(frames.at(-1)!.data, '[DONE]');
}

async function allRespondents(fg: ReturnType<typeof api>, id: string): Promise<ApiRespondent[]> {
  const out: ApiRespondent[] = [];
  for (let after: string | null = null; ; ) {
    const page: any = (await fg.json(fg.get(`/focus-groups/${id}/respondents?limit=100${after ? `&after=${after}` : ''}`))).body;
    out.push(...page.data);
    if (!page.has_more) return out;
    after = page.last_id;
  }
}

/** The answered values of a question, with their respondent. */
function answersTo(respondents: ApiRespondent[], qid: string) {
  return respondents.flatMap((r) => {
    const a = r.answers.find((x) => x.question_id === qid);
    return a?.status === 'answered' ? [{ r, a: a.answer }] : [];
  });
}

function npsOf(values: number[]) {
  const p = values.filter((v) => v >= 9).length / values.length;
  const d = values.filter((v) => v <= 6).length / values.length;
  return { score: 100 * (p - d), promoters: p, detractors: d };
}

describe('focus-group results over HTTP (sandbox, fixed seed)', () => {
  let s: TestServer;
  let fg: ReturnType<typeof api>;
  let id: string;
  let respondents: ApiRespondent[];
  let results: any;

  before(async () => {
    s = await startTestServer();
    fg = api(s.baseURL, s.testKey);
    const created = await fg.json(fg.post('/focus-groups', STUDY));
    assert.equal(created.status, 202, JSON.stringify(created.body));
    id = created.body.id;
    await finished(fg, id);
    respondents = await allRespondents(fg, id);
    assert.equal(respondents.length, 30);
    const res = await fg.json(fg.get(`/focus-groups/${id}/results`));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    results = res.body;
  });
  after(() => s?.close());

  const q = (qid: string) => results.questions.find((x: any) => x.question_id === qid);

  it('has one entry per question with n, distribution, statistics by type and segments', () => {
    assert.equal(results.object, 'focus_group.results');
    assert.equal(results.focus_group_id, id);
    assert.equal(results.respondents, 30);
    assert.deepEqual(results.segment_by, ['persona']);
    assert.equal(results.weighting, null);
    assert.equal(results.methods.bootstrap_replicates, 1000);
    assert.deepEqual(
      results.questions.map((x: any) => [x.question_id, x.type, x.text]),
      QUESTIONS.map((x) => [x.id, x.type, x.text]),
    );
    for (const x of results.questions) {
      assert.equal(x.n + x.skipped + x.failed, 30, x.question_id);
      assert.ok(Array.isArray(x.distribution), x.question_id);
      assert.equal(x.segments[0].by, 'persona');
      assert.deepEqual(
        x.segments[0].groups.map((g: any) => g.key),
        PERSONAS.map((p) => p.persona_id).sort(),
      );
    }
  });

  it('NPS, mean, median, sd and the distribution are those of the answers; the intervals hold them', () => {
    const values = answersTo(respondents, 'nps').map((x) => x.a.value as number);
    const r = q('nps');
    assert.equal(r.n, values.length);
    assert.deepEqual(
      r.distribution.map((e: any) => e.count),
      Array.from({ length: 11 }, (_, k) => values.filter((v) => v === k).length),
    );
    const nps = npsOf(values);
    close(r.nps.score, nps.score, 'nps', 1e-6);
    close(r.nps.promoters, nps.promoters, 'promoters', 1e-6);
    close(r.nps.detractors, nps.detractors, 'detractors', 1e-6);
    close(r.mean, mean(values), 'mean', 1e-6);
    close(r.median, median(values), 'median', 1e-6);
    close(r.sd, sd(values), 'sd', 1e-6);
    within(r.nps.score, r.ci.nps, 'NPS in its bootstrap interval');
    within(r.mean, r.ci.mean, 'mean in its bootstrap interval');
    within(r.mean, r.ci.mean_t, 'mean in its t interval');
    // Normalized Wasserstein to the reference: the area between the two CDFs over 10 steps.
    const study = Array.from({ length: 11 }, (_, k) => values.filter((v) => v === k).length / values.length);
    const refTotal = sum(NPS_REFERENCE);
    let fa = 0;
    let fb = 0;
    let w = 0;
    for (let k = 0; k < 10; k++) {
      fa += study[k]!;
      fb += NPS_REFERENCE[k]! / refTotal;
      w += Math.abs(fa - fb);
    }
    close(r.reference.wasserstein, w / 10, 'normalized Wasserstein', 1e-6);
    close(r.reference.representativeness, 1 - w / 10, 'representativeness', 1e-6);
    assert.ok(r.reference.jensen_shannon >= 0 && r.reference.jensen_shannon <= 1);
  });

  it('per persona: each group is the statistics of its own respondents', () => {
    for (const g of q('nps').segments[0].groups) {
      const values = answersTo(respondents, 'nps')
        .filter((x) => x.r.persona_id === g.key)
        .map((x) => x.a.value as number);
      assert.equal(g.n, values.length, g.key);
      close(g.nps.score, npsOf(values).score, `NPS of ${g.key}`, 1e-6);
      close(g.mean, mean(values), `mean of ${g.key}`, 1e-6);
    }
    const tests = q('nps').segments[0].tests;
    assert.ok(tests.length > 0);
    for (const t of tests) {
      assert.ok(t.p_adjusted >= t.p_value - 1e-12 && t.p_adjusted <= 1, JSON.stringify(t));
      assert.equal(t.significant, t.p_adjusted < 0.05);
    }
  });

  it('likert top-2-box, yes share, multiple-choice shares, mean ranks, matrix rows and slider mean match the answers', () => {
    const likert = answersTo(respondents, 'value').map((x) => x.a.value as number);
    close(q('value').top2box, likert.filter((v) => v >= 4).length / likert.length, 'top2box', 1e-6);
    closeInterval(q('value').ci.top2box, wilson(likert.filter((v) => v >= 4).length, likert.length), 'top2box Wilson interval');
    close(q('value').mean, mean(likert), 'likert mean', 1e-6);
    assert.equal(q('value').distribution[4].label, 'Strongly agree', 'default labels filled in');

    const yes = answersTo(respondents, 'sub').map((x) => x.a.value as boolean);
    close(q('sub').yes, yes.filter(Boolean).length / yes.length, 'yes share', 1e-6);
    closeInterval(q('sub').ci.yes, wilson(yes.filter(Boolean).length, yes.length), 'yes Wilson interval');

    const uses = answersTo(respondents, 'uses').map((x) => x.a.selected as string[]);
    for (const option of ['Weeknight dinners', 'Lunches', 'Parties']) {
      const e = q('uses').distribution.find((d: any) => d.value === option);
      close(e.share, uses.filter((sel) => sel.includes(option)).length / uses.length, `share of ${option}`, 1e-6);
      closeInterval(e.ci, wilson(uses.filter((sel) => sel.includes(option)).length, uses.length), `Wilson interval of ${option}`);
    }

    const orders = answersTo(respondents, 'rank').map((x) => x.a.order as string[]);
    for (const o of q('rank').options) close(o.mean_rank, mean(orders.map((order) => order.indexOf(o.option) + 1)), `mean rank of ${o.option}`, 1e-6);
    for (const e of q('rank').distribution) closeInterval(e.ci, wilson(orders.filter((order) => order[0] === e.value).length, orders.length), `first-choice Wilson interval of ${e.value}`);

    const grid = answersTo(respondents, 'grid').map((x) => x.a.rows as Record<string, { value: number }>);
    for (const row of q('grid').rows) close(row.mean, mean(grid.map((g) => g[row.row]!.value)), `matrix row ${row.row}`, 1e-6);

    const buy = answersTo(respondents, 'buy').map((x) => x.a.value as number);
    close(q('buy').mean, mean(buy), 'slider mean', 1e-6);
  });

  it('open-ended answers become themes with quotes from the answers and a sentiment', () => {
    const r = q('why');
    const texts = new Set(answersTo(respondents, 'why').map((x) => x.a.text as string));
    assert.ok(r.themes.length > 0);
    assert.equal(sum(r.themes.map((t: any) => t.count)) + r.unthemed.count, r.n);
    for (const t of r.themes) {
      assert.ok(t.quotes.length > 0);
      for (const quote of t.quotes) assert.ok(texts.has(quote.text), `a quote is an answer: ${quote.text}`);
      assert.ok(typeof t.sentiment === 'number' && t.sentiment >= -1 && t.sentiment <= 1, JSON.stringify(t));
    }
  });

  it('segments by a sampled attribute with ?segment_by, the persona groups unchanged (seeded per segment)', async () => {
    const res = await fg.json(fg.get(`/focus-groups/${id}/results?segment_by=gender,age_band`));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.segment_by, ['persona', 'gender', 'age_band']);
    const nps = res.body.questions[0];
    assert.deepEqual(
      nps.segments.map((x: any) => x.by),
      ['persona', 'gender', 'age_band'],
    );
    const byGender = nps.segments[1];
    const genders = [...new Set(answersTo(respondents, 'nps').map((x) => x.r.profile.gender))].sort();
    assert.deepEqual(
      byGender.groups.map((g: any) => g.key),
      genders,
    );
    for (const g of byGender.groups) {
      const values = answersTo(respondents, 'nps')
        .filter((x) => x.r.profile.gender === g.key)
        .map((x) => x.a.value as number);
      assert.equal(g.n, values.length);
      close(g.nps.score, npsOf(values).score, `NPS of ${g.key}`, 1e-6);
    }
    assert.deepEqual(nps.segments[0].groups, q('nps').segments[0].groups, 'the persona groups (and their intervals) do not depend on the other segments');
  });

  it('a completed study\'s results are stored once, at completion, and any server reads them from there', async () => {
    const rows = async () => (await s.db.selectFrom('focus_group_results').select(['variant', 'document']).where('study_id', '=', id).orderBy('variant').execute()).map((r) => r.variant.split('|')[1]);
    assert.deepEqual((await rows()).sort(), ['persona', 'persona,gender,age_band'], 'the default variant at completion, the one the test above asked for at its read');
    // A second server on the same database reads the stored document: marked here, the mark comes back.
    const stored = await s.db.selectFrom('focus_group_results').select(['variant', 'document']).where('study_id', '=', id).where('variant', 'like', '%|persona').executeTakeFirstOrThrow();
    await s.db.updateTable('focus_group_results').set({ document: JSON.stringify({ ...JSON.parse(stored.document), respondents: 12345 }) }).where('study_id', '=', id).where('variant', '=', stored.variant).execute();
    const other = await startTestServer({ db: s.db });
    try {
      const res = await api(other.baseURL, s.testKey).json(api(other.baseURL, s.testKey).get(`/focus-groups/${id}/results`));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.respondents, 12345, 'read from the store, not computed again');
      assert.deepEqual({ ...res.body, respondents: 30 }, results, 'the stored document is the computed one');
    } finally {
      await s.db.updateTable('focus_group_results').set({ document: stored.document }).where('study_id', '=', id).where('variant', '=', stored.variant).execute();
      await other.close();
    }
  });

  it('the usage report counts a test study\'s answers (operation focus_group, mode test, no credits), by persona too', async () => {
    const study = (await fg.json(fg.get(`/focus-groups/${id}`))).body;
    const byOperation = (await fg.json(fg.get('/usage?group_by=operation'))).body;
    const row = byOperation.data.find((r: any) => r.operation === 'focus_group' && r.mode === 'test');
    assert.ok(row, JSON.stringify(byOperation));
    assert.deepEqual([row.requests, row.credits], [study.progress.answers_completed, 0]);
    const byPersona = (await fg.json(fg.get('/usage?group_by=persona'))).body;
    for (const p of PERSONAS) {
      const answered = respondents.filter((r) => r.persona_id === p.persona_id).flatMap((r) => r.answers.filter((a) => a.status === 'answered')).length;
      const got = byPersona.data.find((r: any) => r.persona === p.persona_id && r.mode === 'test');
      assert.equal(got?.requests, answered, `${p.persona_id}: ${JSON.stringify(byPersona.data)}`);
    }
  });

  it('refuses an unknown or malformed segment_by with a 400 naming it', async () => {
    for (const bad of ['shoe_size', 'Age Band!', 'gender,region,country,income,household']) {
      const res = await fg.json(fg.get(`/focus-groups/${id}/results?segment_by=${encodeURIComponent(bad)}`));
      assert.equal(res.status, 400, bad);
      assert.equal(res.body.error.param, 'segment_by', bad);
    }
    const exp = await fg.json(fg.get(`/focus-groups/${id}/export?format=html&segment_by=shoe_size`));
    assert.equal(exp.status, 400);
    assert.equal(exp.body.error.param, 'segment_by');
  });

  it('rakes to target marginals: the weights are target / sample share, every aggregate weighted', async () => {
    const genders = respondents.map((r) => r.profile.gender);
    const categories = [...new Set(genders)].sort();
    const count = (c: string) => genders.filter((g) => g === c).length;
    // Targets pulled toward equal shares, so that every weight stays inside the trim bounds.
    const raw = categories.map((c) => count(c) + 10);
    const targets = Object.fromEntries(categories.map((c, i) => [c, raw[i]! / sum(raw)]));
    const created = await fg.json(fg.post('/focus-groups', { ...STUDY, targets: { gender: targets } }));
    assert.equal(created.status, 202, JSON.stringify(created.body));
    assert.deepEqual(Object.keys(created.body.targets.gender).sort(), categories);
    await finished(fg, created.body.id);
    const weighted = (await fg.json(fg.get(`/focus-groups/${created.body.id}/results`))).body;
    assert.equal(weighted.weighting.applied, true, JSON.stringify(weighted.weighting));
    assert.equal(weighted.weighting.converged, true);
    // One dimension: raking is exact in one sweep, w = target share / sample share.
    const weight = (g: string) => targets[g]! / (count(g) / genders.length);
    const again = await allRespondents(fg, created.body.id);
    assert.deepEqual(
      again.map((r) => r.answers),
      respondents.map((r) => r.answers),
      'same seed, same answers',
    );
    const rows = answersTo(respondents, 'nps').map((x) => ({ v: x.a.value as number, w: weight(x.r.profile.gender) }));
    const W = sum(rows.map((x) => x.w));
    const p = sum(rows.filter((x) => x.v >= 9).map((x) => x.w)) / W;
    const d = sum(rows.filter((x) => x.v <= 6).map((x) => x.w)) / W;
    const nps = weighted.questions[0];
    close(nps.nps.score, 100 * (p - d), 'weighted NPS', 1e-6);
    close(nps.mean, sum(rows.map((x) => x.v * x.w)) / W, 'weighted mean', 1e-6);
    close(nps.n_effective, W ** 2 / sum(rows.map((x) => x.w ** 2)), "Kish's effective n", 1e-6);
    assert.equal(nps.n, rows.length, 'n stays the respondents');
    // The unweighted study's NPS differs when the weights do anything.
    if (categories.length > 1) assert.notEqual(nps.nps.score, q('nps').nps.score);
  });

  it('refuses invalid targets with their param, and reports targets the sample cannot meet', async () => {
    const cases: [unknown, string][] = [
      [{ gender: { female: 0.5, male: 0.6 } }, 'targets.gender'],
      [{ shoe_size: { small: 0.5, large: 0.5 } }, 'targets.shoe_size'],
      [{ gender: { female: 1 } }, 'targets.gender'],
      [{ gender: { female: 1.5, male: -0.5 } }, 'targets.gender.female'],
    ];
    for (const [targets, param] of cases) {
      const res = await fg.json(fg.post('/focus-groups', { ...STUDY, targets, dry_run: true }));
      assert.ok(res.status === 422 || res.status === 400, JSON.stringify(res.body));
      assert.equal(res.body.error.param, param, JSON.stringify(res.body));
    }
    // A category of the sample left out: the results say why they are unweighted.
    const gender = respondents[0]!.profile.gender;
    const created = await fg.json(fg.post('/focus-groups', { ...STUDY, personas: [{ persona_id: 'gen-z-digital-native', respondents: 3 }], targets: { gender: { 'not-a-gender': 1 - 1e-3, other: 1e-3 } } }));
    assert.equal(created.status, 202, JSON.stringify(created.body));
    await finished(fg, created.body.id);
    const r = (await fg.json(fg.get(`/focus-groups/${created.body.id}/results`))).body;
    assert.equal(r.weighting.applied, false);
    assert.match(r.weighting.error.param, /^targets\.gender/);
    assert.equal(r.questions[0].n_effective, undefined, 'unweighted');
    assert.ok(typeof gender === 'string');
  });

  it('exports one self-contained HTML report: charts as inline SVG, no script, no URL, every question', async () => {
    const res = await fg.get(`/focus-groups/${id}/export?format=html&segment_by=gender`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/html; charset=utf-8/);
    assert.match(res.headers.get('content-disposition')!, /attachment; filename=".+\.html"/);
    assert.match(res.headers.get('content-security-policy')!, /default-src 'none'/);
    const html = await res.text();
    assert.match(html, /^<!DOCTYPE html>/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /https?:\/\//i, 'no external URL');
    assert.doesNotMatch(html, /\s(?:src|href)=(?!["']?#)/i, 'nothing loaded, only in-page links');
    assert.doesNotMatch(html, /<link|@import|url\(/i);
    assert.doesNotMatch(html, /<(?![a-zA-Z/!])/, 'every < of the text is escaped (a p-value < 0.001 included)');
    assert.ok((html.match(/<svg /g) ?? []).length >= QUESTIONS.length, 'a chart per question');
    for (const question of QUESTIONS) assert.ok(html.includes(question.text.replace(/'/g, '&#39;')), question.text);
    assert.match(html, /By persona/);
    assert.match(html, /By gender/);
    assert.match(html, new RegExp(`NPS ${q('nps').nps.score.toFixed(1).replace('.', '\\.')}`));
    // The methods say which interval is shown: the NPS one is the bootstrap's (ci.nps), proportions get Wilson's.
    const [lo, hi] = q('nps').ci.nps as [number, number];
    assert.ok(html.includes(`95% CI ${lo.toFixed(1)} to ${hi.toFixed(1)}`), 'the NPS interval shown is ci.nps');
    assert.match(html, /<li>NPS: promoters 9–10, detractors 0–6; interval: percentile bootstrap \(ci\.nps\); beside it \(ci\.nps_normal\)/);
    assert.match(html, /proportions: Wilson score interval on Kish’s effective n/);
    // The ranking's group table: first-choice shares, labelled as such, each with its interval; no empty figure column.
    const ranking = html.slice(html.indexOf('Rank what matters most.</h2>'), html.indexOf('How do you rate these?</h2>'));
    assert.match(ranking, /Share of each group ranking each option first, with its 95% Wilson interval/);
    assert.match(ranking, /<th class="num">1st: Price<\/th><th class="num">1st: Taste<\/th><th class="num">1st: Convenience<\/th>/);
    assert.doesNotMatch(ranking, /Figure \(95% CI\)/);
    const persona = results.questions.find((x: any) => x.question_id === 'rank').segments[0].groups[0];
    const first = persona.distribution[0];
    assert.ok(ranking.includes(`<td class="num">${(first.share * 100).toFixed(0)}% <span class="muted small">[${(first.ci[0] * 100).toFixed(0)}%, ${(first.ci[1] * 100).toFixed(0)}%]</span></td>`), 'a group cell: share [Wilson interval]');
    assert.match(html.slice(html.indexOf('Would you subscribe')), /<th class="num">Yes \(95% CI\)<\/th>/);
    // The JSON export carries the same results document.
    const json = (await fg.json(fg.get(`/focus-groups/${id}/export`))).body;
    assert.deepEqual(json.results, results);
  });
});

describe('the HTML report escapes model and client text (live key, mock upstream)', () => {
  const PAYLOAD = '<img src=x onerror=alert(1)>';
  let upstream: MockChatUpstream;
  let s: TestServer;

  before(async () => {
    upstream = await startMockChatUpstream({
      fallback: (req) => {
        const value = instanceOf(requestedSchema(req), { reasoning: `I think ${PAYLOAD} "quoted" & more` }) as Record<string, unknown>;
        if (typeof value.answer === 'string') value.answer = `I would try it ${PAYLOAD} if the price dropped </blockquote><script>alert(2)</script>`;
        return { type: 'completion', content: JSON.stringify(value), usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 } };
      },
    });
    s = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-test', apiKey: 'sk-up' }), focusGroupRunner: { perStudy: 3, retryBaseMs: 1, retryMaxMs: 5 } });
  });
  after(async () => {
    await s?.close();
    await upstream?.close();
  });

  it('shows the markup as text', async () => {
    const fg = api(s.baseURL, s.liveKey);
    const created = await fg.json(
      fg.post('/focus-groups', {
        name: `Report ${PAYLOAD}`,
        personas: [{ persona_id: 'hospital-cfo', respondents: 3 }],
        stimulus: { text: `Concept ${PAYLOAD}` },
        questions: [
          { id: 'why', type: 'open_ended', text: `Why? ${PAYLOAD}` },
          { id: 'pick', type: 'multiple_choice', text: 'Pick one', options: [`A ${PAYLOAD}`, 'B'] },
        ],
        seed: 3,
      }),
    );
    assert.equal(created.status, 202, JSON.stringify(created.body));
    await finished(fg, created.body.id);
    const results = (await fg.json(fg.get(`/focus-groups/${created.body.id}/results`))).body;
    assert.ok(results.questions[0].themes.some((t: any) => t.quotes.some((x: any) => x.text.includes(PAYLOAD))), 'the answer text reached the themes');
    const html = await (await fg.get(`/focus-groups/${created.body.id}/export?format=html`)).text();
    assert.doesNotMatch(html, /<img/i);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<\/blockquote><script/);
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'shown as text');
    assert.ok(html.includes('I would try it &lt;img src=x onerror=alert(1)&gt; if the price dropped &lt;/blockquote&gt;&lt;script&gt;'), 'the answer quoted, escaped');
  });
});
