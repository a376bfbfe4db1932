/**
 * The console as a person uses it, in Debian's Chromium driven by
 * playwright-core against the real app (sandbox engine, real SQLite, real
 * socket): sign in with a test key, stream a playground answer with analysis,
 * create a custom persona, build and launch a focus group and watch it finish
 * over its event stream, read a chart and export the answers and the HTML report, read a
 * discussion's transcripts and export them, check usage,
 * manage keys with an admin key, sign out. On every page: axe-core finds no
 * serious or critical violation, the page's CSP reports no violation, no
 * script error; each page is photographed at 1280 and 390 px wide into
 * test-results/console/walkthrough/ (gitignored) for a reviewer to look at.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { browserUnavailable, launchChromium } from '../helpers/browser.js';
import { pageChecks, screenshotDir, watchCsp } from '../helpers/console-page.js';
import { parseCsv } from '../helpers/focus-groups.js';

const skip = browserUnavailable();

describe('the web console in Chromium', { skip }, () => {
  let s: TestServer;
  let chromium: { browser: Browser; close(): Promise<void> };
  let context: BrowserContext;
  let page: Page;
  let checks: ReturnType<typeof pageChecks>;
  let problems: string[];
  let capture: (name: string) => Promise<void>;

  before(async () => {
    s = await startTestServer();
    chromium = await launchChromium();
    context = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await watchCsp(context);
    page = await context.newPage();
    checks = pageChecks(page, screenshotDir('walkthrough'));
    problems = checks.problems;
    capture = checks.capture;
  });

  after(async () => {
    await chromium?.close();
    await s?.close();
  });

  it('signs in with an API key; the key is in no URL and the session cookie is HttpOnly', async () => {
    await page.goto(`${s.url}/`);
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    await capture('sign-in');
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('An API key starts with mvra_live_ or mvra_test_.').waitFor();
    await page.getByLabel('API key').fill(s.testKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Playground' }).waitFor();
    assert.ok(!page.url().includes(s.testKey));
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'cohort_session');
    assert.ok(session?.httpOnly, 'HttpOnly');
    assert.equal(session?.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie), '', 'the page cannot read the session');
    assert.equal(await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage })), '{}', 'nothing stored by the page');
  });

  it('streams a playground answer with analysis: text, credits, the emotion chart, biases and insights, and the code', async () => {
    await page.getByLabel('Search personas').fill('gen z digital');
    await page.getByRole('button', { name: /Gen Z Digital Native/ }).click();
    await page.getByRole('article', { name: 'Chosen persona' }).getByText('Gen Z Digital Native').waitFor();
    await page.getByLabel('Message').fill('Would you pay $15 a month for a meal-kit app? <b>be honest</b>');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('credits-used').waitFor();
    const answer = (await page.getByTestId('answer-text').innerText()).trim();
    assert.ok(answer.length > 40, answer);
    assert.equal(await page.locator('[data-testid="answer-text"] b').count(), 0, 'model output is text, never HTML');
    await page.getByRole('heading', { name: 'Analysis' }).waitFor();
    await page.locator('#pg-answer [data-chart-ready="true"]').waitFor();
    await page.locator('#pg-answer details.chart-data summary').click();
    const rows = await page.locator('#pg-answer details.chart-data tbody tr').allInnerTexts();
    assert.deepEqual(
      rows.map((r) => r.split('\t')[0]),
      ['Valence', 'Arousal', 'Dominance', 'Confidence'],
    );
    for (const r of rows) assert.match(r, /\t([1-9]|10)$/);
    await page.getByRole('heading', { name: 'Key insights' }).waitFor();
    await page.getByRole('button', { name: 'View code' }).click();
    const curl = await page.locator('#code-panel pre').innerText();
    assert.match(curl, /"persona_id": "gen-z-digital-native"/);
    assert.match(curl, /"analysis_mode": true/);
    assert.match(curl, /\$COHORT_API_KEY/);
    assert.ok(!curl.includes(s.testKey));
    await page.getByRole('tab', { name: 'Python' }).click();
    assert.match(await page.locator('#code-panel pre').innerText(), /extra_body=\{\s*"persona_id": "gen-z-digital-native",\s*"analysis_mode": True,/);
    await page.getByRole('tab', { name: 'JavaScript' }).click();
    assert.match(await page.locator('#code-panel pre').innerText(), /client\.responses\.create\(\{/);
    await capture('playground');
  });

  it('structured output and a function tool in the playground', async () => {
    await page.getByLabel(/^Output/).selectOption('json_schema');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('#pg-answer .badge', { hasText: 'completed' }).waitFor();
    const json = JSON.parse(await page.getByTestId('answer-text').innerText()) as { verdict: string; reason: string };
    assert.ok(['buy', 'maybe', 'pass'].includes(json.verdict), JSON.stringify(json));
    await page.getByLabel(/^Output/).selectOption('text');
    await page.locator('summary', { hasText: 'Function tools' }).click();
    await page.getByRole('button', { name: 'Insert an example tool' }).click();
    await page.getByLabel('Message').fill('What does the Acme meal kit cost? Look up the price.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('#pg-answer .badge', { hasText: /completed|incomplete/ }).waitFor();
    await page.getByRole('heading', { name: 'Function calls' }).waitFor();
    assert.match(await page.locator('.calls').innerText(), /lookup_price/);
  });

  it('browses the persona library and reads a full card', async () => {
    await page.getByRole('link', { name: 'Personas' }).click();
    await page.getByRole('heading', { name: /^Generational/ }).waitFor();
    await page.getByLabel('Category').selectOption('Expert');
    await page.getByRole('heading', { name: /^Expert/ }).waitFor();
    assert.equal(await page.getByRole('heading', { name: /^Generational/ }).count(), 0);
    await page.getByLabel('Category').selectOption('');
    await page.getByLabel('Search').fill('kenya');
    await page.getByRole('link', { name: /Kenyan/ }).first().click();
    await page.getByRole('heading', { name: 'Demographics' }).waitFor();
    await page.getByRole('heading', { name: 'Statistics' }).waitFor();
    await capture('persona-card');
    await page.getByRole('link', { name: '← Personas' }).click();
    await page.getByLabel('Search').fill('');
    // Within a category, by name (the API lists by id).
    const names = await page.locator('section[aria-labelledby="cat-Generational"] .persona-card h3').allTextContents();
    assert.ok(names.length > 3, names.join(', '));
    assert.deepEqual(names, [...names].sort(new Intl.Collator(undefined, { sensitivity: 'base', numeric: true }).compare), 'sorted by name');
    await capture('personas');
  });

  it('creates a custom persona through the north-star pipeline, edits it into version 2 and exports it', async () => {
    await page.getByRole('button', { name: 'Create persona' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Lisbon remote-first CTO');
    await page.getByLabel(/^Description/).fill('CTO of a 40-person remote-first SaaS startup, aged 38, who buys developer tools after a free trial.');
    await page.getByRole('button', { name: 'Create persona' }).click();
    await page.getByText('Open its card').waitFor();
    assert.equal(await page.locator('.steps .step-done').count(), 4);
    await capture('persona-create');
    await page.getByText('Open its card').click();
    await page.getByRole('heading', { name: 'Lisbon remote-first CTO' }).waitFor();
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Description').fill('CTO of a 45-person remote-first SaaS startup, aged 38, who buys developer tools after a free trial.');
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await page.getByLabel('Show version').waitFor();
    assert.equal(await page.getByLabel('Show version').inputValue(), '2');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    const file = await (await download).path();
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { object: string; description: string };
    assert.equal(doc.object, 'persona.export');
    assert.match(doc.description, /45-person/);
    await page.getByLabel('Show version').selectOption('1');
    await page.getByText('You are reading version 1').waitFor();
    assert.match(await page.locator('#persona-overview').innerText(), /40-person/);
  });

  it('builds a focus group with several question types, estimates it, launches it and watches it finish', async () => {
    await page.getByRole('link', { name: 'Focus groups' }).click();
    await page.getByRole('button', { name: 'New study' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Meal-kit concept test');
    await page.getByLabel(/^Persona 1/).selectOption('gen-z-digital-native');
    await page.getByLabel('Respondents', { exact: true }).first().fill('8');
    await page.getByRole('button', { name: 'Add persona' }).click();
    await page.getByLabel(/^Persona 2/).selectOption('millennial-suburban-parent');
    await page.getByLabel('Respondents', { exact: true }).nth(1).fill('8');
    // q1: NPS (the default first question)
    await page.locator('[data-question-index="0"]').getByLabel('Question text').fill('How likely are you to recommend FreshBox to a friend?');
    // q2: Likert
    await page.getByLabel('New question').selectOption('likert');
    await page.getByRole('button', { name: 'Add question' }).click();
    await page.locator('[data-question-index="1"]').getByLabel('Question text').fill('FreshBox would save me time every week.');
    // q3: multiple choice, asked of promoters only
    await page.getByLabel('New question').selectOption('multiple_choice');
    await page.getByRole('button', { name: 'Add question' }).click();
    const q3 = page.locator('[data-question-index="2"]');
    await q3.getByLabel('Question text').fill('Which plan would you pick?');
    await q3.getByLabel('Options 1', { exact: true }).fill('2 meals a week');
    await q3.getByLabel('Options 2', { exact: true }).fill('4 meals a week');
    await q3.getByLabel('Options 3', { exact: true }).fill('Family box');
    await q3.locator('summary', { hasText: 'Skip logic' }).click();
    await q3.getByLabel('Ask only when').check();
    await q3.getByLabel('Condition').selectOption('gte');
    await q3.getByLabel('Value').fill('7');
    // q4: matrix
    await page.getByLabel('New question').selectOption('matrix');
    await page.getByRole('button', { name: 'Add question' }).click();
    const q4 = page.locator('[data-question-index="3"]');
    await q4.getByLabel('Question text').fill('How satisfied would you be with each of these?');
    await q4.getByLabel('Rows 1', { exact: true }).fill('Price');
    await q4.getByLabel('Rows 2', { exact: true }).fill('Recipes');
    // q5: open-ended
    await page.getByLabel('New question').selectOption('open_ended');
    await page.getByRole('button', { name: 'Add question' }).click();
    await page.locator('[data-question-index="4"]').getByLabel('Question text').fill('What would make you cancel?');
    await page.getByLabel(/^Seed/).fill('42');
    await page.getByLabel('Concept text shown to every respondent').fill('FreshBox: fresh ingredients and recipes delivered weekly, from $9 a meal, cancel anytime.');
    // A mistake first: the estimate names the field.
    await q3.getByLabel('Options 2', { exact: true }).fill('');
    await q3.getByLabel('Options 3', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Estimate' }).click();
    await page.getByText('Give at least 2 options.').first().waitFor();
    await q3.getByLabel('Options 2', { exact: true }).fill('4 meals a week');
    await q3.getByLabel('Options 3', { exact: true }).fill('Family box');
    await page.getByRole('button', { name: 'Estimate' }).click();
    await page.getByTestId('estimate').waitFor();
    assert.match(await page.getByTestId('estimate').innerText(), /Answers\s+80/);
    await capture('focus-group-builder');
    await page.getByRole('button', { name: 'Launch study' }).click();
    await page.getByRole('heading', { name: 'Meal-kit concept test' }).waitFor();
    await page.locator('.badge', { hasText: 'completed' }).waitFor({ timeout: 90_000 });
    assert.equal(await page.getByTestId('fg-progress').getAttribute('value'), '100');
  });

  it('reads the results dashboard: the NPS and its chart, Likert stacked bars, the heatmap, respondents, and exports the answers and the report', async () => {
    await page.getByTestId('results').waitFor();
    const nps = Number(await page.getByTestId('nps-score').innerText());
    assert.ok(nps >= -100 && nps <= 100, String(nps));
    const q1 = page.locator('[data-question-id="q1"]');
    // The question's own chart comes first; the segments' chart follows it.
    await q1.locator('[data-chart-ready="true"]').first().waitFor();
    await q1.locator('details.chart-data summary').first().click();
    const npsRows = await q1.locator('details.chart-data').first().locator('tbody tr').allInnerTexts();
    assert.equal(npsRows.length, 11, 'one bar per point 0–10');
    const shares = npsRows.map((r) => Number(/([\d.]+)%/.exec(r)?.[1] ?? 'NaN'));
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 100) < 0.6, `shares add up to 100%: ${shares.join(' ')}`);
    // The NPS shown is the promoters' share minus the detractors' (from the same distribution).
    const promoters = shares[9]! + shares[10]!;
    const detractors = shares.slice(0, 7).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(promoters - detractors - nps) < 0.6, `NPS ${nps} vs ${promoters} − ${detractors}`);
    // q3 was asked only when q1 >= 7: it skipped exactly the detractors.
    const counts = npsRows.map((r) => Number(/(\d+) answers?\b/.exec(r)?.[1] ?? 'NaN'));
    const detractorCount = counts.slice(0, 7).reduce((a, b) => a + b, 0);
    const q3stats = await page.locator('[data-question-id="q3"] dl.stats').innerText();
    assert.match(q3stats, new RegExp(`Answered\\s+${16 - detractorCount}\\b`));
    if (detractorCount > 0) assert.match(q3stats, new RegExp(`Skipped\\s+${detractorCount}\\b`));
    await page.locator('[data-question-id="q2"] [data-chart-ready="true"]').first().waitFor();
    assert.equal(await page.locator('[data-question-id="q4"] table.heatmap tbody tr').count(), 2);
    await capture('focus-group-results');
    await page.getByRole('tab', { name: 'Respondents' }).click();
    await page.locator('details.respondent').first().waitFor();
    assert.equal(await page.locator('details.respondent').count(), 10);
    await page.locator('details.respondent summary').first().click();
    await page.locator('details.respondent .reasoning').first().waitFor();
    await capture('focus-group-respondents');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Respondents 11–16 of 16').waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const csv = fs.readFileSync(await (await download).path(), 'utf8');
    assert.match(csv, /^respondent_id,respondent_index,persona_id,question_id,type,status,answer,reasoning,credits\r\n/);
    assert.equal(csv.trim().split('\r\n').length, 1 + 16 * 5);
    // The report a researcher mails: one self-contained HTML file, charts as inline SVG, no script.
    const report = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export HTML' }).click();
    const html = fs.readFileSync(await (await report).path(), 'utf8');
    assert.match(html, /^<!doctype html>/i);
    assert.match(html, /Meal-kit concept test/);
    assert.ok((html.match(/<svg\b/g) ?? []).length >= 4, 'a chart per question');
    assert.doesNotMatch(html, /<script\b/i);
    assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i, 'nothing loaded from elsewhere');
    await page.getByRole('link', { name: '← Focus groups' }).click();
    await page.getByRole('link', { name: 'Meal-kit concept test' }).waitFor();
    await capture('focus-groups');
  });

  it("reads a discussion study's transcripts: a collapsible session each, every turn in order, and exports them as CSV", async () => {
    // The builder makes surveys: the discussion is created through the API, with the session's key.
    const headers = { authorization: `Bearer ${s.testKey}`, 'content-type': 'application/json' };
    const created = await fetch(`${s.baseURL}/focus-groups`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: 'Meal-kit discussion',
        mode: 'discussion',
        session_size: 4,
        personas: [
          { persona_id: 'gen-z-digital-native', respondents: 4 },
          { persona_id: 'millennial-suburban-parent', respondents: 4 },
        ],
        questions: [
          { type: 'nps', text: 'How likely are you to recommend FreshBox to a friend?' },
          { type: 'yes_no', text: 'Would you try it for a month?' },
        ],
        seed: 7,
      }),
    });
    assert.equal(created.status, 202);
    const id = ((await created.json()) as { id: string }).id;
    await (await fetch(`${s.baseURL}/focus-groups/${id}/events`, { headers })).text();
    const transcripts = ((await (await fetch(`${s.baseURL}/focus-groups/${id}/transcripts?limit=20`, { headers })).json()) as { data: { turns: { name: string; text: string }[] }[] }).data;
    assert.equal(transcripts.length, 2);

    await page.goto(`${s.url}/#/focus-groups/${id}`);
    await page.getByRole('heading', { name: 'Meal-kit discussion' }).waitFor();
    await page.locator('.badge', { hasText: 'completed' }).waitFor();
    await page.getByRole('tab', { name: 'Transcripts' }).click();
    await page.locator('details.transcript').first().waitFor();
    assert.equal(await page.locator('details.transcript').count(), 2, 'a session each');
    const first = page.locator('details.transcript').first();
    await first.locator('summary').click();
    const turns = first.locator('ol.turns li');
    assert.equal(await turns.count(), transcripts[0]!.turns.length, 'every turn');
    const shown = await turns.allInnerTexts();
    transcripts[0]!.turns.forEach((t, k) => {
      assert.ok(shown[k]!.startsWith(t.name), `turn ${k}: ${t.name}`);
      assert.ok(shown[k]!.includes(t.text), `turn ${k}: its text`);
    });
    assert.match(shown[0]!, /^Moderator Q1 · asks/);
    await capture('focus-group-transcripts');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export transcripts CSV' }).click();
    const [header, ...rows] = parseCsv(fs.readFileSync(await (await download).path(), 'utf8'));
    assert.deepEqual(header, ['session', 'seq', 'question_id', 'kind', 'speaker_id', 'speaker_name', 'text', 'answer']);
    assert.equal(rows.length, transcripts.reduce((n, t) => n + t.turns.length, 0), 'one row per turn');
  });

  it('shows usage: the test requests of this session, per day and by operation', async () => {
    await page.getByRole('link', { name: 'Usage & credits' }).click();
    await page.getByTestId('balance').waitFor();
    await page.locator('#usage-chart [data-chart-ready="true"]').waitFor();
    const requests = Number((await page.getByTestId('total-requests').innerText()).replace(/\D/g, ''));
    assert.ok(requests >= 3, `at least the three playground answers: ${requests}`);
    await page.locator('#usage-breakdown tbody tr').first().waitFor();
    assert.match(await page.locator('#usage-breakdown').innerText(), /responses/);
    await capture('usage');
  });

  it('signs out: back to sign-in, the cookie gone and the session refused', async () => {
    const before = (await context.cookies()).find((c) => c.name === 'cohort_session')!;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    assert.equal((await context.cookies()).find((c) => c.name === 'cohort_session'), undefined);
    const res = await fetch(`${s.url}/v1/credits`, { headers: { cookie: `cohort_session=${before.value}` } });
    assert.equal(res.status, 401);
  });

  it('an admin key manages keys: create (shown once), see it listed, revoke it; a key without admin gets no Keys page', async () => {
    const admin = await s.accounts.createKey({ workspace: 'acme', mode: 'test', name: 'console admin', scopes: ['admin'] });
    await page.getByLabel('API key').fill(admin.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('heading', { name: 'Keys of acme' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('staging app');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByTestId('new-key').innerText();
    assert.match(secret, /^mvra_test_[A-Za-z0-9]{32}$/);
    const row = page.locator('tr', { hasText: 'staging app' });
    await row.waitFor();
    assert.ok(!(await page.locator('#keys-list').innerText()).includes(secret), 'the list shows prefixes only');
    await capture('keys');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await row.getByRole('button', { name: 'Revoke staging app' }).click();
    await row.getByRole('button', { name: 'Confirm revoke' }).click();
    await row.getByText('revoked').waitFor();
    const gone = await fetch(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(gone.status, 401);
    // The admin sees the ledger on the usage page.
    await page.getByRole('link', { name: 'Usage & credits' }).click();
    await page.locator('#usage-ledger tbody tr').first().waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').fill(s.testKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Playground' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Keys' }).count(), 0);
    await page.goto(`${s.url}/#/keys`);
    await page.getByRole('heading', { name: 'Not available with this key' }).waitFor();
    assert.deepEqual(problems, []);
  });
});
