// SQL of outgoing webhooks. Endpoint and log queries are scoped by business; the delivery loop
// reads across businesses, claiming due deliveries with FOR UPDATE SKIP LOCKED and a lease
// (claimed_at), so several workers share the work and a crashed one's claims are taken over.
import { and, arrayContains, asc, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { keysetPage } from '../../platform/db/pagination.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import {
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
  webhookEvents,
} from '../../platform/db/schema/index.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type NewEndpoint = typeof webhookEndpoints.$inferInsert;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type AttemptRow = typeof webhookAttempts.$inferSelect;
export type NewAttempt = typeof webhookAttempts.$inferInsert;
export type EndpointChanges = Partial<
  Pick<
    NewEndpoint,
    | 'url'
    | 'eventTypes'
    | 'description'
    | 'active'
    | 'secret'
    | 'disabledReason'
    | 'disabledAt'
    | 'consecutiveFailures'
  >
>;

/** A claimed delivery with what sending it needs. */
export interface DeliveryToSend {
  id: string;
  businessId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: DeliveryRow['status'];
  attempts: number;
  url: string;
  secret: string;
  payload: unknown;
}

/** The attempts shown with each delivery in the log. */
const ATTEMPTS_SHOWN = 10;

export function createWebhookRepository(db: Executor) {
  const d = webhookDeliveries;
  const e = webhookEndpoints;

  return {
    async insertEndpoint(values: NewEndpoint): Promise<EndpointRow> {
      return returnedRow(await db.insert(e).values(values).returning());
    },

    async listEndpoints(businessId: string, page: PageRequest): Promise<EndpointRow[]> {
      return keysetPage(db.select().from(e).$dynamic(), e, page, eq(e.businessId, businessId));
    },

    async findEndpoint(businessId: string, endpointId: string): Promise<EndpointRow | undefined> {
      const [row] = await db
        .select()
        .from(e)
        .where(and(eq(e.businessId, businessId), eq(e.id, endpointId)));
      return row;
    },

    async updateEndpoint(
      businessId: string,
      endpointId: string,
      changes: EndpointChanges,
    ): Promise<EndpointRow | undefined> {
      const [row] = await db
        .update(e)
        .set({ ...changes, updatedAt: new Date() })
        .where(and(eq(e.businessId, businessId), eq(e.id, endpointId)))
        .returning();
      return row;
    },

    async deleteEndpoint(businessId: string, endpointId: string): Promise<boolean> {
      const deleted = await db
        .delete(e)
        .where(and(eq(e.businessId, businessId), eq(e.id, endpointId)))
        .returning({ id: e.id });
      return deleted.length > 0;
    },

    /** The business's active endpoints that hear `type`. */
    async subscribedEndpoints(businessId: string, type: string): Promise<{ id: string }[]> {
      return db
        .select({ id: e.id })
        .from(e)
        .where(
          and(
            eq(e.businessId, businessId),
            eq(e.active, true),
            arrayContains(e.eventTypes, [type]),
          ),
        );
    },

    /** Inserts the event unless its key is known; answers its id only when it was new. */
    async insertEvent(values: typeof webhookEvents.$inferInsert): Promise<string | undefined> {
      const [row] = await db
        .insert(webhookEvents)
        .values(values)
        .onConflictDoNothing({ target: [webhookEvents.businessId, webhookEvents.key] })
        .returning({ id: webhookEvents.id });
      return row?.id;
    },

    async insertDeliveries(rows: (typeof d.$inferInsert)[]): Promise<DeliveryRow[]> {
      if (rows.length === 0) return [];
      return db
        .insert(d)
        .values(rows)
        .onConflictDoNothing({ target: [d.endpointId, d.eventId] })
        .returning();
    },

    /** Claims up to `limit` pending deliveries due at `now` of active endpoints. */
    async claimDue(now: Date, leaseStart: Date, limit: number): Promise<string[]> {
      const due = db
        .select({ id: d.id })
        .from(d)
        .innerJoin(e, eq(e.id, d.endpointId))
        .where(
          and(
            eq(d.status, 'pending'),
            lte(d.nextAttemptAt, now),
            eq(e.active, true),
            or(isNull(d.claimedAt), lt(d.claimedAt, leaseStart)),
          ),
        )
        .orderBy(asc(d.nextAttemptAt))
        .limit(limit)
        .for('update', { of: d, skipLocked: true });
      const claimed = await db
        .update(d)
        .set({ claimedAt: now })
        .where(inArray(d.id, due))
        .returning({ id: d.id });
      return claimed.map((row) => row.id);
    },

    /** Claims one delivery of the business for a manual attempt, unless a worker holds it. */
    async claimOne(
      businessId: string,
      deliveryId: string,
      now: Date,
      leaseStart: Date,
    ): Promise<boolean> {
      const claimed = await db
        .update(d)
        .set({ claimedAt: now })
        .where(
          and(
            eq(d.businessId, businessId),
            eq(d.id, deliveryId),
            or(isNull(d.claimedAt), lt(d.claimedAt, leaseStart)),
          ),
        )
        .returning({ id: d.id });
      return claimed.length > 0;
    },

    async toSend(deliveryIds: string[]): Promise<DeliveryToSend[]> {
      if (deliveryIds.length === 0) return [];
      return db
        .select({
          id: d.id,
          businessId: d.businessId,
          endpointId: d.endpointId,
          eventId: d.eventId,
          eventType: webhookEvents.type,
          status: d.status,
          attempts: d.attempts,
          url: e.url,
          secret: e.secret,
          payload: webhookEvents.payload,
        })
        .from(d)
        .innerJoin(e, eq(e.id, d.endpointId))
        .innerJoin(webhookEvents, eq(webhookEvents.id, d.eventId))
        .where(inArray(d.id, deliveryIds));
    },

    async insertAttempt(values: NewAttempt): Promise<void> {
      await db.insert(webhookAttempts).values(values);
    },

    /** Writes the delivery's new state and lets go of its claim. */
    async settleDelivery(
      deliveryId: string,
      changes: Partial<
        Pick<
          DeliveryRow,
          'status' | 'attempts' | 'nextAttemptAt' | 'lastStatusCode' | 'lastError' | 'deliveredAt'
        >
      >,
    ): Promise<void> {
      await db
        .update(d)
        .set({ ...changes, claimedAt: null })
        .where(eq(d.id, deliveryId));
    },

    /** Counts one more delivery in a row failed for good; answers the endpoint after it. */
    async countEndpointFailure(endpointId: string): Promise<EndpointRow | undefined> {
      const [row] = await db
        .update(e)
        .set({ consecutiveFailures: sql`${e.consecutiveFailures} + 1` })
        .where(eq(e.id, endpointId))
        .returning();
      return row;
    },

    async resetEndpointFailures(endpointId: string): Promise<void> {
      await db
        .update(e)
        .set({ consecutiveFailures: 0 })
        .where(and(eq(e.id, endpointId), sql`${e.consecutiveFailures} <> 0`));
    },

    /** Turns an endpoint off with the reason shown to its owner; false when it already was. */
    async disableEndpoint(endpointId: string, reason: string, at: Date): Promise<boolean> {
      const rows = await db
        .update(e)
        .set({ active: false, disabledReason: reason, disabledAt: at, updatedAt: at })
        .where(and(eq(e.id, endpointId), eq(e.active, true)))
        .returning({ id: e.id });
      return rows.length > 0;
    },

    async listDeliveries(
      businessId: string,
      endpointId: string,
      page: PageRequest,
      status: DeliveryRow['status'] | undefined,
    ) {
      return keysetPage(
        db
          .select({
            id: d.id,
            endpointId: d.endpointId,
            eventId: d.eventId,
            eventType: webhookEvents.type,
            status: d.status,
            attempts: d.attempts,
            nextAttemptAt: d.nextAttemptAt,
            lastStatusCode: d.lastStatusCode,
            lastError: d.lastError,
            createdAt: d.createdAt,
            deliveredAt: d.deliveredAt,
          })
          .from(d)
          .innerJoin(webhookEvents, eq(webhookEvents.id, d.eventId))
          .$dynamic(),
        d,
        page,
        eq(d.businessId, businessId),
        eq(d.endpointId, endpointId),
        status ? eq(d.status, status) : undefined,
      );
    },

    async findDelivery(businessId: string, deliveryId: string) {
      const [row] = await db
        .select({
          id: d.id,
          endpointId: d.endpointId,
          eventId: d.eventId,
          eventType: webhookEvents.type,
          status: d.status,
          attempts: d.attempts,
          nextAttemptAt: d.nextAttemptAt,
          lastStatusCode: d.lastStatusCode,
          lastError: d.lastError,
          createdAt: d.createdAt,
          deliveredAt: d.deliveredAt,
        })
        .from(d)
        .innerJoin(webhookEvents, eq(webhookEvents.id, d.eventId))
        .where(and(eq(d.businessId, businessId), eq(d.id, deliveryId)));
      return row;
    },

    /**
     * Deletes up to `limit` events older than `before` with no delivery still pending, with
     * their deliveries and attempts (cascade); answers how many.
     */
    async purgeEvents(before: Date, limit: number): Promise<number> {
      const old = db
        .select({ id: webhookEvents.id })
        .from(webhookEvents)
        .where(
          and(
            lt(webhookEvents.occurredAt, before),
            sql`not exists (select 1 from ${d} where ${d.eventId} = ${webhookEvents.id} and ${d.status} = 'pending')`,
          ),
        )
        .limit(limit);
      const deleted = await db
        .delete(webhookEvents)
        .where(inArray(webhookEvents.id, old))
        .returning({ id: webhookEvents.id });
      return deleted.length;
    },

    /** The latest attempts of each delivery, newest first. */
    async attemptsOf(deliveryIds: string[]): Promise<Map<string, AttemptRow[]>> {
      const byDelivery = new Map<string, AttemptRow[]>();
      if (deliveryIds.length === 0) return byDelivery;
      const ranked = db
        .select({
          id: webhookAttempts.id,
          rank: sql<number>`row_number() over (partition by ${webhookAttempts.deliveryId} order by ${webhookAttempts.attemptedAt} desc, ${webhookAttempts.id} desc)`.as(
            'rank',
          ),
        })
        .from(webhookAttempts)
        .where(inArray(webhookAttempts.deliveryId, deliveryIds))
        .as('ranked');
      const rows = await db
        .select({ attempt: webhookAttempts })
        .from(webhookAttempts)
        .innerJoin(ranked, eq(ranked.id, webhookAttempts.id))
        .where(lte(ranked.rank, ATTEMPTS_SHOWN))
        .orderBy(desc(webhookAttempts.attemptedAt), desc(webhookAttempts.id));
      for (const { attempt } of rows) {
        const list = byDelivery.get(attempt.deliveryId) ?? [];
        list.push(attempt);
        byDelivery.set(attempt.deliveryId, list);
      }
      return byDelivery;
    },
  };
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
