/**
 * The console's session cookie as an alternative to the Bearer key. A session
 * resolves to the key it was opened with — same workspace, plan, limits and
 * scopes — so the console reaches exactly what that key reaches through the
 * public endpoints, nothing more.
 *
 * CSRF: the cookie is SameSite=Strict, and a request that changes state
 * (anything but GET/HEAD/OPTIONS) must also carry the session's CSRF token in
 * the `x-cohort-csrf` header — a value a page on another origin cannot read
 * (it is derived from the HttpOnly token and returned only by the same-origin
 * session endpoint) and a header it cannot send without a CORS preflight this
 * server never grants. `Origin` and `Sec-Fetch-Site`, when the browser sends
 * them, must say the request came from this site.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { limitsFor } from '../accounts/plans.js';
import { ApiError } from '../errors/api-error.js';
import type { AppEnv } from '../http/context.js';
import type { ConsoleSessionsStore } from '../storage/console-sessions-store.js';
import type { Clock } from '../util/ids.js';

export const SESSION_COOKIE = 'cohort_session';
export const CSRF_HEADER = 'x-cohort-csrf';

const TOKEN_SHAPE = /^cs_[A-Za-z0-9_-]{43}$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The CSRF token of a session: an HMAC of its secret token, so nothing more is stored and it reveals nothing of the token. */
export function csrfToken(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('cohort console csrf').digest('base64url');
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** 403 unless a state-changing request visibly comes from this site with the session's CSRF token. */
function checkSameSite(c: Context<AppEnv>, token: string): void {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new ApiError('forbidden', `A console session cannot be used from another site (Sec-Fetch-Site: ${site.slice(0, 40)}).`);
  }
  const origin = c.req.header('origin');
  if (origin !== undefined) {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host === undefined || host !== c.req.header('host')) {
      throw new ApiError('forbidden', 'A console session cannot be used from another origin.');
    }
  }
  const sent = c.req.header(CSRF_HEADER);
  if (sent === undefined || !sameToken(sent, csrfToken(token))) {
    throw new ApiError('forbidden', `A request that changes something with a console session needs the session's CSRF token in the '${CSRF_HEADER}' header.`, {
      param: CSRF_HEADER,
    });
  }
}

/**
 * Resolves the session cookie, if any, to the caller (and `c.var.session`).
 * Returns false when the request has no session cookie; throws 401 for a
 * session that ended (expired, signed out, its key revoked or expired) and
 * 403 for a state-changing request without the CSRF proofs.
 */
export function sessionAuthenticator(sessions: ConsoleSessionsStore, clock: Clock) {
  return async (c: Context<AppEnv>): Promise<boolean> => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token === undefined) return false;
    const ended = new ApiError('unauthorized', 'Your console session has ended. Sign in again with an API key.');
    if (!TOKEN_SHAPE.test(token)) throw ended;
    const s = await sessions.find(token);
    const nowSec = Math.floor(clock.now() / 1000);
    if (!s || s.expires_at <= nowSec) throw ended;
    if (s.key_revoked_at !== null) throw new ApiError('unauthorized', `The API key ${s.prefix} this session signed in with has been revoked. Sign in again.`);
    if (s.key_expires_at !== null && s.key_expires_at <= nowSec) throw new ApiError('unauthorized', `The API key ${s.prefix} this session signed in with expired. Sign in again.`);
    if (!SAFE_METHODS.has(c.req.method)) checkSameSite(c, token);
    c.set('caller', {
      workspaceId: s.workspace_id,
      workspaceName: s.workspace,
      keyId: s.key_id,
      mode: s.mode,
      scopes: s.scopes,
      plan: s.plan,
      limits: limitsFor(s.plan, s),
    });
    c.set('session', { token, expiresAt: s.expires_at });
    return true;
  };
}

export type SessionAuthenticator = ReturnType<typeof sessionAuthenticator>;
