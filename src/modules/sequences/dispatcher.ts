// The sequence dispatcher: claims due steps in batches, sends each claimed delivery once and
// marks it sent. Claim-before-send is what makes "each (enrollment, step) at most once" hold
// across workers; a worker that dies between the SMTP "250 OK" and the "sent" update leaves
// the delivery claimed, and reconciliation resends it later with the same Message-ID — the one
// duplicate window, documented in docs/email-delivery.md. Each delivery is rendered, sent and
// recorded under its own guard: whatever one delivery throws (a template that cannot render, a
// failed update) fails that delivery alone, never the batch it was claimed with. While the mail
// server is unreachable (or its breaker `smtp:<host>` is open) a delivery is deferred: it stays
// claimed, its attempt uncounted, and goes again after `deferMs` — nothing failed, nothing sent twice.
import { hostname } from 'node:os';
import { setImmediate as nextTurn } from 'node:timers/promises';

import { pollingLoop } from '../../platform/background-loop.ts';
import type { Database } from '../../platform/db/client.ts';
import type { HeraldEvents } from '../../platform/events.ts';
import type { Logger } from '../../platform/logger.ts';
import { type Mailer, MailServerUnavailable } from '../../platform/mailer.ts';
import { createEmailAudience } from '../subscribers/index.ts';
import type { EmailEventName, InternalEvent } from '../tracking/index.ts';
import { decideDueTests, variantTemplates } from './ab-test.ts';
import {
  createDispatchRepository,
  type SendableDelivery,
  type SentDelivery,
} from './dispatch-repository.ts';
import type { EmailFact } from './email-events.ts';
import { isTimeLimit, RENDER_TRIES, TemplateRenderError } from './liquid-sandbox.ts';
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
  /** How long a delivery waits after the mail server was unavailable (the breaker's recovery). */
  deferMs?: number;
}

export interface DispatchRound {
  claimed: number;
  reclaimed: number;
  sent: number;
  suppressed: number;
  failed: number;
  /** Not sent because the mail server was unavailable: due again after `deferMs`. */
  deferred: number;
  /** A/B tests of steps whose winner was picked this round. */
  decided: number;
}

type Outcome =
  | { kind: 'sent'; subject: string }
  | { kind: 'suppressed' }
  | { kind: 'failed' }
  | { kind: 'deferred'; reason: string };

/** Deliveries marked "sent" per update: small groups keep the crash window short. */
const SENT_GROUP = 20;

/**
 * An error as the reason stored on the delivery and shown on the step: its first line, without
 * the server's directory, at most 500 characters.
 */
function failureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0] ?? '';
  return firstLine.replaceAll(process.cwd(), '.').slice(0, 500) || 'unknown error';
}

/**
 * SMTP refused the recipient: for good (5xx, a hard bounce: the address is suppressed) or for
 * now (4xx, a soft bounce: retried).
 */
function bounceOf(error: unknown): 'hard' | 'soft' | undefined {
  const code = (error as { responseCode?: unknown }).responseCode;
  const command = (error as { command?: unknown }).command;
  if (typeof code !== 'number' || command !== 'RCPT TO') return undefined;
  if (code >= 500 && code < 600) return 'hard';
  if (code >= 400 && code < 500) return 'soft';
  return undefined;
}

/** A customer-data event about a sequence delivery, with a messageId only this fact has. */
export function deliveryEvent(
  delivery: SendableDelivery,
  event: EmailEventName,
  messageId: string,
  subject: string,
  extra: Record<string, unknown> = {},
): InternalEvent {
  return {
    businessId: delivery.business_id,
    messageId,
    event,
    email: delivery.email,
    properties: {
      sequenceId: delivery.sequence_id,
      stepId: delivery.step_id,
      deliveryId: delivery.id,
      subject,
      ...(delivery.variant ? { variant: delivery.variant } : {}),
      ...extra,
    },
    timestamp: new Date(),
  };
}

