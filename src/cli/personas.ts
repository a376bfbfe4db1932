import fs from 'node:fs';
import { ApiError } from '../errors/api-error.js';
import { loadPersonaDir } from '../personas/library.js';
import { createBuiltinPersonaStore, mergePersonaStores, summarize, type PersonaStore } from '../personas/persona-store.js';
import type { PersonaRecord } from '../personas/persona-schema.js';
import { DATA_DIR_OPTION, dataDirOf, OUTPUT_OPTIONS, outputFileOf, parse, table, UsageError, type Io } from './args.js';
import { withCommand } from './invocation.js';

export const PERSONAS_HELP = `Usage:
  cohort personas list [--workspace NAME] [--category C] [--search WORDS] [--custom true|false] [--json]
  cohort personas show ID [--workspace NAME] [--json]
  cohort personas create --workspace NAME --file persona.json [--json]
  cohort personas export ID [--workspace NAME] [--out FILE]

Lists the personas a request can name in persona_id (with --workspace, the
workspace's custom personas too), and shows one persona's profile.

create adds a custom persona to a workspace from a JSON file: an export
document (cohort personas export, GET /v1/personas/{id}/export) or the body
of an advanced POST /v1/personas ({name, description, details: {full
profile}}). It is validated and checked for consistency like the API's
advanced pipeline and costs the same credits (300), debited from the
workspace. export writes a persona (built-in, or with --workspace a custom
one) as such a document.

Options:
  --data-dir DIR    data folder (default ./data, or COHORT_DATA_DIR)
  --workspace NAME  the workspace whose custom personas to use
  --file FILE       the persona JSON to create from
  --out FILE        write the export there instead of stdout (also --output, -o)
  --json            machine-readable output
  -h, --help        this help
`;

/** Stands for "no data folder": withPersonaStores then works on built-in personas only. */
const BUILTINS_ONLY = {};

/** Opens the data folder's database with the persona stores, and closes it after. */
async function withPersonaStores<T>(
  values: { 'data-dir'?: string | boolean | undefined },
  io: Io,
  builtins: PersonaRecord[],
  fn: (s: {
    accounts: import('../storage/accounts-store.js').AccountsStore;
    personas: PersonaStore;
    service: import('../personas/custom-service.js').CustomPersonaService;
  }) => Promise<T>,
): Promise<T> {
  const { openDatabase } = await import('../storage/db.js');
  const { createAccountsStore } = await import('../storage/accounts-store.js');
  const { createCustomPersonasStore } = await import('../storage/custom-personas-store.js');
  const { createCustomPersonaService } = await import('../personas/custom-service.js');
  const { randomIds, systemClock } = await import('../util/ids.js');
  const { silentLogger } = await import('../logger.js');
  const databaseUrl = io.env.COHORT_DATABASE_URL;
  // Built-in personas need no data folder: an in-memory database leaves nothing behind.
  const db = await openDatabase(values === BUILTINS_ONLY ? { dataDir: ':memory:' } : { dataDir: dataDirOf(values, io.env), ...(databaseUrl ? { databaseUrl } : {}) });
  try {
    const store = createCustomPersonasStore(db, randomIds, systemClock);
    const personas = mergePersonaStores(createBuiltinPersonaStore(builtins), store);
    const service = createCustomPersonaService({ store, personas, builtins, clock: systemClock, logger: silentLogger });
    return await fn({ accounts: createAccountsStore(db, randomIds, systemClock), personas, service });
  } finally {
    await db.destroy();
  }
}

function apiFailure(io: Io, err: unknown): number {
  if (!(err instanceof ApiError)) throw err;
  io.err(`cohort: ${err.message}${err.param ? ` (${err.param})` : ''}\n`);
  return 1;
}

