// Customer profiles of a business: the list, one profile with its identities, traits, orders,
// subscriber and segments, its event timeline, and the privacy requests (an export as a job,
// an erasure from every table). Every function checks first that the caller may act on the
// business.
import { z } from 'zod';

import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, found } from '../../platform/http/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import type { Job, JobService } from '../jobs/index.ts';
import { identityHash } from '../tracking/index.ts';
import {
  createCustomerRepository,
  type CustomerListRow,
  type CustomerRow,
  type EventRecord,
  type IdentityRow,
  type OrderRow,
  type ScoreRow,
} from './repository.ts';
import {
  ChurnTier,
  type Customer,
  type CustomerEvent,
  type CustomerListQuery,
  type CustomerScores,
  type CustomerSummary,
  type Order,
  RfmSegmentName,
  type ScoreSummary,
} from './schemas.ts';

export const CUSTOMER_EXPORT_JOB = 'customer.export';

const iso = (value: Date | string) => new Date(value).toISOString();
const json = <T>(value: T | string): T =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value;

const RfmSegmentOf = RfmSegmentName.catch('lost');
const ChurnTierOf = ChurnTier.nullable().catch(null);

/** The list's few scores of a row, or null when the row has no score in the latest run. */
function toScoreSummary(row: CustomerListRow): ScoreSummary | null {
  if (row.rfm_segment === null) return null;
  return {
    rfmSegment: RfmSegmentOf.parse(row.rfm_segment),
    churnTier: ChurnTierOf.parse(row.churn_tier),
    churnRisk: row.churn_risk,
    clvCents: row.clv_cents,
  };
}

function toScores(run: { id: string; as_of: string }, row: ScoreRow): CustomerScores {
  return {
    runId: run.id,
    asOf: run.as_of,
    frequency: row.frequency,
    recencyDays: row.recency_days,
    ageDays: row.age_days,
    monetaryCents: row.monetary_cents,
    rfm: {
      r: row.rfm_r,
      f: row.rfm_f,
      m: row.rfm_m,
      segment: RfmSegmentOf.parse(row.rfm_segment),
    },
    pAlive: row.p_alive,
    churnRisk: row.churn_risk,
    churnTier: ChurnTierOf.parse(row.churn_tier),
    expectedPurchases: row.expected_purchases,
    expectedOrderValueCents: row.expected_order_value_cents,
    clvCents: row.clv_cents,
    clvPercentile: row.clv_percentile,
  };
}

function toSummary(row: CustomerRow, scores: ScoreSummary | null = null): CustomerSummary {
  return {
    id: row.id,
    userId: row.user_id,
    email: row.email,
    name: row.name,
    firstSeenAt: iso(row.first_seen_at),
    lastSeenAt: iso(row.last_seen_at),
    eventCount: row.event_count,
    orderCount: row.order_count,
    revenueCents: Number(row.revenue_cents),
    subscriberId: row.subscriber_id,
    scores,
  };
}

const toListItem = (row: CustomerListRow) => toSummary(row, toScoreSummary(row));

const OrderStatus = z.enum(['completed', 'partially_refunded', 'refunded']).catch('completed');

function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    orderId: row.order_id,
    status: OrderStatus.parse(row.status),
    totalCents: Number(row.total_cents),
    refundedCents: Number(row.refunded_cents),
    currency: row.currency,
    products: json(row.products),
    placedAt: iso(row.placed_at),
  };
}

function toEvent(row: EventRecord): CustomerEvent {
  return {
    messageId: row.message_id,
    type: row.type,
    event: row.event,
    userId: row.user_id,
    anonymousId: row.anonymous_id,
    email: row.email,
    properties: json(row.properties),
    traits: row.traits === null ? null : json(row.traits),
    context: json(row.context),
    timestamp: iso(row.timestamp),
    receivedAt: iso(row.received_at),
  };
}

