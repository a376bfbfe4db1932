/**
 * Keys (admin scope): the workspace's keys through the admin API — list,
 * create (the secret is shown once, here, and never again), revoke.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, request } from '../api/client';
import type { ApiKeyInfo, CreatedKey, ListPage } from '../api/types';
import { Badge, CopyButton, ErrorBanner, formatTime, PageHeader, Section, Spinner } from '../components/ui';
import { hasScope, useSession } from '../session';

const SCOPES = ['responses', 'personas:read', 'personas:write', 'focus_groups', 'usage:read', 'admin', 'operator'] as const;
const DEFAULT_SCOPES = ['responses', 'personas:read', 'personas:write', 'focus_groups', 'usage:read'];

export function KeysPage() {
  const session = useSession();
  const workspace = session.workspace.name ?? session.workspace.id;
  const base = `/admin/workspaces/${encodeURIComponent(workspace)}`;
  const [keys, setKeys] = useState<ApiKeyInfo[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [mode, setMode] = useState<'test' | 'live'>('test');
  const [scopes, setScopes] = useState<string[]>(DEFAULT_SCOPES);
  const [expires, setExpires] = useState('');
  const [busy, setBusy] = useState(false);
  const operator = hasScope(session, 'operator');

  const load = () =>
    api<ListPage<ApiKeyInfo>>(`${base}/keys`)
      .then((r) => setKeys(r.data))
      .catch(setError);
  useEffect(() => {
    void load();
  }, [base]);

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { mode, scopes };
      if (name.trim()) body.name = name.trim();
      if (expires) body.expires_at = Math.floor(Date.parse(`${expires}T23:59:59`) / 1000);
      const key = await api<CreatedKey>(`${base}/keys`, { body });
      setCreated(key);
      setName('');
      await load();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (id: string) => {
    setError(null);
    try {
      await request(`/admin/keys/${encodeURIComponent(id)}/revoke`, { method: 'POST' });
      setConfirming(null);
      await load();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div class="page">
      <PageHeader title="API keys" />
      <ErrorBanner error={error} />
      {created ? (
        <section class="panel panel-callout" aria-labelledby="new-key-title">
          <h2 id="new-key-title">New key: copy it now</h2>
          <p>This is the only time the key is shown. Store it somewhere safe; the server keeps only its hash.</p>
          <div class="secret">
            <code data-testid="new-key">{created.key}</code>
            <CopyButton text={created.key} />
          </div>
          <button type="button" class="button" onClick={() => setCreated(null)}>
            I have stored it
          </button>
        </section>
      ) : null}
      <Section title="Create a key" id="keys-create">
        <form class="stack" onSubmit={create}>
          <div class="row wrap">
            <label class="field">
              <span class="field-label">Name</span>
              <input value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} placeholder="e.g. staging app" />
            </label>
            <label class="field">
              <span class="field-label">Mode</span>
              <select value={mode} onChange={(e) => setMode(e.currentTarget.value as 'test' | 'live')}>
                <option value="test">test (sandbox, free)</option>
                <option value="live">live (real model, spends credits)</option>
              </select>
            </label>
            <label class="field">
              <span class="field-label">Expires (optional)</span>
              <input type="date" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} />
            </label>
          </div>
          <fieldset class="scopes">
            <legend>Scopes</legend>
            {SCOPES.filter((s) => s !== 'operator' || operator).map((s) => (
              <label class="check" key={s}>
                <input type="checkbox" checked={scopes.includes(s)} onChange={(e) => setScopes(e.currentTarget.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} />
                <code>{s}</code>
              </label>
            ))}
          </fieldset>
          <div>
            <button type="submit" class="button button-primary" disabled={busy}>
              {busy ? 'Creating…' : 'Create key'}
            </button>
          </div>
        </form>
      </Section>
      <Section title={`Keys of ${workspace}`} id="keys-list">
        {keys === null ? (
          <Spinner />
        ) : (
          <div class="table-wrap" tabIndex={0}>
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Mode</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => {
                  const expired = k.expires_at !== null && k.expires_at * 1000 <= Date.now();
                  const self = k.id === session.key.id;
                  return (
                    <tr key={k.id}>
                      <th scope="row">{k.name ?? <span class="muted">unnamed</span>}</th>
                      <td>
                        <code>{k.prefix}</code>
                      </td>
                      <td>{k.mode}</td>
                      <td class="small">{k.scopes.join(' ')}</td>
                      <td>{formatTime(k.created_at)}</td>
                      <td>
                        {k.revoked_at !== null ? <Badge tone="danger">revoked</Badge> : expired ? <Badge tone="warn">expired</Badge> : <Badge tone="ok">active</Badge>}
                        {self ? <span class="muted small"> (this session)</span> : null}
                      </td>
                      <td>
                        {k.revoked_at === null ? (
                          confirming === k.id ? (
                            <span class="row">
                              <button type="button" class="button button-danger button-small" onClick={() => revoke(k.id)}>
                                {self ? 'Revoke and sign out' : 'Confirm revoke'}
                              </button>
                              <button type="button" class="button button-small" onClick={() => setConfirming(null)}>
                                Cancel
                              </button>
                            </span>
                          ) : (
                            <button type="button" class="button button-small" onClick={() => setConfirming(k.id)} aria-label={`Revoke ${k.name ?? k.prefix}`}>
                              Revoke
                            </button>
                          )
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}
