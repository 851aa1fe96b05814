// What a recipient does with an email: opens it (the pixel), clicks a link (the redirect),
// unsubscribes (one click from the mail client, or the landing page). Each is identified by a
// signed token only Herald can make; unknown or forged tokens change nothing. An unsubscribe
// token names a sequence delivery, or a business's subscriber (mail sent outside a sequence).
import { sql } from 'drizzle-orm';

import type { Database } from '../../platform/db/client.ts';
import type { Logger } from '../../platform/logger.ts';
import { createSubscriberRepository } from '../subscribers/repository.ts';
import { createDispatchRepository } from './dispatch-repository.ts';
import { rowsOf } from './repository.ts';
import type { TrackingLinks, TrackingPayload } from './tracking.ts';

export function createEngagement(deps: { db: Database; tracking: TrackingLinks; logger: Logger }) {
  const { db, tracking } = deps;
  const subscribers = createSubscriberRepository(db);
  const dispatch = createDispatchRepository(db);

  interface UnsubscribeTarget {
    business_id: string;
    subscriber_id: string;
    email: string;
    business_name: string;
    /** The sequence delivery the link came in, when it came in one. */
    delivery_id: string | null;
  }

  const UUID = /^[0-9a-f-]{36}$/;

  /** Who an unsubscribe token is for: a delivery's subscriber, or a business's subscriber. */
  async function targetOf(payload: TrackingPayload | undefined) {
    if (payload?.k === 'u') {
      if (!UUID.test(payload.d)) return undefined;
      const [row] = rowsOf<UnsubscribeTarget>(
        await db.execute(sql`
          select d.business_id, d.subscriber_id, s.email, b.name as business_name, d.id as delivery_id
          from deliveries d join subscribers s on s.id = d.subscriber_id join businesses b on b.id = d.business_id
          where d.id = ${payload.d}::uuid`),
      );
      return row;
    }
    if (payload?.k === 's') {
      if (!UUID.test(payload.b) || !UUID.test(payload.s)) return undefined;
      const [row] = rowsOf<UnsubscribeTarget>(
        await db.execute(sql`
          select s.business_id, s.id as subscriber_id, s.email, b.name as business_name, null as delivery_id
          from subscribers s join businesses b on b.id = s.business_id
          where s.id = ${payload.s}::uuid and s.business_id = ${payload.b}::uuid`),
      );
      return row;
    }
    return undefined;
  }

  return {
    async recordOpen(token: string): Promise<void> {
      const payload = tracking.verify(token);
      if (payload?.k !== 'o') return;
      await db.execute(sql`
        update deliveries set opened_at = coalesce(opened_at, now()), open_count = open_count + 1
        where id = ${payload.d}::uuid`);
    },

    /** The URL to redirect to, or undefined for a token Herald did not sign. */
    async recordClick(token: string): Promise<string | undefined> {
      const payload = tracking.verify(token);
      if (payload?.k !== 'c' || !/^https?:\/\//i.test(payload.u)) return undefined;
      await db.execute(sql`
        update deliveries set clicked_at = coalesce(clicked_at, now()), click_count = click_count + 1,
          opened_at = coalesce(opened_at, now())
        where id = ${payload.d}::uuid`);
      return payload.u;
    },

    /** Who the unsubscribe token is for (to show on the landing page), without acting. */
    async unsubscribeTarget(token: string) {
      const target = await targetOf(tracking.verify(token));
      return target ? { email: target.email, businessName: target.business_name } : undefined;
    },

    /** Suppresses the address and stops its enrollments; repeating it changes nothing. */
    async unsubscribe(token: string): Promise<{ email: string; businessName: string } | undefined> {
      const target = await targetOf(tracking.verify(token));
      if (!target) return undefined;
      await subscribers.suppress(target.business_id, target.email, 'unsubscribed');
      await dispatch.stopEnrollmentsOf(target.business_id, target.subscriber_id, 'unsubscribed');
      if (target.delivery_id) {
        await db.execute(sql`
          update deliveries set unsubscribed_at = coalesce(unsubscribed_at, now()) where id = ${target.delivery_id}::uuid`);
      }
      deps.logger.info(
        {
          businessId: target.business_id,
          subscriberId: target.subscriber_id,
          deliveryId: target.delivery_id,
        },
        'subscriber unsubscribed',
      );
      return { email: target.email, businessName: target.business_name };
    },
  };
}

export type Engagement = ReturnType<typeof createEngagement>;
