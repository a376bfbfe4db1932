/**
 * The admin API (`/v1/admin/…`, keys with the 'admin' scope): workspaces,
 * plans and custom limits, keys, credits and usage of any workspace — the same
 * operations as the CLI.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { PLANS, type Plan } from '../accounts/plans.js';
import { ApiError } from '../errors/api-error.js';
import type { AppEnv } from '../http/context.js';
import { readJson } from '../http/read-json.js';
import { parseRequest } from '../schemas/validate.js';
import { SCOPES, type AccountsStore, type Workspace } from '../storage/accounts-store.js';
import type { CreditsStore } from '../storage/credits-store.js';
import type { Clock } from '../util/ids.js';
import { usageQuery, usageRange } from './account.js';

export const createWorkspaceRequest = z.object({ name: z.string().min(1).max(100), plan: z.enum(PLANS).default('free') }).meta({ id: 'CreateWorkspaceRequest' });
export const setPlanRequest = z
  .object({ plan: z.enum(PLANS), rpm: z.number().int().positive().optional(), rpd: z.number().int().positive().optional(), monthly_budget: z.number().int().min(0).optional() })
  .meta({ id: 'SetPlanRequest' });
export const createKeyRequest = z
  .object({
    mode: z.enum(['live', 'test']).default('live'),
    name: z.string().max(100).optional(),
    scopes: z.array(z.enum(SCOPES)).optional(),
    expires_at: z.number().int().positive().optional().meta({ description: 'Unix seconds' }),
  })
  .meta({ id: 'CreateKeyRequest' });
export const creditChangeRequest = z
  .object({ amount: z.number().int(), reason: z.string().max(500).optional(), kind: z.enum(['grant', 'adjustment']).default('grant') })
  .meta({ id: 'CreditChangeRequest' });

export function workspaceView(w: Workspace) {
  return {
    id: w.id,
    object: 'workspace',
    name: w.name,
    plan: w.plan,
    created_at: Number(w.created_at),
    balance: Number(w.balance),
    monthly_budget: w.monthly_budget === null ? null : Number(w.monthly_budget),
    rpm_limit: w.rpm_limit,
    rpd_limit: w.rpd_limit,
  };
}

export function adminRoutes(accounts: AccountsStore, credits: CreditsStore, clock: Clock, maxBodyBytes: number) {
  const r = new Hono<AppEnv>();
  const workspace = async (name: string) => {
    const w = await accounts.findWorkspace(name);
    if (!w) throw new ApiError('not_found', `Workspace '${name}' not found.`, { param: 'workspace' });
    return w;
  };

  r.get('/workspaces', async (c) => c.json({ object: 'list', data: (await accounts.listWorkspaces()).map(workspaceView) }));

  r.post('/workspaces', async (c) => {
    const body = parseRequest(createWorkspaceRequest, await readJson(c, maxBodyBytes));
    const { workspace: w, created } = await accounts.createWorkspace(body.name, body.plan);
    if (!created) throw new ApiError('invalid_request', `Workspace '${body.name}' already exists.`, { param: 'name' });
    return c.json(workspaceView(w), 201);
  });

  r.get('/workspaces/:name', async (c) => {
    const w = await workspace(c.req.param('name'));
    return c.json({ ...workspaceView(w), credits: await credits.summary(w.id) });
  });

  r.post('/workspaces/:name/plan', async (c) => {
    const w = await workspace(c.req.param('name'));
    const body = parseRequest(setPlanRequest, await readJson(c, maxBodyBytes));
    if ((body.rpm !== undefined || body.rpd !== undefined) && body.plan !== 'enterprise') {
      throw new ApiError('validation_error', 'Custom rpm/rpd limits are for the enterprise plan.', { param: body.rpm !== undefined ? 'rpm' : 'rpd' });
    }
    await accounts.setPlan(w.name, body.plan as Plan, { rpm: body.rpm ?? null, rpd: body.rpd ?? null });
    if (body.monthly_budget !== undefined) await credits.setBudget(w.id, body.monthly_budget);
    return c.json(workspaceView((await accounts.findWorkspace(w.name))!));
  });

  r.get('/workspaces/:name/keys', async (c) => c.json({ object: 'list', data: await accounts.listKeys((await workspace(c.req.param('name'))).name) }));

  r.post('/workspaces/:name/keys', async (c) => {
    const w = await workspace(c.req.param('name'));
    const body = parseRequest(createKeyRequest, await readJson(c, maxBodyBytes));
    const key = await accounts.createKey({
      workspace: w.name,
      mode: body.mode,
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.scopes !== undefined ? { scopes: body.scopes } : {}),
      ...(body.expires_at !== undefined ? { expiresAt: body.expires_at } : {}),
    });
    return c.json({ object: 'api_key', ...key }, 201);
  });

  r.post('/keys/:id/revoke', async (c) => {
    if (!(await accounts.revokeKey(c.req.param('id')))) throw new ApiError('not_found', `Key '${c.req.param('id')}' not found.`, { param: 'id' });
    return c.json({ id: c.req.param('id'), object: 'api_key', revoked: true });
  });

  r.post('/workspaces/:name/credits', async (c) => {
    const w = await workspace(c.req.param('name'));
    const body = parseRequest(creditChangeRequest, await readJson(c, maxBodyBytes));
    const summary = await credits.change({ workspaceId: w.id, kind: body.kind, amount: body.amount, reason: body.reason ?? null, keyId: c.get('caller').keyId });
    return c.json({ object: 'credits', ...summary });
  });

  r.get('/workspaces/:name/credits', async (c) => {
    const w = await workspace(c.req.param('name'));
    return c.json({ object: 'credits', ...(await credits.summary(w.id)), ledger: await credits.ledger(w.id, { limit: 100 }) });
  });

  r.get('/workspaces/:name/usage', async (c) => {
    const w = await workspace(c.req.param('name'));
    const q = parseRequest(usageQuery, c.req.query());
    return c.json({ object: 'usage', group_by: q.group_by, data: await credits.usage(w.id, { ...usageRange(q, clock.now()), groupBy: q.group_by }) });
  });

  return r;
}
