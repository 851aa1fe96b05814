// The email feedback intake: a spam complaint (ARF) or a bounce reported after sending (DSN, or
// a relay webhook's JSON), matched by Message-ID to a sequence or broadcast delivery of the
// business that posts it. A complaint suppresses the address as complained, stops its
// enrollments and records 'Email Marked as Spam'; a hard bounce suppresses as bounced and
// records 'Email Bounced'; a soft bounce is only recorded. All in one transaction, keyed by a
// deterministic event messageId, so the same report twice acts once.
import { sql } from 'drizzle-orm';

import type { Database, Executor } from '../../platform/db/client.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import type { HeraldEvents } from '../../platform/events.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, notFound } from '../../platform/http/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import {
  applyDeliveryFeedback,
  applySequenceFeedback,
  type DeliveryFeedback,
  findSequenceDelivery,
} from '../sequences/index.ts';
import {
  type FeedbackNotification,
  type FeedbackReport,
  FeedbackReportError,
  fingerprintOf,
  parseRawReport,
  reportOfNotification,
} from './feedback-report.ts';

export interface FeedbackResult {
  type: 'complaint' | 'bounce';
  bounceType: 'hard' | 'soft' | null;
  delivery: { kind: 'sequence' | 'broadcast'; id: string };
  /** True when this report was received before: nothing changed. */
  duplicate: boolean;
}

/** A raw MIME report as posted, or a webhook's JSON notification. */
export type FeedbackInput =
  | { kind: 'raw'; message: string; contentType: string }
  | { kind: 'json'; notification: FeedbackNotification };

interface BroadcastDeliveryFacts {
  id: string;
  business_id: string;
  broadcast_id: string;
  subscriber_id: string;
  variant: string | null;
  email: string;
  subject: string;
}

/** `<b-<uuid>@domain>`: the Message-ID broadcastMessageId gives a broadcast delivery. */
const BROADCAST_MESSAGE_ID = /^<b-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@/i;

async function findBroadcastDelivery(tx: Executor, businessId: string, messageId: string) {
  const id = BROADCAST_MESSAGE_ID.exec(messageId)?.[1];
  if (!id) return undefined;
  const [row] = rowsOf<BroadcastDeliveryFacts>(
    await tx.execute(sql`
      select d.id, d.business_id, d.broadcast_id, d.subscriber_id, d.variant, s.email,
        coalesce((select v->>'subject' from jsonb_array_elements(br.variants) v
                  where v->>'key' = d.variant), '') as subject
      from broadcast_deliveries d
      join subscribers s on s.id = d.subscriber_id
      join broadcasts br on br.id = d.broadcast_id
      where d.id = ${id.toLowerCase()}::uuid and d.business_id = ${businessId}::uuid
        and d.status in ('sent', 'bounced')`),
  );
  return row;
}

function applyBroadcastFeedback(
  tx: Executor,
  delivery: BroadcastDeliveryFacts,
  feedback: DeliveryFeedback,
  events: HeraldEvents | undefined,
): Promise<boolean> {
  return applyDeliveryFeedback(
    tx,
    {
      businessId: delivery.business_id,
      subscriberId: delivery.subscriber_id,
      email: delivery.email,
      deliveryId: delivery.id,
      // The same keys as the send-time bounce (dispatcher.ts).
      keyPrefix: 'herald:broadcast:',
      properties: {
        broadcastId: delivery.broadcast_id,
        variant: delivery.variant,
        subject: delivery.subject,
      },
      async markDelivery(outcome, detail) {
        // A later hard bounce counts as bounced, not delivered, in the broadcast's analytics.
        await tx.execute(
          outcome === 'complained'
            ? sql`update broadcast_deliveries set complained_at = coalesce(complained_at, now())
                  where id = ${delivery.id}::uuid`
            : sql`update broadcast_deliveries set status = 'bounced',
                    error = ${detail || 'bounced (reported later)'}
                  where id = ${delivery.id}::uuid`,
        );
      },
    },
    feedback,
    events,
  );
}

function reportOf(input: FeedbackInput): { report: FeedbackReport; fingerprint: string } {
  try {
    if (input.kind === 'raw') {
      return {
        report: parseRawReport(input.message, input.contentType),
        fingerprint: fingerprintOf(input.message),
      };
    }
    const { notification } = input;
    return {
      report: reportOfNotification(notification),
      fingerprint: fingerprintOf(
        JSON.stringify([
          notification.type,
          notification.messageId,
          notification.bounceType,
          notification.email,
          notification.occurredAt,
          notification.detail,
        ]),
      ),
    };
  } catch (error) {
    if (!(error instanceof FeedbackReportError)) throw error;
    throw new AppError('VALIDATION_ERROR', error.message, {
      details: { issues: [{ path: error.path, message: error.message }] },
    });
  }
}

export function createEmailFeedback(deps: {
  db: Database;
  access: BusinessAccess;
  logger: Logger;
  /** Hears email.bounced for a bounce report (webhooks, Slack). */
  events?: HeraldEvents;
}) {
  const { db, access } = deps;
  const log = deps.logger.child({ component: 'email-feedback' });

  return {
    async receive(
      principal: Principal,
      businessId: string,
      input: FeedbackInput,
    ): Promise<FeedbackResult> {
      await access.require(principal, businessId, 'content.write');
      const { report, fingerprint } = reportOf(input);
      const feedback: DeliveryFeedback = {
        type: report.type,
        ...(report.type === 'bounce' ? { bounceType: report.bounceType } : {}),
        ...(report.occurredAt ? { occurredAt: report.occurredAt } : {}),
        detail: report.detail,
        fingerprint,
      };
      const result = await db.transaction(async (tx) => {
        const sequenceDelivery = await findSequenceDelivery(tx, businessId, report.messageId);
        if (sequenceDelivery) {
          const acted = await applySequenceFeedback(tx, sequenceDelivery, feedback, deps.events);
          return { kind: 'sequence' as const, id: sequenceDelivery.id, acted };
        }
        const broadcastDelivery = await findBroadcastDelivery(tx, businessId, report.messageId);
        if (broadcastDelivery) {
          const acted = await applyBroadcastFeedback(tx, broadcastDelivery, feedback, deps.events);
          return { kind: 'broadcast' as const, id: broadcastDelivery.id, acted };
        }
        return undefined;
      });
      // Another business's Message-ID is as unknown as one Herald never sent.
      if (!result) throw notFound('Delivery with that Message-ID');
      if (result.acted) {
        log.info(
          { businessId, delivery: result.id, kind: result.kind, type: report.type },
          'email feedback recorded',
        );
      }
      return {
        type: report.type,
        bounceType: report.type === 'bounce' ? report.bounceType : null,
        delivery: { kind: result.kind, id: result.id },
        duplicate: !result.acted,
      };
    },
  };
}

export type EmailFeedback = ReturnType<typeof createEmailFeedback>;
