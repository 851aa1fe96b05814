// What a recipient does with a broadcast: opens (the pixel), clicks (the redirect), unsubscribes
// (one click from the mail client, or the landing page) — recorded on the delivery and as the
// customer's 'Email Opened' / 'Email Link Clicked' / 'Unsubscribed' events with deterministic
// message ids (the first open; one per link clicked), so repeats are stored once.
import { sql } from 'drizzle-orm';

import type { Database } from '../../platform/db/client.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import type { HeraldEvents } from '../../platform/events.ts';
import type { Logger } from '../../platform/logger.ts';
import { publishEmailEvents, type TrackingLinks } from '../sequences/index.ts';
import { createEmailAudience } from '../subscribers/index.ts';
import {
  type EmailEventName,
  type InternalEvent,
  recordInternalEvents,
} from '../tracking/index.ts';
import { linkHash } from './dispatcher.ts';

interface DeliveryFacts {
  id: string;
  business_id: string;
  broadcast_id: string;
  subscriber_id: string;
  variant: string | null;
  email: string;
  business_name: string;
  subject: string;
}

const UUID = /^[0-9a-f-]{36}$/;

export function createBroadcastEngagement(deps: {
  db: Database;
  tracking: TrackingLinks;
  logger: Logger;
  /** Hears email.opened, email.clicked and email.unsubscribed (webhooks, Slack). */
  events?: HeraldEvents;
}) {
  const { db, tracking } = deps;
  const audience = createEmailAudience(db);

  /** Updates the delivery (when `set` is given) and returns what the event needs. */
  async function touch(deliveryId: string, set: ReturnType<typeof sql> | null) {
    if (!UUID.test(deliveryId)) return undefined;
    if (set) {
      await db.execute(
        sql`update broadcast_deliveries set ${set} where id = ${deliveryId}::uuid and status = 'sent'`,
      );
    }
    const [row] = rowsOf<DeliveryFacts>(
      await db.execute(sql`
        select d.id, d.business_id, d.broadcast_id, d.subscriber_id, d.variant, s.email,
          b.name as business_name,
          coalesce((select v->>'subject' from jsonb_array_elements(br.variants) v
                    where v->>'key' = d.variant), '') as subject
        from broadcast_deliveries d
        join subscribers s on s.id = d.subscriber_id
        join businesses b on b.id = d.business_id
        join broadcasts br on br.id = d.broadcast_id
        where d.id = ${deliveryId}::uuid`),
    );
    return row;
  }

  async function record(
    facts: DeliveryFacts,
    event: EmailEventName,
    messageId: string,
    extra: Record<string, unknown> = {},
  ) {
    const fact: InternalEvent = {
      businessId: facts.business_id,
      messageId,
      event,
      email: facts.email,
      properties: {
        broadcastId: facts.broadcast_id,
        variant: facts.variant,
        subject: facts.subject,
        ...extra,
      },
      timestamp: new Date(),
    };
    // The first of each fact is the customer's event and, in the same transaction, Herald's.
    await db.transaction(async (tx) => {
      if ((await recordInternalEvents(tx, [fact])) === 0 || !deps.events) return;
      await publishEmailEvents(tx, deps.events, [
        { event: fact, subscriberId: facts.subscriber_id, deliveryId: facts.id },
      ]);
    });
  }

  return {
    async recordOpen(token: string): Promise<void> {
      const payload = tracking.verify(token);
      if (payload?.k !== 'b' || payload.a !== 'o') return;
      const facts = await touch(
        payload.d,
        sql`opened_at = coalesce(opened_at, now()), open_count = open_count + 1`,
      );
      if (facts) await record(facts, 'Email Opened', `herald:broadcast:opened:${facts.id}`);
    },

    /** The URL to redirect to, or undefined for a token Herald did not sign. */
    async recordClick(token: string): Promise<string | undefined> {
      const payload = tracking.verify(token);
      if (payload?.k !== 'b' || payload.a !== 'c' || !payload.u || !/^https?:\/\//i.test(payload.u))
        return undefined;
      const facts = await touch(
        payload.d,
        sql`clicked_at = coalesce(clicked_at, now()), click_count = click_count + 1, opened_at = coalesce(opened_at, now())`,
      );
      if (facts)
        await record(
          facts,
          'Email Link Clicked',
          `herald:broadcast:clicked:${facts.id}:${linkHash(payload.u)}`,
          { url: payload.u },
        );
      return payload.u;
    },

    async unsubscribeTarget(token: string) {
      const payload = tracking.verify(token);
      if (payload?.k !== 'b' || payload.a !== 'u') return undefined;
      const facts = await touch(payload.d, null);
      return facts && { email: facts.email, businessName: facts.business_name };
    },

    async unsubscribe(token: string) {
      const payload = tracking.verify(token);
      if (payload?.k !== 'b' || payload.a !== 'u') return undefined;
      const facts = await touch(payload.d, null);
      if (!facts) return undefined;
      await audience.suppress(facts.business_id, facts.email, 'unsubscribed');
      await db.execute(sql`
        update broadcast_deliveries set unsubscribed_at = coalesce(unsubscribed_at, now())
        where id = ${facts.id}::uuid`);
      await record(facts, 'Unsubscribed', `herald:broadcast:unsubscribed:${facts.id}`);
      deps.logger.info(
        { businessId: facts.business_id, broadcastId: facts.broadcast_id },
        'subscriber unsubscribed from a broadcast',
      );
      return { email: facts.email, businessName: facts.business_name };
    },
  };
}

export type BroadcastEngagement = ReturnType<typeof createBroadcastEngagement>;
