/**
 * JSON columns read back into domain objects. The store that owns a table
 * parses its JSON columns once, with a light check of their shape, so a
 * corrupt row (a hand edit, a bad restore, a bug in an old version) fails
 * with an error that names the table, the row and the column — a 500 the
 * server logs with that message — instead of a TypeError somewhere deep in
 * a request handler.
 */

/** A stored row that cannot be read back. Not an ApiError: the client sees a generic 500; the log names the row. */
export class StoredDataError extends Error {
  constructor(
    readonly table: string,
    readonly rowId: string,
    readonly column: string,
    problem: string,
  ) {
    super(`${table} row '${rowId}': column ${column} ${problem}`);
    this.name = 'StoredDataError';
  }
}

/** Where a column's value comes from, for the error. */
export interface ColumnRef {
  table: string;
  rowId: string;
  column: string;
}

/**
 * Parses `text` (a JSON column) and checks it with `check`, which returns
 * what is wrong with the value (e.g. 'is not an array') or undefined when it
 * is a `T`. Throws StoredDataError when the text is not JSON or fails the check.
 */
export function parseColumn<T>(text: string, at: ColumnRef, check: (value: unknown) => string | undefined): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new StoredDataError(at.table, at.rowId, at.column, `is not valid JSON (${(err as Error).message})`);
  }
  const problem = check(value);
  if (problem !== undefined) throw new StoredDataError(at.table, at.rowId, at.column, problem);
  return value as T;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A check for an array each of whose elements passes `element` (which returns what is wrong, or undefined). */
export function arrayOf(element: (value: unknown) => string | undefined): (value: unknown) => string | undefined {
  return (value) => {
    if (!Array.isArray(value)) return 'is not an array';
    for (let i = 0; i < value.length; i++) {
      const problem = element(value[i]);
      if (problem !== undefined) return `[${i}] ${problem}`;
    }
    return undefined;
  };
}
