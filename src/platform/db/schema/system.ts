// Operational tables: queue probes let an operator (and the tests) check that the worker fleet
// consumes jobs, and that each job runs once.
import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

import { users } from './accounts.ts';

export const queueProbes = pgTable(
  'queue_probes',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    /** Who sent it: a user sees only their own probes. */
    requestedBy: uuid('requested_by')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    note: text('note'),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    processedBy: text('processed_by'),
    runCount: integer('run_count').notNull().default(0),
  },
  (table) => [
    index('queue_probes_requested_by_requested_at_idx').on(
      table.requestedBy,
      table.requestedAt,
      table.id,
    ),
  ],
);
