/**
 * The run's stop-sequence filter over provider events: the text ends before
 * the first occurrence of any sequence, found even when split across deltas,
 * and no client sees half of one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyStopSequences } from '../../src/providers/stop-sequences.js';
import type { ProviderEvent } from '../../src/providers/types.js';

async function* from(events: ProviderEvent[]): AsyncGenerator<ProviderEvent> {
  for (const e of events) yield e;
}

async function run(deltas: string[], stops: string[], tail: ProviderEvent[] = [{ type: 'usage', inputTokens: 5, outputTokens: 9 }, { type: 'finish', reason: 'length' }]) {
  const out: ProviderEvent[] = [];
  for await (const e of applyStopSequences(from([...deltas.map((delta): ProviderEvent => ({ type: 'text-delta', delta })), ...tail]), stops)) out.push(e);
  const text = out.map((e) => (e.type === 'text-delta' ? e.delta : '')).join('');
  return { out, text, deltas: out.filter((e) => e.type === 'text-delta').map((e) => (e as { delta: string }).delta) };
}

describe('applyStopSequences', () => {
  it('cuts before a sequence inside one delta; finish becomes stop, usage passes', async () => {
    const r = await run(['Hello there. END of story'], ['END']);
    assert.equal(r.text, 'Hello there. ');
    assert.deepEqual(r.out.slice(-2), [{ type: 'usage', inputTokens: 5, outputTokens: 9 }, { type: 'finish', reason: 'stop' }]);
  });

  it('finds a sequence split across deltas without letting its first half through', async () => {
    const r = await run(['one tw', 'o ST', 'O', 'P three'], ['STOP']);
    assert.equal(r.text, 'one two ');
    for (const d of r.deltas) assert.ok(!d.includes('S'), `no part of the sequence was sent: ${JSON.stringify(d)}`);
  });

  it('releases held text when the sequence does not follow', async () => {
    const r = await run(['a S', 'T', 'x b'], ['STOP']);
    assert.equal(r.text, 'a STx b');
    assert.equal(r.out.at(-1)?.type, 'finish');
    assert.deepEqual(r.out.at(-1), { type: 'finish', reason: 'length' }, 'no match: the upstream reason stays');
    // Held text at the very end is flushed too.
    assert.equal((await run(['ends with ST'], ['STOP'])).text, 'ends with ST');
  });

  it('the earliest of several sequences wins; a sequence at the start leaves no text', async () => {
    assert.equal((await run(['x', 'yz\n\nabc END'], ['END', '\n\n'])).text, 'xyz');
    const r = await run(['END', ' more'], ['END']);
    assert.equal(r.text, '');
    assert.deepEqual(r.deltas, []);
  });

  it('drops tool calls and text after the match', async () => {
    const r = await run(['answer. STOP and then'], ['STOP'], [
      { type: 'tool-call-start', index: 0, callId: 'c1', name: 'f' },
      { type: 'tool-call-delta', index: 0, delta: '{}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'text-delta', delta: 'more' },
      { type: 'usage', inputTokens: 1, outputTokens: 2 },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    assert.deepEqual(r.out.map((e) => e.type), ['text-delta', 'usage', 'finish']);
    assert.equal(r.text, 'answer. ');
    assert.deepEqual(r.out.at(-1), { type: 'finish', reason: 'stop' });
  });

  it('flushes held text before a tool call that comes without a match', async () => {
    const r = await run(['let me ST'], ['STOP'], [{ type: 'tool-call-start', index: 0, callId: 'c1', name: 'f' }, { type: 'finish', reason: 'tool_calls' }]);
    assert.deepEqual(r.out.map((e) => e.type), ['text-delta', 'text-delta', 'tool-call-start', 'finish']);
    assert.equal(r.text, 'let me ST');
  });

  it('no sequences (or only empty ones): events pass unchanged', async () => {
    const r = await run(['a', 'b'], ['']);
    assert.deepEqual(r.deltas, ['a', 'b']);
  });
});
