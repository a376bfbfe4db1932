import { Hono } from 'hono';
import type { Context } from 'hono';
import { ApiError } from '../errors/api-error.js';
import type { AppEnv } from '../http/context.js';
import { readJson, readOptionalJson } from '../http/read-json.js';
import { getPersonaQuery } from '../personas/custom-persona.js';
import type { CustomPersonaService, PersonaCaller } from '../personas/custom-service.js';
import { summarize, type PersonaStore } from '../personas/persona-store.js';
import { listPersonasQuery } from '../schemas/queries.js';
import { parseRequest } from '../schemas/validate.js';

export interface PersonasRoutesDeps {
  /** Built-in and custom personas (merged). */
  personas: PersonaStore;
  /** Custom personas; without it the write endpoints answer 503. */
  custom?: CustomPersonaService;
  maxBodyBytes?: number;
}

/**
 * Listing and reading personas is free. Creating (POST /, /import, /{id}/clone)
 * costs credits (see PERSONA_CREDITS); PATCH makes a new version; DELETE is
 * soft. The persona's prompt is never returned.
 */
export function personasRoutes(input: PersonaStore | PersonasRoutesDeps) {
  const deps: PersonasRoutesDeps = 'list' in input ? { personas: input } : input;
  const personas = deps.personas;
  const maxBodyBytes = deps.maxBodyBytes ?? 25 * 1024 * 1024;
  const r = new Hono<AppEnv>();

  const caller = (c: Context<AppEnv>): PersonaCaller => {
    const k = c.get('caller');
    return { workspaceId: k.workspaceId, keyId: k.keyId, mode: k.mode };
  };
  const custom = (): CustomPersonaService => {
    if (!deps.custom) throw new ApiError('service_unavailable', 'Custom personas are not available on this server.');
    return deps.custom;
  };

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

  // Creates answer 200 like POST /v1/responses (clients of the original API check for 200).
  r.post('/', async (c) => c.json(await custom().create(caller(c), await readJson(c, maxBodyBytes), c.req.raw.signal)));

  r.post('/import', async (c) => c.json(await custom().import(caller(c), await readJson(c, maxBodyBytes))));

  r.get('/:id', async (c) => {
    const id = c.req.param('id');
    const q = parseRequest(getPersonaQuery, c.req.query());
    if (deps.custom) {
      const found = await deps.custom.getCustom(caller(c), id, q.version);
      if (found) return c.json(found);
    }
    const p = await personas.get(c.get('caller').workspaceId, id);
    if (!p) throw new ApiError('persona_not_found', `Persona '${id}' not found. List personas with GET /v1/personas to find valid ids.`, { param: 'persona_id' });
    // The structured profile is returned as `details`; the composed system prompt never is.
    return c.json({ ...summarize(p), details: p.profile });
  });

  r.patch('/:id', async (c) => c.json(await custom().update(caller(c), c.req.param('id'), await readJson(c, maxBodyBytes))));

  r.delete('/:id', async (c) => c.json(await custom().delete(caller(c), c.req.param('id'))));

  r.post('/:id/clone', async (c) => c.json(await custom().clone(caller(c), c.req.param('id'), await readOptionalJson(c, maxBodyBytes))));

  r.get('/:id/export', async (c) => {
    const doc = await custom().export(caller(c), c.req.param('id'));
    c.header('content-disposition', `attachment; filename="${c.req.param('id').replace(/[^\w.-]/g, '_')}.persona.json"`);
    return c.json(doc);
  });

  return r;
}
