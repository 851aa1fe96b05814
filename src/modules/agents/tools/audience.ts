// Audience tools: email subscribers, customer profiles (from tracked events and orders, with the
// latest intelligence run's scores) and segments with their rules in plain words.
import { z } from 'zod';

import { ChurnTier, type CustomerService, RfmSegmentName } from '../../customers/index.ts';
import { describeRules, SegmentRules, type SegmentService } from '../../segments/index.ts';
import { ConsentStatus } from '../../subscribers/index.ts';
import { type AgentTool, defineTool } from '../tool-registry.ts';
import type { AgentToolServices } from './services.ts';
import { clip, count, Limit, listSentence } from './shared.ts';

/** Traits shown of a customer, each value as JSON clipped to a line. */
const TRAITS_SHOWN = 20;

type CustomerRow = Awaited<ReturnType<CustomerService['list']>>['items'][number];
type Segment = Awaited<ReturnType<SegmentService['get']>>;

const customerBrief = (customer: CustomerRow) => ({
  id: customer.id,
  email: customer.email,
  name: customer.name,
  userId: customer.userId,
  lastSeenAt: customer.lastSeenAt,
  orderCount: customer.orderCount,
  revenueCents: customer.revenueCents,
  scores: customer.scores,
});

/** The rule in plain words, or null for a rule saved before the current schema could read it. */
function readableRules(rules: Record<string, unknown>): string | null {
  const parsed = SegmentRules.safeParse(rules);
  return parsed.success ? clip(describeRules(parsed.data), 400) : null;
}

const segmentBrief = (segment: Segment) => ({
  id: segment.id,
  name: segment.name,
  description: clip(segment.description, 200),
  rules: readableRules(segment.rules),
  size: segment.size,
  refreshedAt: segment.refreshedAt,
});

const who = (person: { name: string | null; email: string | null; userId?: string | null }) =>
  person.name ?? person.email ?? person.userId ?? 'unnamed';

const Search = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .optional()
  .describe('Part of an email address or name');

