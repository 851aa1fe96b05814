// Keyset pagination in SQL, the database half of platform/http/pagination.ts: newest first with
// ties broken by id, so a page never skips or repeats rows written in the same instant.
import { and, eq, lt, or, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

import type { Position } from '../http/pagination.ts';

/** The rows that come after `after` newest first; no condition on the first page. */
export function olderThan(
  table: { createdAt: PgColumn; id: PgColumn },
  after: Position | undefined,
): SQL | undefined {
  return after
    ? or(
        lt(table.createdAt, after.createdAt),
        and(eq(table.createdAt, after.createdAt), lt(table.id, after.id)),
      )
    : undefined;
}
