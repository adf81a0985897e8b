/** What bulkInsert needs of a connection: TypeORM's EntityManager and DataSource both fit. */
export interface SqlRunner {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

/**
 * One multi-row INSERT for a batch (hot paths write in batches, not row by row).
 * `suffix` carries ON CONFLICT / RETURNING clauses. Returns the rows RETURNING produced.
 */
export async function bulkInsert<R = unknown>(
  em: SqlRunner,
  table: string,
  columns: string[],
  rows: unknown[][],
  suffix = '',
): Promise<R[]> {
  const returned: R[] = [];
  // PostgreSQL takes at most 65,535 parameters per statement: large batches go in several INSERTs.
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, columns.length)));
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => `(${row.map((value) => `$${params.push(value)}`).join(', ')})`);
    const sql = `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${tuples.join(', ')} ${suffix}`;
    returned.push(...(await em.query<R[]>(sql, params)));
  }
  return returned;
}

const MAX_PARAMETERS = 60_000;

/**
 * `bulkInsert` of typed rows: the columns are named keys of the row type, so a row is an object
 * whose fields the compiler checks, never a positional array.
 */
export function insertRows<Row extends object, R = unknown>(
  em: SqlRunner,
  table: string,
  columns: readonly (keyof Row & string)[],
  rows: readonly Row[],
  suffix = '',
): Promise<R[]> {
  return bulkInsert<R>(
    em,
    table,
    [...columns],
    rows.map((row) => columns.map((c) => row[c])),
    suffix,
  );
}
