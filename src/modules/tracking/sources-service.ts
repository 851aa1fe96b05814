// The Sources page's service: what a business needs to send events (its write keys and this
// Herald's URL), whether they arrive (accepted/rejected per minute, processing lag), and the live
// event debugger. The stream polls the database, so it sees events whichever process stored them.
import { setTimeout as sleep } from 'node:timers/promises';

import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { found } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import {
  createSourcesRepository,
  type EventFilterValues,
  type EventRecord,
} from './sources-repository.ts';
import type {
  EventFilter,
  EventListQuery,
  EventStreamQuery,
  Sources,
  TrackedEvent,
} from './sources-schemas.ts';

const MINUTE_MS = 60_000;
/** Minutes of figures on the Sources page. */
const WINDOW_MINUTES = 60;
/**
 * How far back each poll of the stream looks again: an event is stamped `received_at` when its
 * request arrives but may commit a moment later (writes are grouped), after a poll has passed
 * its time. Events already sent are remembered for this long so none is sent twice.
 */
const STREAM_LOOKBACK_MS = 5_000;
/** Most events one poll sends: under heavy traffic the stream shows the newest, not all. */
const STREAM_BATCH = 100;

export function toTrackedEvent(row: EventRecord): TrackedEvent {
  return {
    messageId: row.messageId,
    type: row.type,
    event: row.event,
    userId: row.userId,
    anonymousId: row.anonymousId,
    groupId: row.groupId,
    previousId: row.previousId,
    properties: row.properties,
    traits: row.traits,
    context: row.context,
    timestamp: row.timestamp.toISOString(),
    originalTimestamp: row.originalTimestamp?.toISOString() ?? null,
    sentAt: row.sentAt?.toISOString() ?? null,
    receivedAt: row.receivedAt.toISOString(),
  };
}

function filterOf(query: EventFilter): EventFilterValues {
  return { type: query.type, event: query.event };
}

export function createSourcesService(deps: {
  db: Database;
  access: BusinessAccess;
  /** This Herald's public URL: the SDKs' host. */
  publicUrl: string;
  /** WRITE_KEY_GRACE_HOURS, shown where the key is rotated. */
  writeKeyGraceHours: number;
  now?: () => Date;
  /** How often the event stream looks for new events (default 1 s). */
  streamIntervalMs?: number;
}) {
  const { access } = deps;
  const repository = createSourcesRepository(deps.db);
  const now = deps.now ?? (() => new Date());
  const streamIntervalMs = deps.streamIntervalMs ?? 1000;

  return {
    async overview(principal: Principal, businessId: string): Promise<Sources> {
      await access.require(principal, businessId, 'business.read');
      const at = now();
      const keys = found(await repository.keysOf(businessId, at), 'Business');
      const currentMinute = Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS;
      const firstMinute = currentMinute - (WINDOW_MINUTES - 1) * MINUTE_MS;
      const dayStart = await repository.dayStart(keys.timezone, at);
      const [stats, oldestUnprocessed, lastEvent] = await Promise.all([
        repository.minuteStats(businessId, new Date(firstMinute), dayStart),
        repository.oldestUnprocessedAt(businessId),
        repository.lastEventAt(businessId),
      ]);
      const byMinute = new Map(stats.minutes.map((row) => [row.minute.getTime(), row]));
      const perMinute = Array.from({ length: WINDOW_MINUTES }, (_, i) => {
        const minute = firstMinute + i * MINUTE_MS;
        const row = byMinute.get(minute);
        return {
          minute: new Date(minute).toISOString(),
          accepted: row?.accepted ?? 0,
          rejected: row?.rejected ?? 0,
        };
      });
      return {
        writeKey: keys.writeKey,
        previousWriteKeys: keys.previous.map((key) => ({
          key: key.key,
          rotatedAt: key.rotatedAt.toISOString(),
          expiresAt: key.expiresAt.toISOString(),
        })),
        rotationGraceHours: deps.writeKeyGraceHours,
        endpoint: deps.publicUrl,
        perMinute,
        today: stats.today,
        processingLagSeconds: oldestUnprocessed
          ? Math.max(0, (at.getTime() - oldestUnprocessed.getTime()) / 1000)
          : 0,
        lastEventAt: lastEvent?.toISOString() ?? null,
      };
    },

    /** The debugger's page: the newest events first, filtered by type and name. */
    async listEvents(
      principal: Principal,
      businessId: string,
      query: EventListQuery,
    ): Promise<{ items: TrackedEvent[]; nextCursor: string | null }> {
      await access.require(principal, businessId, 'business.read');
      const cursor = decodeCursor(query.cursor);
      const rows = await repository.newestEvents(
        businessId,
        filterOf(query),
        query.limit + 1,
        cursor && { receivedAt: cursor.createdAt, messageId: cursor.id },
      );
      const page = pageOf(
        rows.map((row) => ({ row, createdAt: row.receivedAt, id: row.messageId })),
        query.limit,
      );
      return {
        items: page.items.map((item) => toTrackedEvent(item.row)),
        nextCursor: page.nextCursor,
      };
    },

    /**
     * Checks the permission now (so a refusal is an ordinary error response), then returns the
     * stream: each new batch of events (oldest first) as they are stored, until `signal` aborts.
     */
    async openEventStream(
      principal: Principal,
      businessId: string,
      query: EventStreamQuery,
    ): Promise<(signal: AbortSignal) => AsyncGenerator<TrackedEvent[]>> {
      await access.require(principal, businessId, 'business.read');
      const filter = filterOf(query);
      const floor = query.since ? new Date(query.since) : now();
      return async function* watch(signal: AbortSignal) {
        let watermark = floor.getTime();
        /** messageId → receivedAt of what was sent within the look-back window. */
        const sent = new Map<string, number>();
        while (!signal.aborted) {
          const rows = await repository.eventsReceivedAfter(
            businessId,
            filter,
            new Date(Math.max(floor.getTime(), watermark - STREAM_LOOKBACK_MS)),
            STREAM_BATCH,
          );
          const fresh = rows.filter((row) => !sent.has(row.messageId)).reverse();
          for (const row of fresh) {
            sent.set(row.messageId, row.receivedAt.getTime());
            watermark = Math.max(watermark, row.receivedAt.getTime());
          }
          for (const [messageId, receivedAt] of sent) {
            if (receivedAt < watermark - STREAM_LOOKBACK_MS) sent.delete(messageId);
          }
          if (fresh.length > 0) yield fresh.map(toTrackedEvent);
          await sleep(streamIntervalMs, undefined, { signal }).catch(() => undefined);
        }
      };
    },
  };
}

export type SourcesService = ReturnType<typeof createSourcesService>;
