// Helpers for the raw SQL the query builder cannot say (CTEs, FOR UPDATE SKIP LOCKED claims,
// json_to_recordset merges): the rows of a result, and JSON handed to Postgres as one parameter.
import { sql } from 'drizzle-orm';

/** Rows of a raw query, whichever driver ran it (node-postgres and PGlite both use `rows`). */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/** A jsonb parameter, portable between node-postgres and PGlite (which differ on arrays). */
export function jsonb(value: unknown) {
  return sql`${JSON.stringify(value)}::jsonb`;
}
