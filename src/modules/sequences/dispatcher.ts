// The sequence dispatcher: claims due steps in batches, sends each claimed delivery once and
// marks it sent. Claim-before-send is what makes "each (enrollment, step) at most once" hold
// across workers; a worker that dies between the SMTP "250 OK" and the "sent" update leaves
// the delivery claimed, and reconciliation resends it later with the same Message-ID — the one
// duplicate window, documented in docs/email-delivery.md.
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Database } from '../../platform/db/client.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Mailer } from '../../platform/mailer.ts';
import { createSubscriberRepository } from '../subscribers/repository.ts';
import { createDispatchRepository, type SendableDelivery } from './dispatch-repository.ts';
import { addTracking, type CompiledStep, compileStep, renderStep } from './templates.ts';
import type { TrackingLinks } from './tracking.ts';

export interface DispatcherConfig {
  batchSize: number;
  intervalMs: number;
  perMinute: number;
  claimTimeoutSeconds: number;
  messageIdDomain: string;
  defaultFrom: string;
  /** Attempts before a delivery that keeps failing (not bouncing) is given up. */
  maxAttempts?: number;
  /**
   * Rounds in flight at once in this process: while one batch is sending, the next is claimed
   * and rendered, so the SMTP pool never waits on the database. Each adds a batch to what a
   * crash can leave claimed-but-sent (see docs/email-delivery.md).
   */
  concurrency?: number;
}

export interface DispatchRound {
  claimed: number;
  reclaimed: number;
  sent: number;
  suppressed: number;
  failed: number;
}

/** SMTP refused the recipient for good (5xx): the address is suppressed as bounced. */
function isHardBounce(error: unknown): boolean {
  const code = (error as { responseCode?: unknown }).responseCode;
  const command = (error as { command?: unknown }).command;
  return typeof code === 'number' && code >= 500 && code < 600 && command === 'RCPT TO';
}

