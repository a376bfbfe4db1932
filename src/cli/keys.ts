import { createAccountsStore, PLANS, type Plan } from '../storage/accounts-store.js';
import { openDatabase } from '../storage/db.js';
import { randomIds, systemClock } from '../util/ids.js';
import { DATA_DIR_OPTION, dataDirOf, parse, table, UsageError, type Io } from './args.js';

export const KEYS_HELP = `Usage:
  cohort keys create --workspace NAME [--plan free|pro|business|enterprise] [--test] [--name LABEL] [--json]
  cohort keys list [--workspace NAME] [--json]
  cohort keys revoke ID

Creates, lists and revokes API keys. A key is printed once, when it is created:
only its hash is stored. --test creates a mvra_test_ key (sandbox engine, free);
otherwise a mvra_live_ key. The workspace is created if it does not exist.

Options:
  --data-dir DIR   data folder (default ./data, or COHORT_DATA_DIR)
  --json           machine-readable output
  -h, --help       this help
`;

export async function keysCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(KEYS_HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'create') {
    const { values } = parse(rest, { ...DATA_DIR_OPTION, workspace: { type: 'string' }, plan: { type: 'string' }, test: { type: 'boolean' }, name: { type: 'string' }, json: { type: 'boolean' } });
    if (values.help) return io.out(KEYS_HELP), 0;
    if (!values.workspace) throw new UsageError('keys create needs --workspace NAME');
    if (values.plan !== undefined && !PLANS.includes(values.plan as Plan)) throw new UsageError(`--plan must be one of ${PLANS.join(', ')}`);
    const db = await openDatabase({ dataDir: dataDirOf(values, io.env), ...(io.env.COHORT_DATABASE_URL ? { databaseUrl: io.env.COHORT_DATABASE_URL } : {}) });
    try {
      const accounts = createAccountsStore(db, randomIds, systemClock);
      const existing = await accounts.findWorkspace(values.workspace);
      const created = await accounts.createKey({
        workspace: values.workspace,
        mode: values.test ? 'test' : 'live',
        ...(values.plan ? { plan: values.plan as Plan } : {}),
        ...(values.name ? { name: values.name } : {}),
      });
      if (existing && values.plan && existing.plan !== values.plan) {
        io.err(`note: workspace '${existing.name}' already exists on plan '${existing.plan}'; --plan applies to new workspaces only.\n`);
      }
      if (values.json) io.out(JSON.stringify({ id: created.id, key: created.key, workspace: created.workspace, plan: created.plan, mode: created.mode }) + '\n');
      else io.out(`Created ${created.mode} key ${created.id} for workspace '${created.workspace}' (plan ${created.plan}).\nStore it now; it will not be shown again:\n\n  ${created.key}\n\n`);
      return 0;
    } finally {
      await db.destroy();
    }
  }
  if (sub === 'list') {
    const { values } = parse(rest, { ...DATA_DIR_OPTION, workspace: { type: 'string' }, json: { type: 'boolean' } });
    if (values.help) return io.out(KEYS_HELP), 0;
    const db = await openDatabase({ dataDir: dataDirOf(values, io.env), ...(io.env.COHORT_DATABASE_URL ? { databaseUrl: io.env.COHORT_DATABASE_URL } : {}) });
    try {
      const keys = await createAccountsStore(db, randomIds, systemClock).listKeys(values.workspace);
      if (values.json) io.out(JSON.stringify(keys) + '\n');
      else if (keys.length === 0) io.out('No keys.\n');
      else {
        const when = (s: number | null) => (s === null ? '' : new Date(s * 1000).toISOString().slice(0, 19) + 'Z');
        io.out(table([['ID', 'PREFIX', 'MODE', 'WORKSPACE', 'CREATED', 'STATUS'], ...keys.map((k) => [k.id, k.prefix, k.mode, k.workspace, when(k.created_at), k.revoked_at ? `revoked ${when(k.revoked_at)}` : 'active'])]));
      }
      return 0;
    } finally {
      await db.destroy();
    }
  }
  if (sub === 'revoke') {
    const { values, positionals } = parse(rest, { ...DATA_DIR_OPTION }, true);
    if (values.help) return io.out(KEYS_HELP), 0;
    if (positionals.length !== 1) throw new UsageError('keys revoke needs exactly one key ID (see `cohort keys list`)');
    const db = await openDatabase({ dataDir: dataDirOf(values, io.env), ...(io.env.COHORT_DATABASE_URL ? { databaseUrl: io.env.COHORT_DATABASE_URL } : {}) });
    try {
      const ok = await createAccountsStore(db, randomIds, systemClock).revokeKey(positionals[0]!);
      if (!ok) {
        io.err(`cohort: no key with id '${positionals[0]}'\n`);
        return 1;
      }
      io.out(`Revoked ${positionals[0]}.\n`);
      return 0;
    } finally {
      await db.destroy();
    }
  }
  throw new UsageError(`unknown keys command '${sub}'`);
}
