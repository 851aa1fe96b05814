// Scheduled publishing. Scheduling a piece enqueues a wake-up at its publish time; whichever
// worker runs it claims due pieces in batches (FOR UPDATE SKIP LOCKED, with a lease) and
// publishes them. A piece is published once: its `publications` row is unique, and the status
// moves scheduled → published in the same transaction, only while the claim is still the one
// that attempt made. A worker that dies mid-batch leaves leases that expire; another worker
// takes them over. Outbox pieces are published in one transaction per batch. External channels
// (webhook, Slack, email) get a stable delivery id, so a receiver can drop the duplicate that a
// crash between "sent" and "recorded" would cause. Every attempt is recorded. Wherever jobs are
// consumed, a sweep also drains due pieces every minute, so a piece whose wake-up job was lost
// (a queue restored from backup, a job deleted by hand) is still published.
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import type { DatabaseHandle } from '../../platform/db/client.ts';
import { type HeraldEvents, noHeraldEvents } from '../../platform/events.ts';
import type { Logger } from '../../platform/logger.ts';
import type { BackgroundLoop, JobDefinition, JobQueue } from '../../platform/queue.ts';
import type { Adapter, DeliveryOutcome } from './adapters.ts';
import { contentFailedEvent, contentPublishedEvent } from './events.ts';
import { plainTextOf, type Platform } from './platforms.ts';
import { type ClaimedRow, createPublishRepository } from './publish-repository.ts';
import type { PublishChannel } from './schemas.ts';

export const PUBLISH_QUEUE = 'content.publish-due';

export interface PublisherConfig {
  batchSize: number;
  leaseSeconds: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** How often the sweep looks for due pieces without a wake-up (default one minute). */
  sweepIntervalMs?: number | undefined;
}

export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

