/**
 * `/v1/session`: the console's sign-in. `POST` with a Bearer key (in the
 * Authorization header, never a URL) opens a session and sets it as an
 * HttpOnly, SameSite=Strict cookie; `GET` says who is signed in and gives the
 * CSRF token the console sends on state-changing calls; `DELETE` signs out.
 * The key itself is not kept by the browser after sign-in.
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { ApiError } from '../errors/api-error.js';
import type { AppEnv } from '../http/context.js';
import type { AccountsStore } from '../storage/accounts-store.js';
import type { ConsoleSessionsStore } from '../storage/console-sessions-store.js';
import type { Clock } from '../util/ids.js';
import { csrfToken, SESSION_COOKIE } from './session-auth.js';

/** A cookie set over HTTPS (directly, or behind a proxy that says so) is marked Secure. */
function overHttps(c: Context<AppEnv>): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

export function sessionRoutes(accounts: AccountsStore, sessions: ConsoleSessionsStore, clock: Clock) {
  const r = new Hono<AppEnv>();

  const view = async (c: Context<AppEnv>, token: string, expiresAt: number) => {
    const caller = c.get('caller');
    const key = await accounts.getKey(caller.keyId);
    return {
      object: 'session',
      expires_at: expiresAt,
      csrf_token: csrfToken(token),
      workspace: { id: caller.workspaceId, name: caller.workspaceName ?? null, plan: caller.plan },
      key: { id: caller.keyId, prefix: key?.prefix ?? null, name: key?.name ?? null, mode: caller.mode, scopes: caller.scopes },
    };
  };
  const current = (c: Context<AppEnv>) => {
    const s = c.get('session');
    if (!s) throw new ApiError('unauthorized', 'No console session: this endpoint reads the session cookie that POST /v1/session sets.');
    return s;
  };

  r.post('/', async (c) => {
    if (c.get('session')) {
      throw new ApiError('invalid_request', "Sign in with an API key in the 'Authorization: Bearer …' header; a session cannot open another.", { param: 'authorization' });
    }
    const caller = c.get('caller');
    const key = await accounts.getKey(caller.keyId);
    const { token, expiresAt } = await sessions.create({ keyId: caller.keyId, workspaceId: caller.workspaceId, keyExpiresAt: key?.expires_at ?? null });
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: overHttps(c),
      maxAge: Math.max(0, expiresAt - Math.floor(clock.now() / 1000)),
    });
    c.header('cache-control', 'no-store');
    return c.json(await view(c, token, expiresAt), 201);
  });

  r.get('/', async (c) => {
    const s = current(c);
    c.header('cache-control', 'no-store');
    return c.json(await view(c, s.token, s.expiresAt));
  });

  r.delete('/', async (c) => {
    const s = current(c);
    await sessions.delete(s.token);
    deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: overHttps(c) });
    return c.json({ object: 'session', deleted: true });
  });

  return r;
}
