// The Segment HTTP Tracking API's rules: which business a write key names (cached briefly),
// the per-key rate limit, the size limits, Segment's validation, the timestamp correction and
// the batch-level merges — then the rows go to the group-commit writer and the call returns
// once they are committed.
import { randomUUID } from 'node:crypto';

import type { DatabaseHandle } from '../../platform/db/client.ts';
import { AppError, unauthenticated } from '../../platform/http/errors.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { RateLimiter } from '../../platform/rate-limit.ts';
import { businessOfWriteKey, createEventStore, processingLagSeconds } from './ingest-repository.ts';
import type { EventRow } from './repository.ts';
import {
  BatchEnvelope,
  type ProjectSettings,
  SegmentEvent,
  type SegmentEventType,
} from './schemas.ts';
import { EventWriter, type RejectedCounts } from './writer.ts';

/** Segment's own limits: an event, and a whole batch request. */
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;
const KEY_CACHE_MS = 10_000;
const KEY_CACHE_ENTRIES = 10_000;

export interface TrackingCall {
  /** A single call's type, or 'batch'. */
  kind: SegmentEventType | 'batch';
  /** From HTTP Basic auth (the user name); the body's `writeKey` is the fallback. */
  basicWriteKey: string | undefined;
  body: unknown;
  ip: string;
  /** The body's size on the wire, when known: a batch no larger than one event's limit needs no per-event size check. */
  bodyBytes?: number | undefined;
}

export interface TrackingServiceDeps {
  /** The handle, not only drizzle: flushes COPY the events in (pg-copy-streams or PGlite's). */
  database: DatabaseHandle;
  limiter: RateLimiter;
  metrics: Metrics;
  ratePerSecond: number;
  /** PGlite has one connection: one flush at a time there. */
  flushConcurrency: number;
  now?: () => number;
  writer?: Partial<
    Pick<EventWriterOptions, 'flushDelayMs' | 'flushRows' | 'maxPendingRows' | 'maxWaitMs'>
  >;
}
type EventWriterOptions = ConstructorParameters<typeof EventWriter>[0];

export interface IngestionHealth {
  status: 'ok' | 'degraded';
  acceptedLastMinute: number;
  rejectedLastMinute: number;
  pendingEvents: number;
  writeLagMs: number;
  processingLagSeconds: number | null;
}

