// A sequence step's bounce rate, checked after a bounce is recorded: once enough of the step's
// emails went out and too many bounced, sequence.bounce_rate_exceeded tells the business (its
// webhooks, Slack) that the list or the sending domain needs a look. The event carries the rate,
// so a receiver can apply a stricter threshold of its own.
import { and, eq, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { deliveries, sequences, sequenceSteps } from '../../platform/db/schema/sequences.ts';
import type { HeraldEvent, HeraldEvents } from '../../platform/events.ts';

/** The rate at or above which the event is published. */
export const BOUNCE_RATE_THRESHOLD = 0.05;
/** Below this many sends a few bounces say little: no event yet. */
export const BOUNCE_RATE_MIN_SENT = 20;

/** The step's sends so far (accepted or bounced) and its bounces. */
export interface StepBounceFigures {
  businessId: string;
  sequenceId: string;
  sequenceName: string;
  stepId: string;
  stepPosition: number;
  sent: number;
  bounced: number;
}

export function bounceRateExceeded(figures: Pick<StepBounceFigures, 'sent' | 'bounced'>): boolean {
  return (
    figures.sent >= BOUNCE_RATE_MIN_SENT && figures.bounced / figures.sent >= BOUNCE_RATE_THRESHOLD
  );
}

export function bounceRateEvent(figures: StepBounceFigures): HeraldEvent {
  return {
    businessId: figures.businessId,
    type: 'sequence.bounce_rate_exceeded',
    // One per step: the listeners keep one event per key however often the check finds it.
    key: `sequence.bounce_rate_exceeded:${figures.stepId}`,
    data: {
      sequenceId: figures.sequenceId,
      sequenceName: figures.sequenceName,
      stepId: figures.stepId,
      stepPosition: figures.stepPosition,
      sent: figures.sent,
      bounced: figures.bounced,
      bounceRate: Math.round((figures.bounced / figures.sent) * 10_000) / 10_000,
      threshold: BOUNCE_RATE_THRESHOLD,
    },
  };
}

/** The step's figures in its business, or undefined when the step is not there. */
export async function stepBounceFigures(
  tx: Executor,
  businessId: string,
  stepId: string,
): Promise<StepBounceFigures | undefined> {
  const [row] = await tx
    .select({
      businessId: sequenceSteps.businessId,
      sequenceId: sequenceSteps.sequenceId,
      sequenceName: sequences.name,
      stepId: sequenceSteps.id,
      stepPosition: sequenceSteps.position,
      sent: sql<number>`(select count(*)::int from ${deliveries}
        where ${deliveries.stepId} = ${sequenceSteps.id}
          and ${deliveries.status} in ('sent', 'bounced'))`,
      bounced: sql<number>`(select count(*)::int from ${deliveries}
        where ${deliveries.stepId} = ${sequenceSteps.id} and ${deliveries.status} = 'bounced')`,
    })
    .from(sequenceSteps)
    .innerJoin(sequences, eq(sequences.id, sequenceSteps.sequenceId))
    .where(and(eq(sequenceSteps.businessId, businessId), eq(sequenceSteps.id, stepId)));
  return row;
}

/**
 * Call in the transaction that records a bounce of the step's delivery (at send time, or
 * reported later): publishes sequence.bounce_rate_exceeded when the step's rate is at or over
 * the threshold with enough sends. Answers whether it did.
 */
export async function checkStepBounceRate(
  tx: Executor,
  events: HeraldEvents,
  step: { businessId: string; stepId: string },
): Promise<boolean> {
  const figures = await stepBounceFigures(tx, step.businessId, step.stepId);
  if (!figures || !bounceRateExceeded(figures)) return false;
  await events.publish(tx, bounceRateEvent(figures));
  return true;
}
