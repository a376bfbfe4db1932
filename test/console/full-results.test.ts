/**
 * The results dashboard on the full statistics of issue 12's "Shapes"
 * (src/focus-groups/stats/results/result-types.ts): intervals, NPS with its
 * interval, segment comparisons with Holm-adjusted tests, ranking, MaxDiff and
 * conjoint estimates, themes with quotes. GET …/results on main returns the
 * minimal aggregates for now, so the browser is given, for that one URL, the
 * document the project's own statistics (questionResults) compute from the
 * study's real answers, read through the public API; everything else is the
 * real app. When the service returns these shapes itself, this test keeps
 * checking the same page without the substitution.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { questionResults, type QuestionSpec, type RespondentAnswer } from '../../src/focus-groups/stats/index.js';
import type { Answer } from '../../src/focus-groups/answer-types.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { browserUnavailable, launchChromium } from '../helpers/browser.js';
import { pageChecks, screenshotDir, watchCsp } from '../helpers/console-page.js';

const QUESTIONS = [
  { id: 'nps', type: 'nps', text: 'How likely are you to recommend FreshBox to a friend?' },
  { id: 'value', type: 'likert', text: 'FreshBox is good value for money.', scale: 7 },
  { id: 'uses', type: 'multiple_choice', text: 'Which would you use it for?', options: ['Weeknight dinners', 'Lunches', 'Parties'], multiple: true },
  { id: 'why', type: 'open_ended', text: 'What would make you try it?' },
  { id: 'pack', type: 'rating', text: 'Rate the packaging.', min: 1, max: 5 },
  { id: 'sub', type: 'yes_no', text: 'Would you subscribe at $59 per month?' },
  { id: 'rank', type: 'ranking', text: 'Rank what matters most.', options: ['Price', 'Taste', 'Convenience', 'Sustainability'] },
  { id: 'buy', type: 'slider', text: 'How likely are you to buy it next month, in percent?' },
  { id: 'grid', type: 'matrix', text: 'How do you rate these?', rows: ['Price', 'Variety', 'Delivery'], scale: 5 },
  { id: 'feel', type: 'semantic_differential', text: 'The brand feels…', left: 'Cheap', right: 'Premium' },
  {
    id: 'plan',
    type: 'conjoint',
    text: 'Which plan would you choose?',
    attributes: [
      { name: 'Price', levels: ['$39', '$59'] },
      { name: 'Meals', levels: ['3 per week', '5 per week'] },
    ],
    profiles: [{ levels: { Price: '$39', Meals: '3 per week' } }, { levels: { Price: '$59', Meals: '5 per week' } }, { levels: { Price: '$39', Meals: '5 per week' } }],
    allow_none: true,
  },
  { id: 'md', type: 'maxdiff', text: 'Which matters most and least?', options: ['Price', 'Taste', 'Speed', 'Packaging', 'Health'], set_size: 3 },
];

interface ApiRespondent {
  id: string;
  persona_id: string;
  profile: { gender: string };
  answers: { question_id: string; status: string; answer: Answer | null }[];
}

describe('the results dashboard on the full statistics', { skip: browserUnavailable() }, () => {
  let s: TestServer;
  let chromium: { browser: Browser; close(): Promise<void> };
  let page: Page;
  let studyId: string;
  let doc: { object: string; focus_group_id: string; status: string; questions: ReturnType<typeof questionResults>[] };

  before(async () => {
    s = await startTestServer();
    const auth = { authorization: `Bearer ${s.testKey}`, 'content-type': 'application/json' };
    const created = await fetch(`${s.url}/v1/focus-groups`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        name: 'Every question type',
        personas: [
          { persona_id: 'gen-z-digital-native', respondents: 30 },
          { persona_id: 'baby-boomer-active-retiree', respondents: 30 },
        ],
        questions: QUESTIONS,
        seed: 11,
      }),
    });
    assert.equal(created.status, 202, await created.clone().text());
    studyId = ((await created.json()) as { id: string }).id;
    // The event stream ends after the study's terminal event.
    const events = await (await fetch(`${s.url}/v1/focus-groups/${studyId}/events`, { headers: auth })).text();
    assert.match(events, /event: focus_group\.completed/);
    const study = (await (await fetch(`${s.url}/v1/focus-groups/${studyId}`, { headers: auth })).json()) as { seed: number; questions: QuestionSpec[] };
    const respondents: ApiRespondent[] = [];
    for (let after: string | undefined; ; ) {
      const page = (await (await fetch(`${s.url}/v1/focus-groups/${studyId}/respondents?limit=100${after ? `&after=${after}` : ''}`, { headers: auth })).json()) as { data: ApiRespondent[]; has_more: boolean; last_id: string };
      respondents.push(...page.data);
      if (!page.has_more) break;
      after = page.last_id;
    }
    assert.equal(respondents.length, 60);
    doc = {
      object: 'focus_group.results',
      focus_group_id: studyId,
      status: 'completed',
      questions: study.questions.map((q) => {
        const answers: RespondentAnswer<Answer>[] = respondents.map((r) => {
          const a = r.answers.find((x) => x.question_id === q.id);
          return { answer: a?.status === 'answered' ? a.answer : null, segments: { persona: r.persona_id, gender: r.profile.gender }, respondent_id: r.id };
        });
        // The question's text rides along, as in the minimal results.
        return { ...questionResults(q, answers, { seed: study.seed, segmentBy: ['persona'], replicates: 300 }), text: (q as unknown as { text: string }).text } as unknown as ReturnType<typeof questionResults>;
      }),
    };
    chromium = await launchChromium();
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } });
    await watchCsp(context);
    page = await context.newPage();
    await page.route(`**/v1/focus-groups/${studyId}/results`, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(doc) }));
  });

  after(async () => {
    await chromium?.close();
    await s?.close();
  });

  it('draws every question type with its intervals, segments with their tests, and themes with quotes', async () => {
    const checks = pageChecks(page, screenshotDir('full-results'));
    await page.goto(`${s.url}/`);
    await page.getByLabel('API key').fill(s.testKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Playground' }).waitFor();
    await page.goto(`${s.url}/#/focus-groups/${studyId}`);
    await page.getByTestId('results').waitFor();
    await checks.settle();
    assert.equal(await page.getByText('This server reports the distribution of each question').count(), 0, 'full statistics: no minimal-results notice');

    const result = (id: string) => doc.questions.find((q) => q.question_id === id)! as unknown as Record<string, any>;
    const card = (id: string) => page.locator(`[data-question-id="${id}"]`);

    // NPS: the score and its bootstrap interval as computed, and one segment block by persona with its tests.
    const nps = result('nps');
    assert.equal(await page.getByTestId('nps-score').innerText(), nps.nps.score.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }));
    assert.match(await card('nps').locator('.nps-score').innerText(), /95% CI -?[\d.]+ to -?[\d.]+/);
    assert.match(await card('nps').locator('.segment h4').innerText(), /By persona/);
    const tests = card('nps').locator('.segment table.segment-tests tbody tr');
    assert.equal(await tests.count(), nps.segments[0].tests.length);
    const significant = nps.segments[0].tests.filter((t: { significant: boolean }) => t.significant).length;
    assert.equal(await card('nps').locator('.segment .significant').count(), significant, 'each significant difference is marked');

    // Likert and semantic differential: stacked bars overall and per persona.
    await card('value').locator('details.chart-data summary').first().click();
    const stackedRows = await card('value').locator('details.chart-data').first().locator('tbody tr').allInnerTexts();
    assert.deepEqual(stackedRows.map((r) => r.split('\t')[0]), ['Overall']);
    await card('value').locator('.segment details.chart-data summary').click();
    assert.equal(await card('value').locator('.segment details.chart-data tbody tr').count(), 3, 'overall + two personas');
    assert.match(await card('value').locator('dl.stats').innerText(), /Mean[\s\S]*95% CI/);

    // Multiple choice: each option's share with its interval.
    await card('uses').locator('details.chart-data summary').click();
    assert.match(await card('uses').locator('details.chart-data tbody').innerText(), /95% CI/);

    // Ranking: mean rank per option; MaxDiff: best − worst scores; conjoint: importance and part-worths.
    await card('rank').locator('details.chart-data summary').click();
    assert.equal(await card('rank').locator('details.chart-data tbody tr').count(), 4);
    assert.match(await card('rank').locator('details.chart-data thead').innerText(), /Mean rank/);
    await card('md').locator('details.chart-data summary').click();
    assert.equal(await card('md').locator('details.chart-data tbody tr').count(), 5);
    assert.match(await card('md').locator('details.chart-data thead').innerText(), /Best − worst score/);
    assert.match(await card('plan').locator('table.part-worths caption').innerText(), /Part-worths/);
    assert.equal(await card('plan').locator('table.part-worths tbody tr').count(), 4, 'two attributes × two levels');

    // Matrix heatmap: one row per row of the question.
    assert.equal(await card('grid').locator('table.heatmap tbody tr').count(), 3);

    // Open-ended: themes with quotes, as text.
    const themes = result('why').themes as { label: string; quotes: { text: string }[] }[];
    assert.ok(themes.length > 0);
    assert.equal(await card('why').locator('.theme').count(), themes.length);
    assert.equal(await card('why').locator('.theme blockquote').first().innerText(), themes[0]!.quotes[0]!.text);

    await checks.capture('focus-group-full-results');
    assert.deepEqual(checks.problems, []);
  });
});
