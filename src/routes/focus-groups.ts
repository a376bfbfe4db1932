/**
 * /v1/focus-groups: simulated audience research (src/focus-groups/). The
 * routes read and answer HTTP; the service does the rest. Creating answers
 * 202 (the study runs in the background) or 200 for a replayed
 * Idempotency-Key and for `dry_run` estimates.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/context.js';
import { readJson } from '../http/read-json.js';
import type { FocusGroupCaller, FocusGroupsService } from '../focus-groups/service.js';

export function focusGroupsRoutes(service: FocusGroupsService, maxBodyBytes: number) {
  const r = new Hono<AppEnv>();
  const caller = (c: Context<AppEnv>): FocusGroupCaller => {
    const k = c.get('caller');
    return { workspaceId: k.workspaceId, ...(k.workspaceName !== undefined ? { workspaceName: k.workspaceName } : {}), keyId: k.keyId, mode: k.mode, limits: k.limits };
  };

  r.post('/', async (c) => {
    const key = c.req.header('idempotency-key');
    const out = await service.create(caller(c), await readJson(c, maxBodyBytes), { ...(key !== undefined ? { idempotencyKey: key } : {}), signal: c.req.raw.signal });
    if (out.kind === 'estimate') return c.json(out.estimate);
    if (out.replayed) c.header('idempotent-replayed', 'true');
    return c.json(out.study, out.replayed ? 200 : 202);
  });

  r.get('/', async (c) => c.json(await service.list(caller(c), c.req.query())));

  r.get('/:id', async (c) => c.json(await service.get(caller(c), c.req.param('id'))));

  r.get('/:id/events', async (c) => {
    const raw = c.req.header('last-event-id') ?? c.req.query('after');
    const last = raw !== undefined && /^\d{1,9}$/.test(raw) ? Number(raw) : -1;
    const body = await service.events(caller(c), c.req.param('id'), last);
    return new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' } });
  });

  r.get('/:id/respondents', async (c) => c.json(await service.respondents(caller(c), c.req.param('id'), c.req.query())));

  r.get('/:id/transcripts', async (c) => c.json(await service.transcripts(caller(c), c.req.param('id'), c.req.query())));

  r.get('/:id/results', async (c) => c.json(await service.results(caller(c), c.req.param('id'), c.req.query())));

  r.get('/:id/export', async (c) => {
    const id = c.req.param('id');
    const out = await service.export(caller(c), id, c.req.query());
    const safe = id.replace(/[^\w.-]/g, '_');
    if (out.format === 'csv') {
      return new Response(out.body, { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${safe}.csv"` } });
    }
    if (out.format === 'html') {
      // The report has no script and loads nothing: a CSP that forbids both keeps it so even if a text slipped through.
      return new Response(out.body, {
        headers: {
          'content-type': 'text/html; charset=utf-8',
          'content-disposition': `attachment; filename="${safe}.html"`,
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
          'x-content-type-options': 'nosniff',
        },
      });
    }
    if ('stream' in out) return new Response(out.stream, { headers: { 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="${safe}.json"` } });
    c.header('content-disposition', `attachment; filename="${safe}.json"`);
    return c.json(out.body);
  });

  r.post('/:id/cancel', async (c) => c.json(await service.cancel(caller(c), c.req.param('id'))));

  r.delete('/:id', async (c) => c.json(await service.delete(caller(c), c.req.param('id'))));

  return r;
}
