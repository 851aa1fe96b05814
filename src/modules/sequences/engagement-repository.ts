// SQL for what recipients do with an email: opens, clicks and unsubscribes recorded on its
// delivery, and who an unsubscribe link is for. A delivery is found by its id alone: the caller
// holds a token Herald signed for that delivery, not a business it was checked against.
import { and, eq, sql } from 'drizzle-orm';
import type { PgColumn, PgUpdateSetSource } from 'drizzle-orm/pg-core';

import type { Executor } from '../../platform/db/client.ts';
import { businesses } from '../../platform/db/schema/businesses.ts';
import { deliveries, subscribers } from '../../platform/db/schema/sequences.ts';

export interface UnsubscribeTarget {
  businessId: string;
  subscriberId: string;
  email: string;
  businessName: string;
  /** The sequence delivery the link came in, when it came in one. */
  deliveryId: string | null;
}

/** The time something first happened: a column's value if set, else now. */
const firstTime = (column: PgColumn) => sql`coalesce(${column}, now())`;
const plusOne = (column: PgColumn) => sql`${column} + 1`;

export function createEngagementRepository(db: Executor) {
  async function recordOn(deliveryId: string, values: PgUpdateSetSource<typeof deliveries>) {
    await db.update(deliveries).set(values).where(eq(deliveries.id, deliveryId));
  }

  return {
    async recordOpen(deliveryId: string): Promise<void> {
      await recordOn(deliveryId, {
        openedAt: firstTime(deliveries.openedAt),
        openCount: plusOne(deliveries.openCount),
      });
    },

    /** A click is an open too (the pixel may have been blocked). */
    async recordClick(deliveryId: string): Promise<void> {
      await recordOn(deliveryId, {
        clickedAt: firstTime(deliveries.clickedAt),
        clickCount: plusOne(deliveries.clickCount),
        openedAt: firstTime(deliveries.openedAt),
      });
    },

    async recordUnsubscribe(deliveryId: string): Promise<void> {
      await recordOn(deliveryId, { unsubscribedAt: firstTime(deliveries.unsubscribedAt) });
    },

    /** The subscriber a delivery went to. */
    async targetOfDelivery(deliveryId: string): Promise<UnsubscribeTarget | undefined> {
      const [row] = await db
        .select({
          businessId: deliveries.businessId,
          subscriberId: deliveries.subscriberId,
          email: subscribers.email,
          businessName: businesses.name,
          deliveryId: deliveries.id,
        })
        .from(deliveries)
        .innerJoin(subscribers, eq(subscribers.id, deliveries.subscriberId))
        .innerJoin(businesses, eq(businesses.id, deliveries.businessId))
        .where(eq(deliveries.id, deliveryId));
      return row;
    },

    /** A subscriber of the business (mail sent outside a sequence). */
    async targetOfSubscriber(
      businessId: string,
      subscriberId: string,
    ): Promise<UnsubscribeTarget | undefined> {
      const [row] = await db
        .select({
          businessId: subscribers.businessId,
          subscriberId: subscribers.id,
          email: subscribers.email,
          businessName: businesses.name,
        })
        .from(subscribers)
        .innerJoin(businesses, eq(businesses.id, subscribers.businessId))
        .where(and(eq(subscribers.id, subscriberId), eq(subscribers.businessId, businessId)));
      return row && { ...row, deliveryId: null };
    },
  };
}

export type EngagementRepository = ReturnType<typeof createEngagementRepository>;