/** The timeline's cursor: the last event's (timestamp, messageId). */
const EventCursor = z.object({ t: z.iso.datetime(), m: z.string().max(512) });
function encodeEventCursor(event: CustomerEvent): string {
  return Buffer.from(JSON.stringify({ t: event.timestamp, m: event.messageId })).toString(
    'base64url',
  );
}
function decodeEventCursor(cursor: string | undefined) {
  if (cursor === undefined) return undefined;
  try {
    const parsed = EventCursor.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { at: new Date(parsed.t), messageId: parsed.m };
  } catch {
    throw new AppError('VALIDATION_ERROR', 'Invalid cursor', {
      details: {
        issues: [{ path: 'querystring.cursor', message: 'not a cursor this API issued' }],
      },
    });
  }
}

function keyset(cursor: string | undefined) {
  const position = decodeCursor(cursor);
  return position && { at: position.createdAt, id: position.id };
}

/** Where a privacy request was made from, for the audit trail. */
export interface RequestOrigin {
  ip: string;
  userAgent: string | undefined;
}

/**
 * Told of each erasure (the audit trail, wired in runtime.ts). Holds no personal data: the
 * customer id is gone from every table by then, and the counts say what was removed.
 */
export interface PrivacyLog {
  record(entry: {
    action: 'customer.deleted';
    userId: string;
    businessId: string;
    origin: RequestOrigin;
    details: { identities: number; events: number; subscribers: number; suppressed: boolean };
  }): Promise<void>;
}

/** Everything held on a person, as one JSON document (the export job's result). */
export function createCustomerExporter(db: Database) {
  const repository = createCustomerRepository(db);
  return async function exportDocument(businessId: string, customerId: string) {
    const row = found(await repository.find(businessId, customerId), 'Customer');
    const identities = await repository.identities(customerId);
    const emails = identities.filter((i) => i.kind === 'email').map((i) => i.value);
    const subscriberIds = await repository.subscriberIdsOf(businessId, row.subscriber_id, emails);
    const orders = await repository.orders(customerId, { limit: 1_000_000 });
    const email = await repository.emailRecords(businessId, subscriberIds);
    return {
      exportedAt: new Date().toISOString(),
      profile: { ...toSummary(row), traits: json(row.traits), createdAt: iso(row.created_at) },
      identities,
      events: (await repository.allEvents(businessId, identities)).map(toEvent),
      orders: orders.map(toOrder),
      subscribers: email.subscribers,
      enrollments: email.enrollments,
      emailDeliveries: email.deliveries,
      segments: await repository.segments(customerId),
      messages: await repository.messagesAbout(businessId, [
        customerId,
        ...identities.map((i) => i.value),
      ]),
    };
  };
}

