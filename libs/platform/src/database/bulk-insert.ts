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
  if (rows.length === 0) return [];
  const params: unknown[] = [];
  const tuples = rows.map((row) => `(${row.map((value) => `$${params.push(value)}`).join(', ')})`);
  const sql = `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${tuples.join(', ')} ${suffix}`;
  return em.query<R[]>(sql, params);
}
