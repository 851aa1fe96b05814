// SQL for what recipients do with an email: opens, clicks and unsubscribes recorded on its
// delivery, and who an unsubscribe link is for. A delivery is found by its id alone: the caller
// holds a token Herald signed for that delivery, not a business it was checked against.
import { createHash } from 'node:crypto';

import { and, eq, sql } from 'drizzle-orm';
import type { PgColumn, PgUpdateSetSource } from 'drizzle-orm/pg-core';

import type { Executor } from '../../platform/db/client.ts';
import { businesses } from '../../platform/db/schema/businesses.ts';
import { deliveries, sequenceSteps, subscribers } from '../../platform/db/schema/sequences.ts';
import { type HeraldEvents, noHeraldEvents } from '../../platform/events.ts';
import {
  type EmailEventName,
  type InternalEvent,
  recordInternalEvents,
} from '../tracking/index.ts';
import { publishEmailEvents } from './email-events.ts';

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

/** The customer-data event an engagement records, and the part of its messageId that is its own. */
interface EngagementEvent {
  event: EmailEventName;
  /** e.g. `opened` → messageId `herald:opened:<deliveryId>`: the first of each fact only. */
  key: string;
  properties?: Record<string, unknown>;
}

/** A link's own part of a click's messageId: each link's first click is recorded once. */
export const linkKey = (url: string) => createHash('sha256').update(url).digest('hex').slice(0, 16);

export function createEngagementRepository(db: Executor, events: HeraldEvents = noHeraldEvents) {
  /**
   * Updates the delivery and records its event (sequence, step, delivery, subject, the
   * subscriber's address) in one transaction; the deterministic messageId stores it once, and
   * only the first is published as a Herald event (email.opened, email.clicked, …).
   */
  async function recordOn(
    deliveryId: string,
    values: PgUpdateSetSource<typeof deliveries>,
    event: EngagementEvent,
  ) {
    await db.transaction(async (tx) => {
      const [row] = await tx
        .update(deliveries)
        .set(values)
        .where(eq(deliveries.id, deliveryId))
        .returning({
          businessId: deliveries.businessId,
          sequenceId: deliveries.sequenceId,
          stepId: deliveries.stepId,
          subscriberId: deliveries.subscriberId,
          subject: deliveries.subject,
        });
      if (!row) return;
      const [about] = await tx
        .select({ email: subscribers.email, stepSubject: sequenceSteps.subject })
        .from(subscribers)
        .innerJoin(sequenceSteps, eq(sequenceSteps.id, row.stepId))
        .where(eq(subscribers.id, row.subscriberId));
      if (!about) return;
      const fact: InternalEvent = {
        businessId: row.businessId,
        messageId: `herald:${event.key}:${deliveryId}`,
        event: event.event,
        email: about.email,
        properties: {
          sequenceId: row.sequenceId,
          stepId: row.stepId,
          deliveryId,
          subject: row.subject ?? about.stepSubject,
          ...event.properties,
        },
        timestamp: new Date(),
      };
      if ((await recordInternalEvents(tx, [fact])) === 0) return;
      await publishEmailEvents(tx, events, [
        { event: fact, subscriberId: row.subscriberId, deliveryId },
      ]);
    });
  }

  return {
    async recordOpen(deliveryId: string): Promise<void> {
      await recordOn(
        deliveryId,
        { openedAt: firstTime(deliveries.openedAt), openCount: plusOne(deliveries.openCount) },
        { event: 'Email Opened', key: 'opened' },
      );
    },

    /** A click is an open too (the pixel may have been blocked). */
    async recordClick(deliveryId: string, url: string): Promise<void> {
      await recordOn(
        deliveryId,
        {
          clickedAt: firstTime(deliveries.clickedAt),
          clickCount: plusOne(deliveries.clickCount),
          openedAt: firstTime(deliveries.openedAt),
        },
        {
          event: 'Email Link Clicked',
          key: `clicked:${linkKey(url)}`,
          properties: { url, linkUrl: url },
        },
      );
    },

    async recordUnsubscribe(deliveryId: string): Promise<void> {
      await recordOn(
        deliveryId,
        { unsubscribedAt: firstTime(deliveries.unsubscribedAt) },
        { event: 'Unsubscribed', key: 'unsubscribed' },
      );
    },

    /** A spam complaint about the delivery (a mailbox provider's feedback loop). */
    async recordComplaint(deliveryId: string): Promise<void> {
      await recordOn(
        deliveryId,
        {
          unsubscribedAt: firstTime(deliveries.unsubscribedAt),
          complainedAt: firstTime(deliveries.complainedAt),
        },
        { event: 'Email Marked as Spam', key: 'complained' },
      );
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