export function audienceTools(
  services: Pick<AgentToolServices, 'subscribers' | 'customers' | 'segments'>,
): AgentTool[] {
  const { subscribers, customers, segments } = services;
  return [
    defineTool({
      name: 'list_subscribers',
      description:
        'Lists email subscribers, newest first: id, email, name, consent status (subscribed, unsubscribed, pending), source, when added, and the linked customer profile if any.',
      input: z.object({
        search: Search,
        consentStatus: ConsentStatus.optional().describe(
          'Only subscribers with this consent: subscribed, unsubscribed or pending',
        ),
        limit: Limit,
      }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['subscriber', 'subscribers', 'mailing list', 'email list', 'newsletter'],
      async run(context, input) {
        const page = await subscribers.list(context.principal, context.businessId, {
          limit: input.limit,
          ...(input.search ? { search: input.search } : {}),
          ...(input.consentStatus ? { consentStatus: input.consentStatus } : {}),
        });
        return {
          subscribers: page.items.map((subscriber) => ({
            id: subscriber.id,
            email: subscriber.email,
            firstName: subscriber.firstName,
            lastName: subscriber.lastName,
            consentStatus: subscriber.consentStatus,
            source: subscriber.source,
            createdAt: subscriber.createdAt,
            customerId: subscriber.customerId,
          })),
          more: page.nextCursor !== null,
        };
      },
      summarize(result) {
        const list = result as { subscribers: { email: string }[]; more: boolean };
        return listSentence(
          list.subscribers.map((subscriber) => subscriber.email),
          'subscriber',
          { more: list.more },
        );
      },
    }),

    defineTool({
      name: 'list_customers',
      description:
        "Lists customer profiles (people seen through tracked events and orders), most recently seen first: id, email, name, last seen, orders, revenue in cents, and the latest intelligence run's scores (RFM segment, churn tier and risk, CLV in cents).",
      input: z.object({
        search: Search,
        churnTier: ChurnTier.optional().describe(
          'Only customers in this churn tier: low, medium, high',
        ),
        rfmSegment: RfmSegmentName.optional().describe('Only customers in this RFM segment'),
        limit: Limit,
      }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['customer', 'customers', 'buyers', 'clients', 'shoppers'],
      async run(context, input) {
        const page = await customers.list(context.principal, context.businessId, {
          limit: input.limit,
          ...(input.search ? { search: input.search } : {}),
          ...(input.churnTier ? { churnTier: input.churnTier } : {}),
          ...(input.rfmSegment ? { rfmSegment: input.rfmSegment } : {}),
        });
        return { customers: page.items.map(customerBrief), more: page.nextCursor !== null };
      },
      summarize(result) {
        const list = result as { customers: CustomerRow[]; more: boolean };
        return listSentence(list.customers.map(who), 'customer', { more: list.more });
      },
    }),

    defineTool({
      name: 'get_customer',
      description:
        "One customer profile: identities, traits, subscriber link, segments, the five latest orders, and the latest intelligence run's scores (RFM, probability alive, churn risk and tier, expected purchases, CLV and its percentile).",
      input: z.object({ customerId: z.uuid().describe('The customer id (from list_customers)') }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['customer profile'],
      async run(context, input) {
        const customer = await customers.get(
          context.principal,
          context.businessId,
          input.customerId,
        );
        const traits = Object.entries(customer.traits);
        const scores = customer.scores;
        return {
          id: customer.id,
          email: customer.email,
          name: customer.name,
          userId: customer.userId,
          firstSeenAt: customer.firstSeenAt,
          lastSeenAt: customer.lastSeenAt,
          orderCount: customer.orderCount,
          revenueCents: customer.revenueCents,
          eventCount: customer.eventCount,
          traits: Object.fromEntries(
            traits
              .slice(0, TRAITS_SHOWN)
              .map(([key, value]) => [key, clip(JSON.stringify(value), 120)]),
          ),
          traitCount: traits.length,
          identities: customer.identities,
          subscriber: customer.subscriber,
          segments: customer.segments.map((segment) => segment.name),
          recentOrders: customer.recentOrders.map((order) => ({
            orderId: order.orderId,
            status: order.status,
            totalCents: order.totalCents,
            currency: order.currency,
            placedAt: order.placedAt,
          })),
          scores: scores && {
            asOf: scores.asOf,
            rfmSegment: scores.rfm.segment,
            churnTier: scores.churnTier,
            churnRisk: scores.churnRisk,
            pAlive: scores.pAlive,
            expectedPurchases: scores.expectedPurchases,
            clvCents: scores.clvCents,
            clvPercentile: scores.clvPercentile,
          },
        };
      },
      summarize(result) {
        const customer = result as ReturnType<typeof customerBrief> & { segments: string[] };
        const tier = customer.scores?.churnTier;
        return `${who(customer)}: ${count(customer.orderCount, 'order')}${tier ? `, ${tier} churn risk` : ''}${customer.segments.length > 0 ? `, in ${customer.segments.join(', ')}` : ''}.`;
      },
    }),

    defineTool({
      name: 'list_segments',
      description:
        "Lists the business's customer segments, newest first: id, name, description, the rule in plain words, size at the last refresh and when that was.",
      input: z.object({ limit: Limit }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['segment', 'segments', 'audience', 'audiences', 'cohort'],
      async run(context, input) {
        const page = await segments.list(context.principal, context.businessId, {
          limit: input.limit,
        });
        return { segments: page.items.map(segmentBrief), more: page.nextCursor !== null };
      },
      summarize(result) {
        const list = result as { segments: { name: string; size: number }[]; more: boolean };
        return listSentence(
          list.segments.map((segment) => `${segment.name} (${String(segment.size)})`),
          'segment',
          { more: list.more },
        );
      },
    }),

    defineTool({
      name: 'get_segment',
      description:
        'One segment: its rule in plain words, its size, and its members who entered most recently (id, email, name, last seen, when they entered).',
      input: z.object({
        segmentId: z.uuid().describe('The segment id (from list_segments)'),
        limit: Limit.describe(
          'How many members to return, latest to enter first (1–50; default 10)',
        ),
      }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['segment members'],
      async run(context, input) {
        const segment = await segments.get(context.principal, context.businessId, input.segmentId);
        const members = await segments.members(
          context.principal,
          context.businessId,
          input.segmentId,
          { limit: input.limit },
        );
        return {
          ...segmentBrief(segment),
          members: members.items,
          moreMembers: members.nextCursor !== null,
        };
      },
      summarize(result) {
        const segment = result as { name: string; size: number; rules: string | null };
        return `Segment ${segment.name} has ${count(segment.size, 'customer')}${segment.rules ? `: ${clip(segment.rules, 160)}` : ''}.`;
      },
    }),
  ];
}
