/**
 * Runs one streamed response (POST /v1/responses, stream: true) and folds
 * its SSE events into what the playground shows: the text as it arrives,
 * function calls with their arguments, and the final Response (usage,
 * credits, analysis) from the terminal event.
 */
import { messageOf, request } from '../../api/client';
import { readSse } from '../../api/sse';
import type { ResponseObject } from '../../api/types';

export interface FunctionCallView {
  id: string;
  name: string;
  arguments: string;
  done: boolean;
}

export interface RunState {
  status: 'idle' | 'streaming' | 'completed' | 'incomplete' | 'failed' | 'cancelled';
  responseId: string | null;
  text: string;
  calls: FunctionCallView[];
  final: ResponseObject | null;
  error: string | null;
  events: number;
}

export const IDLE: RunState = { status: 'idle', responseId: null, text: '', calls: [], final: null, error: null, events: 0 };

type Event = { type?: string; [k: string]: unknown };

export function reduce(state: RunState, e: Event): RunState {
  const s = { ...state, events: state.events + 1 };
  switch (e.type) {
    case 'response.created': {
      const r = e.response as ResponseObject | undefined;
      return { ...s, responseId: r?.id ?? null };
    }
    case 'response.output_text.delta':
      return { ...s, text: s.text + String(e.delta ?? '') };
    case 'response.output_item.added': {
      const item = e.item as { type?: string; id?: string; name?: string } | undefined;
      if (item?.type === 'function_call') return { ...s, calls: [...s.calls, { id: item.id ?? '', name: item.name ?? '', arguments: '', done: false }] };
      return s;
    }
    case 'response.function_call_arguments.delta':
      return { ...s, calls: s.calls.map((c) => (c.id === e.item_id ? { ...c, arguments: c.arguments + String(e.delta ?? '') } : c)) };
    case 'response.function_call_arguments.done':
      return { ...s, calls: s.calls.map((c) => (c.id === e.item_id ? { ...c, arguments: String(e.arguments ?? c.arguments), done: true } : c)) };
    case 'response.completed':
    case 'response.incomplete':
    case 'response.failed': {
      const r = e.response as ResponseObject;
      const status = e.type === 'response.completed' ? 'completed' : e.type === 'response.incomplete' ? 'incomplete' : 'failed';
      const text = r.output
        .filter((o) => o.type === 'message')
        .flatMap((o) => o.content ?? [])
        .map((p) => p.text ?? '')
        .join('');
      return {
        ...s,
        status,
        final: r,
        text: text || s.text,
        error: status === 'failed' ? (r.error?.message ?? s.error ?? 'The response failed.') : status === 'incomplete' ? `Incomplete: ${r.incomplete_details?.reason ?? 'unknown reason'}` : null,
      };
    }
    case 'error': {
      const err = (e.error as { message?: string } | undefined)?.message ?? (typeof e.message === 'string' ? e.message : 'Stream error');
      return { ...s, error: err };
    }
    default:
      return s;
  }
}

/** Streams the response, calling `update` with each new state; resolves with the last one. */
export async function runStream(body: Record<string, unknown>, update: (s: RunState) => void, signal: AbortSignal): Promise<RunState> {
  let state: RunState = { ...IDLE, status: 'streaming' };
  update(state);
  try {
    const res = await request('/responses', { method: 'POST', body: { ...body, stream: true }, signal, headers: { accept: 'text/event-stream' } });
    if (!res.body) throw new Error('The server sent no stream.');
    for await (const frame of readSse(res.body, signal)) {
      let event: Event;
      try {
        event = JSON.parse(frame.data) as Event;
      } catch {
        continue;
      }
      state = reduce(state, event);
      update(state);
    }
    if (state.status === 'streaming') state = { ...state, status: signal.aborted ? 'cancelled' : 'failed', error: state.error ?? (signal.aborted ? null : 'The stream ended early.') };
  } catch (err) {
    const aborted = signal.aborted || (err instanceof DOMException && err.name === 'AbortError');
    state = { ...state, status: aborted ? 'cancelled' : 'failed', error: aborted ? null : messageOf(err) };
  }
  update(state);
  return state;
}
