/**
 * PostgreSQL through a `pg` pool. Type parsing is scoped to this pool (never
 * `pg.types.setTypeParser`, which is process-wide): `bigint` (int8) and
 * `numeric` come back as JS numbers, like SQLite returns them, so `count(*)`,
 * `sum(...)` and bigint timestamp columns have the same type on both. An int8
 * outside ±2^53 fails the query instead of losing precision.
 */
import pg from 'pg';
import { PostgresDialect } from 'kysely';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint value ${value} does not fit in a JS number`);
  return n;
}

const parseNumeric = (value: string): number => Number(value);

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === INT8_OID) return parseInt8;
      if (oid === NUMERIC_OID) return parseNumeric;
    }
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export { isPostgresUrl, redactUrl } from './url.js';

export interface PostgresOptions {
  url: string;
  /** Maximum pool connections (default 10). */
  poolSize?: number;
  /** Errors of idle pooled connections (e.g. the server restarted); the pool replaces them. */
  onError?: (error: Error) => void;
}

export function createPostgresDialect(options: PostgresOptions): { dialect: PostgresDialect; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    application_name: 'cohort',
    types,
  });
  // Without a listener, an idle client's error (server restart, network
  // blip) would be an uncaught 'error' event and crash the process.
  pool.on('error', (error) => options.onError?.(error));
  return { dialect: new PostgresDialect({ pool }), pool };
}