export async function personasCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(withCommand(PERSONAS_HELP, io.command));
    return sub === undefined ? 2 : 0;
  }
  const builtins = loadPersonaDir();
  const workspaceOf = async (accounts: import('../storage/accounts-store.js').AccountsStore, name: string) => {
    const w = await accounts.findWorkspace(name);
    if (!w) io.err(`cohort: no workspace '${name}'\n`);
    return w;
  };

  if (sub === 'list') {
    const { values } = parse(rest, { ...DATA_DIR_OPTION, workspace: { type: 'string' }, category: { type: 'string' }, search: { type: 'string' }, custom: { type: 'string' }, json: { type: 'boolean' } });
    if (values.help) return io.out(withCommand(PERSONAS_HELP, io.command)), 0;
    if (values.custom !== undefined && values.custom !== 'true' && values.custom !== 'false') throw new UsageError('--custom must be true or false');
    const query = {
      limit: 10_000,
      ...(values.category ? { category: values.category } : {}),
      ...(values.search ? { search: values.search } : {}),
      ...(values.custom !== undefined ? { custom: values.custom === 'true' } : {}),
    };
    const print = (data: ReturnType<typeof summarize>[]) => {
      if (values.json) io.out(JSON.stringify(data) + '\n');
      else if (data.length === 0) io.out('No personas match.\n');
      else io.out(table([['ID', 'CATEGORY', 'NAME'], ...data.map((p) => [p.id, p.category + (p.is_expert ? ' (expert)' : '') + (p.is_custom ? ' (custom)' : ''), p.name])]));
      return 0;
    };
    if (!values.workspace) return print((await createBuiltinPersonaStore(builtins).list('', query)).data);
    const workspace = values.workspace;
    return withPersonaStores(values, io, builtins, async ({ accounts, personas }) => {
      const w = await workspaceOf(accounts, workspace);
      if (!w) return 1;
      return print((await personas.list(w.id, query)).data);
    });
  }

  if (sub === 'show') {
    const { values, positionals } = parse(rest, { ...DATA_DIR_OPTION, workspace: { type: 'string' }, json: { type: 'boolean' } }, true);
    if (values.help) return io.out(withCommand(PERSONAS_HELP, io.command)), 0;
    if (positionals.length !== 1) throw new UsageError('personas show needs exactly one persona ID (see `cohort personas list`)');
    const id = positionals[0]!;
    let p: PersonaRecord | undefined = builtins.find((x) => x.id === id);
    let custom: Record<string, unknown> | undefined;
    if (!p && values.workspace) {
      const workspace = values.workspace;
      const found = await withPersonaStores(values, io, builtins, async ({ accounts, personas, service }) => {
        const w = await workspaceOf(accounts, workspace);
        if (!w) return undefined;
        const record = await personas.get(w.id, id);
        const object = record ? await service.getCustom({ workspaceId: w.id, keyId: null, mode: 'test' }, id) : undefined;
        return record ? { record, object } : undefined;
      });
      p = found?.record;
      custom = found?.object as Record<string, unknown> | undefined;
    }
    if (!p) {
      io.err(`cohort: no persona with id '${id}'${values.workspace ? '' : ' (custom personas need --workspace NAME)'}\n`);
      return 1;
    }
    if (values.json) {
      io.out(JSON.stringify(custom ?? { ...summarize(p), details: p.profile }, null, 2) + '\n');
      return 0;
    }
    const d = p.profile.demographics;
    io.out(
      [
        `${p.name}  (${p.id})`,
        `${p.category}${p.is_expert ? ', expert' : ''}${custom ? `, custom v${String(custom.version)} (${String(custom.pipeline_type)}, ${String(custom.type)})` : ''}`,
        '',
        p.description,
        '',
        `Age ${d.age_range} · ${d.life_stage}`,
        `${d.region} (${d.country}, ${d.urbanicity}) · ${d.household}`,
        `${d.occupation} · ${d.education} · ${d.income_bracket}`,
        `Values: ${p.profile.psychographics.values.join(', ')}`,
        `Channels: ${p.profile.media.platforms.join(', ')}`,
        `Decides: ${p.profile.buying_behavior.decision_style}`,
        `Tone: ${p.profile.communication.tone}`,
        `Objections: ${p.profile.objections.map((o) => `"${o}"`).join(' ')}`,
        ...(p.profile.statistics.length ? ['Rests on:', ...p.profile.statistics.map((s) => `  - ${s.claim} (${s.source})`)] : []),
        '',
      ].join('\n'),
    );
    return 0;
  }

  if (sub === 'create') {
    const { values } = parse(rest, { ...DATA_DIR_OPTION, workspace: { type: 'string' }, file: { type: 'string' }, json: { type: 'boolean' } });
    if (values.help) return io.out(withCommand(PERSONAS_HELP, io.command)), 0;
    if (!values.workspace) throw new UsageError('personas create needs --workspace NAME');
    if (!values.file) throw new UsageError('personas create needs --file persona.json');
    let doc: unknown;
    try {
      doc = JSON.parse(fs.readFileSync(values.file, 'utf8'));
    } catch (err) {
      io.err(`cohort: cannot read ${values.file}: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      io.err(`cohort: ${values.file} must hold a JSON object\n`);
      return 1;
    }
    const workspace = values.workspace;
    return withPersonaStores(values, io, builtins, async ({ accounts, service }) => {
      const w = await workspaceOf(accounts, workspace);
      if (!w) return 1;
      try {
        const created = await service.import({ workspaceId: w.id, keyId: null, mode: 'live' }, doc, 'persona_create');
        io.out(values.json ? JSON.stringify(created) + '\n' : `Created custom persona ${created.id} '${created.name}' in '${workspace}' (${created.credits_charged} credits).\n`);
        return 0;
      } catch (err) {
        return apiFailure(io, err);
      }
    });
  }

  if (sub === 'export') {
    const { values, positionals } = parse(rest, { ...DATA_DIR_OPTION, workspace: { type: 'string' }, ...OUTPUT_OPTIONS }, true);
    if (values.help) return io.out(withCommand(PERSONAS_HELP, io.command)), 0;
    const out = outputFileOf(values);
    if (positionals.length !== 1) throw new UsageError('personas export needs exactly one persona ID');
    const id = positionals[0]!;
    const workspace = values.workspace;
    if (workspace === undefined && !builtins.some((p) => p.id === id)) {
      io.err(`cohort: no built-in persona with id '${id}' (a custom persona needs --workspace NAME)\n`);
      return 1;
    }
    return withPersonaStores(workspace === undefined ? BUILTINS_ONLY : values, io, builtins, async ({ accounts, service }) => {
      const w = workspace === undefined ? { id: '' } : await workspaceOf(accounts, workspace);
      if (!w) return 1;
      try {
        const doc = JSON.stringify(await service.export({ workspaceId: w.id, keyId: null, mode: 'test' }, id), null, 2) + '\n';
        if (out) {
          fs.writeFileSync(out, doc);
          io.err(`Wrote ${out}\n`);
        } else io.out(doc);
        return 0;
      } catch (err) {
        return apiFailure(io, err);
      }
    });
  }
  throw new UsageError(`unknown personas command '${sub}'`);
}
