/**
 * The read side of responses: retrieve, stream replay, delete, cancel and
 * input_items. A response still running in this process is read from its run
 * (RunRegistry); a finished one from the store.
 */
import type { Caller } from '../accounts/caller.js';
import { ApiError } from '../errors/api-error.js';
import type { StreamLimits } from '../limits/request-limits.js';
import type { ResponsesStore } from '../storage/responses-store.js';
import { loggedBody } from './bodies.js';
import { replayEvents } from './replay.js';
import type { RunRegistry } from './run.js';
import { SSE_DONE, encodeFrame, sseFrame } from './sse.js';
import type { ResponseObject } from './types.js';

export function createReads(deps: { runs: RunRegistry; responses: ResponsesStore; streamLimits: StreamLimits }) {
  const { runs } = deps;
  return {
    async get(caller: Caller, id: string): Promise<ResponseObject> {
      const live = runs.get(id);
      if (live && live.workspaceId === caller.workspaceId) return structuredClone(live.run.response);
      const stored = await deps.responses.get(caller.workspaceId, id, ['body']);
      if (!stored) throw notFound(id);
      return stored.body;
    },

    /** SSE replay of a response: live frames for a running background response, else its stored events. */
    async stream(caller: Caller, id: string, startingAfter: number): Promise<ReadableStream<Uint8Array>> {
      const live = runs.get(id);
      if (live && live.workspaceId === caller.workspaceId && live.run.response.background) return loggedBody(live.run, startingAfter, deps.streamLimits);
      const stored = await deps.responses.get(caller.workspaceId, id, ['body', 'events']);
      if (!stored) throw notFound(id);
      const frames = stored.events ?? replayEvents(stored.body).map(sseFrame);
      const body = frames.slice(startingAfter + 1).join('') + SSE_DONE;
      return new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encodeFrame(body));
          controller.close();
        },
      });
    },

    async delete(caller: Caller, id: string): Promise<{ id: string; object: 'response'; deleted: true }> {
      const live = runs.get(id);
      if (live && live.workspaceId === caller.workspaceId) {
        live.run.abort('cancelled');
        await live.run.done;
      }
      if (!(await deps.responses.delete(caller.workspaceId, id))) throw notFound(id);
      return { id, object: 'response', deleted: true };
    },

    async cancel(caller: Caller, id: string): Promise<ResponseObject> {
      const live = runs.get(id);
      if (live && live.workspaceId === caller.workspaceId) {
        if (!live.run.response.background) throw new ApiError('invalid_request', 'Only background responses can be cancelled.', { param: 'response_id' });
        live.run.abort('cancelled');
        await live.run.done;
        await live.persisted;
        return structuredClone(live.run.response);
      }
      const stored = await deps.responses.get(caller.workspaceId, id, ['body']);
      if (!stored) throw notFound(id);
      const { body } = stored;
      if (!body.background) throw new ApiError('invalid_request', 'Only background responses can be cancelled.', { param: 'response_id' });
      if (body.status === 'cancelled') return body;
      throw new ApiError('invalid_request', `Cannot cancel a response with status '${body.status}'.`, { param: 'response_id' });
    },

    async inputItems(caller: Caller, id: string, q: { limit: number; order: 'asc' | 'desc'; after?: string }) {
      const stored = await deps.responses.get(caller.workspaceId, id, ['inputItems']);
      if (!stored) throw notFound(id);
      let items = q.order === 'desc' ? [...stored.inputItems].reverse() : stored.inputItems;
      if (q.after !== undefined) {
        const i = items.findIndex((x) => x.id === q.after);
        if (i < 0) throw new ApiError('validation_error', `No input item with id '${q.after}' in response '${id}'.`, { param: 'after' });
        items = items.slice(i + 1);
      }
      const data = items.slice(0, q.limit);
      return {
        object: 'list' as const,
        data,
        first_id: data[0]?.id ?? null,
        last_id: data[data.length - 1]?.id ?? null,
        has_more: items.length > q.limit,
      };
    },
  };
}

function notFound(id: string): ApiError {
  return new ApiError('not_found', `Response with id '${id}' not found.`, { param: 'response_id' });
}