export function createDispatcher(deps: {
  db: Database;
  mailer: Mailer;
  tracking: TrackingLinks;
  logger: Logger;
  config: DispatcherConfig;
}) {
  const { mailer, tracking, config } = deps;
  const repository = createDispatchRepository(deps.db);
  const subscribers = createSubscriberRepository(deps.db);
  const log = deps.logger.child({ component: 'dispatcher' });
  const workerId = `${hostname()}:${String(process.pid)}:${Math.random().toString(36).slice(2, 8)}`;
  const maxAttempts = config.maxAttempts ?? 5;
  const compiled = new Map<string, { version: string; step: CompiledStep }>();

  function compiledStep(delivery: SendableDelivery): CompiledStep {
    const version = String(new Date(delivery.step_updated_at).getTime());
    const cached = compiled.get(delivery.step_id);
    if (cached?.version === version) return cached.step;
    const step = compileStep(delivery);
    compiled.set(delivery.step_id, { version, step });
    return step;
  }

  async function sendOne(
    delivery: SendableDelivery,
    now: Date,
  ): Promise<'sent' | 'suppressed' | 'failed'> {
    if (delivery.suppressed !== null || delivery.consent_status !== 'subscribed') {
      await repository.markFinal(
        delivery.id,
        'suppressed',
        delivery.suppressed ?? delivery.consent_status,
      );
      await repository.stopEnrollmentsOf(
        delivery.business_id,
        delivery.subscriber_id,
        'unsubscribed',
      );
      return 'suppressed';
    }
    const unsubscribeUrl = tracking.unsubscribeUrl(delivery.id);
    const rendered = renderStep(compiledStep(delivery), {
      subscriber: {
        email: delivery.email,
        firstName: delivery.first_name,
        lastName: delivery.last_name,
        attributes: delivery.attributes,
      },
      business: { name: delivery.business_name },
      unsubscribeUrl,
    });
    const html = addTracking(
      rendered.html,
      (url) => tracking.clickUrl(delivery.id, url),
      (url) => tracking.isUnsubscribeUrl(url),
      tracking.openUrl(delivery.id),
    );
    const sender = delivery.default_sender;
    try {
      await mailer.send({
        messageId: delivery.message_id,
        from: sender ? { name: sender.name, address: sender.email } : config.defaultFrom,
        replyTo: sender?.replyTo,
        to: delivery.email,
        subject: rendered.subject,
        html,
        text: rendered.text,
        unsubscribe: { url: unsubscribeUrl },
        headers: { 'X-Herald-Delivery': delivery.id },
        owner: delivery.business_id,
      });
      return 'sent';
    } catch (error) {
      const message = error instanceof Error ? error.message.slice(0, 500) : 'send failed';
      if (isHardBounce(error)) {
        await repository.markFinal(delivery.id, 'bounced', message);
        await subscribers.suppress(delivery.business_id, delivery.email, 'bounced');
        await repository.stopEnrollmentsOf(
          delivery.business_id,
          delivery.subscriber_id,
          'cancelled',
        );
      } else if (delivery.attempts + 1 >= maxAttempts) {
        await repository.markFinal(delivery.id, 'failed', message);
      } else {
        // Retried by reconciliation after a backoff: 1, 2, 4, 8 minutes.
        const backoffMs = 60_000 * 2 ** delivery.attempts;
        const staleAt = now.getTime() + backoffMs - config.claimTimeoutSeconds * 1000;
        await repository.markRetry(delivery.id, message, new Date(staleAt));
      }
      log.warn({ deliveryId: delivery.id, err: error }, 'delivery send failed');
      return 'failed';
    }
  }

  /** Sends claimed deliveries concurrently; "sent" is recorded in small groups as they finish. */
  async function sendAll(ids: string[], now: Date, round: DispatchRound): Promise<void> {
    const deliveries = await repository.sendable(ids);
    let pending: string[] = [];
    let flushing: Promise<void> = Promise.resolve();
    const flush = () => {
      const batch = pending;
      pending = [];
      flushing = flushing.then(() => repository.markSent(batch, new Date()));
      return flushing;
    };
    await Promise.all(
      deliveries.map(async (delivery) => {
        const outcome = await sendOne(delivery, now);
        if (outcome === 'sent') {
          round.sent += 1;
          pending.push(delivery.id);
          // Small groups keep the crash window (sent at the server, not yet marked) short.
          if (pending.length >= 20) await flush();
        } else if (outcome === 'suppressed') round.suppressed += 1;
        else round.failed += 1;
      }),
    );
    await flush();
  }

  /** One round: reconcile stale claims, claim due steps, send them. */
  async function runOnce(now = new Date()): Promise<DispatchRound> {
    const round: DispatchRound = { claimed: 0, reclaimed: 0, sent: 0, suppressed: 0, failed: 0 };
    const reclaimed = await repository.reclaimStale({
      now,
      staleBefore: new Date(now.getTime() - config.claimTimeoutSeconds * 1000),
      batchSize: config.batchSize,
      workerId,
    });
    round.reclaimed = reclaimed.length;
    if (reclaimed.length > 0) {
      log.info({ count: reclaimed.length }, 'stale deliveries reclaimed');
      await sendAll(reclaimed, now, round);
    }
    const claimed = await repository.claimDue({
      now,
      batchSize: config.batchSize,
      workerId,
      perMinute: config.perMinute,
      messageIdDomain: config.messageIdDomain,
    });
    round.claimed = claimed.length;
    await sendAll(claimed, now, round);
    if (round.claimed + round.reclaimed > 0) log.debug({ ...round }, 'dispatch round');
    return round;
  }

  let running: Promise<void> | undefined;
  const controller = new AbortController();

  async function loop(): Promise<void> {
    while (!controller.signal.aborted) {
      let busy = false;
      try {
        const round = await runOnce();
        busy = round.claimed >= config.batchSize || round.reclaimed >= config.batchSize;
      } catch (error) {
        log.error({ err: error }, 'dispatch round failed');
      }
      if (!busy)
        await sleep(config.intervalMs, undefined, { signal: controller.signal }).catch(
          () => undefined,
        );
    }
  }

  return {
    workerId,
    runOnce,
    /** Starts the background loop in this process (workers and `herald serve`). */
    start(): void {
      running ??= Promise.all(Array.from({ length: config.concurrency ?? 2 }, loop)).then(
        () => undefined,
      );
    },
    /** Stops claiming; waits for the round in flight to finish its sends. */
    async stop(): Promise<void> {
      controller.abort();
      await running;
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
