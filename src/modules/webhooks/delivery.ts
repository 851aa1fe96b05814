// How Herald's events reach webhook endpoints. The listener records work inside the publisher's
// transaction: the event once per (business, key) — its id is the `webhook-id` of every
// attempt — and one delivery per active endpoint that hears its type. The deliverer claims due
// deliveries, POSTs them signed through the host's breaker, logs each attempt, and retries with
// backoff (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, ±10 %) before giving up; an endpoint whose
// deliveries fail for good several times in a row is turned off with a notice for its owner.
import { randomUUID } from 'node:crypto';

import { BrokenCircuitError, IsolatedCircuitError } from 'cockatiel';

import { pollingLoop } from '../../platform/background-loop.ts';
import type { BreakerRegistry } from '../../platform/breaker.ts';
import type { Database } from '../../platform/db/client.ts';
import type { HeraldEventListener } from '../../platform/events.ts';
import { RefusedTarget } from '../../platform/http/outbound.ts';
import type { Logger } from '../../platform/logger.ts';
import type { BackgroundLoop } from '../../platform/queue.ts';
import { createWebhookRepository, type DeliveryToSend } from './repository.ts';
import { postSigned, type ReceiverAnswer, signedHeaders } from './sender.ts';

/** The waits after each failed attempt; past the last one the delivery has failed for good. */
export const RETRY_DELAYS_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
const JITTER = 0.1;
/** Events (with their deliveries and attempts) are kept this long in the delivery log. */
export const LOG_RETENTION_DAYS = 30;
const PURGE_BATCH = 1000;

/** The wait before the next attempt after `attemptsMade` failed ones; undefined: give up. */
export function retryDelayMs(
  attemptsMade: number,
  random: () => number = Math.random,
): number | undefined {
  const base = RETRY_DELAYS_MS[attemptsMade - 1];
  if (base === undefined) return undefined;
  // Jitter spreads the retries of many deliveries that failed together (a receiver's outage).
  return Math.round(base * (1 + JITTER * (random() * 2 - 1)));
}

/** A new event's id, the `webhook-id` header (Standard Webhooks' `msg_` style). */
export function newEventId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/** Records an event's deliveries; it never calls out (platform/events.ts). */
export function createWebhookListener(): HeraldEventListener {
  return {
    name: 'webhooks',
    async onEvent(tx, event) {
      const repository = createWebhookRepository(tx);
      const endpoints = await repository.subscribedEndpoints(event.businessId, event.type);
      if (endpoints.length === 0) return;
      const occurredAt = event.occurredAt ?? new Date();
      const eventId = await repository.insertEvent({
        id: newEventId(),
        businessId: event.businessId,
        type: event.type,
        key: event.key,
        payload: { type: event.type, timestamp: occurredAt.toISOString(), data: event.data },
        occurredAt,
      });
      // Already known (a retried publisher): its deliveries were made the first time.
      if (eventId === undefined) return;
      await repository.insertDeliveries(
        endpoints.map((endpoint) => ({
          businessId: event.businessId,
          endpointId: endpoint.id,
          eventId,
        })),
      );
    },
  };
}

export interface WebhookDelivererDeps {
  db: Database;
  breakers: Pick<BreakerRegistry, 'get'>;
  logger: Logger;
  config: {
    timeoutMs: number;
    disableAfterFailures: number;
    allowPrivateTargets: boolean;
    /** How long to wait when the host's breaker is open. */
    breakerRetryMs: number;
  };
  /** The scheduler's time; tests drive it. */
  clock?: () => Date;
  random?: () => number;
  batchSize?: number;
  intervalMs?: number;
}

/** What one POST came to. */
type AttemptResult =
  | { kind: 'answered'; answer: ReceiverAnswer; latencyMs: number }
  | { kind: 'no-answer'; error: string; refused: boolean; latencyMs: number }
  | { kind: 'breaker-open'; error: string };

/** A 5xx or 429 answer, thrown inside the breaker so it counts as the host's trouble. */
class ReceiverTrouble extends Error {
  readonly answer: ReceiverAnswer;
  constructor(answer: ReceiverAnswer) {
    super(`the receiver answered ${answer.statusCode}`);
    this.answer = answer;
  }
}

