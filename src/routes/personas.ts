import { Hono } from 'hono';
import { ApiError } from '../errors/api-error.js';
import type { AppEnv } from '../http/context.js';
import { summarize, type PersonaStore } from '../personas/persona-store.js';
import { listPersonasQuery } from '../schemas/queries.js';
import { parseRequest } from '../schemas/validate.js';

/** Listing and reading personas is free. The persona's prompt is never returned. */
export function personasRoutes(personas: PersonaStore) {
  const r = new Hono<AppEnv>();

  r.get('/', async (c) => {
    const q = parseRequest(listPersonasQuery, c.req.query());
    const after = q.cursor ?? q.after;
    const page = await personas.list(c.get('caller').workspaceId, {
      limit: q.limit,
      ...(after !== undefined ? { after } : {}),
      ...(q.category !== undefined ? { category: q.category } : {}),
      ...(q.search !== undefined ? { search: q.search } : {}),
      ...(q.custom !== undefined ? { custom: q.custom } : {}),
      ...(q.is_expert !== undefined ? { expert: q.is_expert } : {}),
    });
    return c.json({ object: 'list', ...page });
  });

  r.get('/:id', async (c) => {
    const id = c.req.param('id');
    const p = await personas.get(c.get('caller').workspaceId, id);
    if (!p) throw new ApiError('persona_not_found', `Persona '${id}' not found. List personas with GET /v1/personas to find valid ids.`, { param: 'persona_id' });
    // The structured profile is returned as `details`; the composed system prompt never is.
    return c.json({ ...summarize(p), details: p.profile });
  });

  return r;
}
