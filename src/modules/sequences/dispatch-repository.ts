// The dispatcher's SQL. Claiming is one transaction: lock due enrollments with
// FOR UPDATE SKIP LOCKED (so workers never wait on each other), take the business's send
// budget under an advisory lock, insert one delivery per (enrollment, step) — the unique index
// makes a second claim impossible — and advance the enrollment to its next step.
import { randomUUID } from 'node:crypto';

import { and, eq, inArray, lt, sql } from 'drizzle-orm';

import type { Database } from '../../platform/db/client.ts';
import { jsonb, rowsOf } from '../../platform/db/raw-sql.ts';
import { businesses } from '../../platform/db/schema/businesses.ts';
import {
  deliveries,
  enrollments,
  type SendWindow,
  sequenceSteps,
  type StepVariant,
  subscribers,
  suppressions,
  type WaitForEvent,
} from '../../platform/db/schema/sequences.ts';
import { type HeraldEvents, noHeraldEvents } from '../../platform/events.ts';
import { type InternalEvent, recordInternalEvents } from '../tracking/index.ts';
import { assignVariant } from './ab-test.ts';
import { checkStepBounceRate } from './bounce-rate.ts';
import { type EmailFact, publishEmailEvents } from './email-events.ts';
import { stopEnrollmentsOf } from './feedback.ts';
import { nextSendTime } from './send-window.ts';

/** A delivery the mail server accepted: its rendered subject and 'Email Delivered' event. */
export interface SentDelivery {
  id: string;
  subject: string;
  subscriberId: string;
  event: InternalEvent;
}

export interface ClaimOptions {
  now: Date;
  batchSize: number;
  workerId: string;
  /** Sends one business may start per rolling minute. */
  perMinute: number;
  messageIdDomain: string;
}

interface DueEnrollment {
  id: string;
  business_id: string;
  sequence_id: string;
  next_step_index: number;
  wait_until: string | null;
}

interface StepInfo {
  id: string;
  sequence_id: string;
  delay_minutes: number;
  send_window: SendWindow | null;
  kind: string;
  wait_for: WaitForEvent | null;
  /** The A/B variants' keys (null: no test) and the winner, if picked. */
  variant_keys: string[] | null;
  winner: string | null;
}

/** A delivery ready to send, with everything its email is rendered from. */
export interface SendableDelivery {
  id: string;
  business_id: string;
  sequence_id: string;
  step_id: string;
  enrollment_id: string;
  subscriber_id: string;
  message_id: string;
  attempts: number;
  email: string;
  first_name: string | null;
  last_name: string | null;
  attributes: Record<string, unknown>;
  consent_status: string;
  suppressed: string | null;
  business_name: string;
  default_sender: { name: string; email: string; replyTo?: string } | null;
  step_updated_at: Date | string;
  trigger_event: { name: string; properties: Record<string, unknown> } | null;
  subject: string;
  preheader: string;
  html: string;
  text: string;
  /** The A/B variant this delivery sends (null: the step as written) and the step's variants. */
  variant: string | null;
  variants: StepVariant[] | null;
}

/** Stable key for the per-business throttle's advisory lock. */
const THROTTLE_LOCK_CLASS = 4_242;

