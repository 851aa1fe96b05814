// Customer data moving sequences, run inside the customer processor's (or segment refresh's)
// transaction, so each effect happens once per event or not at all:
// - an event trigger enrolls the customer's linked subscriber in every active sequence whose
//   trigger the event matches; a segment trigger, when the customer enters the segment;
// - an exit event ends the customer's active enrollment (status 'exited');
// - an event a waiting enrollment waits for resolves the wait (go to a step, or end).
// Only subscribers who consented (subscribed, not suppressed) are enrolled. An enrollment is
// unique per (sequence, subscriber): the same event delivered twice, doing the event again
// while enrolled, and doing it again after the sequence completed or exited all leave the one
// enrollment as it is — a customer goes through a sequence at most once.
import { sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { jsonb, rowsOf } from '../../platform/db/raw-sql.ts';
import type {
  EventMatch,
  SequenceTrigger,
  WaitForEvent,
} from '../../platform/db/schema/sequences.ts';
import type { CustomerEventListener, ResolvedEvent } from '../customers/index.ts';
import type { SegmentEntry, SegmentEntryListener } from '../segments/index.ts';
import { matchesEvent, propertyAt, same } from './event-match.ts';

interface ActiveSequence {
  id: string;
  status: string;
  trigger: SequenceTrigger;
  exit_event: EventMatch | null;
}

interface WaitingEnrollment {
  id: string;
  sequence_id: string;
  subscriber_id: string;
  next_step_index: number;
  trigger_event: { name: string; properties: Record<string, unknown> } | null;
  wait_for: WaitForEvent | null;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null) return false;
  return same(a, b) || JSON.stringify(a) === JSON.stringify(b);
}

/** The event a waiting enrollment waits for, with the triggering event's `sameAs` values. */
function resolvesWait(waiting: WaitingEnrollment, event: ResolvedEvent): boolean {
  const wait = waiting.wait_for;
  if (!wait || !matchesEvent(wait, event)) return false;
  const trigger = waiting.trigger_event?.properties ?? {};
  return wait.sameAs.every((name) =>
    sameValue(propertyAt(event.properties, name), propertyAt(trigger, name)),
  );
}

/** The first step's delay from now: when a new enrollment is due. */
const firstSendAt = (sequenceId: unknown, now: Date) => sql`
  ${now.toISOString()}::timestamptz + make_interval(mins => coalesce((
    select delay_minutes from sequence_steps where sequence_id = ${sequenceId}::uuid
    order by position, created_at limit 1), 0))`;

