// Keyset pagination in SQL, the database half of platform/http/pagination.ts: newest first with
// ties broken by id, so a page never skips or repeats rows written in the same instant.
import { and, desc, type Placeholder, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgSelect } from 'drizzle-orm/pg-core';

import type { PageRequest, Position } from '../http/pagination.ts';

/** A cursor's position, or the placeholders a prepared statement fills with one. */
export type KeysetPosition = Position | { createdAt: Placeholder; id: Placeholder };

/** The columns a keyset page sorts by. */
export interface KeysetColumns {
  createdAt: PgColumn;
  id: PgColumn;
}

/** The rows that come after `after` newest first; no condition on the first page. */
export function olderThan(
  table: KeysetColumns,
  after: KeysetPosition | undefined,
): SQL | undefined {
  // A row comparison, not `created_at < t or (created_at = t and id < i)`: Postgres turns it into
  // a bound of the (scope, created_at, id) index, so a page deep in a million rows starts where the
  // cursor is (0.1 ms) instead of filtering every newer row first (320 ms; EXPLAIN in the #13 note).
  if (!after) return undefined;
  const at = after.createdAt instanceof Date ? after.createdAt.toISOString() : after.createdAt;
  return sql`(${table.createdAt}, ${table.id}) < (${at}, ${after.id})`;
}

/** The order `olderThan` pages through: newest first, ties broken by id. */
export function newestFirst(table: KeysetColumns): [SQL, SQL] {
  return [desc(table.createdAt), desc(table.id)];
}

/**
 * One page of a dynamic select (`db.select().from(table).$dynamic()`): the rows matching every
 * filter that come after `page.after`, newest first, and one more than `page.limit` so that
 * `pageOf` can tell whether another page follows.
 */
export function keysetPage<Query extends PgSelect>(
  query: Query,
  table: KeysetColumns,
  page: PageRequest,
  ...filters: (SQL | undefined)[]
): Query {
  return query
    .where(and(...filters, olderThan(table, page.after)))
    .orderBy(...newestFirst(table))
    .limit(page.limit + 1);
}

/**
 * The same page as a statement to prepare once: the limit (and, `withCursor`, the position)
 * are placeholders, filled by `pageValues(page)` (platform/db/prepared.ts) when it runs.
 */
export function keysetPageStatement<Query extends PgSelect>(
  query: Query,
  table: KeysetColumns,
  withCursor: boolean,
  ...filters: (SQL | undefined)[]
): Query {
  const after = withCursor
    ? { createdAt: sql.placeholder('afterAt'), id: sql.placeholder('afterId') }
    : undefined;
  return query
    .where(and(...filters, olderThan(table, after)))
    .orderBy(...newestFirst(table))
    .limit(sql.placeholder('limit'));
}
