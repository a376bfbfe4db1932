/** Argument parsing shared by the commands: usage errors exit 2. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** stderr is a terminal: progress is redrawn in place. */
  tty?: boolean;
  /** The terminal's width, when stdout is one. */
  columns?: number;
  /** How to run this command again, as printed in hints (invocation.ts): `cohort` when unset. */
  command?: string;
}

/** The command to print in a hint: `cohort`, `node bin/cohort.js` or `npx cohort-persona-api` (invocation.ts). */
export function commandOf(io: Pick<Io, 'command'>): string {
  return io.command ?? 'cohort';
}

export const DATA_DIR_OPTION = { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, allowPositionals = false) {
  // `--amount -50`: a negative number is the option's value, not another flag.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a.startsWith('--') && !a.includes('=') && next !== undefined && /^-\d/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** Where an export goes: `--out` and `--output` (`-o`) are one option, on every command that writes a file. */
export const OUTPUT_OPTIONS = { out: { type: 'string' }, output: { type: 'string', short: 'o' } } as const;

export function outputFileOf(values: { out?: string | undefined; output?: string | undefined }): string | undefined {
  if (values.out !== undefined && values.output !== undefined && values.out !== values.output) throw new UsageError('--out and --output are the same option; give one');
  return values.out ?? values.output;
}

export function dataDirOf(values: { 'data-dir'?: string | boolean | undefined }, env: NodeJS.ProcessEnv): string {
  const v = values['data-dir'];
  return typeof v === 'string' ? v : (env.COHORT_DATA_DIR ?? './data');
}

/** Formats rows as an aligned text table. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n') + '\n';
}

/** Opens the data folder's database with the stores a command needs, and closes it after. */
export async function withStores<T>(values: { 'data-dir'?: string | boolean | undefined }, io: Io, fn: (s: Stores) => Promise<T>): Promise<T> {
  const { openDatabase } = await import('../storage/db.js');
  const { createAccountsStore } = await import('../storage/accounts-store.js');
  const { createCreditsStore } = await import('../storage/credits-store.js');
  const { randomIds, systemClock } = await import('../util/ids.js');
  const databaseUrl = io.env.COHORT_DATABASE_URL;
  const db = await openDatabase({ dataDir: dataDirOf(values, io.env), ...(databaseUrl ? { databaseUrl } : {}) });
  try {
    return await fn({ accounts: createAccountsStore(db, randomIds, systemClock), credits: createCreditsStore(db, randomIds, systemClock) });
  } finally {
    await db.destroy();
  }
}

export interface Stores {
  accounts: import('../storage/accounts-store.js').AccountsStore;
  credits: import('../storage/credits-store.js').CreditsStore;
}

export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer`);
  return n;
}
