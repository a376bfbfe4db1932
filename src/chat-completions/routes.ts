/**
 * `POST /v1/chat/completions`: the legacy Chat Completions surface, served by
 * the one Responses pipeline (see convert.ts for the mapping and stream.ts
 * for the streaming wire format). Mounted in app.ts behind the `responses`
 * scope.
 */
import { Hono } from 'hono';
import { ApiError } from '../errors/api-error.js';
import type { AppEnv } from '../http/context.js';
import { readJson } from '../http/read-json.js';
import type { ResponsesService } from '../responses/service.js';
import { SSE_HEADERS } from '../responses/sse.js';
import { parseRequest } from '../schemas/validate.js';
import { remapError, toChatCompletion, toResponseRequest, type ParamMap } from './convert.js';
import { chatCompletionRequest } from './schema.js';
import { openChatStream } from './stream.js';

export function chatCompletionsRoutes(service: ResponsesService, maxBodyBytes: number) {
  const r = new Hono<AppEnv>();

  r.post('/', async (c) => {
    const chat = parseRequest(chatCompletionRequest, await readJson(c, maxBodyBytes), { unknownTopLevel: (key) => `Unrecognized request argument supplied: ${key}` });
    const { request, params, sampling } = toResponseRequest(chat);
    const caller = c.get('caller');

    if (chat.stream) {
      const { body, engine } = await renamed(params, () =>
        openChatStream(service, caller, request, { includeUsage: chat.stream_options?.include_usage === true, params, signal: c.req.raw.signal, sampling }),
      );
      return new Response(body, { status: 200, headers: { ...SSE_HEADERS, 'x-cohort-engine': engine, 'x-request-id': c.get('requestId') } });
    }

    const result = await renamed(params, () => service.create(caller, { ...request, stream: false }, c.req.raw.signal, sampling));
    if (result.kind !== 'json') throw new ApiError('internal_error', 'Expected a finished response.');
    c.header('x-cohort-engine', result.engine);
    return c.json(toChatCompletion(result.response));
  });

  return r;
}

/** Runs `fn`, renaming the Responses parameter of any ApiError it throws to the chat request's. */
async function renamed<T>(params: ParamMap, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof ApiError ? remapError(err, params) : err;
  }
}