export function createSequenceTriggers(deps: { now?: () => Date } = {}) {
  const clock = deps.now ?? (() => new Date());

  /** Sequences an event may start (active) or end an enrollment of (active or paused). */
  async function activeSequences(tx: Executor, businessId: string): Promise<ActiveSequence[]> {
    return rowsOf<ActiveSequence>(
      await tx.execute(sql`
        select id, status, trigger, exit_event from sequences
        where business_id = ${businessId}::uuid and status in ('active', 'paused')
          and (trigger ->> 'type' = 'event' or exit_event is not null)`),
    );
  }

  /** Active enrollments of these subscribers waiting at a "wait for event" step. */
  async function waitingEnrollments(
    tx: Executor,
    businessId: string,
    subscriberIds: string[],
  ): Promise<WaitingEnrollment[]> {
    return rowsOf<WaitingEnrollment>(
      await tx.execute(sql`
        select e.id, e.sequence_id, e.subscriber_id, e.next_step_index, e.trigger_event, w.wait_for
        from enrollments e
        join lateral (
          select wait_for from sequence_steps st where st.sequence_id = e.sequence_id
          order by st.position, st.created_at offset e.next_step_index limit 1) w on true
        where e.business_id = ${businessId}::uuid
          and e.subscriber_id in (select value::uuid from jsonb_array_elements_text(${jsonb(subscriberIds)}))
          and e.status = 'active' and e.wait_until is not null`),
    );
  }

  /** Ends the wait: on to step `goToStep` (after its delay), or the enrollment completes. */
  async function resolveWait(tx: Executor, waiting: WaitingEnrollment, now: Date) {
    const goTo = waiting.wait_for?.goToStep ?? null;
    const target = goTo === null ? null : goTo - 1;
    const [step] =
      target === null
        ? []
        : rowsOf<{ delay_minutes: number }>(
            await tx.execute(sql`
              select delay_minutes from sequence_steps where sequence_id = ${waiting.sequence_id}::uuid
              order by position, created_at offset ${target} limit 1`),
          );
    const guard = sql`id = ${waiting.id}::uuid and status = 'active'
      and wait_until is not null and next_step_index = ${waiting.next_step_index}`;
    if (target === null || !step) {
      await tx.execute(sql`
        update enrollments set status = 'completed', next_send_at = null, wait_until = null,
          updated_at = ${now.toISOString()}::timestamptz
        where ${guard}`);
      return;
    }
    const at = new Date(now.getTime() + step.delay_minutes * 60_000);
    await tx.execute(sql`
      update enrollments set next_step_index = ${target}, next_send_at = ${at.toISOString()}::timestamptz,
        wait_until = null, updated_at = ${now.toISOString()}::timestamptz
      where ${guard}`);
  }

  async function exitEnrollment(
    tx: Executor,
    sequenceId: string,
    subscriberId: string,
    now: Date,
  ): Promise<void> {
    await tx.execute(sql`
      update enrollments set status = 'exited', next_send_at = null, wait_until = null,
        updated_at = ${now.toISOString()}::timestamptz
      where sequence_id = ${sequenceId}::uuid and subscriber_id = ${subscriberId}::uuid
        and status = 'active'`);
  }

  async function enrollForEvent(
    tx: Executor,
    sequenceId: string,
    event: ResolvedEvent & { subscriberId: string; event: string },
    now: Date,
  ): Promise<void> {
    await tx.execute(sql`
      insert into enrollments (business_id, sequence_id, subscriber_id, next_send_at, trigger_message_id, trigger_event)
      select s.business_id, ${sequenceId}::uuid, s.id, ${firstSendAt(sequenceId, now)},
        ${event.messageId}, ${jsonb({ name: event.event, properties: event.properties })}
      from subscribers s
      where s.id = ${event.subscriberId}::uuid and s.business_id = ${event.businessId}::uuid
        and s.consent_status = 'subscribed'
        and not exists (
          select 1 from suppressions x where x.business_id = s.business_id and x.email = s.email)
      on conflict (sequence_id, subscriber_id) do nothing`);
  }

  async function onBusinessEvents(tx: Executor, businessId: string, batch: ResolvedEvent[]) {
    const linked = batch.filter(
      (event): event is ResolvedEvent & { subscriberId: string; event: string } =>
        event.type === 'track' && event.event !== null && event.subscriberId !== null,
    );
    if (linked.length === 0) return;
    const sequences = await activeSequences(tx, businessId);
    const waiting = await waitingEnrollments(tx, businessId, [
      ...new Set(linked.map((event) => event.subscriberId)),
    ]);
    if (sequences.length === 0 && waiting.length === 0) return;
    const now = clock();
    for (const event of linked.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime())) {
      for (const [index, enrollment] of [...waiting.entries()].reverse()) {
        if (enrollment.subscriber_id !== event.subscriberId || !resolvesWait(enrollment, event))
          continue;
        await resolveWait(tx, enrollment, now);
        waiting.splice(index, 1);
      }
      for (const sequence of sequences) {
        if (matchesEvent(sequence.exit_event, event)) {
          await exitEnrollment(tx, sequence.id, event.subscriberId, now);
        }
      }
      for (const sequence of sequences) {
        // A paused sequence takes no one new, but its exit events still apply.
        const trigger = sequence.trigger;
        if (
          sequence.status === 'active' &&
          trigger.type === 'event' &&
          matchesEvent(trigger, event)
        ) {
          await enrollForEvent(tx, sequence.id, event, now);
        }
      }
    }
  }

  const events: CustomerEventListener = {
    name: 'sequence-triggers',
    async onEvents(tx, batch) {
      const byBusiness = new Map<string, ResolvedEvent[]>();
      for (const event of batch) {
        const list = byBusiness.get(event.businessId) ?? [];
        list.push(event);
        byBusiness.set(event.businessId, list);
      }
      for (const [businessId, list] of byBusiness) await onBusinessEvents(tx, businessId, list);
    },
  };

  const segments: SegmentEntryListener = {
    name: 'sequence-segment-triggers',
    async onEntered(tx: Executor, entry: SegmentEntry) {
      if (entry.customerIds.length === 0) return;
      const now = clock();
      const triggered = rowsOf<{ id: string }>(
        await tx.execute(sql`
          select id from sequences
          where business_id = ${entry.businessId}::uuid and status = 'active'
            and trigger ->> 'type' = 'segment' and trigger ->> 'segmentId' = ${entry.segmentId}`),
      );
      for (const sequence of triggered) {
        await tx.execute(sql`
          insert into enrollments (business_id, sequence_id, subscriber_id, next_send_at, trigger_message_id)
          select s.business_id, ${sequence.id}::uuid, s.id, ${firstSendAt(sequence.id, now)},
            ${`segment:${entry.segmentId}`}
          from customers c
          join subscribers s on s.id = c.subscriber_id and s.business_id = c.business_id
          where c.business_id = ${entry.businessId}::uuid
            and c.id in (select value::uuid from jsonb_array_elements_text(${jsonb(entry.customerIds)}))
            and s.consent_status = 'subscribed'
            and not exists (
              select 1 from suppressions x where x.business_id = s.business_id and x.email = s.email)
          on conflict (sequence_id, subscriber_id) do nothing`);
      }
    },
  };

  return { events, segments };
}

export type SequenceTriggers = ReturnType<typeof createSequenceTriggers>;
