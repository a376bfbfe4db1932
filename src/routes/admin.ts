/**
 * The admin API (`/v1/admin/…`): workspaces, plans and custom limits, keys,
 * credits and usage — the same operations as the CLI. Two levels
 * (src/accounts/scopes.ts): an `operator` key reaches every workspace and
 * alone creates workspaces, sets plans and grants or adjusts credits; an
 * `admin` key reaches its own workspace only (its keys, its credits and
 * usage), and a path naming another workspace is refused before it is looked
 * up, so an admin cannot even learn which names exist.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { PLANS, type Plan } from '../accounts/plans.js';
import { ApiError } from '../errors/api-error.js';
import type { AppEnv } from '../http/context.js';
import { readJson } from '../http/read-json.js';
import { parseRequest } from '../schemas/validate.js';
import { isOperator, SCOPES } from '../accounts/scopes.js';
import type { AccountsStore, Workspace } from '../storage/accounts-store.js';
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
    expires_at: z.number().int().positive().max(253_402_300_799).optional().meta({ description: 'Unix seconds, in the future (at most 9999-12-31)' }),
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
  type Ctx = Context<AppEnv>;

  /** 403 unless the caller is the server's operator. */
  const operatorOnly = (c: Ctx, what: string): void => {
    if (!isOperator(c.get('caller').scopes)) {
      throw new ApiError('forbidden', `Only an operator key can ${what}; this key's 'admin' scope covers its own workspace '${c.get('caller').workspaceName}'.`);
    }
  };
  /** The workspace named in the path, if the caller may administer it: an operator any, an admin its own. */
  const workspace = async (c: Ctx): Promise<Workspace> => {
    const name = c.req.param('name')!;
    const caller = c.get('caller');
    if (!isOperator(caller.scopes) && name !== caller.workspaceName && name !== caller.workspaceId) {
      throw new ApiError('forbidden', `This key administers workspace '${caller.workspaceName}' only; other workspaces need an operator key.`, { param: 'name' });
    }
    const w = (await accounts.findWorkspace(name)) ?? (name === caller.workspaceId ? await accounts.getWorkspace(name) : undefined);
    if (!w) throw new ApiError('not_found', `Workspace '${name}' not found.`, { param: 'name' });
    return w;
  };

  r.get('/workspaces', async (c) => {
    const caller = c.get('caller');
    const all = isOperator(caller.scopes) ? await accounts.listWorkspaces() : [await accounts.getWorkspace(caller.workspaceId)].filter((w) => w !== undefined);
    return c.json({ object: 'list', data: all.map(workspaceView) });
  });

  r.post('/workspaces', async (c) => {
    operatorOnly(c, 'create workspaces');
    const body = parseRequest(createWorkspaceRequest, await readJson(c, maxBodyBytes));
    const { workspace: w, created } = await accounts.createWorkspace(body.name, body.plan);
    if (!created) throw new ApiError('invalid_request', `Workspace '${body.name}' already exists.`, { param: 'name' });
    return c.json(workspaceView(w), 201);
  });

  r.get('/workspaces/:name', async (c) => {
    const w = await workspace(c);
    return c.json({ ...workspaceView(w), credits: await credits.summary(w.id) });
  });

  r.post('/workspaces/:name/plan', async (c) => {
    operatorOnly(c, 'set plans and limits');
    const w = await workspace(c);
    const body = parseRequest(setPlanRequest, await readJson(c, maxBodyBytes));
    if ((body.rpm !== undefined || body.rpd !== undefined) && body.plan !== 'enterprise') {
      throw new ApiError('validation_error', 'Custom rpm/rpd limits are for the enterprise plan.', { param: body.rpm !== undefined ? 'rpm' : 'rpd' });
    }
    await accounts.setPlan(w.name, body.plan as Plan, { rpm: body.rpm ?? null, rpd: body.rpd ?? null });
    if (body.monthly_budget !== undefined) await credits.setBudget(w.id, body.monthly_budget);
    return c.json(workspaceView((await accounts.findWorkspace(w.name))!));
  });

  r.get('/workspaces/:name/keys', async (c) => c.json({ object: 'list', data: await accounts.listKeys((await workspace(c)).name) }));

  r.post('/workspaces/:name/keys', async (c) => {
    const w = await workspace(c);
    const body = parseRequest(createKeyRequest, await readJson(c, maxBodyBytes));
    if (body.scopes?.includes('operator')) operatorOnly(c, "create keys with the 'operator' scope");
    if (body.expires_at !== undefined && body.expires_at * 1000 <= clock.now()) {
      throw new ApiError('validation_error', `expires_at (${body.expires_at}) is in the past: a key must expire after it is created (Unix seconds).`, { param: 'expires_at' });
    }
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
    const id = c.req.param('id');
    const caller = c.get('caller');
    const key = await accounts.getKey(id);
    // An admin sees only its own workspace's keys: another's is "not found", as if it did not exist.
    if (!key || (!isOperator(caller.scopes) && key.workspace_id !== caller.workspaceId)) throw new ApiError('not_found', `Key '${id}' not found.`, { param: 'id' });
    if (isOperator(key.scopes)) operatorOnly(c, 'revoke an operator key');
    await accounts.revokeKey(id);
    return c.json({ id, object: 'api_key', revoked: true });
  });

  r.post('/workspaces/:name/credits', async (c) => {
    operatorOnly(c, 'grant or adjust credits');
    const w = await workspace(c);
    const body = parseRequest(creditChangeRequest, await readJson(c, maxBodyBytes));
    const summary = await credits.change({ workspaceId: w.id, kind: body.kind, amount: body.amount, reason: body.reason ?? null, keyId: c.get('caller').keyId });
    return c.json({ object: 'credits', ...summary });
  });

  r.get('/workspaces/:name/credits', async (c) => {
    const w = await workspace(c);
    return c.json({ object: 'credits', ...(await credits.summary(w.id)), ledger: await credits.ledger(w.id, { limit: 100 }) });
  });

  r.get('/workspaces/:name/usage', async (c) => {
    const w = await workspace(c);
    const q = parseRequest(usageQuery, c.req.query());
    return c.json({ object: 'usage', group_by: q.group_by, data: await credits.usage(w.id, { ...usageRange(q, clock.now()), groupBy: q.group_by }) });
  });

  return r;
}
