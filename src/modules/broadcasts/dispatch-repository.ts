// The broadcast dispatcher's SQL. Recipients are materialised once per broadcast with one
// INSERT … SELECT (the database does the work; the worker never holds the audience), unique per
// (broadcast, subscriber). Claiming locks a page of due rows with FOR UPDATE SKIP LOCKED, takes
// the business's send budget for the minute and marks the rows claimed; a claimed row keeps its
// id, and so its Message-ID, across retries and reclaims after a crash.
import { sql } from 'drizzle-orm';

import type { Database, Executor } from '../../platform/db/client.ts';
import { jsonb, rowsOf } from '../../platform/db/raw-sql.ts';
import type { BroadcastAbTest, BroadcastAudience } from '../../platform/db/schema/broadcasts.ts';

/** A claimed delivery with what its email is rendered from (the broadcast's content is cached). */
export interface SendableBroadcastDelivery {
  id: string;
  broadcast_id: string;
  business_id: string;
  subscriber_id: string;
  variant: string;
  attempts: number;
  email: string;
  first_name: string | null;
  last_name: string | null;
  attributes: Record<string, unknown>;
  consent_status: string;
  suppressed: string | null;
}

export interface MaterialiseInput {
  id: string;
  businessId: string;
  audience: BroadcastAudience;
  abTest: BroadcastAbTest | null;
  variantKeys: string[];
  scheduledAt: Date;
  localTime: boolean;
  businessZone: string;
}

export interface VariantCounts {
  variant: string | null;
  recipients: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  bounced: number;
  unsubscribed: number;
  complained: number;
  skipped: number;
  failed: number;
  held: number;
  open_delivered: number;
}

/** How far ahead of its time a local-time broadcast is materialised (the earliest zone's 9:00). */
export const LOCAL_TIME_LEAD_HOURS = 26;

export function audienceFilter(audience: BroadcastAudience, businessId: string) {
  if (audience.type === 'all') return sql``;
  return sql`and s.id in (
    select c.subscriber_id from segment_members m join customers c on c.id = m.customer_id
    where m.segment_id = ${audience.segmentId}::uuid and m.business_id = ${businessId}::uuid
      and c.subscriber_id is not null)`;
}

/** Subscribers of the business who may be emailed, as `s` (not suppressed, consenting). */
function eligible(audience: BroadcastAudience, businessId: string) {
  return sql`from subscribers s
    left join suppressions x on x.business_id = s.business_id and x.email = s.email
    where s.business_id = ${businessId}::uuid and s.consent_status = 'subscribed' and x.id is null
    ${audienceFilter(audience, businessId)}`;
}