export function createPublisher(deps: {
  database: DatabaseHandle;
  /** Wake-ups are sent to it; the sweep is registered with it (it runs where jobs are worked). */
  queue: Pick<JobQueue, 'send' | 'addBackgroundLoop'>;
  adapters: Record<PublishChannel, Adapter>;
  config: PublisherConfig;
  logger: Logger;
  /** content.published and content.failed, in the transaction that records the outcome. */
  events?: HeraldEvents;
  /** The dashboard's address, for the published piece's link in its event. */
  publicUrl?: string;
  /** How long a piece waits when its target's breaker is open (the breakers' recovery time). */
  deferMs?: number;
}) {
  const { database, config, logger } = deps;
  const events = deps.events ?? noHeraldEvents;
  const publicUrl = deps.publicUrl ?? '';
  const worker = `${hostname()}:${process.pid}`;
  const repository = createPublishRepository(database);

  async function wake(at: Date): Promise<void> {
    await deps.queue.send(PUBLISH_QUEUE, {}, { startAfter: at });
  }

  async function claim(limit: number): Promise<ClaimedRow[]> {
    return repository.claimDue(limit, config.leaseSeconds);
  }

  function payloadOf(row: ClaimedRow): Record<string, unknown> {
    return {
      platform: row.platform,
      topic: row.topic,
      campaignId: row.campaign_id,
      ...(row.body ?? {}),
    };
  }

  /** The whole batch of outbox pieces: one transaction, published only where the claim holds. */
  async function publishToOutbox(rows: ClaimedRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const started = Date.now();
    const published = await database.db.transaction(async (tx) => {
      const done = await repository.publishToOutbox(tx, rows, worker, Date.now() - started);
      for (const outcome of done)
        await events.publish(tx, contentPublishedEvent(outcome, publicUrl));
      return done;
    });
    return published.length;
  }

  async function recordSuccess(row: ClaimedRow, outcome: DeliveryOutcome, ms: number) {
    return database.db.transaction(async (tx) => {
      const published = await repository.recordSuccess(tx, row, payloadOf(row), {
        worker,
        durationMs: ms,
        statusCode: outcome.statusCode ?? null,
        recipients: outcome.recipients,
      });
      if (published) await events.publish(tx, contentPublishedEvent(published, publicUrl));
      return published !== undefined;
    });
  }

  async function recordFailure(
    row: ClaimedRow,
    outcome: Extract<DeliveryOutcome, { ok: false }>,
    ms: number,
  ): Promise<Date | undefined> {
    const final = !outcome.retryable || row.publish_attempts >= config.maxAttempts;
    const retryAt = new Date(Date.now() + config.retryBaseMs * 2 ** (row.publish_attempts - 1));
    const error = outcome.error.slice(0, 1000);
    await database.db.transaction(async (tx) => {
      const failed = await repository.recordFailure(
        tx,
        row,
        { final, retryAt, error },
        {
          worker,
          durationMs: ms,
          statusCode: outcome.statusCode ?? null,
          recipients: outcome.recipients,
        },
      );
      if (failed) await events.publish(tx, contentFailedEvent(failed, error));
    });
    return final ? undefined : retryAt;
  }

  async function publishExternal(row: ClaimedRow): Promise<Date | undefined> {
    // The column is text: a channel this server does not know fails instead of crashing.
    const adapter = deps.adapters[row.channel as PublishChannel] as Adapter | undefined;
    const started = Date.now();
    const payload = payloadOf(row);
    const outcome: DeliveryOutcome = adapter
      ? await adapter({
          deliveryId: row.id,
          businessId: row.business_id,
          contentId: row.id,
          platform: row.platform,
          text: plainTextOf(row.platform as Platform, row.body ?? {}),
          payload,
          target: row.channel_target,
        })
      : { ok: false, retryable: false, error: `unknown channel ${row.channel}` };
    const ms = Date.now() - started;
    if (outcome.ok) {
      await recordSuccess(row, outcome, ms);
      logger.info({ contentId: row.id, channel: row.channel }, 'content published');
      return undefined;
    }
    logger.warn(
      {
        contentId: row.id,
        channel: row.channel,
        attempt: row.publish_attempts,
        err: outcome.error,
      },
      'content publish attempt failed',
    );
    if (outcome.deferred) {
      // Nothing was sent: an open breaker puts the piece off without using up an attempt, so an
      // outage longer than the retries does not fail it for good.
      const retryAt = new Date(Date.now() + (deps.deferMs ?? 60_000));
      await repository.recordDeferral(row, retryAt);
      return retryAt;
    }
    return recordFailure(row, outcome, ms);
  }

  /** Publishes everything due, batch after batch; returns how many pieces it published. */
  async function drain(): Promise<number> {
    let published = 0;
    const retries: Date[] = [];
    for (;;) {
      const rows = await claim(config.batchSize);
      if (rows.length === 0) break;
      published += await publishToOutbox(rows.filter((row) => row.channel === 'outbox'));
      const external = rows.filter((row) => row.channel !== 'outbox');
      const results = await Promise.all(external.map((row) => publishExternal(row)));
      for (const retry of results) if (retry) retries.push(retry);
      published += results.filter((retry) => retry === undefined).length;
    }
    // Pieces another worker holds (or held, before it died) and retries come due later: make
    // sure some worker looks again when their leases run out.
    const leaseExpiry = await repository.nextLeaseExpiry();
    if (leaseExpiry) await wake(leaseExpiry);
    else if (retries.length > 0) await wake(new Date(Math.min(...retries.map(Number))));
    if (published > 0) logger.info({ published, worker }, 'due content published');
    return published;
  }

  const definition: JobDefinition = {
    queue: PUBLISH_QUEUE,
    retryLimit: 5,
    retryDelaySeconds: 2,
    expireInSeconds: Math.max(60, config.leaseSeconds * 2),
    async handle() {
      return { published: await drain() };
    },
  };

  /** Drains at start and then every interval, catching up on wake-ups that never came. */
  function sweepLoop(intervalMs: number): BackgroundLoop {
    const controller = new AbortController();
    let running: Promise<void> | undefined;
    async function loop(): Promise<void> {
      while (!controller.signal.aborted) {
        try {
          await drain();
        } catch (error) {
          logger.error({ err: error, worker }, 'publish sweep failed');
        }
        await sleep(intervalMs, undefined, { signal: controller.signal }).catch(() => undefined);
      }
    }
    return {
      name: 'content-publish-sweep',
      start() {
        running ??= loop();
      },
      async stop() {
        controller.abort();
        await running;
      },
    };
  }

  const sweep = sweepLoop(config.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
  deps.queue.addBackgroundLoop(sweep);

  return { wake, drain, claim, definition, sweep, worker };
}

export type Publisher = ReturnType<typeof createPublisher>;
