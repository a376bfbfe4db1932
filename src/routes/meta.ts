import { Hono } from 'hono';
import { ApiError } from '../errors/api-error.js';
import { MODEL_ID } from '../schemas/create-response.js';
import type { AppEnv } from '../http/context.js';

export function modelsRoutes(createdAt: number) {
  const r = new Hono<AppEnv>();
  const model = { id: MODEL_ID, object: 'model', created: createdAt, owned_by: 'cohort' };
  r.get('/', (c) => c.json({ object: 'list', data: [model] }));
  r.get('/:id', (c) => {
    if (c.req.param('id') !== MODEL_ID) throw new ApiError('not_found', `The model '${c.req.param('id')}' does not exist. Use '${MODEL_ID}'.`, { param: 'model' });
    return c.json(model);
  });
  return r;
}
