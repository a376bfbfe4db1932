import { isPlan, PLANS } from '../accounts/plans.js';
import { workspaceView } from '../routes/admin.js';
import { DATA_DIR_OPTION, parse, positiveInt, table, UsageError, withStores, type Io } from './args.js';
import { withCommand } from './invocation.js';

export const WORKSPACES_HELP = `Usage:
  cohort workspaces create NAME [--plan free|pro|business|enterprise] [--json]
  cohort workspaces list [--json]
  cohort workspaces show NAME [--json]
  cohort workspaces set-plan NAME PLAN [--rpm N] [--rpd N] [--budget N] [--json]

A workspace owns keys, responses, personas and credits. A new workspace gets its
plan's initial credits (free 100, pro 5,000, business 50,000, enterprise 0).
--rpm/--rpd set Enterprise custom limits; --budget a monthly credit budget.

Options:
  --data-dir DIR   data folder (default ./data, or COHORT_DATA_DIR)
  --json           machine-readable output
  -h, --help       this help
`;

export async function workspacesCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(withCommand(WORKSPACES_HELP, io.command));
    return sub === undefined ? 2 : 0;
  }
  const { values, positionals } = parse(
    rest,
    { ...DATA_DIR_OPTION, plan: { type: 'string' }, rpm: { type: 'string' }, rpd: { type: 'string' }, budget: { type: 'string' }, json: { type: 'boolean' } },
    true,
  );
  if (values.help) return io.out(withCommand(WORKSPACES_HELP, io.command)), 0;
  const print = (v: unknown, text: string) => io.out(values.json ? JSON.stringify(v) + '\n' : text);

  switch (sub) {
    case 'create': {
      if (positionals.length !== 1) throw new UsageError('workspaces create needs exactly one NAME');
      const plan = values.plan ?? 'free';
      if (!isPlan(plan)) throw new UsageError(`--plan must be one of ${PLANS.join(', ')}`);
      return withStores(values, io, async ({ accounts }) => {
        const { workspace, created } = await accounts.createWorkspace(positionals[0]!, plan);
        if (!created) {
          io.err(`cohort: workspace '${positionals[0]}' already exists\n`);
          return 1;
        }
        print(workspaceView(workspace), `Created workspace '${workspace.name}' (${workspace.id}) on plan ${workspace.plan} with ${workspace.balance} credits.\n`);
        return 0;
      });
    }
    case 'list':
      return withStores(values, io, async ({ accounts }) => {
        const all = (await accounts.listWorkspaces()).map(workspaceView);
        print(all, all.length ? table([['NAME', 'PLAN', 'BALANCE', 'ID'], ...all.map((w) => [w.name, w.plan, String(w.balance), w.id])]) : 'No workspaces.\n');
        return 0;
      });
    case 'show': {
      if (positionals.length !== 1) throw new UsageError('workspaces show needs exactly one NAME');
      return withStores(values, io, async ({ accounts, credits }) => {
        const w = await accounts.findWorkspace(positionals[0]!);
        if (!w) {
          io.err(`cohort: no workspace '${positionals[0]}'\n`);
          return 1;
        }
        const s = await credits.summary(w.id);
        const v = { ...workspaceView(w), credits: s };
        print(v, `${w.name} (${w.id})\nplan ${w.plan}${w.rpm_limit ? `, ${w.rpm_limit}/min` : ''}${w.rpd_limit ? `, ${w.rpd_limit}/day` : ''}\nbalance ${s.balance}, held ${s.held}, spent ${s.month_spend} in ${s.month}${s.monthly_budget !== null ? ` of a ${s.monthly_budget} budget` : ''}\n`);
        return 0;
      });
    }
    case 'set-plan': {
      if (positionals.length !== 2) throw new UsageError('workspaces set-plan needs NAME and PLAN');
      const [name, plan] = positionals as [string, string];
      if (!isPlan(plan)) throw new UsageError(`PLAN must be one of ${PLANS.join(', ')}`);
      const rpm = positiveInt(values.rpm, '--rpm');
      const rpd = positiveInt(values.rpd, '--rpd');
      if ((rpm !== undefined || rpd !== undefined) && plan !== 'enterprise') throw new UsageError('--rpm and --rpd are custom limits of the enterprise plan');
      const budget = values.budget === undefined ? undefined : values.budget === 'none' ? null : positiveInt(values.budget, '--budget');
      return withStores(values, io, async ({ accounts, credits }) => {
        if (!(await accounts.findWorkspace(name))) {
          io.err(`cohort: no workspace '${name}'\n`);
          return 1;
        }
        const w = (await accounts.setPlan(name, plan, { rpm: rpm ?? null, rpd: rpd ?? null }))!;
        if (budget !== undefined) await credits.setBudget(w.id, budget);
        const after = (await accounts.findWorkspace(name))!;
        print(workspaceView(after), `Workspace '${name}' is on plan ${plan}${rpm ? `, ${rpm}/min` : ''}${rpd ? `, ${rpd}/day` : ''}${budget !== undefined ? `, budget ${budget ?? 'none'}` : ''}.\n`);
        return 0;
      });
    }
    default:
      throw new UsageError(`unknown workspaces command '${sub}'`);
  }
}
