// Saved segments: CRUD, the live preview the rule builder calls as the marketer edits, and the
// membership refresh. Membership is recomputed by a periodic refresh (jobs.ts) and right after a
// segment is created or its rules change; each refresh diffs the members in SQL and hands the
// customers who entered to every SegmentEntryListener in the same transaction.
import type { Database, Executor } from '../../platform/db/client.ts';
import { type HeraldEvents, noHeraldEvents } from '../../platform/events.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { found, notFound } from '../../platform/http/errors.ts';
import { pageOf, pageRequest } from '../../platform/http/pagination.ts';
import type { Logger } from '../../platform/logger.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import type { CustomerEventListener } from '../customers/index.ts';
import { compileRules } from './compile.ts';
import type { SegmentEntryListener } from './index.ts';
import {
  createSegmentRepository,
  type CustomerRow,
  type MembershipDiff,
  type SegmentRow,
} from './repository.ts';
import {
  type CreateSegmentBody,
  type Segment,
  type SegmentCustomer,
  type SegmentListQuery,
  type SegmentMember,
  type SegmentPreview,
  SegmentRules,
  type SegmentSizeList,
  type UpdateSegmentBody,
} from './schemas.ts';

const HOUR_MS = 3_600_000;
/** Customers handed to a listener per call, so a segment's first refresh never makes one huge call. */
const ENTRY_CHUNK = 1000;
/**
 * segment.entered events per segment per refresh: a first refresh of a large segment (or a rule
 * change that lets thousands in) tells the first ones and logs how many it left untold, rather
 * than flooding webhooks and Slack. The sequence triggers still hear every entry.
 */
export const SEGMENT_ENTERED_EVENTS_PER_REFRESH = 1000;

export interface SegmentRefreshOptions {
  /** A segment is recomputed at least this often, changes or not (time windows drift). */
  staleAfterMs: number;
  /** How long after a business's data changed its segments keep being recomputed. */
  settleSeconds: number;
  /** Segments looked at per pass. */
  batchSize: number;
  /** One segment's recomputation is cancelled after this (its business's other work goes on). */
  statementTimeoutMs: number;
  /** A size-history point is written when the size changes, or at least this often. */
  sizePointEveryMs: number;
}

export const DEFAULT_REFRESH_OPTIONS: SegmentRefreshOptions = {
  staleAfterMs: HOUR_MS,
  settleSeconds: 300,
  batchSize: 200,
  statementTimeoutMs: 30_000,
  sizePointEveryMs: HOUR_MS,
};

const PREVIEW_TIMEOUT_MS = 10_000;
const PREVIEW_SAMPLE = 5;

