// What a recipient does with an email: opens it (the pixel), clicks a link (the redirect),
// unsubscribes (one click from the mail client, or the landing page). Each is identified by a
// signed token only Herald can make; unknown or forged tokens change nothing. An unsubscribe
// token names a sequence delivery, or a business's subscriber (mail sent outside a sequence).
import type { Database } from '../../platform/db/client.ts';
import type { HeraldEvents } from '../../platform/events.ts';
import type { Logger } from '../../platform/logger.ts';
import { createEmailAudience } from '../subscribers/index.ts';
import { createDispatchRepository } from './dispatch-repository.ts';
import { createEngagementRepository } from './engagement-repository.ts';
import type { TrackingLinks, TrackingPayload } from './tracking.ts';

export function createEngagement(deps: {
  db: Database;
  tracking: TrackingLinks;
  logger: Logger;
  /** Hears email.opened, email.clicked and email.unsubscribed (webhooks, Slack). */
  events?: HeraldEvents;
}) {
  const { db, tracking } = deps;
  const subscribers = createEmailAudience(db);
  const dispatch = createDispatchRepository(db);
  const repository = createEngagementRepository(db, deps.events);

  const UUID = /^[0-9a-f-]{36}$/;

  /** Who an unsubscribe token is for: a delivery's subscriber, or a business's subscriber. */
  async function targetOf(payload: TrackingPayload | undefined) {
    if (payload?.k === 'u') {
      if (!UUID.test(payload.d)) return undefined;
      return repository.targetOfDelivery(payload.d);
    }
    if (payload?.k === 's') {
      if (!UUID.test(payload.b) || !UUID.test(payload.s)) return undefined;
      return repository.targetOfSubscriber(payload.b, payload.s);
    }
    return undefined;
  }

  return {
    async recordOpen(token: string): Promise<void> {
      const payload = tracking.verify(token);
      if (payload?.k !== 'o') return;
      await repository.recordOpen(payload.d);
    },

    /** The URL to redirect to, or undefined for a token Herald did not sign. */
    async recordClick(token: string): Promise<string | undefined> {
      const payload = tracking.verify(token);
      if (payload?.k !== 'c' || !/^https?:\/\//i.test(payload.u)) return undefined;
      await repository.recordClick(payload.d, payload.u);
      return payload.u;
    },

    /** Who the unsubscribe token is for (to show on the landing page), without acting. */
    async unsubscribeTarget(token: string) {
      const target = await targetOf(tracking.verify(token));
      return target ? { email: target.email, businessName: target.businessName } : undefined;
    },

    /**
     * A spam complaint about a sequence delivery (from a mailbox provider's feedback loop):
     * the address is suppressed as complained, its enrollments stop, 'Email Marked as Spam'
     * is recorded. The feedback intake (POST …/email/feedback) finds the delivery by Message-ID
     * and acts in one transaction (sequences/feedback.ts); this is for callers holding an id.
     */
    async complaint(deliveryId: string): Promise<boolean> {
      if (!UUID.test(deliveryId)) return false;
      const target = await repository.targetOfDelivery(deliveryId);
      if (!target) return false;
      await subscribers.suppress(target.businessId, target.email, 'complained');
      await dispatch.stopEnrollmentsOf(target.businessId, target.subscriberId, 'unsubscribed');
      await repository.recordComplaint(deliveryId);
      return true;
    },

    /** Suppresses the address and stops its enrollments; repeating it changes nothing. */
    async unsubscribe(token: string): Promise<{ email: string; businessName: string } | undefined> {
      const target = await targetOf(tracking.verify(token));
      if (!target) return undefined;
      await subscribers.suppress(target.businessId, target.email, 'unsubscribed');
      await dispatch.stopEnrollmentsOf(target.businessId, target.subscriberId, 'unsubscribed');
      if (target.deliveryId) await repository.recordUnsubscribe(target.deliveryId);
      deps.logger.info(
        {
          businessId: target.businessId,
          subscriberId: target.subscriberId,
          deliveryId: target.deliveryId,
        },
        'subscriber unsubscribed',
      );
      return { email: target.email, businessName: target.businessName };
    },
  };
}

export type Engagement = ReturnType<typeof createEngagement>;
