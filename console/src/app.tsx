/**
 * The console: a session gate (sign-in until GET /v1/session answers), then
 * the shell — header, navigation by the key's scopes, and the page of the
 * current hash route.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { api, onUnauthorized, request, setCsrfToken } from './api/client';
import type { Session } from './api/types';
import { Badge, Spinner } from './components/ui';
import { href, navigate, useRoute, type Route } from './router';
import { hasScope, SessionContext } from './session';
import { SignIn } from './pages/sign-in';
import { Playground } from './pages/playground/playground';
import { PersonasPage } from './pages/personas/personas';
import { UsagePage } from './pages/usage';
import { KeysPage } from './pages/keys';
import { FocusGroupsPage } from './pages/focus-groups/focus-groups';

interface NavItem {
  path: string;
  label: string;
  scope: string;
}

const NAV: NavItem[] = [
  { path: '/playground', label: 'Playground', scope: 'responses' },
  { path: '/personas', label: 'Personas', scope: 'personas:read' },
  { path: '/focus-groups', label: 'Focus groups', scope: 'focus_groups' },
  { path: '/usage', label: 'Usage & credits', scope: 'usage:read' },
  { path: '/keys', label: 'Keys', scope: 'admin' },
];

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [ended, setEnded] = useState(false);

  useEffect(() => {
    onUnauthorized(() => {
      setCsrfToken(null);
      setEnded(true);
      setSession(null);
    });
    api<Session>('/session', { quiet401: true })
      .then((s) => {
        setCsrfToken(s.csrf_token);
        setSession(s);
      })
      .catch(() => setSession(null));
    return () => onUnauthorized(null);
  }, []);

  if (session === undefined) {
    return (
      <main class="center" id="main">
        <Spinner />
      </main>
    );
  }
  if (session === null) {
    return (
      <SignIn
        ended={ended}
        onSignedIn={(s) => {
          setEnded(false);
          setSession(s);
        }}
      />
    );
  }
  const signOut = async () => {
    try {
      await request('/session', { method: 'DELETE', quiet401: true });
    } finally {
      setCsrfToken(null);
      setEnded(false);
      setSession(null);
      navigate('/playground');
    }
  };
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} onSignOut={signOut} />
    </SessionContext.Provider>
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const items = NAV.filter((n) => hasScope(session, n.scope));
  const section = `/${route.parts[0] ?? 'playground'}`;
  useEffect(() => {
    const item = NAV.find((n) => n.path === section);
    document.title = item ? `${item.label} · Cohort console` : 'Cohort console';
  }, [section]);
  return (
    <div class="shell">
      <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={href('/playground')}>
          <img src="/favicon.svg" alt="" width="28" height="28" />
          <span>Cohort</span>
        </a>
        <div class="whoami">
          <span class="whoami-workspace" title="Workspace">
            {session.workspace.name ?? session.workspace.id}
          </span>
          <Badge tone={session.key.mode === 'live' ? 'accent' : 'neutral'}>{session.key.mode === 'live' ? 'live key' : 'test key'}</Badge>
          <span class="whoami-key muted">{session.key.prefix}</span>
          <button type="button" class="button button-small" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <nav class="sidenav" aria-label="Console">
        <ul>
          {items.map((n) => (
            <li key={n.path}>
              <a href={href(n.path)} class={section === n.path ? 'nav-link nav-current' : 'nav-link'} aria-current={section === n.path ? 'page' : undefined}>
                {n.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main class="content" id="main" tabIndex={-1}>
        <Page route={route} session={session} />
      </main>
    </div>
  );
}

function Denied({ scope }: { scope: string }) {
  return (
    <div class="panel">
      <h1>Not available with this key</h1>
      <p>
        This page needs a key with the <code>{scope}</code> scope. Sign in with another key to use it.
      </p>
    </div>
  );
}

function Page({ route, session }: { route: Route; session: Session }): ComponentChildren {
  const guard = (scope: string, page: ComponentChildren) => (hasScope(session, scope) ? page : <Denied scope={scope} />);
  switch (route.parts[0] ?? 'playground') {
    case 'playground':
      return guard('responses', <Playground route={route} />);
    case 'personas':
      return guard('personas:read', <PersonasPage route={route} />);
    case 'focus-groups':
      return guard('focus_groups', <FocusGroupsPage route={route} />);
    case 'usage':
      return guard('usage:read', <UsagePage />);
    case 'keys':
      return guard('admin', <KeysPage />);
    default:
      return (
        <div class="panel">
          <h1>Page not found</h1>
          <p>
            <a href={href('/playground')}>Go to the playground</a>
          </p>
        </div>
      );
  }
}
