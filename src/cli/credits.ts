import { DATA_DIR_OPTION, parse, table, UsageError, withStores, type Io } from './args.js';
import { withCommand } from './invocation.js';
import { usageQuery, usageRange } from '../routes/account.js';

export const CREDITS_HELP = `Usage:
  cohort credits grant --workspace NAME --amount N [--reason TEXT] [--json]
  cohort credits adjust --workspace NAME --amount N --reason TEXT [--json]   (N may be negative)
  cohort credits show --workspace NAME [--json]

Every change is a row in the workspace's append-only ledger.

Options:
  --data-dir DIR   data folder (default ./data, or COHORT_DATA_DIR)
  --json           machine-readable output
  -h, --help       this help
`;

export const USAGE_HELP = `Usage: cohort usage --workspace NAME [--by day|key|persona|operation] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]

Requests, tokens and credits of the workspace's responses and focus-group
answers (operation focus_group, one request per answer), grouped (default by
day, the last 30 days; --from and --to are UTC days, both included). Rows of
live keys show the credits debited; rows of test keys (mode test) the sandbox
requests, which cost nothing.

Options:
  --data-dir DIR   data folder (default ./data, or COHORT_DATA_DIR)
  --json           machine-readable output
  -h, --help       this help
`;

export async function creditsCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(withCommand(CREDITS_HELP, io.command));
    return sub === undefined ? 2 : 0;
  }
  const { values } = parse(rest, { ...DATA_DIR_OPTION, workspace: { type: 'string' }, amount: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return io.out(withCommand(CREDITS_HELP, io.command)), 0;
  if (!values.workspace) throw new UsageError(`credits ${sub} needs --workspace NAME`);
  const name = values.workspace;
  if (sub === 'grant' || sub === 'adjust') {
    const amount = Number(values.amount);
    if (values.amount === undefined || !Number.isInteger(amount) || amount === 0) throw new UsageError('--amount must be a non-zero integer');
    if (sub === 'grant' && amount < 0) throw new UsageError('a grant must be positive; use `credits adjust` to reduce a balance');
    if (sub === 'adjust' && !values.reason) throw new UsageError('credits adjust needs --reason');
  } else if (sub !== 'show') throw new UsageError(`unknown credits command '${sub}'`);

  return withStores(values, io, async ({ accounts, credits }) => {
    const w = await accounts.findWorkspace(name);
    if (!w) {
      io.err(`cohort: no workspace '${name}'\n`);
      return 1;
    }
    if (sub === 'show') {
      const s = await credits.summary(w.id);
      const ledger = await credits.ledger(w.id, { limit: 20 });
      if (values.json) io.out(JSON.stringify({ ...s, ledger }) + '\n');
      else {
        io.out(`${name}: balance ${s.balance} (available ${s.available}, held ${s.held}); spent ${s.month_spend} in ${s.month}${s.monthly_budget !== null ? ` of ${s.monthly_budget}` : ''}\n`);
        if (ledger.length)
          io.out(table([['WHEN', 'KIND', 'AMOUNT', 'BALANCE', 'DETAIL'], ...ledger.map((l) => [new Date(l.created_at * 1000).toISOString().slice(0, 19) + 'Z', l.kind, String(l.amount), String(l.balance_after), l.reason ?? l.response_id ?? ''])]));
      }
      return 0;
    }
    try {
      const s = await credits.change({ workspaceId: w.id, kind: sub === 'grant' ? 'grant' : 'adjustment', amount: Number(values.amount), reason: values.reason ?? null });
      io.out(values.json ? JSON.stringify(s) + '\n' : `${sub === 'grant' ? 'Granted' : 'Adjusted by'} ${values.amount} credits: '${name}' balance is ${s.balance}.\n`);
      return 0;
    } catch (err) {
      io.err(`cohort: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
  });
}

export async function usageCommand(argv: string[], io: Io): Promise<number> {
  if (argv[0] === 'help') return io.out(withCommand(USAGE_HELP, io.command)), 0;
  const { values } = parse(argv, { ...DATA_DIR_OPTION, workspace: { type: 'string' }, by: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return io.out(withCommand(USAGE_HELP, io.command)), 0;
  if (!values.workspace) throw new UsageError('usage needs --workspace NAME');
  // The API's own query schema: real calendar days (2026-02-30 is not one), --to not before --from.
  const query = usageQuery.safeParse({ start_date: values.from, end_date: values.to, group_by: values.by });
  if (!query.success) {
    const issue = query.error.issues[0]!;
    const flag = ({ start_date: '--from', end_date: '--to', group_by: '--by' } as Record<string, string>)[String(issue.path[0])] ?? 'usage';
    if (flag === '--by') throw new UsageError('--by must be day, key, persona or operation');
    const given = flag === '--from' ? values.from : values.to;
    throw new UsageError(issue.code === 'custom' ? `--to ${values.to} is before --from ${values.from}` : `${flag} '${given}' is not a date (YYYY-MM-DD, a real calendar day)`);
  }
  const by = query.data.group_by;
  const name = values.workspace;
  return withStores(values, io, async ({ accounts, credits }) => {
    const w = await accounts.findWorkspace(name);
    if (!w) {
      io.err(`cohort: no workspace '${name}'\n`);
      return 1;
    }
    const rows = await credits.usage(w.id, { ...usageRange(query.data, Date.now()), groupBy: by });
    if (values.json) io.out(JSON.stringify({ workspace: name, group_by: by, data: rows }) + '\n');
    else if (!rows.length) io.out('No usage in this period.\n');
    else {
      io.out(
        table([
          [by.toUpperCase(), 'MODE', 'CREDITS', 'REQUESTS', 'INPUT TOKENS', 'OUTPUT TOKENS'],
          ...rows.map((r) => [String(r[by] ?? '-'), r.mode, String(r.credits), String(r.requests), String(r.input_tokens), String(r.output_tokens)]),
        ]),
      );
    }
    return 0;
  });
}