interface Issue {
  path: string;
  message: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validationError(message: string, details: Record<string, unknown>): AppError {
  return new AppError('VALIDATION_ERROR', message, { details });
}

/** Counts of the last 60 seconds, one bucket a second. */
class LastMinute {
  private readonly buckets = new Float64Array(60);
  private readonly stamps = new Float64Array(60);
  add(nowMs: number, count: number): void {
    const second = Math.floor(nowMs / 1000);
    const slot = second % 60;
    if (this.stamps[slot] !== second) {
      this.stamps[slot] = second;
      this.buckets[slot] = 0;
    }
    this.buckets[slot] = (this.buckets[slot] ?? 0) + count;
  }
  total(nowMs: number): number {
    const second = Math.floor(nowMs / 1000);
    let sum = 0;
    for (let slot = 0; slot < 60; slot++) {
      if (second - (this.stamps[slot] ?? 0) < 60) sum += this.buckets[slot] ?? 0;
    }
    return sum;
  }
}

function timeOf(value: string | null | undefined): Date | null {
  return value ? new Date(Date.parse(value)) : null;
}

function lowerEmail(...sources: unknown[]): string | null {
  for (const source of sources) {
    if (isObject(source) && typeof source.email === 'string' && source.email.trim() !== '') {
      return source.email.trim().toLowerCase();
    }
  }
  return null;
}

export function createTrackingService(deps: TrackingServiceDeps) {
  const now = deps.now ?? Date.now;
  const accepted = new LastMinute();
  const rejected = new LastMinute();
  const keyCache = new Map<string, { businessId: Promise<string | null>; until: number }>();

  const store = createEventStore(deps.database);
  const writer = new EventWriter({
    flushDelayMs: 2,
    flushRows: 5_000,
    maxPendingRows: 50_000,
    maxWaitMs: 5_000,
    concurrency: deps.flushConcurrency,
    ...deps.writer,
    write: async (collect) => {
      const outcome = await store.writeFlush(collect, new Date(now()));
      deps.metrics.trackingEvents.inc({ outcome: 'accepted' }, outcome.stored);
      deps.metrics.trackingEvents.inc({ outcome: 'duplicate' }, outcome.duplicates);
      deps.metrics.trackingEvents.inc({ outcome: 'suppressed' }, outcome.suppressed);
      accepted.add(now(), outcome.stored);
    },
    onFlush: (_rows, seconds) => {
      deps.metrics.trackingFlushDuration.observe(seconds);
      deps.metrics.trackingPendingRows.set(writer.pendingRows);
    },
  });

  /** The business a write key names; cached for 10 s so ingestion rarely asks the database. */
  function businessOf(key: string): Promise<string | null> {
    const at = now();
    const cached = keyCache.get(key);
    if (cached && cached.until > at) return cached.businessId;
    if (keyCache.size >= KEY_CACHE_ENTRIES) keyCache.clear();
    const businessId = businessOfWriteKey(deps.database.db, key);
    keyCache.set(key, { businessId, until: at + KEY_CACHE_MS });
    businessId.catch(() => keyCache.delete(key));
    return businessId;
  }

  function refuse(businessId: string, count: number): void {
    rejected.add(now(), count);
    deps.metrics.trackingEvents.inc({ outcome: 'rejected' }, count);
    const counts: RejectedCounts = new Map([[businessId, count]]);
    writer.recordRejected(counts);
  }

  function toRow(
    event: SegmentEvent,
    businessId: string,
    batch: {
      context: Record<string, unknown> | null;
      integrations: Record<string, unknown> | null;
      sentAt: string | null;
    },
    receivedAt: Date,
    ip: string,
  ): EventRow {
    const context: Record<string, unknown> = { ...batch.context, ...event.context };
    if (context.ip === undefined || context.ip === null || context.ip === '') context.ip = ip;
    const integrations =
      batch.integrations || event.integrations
        ? { ...batch.integrations, ...event.integrations }
        : null;
    const originalTimestamp = timeOf(event.timestamp ?? event.originalTimestamp);
    const sentAt = timeOf(event.sentAt ?? batch.sentAt);
    // The client's clock may be off: what it says passed between the event and sending it is
    // trusted, its absolute time is not.
    const timestamp = !originalTimestamp
      ? receivedAt
      : sentAt
        ? new Date(receivedAt.getTime() - (sentAt.getTime() - originalTimestamp.getTime()))
        : originalTimestamp;
    const traits =
      event.type === 'identify' || event.type === 'group' ? (event.traits ?? {}) : null;
    const properties =
      event.type === 'track' || event.type === 'page' || event.type === 'screen'
        ? (event.properties ?? {})
        : {};
    if (event.type === 'page' && event.category && properties.category === undefined) {
      properties.category = event.category;
    }
    return {
      businessId,
      messageId: event.messageId ?? randomUUID(),
      type: event.type,
      event:
        event.type === 'track'
          ? event.event
          : event.type === 'page' || event.type === 'screen'
            ? (event.name ?? null)
            : null,
      userId: event.userId ?? null,
      anonymousId: event.anonymousId ?? null,
      email: lowerEmail(traits, context.traits),
      groupId: event.type === 'group' ? event.groupId : null,
      previousId: event.type === 'alias' ? event.previousId : null,
      properties,
      traits,
      context,
      integrations,
      timestamp,
      originalTimestamp,
      sentAt,
      receivedAt,
    };
  }

  return {
    writer,

    /** Checks, converts and stores one call (a single event or a batch); resolves once committed. */
    async ingest(call: TrackingCall): Promise<void> {
      if (!isObject(call.body)) throw validationError('The body must be a JSON object', {});
      const body = call.body;
      const key = call.basicWriteKey || (typeof body.writeKey === 'string' ? body.writeKey : '');
      if (!key) throw unauthenticated('A write key is required (HTTP Basic user name)');
      const businessId = await businessOf(key);
      if (!businessId) throw unauthenticated('Unknown write key');
      await deps.limiter.hitWindow(`tracking:${key}`, deps.ratePerSecond, 1_000);
      writer.assertCapacity();

      let items: unknown[];
      let batch: Parameters<typeof toRow>[2] = { context: null, integrations: null, sentAt: null };
      if (call.kind === 'batch') {
        const parsed = BatchEnvelope.safeParse(body);
        if (!parsed.success) {
          throw validationError('The batch is not valid', {
            issues: parsed.error.issues.map((issue) => ({
              path: issue.path.join('.'),
              message: issue.message,
            })),
          });
        }
        items = parsed.data.batch;
        batch = {
          context: parsed.data.context ?? null,
          integrations: parsed.data.integrations ?? null,
          sentAt: parsed.data.sentAt ?? null,
        };
      } else {
        items = [{ ...body, type: call.kind }];
      }

      const tooLarge: number[] = [];
      if (
        call.kind === 'batch' &&
        !(call.bodyBytes !== undefined && call.bodyBytes <= MAX_EVENT_BYTES)
      ) {
        items.forEach((item, index) => {
          if (Buffer.byteLength(JSON.stringify(item)) > MAX_EVENT_BYTES) tooLarge.push(index);
        });
      }
      if (tooLarge.length > 0) {
        refuse(businessId, items.length);
        throw new AppError('PAYLOAD_TOO_LARGE', `Events may be at most ${MAX_EVENT_BYTES} bytes`, {
          details: { maxEventBytes: MAX_EVENT_BYTES, indexes: tooLarge },
        });
      }

      const events: SegmentEvent[] = [];
      const invalid: { index: number; issues: Issue[] }[] = [];
      items.forEach((item, index) => {
        const parsed = SegmentEvent.safeParse(item);
        if (parsed.success) events.push(parsed.data);
        else {
          invalid.push({
            index,
            issues: parsed.error.issues.map((issue) => ({
              path: issue.path.join('.') || '(event)',
              message: issue.message,
            })),
          });
        }
      });
      if (invalid.length > 0) {
        refuse(businessId, items.length);
        throw validationError(
          call.kind === 'batch'
            ? `${invalid.length} of ${items.length} events are not valid; none was stored`
            : 'The event is not valid',
          call.kind === 'batch' ? { invalidEvents: invalid } : { issues: invalid[0]?.issues ?? [] },
        );
      }

      const receivedAt = new Date(now());
      const rows = events.map((event) => toRow(event, businessId, batch, receivedAt, call.ip));
      const written = writer.write(rows);
      deps.metrics.trackingPendingRows.set(writer.pendingRows);
      await written;
    },

    /** Segment's CDN settings for a write key, pointing analytics.js at this server. */
    async projectSettings(
      key: string,
      origin: { protocol: string; host: string },
    ): Promise<ProjectSettings | null> {
      if (!(await businessOf(key))) return null;
      return {
        integrations: {
          'Segment.io': {
            apiKey: key,
            apiHost: `${origin.host}/v1`,
            protocol: origin.protocol === 'https' ? 'https' : 'http',
            unbundledIntegrations: [],
            addBundledMetadata: true,
          },
        },
        plan: {
          track: { __default: { enabled: true } },
          identify: { __default: { enabled: true } },
        },
        // No metrics to Segment's own servers.
        metrics: { sampleRate: 0 },
        enabledMiddleware: {},
        remotePlugins: [],
      };
    },

    /** The write path's state for /health. */
    async health(): Promise<IngestionHealth> {
      const at = now();
      const lag = await processingLagSeconds(deps.database.db).catch(() => null);
      const writeLagMs = Math.round(writer.oldestWaitMs());
      return {
        status: writeLagMs > 1_000 ? 'degraded' : 'ok',
        acceptedLastMinute: accepted.total(at),
        rejectedLastMinute: rejected.total(at),
        pendingEvents: writer.pendingRows,
        writeLagMs,
        processingLagSeconds: lag === null ? null : Math.round(lag * 10) / 10,
      };
    },

    close(): Promise<void> {
      return writer.close();
    },
  };
}

export type TrackingService = ReturnType<typeof createTrackingService>;
