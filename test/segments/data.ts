// Customer data written straight into the tables (the customer processor is another part's
// work): customers with identities, activity rollups, events, orders and subscribers.
import { randomUUID } from 'node:crypto';

import type { Database } from '../../src/platform/db/client.ts';
import {
  customerActivity,
  customerIdentities,
  customers,
  eventIds,
  events,
  orders,
  subscribers,
} from '../../src/platform/db/schema/index.ts';

export interface CustomerSeed {
  userId?: string;
  email?: string;
  name?: string;
  anonymousId?: string;
  traits?: Record<string, unknown>;
  firstSeenAt?: Date;
  lastSeenAt?: Date;
  eventCount?: number;
  orderCount?: number;
  revenueCents?: number;
  /** Links a new subscriber with this consent. */
  consent?: 'subscribed' | 'unsubscribed' | 'pending';
}

export async function addCustomer(
  db: Database,
  businessId: string,
  seed: CustomerSeed,
): Promise<string> {
  let subscriberId: string | null = null;
  if (seed.consent) {
    const [subscriber] = await db
      .insert(subscribers)
      .values({
        businessId,
        email: seed.email ?? `${randomUUID()}@example.com`,
        consentStatus: seed.consent,
      })
      .returning({ id: subscribers.id });
    subscriberId = subscriber?.id ?? null;
  }
  const [row] = await db
    .insert(customers)
    .values({
      businessId,
      userId: seed.userId ?? null,
      email: seed.email ?? null,
      name: seed.name ?? null,
      traits: seed.traits ?? {},
      subscriberId,
      firstSeenAt: seed.firstSeenAt ?? new Date('2026-01-01T00:00:00Z'),
      lastSeenAt: seed.lastSeenAt ?? new Date('2026-11-30T00:00:00Z'),
      eventCount: seed.eventCount ?? 0,
      orderCount: seed.orderCount ?? 0,
      revenueCents: seed.revenueCents ?? 0,
    })
    .returning({ id: customers.id });
  if (!row) throw new Error('customer not inserted');
  const identities = [
    seed.userId && { kind: 'userId' as const, value: seed.userId },
    seed.email && { kind: 'email' as const, value: seed.email },
    seed.anonymousId && { kind: 'anonymousId' as const, value: seed.anonymousId },
  ].filter((identity) => !!identity);
  if (identities.length > 0) {
    await db
      .insert(customerIdentities)
      .values(identities.map((identity) => ({ ...identity, businessId, customerId: row.id })));
  }
  return row.id;
}

export async function addActivity(
  db: Database,
  businessId: string,
  customerId: string,
  event: string,
  day: string,
  count = 1,
): Promise<void> {
  await db.insert(customerActivity).values({ businessId, customerId, event, day, count });
}

export async function addOrder(
  db: Database,
  businessId: string,
  customerId: string,
  totalCents: number,
): Promise<void> {
  await db.insert(orders).values({
    businessId,
    customerId,
    orderId: randomUUID(),
    totalCents,
    placedAt: new Date('2026-11-01T00:00:00Z'),
  });
}

/** A stored track event, as ingestion would write it (identified by one of the given ids). */
export async function addEvent(
  db: Database,
  businessId: string,
  event: {
    event: string;
    properties?: Record<string, unknown>;
    timestamp: Date;
    userId?: string;
    anonymousId?: string;
    email?: string;
  },
): Promise<void> {
  const messageId = randomUUID();
  await db.insert(eventIds).values({ businessId, messageId, receivedAt: event.timestamp });
  await db.insert(events).values({
    businessId,
    messageId,
    type: 'track',
    event: event.event,
    userId: event.userId ?? null,
    anonymousId: event.anonymousId ?? null,
    email: event.email ?? null,
    properties: event.properties ?? {},
    timestamp: event.timestamp,
    receivedAt: event.timestamp,
  });
}
