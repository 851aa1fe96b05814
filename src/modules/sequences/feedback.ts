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
import { type HeraldEvents, noHeraldEvents } from '../../platform/events.ts';
import { createEmailAudience } from '../subscribers/index.ts';
import { type InternalEvent, recordInternalEvents } from '../tracking/index.ts';
import { checkStepBounceRate } from './bounce-rate.ts';
import { publishEmailEvents } from './email-events.ts';

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

/** A sent email a feedback report is about, sequence step or broadcast alike. */
export interface FeedbackTarget {
  businessId: string;
  subscriberId: string;
  email: string;
  deliveryId: string;
  /** Prefix of the event keys, the same as the send-time bounce's: each fact once. */
  keyPrefix: string;
  /** The event's properties besides the report's own. */
  properties: Record<string, unknown>;
  /** Marks the delivery itself: complained, or bounced after all (with the report's detail). */
  markDelivery(outcome: 'complained' | 'bounced', detail: string): Promise<void>;
}

/**
 * Acts on the report: the customer's event, once (a complaint or a hard bounce once per
 * delivery, each soft-bounce report once), then for a complaint or a hard bounce the delivery
 * marked, the address suppressed and its enrollments stopped. `false` when the report was
 * received before (nothing changed).
 */
export async function applyDeliveryFeedback(
  tx: Executor,
  target: FeedbackTarget,
  feedback: DeliveryFeedback,
  events: HeraldEvents = noHeraldEvents,
): Promise<boolean> {
  const hard = feedback.type === 'bounce' && feedback.bounceType === 'hard';
  const key =
    feedback.type === 'complaint'
      ? `${target.keyPrefix}complained:${target.deliveryId}`
      : hard
        ? `${target.keyPrefix}bounced:${target.deliveryId}`
        : `${target.keyPrefix}bounced:${target.deliveryId}:report:${feedback.fingerprint}`;
  const fact: InternalEvent = {
    businessId: target.businessId,
    messageId: key,
    event: feedback.type === 'complaint' ? 'Email Marked as Spam' : 'Email Bounced',
    email: target.email,
    properties: {
      ...target.properties,
      ...(feedback.type === 'complaint'
        ? { feedbackType: feedback.detail }
        : { bounceType: feedback.bounceType, reason: feedback.detail }),
    },
    timestamp: feedback.occurredAt ?? new Date(),
  };
  const stored = await recordInternalEvents(tx, [fact]);
  if (stored === 0) return false;
  // email.bounced for a bounce report (a complaint is not in the event catalogue).
  await publishEmailEvents(tx, events, [
    { event: fact, subscriberId: target.subscriberId, deliveryId: target.deliveryId },
  ]);
  const audience = createEmailAudience(tx);
  if (feedback.type === 'complaint') {
    await target.markDelivery('complained', feedback.detail);
    await audience.suppress(target.businessId, target.email, 'complained');
    await stopEnrollmentsOf(tx, target.businessId, target.subscriberId, 'unsubscribed');
  } else if (hard) {
    // Accepted by the relay, refused later by the recipient's server: a bounce after all.
    await target.markDelivery('bounced', feedback.detail);
    await audience.suppress(target.businessId, target.email, 'bounced');
    await stopEnrollmentsOf(tx, target.businessId, target.subscriberId, 'cancelled');
  }
  return true;
}

/** Acts on the report; `false` when it was received before (nothing changed). */
export async function applySequenceFeedback(
  tx: Executor,
  delivery: SequenceDeliveryFacts,
  feedback: DeliveryFeedback,
  events: HeraldEvents = noHeraldEvents,
): Promise<boolean> {
  const applied = await applyDeliveryFeedback(
    tx,
    {
      businessId: delivery.businessId,
      subscriberId: delivery.subscriberId,
      email: delivery.email,
      deliveryId: delivery.id,
      // The same keys as the send-time hard bounce and engagement.complaint.
      keyPrefix: 'herald:',
      properties: {
        sequenceId: delivery.sequenceId,
        stepId: delivery.stepId,
        deliveryId: delivery.id,
        subject: delivery.subject,
      },
      async markDelivery(outcome, detail) {
        await tx
          .update(deliveries)
          .set(
            outcome === 'complained'
              ? { complainedAt: sql`coalesce(${deliveries.complainedAt}, now())` }
              : { status: 'bounced', error: detail || 'bounced (reported later)' },
          )
          .where(eq(deliveries.id, delivery.id));
      },
    },
    feedback,
    events,
  );
  // A hard bounce reported later counts toward the step's bounce rate as one at send time does.
  if (applied && feedback.type === 'bounce' && feedback.bounceType === 'hard') {
    await checkStepBounceRate(tx, events, {
      businessId: delivery.businessId,
      stepId: delivery.stepId,
    });
  }
  return applied;
}
