import { DEFAULT_SCOPES, isScope, SCOPES } from '../accounts/scopes.js';
import { PLANS, type Plan } from '../storage/accounts-store.js';
import { commandOf, DATA_DIR_OPTION, parse, table, UsageError, withStores, type Io } from './args.js';
import { withCommand } from './invocation.js';

export const KEYS_HELP = `Usage:
  cohort keys create --workspace NAME [--create-workspace [--plan PLAN]] [--test] [--name LABEL] [--scopes LIST] [--json]
  cohort keys list [--workspace NAME] [--json]
  cohort keys revoke ID

Creates, lists and revokes API keys. A key is printed once, when it is created:
only its hash is stored. --test creates a mvra_test_ key (sandbox engine, no
credits spent); otherwise a mvra_live_ key.

The workspace must exist (cohort workspaces list); --create-workspace creates
it if it does not, on --plan (${PLANS.join(', ')}; default free).

--scopes takes a comma-separated list of ${SCOPES.join(', ')}
(default ${DEFAULT_SCOPES.join(',')}). 'admin' administers the key's own
workspace through /v1/admin (its keys, credits and usage); 'operator'
administers the whole server: every workspace, plans, credit grants. The first
operator key comes from here:
  cohort keys create --workspace default --name ops --scopes operator

Options:
  --data-dir DIR   data folder (default ./data, or COHORT_DATA_DIR)
  --json           machine-readable output
  -h, --help       this help
`;

/** `--scopes a,b`: each one known, none twice. */
export function parseScopes(text: string): string[] {
  const scopes = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (scopes.length === 0) throw new UsageError(`--scopes needs at least one of ${SCOPES.join(', ')}`);
  const unknown = scopes.filter((s) => !isScope(s));
  if (unknown.length > 0) throw new UsageError(`--scopes: unknown scope${unknown.length > 1 ? 's' : ''} ${unknown.map((s) => `'${s}'`).join(', ')}; known: ${SCOPES.join(', ')}`);
  return [...new Set(scopes)];
}

export async function keysCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(withCommand(KEYS_HELP, io.command));
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'create') {
    const { values } = parse(rest, {
      ...DATA_DIR_OPTION,
      workspace: { type: 'string' },
      'create-workspace': { type: 'boolean' },
      plan: { type: 'string' },
      test: { type: 'boolean' },
      name: { type: 'string' },
      scopes: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) return io.out(withCommand(KEYS_HELP, io.command)), 0;
    if (!values.workspace) throw new UsageError('keys create needs --workspace NAME');
    if (values.plan !== undefined && !PLANS.includes(values.plan as Plan)) throw new UsageError(`--plan must be one of ${PLANS.join(', ')}`);
    if (values.plan !== undefined && !values['create-workspace']) {
      throw new UsageError(`--plan is the plan of a workspace --create-workspace creates; to change an existing workspace's plan: cohort workspaces set-plan ${values.workspace} ${values.plan}`);
    }
    const scopes = values.scopes !== undefined ? parseScopes(values.scopes) : undefined;
    const name = values.workspace;
    return withStores(values, io, async ({ accounts, credits }) => {
      let existing = await accounts.findWorkspace(name);
      if (!existing && !values['create-workspace']) {
        const all = (await accounts.listWorkspaces()).map((w) => w.name);
        io.err(
          `cohort: no workspace '${name}'. ${all.length ? `Existing: ${all.join(', ')}.` : 'There are none yet.'}\n` +
            `Create it with: ${commandOf(io)} workspaces create ${name} [--plan PLAN] (or add --create-workspace here).\n`,
        );
        return 1;
      }
      if (!existing) existing = (await accounts.createWorkspace(name, (values.plan ?? 'free') as Plan)).workspace;
      else if (values.plan && existing.plan !== values.plan) {
        io.err(`note: workspace '${existing.name}' already exists on plan '${existing.plan}'; --plan applies to new workspaces only.\n`);
      }
      const created = await accounts.createKey({
        workspace: existing.name,
        mode: values.test ? 'test' : 'live',
        ...(values.name ? { name: values.name } : {}),
        ...(scopes ? { scopes } : {}),
      });
      if (values.json) io.out(JSON.stringify({ id: created.id, key: created.key, workspace: created.workspace, plan: created.plan, mode: created.mode }) + '\n');
      else {
        io.out(
          `Created ${created.mode} key ${created.id} for workspace '${created.workspace}' (plan ${created.plan}; scopes ${created.scopes.join(',')}).\nStore it now; it will not be shown again:\n\n  ${created.key}\n\n`,
        );
      }
      if (created.mode === 'live') {
        const s = await credits.summary(existing.id);
        if (s.available <= 0) {
          io.err(`note: workspace '${existing.name}' has no credits available: live requests get 402 until you grant some (${commandOf(io)} credits grant --workspace ${existing.name} --amount N).\n`);
        }
      }
      return 0;
    });
  }
  if (sub === 'list') {
    const { values } = parse(rest, { ...DATA_DIR_OPTION, workspace: { type: 'string' }, json: { type: 'boolean' } });
    if (values.help) return io.out(withCommand(KEYS_HELP, io.command)), 0;
    return withStores(values, io, async ({ accounts }) => {
      if (values.workspace && !(await accounts.findWorkspace(values.workspace))) {
        io.err(`cohort: no workspace '${values.workspace}'\n`);
        return 1;
      }
      const keys = await accounts.listKeys(values.workspace);
      if (values.json) io.out(JSON.stringify(keys) + '\n');
      else if (keys.length === 0) io.out('No keys.\n');
      else {
        const when = (s: number | null) => (s === null ? '' : new Date(s * 1000).toISOString().slice(0, 19) + 'Z');
        const status = (k: (typeof keys)[number]) => (k.revoked_at ? `revoked ${when(k.revoked_at)}` : k.expires_at !== null && k.expires_at * 1000 <= Date.now() ? `expired ${when(k.expires_at)}` : 'active');
        io.out(
          table([
            ['ID', 'NAME', 'PREFIX', 'MODE', 'WORKSPACE', 'SCOPES', 'CREATED', 'STATUS'],
            ...keys.map((k) => [k.id, k.name ?? '-', k.prefix, k.mode, k.workspace, scopesLabel(k.scopes), when(k.created_at), status(k)]),
          ]),
        );
      }
      return 0;
    });
  }
  if (sub === 'revoke') {
    const { values, positionals } = parse(rest, { ...DATA_DIR_OPTION }, true);
    if (values.help) return io.out(withCommand(KEYS_HELP, io.command)), 0;
    if (positionals.length !== 1) throw new UsageError('keys revoke needs exactly one key ID (see `cohort keys list`)');
    return withStores(values, io, async ({ accounts }) => {
      const ok = await accounts.revokeKey(positionals[0]!);
      if (!ok) {
        io.err(`cohort: no key with id '${positionals[0]}'\n`);
        return 1;
      }
      io.out(`Revoked ${positionals[0]}.\n`);
      return 0;
    });
  }
  throw new UsageError(`unknown keys command '${sub}'`);
}

/** 'default' for the default scopes, else the list. */
function scopesLabel(scopes: string[]): string {
  return scopes.length === DEFAULT_SCOPES.length && DEFAULT_SCOPES.every((s) => scopes.includes(s)) ? 'default' : scopes.join(',');
}
