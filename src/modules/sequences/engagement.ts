// What a recipient does with an email: opens it (the pixel), clicks a link (the redirect),
// unsubscribes (one click from the mail client, or the landing page). Each is identified by a
// signed token only Herald can make; unknown or forged tokens change nothing.
import { sql } from 'drizzle-orm';

import type { Database } from '../../platform/db/client.ts';
import type { Logger } from '../../platform/logger.ts';
import { createSubscriberRepository } from '../subscribers/repository.ts';
import { createDispatchRepository } from './dispatch-repository.ts';
import { rowsOf } from './repository.ts';
import type { TrackingLinks } from './tracking.ts';

export function createEngagement(deps: { db: Database; tracking: TrackingLinks; logger: Logger }) {
  const { db, tracking } = deps;
  const subscribers = createSubscriberRepository(db);
  const dispatch = createDispatchRepository(db);

  async function deliveryOf(id: string) {
    if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
    const [row] = rowsOf<{
      business_id: string;
      subscriber_id: string;
      email: string;
      business_name: string;
    }>(
      await db.execute(sql`
        select d.business_id, d.subscriber_id, s.email, b.name as business_name
        from deliveries d join subscribers s on s.id = d.subscriber_id join businesses b on b.id = d.business_id
        where d.id = ${id}::uuid`),
    );
    return row;
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
      const payload = tracking.verify(token);
      if (payload?.k !== 'u') return undefined;
      const delivery = await deliveryOf(payload.d);
      return delivery ? { email: delivery.email, businessName: delivery.business_name } : undefined;
    },

    /** Suppresses the address and stops its enrollments; repeating it changes nothing. */
    async unsubscribe(token: string): Promise<{ email: string; businessName: string } | undefined> {
      const payload = tracking.verify(token);
      if (payload?.k !== 'u') return undefined;
      const delivery = await deliveryOf(payload.d);
      if (!delivery) return undefined;
      await subscribers.suppress(delivery.business_id, delivery.email, 'unsubscribed');
      await dispatch.stopEnrollmentsOf(
        delivery.business_id,
        delivery.subscriber_id,
        'unsubscribed',
      );
      await db.execute(sql`
        update deliveries set unsubscribed_at = coalesce(unsubscribed_at, now()) where id = ${payload.d}::uuid`);
      deps.logger.info(
        { businessId: delivery.business_id, deliveryId: payload.d },
        'subscriber unsubscribed',
      );
      return { email: delivery.email, businessName: delivery.business_name };
    },
  };
}

export type Engagement = ReturnType<typeof createEngagement>;
