// SQL the event processor runs inside a business batch's transaction: finding customers by
// identity, creating and merging them, traits, stats, the activity rollup and orders.
import { sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { jsonb, rowsOf } from '../../platform/db/raw-sql.ts';

export type IdentityKind = 'userId' | 'anonymousId' | 'email';

export interface ProfileRow {
  id: string;
  userId: string | null;
  email: string | null;
  traits: Record<string, unknown>;
  traitTimes: Record<string, string>;
  subscriberId: string | null;
}

interface RawProfile {
  id: string;
  user_id: string | null;
  email: string | null;
  traits: Record<string, unknown> | string;
  trait_times: Record<string, string> | string;
  subscriber_id: string | null;
}

const jsonObject = <T>(value: T | string): T =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value;

function toProfile(row: RawProfile): ProfileRow {
  return {
    id: row.id,
    userId: row.user_id,
    email: row.email,
    traits: jsonObject(row.traits),
    traitTimes: jsonObject(row.trait_times),
    subscriberId: row.subscriber_id,
  };
}

export interface OrderRow {
  id: string;
  customerId: string;
  totalCents: number;
  refundedCents: number;
}

export function createProfileRepository(tx: Executor) {
  async function one<T>(query: ReturnType<typeof sql>): Promise<T | undefined> {
    return rowsOf<T>(await tx.execute(query))[0];
  }

  return {
    /** The customer holding an identity, locked for this transaction. */
    async byIdentity(
      businessId: string,
      kind: IdentityKind,
      value: string,
    ): Promise<ProfileRow | undefined> {
      const row = await one<RawProfile>(sql`
        SELECT c.id, c.user_id, c.email, c.traits, c.trait_times, c.subscriber_id
        FROM customer_identities i JOIN customers c ON c.id = i.customer_id
        WHERE i.business_id = ${businessId} AND i.kind = ${kind} AND i.value = ${value}
        FOR UPDATE OF c`);
      return row && toProfile(row);
    },

    async byId(id: string): Promise<ProfileRow | undefined> {
      const row = await one<RawProfile>(sql`
        SELECT id, user_id, email, traits, trait_times, subscriber_id FROM customers
        WHERE id = ${id} FOR UPDATE`);
      return row && toProfile(row);
    },

    async create(businessId: string, userId: string | null, at: Date): Promise<ProfileRow> {
      const row = await one<RawProfile>(sql`
        INSERT INTO customers (business_id, user_id, first_seen_at, last_seen_at)
        VALUES (${businessId}, ${userId}, ${at.toISOString()}, ${at.toISOString()})
        RETURNING id, user_id, email, traits, trait_times, subscriber_id`);
      if (!row) throw new Error('customer insert returned nothing');
      return toProfile(row);
    },

    async addIdentity(
      businessId: string,
      customerId: string,
      kind: IdentityKind,
      value: string,
    ): Promise<void> {
      await tx.execute(sql`
        INSERT INTO customer_identities (business_id, customer_id, kind, value)
        VALUES (${businessId}, ${customerId}, ${kind}, ${value})
        ON CONFLICT DO NOTHING`);
    },

    async setUserId(customerId: string, userId: string): Promise<void> {
      await tx.execute(sql`
        UPDATE customers SET user_id = ${userId}, updated_at = now() WHERE id = ${customerId}`);
    },

    /**
     * Moves everything of `from` onto `into` (identities, activity, orders, stats, traits
     * latest-wins, segment memberships) and deletes `from`. Events are never rewritten: the
     * timeline follows the identities.
     */
    async merge(from: ProfileRow, into: ProfileRow): Promise<void> {
      await tx.execute(sql`
        UPDATE customer_identities SET customer_id = ${into.id} WHERE customer_id = ${from.id}`);
      await tx.execute(sql`
        INSERT INTO customer_activity (business_id, customer_id, event, day, count)
        SELECT business_id, ${into.id}, event, day, count FROM customer_activity
        WHERE customer_id = ${from.id}
        ON CONFLICT (customer_id, event, day)
          DO UPDATE SET count = customer_activity.count + excluded.count`);
      await tx.execute(sql`DELETE FROM customer_activity WHERE customer_id = ${from.id}`);
      await tx.execute(
        sql`UPDATE orders SET customer_id = ${into.id} WHERE customer_id = ${from.id}`,
      );
      await tx.execute(sql`
        INSERT INTO segment_members (segment_id, customer_id, business_id, entered_at)
        SELECT segment_id, ${into.id}, business_id, entered_at FROM segment_members
        WHERE customer_id = ${from.id}
        ON CONFLICT DO NOTHING`);
      const traits = { ...into.traits };
      const traitTimes = { ...into.traitTimes };
      for (const [key, value] of Object.entries(from.traits)) {
        const fromTime = from.traitTimes[key] ?? '';
        const intoTime = traitTimes[key];
        if (intoTime === undefined || fromTime > intoTime) {
          traits[key] = value;
          traitTimes[key] = fromTime;
        }
      }
      await tx.execute(sql`
        UPDATE customers AS c SET
          first_seen_at = least(c.first_seen_at, f.first_seen_at),
          last_seen_at = greatest(c.last_seen_at, f.last_seen_at),
          event_count = c.event_count + f.event_count,
          order_count = c.order_count + f.order_count,
          revenue_cents = c.revenue_cents + f.revenue_cents,
          email = coalesce(c.email, f.email),
          name = coalesce(c.name, f.name),
          subscriber_id = coalesce(c.subscriber_id, f.subscriber_id),
          traits = ${jsonb(traits)},
          trait_times = ${jsonb(traitTimes)},
          updated_at = now()
        FROM customers AS f
        WHERE c.id = ${into.id} AND f.id = ${from.id}`);
      // The merged-away profile's scores go with it (no foreign key); the next run scores `into`.
      await tx.execute(sql`DELETE FROM customer_scores WHERE customer_id = ${from.id}`);
      await tx.execute(sql`DELETE FROM customers WHERE id = ${from.id}`);
      into.traits = traits;
      into.traitTimes = traitTimes;
    },

    async saveTraits(
      customer: ProfileRow,
      fields: { email: string | null; name: string | null },
    ): Promise<void> {
      await tx.execute(sql`
        UPDATE customers SET traits = ${jsonb(customer.traits)},
          trait_times = ${jsonb(customer.traitTimes)},
          email = coalesce(${fields.email}, email),
          name = coalesce(${fields.name}, name),
          updated_at = now()
        WHERE id = ${customer.id}`);
    },

    /** The subscriber with this address in the business, if any. */
    async subscriberByEmail(businessId: string, email: string): Promise<string | undefined> {
      const row = await one<{ id: string }>(sql`
        SELECT id FROM subscribers WHERE business_id = ${businessId} AND email = ${email}`);
      return row?.id;
    },

    async linkSubscriber(customerId: string, subscriberId: string): Promise<void> {
      await tx.execute(sql`
        UPDATE customers SET subscriber_id = ${subscriberId} WHERE id = ${customerId}`);
    },

    async recordSeen(customerId: string, at: Date): Promise<void> {
      await tx.execute(sql`
        UPDATE customers SET event_count = event_count + 1,
          first_seen_at = least(first_seen_at, ${at.toISOString()}),
          last_seen_at = greatest(last_seen_at, ${at.toISOString()}),
          updated_at = now()
        WHERE id = ${customerId}`);
    },

    async countActivity(
      businessId: string,
      customerId: string,
      event: string,
      day: string,
    ): Promise<void> {
      await tx.execute(sql`
        INSERT INTO customer_activity (business_id, customer_id, event, day, count)
        VALUES (${businessId}, ${customerId}, ${event}, ${day}, 1)
        ON CONFLICT (customer_id, event, day) DO UPDATE SET count = customer_activity.count + 1`);
    },

    async order(businessId: string, orderId: string): Promise<OrderRow | undefined> {
      const row = await one<{
        id: string;
        customer_id: string;
        total_cents: string | number;
        refunded_cents: string | number;
      }>(sql`
        SELECT id, customer_id, total_cents, refunded_cents FROM orders
        WHERE business_id = ${businessId} AND order_id = ${orderId} FOR UPDATE`);
      return (
        row && {
          id: row.id,
          customerId: row.customer_id,
          totalCents: Number(row.total_cents),
          refundedCents: Number(row.refunded_cents),
        }
      );
    },

    async insertOrder(order: {
      businessId: string;
      customerId: string;
      orderId: string;
      totalCents: number;
      currency: string;
      products: unknown[];
      placedAt: Date;
    }): Promise<void> {
      await tx.execute(sql`
        INSERT INTO orders (business_id, customer_id, order_id, total_cents, currency, products,
          placed_at)
        VALUES (${order.businessId}, ${order.customerId}, ${order.orderId}, ${order.totalCents},
          ${order.currency}, ${jsonb(order.products)}, ${order.placedAt.toISOString()})`);
      await tx.execute(sql`
        UPDATE customers SET order_count = order_count + 1,
          revenue_cents = revenue_cents + ${order.totalCents}
        WHERE id = ${order.customerId}`);
    },

    /** A repeated Order Completed: the order's new figures; the customer's revenue follows. */
    async updateOrder(
      existing: OrderRow,
      order: { totalCents: number; currency: string; products: unknown[] },
    ): Promise<void> {
      const refunded = Math.min(existing.refundedCents, order.totalCents);
      await tx.execute(sql`
        UPDATE orders SET total_cents = ${order.totalCents}, refunded_cents = ${refunded},
          currency = ${order.currency}, products = ${jsonb(order.products)},
          status = ${statusOf(order.totalCents, refunded)}, updated_at = now()
        WHERE id = ${existing.id}`);
      const delta = order.totalCents - refunded - (existing.totalCents - existing.refundedCents);
      await tx.execute(sql`
        UPDATE customers SET revenue_cents = revenue_cents + ${delta}
        WHERE id = ${existing.customerId}`);
    },

    async refundOrder(existing: OrderRow, refundCents: number): Promise<void> {
      const refunded = existing.refundedCents + refundCents;
      await tx.execute(sql`
        UPDATE orders SET refunded_cents = ${refunded},
          status = ${statusOf(existing.totalCents, refunded)}, updated_at = now()
        WHERE id = ${existing.id}`);
      await tx.execute(sql`
        UPDATE customers SET revenue_cents = revenue_cents - ${refundCents}
        WHERE id = ${existing.customerId}`);
    },
  };
}

function statusOf(totalCents: number, refundedCents: number): string {
  if (refundedCents <= 0) return 'completed';
  return refundedCents >= totalCents ? 'refunded' : 'partially_refunded';
}

export type ProfileRepository = ReturnType<typeof createProfileRepository>;
