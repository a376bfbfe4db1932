/**
 * GET …/results reads the answers in batches of questions: only the questions that keep
 * something per answer (open-ended texts, conjoint choice sets) count towards
 * MAX_HELD_ANSWERS; tallied types are read with them in the same pass.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Question } from '../../src/focus-groups/questions/registry.js';
import { MAX_HELD_ANSWERS, questionBatches } from '../../src/focus-groups/results.js';

const q = (type: string): Question => ({ id: type, type, text: type }) as unknown as Question;

describe('questionBatches', () => {
  it('reads tallied questions in one pass whatever the respondents', () => {
    assert.deepEqual(questionBatches([q('nps'), q('likert'), q('matrix'), q('slider')], 10_000_000), [[0, 4]]);
  });
  it('keeps at most MAX_HELD_ANSWERS open-ended or conjoint answers per batch, at least one question each', () => {
    const guide = [q('nps'), q('open_ended'), q('likert'), q('conjoint'), q('open_ended'), q('yes_no')];
    const half = MAX_HELD_ANSWERS / 2;
    assert.deepEqual(questionBatches(guide, half), [
      [0, 4],
      [4, 6],
    ]);
    assert.deepEqual(questionBatches(guide, MAX_HELD_ANSWERS), [
      [0, 3],
      [3, 4],
      [4, 6],
    ]);
    assert.deepEqual(questionBatches(guide, MAX_HELD_ANSWERS * 3), [
      [0, 3],
      [3, 4],
      [4, 6],
    ]);
    assert.deepEqual(questionBatches(guide, 1000), [[0, 6]]);
    assert.deepEqual(questionBatches([], 1000), []);
  });
});
