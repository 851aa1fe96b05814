// The broadcast dispatcher: materialises due broadcasts' recipients (in SQL), claims due
// deliveries page by page, sends each once and marks it sent, picks A/B winners when their wait
// is over and closes finished broadcasts. The same claim-before-send discipline as sequence
// deliveries: a worker that dies between the SMTP "250 OK" and the "sent" update leaves the row
// claimed, and reconciliation resends it with the same Message-ID (derived from the row's id).
// While the mail server is unavailable (or its breaker is open) a delivery is deferred: still
// claimed, its attempt uncounted, due again after `deferMs`.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';

import { eq, sql } from 'drizzle-orm';

import { pollingLoop } from '../../platform/background-loop.ts';
import type { Database } from '../../platform/db/client.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import { broadcasts } from '../../platform/db/schema/broadcasts.ts';
import type { HeraldEvents } from '../../platform/events.ts';
import type { Logger } from '../../platform/logger.ts';
import { type Mailer, MailServerUnavailable } from '../../platform/mailer.ts';
import {
  addTracking,
  type CompiledStep,
  type EmailFact,
  isTimeLimit,
  publishEmailEvents,
  RENDER_TRIES,
  renderStep,
  TemplateRenderError,
  type TrackingLinks,
} from '../sequences/index.ts';
import { createEmailAudience } from '../subscribers/index.ts';
import { recordInternalEvents } from '../tracking/index.ts';
import { blocksOf } from './block-store.ts';
import { compileParts } from './content.ts';
import {
  createBroadcastDispatchRepository,
  type SendableBroadcastDelivery,
} from './dispatch-repository.ts';
import { pickWinner } from './winner.ts';

export interface BroadcastDispatcherConfig {
  batchSize: number;
  intervalMs: number;
  perMinute: number;
  claimTimeoutSeconds: number;
  messageIdDomain: string;
  defaultFrom: string;
  maxAttempts?: number;
  concurrency?: number;
  /** How long a delivery waits after the mail server was unavailable. */
  deferMs?: number;
}

export interface BroadcastRound {
  materialised: number;
  decided: number;
  claimed: number;
  reclaimed: number;
  sent: number;
  suppressed: number;
  failed: number;
  /** Not sent because the mail server was unavailable: due again after `deferMs`. */
  deferred: number;
  finished: number;
}

type Outcome = 'sent' | 'suppressed' | 'failed' | 'deferred';

interface PreparedBroadcast {
  version: string;
  businessName: string;
  subjects: Map<string, string>;
  variants: Map<string, CompiledStep | { error: unknown }>;
  sender: { name: string; email: string; replyTo?: string | undefined } | null;
}

const SENT_GROUP = 50;

function failureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').replaceAll(process.cwd(), '.').slice(0, 500) || 'unknown';
}

function isHardBounce(error: unknown): boolean {
  const code = (error as { responseCode?: unknown }).responseCode;
  const command = (error as { command?: unknown }).command;
  return typeof code === 'number' && code >= 500 && code < 600 && command === 'RCPT TO';
}

/** The Message-ID of a broadcast delivery: fixed by its id, so every retry carries the same. */
export function broadcastMessageId(deliveryId: string, domain: string): string {
  return `<b-${deliveryId}@${domain}>`;
}

export function linkHash(url: string): string {
  return createHash('sha256').update(url).digest('base64url').slice(0, 16);
}

