// SQL for what recipients do with an email: opens, clicks and unsubscribes recorded on its
// delivery, and who an unsubscribe link is for. A delivery is found by its id alone: the caller
// holds a token Herald signed for that delivery, not a business it was checked against.
import { and, eq, sql } from 'drizzle-orm';

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

export function createEngagementRepository(db: Executor) {
  return {
    async recordOpen(deliveryId: string): Promise<void> {
      await db
        .update(deliveries)
        .set({
          openedAt: sql`coalesce(${deliveries.openedAt}, now())`,
          openCount: sql`${deliveries.openCount} + 1`,
        })
        .where(eq(deliveries.id, deliveryId));
    },

    /** A click is an open too (the pixel may have been blocked). */
    async recordClick(deliveryId: string): Promise<void> {
      await db
        .update(deliveries)
        .set({
          clickedAt: sql`coalesce(${deliveries.clickedAt}, now())`,
          clickCount: sql`${deliveries.clickCount} + 1`,
          openedAt: sql`coalesce(${deliveries.openedAt}, now())`,
        })
        .where(eq(deliveries.id, deliveryId));
    },

    async recordUnsubscribe(deliveryId: string): Promise<void> {
      await db
        .update(deliveries)
        .set({ unsubscribedAt: sql`coalesce(${deliveries.unsubscribedAt}, now())` })
        .where(eq(deliveries.id, deliveryId));
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