export function createDispatcher(deps: {
  db: Database;
  mailer: Mailer;
  tracking: TrackingLinks;
  logger: Logger;
  config: DispatcherConfig;
  /** Hears email.delivered and email.bounced (webhooks, Slack). */
  events?: HeraldEvents;
}) {
  const { mailer, tracking, config } = deps;
  const repository = createDispatchRepository(deps.db, deps.events);
  const subscribers = createEmailAudience(deps.db);
  const log = deps.logger.child({ component: 'dispatcher' });
  const workerId = `${hostname()}:${String(process.pid)}:${Math.random().toString(36).slice(2, 8)}`;
  const maxAttempts = config.maxAttempts ?? 5;
  const deferMs = config.deferMs ?? 60_000;
  // Per step version: its compiled templates, or the error compiling them gave (a step that
  // cannot compile is not parsed again for each of its deliveries).
  const compiled = new Map<
    string,
    { version: string; step: CompiledStep } | { version: string; error: unknown }
  >();

  function compiledStep(delivery: SendableDelivery): CompiledStep {
    const version = String(new Date(delivery.step_updated_at).getTime());
    // Each A/B variant of a step is its own email.
    const key = delivery.variant ? `${delivery.step_id}:${delivery.variant}` : delivery.step_id;
    const cached = compiled.get(key);
    if (cached?.version === version) {
      if ('error' in cached) throw cached.error;
      return cached.step;
    }
    try {
      const variant = delivery.variants?.find((candidate) => candidate.key === delivery.variant);
      if (delivery.variant && !variant) {
        throw new Error(`Template error: variant ${delivery.variant} is gone`);
      }
      const step = compileStep(variantTemplates(delivery, variant));
      compiled.set(key, { version, step });
      return step;
    } catch (error) {
      compiled.set(key, { version, error });
      throw error;
    }
  }

  /**
   * A failed attempt: retried by reconciliation after a backoff of 1, 2, 4, 8 minutes, and
   * given up (`failed`, with its reason) once it has used its attempts.
   */
  async function recordFailure(
    delivery: SendableDelivery,
    now: Date,
    reason: string,
    fact?: EmailFact,
  ) {
    if (delivery.attempts + 1 >= maxAttempts) {
      await repository.markFinal(delivery.id, 'failed', reason, fact);
      return;
    }
    const backoffMs = 60_000 * 2 ** delivery.attempts;
    const staleAt = now.getTime() + backoffMs - config.claimTimeoutSeconds * 1000;
    await repository.markRetry(delivery.id, reason, new Date(staleAt), fact);
  }

  // One render per event-loop turn: a batch of deliveries whose templates each render close to
  // the time limit must not hold the loop (and every request) for the whole batch.
  let renderTurn: Promise<unknown> = Promise.resolve();
  function nextRenderTurn(): Promise<unknown> {
    renderTurn = renderTurn.then(() => nextTurn());
    return renderTurn;
  }

  function render(delivery: SendableDelivery, unsubscribeUrl: string) {
    const rendered = renderStep(compiledStep(delivery), {
      subscriber: {
        email: delivery.email,
        firstName: delivery.first_name,
        lastName: delivery.last_name,
        attributes: delivery.attributes,
      },
      business: { name: delivery.business_name },
      unsubscribeUrl,
      event: delivery.trigger_event,
    });
    const html = addTracking(
      rendered.html,
      (url) => tracking.clickUrl(delivery.id, url),
      (url) => tracking.isUnsubscribeUrl(url),
      tracking.openUrl(delivery.id),
    );
    return { ...rendered, html };
  }

  /** Renders in its own event-loop turn; out of time, again in a later turn (isTimeLimit). */
  async function renderInTurns(delivery: SendableDelivery, unsubscribeUrl: string) {
    for (let attempt = 1; ; attempt++) {
      await nextRenderTurn();
      try {
        return render(delivery, unsubscribeUrl);
      } catch (error) {
        const stalled = error instanceof TemplateRenderError && isTimeLimit(error);
        if (!stalled || attempt >= RENDER_TRIES) throw error;
      }
    }
  }

  async function sendOne(delivery: SendableDelivery, now: Date): Promise<Outcome> {
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
      return { kind: 'suppressed' };
    }
    const unsubscribeUrl = tracking.unsubscribeUrl(delivery.id);
    let email: ReturnType<typeof render>;
    try {
      email = await renderInTurns(delivery, unsubscribeUrl);
    } catch (error) {
      // The step's template (compile or render) — the business's to fix, shown on the step.
      const reason = failureReason(error);
      await recordFailure(
        delivery,
        now,
        reason.startsWith('Template error') ? reason : `Template error: ${reason}`,
      );
      log.warn(
        { deliveryId: delivery.id, stepId: delivery.step_id, err: error },
        'delivery render failed',
      );
      return { kind: 'failed' };
    }
    const sender = delivery.default_sender;
    try {
      await mailer.send({
        messageId: delivery.message_id,
        from: sender ? { name: sender.name, address: sender.email } : config.defaultFrom,
        replyTo: sender?.replyTo,
        to: delivery.email,
        subject: email.subject,
        html: email.html,
        text: email.text,
        unsubscribe: { url: unsubscribeUrl },
        headers: { 'X-Herald-Delivery': delivery.id },
        owner: delivery.business_id,
      });
      return { kind: 'sent', subject: email.subject };
    } catch (error) {
      if (error instanceof MailServerUnavailable) {
        // The server's outage, not this delivery's: later, and the attempt does not count.
        const retryAt = now.getTime() + deferMs - config.claimTimeoutSeconds * 1000;
        await repository.markDeferred(delivery.id, error.reason, new Date(retryAt));
        return { kind: 'deferred', reason: error.reason };
      }
      const reason = failureReason(error);
      const bounce = bounceOf(error);
      const bounced = (type: 'hard' | 'soft', messageId: string): EmailFact => ({
        event: deliveryEvent(delivery, 'Email Bounced', messageId, email.subject, {
          bounceType: type,
          reason,
        }),
        subscriberId: delivery.subscriber_id,
        deliveryId: delivery.id,
      });
      if (bounce === 'hard') {
        await repository.markFinal(
          delivery.id,
          'bounced',
          reason,
          bounced('hard', `herald:bounced:${delivery.id}`),
        );
        await subscribers.suppress(delivery.business_id, delivery.email, 'bounced');
        await repository.stopEnrollmentsOf(
          delivery.business_id,
          delivery.subscriber_id,
          'cancelled',
        );
      } else {
        // A soft bounce is recorded once per attempt.
        const event =
          bounce === 'soft'
            ? bounced('soft', `herald:bounced:${delivery.id}:${String(delivery.attempts + 1)}`)
            : undefined;
        await recordFailure(delivery, now, reason, event);
      }
      log.warn({ deliveryId: delivery.id, err: error }, 'delivery send failed');
      return { kind: 'failed' };
    }
  }

  /**
   * Records a group as sent in one update; when that fails, one by one, so a row the database
   * refuses keeps only itself claimed (reconciled later), never the rest of its group.
   */
  async function markSent(sent: SentDelivery[]): Promise<void> {
    if (sent.length === 0) return;
    try {
      await repository.markSent(sent, new Date());
      return;
    } catch (error) {
      log.warn({ count: sent.length, err: error }, 'marking a group sent failed; one by one');
    }
    for (const one of sent) {
      try {
        await repository.markSent([one], new Date());
      } catch (error) {
        log.error({ deliveryId: one.id, err: error }, 'marking a delivery sent failed');
      }
    }
  }

  /**
   * Sends claimed deliveries concurrently, each under its own guard; "sent" is recorded in
   * small groups as they finish, and the last group whatever happened to the others.
   */
  async function sendAll(ids: string[], now: Date, round: DispatchRound): Promise<void> {
    const deliveries = await repository.sendable(ids);
    let deferredReason: string | undefined;
    let pending: SentDelivery[] = [];
    let marking: Promise<void> = Promise.resolve();
    // Groups are marked one after another; markSent never rejects, so one group's failure
    // cannot stop the next from being recorded.
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
            outcome = await sendOne(delivery, now);
          } catch (error) {
            // Recording the outcome failed: the claim stays and reconciliation retries it.
            log.error({ deliveryId: delivery.id, err: error }, 'delivery failed unexpectedly');
            outcome = { kind: 'failed' };
          }
          if (outcome.kind === 'sent') {
            round.sent += 1;
            const { subject } = outcome;
            pending.push({
              id: delivery.id,
              subject,
              subscriberId: delivery.subscriber_id,
              event: deliveryEvent(
                delivery,
                'Email Delivered',
                `herald:delivered:${delivery.id}`,
                subject,
              ),
            });
            if (pending.length >= SENT_GROUP) await flush();
          } else if (outcome.kind === 'suppressed') round.suppressed += 1;
          else if (outcome.kind === 'deferred') {
            round.deferred += 1;
            deferredReason = outcome.reason;
          } else round.failed += 1;
        }),
      );
    } finally {
      await flush();
      // One line per batch, not one per delivery, while the server is down.
      if (deferredReason !== undefined) {
        log.warn(
          { count: round.deferred, reason: deferredReason, deferMs },
          'mail server unavailable; deliveries deferred',
        );
      }
    }
  }

  /** One round: reconcile stale claims, claim due steps, send them. */
  async function runOnce(now = new Date()): Promise<DispatchRound> {
    const round: DispatchRound = {
      claimed: 0,
      reclaimed: 0,
      sent: 0,
      suppressed: 0,
      failed: 0,
      deferred: 0,
      decided: 0,
    };
    // Winners first: a step whose wait has ended sends its winner from this round's claims on.
    round.decided = await decideDueTests(deps.db, now);
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
    // While the mail server's breaker refuses sends, nothing new is claimed: the enrollments
    // stay due (and the business's send budget unspent) until it lets calls through again.
    if (mailer.available?.() === false) return round;
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

  const loop = pollingLoop({
    name: 'sequence-dispatcher',
    intervalMs: config.intervalMs,
    logger: log,
    failureMessage: 'dispatch round failed',
    concurrency: config.concurrency ?? 2,
    round: async () => {
      const round = await runOnce();
      return round.claimed >= config.batchSize || round.reclaimed >= config.batchSize;
    },
  });

  return {
    workerId,
    runOnce,
    /** Starts the background loop in this process (workers and `herald serve`). */
    start: loop.start,
    /** Stops claiming; waits for the round in flight to finish its sends. */
    stop: loop.stop,
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
