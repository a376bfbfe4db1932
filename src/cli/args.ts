/** Argument parsing shared by the commands: usage errors exit 2. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export const DATA_DIR_OPTION = { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
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
