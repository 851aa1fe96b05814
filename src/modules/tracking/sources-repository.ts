// SQL behind the Sources page: a business's write keys, its ingestion figures (written per minute
// by the ingest path), its processing lag, and the newest events for the debugger. Every events
// query is bounded by (business_id, received_at), the events_business_id_received_at_idx index.
import { and, desc, eq, gt, lte, type SQL, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import {
  businesses,
  eventIds,
  events,
  previousWriteKeys,
  trackingMinuteStats,
} from '../../platform/db/schema/index.ts';

export type EventRecord = typeof events.$inferSelect;

/** Where a page of the debugger starts: after this event, newest first. */
export interface EventPosition {
  receivedAt: Date;
  messageId: string;
}

export interface EventFilterValues {
  type?: string | undefined;
  event?: string | undefined;
}

function filtersOf(businessId: string, filter: EventFilterValues): (SQL | undefined)[] {
  return [
    eq(events.businessId, businessId),
    filter.type === undefined ? undefined : eq(events.type, filter.type as EventRecord['type']),
    filter.event === undefined ? undefined : eq(events.event, filter.event),
  ];
}

export function createSourcesRepository(db: Executor) {
  return {
    async keysOf(businessId: string, now: Date) {
      const [business] = await db
        .select({ writeKey: businesses.writeKey, timezone: businesses.timezone })
        .from(businesses)
        .where(eq(businesses.id, businessId));
      if (!business) return undefined;
      const previous = await db
        .select({
          key: previousWriteKeys.key,
          expiresAt: previousWriteKeys.expiresAt,
          rotatedAt: previousWriteKeys.createdAt,
        })
        .from(previousWriteKeys)
        .where(
          and(eq(previousWriteKeys.businessId, businessId), gt(previousWriteKeys.expiresAt, now)),
        )
        .orderBy(desc(previousWriteKeys.createdAt), desc(previousWriteKeys.id));
      return { ...business, previous };
    },

    /** Accepted/rejected per minute from `since` (inclusive), and the totals from `dayStart`. */
    async minuteStats(businessId: string, since: Date, dayStart: Date) {
      const minutes = await db
        .select({
          minute: trackingMinuteStats.minute,
          accepted: trackingMinuteStats.accepted,
          rejected: trackingMinuteStats.rejected,
        })
        .from(trackingMinuteStats)
        .where(
          and(
            eq(trackingMinuteStats.businessId, businessId),
            sql`${trackingMinuteStats.minute} >= ${since.toISOString()}`,
          ),
        );
      const [today] = await db
        .select({
          accepted: sql<string>`coalesce(sum(${trackingMinuteStats.accepted}), 0)`,
          rejected: sql<string>`coalesce(sum(${trackingMinuteStats.rejected}), 0)`,
        })
        .from(trackingMinuteStats)
        .where(
          and(
            eq(trackingMinuteStats.businessId, businessId),
            sql`${trackingMinuteStats.minute} >= ${dayStart.toISOString()}`,
          ),
        );
      return {
        minutes,
        today: { accepted: Number(today?.accepted ?? 0), rejected: Number(today?.rejected ?? 0) },
      };
    },

    /** Midnight today in `timezone`, as an instant. */
    async dayStart(timezone: string, now: Date): Promise<Date> {
      const [row] = rowsOf<{ start: Date | string }>(
        await db.execute(sql`
          SELECT (date_trunc('day', ${now.toISOString()}::timestamptz AT TIME ZONE ${timezone})
            AT TIME ZONE ${timezone}) AS start`),
      );
      return row ? new Date(row.start) : now;
    },

    /** When the oldest event the customer processor has not handled yet was received. */
    async oldestUnprocessedAt(businessId: string): Promise<Date | undefined> {
      const [row] = await db
        .select({ receivedAt: eventIds.receivedAt })
        .from(eventIds)
        .where(and(sql`${eventIds.processedAt} IS NULL`, eq(eventIds.businessId, businessId)))
        .orderBy(eventIds.receivedAt)
        .limit(1);
      return row?.receivedAt;
    },

    async lastEventAt(businessId: string): Promise<Date | undefined> {
      const [row] = await db
        .select({ receivedAt: events.receivedAt })
        .from(events)
        .where(eq(events.businessId, businessId))
        .orderBy(desc(events.receivedAt))
        .limit(1);
      return row?.receivedAt;
    },

    /**
     * `limit` events after `after`, newest first (ties by messageId). The plain bound on
     * received_at is what the index uses; the row comparison then settles ties.
     */
    async newestEvents(
      businessId: string,
      filter: EventFilterValues,
      limit: number,
      after?: EventPosition,
    ): Promise<EventRecord[]> {
      const bound = after
        ? [
            lte(events.receivedAt, after.receivedAt),
            sql`(${events.receivedAt}, ${events.messageId}) < (${after.receivedAt.toISOString()}::timestamptz, ${after.messageId})`,
          ]
        : [];
      return db
        .select()
        .from(events)
        .where(and(...filtersOf(businessId, filter), ...bound))
        .orderBy(desc(events.receivedAt), desc(events.messageId))
        .limit(limit);
    },

    /** Events received after `since`, newest first, at most `limit` (the stream's poll). */
    async eventsReceivedAfter(
      businessId: string,
      filter: EventFilterValues,
      since: Date,
      limit: number,
    ): Promise<EventRecord[]> {
      return db
        .select()
        .from(events)
        .where(and(...filtersOf(businessId, filter), gt(events.receivedAt, since)))
        .orderBy(desc(events.receivedAt), desc(events.messageId))
        .limit(limit);
    },
  };
}

export type SourcesRepository = ReturnType<typeof createSourcesRepository>;
