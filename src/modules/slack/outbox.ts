// From Herald's events to Slack: the listener turns an event into one outbox row (in the
// publisher's transaction, filtered by the business's choices), and the delivery loop posts the
// rows behind the breaker of Slack's host, retrying with backoff. An open breaker defers a row
// without counting an attempt. An approval request's posted message is remembered, so the
// decision taken from its buttons can update it.
import { BrokenCircuitError, IsolatedCircuitError } from 'cockatiel';

import type { BreakerRegistry } from '../../platform/breaker.ts';
import type { Database, Executor } from '../../platform/db/client.ts';
import type { HeraldEventListener } from '../../platform/events.ts';
import type { Logger } from '../../platform/logger.ts';
import type { SecretBox } from '../../platform/secrets.ts';
import { SlackCallError, type SlackClient } from './client.ts';
import { choiceFor, messageFor } from './messages.ts';
import { createSlackRepository, type SlackNotificationRow } from './repository.ts';
import { DEFAULT_CHOICES } from './schemas.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Attempts before a message is given up (about four hours of backoff in all). */
export const MAX_ATTEMPTS = 8;
const BASE_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 60 * 60_000;
/** How long an open breaker's rows wait before they are looked at again. */
const BREAKER_DEFER_MS = 30_000;
const CLAIM_TIMEOUT_MS = 5 * 60_000;
const BATCH = 20;

/** The wait after the `attempts`-th failure: 30 s, 1 min, 2 min, … capped at an hour. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
}

export function createSlackListener(): HeraldEventListener {
  return {
    name: 'slack',
    async onEvent(tx: Executor, event) {
      const choice = choiceFor(event.type);
      if (!choice) return;
      const repository = createSlackRepository(tx);
      const connection = await repository.connection(event.businessId);
      if (!connection) return;
      const choices = { ...DEFAULT_CHOICES, ...connection.notifications };
      if (!choices[choice]) return;
      // The app posts to the channel chosen in Herald; without one there is nowhere to post.
      if (connection.kind === 'app' && !connection.channelId) return;
      if (event.type === 'sequence.bounce_rate_exceeded') {
        const rate = event.data.bounceRate;
        if (typeof rate !== 'number' || rate < connection.bounceRateThreshold) return;
      }
      const approval = event.type === 'content.in_review';
      const contentId = event.data.contentId;
      await repository.enqueue({
        businessId: event.businessId,
        eventKey: event.key,
        eventType: event.type,
        message: messageFor(event, approval && connection.kind === 'app'),
        contentId:
          approval && typeof contentId === 'string' && UUID.test(contentId) ? contentId : null,
      });
    },
  };
}

export function createSlackOutbox(deps: {
  db: Database;
  client: SlackClient;
  secrets: SecretBox;
  breakers: BreakerRegistry;
  logger: Logger;
  now: () => Date;
}) {
  const { client, secrets, logger } = deps;
  const repository = createSlackRepository(deps.db);

  async function deliver(row: SlackNotificationRow, now: Date): Promise<void> {
    const connection = await repository.connection(row.businessId);
    if (!connection) {
      await repository.recordFailure(row.id, row.attempts, 'Slack was disconnected', null);
      return;
    }
    let credential: string;
    try {
      credential = secrets.decrypt(connection.credential);
    } catch {
      await repository.recordFailure(
        row.id,
        row.attempts,
        'the stored Slack credential cannot be read (ENCRYPTION_KEY changed?)',
        null,
      );
      return;
    }
    const breaker = deps.breakers.get(
      connection.kind === 'app' ? client.hostOf() : client.hostOf(credential),
    );
    try {
      if (connection.kind === 'app') {
        const posted = await breaker.execute(() =>
          client.postMessage(credential, { ...row.message, channel: connection.channelId }),
        );
        await deps.db.transaction(async (tx) => {
          const locked = createSlackRepository(tx);
          await locked.markSent(row.id, now);
          if (row.contentId && posted.ts) {
            await locked.saveApprovalMessage({
              businessId: row.businessId,
              contentId: row.contentId,
              channelId: posted.channel || connection.channelId || '',
              ts: posted.ts,
            });
          }
        });
      } else {
        await breaker.execute(() => client.postToUrl(credential, row.message));
        await repository.markSent(row.id, now);
      }
      logger.info({ businessId: row.businessId, eventType: row.eventType }, 'slack message posted');
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        await repository.defer(row.id, new Date(now.getTime() + BREAKER_DEFER_MS));
        return;
      }
      const attempts = row.attempts + 1;
      const retryable = !(error instanceof SlackCallError) || error.retryable;
      const giveUp = !retryable || attempts >= MAX_ATTEMPTS;
      const message = error instanceof Error ? error.message : String(error);
      await repository.recordFailure(
        row.id,
        attempts,
        message,
        giveUp ? null : new Date(now.getTime() + backoffMs(attempts)),
      );
      logger.warn(
        { businessId: row.businessId, eventType: row.eventType, attempts, giveUp, err: message },
        'slack message not posted',
      );
    }
  }

  return {
    /** One round: posts the messages due now; answers true when more may be waiting. */
    async deliverDue(now: Date = deps.now()): Promise<boolean> {
      const rows = await repository.claimDue(now, BATCH, CLAIM_TIMEOUT_MS);
      for (const row of rows) await deliver(row, now);
      return rows.length === BATCH;
    },
  };
}

export type SlackOutbox = ReturnType<typeof createSlackOutbox>;
