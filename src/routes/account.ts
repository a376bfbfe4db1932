/**
 * The workspace's own credits and usage: `GET /v1/credits`, `GET /v1/usage`.
 * Live numbers come from the ledger, the same rows the balance is kept by;
 * test-key requests are rows of their own (`mode: 'test'`, credits 0), also
 * counted in `total_requests` and, apart, in `test_requests`.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context.js';
import type { CreditsStore } from '../storage/credits-store.js';
import { parseRequest } from '../schemas/validate.js';
import type { Clock } from '../util/ids.js';

export const usageQuery = z
  .object({
    start_date: z.iso.date().optional().meta({ description: 'First day (UTC, YYYY-MM-DD); default 30 days ago.' }),
    end_date: z.iso.date().optional().meta({ description: 'Last day, inclusive (UTC); default today.' }),
    group_by: z.enum(['day', 'key', 'persona', 'operation']).default('day'),
  })
  .refine((q) => q.start_date === undefined || q.end_date === undefined || q.start_date <= q.end_date, { message: 'end_date is before start_date', path: ['end_date'] })
  .meta({ id: 'UsageQuery' });

const DAY = 86_400;

export function usageRange(q: { start_date?: string | undefined; end_date?: string | undefined }, nowMs: number): { from: number; to: number } {
  const today = Math.floor(nowMs / 1000 / DAY) * DAY;
  const to = q.end_date ? Date.parse(`${q.end_date}T00:00:00Z`) / 1000 + DAY : today + DAY;
  const from = q.start_date ? Date.parse(`${q.start_date}T00:00:00Z`) / 1000 : to - 30 * DAY;
  return { from, to };
}

export function accountRoutes(credits: CreditsStore, clock: Clock) {
  const r = new Hono<AppEnv>();

  r.get('/credits', async (c) => {
    const s = await credits.summary(c.get('caller').workspaceId);
    return c.json({ object: 'credits', ...s });
  });

  r.get('/usage', async (c) => {
    const q = parseRequest(usageQuery, c.req.query());
    const range = usageRange(q, clock.now());
    const data = await credits.usage(c.get('caller').workspaceId, { ...range, groupBy: q.group_by });
    const totals = data.reduce(
      (t, g) => ({ credits: t.credits + g.credits, requests: t.requests + g.requests, test: t.test + (g.mode === 'test' ? g.requests : 0) }),
      { credits: 0, requests: 0, test: 0 },
    );
    return c.json({
      object: 'usage',
      group_by: q.group_by,
      start_date: new Date(range.from * 1000).toISOString().slice(0, 10),
      end_date: new Date((range.to - DAY) * 1000).toISOString().slice(0, 10),
      total_credits: totals.credits,
      total_requests: totals.requests,
      test_requests: totals.test,
      data,
    });
  });

  return r;
}
