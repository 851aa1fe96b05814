// What the segment refresh needs beyond the segment tables in customers.ts: when each business's
// customer data last changed, so a refresh recomputes only the segments that can have moved.
import { pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';

import { businesses } from './businesses.ts';

/** Set by the customer processor's segment listener each time it processes a business's events. */
export const segmentRefreshMarks = pgTable('segment_refresh_marks', {
  businessId: uuid('business_id')
    .primaryKey()
    .references(() => businesses.id, { onDelete: 'cascade' }),
  changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
});
