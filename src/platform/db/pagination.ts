// Keyset pagination in SQL, the database half of platform/http/pagination.ts: newest first with
// ties broken by id, so a page never skips or repeats rows written in the same instant.
import { and, eq, lt, or, type Placeholder, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

import type { Position } from '../http/pagination.ts';

/** A cursor's position, or the placeholders a prepared statement fills with one. */
export type KeysetPosition = Position | { createdAt: Placeholder; id: Placeholder };

/** The rows that come after `after` newest first; no condition on the first page. */
export function olderThan(
  table: { createdAt: PgColumn; id: PgColumn },
  after: KeysetPosition | undefined,
): SQL | undefined {
  return after
    ? or(
        lt(table.createdAt, after.createdAt),
        and(eq(table.createdAt, after.createdAt), lt(table.id, after.id)),
      )
    : undefined;
}
