/**
 * The run's stop-sequence filter over provider events: the text ends before
 * the first stop sequence, found even when split across deltas, no client
 * sees half of one, and the upstream is not read past the match.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StopSequences } from '../../src/providers/stop-sequences.js';
import type { ProviderEvent } from '../../src/providers/types.js';

/** A provider stream that records how far it was read and whether it was closed early. */
function upstream(events: ProviderEvent[]) {
  const state = { pulled: 0, closed: false };
  async function* gen(): AsyncGenerator<ProviderEvent> {
    try {
      for (const e of events) {
        state.pulled++;
        yield e;
      }
    } finally {
      state.closed = true;
    }
  }
  return { stream: gen(), state };
}

const USAGE: ProviderEvent = { type: 'usage', inputTokens: 5, outputTokens: 9 };
const deltas = (...ds: string[]): ProviderEvent[] => ds.map((delta) => ({ type: 'text-delta', delta }));

async function run(events: ProviderEvent[], stops: string[]) {
  const up = upstream(events);
  const out: ProviderEvent[] = [];
  const filter = new StopSequences(stops);
  for await (const e of filter.filter(up.stream)) out.push(e);
  out.push(...filter.flush());
  const stopped = filter.stopped;
  const text = out.map((e) => (e.type === 'text-delta' ? e.delta : '')).join('');
  const sent = out.filter((e): e is Extract<ProviderEvent, { type: 'text-delta' }> => e.type === 'text-delta').map((e) => e.delta);
  return { out, text, sent, state: up.state, stopped };
}

const STOPPED: ProviderEvent = { type: 'finish', reason: 'stop' };

describe('applyStopSequences', () => {
  it('cuts before a sequence inside one delta, ends with finish stop, and stops reading the upstream', async () => {
    const r = await run([...deltas('Hello there. END of story', ' and more'), USAGE, { type: 'finish', reason: 'length' }], ['END']);
    assert.equal(r.text, 'Hello there. ');
    assert.deepEqual(r.out.at(-1), STOPPED);
    assert.equal(r.stopped, true, 'the filter says the text ended at a stop sequence');
    assert.equal(r.state.pulled, 1, 'nothing after the match was read');
    assert.equal(r.state.closed, true, 'the upstream stream was closed (the router aborts the call)');
  });

  it('finds a sequence split across deltas without letting its first half through', async () => {
    const r = await run(deltas('one tw', 'o ST', 'O', 'P three'), ['STOP']);
    assert.equal(r.text, 'one two ');
    for (const d of r.sent) assert.ok(!d.includes('S'), `no part of the sequence was sent: ${JSON.stringify(d)}`);
  });

  it('releases held text when the sequence does not follow; no match keeps the upstream finish and usage', async () => {
    const r = await run([...deltas('a S', 'T', 'x b'), USAGE, { type: 'finish', reason: 'length' }], ['STOP']);
    assert.equal(r.text, 'a STx b');
    assert.deepEqual(r.out.slice(-2), [USAGE, { type: 'finish', reason: 'length' }]);
    assert.equal(r.stopped, false);
    // Held text at the very end is flushed too.
    assert.equal((await run(deltas('ends with ST'), ['STOP'])).text, 'ends with ST');
  });

  it('a usage event does not release held text (half a sequence stays unsent)', async () => {
    const r = await run([...deltas('go ST'), USAGE, ...deltas('OP now')], ['STOP']);
    assert.equal(r.text, 'go ');
    assert.deepEqual(r.out.map((e) => e.type), ['text-delta', 'usage', 'finish']);
  });

  it('the sequence complete first wins, however the text is cut into deltas; a sequence at the start leaves no text', async () => {
    assert.equal((await run(deltas('x', 'yz\n\nabc END'), ['END', '\n\n'])).text, 'xyz');
    // 'bc' is complete before 'abcd' is: the same answer in one delta or one character at a time.
    assert.equal((await run(deltas('xabcd'), ['abcd', 'bc'])).text, 'xa');
    assert.equal((await run(deltas('x', 'a', 'b', 'c', 'd'), ['abcd', 'bc'])).text, 'xa');
    const r = await run(deltas('END', ' more'), ['END']);
    assert.equal(r.text, '');
    assert.deepEqual(r.out, [STOPPED]);
  });

  it('a function call open at the match is finished first; nothing new starts after it', async () => {
    const r = await run(
      [
        { type: 'tool-call-start', index: 0, callId: 'c1', name: 'f' },
        { type: 'tool-call-delta', index: 0, delta: '{"a":' },
        ...deltas('thinking STOP and on'),
        { type: 'tool-call-delta', index: 0, delta: '1}' },
        { type: 'tool-call-end', index: 0 },
        { type: 'tool-call-start', index: 1, callId: 'c2', name: 'g' },
        USAGE,
      ],
      ['STOP'],
    );
    assert.deepEqual(r.out.map((e) => e.type), ['tool-call-start', 'tool-call-delta', 'text-delta', 'tool-call-delta', 'tool-call-end', 'finish']);
    assert.equal(r.text, 'thinking ');
    assert.equal(r.out.filter((e) => e.type === 'tool-call-delta').map((e) => (e as { delta: string }).delta).join(''), '{"a":1}');
    assert.equal(r.state.pulled, 5, 'reading stops once the open call ended');
  });

  it('flushes held text before a function call that comes without a match', async () => {
    const r = await run([...deltas('let me ST'), { type: 'tool-call-start', index: 0, callId: 'c1', name: 'f' }, { type: 'finish', reason: 'tool_calls' }], ['STOP']);
    assert.deepEqual(r.out.map((e) => e.type), ['text-delta', 'text-delta', 'tool-call-start', 'finish']);
    assert.equal(r.text, 'let me ST');
  });

  it('one filter over several model turns (server tools): a sequence split across turns is found, and no turn follows it', async () => {
    const filter = new StopSequences(['STOP']);
    const out: ProviderEvent[] = [];
    for await (const e of filter.filter(upstream([...deltas('one ST'), { type: 'finish', reason: 'tool_calls' }]).stream)) out.push(e);
    assert.equal(filter.stopped, false);
    for await (const e of filter.filter(upstream([...deltas('OP two'), { type: 'finish', reason: 'stop' }]).stream)) out.push(e);
    assert.equal(filter.stopped, true);
    assert.equal(out.map((e) => (e.type === 'text-delta' ? e.delta : '')).join(''), 'one ');
    assert.deepEqual(out.at(-1), STOPPED);
    const later = upstream(deltas('three'));
    for await (const e of filter.filter(later.stream)) out.push(e);
    assert.equal(later.state.pulled, 0, 'a stopped filter reads nothing more');
    assert.deepEqual([...filter.flush()], []);
  });

  it('no sequences (or only empty ones): events pass unchanged', async () => {
    const r = await run(deltas('a', 'b'), ['']);
    assert.deepEqual(r.sent, ['a', 'b']);
  });
});
