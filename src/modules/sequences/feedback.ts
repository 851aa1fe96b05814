// A complaint or bounce reported after a sequence delivery was sent (POST …/email/feedback):
// found by the Message-ID it was sent with, in the reporting business only; recorded as the
// customer's 'Email Marked as Spam' / 'Email Bounced' event with a deterministic messageId, so
// a report received twice is acted on once. The caller runs it in a transaction.
import { and, eq, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import {
  deliveries,
  enrollments,
  sequenceSteps,
  subscribers,
} from '../../platform/db/schema/sequences.ts';
import { createEmailAudience } from '../subscribers/index.ts';
import { recordInternalEvents } from '../tracking/index.ts';

export interface DeliveryFeedback {
  type: 'complaint' | 'bounce';
  bounceType?: 'hard' | 'soft';
  occurredAt?: Date;
  detail: string;
  /** Tells one soft-bounce report from another (a complaint or hard bounce happens once). */
  fingerprint: string;
}

/** Stops the subscriber's active enrollments in the business. */
export async function stopEnrollmentsOf(
  executor: Executor,
  businessId: string,
  subscriberId: string,
  status: string,
): Promise<void> {
  await executor
    .update(enrollments)
    .set({ status, nextSendAt: null, updatedAt: sql`now()` })
    .where(
      and(
        eq(enrollments.businessId, businessId),
        eq(enrollments.subscriberId, subscriberId),
        eq(enrollments.status, 'active'),
      ),
    );
}

/** The business's sequence delivery sent with this Message-ID, or undefined. */
export async function findSequenceDelivery(
  executor: Executor,
  businessId: string,
  messageId: string,
) {
  const [row] = await executor
    .select({
      id: deliveries.id,
      businessId: deliveries.businessId,
      sequenceId: deliveries.sequenceId,
      stepId: deliveries.stepId,
      subscriberId: deliveries.subscriberId,
      subject: sql<string>`coalesce(${deliveries.subject}, ${sequenceSteps.subject})`,
      email: subscribers.email,
    })
    .from(deliveries)
    .innerJoin(subscribers, eq(subscribers.id, deliveries.subscriberId))
    .innerJoin(sequenceSteps, eq(sequenceSteps.id, deliveries.stepId))
    .where(and(eq(deliveries.businessId, businessId), eq(deliveries.messageId, messageId)));
  return row;
}

export type SequenceDeliveryFacts = NonNullable<Awaited<ReturnType<typeof findSequenceDelivery>>>;

/** Acts on the report; `false` when it was received before (nothing changed). */
export async function applySequenceFeedback(
  tx: Executor,
  delivery: SequenceDeliveryFacts,
  feedback: DeliveryFeedback,
): Promise<boolean> {
  const hard = feedback.type === 'bounce' && feedback.bounceType === 'hard';
  // The same keys as the send-time hard bounce and engagement.complaint: each fact once.
  const key =
    feedback.type === 'complaint'
      ? `herald:complained:${delivery.id}`
      : hard
        ? `herald:bounced:${delivery.id}`
        : `herald:bounced:${delivery.id}:report:${feedback.fingerprint}`;
  const stored = await recordInternalEvents(tx, [
    {
      businessId: delivery.businessId,
      messageId: key,
      event: feedback.type === 'complaint' ? 'Email Marked as Spam' : 'Email Bounced',
      email: delivery.email,
      properties: {
        sequenceId: delivery.sequenceId,
        stepId: delivery.stepId,
        deliveryId: delivery.id,
        subject: delivery.subject,
        ...(feedback.type === 'complaint'
          ? { feedbackType: feedback.detail }
          : { bounceType: feedback.bounceType, reason: feedback.detail }),
      },
      timestamp: feedback.occurredAt ?? new Date(),
    },
  ]);
  if (stored === 0) return false;
  const audience = createEmailAudience(tx);
  if (feedback.type === 'complaint') {
    await tx
      .update(deliveries)
      .set({ complainedAt: sql`coalesce(${deliveries.complainedAt}, now())` })
      .where(eq(deliveries.id, delivery.id));
    await audience.suppress(delivery.businessId, delivery.email, 'complained');
    await stopEnrollmentsOf(tx, delivery.businessId, delivery.subscriberId, 'unsubscribed');
  } else if (hard) {
    // Accepted by the relay, refused later by the recipient's server: a bounce after all.
    await tx
      .update(deliveries)
      .set({ status: 'bounced', error: feedback.detail || 'bounced (reported later)' })
      .where(eq(deliveries.id, delivery.id));
    await audience.suppress(delivery.businessId, delivery.email, 'bounced');
    await stopEnrollmentsOf(tx, delivery.businessId, delivery.subscriberId, 'cancelled');
  }
  return true;
}
