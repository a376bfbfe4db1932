/** The answer's columns (storage/answer-columns.ts): the reasoning stored once, the value handed back whole. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { answerColumns, answerFromColumns } from '../../src/storage/answer-columns.js';

it('stores the reasoning once and gives the answer back whole, its reasoning last', () => {
  const cols = answerColumns({ value: 8, reasoning: 'Good value.' }, 'Good value.');
  assert.deepEqual(cols, { value: '{"value":8}', reasoning: 'Good value.' });
  const back = answerFromColumns(cols.value, cols.reasoning)!;
  assert.deepEqual(back, { value: 8, reasoning: 'Good value.' });
  assert.deepEqual(Object.keys(back), ['value', 'reasoning']);
});

it('is exact when the value and the column disagree, or either is empty', () => {
  for (const [value, reasoning] of [
    [{ value: 3, reasoning: 'Other text.' }, 'Not the same.'],
    [{ value: 5 }, ''],
    [{ value: 6, reasoning: '' }, ''],
    [{ value: 7 }, null],
    [null, null],
  ] as const) {
    const cols = answerColumns(value as never, reasoning);
    assert.deepEqual(answerFromColumns(cols.value, cols.reasoning), value, JSON.stringify([value, reasoning]));
  }
});