function toSegment(row: SegmentRow): Segment {
  return {
    id: row.id,
    businessId: row.businessId,
    name: row.name,
    description: row.description,
    rules: SegmentRules.parse(row.rules),
    size: row.size,
    refreshedAt: row.refreshedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toCustomer(row: CustomerRow): SegmentCustomer {
  return {
    id: row.id,
    userId: row.userId,
    email: row.email,
    name: row.name,
    lastSeenAt: row.lastSeenAt.toISOString(),
  };
}

export function createSegmentService(deps: {
  db: Database;
  access: BusinessAccess;
  logger: Logger;
  entryListeners?: SegmentEntryListener[];
  /** segment.entered, in the refresh's transaction (capped, see above). */
  events?: HeraldEvents;
  now?: () => Date;
  refresh?: Partial<SegmentRefreshOptions>;
}) {
  const { access, db } = deps;
  const now = deps.now ?? (() => new Date());
  const listeners = deps.entryListeners ?? [];
  const events = deps.events ?? noHeraldEvents;
  const options = { ...DEFAULT_REFRESH_OPTIONS, ...deps.refresh };
  const repository = createSegmentRepository(db);
  const log = deps.logger.child({ component: 'segments' });

  async function owned(principal: Principal, businessId: string, segmentId: string, read: boolean) {
    await access.require(principal, businessId, read ? 'business.read' : 'content.write');
    return found(await repository.find(businessId, segmentId), 'Segment');
  }

  /**
   * Recomputes one segment in its own transaction: locks it (another worker's refresh of it is
   * skipped), diffs the members, records the size, tells the listeners who entered. Undefined
   * when the segment is gone or locked by another refresh.
   */
  async function refreshSegment(segmentId: string): Promise<MembershipDiff | undefined> {
    return db.transaction(async (tx) => {
      const repo = createSegmentRepository(tx);
      const segment = await repo.claimSegment(segmentId);
      if (!segment) return undefined;
      const at = now();
      const rules = SegmentRules.parse(segment.rules);
      await repo.limitStatementTime(options.statementTimeoutMs);
      const predicate = compileRules({ businessId: segment.businessId, now: at }, rules);
      const diff = await repo.applyMembership(segment, predicate, at);
      await repo.recordRefresh(segment, diff.size, at, options.sizePointEveryMs);
      await notifyEntered(tx, segment, diff.entered);
      await announceEntered(tx, segment, diff.entered, at);
      if (diff.entered.length > 0 || diff.left > 0) {
        log.info(
          {
            businessId: segment.businessId,
            segmentId,
            entered: diff.entered.length,
            left: diff.left,
            size: diff.size,
          },
          'segment refreshed',
        );
      }
      return diff;
    });
  }

  async function notifyEntered(tx: Executor, segment: SegmentRow, entered: string[]) {
    for (let start = 0; start < entered.length; start += ENTRY_CHUNK) {
      const customerIds = entered.slice(start, start + ENTRY_CHUNK);
      for (const listener of listeners) {
        await listener.onEntered(tx, {
          businessId: segment.businessId,
          segmentId: segment.id,
          customerIds,
        });
      }
    }
  }

  async function announceEntered(tx: Executor, segment: SegmentRow, entered: string[], at: Date) {
    const told = entered.slice(0, SEGMENT_ENTERED_EVENTS_PER_REFRESH);
    const enteredAt = at.toISOString();
    for (const customerId of told) {
      await events.publish(tx, {
        businessId: segment.businessId,
        type: 'segment.entered',
        key: `segment.entered:${segment.id}:${customerId}:${enteredAt}`,
        data: { segmentId: segment.id, segmentName: segment.name, customerId },
      });
    }
    if (entered.length > told.length) {
      log.info(
        {
          businessId: segment.businessId,
          segmentId: segment.id,
          entered: entered.length,
          untold: entered.length - told.length,
        },
        'segment entries over the event cap not published',
      );
    }
  }

  /** Refreshes right after a save; a failure leaves the saved segment for the periodic refresh. */
  async function refreshAfterSave(row: SegmentRow): Promise<SegmentRow> {
    try {
      await refreshSegment(row.id);
    } catch (error) {
      log.warn(
        { err: error, businessId: row.businessId, segmentId: row.id },
        'segment refresh failed',
      );
    }
    return (await repository.find(row.businessId, row.id)) ?? row;
  }

  return {
    async create(
      principal: Principal,
      businessId: string,
      body: CreateSegmentBody,
    ): Promise<Segment> {
      await access.require(principal, businessId, 'content.write');
      const row = await repository.insert({
        businessId,
        name: body.name,
        description: body.description,
        rules: body.rules,
        createdBy: principal.userId,
      });
      return toSegment(await refreshAfterSave(row));
    },

    async list(principal: Principal, businessId: string, query: SegmentListQuery) {
      await access.require(principal, businessId, 'business.read');
      const page = pageOf(await repository.list(businessId, pageRequest(query)), query.limit);
      return { items: page.items.map(toSegment), nextCursor: page.nextCursor };
    },

    async get(principal: Principal, businessId: string, segmentId: string): Promise<Segment> {
      return toSegment(await owned(principal, businessId, segmentId, true));
    },

    async update(
      principal: Principal,
      businessId: string,
      segmentId: string,
      body: UpdateSegmentBody,
    ): Promise<Segment> {
      await owned(principal, businessId, segmentId, false);
      const row = found(await repository.update(businessId, segmentId, body), 'Segment');
      return toSegment(body.rules ? await refreshAfterSave(row) : row);
    },

    async remove(principal: Principal, businessId: string, segmentId: string): Promise<void> {
      await access.require(principal, businessId, 'content.write');
      if (!(await repository.remove(businessId, segmentId))) throw notFound('Segment');
    },

    async members(
      principal: Principal,
      businessId: string,
      segmentId: string,
      query: SegmentListQuery,
    ): Promise<{ items: SegmentMember[]; nextCursor: string | null }> {
      await owned(principal, businessId, segmentId, true);
      const rows = await repository.members(businessId, segmentId, pageRequest(query));
      const page = pageOf(
        rows.map((row) => ({ ...row, createdAt: row.enteredAt })),
        query.limit,
      );
      return {
        items: page.items.map((row) => ({
          ...toCustomer(row),
          enteredAt: row.enteredAt.toISOString(),
        })),
        nextCursor: page.nextCursor,
      };
    },

    async sizes(
      principal: Principal,
      businessId: string,
      segmentId: string,
      days: number,
    ): Promise<SegmentSizeList> {
      await owned(principal, businessId, segmentId, true);
      const since = new Date(now().getTime() - days * 24 * HOUR_MS);
      const rows = await repository.sizes(businessId, segmentId, since);
      return {
        items: rows.map((row) => ({ measuredAt: row.measuredAt.toISOString(), size: row.size })),
      };
    },

    async preview(
      principal: Principal,
      businessId: string,
      rules: SegmentRules,
    ): Promise<SegmentPreview> {
      await access.require(principal, businessId, 'business.read');
      const predicate = compileRules({ businessId, now: now() }, rules);
      const result = await db.transaction(async (tx) => {
        const repo = createSegmentRepository(tx);
        await repo.limitStatementTime(PREVIEW_TIMEOUT_MS);
        return repo.preview(businessId, predicate, PREVIEW_SAMPLE);
      });
      return { size: result.size, sample: result.sample.map(toCustomer) };
    },

    /**
     * Who matches a rule now in the business: how many, and the ids of the first `limit`, most
     * recently seen first (a question's answer; bounded in time like the preview).
     */
    async match(
      principal: Principal,
      businessId: string,
      rules: SegmentRules,
      limit: number,
    ): Promise<{ size: number; customerIds: string[] }> {
      await access.require(principal, businessId, 'business.read');
      const predicate = compileRules({ businessId, now: now() }, rules);
      const result = await db.transaction(async (tx) => {
        const repo = createSegmentRepository(tx);
        await repo.limitStatementTime(PREVIEW_TIMEOUT_MS);
        return repo.preview(businessId, predicate, limit);
      });
      return { size: result.size, customerIds: result.sample.map((row) => row.id) };
    },

    refreshSegment,

    /**
     * One pass of the periodic refresh: every due segment, each in its own transaction and
     * bounded in time, so one business's failing or huge segment never holds up the others.
     */
    async refreshOnce(): Promise<{ refreshed: number; failed: number }> {
      const at = now();
      const due = await repository.dueSegments(
        new Date(at.getTime() - options.staleAfterMs),
        options.settleSeconds,
        options.batchSize,
      );
      let refreshed = 0;
      let failed = 0;
      for (const { id } of due) {
        try {
          if (await refreshSegment(id)) refreshed += 1;
        } catch (error) {
          failed += 1;
          log.error({ err: error, segmentId: id }, 'segment refresh failed');
        }
        // Requests share this thread (and, on PGlite, the database): let them in between segments.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return { refreshed, failed };
    },

    /**
     * The customer processor's listener: notes which businesses' data changed, so the next
     * refresh recomputes their segments (and only theirs).
     */
    /** Recompute these businesses' segments at the next refresh (their customers' data moved). */
    async markChanged(businessIds: string[]): Promise<void> {
      await repository.markChanged(businessIds, now());
    },

    changeListener: {
      name: 'segments',
      async onEvents(tx, events) {
        const businessIds = [...new Set(events.map((event) => event.businessId))];
        await createSegmentRepository(tx).markChanged(businessIds, now());
      },
    } satisfies CustomerEventListener,
  };
}

export type SegmentService = ReturnType<typeof createSegmentService>;
