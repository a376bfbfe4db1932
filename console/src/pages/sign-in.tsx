/**
 * Sign-in: the API key is sent once, in the Authorization header of
 * POST /v1/session, and forgotten; the server answers with an HttpOnly cookie.
 * The form posts (never GETs), so even without this script the key could not
 * land in a URL.
 */
import { useState } from 'preact/hooks';
import { api, setCsrfToken } from '../api/client';
import type { Session } from '../api/types';
import { ErrorBanner } from '../components/ui';

export function SignIn({ onSignedIn, ended }: { onSignedIn: (s: Session) => void; ended: boolean }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const trimmed = key.trim();
    if (!/^mvra_(live|test)_\S+$/.test(trimmed)) {
      setError(new Error('An API key starts with mvra_live_ or mvra_test_.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const session = await api<Session>('/session', { method: 'POST', headers: { authorization: `Bearer ${trimmed}` }, quiet401: true });
      setKey('');
      setCsrfToken(session.csrf_token);
      onSignedIn(session);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in" id="main">
      <div class="sign-in-card">
        <div class="brand brand-large">
          <img src="/favicon.svg" alt="" width="40" height="40" />
          <span>Cohort</span>
        </div>
        <h1>Sign in to the console</h1>
        <p class="muted">
          Paste an API key (<code>mvra_live_…</code> or <code>mvra_test_…</code>). It is exchanged for a session cookie and not kept by this page. Test keys run on the free offline sandbox.
        </p>
        {ended ? <p class="banner banner-warn" role="status">Your session ended. Sign in again.</p> : null}
        <form method="post" action="/" onSubmit={submit} autocomplete="off">
          <label class="field">
            <span class="field-label">API key</span>
            <input
              type="password"
              name="api_key"
              value={key}
              onInput={(e) => setKey(e.currentTarget.value)}
              autocomplete="off"
              spellcheck={false}
              required
              placeholder="mvra_test_…"
            />
          </label>
          <ErrorBanner error={error} />
          <button type="submit" class="button button-primary button-wide" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p class="muted small">
          No key yet? On the server: <code>cohort keys create --workspace default --test</code>
        </p>
      </div>
    </main>
  );
}