/** `events` hears email.delivered and email.bounced, in the transaction that records them. */
export function createDispatchRepository(db: Database, events: HeraldEvents = noHeraldEvents) {
  return {
    /** Claims due steps; returns the ids of the deliveries this worker must now send. */
    async claimDue(options: ClaimOptions): Promise<string[]> {
      const now = options.now.toISOString();
      return db.transaction(async (tx) => {
        const due = rowsOf<DueEnrollment>(
          await tx.execute(sql`
            select e.id, e.business_id, e.sequence_id, e.next_step_index, e.wait_until
            from enrollments e
            join sequences s on s.id = e.sequence_id
            where e.status = 'active' and s.status = 'active' and e.next_send_at <= ${now}::timestamptz
            order by e.next_send_at
            limit ${options.batchSize}
            for update of e skip locked`),
        );
        if (due.length === 0) return [];
        const businessIds = [...new Set(due.map((row) => row.business_id))].sort();
        const sequenceIds = [...new Set(due.map((row) => row.sequence_id))];

        // The throttle: one business's budget is read and spent under its advisory lock, so two
        // workers cannot both spend the same minute.
        const budget = new Map<string, number>();
        const zones = new Map<string, string>();
        for (const businessId of businessIds) {
          await tx.execute(
            sql`select pg_advisory_xact_lock(${THROTTLE_LOCK_CLASS}, hashtext(${businessId}))`,
          );
          const [recent] = rowsOf<{ n: number; timezone: string }>(
            await tx.execute(sql`
              select (select count(*)::int from deliveries
                       where business_id = ${businessId}::uuid
                         and created_at > ${now}::timestamptz - interval '1 minute') as n,
                     (select timezone from businesses where id = ${businessId}::uuid) as timezone`),
          );
          budget.set(businessId, options.perMinute - (recent?.n ?? 0));
          zones.set(businessId, recent?.timezone ?? 'UTC');
        }

        const stepRows = rowsOf<StepInfo>(
          await tx.execute(sql`
            select id, sequence_id, delay_minutes, send_window, kind, wait_for, winner,
              (select jsonb_agg(v->>'key') from jsonb_array_elements(variants) v) as variant_keys
            from sequence_steps
            where sequence_id in (select value::uuid from jsonb_array_elements_text(${jsonb(sequenceIds)}))
            order by sequence_id, position, created_at`),
        );
        const stepsOf = new Map<string, StepInfo[]>();
        for (const step of stepRows) {
          const list = stepsOf.get(step.sequence_id) ?? [];
          list.push(step);
          stepsOf.set(step.sequence_id, list);
        }

        const claims: {
          id: string;
          business_id: string;
          sequence_id: string;
          step_id: string;
          enrollment_id: string;
          message_id: string;
          variant: string | null;
        }[] = [];
        // Steps whose test gets its first delivery now: the test starts.
        const testing = new Set<string>();
        const moves: {
          id: string;
          idx: number;
          at: string | null;
          status: string;
          wait: string | null;
        }[] = [];
        const after = (minutes: number) =>
          new Date(options.now.getTime() + minutes * 60_000).toISOString();
        for (const enrollment of due) {
          const steps = stepsOf.get(enrollment.sequence_id) ?? [];
          const step = steps[enrollment.next_step_index];
          if (!step) {
            moves.push({
              id: enrollment.id,
              idx: enrollment.next_step_index,
              at: null,
              status: 'completed',
              wait: null,
            });
            continue;
          }
          if (step.kind === 'wait_for_event') {
            if (enrollment.wait_until === null) {
              // The wait begins: due again when it times out (the listener may end it sooner).
              const until = after(step.wait_for?.limitMinutes ?? 0);
              const idx = enrollment.next_step_index;
              moves.push({ id: enrollment.id, idx, at: until, status: 'active', wait: until });
            } else {
              // Timed out without the event: on with the next step.
              const next = steps[enrollment.next_step_index + 1];
              moves.push({
                id: enrollment.id,
                idx: enrollment.next_step_index + 1,
                at: next ? after(next.delay_minutes) : null,
                status: next ? 'active' : 'completed',
                wait: null,
              });
            }
            continue;
          }
          const zone = zones.get(enrollment.business_id) ?? 'UTC';
          const sendAt = nextSendTime(options.now, step.send_window, zone);
          if (sendAt.getTime() > options.now.getTime()) {
            // Outside the step's window: wait for its next opening in the business's timezone.
            moves.push({
              id: enrollment.id,
              idx: enrollment.next_step_index,
              at: sendAt.toISOString(),
              status: 'active',
              wait: null,
            });
            continue;
          }
          const left = budget.get(enrollment.business_id) ?? 0;
          if (left <= 0) continue; // throttled: stays due for a later minute
          budget.set(enrollment.business_id, left - 1);
          const id = randomUUID();
          // Fixed here, with the claim: a retry of this delivery sends the same variant.
          let variant: string | null = null;
          if (step.variant_keys && step.variant_keys.length > 0) {
            variant = step.winner ?? assignVariant(enrollment.id, step.id, step.variant_keys);
            if (!step.winner) testing.add(step.id);
          }
          claims.push({
            variant,
            id,
            business_id: enrollment.business_id,
            sequence_id: enrollment.sequence_id,
            step_id: step.id,
            enrollment_id: enrollment.id,
            message_id: `<${id}@${options.messageIdDomain}>`,
          });
          const next = steps[enrollment.next_step_index + 1];
          moves.push({
            id: enrollment.id,
            idx: enrollment.next_step_index + 1,
            at: next ? after(next.delay_minutes) : null,
            status: next ? 'active' : 'completed',
            wait: null,
          });
        }

        let claimed: string[] = [];
        if (claims.length > 0) {
          claimed = rowsOf<{ id: string }>(
            await tx.execute(sql`
              insert into deliveries (id, business_id, sequence_id, step_id, enrollment_id, subscriber_id, message_id, variant, status, claimed_at, claimed_by, created_at)
              select c.id, c.business_id, c.sequence_id, c.step_id, c.enrollment_id, e.subscriber_id, c.message_id, c.variant, 'claimed', ${now}::timestamptz, ${options.workerId}, ${now}::timestamptz
              from jsonb_to_recordset(${jsonb(claims)}) as c(id uuid, business_id uuid, sequence_id uuid, step_id uuid, enrollment_id uuid, message_id text, variant text)
              join enrollments e on e.id = c.enrollment_id
              on conflict (enrollment_id, step_id) do nothing
              returning id`),
          ).map((row) => row.id);
        }
        if (testing.size > 0) {
          await tx.execute(sql`
            update sequence_steps set ab_started_at = ${now}::timestamptz
            where id in (select value::uuid from jsonb_array_elements_text(${jsonb([...testing])}))
              and ab_started_at is null`);
        }
        if (moves.length > 0) {
          await tx.execute(sql`
            update enrollments e
            set next_step_index = m.idx, next_send_at = m.at, status = m.status, wait_until = m.wait,
              updated_at = ${now}::timestamptz
            from jsonb_to_recordset(${jsonb(moves)}) as m(id uuid, idx int, at timestamptz, status text, wait timestamptz)
            where e.id = m.id`);
        }
        return claimed;
      });
    },

    /**
     * Takes over deliveries claimed longer ago than `staleBefore` whose worker never finished
     * them (it crashed, or the send failed and is due for a retry). They keep their Message-ID.
     */
    async reclaimStale(options: {
      now: Date;
      staleBefore: Date;
      batchSize: number;
      workerId: string;
    }): Promise<string[]> {
      const stale = db
        .select({ id: deliveries.id })
        .from(deliveries)
        .where(and(eq(deliveries.status, 'claimed'), lt(deliveries.claimedAt, options.staleBefore)))
        .orderBy(deliveries.claimedAt)
        .limit(options.batchSize)
        .for('update', { skipLocked: true });
      const rows = await db
        .update(deliveries)
        .set({ claimedAt: options.now, claimedBy: options.workerId })
        .where(inArray(deliveries.id, stale))
        .returning({ id: deliveries.id });
      return rows.map((row) => row.id);
    },

    async sendable(ids: string[]): Promise<SendableDelivery[]> {
      if (ids.length === 0) return [];
      return db
        .select({
          id: deliveries.id,
          business_id: deliveries.businessId,
          sequence_id: deliveries.sequenceId,
          step_id: deliveries.stepId,
          enrollment_id: deliveries.enrollmentId,
          subscriber_id: deliveries.subscriberId,
          message_id: deliveries.messageId,
          attempts: deliveries.attempts,
          email: subscribers.email,
          first_name: subscribers.firstName,
          last_name: subscribers.lastName,
          attributes: subscribers.attributes,
          consent_status: subscribers.consentStatus,
          suppressed: suppressions.reason,
          business_name: businesses.name,
          default_sender: businesses.defaultSender,
          step_updated_at: sequenceSteps.updatedAt,
          trigger_event: enrollments.triggerEvent,
          subject: sequenceSteps.subject,
          preheader: sequenceSteps.preheader,
          html: sequenceSteps.html,
          text: sequenceSteps.text,
          variant: deliveries.variant,
          variants: sequenceSteps.variants,
        })
        .from(deliveries)
        .innerJoin(subscribers, eq(subscribers.id, deliveries.subscriberId))
        .innerJoin(sequenceSteps, eq(sequenceSteps.id, deliveries.stepId))
        .innerJoin(enrollments, eq(enrollments.id, deliveries.enrollmentId))
        .innerJoin(businesses, eq(businesses.id, deliveries.businessId))
        .leftJoin(
          suppressions,
          and(
            eq(suppressions.businessId, deliveries.businessId),
            eq(suppressions.email, subscribers.email),
          ),
        )
        .where(and(inArray(deliveries.id, ids), eq(deliveries.status, 'claimed')));
    },

    /** Marks sent and records 'Email Delivered' for each, in one transaction. */
    async markSent(sent: SentDelivery[], at: Date): Promise<void> {
      if (sent.length === 0) return;
      await db.transaction(async (tx) => {
        const updated = rowsOf<{ id: string }>(
          await tx.execute(sql`
            update deliveries d
            set status = 'sent', sent_at = ${at.toISOString()}::timestamptz, attempts = d.attempts + 1,
              error = null, subject = s.subject
            from jsonb_to_recordset(${jsonb(sent.map(({ id, subject }) => ({ id, subject })))}) as s(id uuid, subject text)
            where d.id = s.id and d.status = 'claimed'
            returning d.id`),
        );
        const ids = new Set(updated.map((row) => row.id));
        const marked = sent.filter((delivery) => ids.has(delivery.id));
        await recordInternalEvents(
          tx,
          marked.map((delivery) => delivery.event),
        );
        await publishEmailEvents(
          tx,
          events,
          marked.map(({ id, subscriberId, event }) => ({ event, subscriberId, deliveryId: id })),
        );
      });
    },

    /** Not sent, for good: suppressed address, hard bounce, or out of attempts. */
    async markFinal(
      id: string,
      status: 'suppressed' | 'bounced' | 'failed',
      error: string | null,
      fact?: EmailFact,
    ): Promise<void> {
      await db.transaction(async (tx) => {
        const updated = await tx
          .update(deliveries)
          .set({
            status,
            error,
            attempts: sql`${deliveries.attempts} + ${status === 'suppressed' ? 0 : 1}`,
          })
          .where(and(eq(deliveries.id, id), eq(deliveries.status, 'claimed')))
          .returning({ businessId: deliveries.businessId, stepId: deliveries.stepId });
        if (fact && updated.length > 0) {
          await recordInternalEvents(tx, [fact.event]);
          await publishEmailEvents(tx, events, [fact]);
        }
        // A hard bounce may take the step over the bounce-rate threshold (bounce-rate.ts).
        const [bounced] = updated;
        if (status === 'bounced' && bounced) await checkStepBounceRate(tx, events, bounced);
      });
    },

    /**
     * A failed attempt that will be retried: its claim is backdated so it goes stale at `retryAt`.
     * A soft bounce records its 'Email Bounced' event in the same transaction.
     */
    async markRetry(id: string, error: string, claimedAt: Date, fact?: EmailFact): Promise<void> {
      await db.transaction(async (tx) => {
        const updated = await tx
          .update(deliveries)
          .set({ attempts: sql`${deliveries.attempts} + 1`, error, claimedAt })
          .where(and(eq(deliveries.id, id), eq(deliveries.status, 'claimed')))
          .returning({ id: deliveries.id });
        if (fact && updated.length > 0) {
          await recordInternalEvents(tx, [fact.event]);
          await publishEmailEvents(tx, events, [fact]);
        }
      });
    },

    /**
     * Not attempted after all (the mail server was unavailable): the claim is backdated so it
     * goes stale at `claimedAt` + the claim timeout, and `attempts` stays as it was.
     */
    async markDeferred(id: string, reason: string, claimedAt: Date): Promise<void> {
      await db
        .update(deliveries)
        .set({ error: reason, claimedAt })
        .where(and(eq(deliveries.id, id), eq(deliveries.status, 'claimed')));
    },

    /** Stops every enrollment of an address in the business (unsubscribed, bounced, complained). */
    stopEnrollmentsOf: (businessId: string, subscriberId: string, status: string) =>
      stopEnrollmentsOf(db, businessId, subscriberId, status),
  };
}

export type DispatchRepository = ReturnType<typeof createDispatchRepository>;
