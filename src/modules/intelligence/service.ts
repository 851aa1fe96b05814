// Customer intelligence runs: fit BG/NBD and Gamma-Gamma on the business's orders as of a day,
// score every ordering customer (RFM, churn risk, expected purchases, CLV) and keep the model
// card and the figures. A run starts from the API (a job) or from the nightly schedule
// (jobs.ts); either way `execute` does the work, and the scores are stored with the run's
// success in one transaction.
import { Readable } from 'node:stream';

import type { DatabaseHandle } from '../../platform/db/client.ts';
import { type HeraldEvents, noHeraldEvents } from '../../platform/events.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, found } from '../../platform/http/errors.ts';
import { pageOf, pageRequest, type PaginationQuery } from '../../platform/http/pagination.ts';
import type { Logger } from '../../platform/logger.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import type { Job, JobService } from '../jobs/index.ts';
import {
  changesSince,
  createIntelligenceRepository,
  dropStaleScorePartitions,
  purchaseSummaries,
  readRunSegments,
  type RunRow,
  storeRun,
} from './repository.ts';
import { computeRunOffThread } from './run-thread.ts';
import {
  type AtRiskList,
  CHURN_TIERS,
  type IntelligenceRun,
  type ModelCard,
  RFM_SEGMENTS,
  RfmSegmentName,
  type RunFigures,
  type RunOptions,
} from './schemas.ts';

export const INTELLIGENCE_RUN_JOB = 'intelligence.run';

/** CSV header of a run's scores (times in days, amounts in major units). */
const CSV_COLUMNS = [
  'userId',
  'email',
  'frequency',
  'recency',
  'T',
  'monetary',
  'rfmSegment',
  'pAlive',
  'churnRisk',
  'expectedPurchases',
  'expectedOrderValue',
  'clv',
] as const;
const CSV_PAGE = 5000;

export interface ExecuteRequest {
  businessId: string;
  trigger: 'manual' | 'schedule';
  options: RunOptions;
  jobId?: string;
  userId?: string | null;
  progress?: (percent: number, message: string) => Promise<void>;
}

/** The keys of `record` in `keys`' order (jsonb stores object keys in its own order). */
function ordered<K extends string>(
  keys: readonly K[],
  record: Record<K, number>,
): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, record[key]])) as Record<K, number>;
}

/** The figures' records in the schema's key order, as the response serializer writes them. */
function inSchemaOrder(figures: RunFigures): RunFigures {
  return {
    ...figures,
    rfmSegments: ordered(RFM_SEGMENTS, figures.rfmSegments),
    churnTiers: figures.churnTiers && ordered(CHURN_TIERS, figures.churnTiers),
    changes: figures.changes && {
      ...figures.changes,
      rfmSegments: ordered(RFM_SEGMENTS, figures.changes.rfmSegments),
    },
  };
}

/** A run's per-customer scores exist only for succeeded runs, and only the latest keep them. */
function requireScores(run: RunRow): void {
  if (run.status !== 'succeeded' || !run.scoresKept) {
    throw new AppError(
      'CONFLICT',
      run.status === 'succeeded'
        ? 'This run’s scores were replaced by newer runs; use the latest run’s'
        : 'This run has no scores',
    );
  }
}