const isSuccess = (statusCode: number) => statusCode >= 200 && statusCode < 300;

export type ManualMode = 'redeliver' | 'test';

export function createWebhookDeliverer(deps: WebhookDelivererDeps) {
  const { db, breakers, logger, config } = deps;
  const clock = deps.clock ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const batchSize = deps.batchSize ?? 10;
  // A claim older than this is a crashed worker's: the POST has long timed out.
  const leaseMs = config.timeoutMs + 30_000;

  async function post(row: DeliveryToSend): Promise<AttemptResult> {
    const body = JSON.stringify(row.payload);
    // Signed with the time it is sent: receivers compare it with their own clock.
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = signedHeaders(row.secret, row.eventId, timestamp, body);
    const host = new URL(row.url).host;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const answer = await breakers.get(`webhook:${host}`).execute(async () => {
        const answer = await postSigned(row.url, body, headers, {
          timeoutMs: config.timeoutMs,
          allowPrivate: config.allowPrivateTargets,
        });
        if (answer.statusCode >= 500 || answer.statusCode === 429) {
          throw new ReceiverTrouble(answer);
        }
        return answer;
      });
      return { kind: 'answered', answer, latencyMs: elapsed() };
    } catch (error) {
      if (error instanceof ReceiverTrouble) {
        return { kind: 'answered', answer: error.answer, latencyMs: elapsed() };
      }
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        return { kind: 'breaker-open', error: `the circuit for ${host} is open` };
      }
      return {
        kind: 'no-answer',
        error: error instanceof Error ? error.message : String(error),
        refused: error instanceof RefusedTarget,
        latencyMs: elapsed(),
      };
    }
  }

  function attemptRow(row: DeliveryToSend, result: AttemptResult, at: Date, manual: boolean) {
    return {
      deliveryId: row.id,
      attemptedAt: at,
      statusCode: result.kind === 'answered' ? result.answer.statusCode : null,
      latencyMs: result.kind === 'breaker-open' ? null : result.latencyMs,
      responseExcerpt: result.kind === 'answered' ? result.answer.excerpt : null,
      error:
        result.kind === 'answered'
          ? isSuccess(result.answer.statusCode)
            ? null
            : `the receiver answered ${result.answer.statusCode}`
          : result.error,
      manual,
    };
  }

  /** One scheduled attempt of a claimed delivery, and what it leads to. */
  async function attemptScheduled(row: DeliveryToSend, now: Date): Promise<void> {
    const result = await post(row);
    if (result.kind === 'breaker-open') {
      // The host is known to be down: wait for the breaker, without spending an attempt.
      await createWebhookRepository(db).settleDelivery(row.id, {
        nextAttemptAt: new Date(now.getTime() + config.breakerRetryMs),
        lastError: `${result.error}; deferred`,
      });
      return;
    }
    const attempt = attemptRow(row, result, now, false);
    const attempts = row.attempts + 1;
    await db.transaction(async (tx) => {
      const repository = createWebhookRepository(tx);
      await repository.insertAttempt(attempt);
      if (result.kind === 'answered' && isSuccess(result.answer.statusCode)) {
        await repository.settleDelivery(row.id, {
          status: 'delivered',
          attempts,
          deliveredAt: now,
          lastStatusCode: result.answer.statusCode,
          lastError: null,
        });
        await repository.resetEndpointFailures(row.endpointId);
        return;
      }
      // A refused target is refused again next time: give up at once.
      const delay =
        result.kind === 'no-answer' && result.refused ? undefined : retryDelayMs(attempts, random);
      if (delay !== undefined) {
        await repository.settleDelivery(row.id, {
          attempts,
          nextAttemptAt: new Date(now.getTime() + delay),
          lastStatusCode: attempt.statusCode,
          lastError: attempt.error,
        });
        return;
      }
      await repository.settleDelivery(row.id, {
        status: 'failed',
        attempts,
        lastStatusCode: attempt.statusCode,
        lastError: attempt.error,
      });
      const endpoint = await repository.countEndpointFailure(row.endpointId);
      if (endpoint && endpoint.consecutiveFailures >= config.disableAfterFailures) {
        const failures = endpoint.consecutiveFailures;
        const reason = `Turned off after ${failures} ${failures === 1 ? 'delivery' : 'deliveries'} in a row failed (the last: ${attempt.error ?? 'no answer'}). Fix the receiver, then turn the endpoint back on.`;
        if (await repository.disableEndpoint(row.endpointId, reason, now)) {
          logger.warn(
            { businessId: row.businessId, endpointId: row.endpointId },
            'webhook endpoint disabled',
          );
        }
      }
    });
  }

  /** One attempt asked for by the owner, of a delivery already claimed; logged as manual. */
  async function attemptManual(row: DeliveryToSend, mode: ManualMode): Promise<void> {
    const now = clock();
    const result = await post(row);
    const attempt = attemptRow(row, result, now, true);
    const delivered = result.kind === 'answered' && isSuccess(result.answer.statusCode);
    await db.transaction(async (tx) => {
      const repository = createWebhookRepository(tx);
      await repository.insertAttempt(attempt);
      if (delivered) {
        await repository.settleDelivery(row.id, {
          status: 'delivered',
          deliveredAt: now,
          lastStatusCode: attempt.statusCode,
          lastError: null,
        });
        await repository.resetEndpointFailures(row.endpointId);
        return;
      }
      // A redelivery that fails leaves the delivery as it was (a pending one keeps its
      // schedule); a test event is tried once.
      await repository.settleDelivery(row.id, {
        ...(mode === 'test' ? { status: 'failed' as const } : {}),
        lastStatusCode: attempt.statusCode,
        lastError: attempt.error,
      });
    });
  }

  /**
   * Attempts the deliveries due at `now` (a batch); answers how many it claimed. The loop calls
   * it with the clock; tests call it with the time they want it to be.
   */
  async function deliverDue(now: Date = clock()): Promise<number> {
    const repository = createWebhookRepository(db);
    const ids = await repository.claimDue(now, new Date(now.getTime() - leaseMs), batchSize);
    const rows = await repository.toSend(ids);
    await Promise.all(rows.map((row) => attemptScheduled(row, now)));
    return ids.length;
  }

  /** Deletes the log of events older than LOG_RETENTION_DAYS (nothing pending); how many. */
  async function purgeLog(now: Date = clock()): Promise<number> {
    const before = new Date(now.getTime() - LOG_RETENTION_DAYS * 86_400_000);
    return createWebhookRepository(db).purgeEvents(before, PURGE_BATCH);
  }

  return {
    deliverDue,

    /** Sends a delivery of the business again now; false when a worker is sending it. */
    async redeliver(businessId: string, deliveryId: string): Promise<boolean> {
      const repository = createWebhookRepository(db);
      const now = clock();
      const claimed = await repository.claimOne(
        businessId,
        deliveryId,
        now,
        new Date(now.getTime() - leaseMs),
      );
      if (!claimed) return false;
      const [row] = await repository.toSend([deliveryId]);
      if (row) await attemptManual(row, 'redeliver');
      return true;
    },

    /** Sends a test delivery its creator has claimed (service.ts inserts it claimed). */
    async sendClaimed(deliveryId: string): Promise<void> {
      const [row] = await createWebhookRepository(db).toSend([deliveryId]);
      if (row) await attemptManual(row, 'test');
    },

    purgeLog,

    /** Hourly, wherever the job queue is consumed: the log's retention. */
    retentionLoop(): BackgroundLoop {
      return pollingLoop({
        name: 'webhook-log-retention',
        round: async () => (await purgeLog()) >= PURGE_BATCH,
        intervalMs: 60 * 60_000,
        logger,
        failureMessage: 'webhook log retention failed',
      });
    },

    /** The loop that runs wherever the job queue is consumed. */
    loop(): BackgroundLoop {
      return pollingLoop({
        name: 'webhook-deliveries',
        round: async () => (await deliverDue()) >= batchSize,
        intervalMs: deps.intervalMs ?? 1000,
        logger,
        failureMessage: 'webhook delivery round failed',
      });
    },
  };
}

export type WebhookDeliverer = ReturnType<typeof createWebhookDeliverer>;