export function createCustomerService(deps: {
  db: Database;
  access: BusinessAccess;
  jobs: Pick<JobService, 'start'>;
  privacyLog?: PrivacyLog;
}) {
  const repository = createCustomerRepository(deps.db);
  const { access } = deps;

  async function owned(businessId: string, customerId: string): Promise<CustomerRow> {
    return found(await repository.find(businessId, customerId), 'Customer');
  }

  return {
    async list(principal: Principal, businessId: string, query: CustomerListQuery) {
      await access.require(principal, businessId, 'business.read');
      const run = await repository.latestScoredRun(businessId);
      const rows = await repository.list(
        businessId,
        { limit: query.limit, after: keyset(query.cursor) },
        query,
        run?.id,
      );
      const items = rows.slice(0, query.limit).map(toListItem);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > query.limit && last
            ? encodeCursor({ createdAt: new Date(last.lastSeenAt), id: last.id })
            : null,
      };
    },

    /**
     * The customers of `ids` as list rows, in the order of `ids` (the first page of a question's
     * answer; the ids come from a segment rule run in the same business).
     */
    async summaries(
      principal: Principal,
      businessId: string,
      ids: string[],
    ): Promise<CustomerSummary[]> {
      await access.require(principal, businessId, 'business.read');
      const run = await repository.latestScoredRun(businessId);
      const rows = await repository.summaries(businessId, ids, run?.id);
      const byId = new Map(rows.map((row) => [row.id, toListItem(row)]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    },

    async get(principal: Principal, businessId: string, customerId: string): Promise<Customer> {
      await access.require(principal, businessId, 'business.read');
      const row = await owned(businessId, customerId);
      // A subscriber added after the customer's email was seen is linked here, on first read.
      if (!row.subscriber_id && row.email) {
        row.subscriber_id =
          (await repository.linkByEmail(businessId, customerId, row.email)) ?? null;
      }
      const subscriber = row.subscriber_id
        ? await repository.subscriber(businessId, row.subscriber_id)
        : undefined;
      const run = await repository.latestScoredRun(businessId);
      const scores = run && (await repository.scores(run.id, customerId));
      return {
        ...toSummary(row),
        scores: run && scores ? toScores(run, scores) : null,
        businessId: row.business_id,
        traits: json(row.traits),
        identities: await repository.identities(customerId),
        subscriber: subscriber
          ? { id: subscriber.id, email: subscriber.email, consentStatus: subscriber.consent_status }
          : null,
        segments: await repository.segments(customerId),
        recentOrders: (await repository.orders(customerId, { limit: 4 })).map(toOrder),
        createdAt: iso(row.created_at),
        updatedAt: iso(row.updated_at),
      };
    },

    async timeline(
      principal: Principal,
      businessId: string,
      customerId: string,
      query: { limit: number; cursor?: string },
    ) {
      await access.require(principal, businessId, 'business.read');
      await owned(businessId, customerId);
      const identities = await repository.identities(customerId);
      const rows = await repository.timeline(businessId, identities, {
        limit: query.limit,
        after: decodeEventCursor(query.cursor),
      });
      const items = rows.slice(0, query.limit).map(toEvent);
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > query.limit && last ? encodeEventCursor(last) : null,
      };
    },

    async orders(
      principal: Principal,
      businessId: string,
      customerId: string,
      query: { limit: number; cursor?: string },
    ) {
      await access.require(principal, businessId, 'business.read');
      await owned(businessId, customerId);
      const rows = await repository.orders(customerId, {
        limit: query.limit,
        after: keyset(query.cursor),
      });
      const items = rows.slice(0, query.limit).map(toOrder);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > query.limit && last
            ? encodeCursor({ createdAt: new Date(last.placedAt), id: last.id })
            : null,
      };
    },

    async startExport(principal: Principal, businessId: string, customerId: string): Promise<Job> {
      await access.require(principal, businessId, 'business.manage');
      await owned(businessId, customerId);
      return deps.jobs.start(principal, businessId, CUSTOMER_EXPORT_JOB, { customerId });
    },

    /**
     * Erases the person from every table in one transaction; with `suppress`, their identities'
     * hashes go on the tracking suppression list so ingestion drops their later events.
     */
    async remove(
      principal: Principal,
      businessId: string,
      customerId: string,
      options: { suppress: boolean; origin: RequestOrigin },
    ): Promise<void> {
      await access.require(principal, businessId, 'business.manage');
      const outcome = await deps.db.transaction(async (tx) => {
        const repo = createCustomerRepository(tx);
        const row = found(await repo.find(businessId, customerId), 'Customer');
        const identities: IdentityRow[] = await repo.identities(customerId);
        const known = (kind: IdentityRow['kind'], value: string | null) =>
          value !== null && !identities.some((i) => i.kind === kind && i.value === value);
        if (known('userId', row.user_id) && row.user_id) {
          identities.push({ kind: 'userId', value: row.user_id });
        }
        if (known('email', row.email) && row.email)
          identities.push({ kind: 'email', value: row.email });
        const emails = identities.filter((i) => i.kind === 'email').map((i) => i.value);
        const subscriberIds = await repo.subscriberIdsOf(businessId, row.subscriber_id, emails);
        const erased = await repo.erase(businessId, customerId, identities, subscriberIds);
        if (options.suppress) {
          await repo.suppress(
            businessId,
            identities.map((identity) => identityHash(identity.kind, identity.value)),
          );
        }
        return {
          identities: identities.length,
          events: erased.events,
          subscribers: subscriberIds.length,
        };
      });
      await deps.privacyLog?.record({
        action: 'customer.deleted',
        userId: principal.userId,
        businessId,
        origin: options.origin,
        details: { ...outcome, suppressed: options.suppress },
      });
    },
  };
}

export type CustomerService = ReturnType<typeof createCustomerService>;
