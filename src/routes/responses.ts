import { Hono } from 'hono';
import type { AppEnv } from '../http/context.js';
import { readJson } from '../http/read-json.js';
import type { ResponsesService } from '../responses/service.js';
import { SSE_HEADERS } from '../responses/sse.js';
import { createResponseRequest } from '../schemas/create-response.js';
import { inputItemsQuery, retrieveResponseQuery } from '../schemas/queries.js';
import { parseRequest } from '../schemas/validate.js';

export function responsesRoutes(service: ResponsesService, maxBodyBytes: number) {
  const r = new Hono<AppEnv>();

  r.post('/', async (c) => {
    const body = parseRequest(createResponseRequest, await readJson(c, maxBodyBytes));
    const result = await service.create(c.get('caller'), body, c.req.raw.signal);
    c.header('x-cohort-engine', result.engine);
    if (result.kind === 'stream') return new Response(result.body, { status: 200, headers: { ...SSE_HEADERS, 'x-cohort-engine': result.engine, 'x-request-id': c.get('requestId') } });
    return c.json(result.response);
  });

  r.get('/:id', async (c) => {
    const q = parseRequest(retrieveResponseQuery, c.req.query());
    const id = c.req.param('id');
    if (q.stream) {
      const body = await service.stream(c.get('caller'), id, q.starting_after ?? -1);
      return new Response(body, { status: 200, headers: { ...SSE_HEADERS, 'x-request-id': c.get('requestId') } });
    }
    return c.json(await service.get(c.get('caller'), id));
  });

  r.delete('/:id', async (c) => c.json(await service.delete(c.get('caller'), c.req.param('id'))));

  r.post('/:id/cancel', async (c) => c.json(await service.cancel(c.get('caller'), c.req.param('id'))));

  r.get('/:id/input_items', async (c) => {
    const q = parseRequest(inputItemsQuery, c.req.query());
    return c.json(await service.inputItems(c.get('caller'), c.req.param('id'), { limit: q.limit, order: q.order, ...(q.after !== undefined ? { after: q.after } : {}) }));
  });

  return r;
}
