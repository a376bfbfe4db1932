/**
 * `cohort serve` and `cohort worker` set V8's heap growing factor (src/cli/heap.ts) unless
 * node was started with one. What it does to memory is measured by the focus-group
 * benchmark (bench/focus-group-studies.md, scenario C), not here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HEAP_GROWING_PERCENT, tuneHeapGrowth } from '../../src/cli/heap.js';

describe('heap growth', () => {
  it('sets 1.5 × by default; a --heap-growing-percent on node’s command line wins (0: V8’s own factor)', () => {
    assert.equal(HEAP_GROWING_PERCENT, 50);
    assert.equal(tuneHeapGrowth([]), 50);
    assert.equal(tuneHeapGrowth(['--max-semi-space-size=8']), 50);
    assert.equal(tuneHeapGrowth(['--heap-growing-percent=80']), 80);
    assert.equal(tuneHeapGrowth(['--heap_growing_percent=20']), 20);
    assert.equal(tuneHeapGrowth(['--heap-growing-percent=0']), undefined);
  });
});