export function createBroadcastDispatchRepository(db: Database) {
  return {
    /** How many would receive it now. */
    async audienceSize(
      executor: Executor,
      businessId: string,
      audience: BroadcastAudience,
    ): Promise<number> {
      const [row] = rowsOf<{ n: number }>(
        await executor.execute(sql`select count(*)::int as n ${eligible(audience, businessId)}`),
      );
      return row?.n ?? 0;
    },

    /** Broadcasts whose recipients are due to be materialised. */
    async dueForMaterialising(now: Date): Promise<string[]> {
      const at = now.toISOString();
      return rowsOf<{ id: string }>(
        await db.execute(sql`
          select id from broadcasts
          where status = 'scheduled' and materialized_at is null
            and scheduled_at <= ${at}::timestamptz
              + case when local_time then interval '${sql.raw(String(LOCAL_TIME_LEAD_HOURS))} hours' else interval '0' end
          order by scheduled_at limit 10`),
      ).map((row) => row.id);
    },

    /**
     * Inserts one delivery per recipient (once: a second run inserts nothing) and starts the
     * broadcast. A/B: a test share, ordered by a hash of (broadcast, subscriber), is split evenly
     * over the variants; the rest is held for the winner. Local time: the scheduled wall time in
     * the recipient's time zone (subscriber attribute or customer trait `timezone`, when it is a
     * zone PostgreSQL knows), else in the business's.
     */
    async materialise(input: MaterialiseInput, now: Date): Promise<boolean> {
      return db.transaction(async (tx) => {
        const [claimed] = rowsOf<{ id: string }>(
          await tx.execute(sql`
            select id from broadcasts
            where id = ${input.id}::uuid and status = 'scheduled' and materialized_at is null
            for update skip locked`),
        );
        if (!claimed) return false;
        const at = input.scheduledAt.toISOString();
        const zone = input.businessZone;
        const sendAt = input.localTime
          ? sql`((${at}::timestamptz at time zone ${zone}) at time zone coalesce(z.name, ${zone}))`
          : sql`${at}::timestamptz`;
        const zoneJoin = input.localTime
          ? sql`left join lateral (select coalesce(s.attributes->>'timezone',
                  (select c.traits->>'timezone' from customers c
                   where c.subscriber_id = s.id and c.traits ? 'timezone' limit 1)) as tz) t on true
                left join pg_timezone_names z on z.name = t.tz`
          : sql``;
        const ab = input.abTest;
        const keys = input.variantKeys;
        const select = ab
          ? sql`
            select r.id,
              case when r.rn <= r.test_n
                then (${jsonb(keys)} ->> ((r.rn - 1) % ${keys.length})::int)
                else null end as variant,
              case when r.rn <= r.test_n then 'pending' else 'held' end as status,
              r.send_at
            from (
              select s.id, ${sendAt} as send_at,
                row_number() over (order by md5(s.id::text || ${input.id})) as rn,
                ceil(count(*) over () * ${ab.testPercent} / 100.0) as test_n
              from subscribers s
              left join suppressions x on x.business_id = s.business_id and x.email = s.email
              ${zoneJoin}
              where s.business_id = ${input.businessId}::uuid and s.consent_status = 'subscribed' and x.id is null
              ${audienceFilter(input.audience, input.businessId)}
            ) r`
          : sql`
            select s.id, 'A' as variant, 'pending' as status, ${sendAt} as send_at
            from subscribers s
            left join suppressions x on x.business_id = s.business_id and x.email = s.email
            ${zoneJoin}
            where s.business_id = ${input.businessId}::uuid and s.consent_status = 'subscribed' and x.id is null
            ${audienceFilter(input.audience, input.businessId)}`;
        const [inserted] = rowsOf<{ n: number; last: string | null }>(
          await tx.execute(sql`
            with ins as (
              insert into broadcast_deliveries (broadcast_id, business_id, subscriber_id, variant, status, send_at)
              select ${input.id}::uuid, ${input.businessId}::uuid, q.id, q.variant, q.status, q.send_at
              from (${select}) q
              on conflict (broadcast_id, subscriber_id) do nothing
              returning send_at)
            select count(*)::int as n, max(send_at) as last from ins`),
        );
        const decideAt = ab
          ? new Date(input.scheduledAt.getTime() + ab.waitMinutes * 60_000).toISOString()
          : null;
        await tx.execute(sql`
          update broadcasts set status = 'sending', materialized_at = ${now.toISOString()}::timestamptz,
            recipient_count = ${inserted?.n ?? 0}, last_send_at = ${inserted?.last ?? at}::timestamptz,
            decide_at = ${decideAt}::timestamptz, updated_at = now()
          where id = ${input.id}::uuid`);
        return true;
      });
    },

    /** Claims due deliveries within each business's budget for this minute; returns their ids. */
    async claimDue(options: {
      now: Date;
      batchSize: number;
      perMinute: number;
      workerId: string;
    }): Promise<string[]> {
      const now = options.now.toISOString();
      return db.transaction(async (tx) => {
        const due = rowsOf<{ id: string; business_id: string }>(
          await tx.execute(sql`
            select d.id, d.business_id from broadcast_deliveries d
            where d.status = 'pending' and d.send_at <= ${now}::timestamptz
              and exists (select 1 from broadcasts b where b.id = d.broadcast_id and b.status = 'sending')
            order by d.send_at
            limit ${options.batchSize}
            for update of d skip locked`),
        );
        if (due.length === 0) return [];
        const byBusiness = new Map<string, string[]>();
        for (const row of due) {
          const list = byBusiness.get(row.business_id) ?? [];
          list.push(row.id);
          byBusiness.set(row.business_id, list);
        }
        const claimed: string[] = [];
        for (const [businessId, ids] of [...byBusiness].sort(([a], [b]) => a.localeCompare(b))) {
          await tx.execute(sql`
            insert into broadcast_send_minutes (business_id, minute, count)
            values (${businessId}::uuid, date_trunc('minute', ${now}::timestamptz), 0)
            on conflict (business_id, minute) do nothing`);
          const [spent] = rowsOf<{ count: number }>(
            await tx.execute(sql`
              select count from broadcast_send_minutes
              where business_id = ${businessId}::uuid and minute = date_trunc('minute', ${now}::timestamptz)
              for update`),
          );
          const allowed = Math.max(
            0,
            Math.min(ids.length, options.perMinute - (spent?.count ?? 0)),
          );
          if (allowed === 0) continue;
          await tx.execute(sql`
            update broadcast_send_minutes set count = count + ${allowed}
            where business_id = ${businessId}::uuid and minute = date_trunc('minute', ${now}::timestamptz)`);
          claimed.push(...ids.slice(0, allowed));
        }
        if (claimed.length === 0) return [];
        await tx.execute(sql`
          update broadcast_deliveries set status = 'claimed', claimed_at = ${now}::timestamptz,
            claimed_by = ${options.workerId}
          where id = any(${`{${claimed.join(',')}}`}::uuid[])`);
        return claimed;
      });
    },

    /** Deliveries a worker claimed and never finished (it crashed, or a retry is due). */
    async reclaimStale(options: {
      now: Date;
      staleBefore: Date;
      batchSize: number;
      workerId: string;
    }): Promise<string[]> {
      return rowsOf<{ id: string }>(
        await db.execute(sql`
          update broadcast_deliveries set claimed_at = ${options.now.toISOString()}::timestamptz,
            claimed_by = ${options.workerId}
          where id in (
            select id from broadcast_deliveries
            where status = 'claimed' and claimed_at < ${options.staleBefore.toISOString()}::timestamptz
            order by claimed_at limit ${options.batchSize}
            for update skip locked)
          returning id`),
      ).map((row) => row.id);
    },

    async sendable(ids: string[]): Promise<SendableBroadcastDelivery[]> {
      if (ids.length === 0) return [];
      return rowsOf<SendableBroadcastDelivery>(
        await db.execute(sql`
          select d.id, d.broadcast_id, d.business_id, d.subscriber_id, d.variant, d.attempts,
            s.email, s.first_name, s.last_name, s.attributes, s.consent_status, x.reason as suppressed
          from broadcast_deliveries d
          join subscribers s on s.id = d.subscriber_id
          left join suppressions x on x.business_id = d.business_id and x.email = s.email
          where d.id = any(${`{${ids.join(',')}}`}::uuid[]) and d.status = 'claimed'`),
      );
    },

    async markSent(ids: string[], at: Date): Promise<void> {
      if (ids.length === 0) return;
      await db.execute(sql`
        update broadcast_deliveries set status = 'sent', sent_at = ${at.toISOString()}::timestamptz,
          attempts = attempts + 1, error = null
        where id = any(${`{${ids.join(',')}}`}::uuid[]) and status = 'claimed'`);
    },

    async markFinal(
      id: string,
      status: 'suppressed' | 'bounced' | 'failed',
      error: string | null,
    ): Promise<void> {
      await db.execute(sql`
        update broadcast_deliveries set status = ${status}, error = ${error},
          attempts = attempts + ${status === 'suppressed' ? 0 : 1}
        where id = ${id}::uuid and status = 'claimed'`);
    },

    /** Not attempted after all (the mail server was unavailable): later, attempts unchanged. */
    async markDeferred(id: string, error: string, claimedAt: Date): Promise<void> {
      await db.execute(sql`
        update broadcast_deliveries set error = ${error},
          claimed_at = ${claimedAt.toISOString()}::timestamptz
        where id = ${id}::uuid and status = 'claimed'`);
    },

    async markRetry(id: string, error: string, claimedAt: Date): Promise<void> {
      await db.execute(sql`
        update broadcast_deliveries set attempts = attempts + 1, error = ${error},
          claimed_at = ${claimedAt.toISOString()}::timestamptz
        where id = ${id}::uuid and status = 'claimed'`);
    },

    /** Broadcasts whose A/B wait is over and whose winner is not picked yet. */
    async dueForDecision(now: Date): Promise<string[]> {
      return rowsOf<{ id: string }>(
        await db.execute(sql`
          select id from broadcasts
          where status = 'sending' and ab_test is not null and winner is null
            and decide_at <= ${now.toISOString()}::timestamptz`),
      ).map((row) => row.id);
    },

    /** Per-variant counts (a null variant = recipients held for the winner). */
    async counts(executor: Executor, broadcastId: string): Promise<VariantCounts[]> {
      return rowsOf<VariantCounts>(
        await executor.execute(sql`
          select variant,
            count(*)::int as recipients,
            count(*) filter (where status in ('sent', 'bounced'))::int as sent,
            count(*) filter (where status = 'sent')::int as delivered,
            count(opened_at)::int as opened,
            count(clicked_at)::int as clicked,
            count(*) filter (where status = 'bounced')::int as bounced,
            count(unsubscribed_at)::int as unsubscribed,
            count(complained_at)::int as complained,
            count(*) filter (where status in ('suppressed', 'cancelled'))::int as skipped,
            count(*) filter (where status = 'failed')::int as failed,
            count(*) filter (where status = 'held')::int as held,
            0 as open_delivered
          from broadcast_deliveries where broadcast_id = ${broadcastId}::uuid
          group by variant order by variant nulls last`),
      );
    },

    /** The rest of the audience gets `variant`: held rows become due. */
    async applyWinner(executor: Executor, broadcastId: string, variant: string): Promise<boolean> {
      const [row] = rowsOf<{ id: string }>(
        await executor.execute(sql`
          update broadcasts set winner = ${variant}, updated_at = now()
          where id = ${broadcastId}::uuid and winner is null and status in ('scheduled', 'sending')
          returning id`),
      );
      if (!row) return false;
      await executor.execute(sql`
        update broadcast_deliveries set variant = ${variant}, status = 'pending'
        where broadcast_id = ${broadcastId}::uuid and status = 'held'`);
      return true;
    },

    /** Sending broadcasts with nothing left to send are sent. */
    async finishDone(now: Date): Promise<number> {
      const rows = rowsOf<{ id: string }>(
        await db.execute(sql`
          update broadcasts b set status = 'sent', finished_at = ${now.toISOString()}::timestamptz, updated_at = now()
          where b.status = 'sending' and (b.ab_test is null or b.winner is not null)
            and not exists (select 1 from broadcast_deliveries d where d.broadcast_id = b.id
                            and d.status in ('pending', 'held', 'claimed'))
          returning b.id`),
      );
      return rows.length;
    },
  };
}

export type BroadcastDispatchRepository = ReturnType<typeof createBroadcastDispatchRepository>;
