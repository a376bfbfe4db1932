import { loadPersonaDir } from '../personas/library.js';
import { createBuiltinPersonaStore, summarize } from '../personas/persona-store.js';
import { DATA_DIR_OPTION, parse, table, UsageError, type Io } from './args.js';

export const PERSONAS_HELP = `Usage:
  cohort personas list [--category C] [--search WORDS] [--json]
  cohort personas show ID [--json]

Lists the personas a request can name in persona_id, and shows one persona's profile.

Options:
  --data-dir DIR   data folder (default ./data, or COHORT_DATA_DIR)
  --json           machine-readable output
  -h, --help       this help
`;

export async function personasCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(PERSONAS_HELP);
    return sub === undefined ? 2 : 0;
  }
  const personas = loadPersonaDir();
  if (sub === 'list') {
    const { values } = parse(rest, { ...DATA_DIR_OPTION, category: { type: 'string' }, search: { type: 'string' }, json: { type: 'boolean' } });
    if (values.help) return io.out(PERSONAS_HELP), 0;
    const page = await createBuiltinPersonaStore(personas).list('', {
      limit: 10_000,
      ...(values.category ? { category: values.category } : {}),
      ...(values.search ? { search: values.search } : {}),
    });
    if (values.json) io.out(JSON.stringify(page.data) + '\n');
    else if (page.data.length === 0) io.out('No personas match.\n');
    else io.out(table([['ID', 'CATEGORY', 'NAME'], ...page.data.map((p) => [p.id, p.category + (p.is_expert ? ' (expert)' : ''), p.name])]));
    return 0;
  }
  if (sub === 'show') {
    const { values, positionals } = parse(rest, { ...DATA_DIR_OPTION, json: { type: 'boolean' } }, true);
    if (values.help) return io.out(PERSONAS_HELP), 0;
    if (positionals.length !== 1) throw new UsageError('personas show needs exactly one persona ID (see `cohort personas list`)');
    const p = personas.find((x) => x.id === positionals[0]);
    if (!p) {
      io.err(`cohort: no persona with id '${positionals[0]}'\n`);
      return 1;
    }
    if (values.json) {
      io.out(JSON.stringify({ ...summarize(p), details: p.profile }, null, 2) + '\n');
      return 0;
    }
    const d = p.profile.demographics;
    io.out(
      [
        `${p.name}  (${p.id})`,
        `${p.category}${p.is_expert ? ', expert' : ''}`,
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
  throw new UsageError(`unknown personas command '${sub}'`);
}