function toRun(row: RunRow): IntelligenceRun {
  return {
    id: row.id,
    businessId: row.businessId,
    jobId: row.jobId,
    status: row.status,
    trigger: row.trigger,
    asOf: row.asOf,
    horizonDays: row.horizonDays,
    annualDiscountRate: row.annualDiscountRate,
    model: (row.model as ModelCard | null) ?? null,
    figures: row.figures ? inSchemaOrder(row.figures as RunFigures) : null,
    error: row.error,
    scoresKept: row.scoresKept,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/** Today's calendar day in `timeZone` (YYYY-MM-DD). */
export function localDate(timeZone: string, at = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/** A CSV field: quoted when it holds a comma, quote or line break; formulas defused. */
function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // A spreadsheet runs a cell starting with =, +, - or @ as a formula: emails are user input.
  if (typeof value === 'string' && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const round = (value: unknown, digits: number) =>
  value === null || value === undefined ? null : Number(Number(value).toFixed(digits));

/** Does the runs: from the API's job and from the nightly schedule. */
export function createIntelligenceRunner(deps: {
  database: DatabaseHandle;
  logger: Logger;
  /** Called once a run's scores are stored (segments over scores are recomputed). */
  onScored?: (businessId: string) => Promise<void>;
  /**
   * intelligence.completed, right after the run's scores commit: they are stored over a bulk
   * session (COPY) that cannot carry the event, so a crash between the two loses the event.
   */
  events?: HeraldEvents;
}) {
  const repository = createIntelligenceRepository(deps.database.db);
  const events = deps.events ?? noHeraldEvents;

  async function announce(run: IntelligenceRun, customersScored: number): Promise<void> {
    await deps.database.db.transaction((tx) =>
      events.publish(tx, {
        businessId: run.businessId,
        type: 'intelligence.completed',
        key: `intelligence.completed:${run.id}`,
        data: {
          runId: run.id,
          customersScored,
          asOf: run.asOf,
          trigger: run.trigger,
          atRiskCustomers: run.figures?.atRisk?.customers ?? null,
          clvTotalCents: run.figures?.clv?.totalCents ?? null,
        },
      }),
    );
  }
  return {
    /** Drops score partitions no run keeps (a business deleted, a drop that gave way earlier). */
    sweepScores: () => dropStaleScorePartitions(deps.database, deps.logger),
    /**
     * Fits and scores; answers the finished run (failed runs are recorded, then rethrown). A
     * scheduled run answers undefined when that day's run was already taken by another worker.
     */
    async execute(request: ExecuteRequest): Promise<IntelligenceRun | undefined> {
      const { businessId, options } = request;
      const progress = request.progress ?? (async () => {});
      const started = performance.now();
      if (request.jobId) {
        // A retried job (its worker died): a finished run is the answer; a run left running by
        // the lost attempt is closed as failed, and this attempt starts afresh.
        const earlier = await repository.findRunOfJob(businessId, request.jobId);
        if (earlier?.status === 'succeeded') return toRun(earlier);
        if (earlier?.status === 'running') {
          await repository.failRun(earlier.id, 'The worker running it stopped; the job retried');
        }
      }
      const settings = await repository.businessSettings(businessId);
      const asOf = options.asOf ?? localDate(settings.timeZone);
      const inserted = await repository.insertRun({
        businessId,
        jobId: request.jobId ?? null,
        status: 'running',
        trigger: request.trigger,
        asOf,
        horizonDays: options.horizonDays,
        annualDiscountRate: options.annualDiscountRate,
        timeZone: settings.timeZone,
        createdBy: request.userId ?? null,
      });
      if (!inserted) return undefined;
      try {
        await progress(10, 'Summarising every customer’s orders');
        const summaries = await purchaseSummaries(deps.database, businessId, {
          asOf,
          timeZone: settings.timeZone,
        });
        const summaryMs = performance.now() - started;
        await progress(40, `Fitting the models on ${summaries.customers} customers`);
        const result = await computeRunOffThread(summaries, {
          asOf,
          timeZone: settings.timeZone,
          horizonDays: options.horizonDays,
          annualDiscountRate: options.annualDiscountRate,
          currency: settings.currency,
        });
        await progress(80, 'Saving the scores');
        const storeStarted = performance.now();
        const previous = await repository.latestSucceeded(businessId);
        const previousFigures = previous?.figures as RunFigures | null | undefined;
        // The previous run's segments are read while this run's scores are written (on a
        // server, over a second connection; PGlite has one, so it reads them first). The read
        // asks the pool first, so it never waits behind the store that awaits it (a pool of one
        // runs them in turn). Its partition is dropped only after this run commits; should it
        // be gone (a concurrent run of the business), the run says nothing about changes.
        const previousSegments =
          previous && previousFigures && previous.scoresKept
            ? readRunSegments(deps.database, previous.id).catch((error: unknown) => {
                deps.logger.warn({ err: error, businessId }, 'previous run’s scores unreadable');
                return undefined;
              })
            : undefined;
        if (deps.database.pglite) await previousSegments;
        await storeRun(deps.database, inserted, result.scores, async () => {
          const segments = await previousSegments;
          const changes = segments ? changesSince(result.scores, segments) : undefined;
          const model: ModelCard = {
            ...result.model,
            fittedAt: new Date().toISOString(),
            durationMs: {
              summary: Math.round(summaryMs),
              fit: Math.round(result.durationMs.fit),
              score: Math.round(result.durationMs.score),
              store: Math.round(performance.now() - storeStarted),
              total: Math.round(performance.now() - started),
            },
          };
          const figures: RunFigures = {
            ...result.figures,
            changes:
              previous && previousFigures && changes
                ? {
                    previousRunId: previous.id,
                    previousAsOf: previous.asOf,
                    rfmSegments: Object.fromEntries(
                      RFM_SEGMENTS.map((name) => [
                        name,
                        result.figures.rfmSegments[name] - previousFigures.rfmSegments[name],
                      ]),
                    ) as RunFigures['rfmSegments'],
                    movements: changes.moves,
                    newCustomers: changes.newCustomers,
                  }
                : null,
          };
          return { model, figures };
        });
        await dropStaleScorePartitions(deps.database, deps.logger);
        await deps.onScored?.(businessId);
        const run = found(await repository.findRun(businessId, inserted.id), 'run vanished');
        // The run has succeeded: an event that cannot be recorded must not fail it.
        await announce(toRun(run), summaries.customers).catch((error: unknown) => {
          deps.logger.error({ err: error, businessId, runId: run.id }, 'intelligence event lost');
        });
        deps.logger.info(
          {
            businessId,
            runId: run.id,
            customers: summaries.customers,
            ms: Math.round(performance.now() - started),
          },
          'intelligence run finished',
        );
        return toRun(run);
      } catch (error) {
        await repository.failRun(
          inserted.id,
          error instanceof Error ? error.message : 'The run failed',
        );
        throw error;
      }
    },
  };
}

export type IntelligenceRunner = ReturnType<typeof createIntelligenceRunner>;

export function createIntelligenceService(deps: {
  database: DatabaseHandle;
  access: BusinessAccess;
  jobs: JobService;
}) {
  const repository = createIntelligenceRepository(deps.database.db);

  async function runOf(principal: Principal, businessId: string, runId: string) {
    await deps.access.require(principal, businessId, 'business.read');
    return found(await repository.findRun(businessId, runId), 'Intelligence run not found');
  }

  return {
    /** Queues a run (the job's result names it); 202 with the job. */
    async start(principal: Principal, businessId: string, options: RunOptions): Promise<Job> {
      await deps.access.require(principal, businessId, 'content.write');
      return deps.jobs.start(principal, businessId, INTELLIGENCE_RUN_JOB, options);
    },

    async list(principal: Principal, businessId: string, query: PaginationQuery) {
      await deps.access.require(principal, businessId, 'business.read');
      const page = pageOf(await repository.listRuns(businessId, pageRequest(query)), query.limit);
      return { items: page.items.map(toRun), nextCursor: page.nextCursor };
    },

    async get(principal: Principal, businessId: string, runId: string): Promise<IntelligenceRun> {
      return toRun(await runOf(principal, businessId, runId));
    },

    async latest(principal: Principal, businessId: string): Promise<IntelligenceRun | null> {
      await deps.access.require(principal, businessId, 'business.read');
      const row = await repository.latestSucceeded(businessId);
      return row ? toRun(row) : null;
    },

    /** The run's customers most likely to have left, most valuable first (409 once pruned). */
    async atRisk(
      principal: Principal,
      businessId: string,
      runId: string,
      limit: number,
    ): Promise<AtRiskList> {
      const run = await runOf(principal, businessId, runId);
      requireScores(run);
      const rows = await repository.atRisk(run.id, limit);
      return {
        items: rows.map((row) => ({
          customerId: row.customer_id,
          userId: row.user_id,
          email: row.email,
          name: row.name,
          rfmSegment: RfmSegmentName.parse(row.rfm_segment),
          churnRisk: row.churn_risk,
          clvCents: row.clv_cents,
          daysSinceLastPurchase: row.days_since,
          frequency: row.frequency,
        })),
      };
    },

    /** The run's scores as CSV, a page of rows at a time (409 once newer runs replaced them). */
    async scoresCsv(principal: Principal, businessId: string, runId: string): Promise<Readable> {
      const run = await runOf(principal, businessId, runId);
      requireScores(run);
      async function* lines() {
        yield `${CSV_COLUMNS.join(',')}\n`;
        let after: string | null = null;
        for (;;) {
          const rows = await repository.scorePage(run.id, after, CSV_PAGE);
          if (rows.length === 0) return;
          const chunk = rows.map((row) =>
            [
              row.user_id,
              row.email,
              row.frequency,
              row.recency_days,
              row.age_days,
              round(Number(row.monetary_cents) / 100, 2),
              row.rfm_segment,
              round(row.p_alive, 4),
              round(row.churn_risk, 4),
              round(row.expected_purchases, 4),
              row.expected_order_value_cents === null
                ? null
                : round(Number(row.expected_order_value_cents) / 100, 2),
              row.clv_cents === null ? null : round(Number(row.clv_cents) / 100, 2),
            ]
              .map(csvField)
              .join(','),
          );
          yield `${chunk.join('\n')}\n`;
          after = rows[rows.length - 1]?.customer_id ?? null;
        }
      }
      return Readable.from(lines());
    },
  };
}

export type IntelligenceService = ReturnType<typeof createIntelligenceService>;
