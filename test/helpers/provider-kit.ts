/** What the provider tests share: a minimal request, collecting a stream, and error matchers. */
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors/api-error.js';
import type { ProviderEvent, ProviderRequest } from '../../src/providers/types.js';

export function request(over: Partial<ProviderRequest> = {}): ProviderRequest {
  return {
    items: [{ type: 'message', role: 'user', content: [{ type: 'text', text: 'Would you buy this?' }] }],
    tools: [],
    toolChoice: { mode: 'auto' },
    parallelToolCalls: true,
    format: { type: 'text' },
    sampling: {},
    signal: new AbortController().signal,
    ...over,
  };
}

export async function collect(events: AsyncIterable<ProviderEvent>): Promise<ProviderEvent[]> {
  const out: ProviderEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

export function textOf(events: ProviderEvent[]): string {
  return events.map((e) => (e.type === 'text-delta' ? e.delta : '')).join('');
}

export function argsOf(events: ProviderEvent[], index: number): string {
  return events.map((e) => (e.type === 'tool-call-delta' && e.index === index ? e.delta : '')).join('');
}

/** An assert.rejects matcher: an ApiError with this code and status whose message never contains `secret`. */
export function apiErrorMatcher(secret: string) {
  return (code: string, status: number, check?: (e: ApiError) => void) =>
    (err: unknown): boolean => {
      assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
      assert.equal(err.code, code);
      assert.equal(err.status, status);
      assert.ok(!err.message.includes(secret), 'message must not contain the API key');
      check?.(err);
      return true;
    };
}
