/** What `cohort focus-groups` prints, on both results shapes (minimal aggregates and full statistics). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFrame } from '../../src/cli/api-client.js';
import { formatDuration, formatProgress, formatResults, summarizeQuestion } from '../../src/cli/focus-groups-view.js';

describe('focus-groups CLI output', () => {
  it('draws progress with answers/s and ETA', () => {
    const line = formatProgress({ answers_total: 200, answers_completed: 80, answers_skipped: 20, answers_failed: 0, answers_per_second: 12.345, eta_seconds: 75 }, 10);
    assert.equal(line, '[█████░░░░░]   50.0%  100/200 answers (20 skipped)  12.3 answers/s  ETA 1:15');
    assert.equal(formatProgress({ answers_total: 4, answers_completed: 4, answers_skipped: 0, answers_failed: 0, eta_seconds: 0 }, 4), '[████]  100.0%  4/4 answers');
    assert.deepEqual([formatDuration(9), formatDuration(75), formatDuration(3725)], ['9s', '1:15', '1:02:05']);
  });

  it('summarizes minimal aggregates, working NPS and top-2 box out by hand', () => {
    // 10 answers: 9,9,10 promoters (3), 7,8 passives, 0,3,5,6,6 detractors (5): NPS = 30% − 50% = −20; mean 6.3.
    const nps = { question_id: 'nps', type: 'nps', n: 10, skipped: 0, failed: 0, distribution: { 0: 1, 1: 0, 2: 0, 3: 1, 4: 0, 5: 1, 6: 2, 7: 1, 8: 1, 9: 2, 10: 1 }, mean: 6.3 };
    assert.equal(summarizeQuestion(nps), 'NPS -20 (promoters 30%, detractors 50%) · mean 6.3');
    // Likert 1–5: 4 and 5 hold 3 + 2 of 8 → 63%; mean (1+2·2+3·0+4·3+5·2)/8 = 27/8 = 3.375 → 3.38 (no mean sent: computed).
    const likert = { question_id: 'a', type: 'likert', n: 8, distribution: { 1: 1, 2: 2, 3: 0, 4: 3, 5: 2 } };
    assert.equal(summarizeQuestion(likert), 'mean 3.38 · top-2 box 63%');
    assert.equal(summarizeQuestion({ type: 'yes_no', n: 4, distribution: { yes: 3, no: 1 } }), 'yes 75% · no 25%');
    assert.equal(summarizeQuestion({ type: 'multiple_choice', n: 10, distribution: { A: 2, B: 5, C: 0, D: 1, E: 2 } }), 'B 50% · A 20% · E 20% · …');
    assert.equal(summarizeQuestion({ type: 'matrix', n: 2, distribution: { 'Taste: 1': 1, 'Taste: 5': 1, 'Price: 2': 2 } }), 'Taste 3.0 · Price 2.0');
    assert.equal(summarizeQuestion({ type: 'open_ended', n: 0, distribution: {} }), 'no answers');
  });

  it('summarizes the full statistics with their intervals', () => {
    const nps = { type: 'nps', n: 50, distribution: [], mean: 7.1, nps: { score: 12.4, promoters: 0.4, passives: 0.324, detractors: 0.276, se: 9 }, ci: { nps: [-5.2, 30.1] } };
    assert.equal(summarizeQuestion(nps), 'NPS +12 [-5, +30] (promoters 40%, detractors 28%) · mean 7.1');
    const rating = { type: 'rating', n: 50, distribution: [{ value: 1, count: 50, share: 1 }], mean: 6.123, top2box: 0.25, ci: { mean: [5.9, 6.4] } };
    assert.equal(summarizeQuestion(rating), 'mean 6.12 [5.90, 6.40] · top-2 box 25%');
    const ranking = { type: 'ranking', n: 9, distribution: [], options: [{ option: 'Price', mean_rank: 2.5 }, { option: 'Time', mean_rank: 1.25 }] };
    assert.equal(summarizeQuestion(ranking), 'mean rank: Time 1.3 · Price 2.5');
    const themes = { type: 'open_ended', n: 20, distribution: [], themes: [{ label: 'price', share: 0.45 }, { label: 'time', share: 0.3 }] };
    assert.equal(summarizeQuestion(themes), 'themes: price 45% · time 30%');
    const mc = { type: 'multiple_choice', n: 10, distribution: [{ value: 'A', count: 3, share: 0.31 }, { value: 'B', count: 7, share: 0.69 }] };
    assert.equal(summarizeQuestion(mc), 'B 69% · A 31%');
  });

  it('lays the results out as a table with the questions\' texts', () => {
    const out = formatResults({ questions: [{ question_id: 'q1', type: 'yes_no', text: 'Would you?', n: 3, skipped: 1, failed: 1, distribution: { yes: 3, no: 0 } }] });
    assert.equal(out, 'QUESTION  TYPE    N  SKIPPED       RESULT\nq1        yes_no  3  2 (1 failed)  yes 100% · no 0%\n\n  q1        Would you?\n');
  });

  it('parses SSE frames (ids, events, multi-line data; comments are not events)', () => {
    assert.deepEqual(parseFrame('id: 42\nevent: focus_group.progress\ndata: {"a":1}'), { id: '42', event: 'focus_group.progress', data: '{"a":1}' });
    assert.deepEqual(parseFrame('data: a\ndata: b'), { event: 'message', data: 'a\nb' });
    assert.equal(parseFrame(': keep-alive'), undefined);
  });
});