export function createBroadcastDispatcher(deps: {
  db: Database;
  mailer: Mailer;
  tracking: TrackingLinks;
  logger: Logger;
  config: BroadcastDispatcherConfig;
  /** Hears email.delivered and email.bounced (webhooks, Slack). */
  events?: HeraldEvents;
}) {
  const { db, mailer, tracking, config } = deps;
  const repository = createBroadcastDispatchRepository(db);
  const audience = createEmailAudience(db);
  const log = deps.logger.child({ component: 'broadcast-dispatcher' });
  const workerId = `${hostname()}:${String(process.pid)}:${Math.random().toString(36).slice(2, 8)}`;
  const maxAttempts = config.maxAttempts ?? 5;
  const deferMs = config.deferMs ?? 60_000;
  const prepared = new Map<string, PreparedBroadcast>();

  async function prepare(broadcastId: string): Promise<PreparedBroadcast | undefined> {
    const [row] = rowsOf<{
      id: string;
      business_id: string;
      updated_at: string | Date;
      variants: {
        key: string;
        subject: string;
        preheader: string;
        html: string;
        markdown: string | null;
        text: string;
      }[];
      sender: PreparedBroadcast['sender'];
      business_name: string;
      default_sender: PreparedBroadcast['sender'];
    }>(
      await db.execute(sql`
        select b.id, b.business_id, b.updated_at, b.variants, b.sender, s.name as business_name,
          s.default_sender
        from broadcasts b join businesses s on s.id = b.business_id
        where b.id = ${broadcastId}::uuid`),
    );
    if (!row) return undefined;
    const version = String(new Date(row.updated_at).getTime());
    const cached = prepared.get(broadcastId);
    if (cached?.version === version) return cached;
    const blocks = await blocksOf(db, row.business_id);
    const variants = new Map<string, CompiledStep | { error: unknown }>();
    const subjects = new Map<string, string>();
    for (const variant of row.variants) {
      subjects.set(variant.key, variant.subject);
      try {
        variants.set(variant.key, compileParts(variant, blocks));
      } catch (error) {
        variants.set(variant.key, { error });
      }
    }
    const result: PreparedBroadcast = {
      version,
      businessName: row.business_name,
      subjects,
      variants,
      sender: row.sender ?? row.default_sender,
    };
    prepared.set(broadcastId, result);
    return result;
  }

  function render(
    delivery: SendableBroadcastDelivery,
    broadcast: PreparedBroadcast,
    unsubscribeUrl: string,
  ) {
    const compiled = broadcast.variants.get(delivery.variant);
    if (!compiled) throw new Error(`Template error: variant ${delivery.variant} is gone`);
    if ('error' in compiled) throw compiled.error;
    const rendered = renderStep(compiled, {
      subscriber: {
        email: delivery.email,
        firstName: delivery.first_name,
        lastName: delivery.last_name,
        attributes: delivery.attributes,
      },
      business: { name: broadcast.businessName },
      unsubscribeUrl,
    });
    const html = addTracking(
      rendered.html,
      (url) => tracking.broadcastUrl('c', delivery.id, url),
      (url) => url === unsubscribeUrl || tracking.isUnsubscribeUrl(url),
      tracking.broadcastUrl('o', delivery.id),
    );
    return { ...rendered, html };
  }

  function renderWithRetries(
    delivery: SendableBroadcastDelivery,
    broadcast: PreparedBroadcast,
    unsubscribeUrl: string,
  ) {
    for (let attempt = 1; ; attempt++) {
      try {
        return render(delivery, broadcast, unsubscribeUrl);
      } catch (error) {
        const stalled = error instanceof TemplateRenderError && isTimeLimit(error);
        if (!stalled || attempt >= RENDER_TRIES) throw error;
      }
    }
  }

  async function recordFailure(delivery: SendableBroadcastDelivery, now: Date, reason: string) {
    if (delivery.attempts + 1 >= maxAttempts) {
      await repository.markFinal(delivery.id, 'failed', reason);
      return;
    }
    const backoffMs = 60_000 * 2 ** delivery.attempts;
    const staleAt = now.getTime() + backoffMs - config.claimTimeoutSeconds * 1000;
    await repository.markRetry(delivery.id, reason, new Date(staleAt));
  }

  function eventOf(
    delivery: SendableBroadcastDelivery,
    broadcast: PreparedBroadcast,
    event: 'Email Delivered' | 'Email Bounced',
    at: Date,
  ): EmailFact {
    const kind = event === 'Email Delivered' ? 'delivered' : 'bounced';
    return {
      event: {
        businessId: delivery.business_id,
        messageId: `herald:broadcast:${kind}:${delivery.id}`,
        event,
        email: delivery.email,
        properties: {
          broadcastId: delivery.broadcast_id,
          variant: delivery.variant,
          subject: broadcast.subjects.get(delivery.variant) ?? '',
          ...(kind === 'bounced' ? { bounceType: 'hard' } : {}),
        },
        timestamp: at,
      },
      subscriberId: delivery.subscriber_id,
      deliveryId: delivery.id,
    };
  }

  async function sendOne(
    delivery: SendableBroadcastDelivery,
    now: Date,
    events: EmailFact[],
    ready: ReadonlyMap<string, PreparedBroadcast | undefined>,
  ): Promise<Outcome> {
    if (delivery.suppressed !== null || delivery.consent_status !== 'subscribed') {
      await repository.markFinal(
        delivery.id,
        'suppressed',
        delivery.suppressed ?? delivery.consent_status,
      );
      return 'suppressed';
    }
    const broadcast = ready.get(delivery.broadcast_id);
    if (!broadcast) return 'failed';
    const unsubscribeUrl = tracking.broadcastUrl('u', delivery.id);
    let email: ReturnType<typeof render>;
    try {
      email = renderWithRetries(delivery, broadcast, unsubscribeUrl);
    } catch (error) {
      const reason = failureReason(error);
      await recordFailure(
        delivery,
        now,
        reason.startsWith('Template error') ? reason : `Template error: ${reason}`,
      );
      return 'failed';
    }
    const sender = broadcast.sender;
    try {
      await mailer.send({
        messageId: broadcastMessageId(delivery.id, config.messageIdDomain),
        from: sender ? { name: sender.name, address: sender.email } : config.defaultFrom,
        replyTo: sender?.replyTo,
        to: delivery.email,
        subject: email.subject,
        html: email.html,
        text: email.text,
        unsubscribe: { url: unsubscribeUrl },
        headers: { 'X-Herald-Broadcast': delivery.broadcast_id },
        owner: delivery.business_id,
      });
      events.push(eventOf(delivery, broadcast, 'Email Delivered', new Date()));
      return 'sent';
    } catch (error) {
      if (error instanceof MailServerUnavailable) {
        // The server's outage, not this delivery's: later, and the attempt does not count.
        const retryAt = now.getTime() + deferMs - config.claimTimeoutSeconds * 1000;
        await repository.markDeferred(delivery.id, error.reason, new Date(retryAt));
        return 'deferred';
      }
      const reason = failureReason(error);
      if (isHardBounce(error)) {
        await repository.markFinal(delivery.id, 'bounced', reason);
        await audience.suppress(delivery.business_id, delivery.email, 'bounced');
        events.push(eventOf(delivery, broadcast, 'Email Bounced', new Date()));
      } else {
        await recordFailure(delivery, now, reason);
      }
      log.warn({ deliveryId: delivery.id, err: error }, 'broadcast delivery failed');
      return 'failed';
    }
  }

  async function markSent(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await repository.markSent(ids, new Date());
    } catch (error) {
      log.warn({ count: ids.length, err: error }, 'marking a group sent failed; one by one');
      for (const id of ids) {
        await repository.markSent([id], new Date()).catch((err: unknown) => {
          log.error({ deliveryId: id, err }, 'marking a broadcast delivery sent failed');
        });
      }
    }
  }

  /** The customer events and Herald's email.* events of a batch, in one transaction. */
  async function recordEvents(facts: EmailFact[]): Promise<void> {
    if (facts.length === 0) return;
    try {
      await db.transaction(async (tx) => {
        await recordInternalEvents(
          tx,
          facts.map((fact) => fact.event),
        );
        if (deps.events) await publishEmailEvents(tx, deps.events, facts);
      });
    } catch (error) {
      // The email went out; its event is the customer timeline's, not worth a resend.
      log.warn({ count: facts.length, err: error }, 'recording email events failed');
    }
  }

  async function sendAll(ids: string[], now: Date, round: BroadcastRound): Promise<void> {
    const deliveries = await repository.sendable(ids);
    // Each broadcast of the batch read (and compiled, when it changed) once.
    const ready = new Map<string, PreparedBroadcast | undefined>();
    for (const id of new Set(deliveries.map((delivery) => delivery.broadcast_id)))
      ready.set(id, await prepare(id));
    const events: EmailFact[] = [];
    let pending: string[] = [];
    let marking: Promise<void> = Promise.resolve();
    const flush = () => {
      const group = pending;
      pending = [];
      marking = marking.then(() => markSent(group));
      return marking;
    };
    try {
      await Promise.all(
        deliveries.map(async (delivery) => {
          let outcome: Outcome;
          try {
            outcome = await sendOne(delivery, now, events, ready);
          } catch (error) {
            log.error(
              { deliveryId: delivery.id, err: error },
              'broadcast delivery failed unexpectedly',
            );
            outcome = 'failed';
          }
          if (outcome === 'sent') {
            round.sent += 1;
            pending.push(delivery.id);
            if (pending.length >= SENT_GROUP) await flush();
          } else if (outcome === 'suppressed') round.suppressed += 1;
          else if (outcome === 'deferred') round.deferred += 1;
          else round.failed += 1;
        }),
      );
    } finally {
      await flush();
      await recordEvents(events);
      if (round.deferred > 0) {
        log.warn(
          { count: round.deferred, deferMs },
          'mail server unavailable; broadcast deliveries deferred',
        );
      }
    }
  }

  async function materialiseDue(now: Date): Promise<number> {
    let count = 0;
    for (const id of await repository.dueForMaterialising(now)) {
      const [row] = await db
        .select({
          broadcast: broadcasts,
          zone: sql<string>`(select timezone from businesses where id = ${broadcasts.businessId})`,
        })
        .from(broadcasts)
        .where(eq(broadcasts.id, id));
      if (!row?.broadcast.scheduledAt) continue;
      const { broadcast } = row;
      const done = await repository.materialise(
        {
          id,
          businessId: broadcast.businessId,
          audience: broadcast.audience,
          abTest: broadcast.abTest,
          variantKeys: broadcast.variants.map((variant) => variant.key),
          scheduledAt: broadcast.scheduledAt ?? now,
          localTime: broadcast.localTime,
          businessZone: row.zone,
        },
        now,
      );
      if (done) count += 1;
    }
    return count;
  }

  async function decideDue(now: Date): Promise<number> {
    let count = 0;
    for (const id of await repository.dueForDecision(now)) {
      const decided = await db.transaction(async (tx) => {
        const [row] = await tx.select().from(broadcasts).where(eq(broadcasts.id, id)).for('update');
        if (!row?.abTest || row.winner) return false;
        const counts = await repository.counts(tx, id);
        const winner = pickWinner(
          row.variants.map((variant) => variant.key),
          counts,
          row.abTest.metric,
        );
        return repository.applyWinner(tx, id, winner);
      });
      if (decided) count += 1;
    }
    return count;
  }

  async function runOnce(now = new Date()): Promise<BroadcastRound> {
    const round: BroadcastRound = {
      materialised: await materialiseDue(now),
      decided: await decideDue(now),
      claimed: 0,
      reclaimed: 0,
      sent: 0,
      suppressed: 0,
      failed: 0,
      deferred: 0,
      finished: 0,
    };
    const reclaimed = await repository.reclaimStale({
      now,
      staleBefore: new Date(now.getTime() - config.claimTimeoutSeconds * 1000),
      batchSize: config.batchSize,
      workerId,
    });
    round.reclaimed = reclaimed.length;
    if (reclaimed.length > 0) await sendAll(reclaimed, now, round);
    // Nothing new claimed while the mail server's breaker refuses sends.
    if (mailer.available?.() !== false) {
      const claimed = await repository.claimDue({
        now,
        batchSize: config.batchSize,
        perMinute: config.perMinute,
        workerId,
      });
      round.claimed = claimed.length;
      await sendAll(claimed, now, round);
    }
    round.finished = await repository.finishDone(now);
    return round;
  }

  const loop = pollingLoop({
    name: 'broadcast-dispatcher',
    intervalMs: config.intervalMs,
    logger: log,
    failureMessage: 'broadcast dispatch round failed',
    concurrency: config.concurrency ?? 2,
    round: async () => {
      const round = await runOnce();
      return round.claimed >= config.batchSize || round.reclaimed >= config.batchSize;
    },
  });

  return {
    workerId,
    runOnce,
    /** Materialises the recipients of broadcasts due by `now` (part of every round). */
    materialiseDue,
    start: loop.start,
    stop: loop.stop,
  };
}

export type BroadcastDispatcher = ReturnType<typeof createBroadcastDispatcher>;
