// Request and response shapes of customer profiles, their timelines, orders and privacy requests.
import { z } from 'zod';

import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';

export const BusinessParams = z.object({ businessId: z.uuid() });
export const CustomerParams = z.object({ businessId: z.uuid(), customerId: z.uuid() });

const BooleanQuery = z
  .enum(['true', 'false'])
  .transform((value) => value === 'true')
  .meta({ example: 'true' });

export const CustomerListQuery = PaginationQuery.extend({
  /** Part of an email, userId or name. */
  search: z.string().trim().min(1).max(200).optional(),
  userId: z.string().min(1).max(200).optional(),
  segmentId: z.uuid().optional(),
  lastSeenAfter: z.iso.datetime({ offset: true }).optional(),
  lastSeenBefore: z.iso.datetime({ offset: true }).optional(),
  hasOrders: BooleanQuery.optional(),
});
export type CustomerListQuery = z.infer<typeof CustomerListQuery>;

export const CustomerSummary = z.object({
  id: z.uuid(),
  userId: z.string().nullable(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  firstSeenAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  eventCount: z.number().int(),
  orderCount: z.number().int(),
  /** Net of refunds, in cents. */
  revenueCents: z.number().int(),
  subscriberId: z.uuid().nullable(),
});
export type CustomerSummary = z.infer<typeof CustomerSummary>;
export const CustomerPage = pageSchema(CustomerSummary);

export const IdentityKind = z.enum(['userId', 'anonymousId', 'email']);
export const Identity = z.object({ kind: IdentityKind, value: z.string() });

export const Order = z.object({
  id: z.uuid(),
  orderId: z.string(),
  status: z.enum(['completed', 'partially_refunded', 'refunded']),
  totalCents: z.number().int(),
  refundedCents: z.number().int(),
  currency: z.string(),
  products: z.array(z.unknown()),
  placedAt: z.iso.datetime(),
});
export type Order = z.infer<typeof Order>;
export const OrderPage = pageSchema(Order);

export const Customer = CustomerSummary.extend({
  businessId: z.uuid(),
  traits: z.record(z.string(), z.unknown()),
  identities: z.array(Identity),
  subscriber: z.object({ id: z.uuid(), email: z.string(), consentStatus: z.string() }).nullable(),
  segments: z.array(z.object({ id: z.uuid(), name: z.string() })),
  /** The five latest orders; the orders route pages through all of them. */
  recentOrders: z.array(Order),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Customer = z.infer<typeof Customer>;

export const CustomerEvent = z.object({
  messageId: z.string(),
  type: z.string(),
  event: z.string().nullable(),
  userId: z.string().nullable(),
  anonymousId: z.string().nullable(),
  email: z.string().nullable(),
  properties: z.record(z.string(), z.unknown()),
  traits: z.record(z.string(), z.unknown()).nullable(),
  context: z.record(z.string(), z.unknown()),
  timestamp: z.iso.datetime(),
  receivedAt: z.iso.datetime(),
});
export type CustomerEvent = z.infer<typeof CustomerEvent>;
export const CustomerEventPage = pageSchema(CustomerEvent);

export const DeleteCustomerQuery = z.object({
  /** Also list the person's identities so later events about them are dropped at ingestion. */
  suppress: BooleanQuery.default(false),
});
