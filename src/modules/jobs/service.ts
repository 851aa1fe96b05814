// Asynchronous jobs: every AI generation and every subscriber import runs as a job. Starting
// one stores a row and enqueues it; a worker runs it with a time limit and progress reports;
// clients poll it or stream it. A job belongs to a business: only its owner sees it. A job whose
// worker died (killed, lost its host) says so — "Worker lost; retrying" — from the moment its
// queue heartbeat goes stale until the queue's retry takes it over in another worker; each run is
// counted (`attempt`), so a lost run that wakes up late cannot overwrite the run that replaced it.
import { setTimeout as sleep } from 'node:timers/promises';

import type { z } from 'zod';

import type { Database } from '../../platform/db/client.ts';
import { type HeraldEvents, noHeraldEvents } from '../../platform/events.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, found, notFound } from '../../platform/http/errors.ts';
import { pageOf, pageRequest, type PaginationQuery } from '../../platform/http/pagination.ts';
import type { Logger } from '../../platform/logger.ts';
import type { JobQueue } from '../../platform/queue.ts';
import type { Permission } from '../../shared/permissions.ts';
import { createJobRepository, type JobRow } from './repository.ts';
import { type Job, JobStatus, type JobSubject, TERMINAL_STATUSES } from './schemas.ts';

export const RUN_JOB_QUEUE = 'jobs.run';

export interface JobRunContext<Input> {
  jobId: string;
  businessId: string;
  userId: string | null;
  input: Input;
  /** Aborted when the job passes its time limit. */
  signal: AbortSignal;
  /** Reports progress (0–100) with a short message a marketer can read. */
  progress: (percent: number, message: string) => Promise<void>;
}

/**
 * What a kind of job works on, for the jobs page: the module that declares the kind names its
 * own things, for a whole page of jobs in one query.
 */
export interface JobSubjectSource {
  type: JobSubject['type'];
  /** The subject's id in the job's input or result (undefined until there is one). */
  idOf(job: {
    input: Record<string, unknown>;
    result: Record<string, unknown> | null;
  }): string | undefined;
  /** The names of the business's subjects by id; an id no longer there is absent. */
  names(businessId: string, ids: string[]): Promise<Map<string, string>>;
}

/** A string field of a job's input or result, for `JobSubjectSource.idOf`. */
export function idField(record: Record<string, unknown> | null, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' ? value : undefined;
}

export interface JobKind<Input = unknown> {
  kind: string;
  input: z.ZodType<Input>;
  timeLimitMs: number;
  run(context: JobRunContext<Input>): Promise<Record<string, unknown>>;
  /** What the job works on, shown and linked on the jobs page; none for business-wide work. */
  subject?: JobSubjectSource;
}

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    businessId: row.businessId,
    kind: row.kind,
    status: JobStatus.catch('failed').parse(row.status),
    progress: row.progress,
    progressMessage: row.progressMessage,
    result: (row.result as Record<string, unknown> | null) ?? null,
    error: row.error ?? null,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

export function isTerminal(job: Job): boolean {
  return TERMINAL_STATUSES.includes(job.status);
}

class JobTimeLimitError extends Error {}
/** The queue took the job away from this run (its heartbeat was lost); another run has it. */
class ClaimLostError extends Error {}

/** Shown while a running job's worker is gone and the queue retries it elsewhere. */
export const WORKER_LOST_MESSAGE = 'Worker lost; retrying';

/** The permission check jobs need (businesses' BusinessAccess; declared here, not imported). */
export interface JobAccess {
  /** Resolves when `principal` may do this in the business; NOT_FOUND or FORBIDDEN otherwise. */
  require(principal: Principal, businessId: string, permission: Permission): Promise<unknown>;
}

export function createJobService(deps: {
  db: Database;
  queue: JobQueue;
  access: JobAccess;
  logger: Logger;
  kinds: JobKind<never>[];
  /** How often a stream re-reads the job (the worker may be another process). */
  watchIntervalMs?: number;
  /** job.succeeded and job.failed, in the transaction that records the outcome. */
  events?: HeraldEvents;
}) {
  const repository = createJobRepository(deps.db);
  const events = deps.events ?? noHeraldEvents;

  /**
   * Records the job's outcome and its event together. The outcome is written once (only while
   * the job is unfinished, and for `attempt` only while that run holds it), so a redelivered or
   * retried job cannot tell it twice.
   */
  async function finish(
    row: Pick<JobRow, 'id' | 'businessId' | 'kind'>,
    outcome:
      | { status: 'succeeded'; result: Record<string, unknown> }
      | { status: 'failed'; error: { code: string; message: string } },
    attempt?: number,
  ): Promise<boolean> {
    return deps.db.transaction(async (tx) => {
      const locked = createJobRepository(tx);
      const recorded =
        outcome.status === 'succeeded'
          ? await locked.succeed(row.id, attempt ?? 0, outcome.result)
          : await locked.fail(row.id, outcome.error, attempt);
      if (!recorded) return false;
      const what = outcome.status === 'succeeded' ? 'job.succeeded' : 'job.failed';
      await events.publish(tx, {
        businessId: row.businessId,
        type: what,
        key: `${what}:${row.id}`,
        data: {
          jobId: row.id,
          kind: row.kind,
          ...(outcome.status === 'failed' ? { error: outcome.error.message } : {}),
        },
      });
      return true;
    });
  }
  const kinds = new Map(deps.kinds.map((kind) => [kind.kind, kind as unknown as JobKind]));
  const watchIntervalMs = deps.watchIntervalMs ?? 400;

  /** Each job's subject, named: one query per kind of job on the page, however many jobs. */
  async function subjectsOf(businessId: string, rows: JobRow[]): Promise<(JobSubject | null)[]> {
    const refs = rows.map((row) => {
      const source = kinds.get(row.kind)?.subject;
      const id = source?.idOf({
        input: row.input,
        result: (row.result as Record<string, unknown> | null) ?? null,
      });
      return source && id ? { source, id } : undefined;
    });
    const bySource = new Map<JobSubjectSource, Set<string>>();
    for (const ref of refs) {
      if (ref) bySource.set(ref.source, (bySource.get(ref.source) ?? new Set()).add(ref.id));
    }
    const names = new Map<JobSubjectSource, Map<string, string>>();
    await Promise.all(
      [...bySource].map(async ([source, ids]) => {
        names.set(source, await source.names(businessId, [...ids]));
      }),
    );
    return refs.map((ref) =>
      ref
        ? {
            type: ref.source.type,
            id: ref.id,
            name: names.get(ref.source)?.get(ref.id) ?? null,
          }
        : null,
    );
  }

  /**
   * A running job as its owner should see it: when the queue says its worker stopped
   * heartbeating, it says so; when the queue gave up on it (its retry was lost too), it is
   * recorded as failed rather than left "running" for ever.
   */
  async function withLiveness(row: JobRow): Promise<JobRow> {
    if (row.status !== 'running' || !row.queueJobId) return row;
    const health = await deps.queue.health(RUN_JOB_QUEUE, row.queueJobId);
    if (health === 'worker-lost' || health === 'retrying') {
      return { ...row, progressMessage: WORKER_LOST_MESSAGE };
    }
    if (health === 'given-up') {
      await finish(row, {
        status: 'failed',
        error: {
          code: 'WORKER_LOST',
          message:
            'The worker running this job stopped, and so did its retry. Start the job again; if it keeps happening, check the workers.',
        },
      });
      return (await repository.find(row.id)) ?? row;
    }
    return row;
  }

  async function ownedJob(principal: Principal, jobId: string): Promise<JobRow> {
    const row = found(await repository.find(jobId), 'Job');
    try {
      await deps.access.require(principal, row.businessId, 'business.read');
    } catch {
      throw notFound('Job');
    }
    return row;
  }

  return {
    async start(
      principal: Principal,
      businessId: string,
      kind: string,
      input: Record<string, unknown>,
    ): Promise<Job> {
      // Every job writes something (AI drafts, imports, strategies): editors and up.
      await deps.access.require(principal, businessId, 'content.write');
      if (!kinds.has(kind)) throw new Error(`unknown job kind ${kind}`);
      const row = await repository.insert({ businessId, userId: principal.userId, kind, input });
      try {
        const queueJobId = await deps.queue.send(RUN_JOB_QUEUE, { jobId: row.id });
        await repository.setQueueJobId(row.id, queueJobId);
      } catch (error) {
        await finish(row, {
          status: 'failed',
          error: { code: 'UPSTREAM_UNAVAILABLE', message: 'Could not queue the job; try again' },
        });
        throw new AppError('UPSTREAM_UNAVAILABLE', 'The job queue is unavailable; try again', {
          cause: error,
        });
      }
      deps.logger.info({ jobId: row.id, businessId, kind }, 'job queued');
      return toJob(row);
    },

    /**
     * The business's unfinished job of `kind` working on `input[field] === value`, if any: lets a
     * module start one job per thing (a campaign's "write all drafts") and hand back the running one.
     */
    async unfinished(
      businessId: string,
      kind: string,
      match: { field: string; value: string },
    ): Promise<Job | undefined> {
      const row = await repository.findUnfinished(businessId, kind, match.field, match.value);
      if (!row) return undefined;
      const job = toJob(await withLiveness(row)); // one the queue gave up on is failed now
      return isTerminal(job) ? undefined : job;
    },

    async get(principal: Principal, jobId: string): Promise<Job> {
      return toJob(await withLiveness(await ownedJob(principal, jobId)));
    },

    async list(principal: Principal, businessId: string, query: PaginationQuery) {
      await deps.access.require(principal, businessId, 'business.read');
      const rows = await repository.listForBusiness(businessId, pageRequest(query));
      const page = pageOf(rows, query.limit);
      const items = await Promise.all(page.items.map(withLiveness));
      const subjects = await subjectsOf(businessId, items);
      return {
        items: items.map((row, i) => ({ ...toJob(row), subject: subjects[i] ?? null })),
        nextCursor: page.nextCursor,
      };
    },

    /**
     * Yields the job now and each time it changes, until it finishes or `signal` aborts (the
     * client went away — which stops the stream, never the job).
     */
    async *watch(principal: Principal, jobId: string, signal: AbortSignal): AsyncGenerator<Job> {
      const stopped = () => signal.aborted;
      let row = await withLiveness(await ownedJob(principal, jobId));
      let last = JSON.stringify(toJob(row));
      yield toJob(row);
      while (!isTerminal(toJob(row)) && !stopped()) {
        await sleep(watchIntervalMs, undefined, { signal }).catch(() => undefined);
        if (stopped()) return;
        const next = await repository.find(jobId);
        if (!next) return;
        row = await withLiveness(next);
        const snapshot = JSON.stringify(toJob(row));
        if (snapshot !== last) {
          last = snapshot;
          yield toJob(row);
        }
      }
    },

    /**
     * The queue handler: runs a job once, within its time limit, and records the outcome.
     * `signal` is the queue's: aborted when this worker no longer holds the job (its heartbeat
     * was found stale and the job handed to another run), in which case nothing is recorded.
     */
    async runQueued(jobId: string, signal?: AbortSignal): Promise<void> {
      const row = await repository.claim(jobId);
      if (!row) return; // already finished: a redelivery changes nothing
      const attempt = row.attempt;
      const kind = kinds.get(row.kind);
      const log = deps.logger.child({ jobId, businessId: row.businessId, kind: row.kind, attempt });
      if (!kind) {
        await finish(
          row,
          {
            status: 'failed',
            error: { code: 'INTERNAL', message: `This server cannot run ${row.kind} jobs` },
          },
          attempt,
        );
        return;
      }
      if (attempt > 1) {
        // The previous run never recorded an outcome: its worker was lost and the queue retried.
        await repository.progress(jobId, attempt, 1, `${WORKER_LOST_MESSAGE} (attempt ${attempt})`);
        log.warn('job resumed after its worker was lost');
      }
      const controller = new AbortController();
      const timer = setTimeout(() => {
        controller.abort(new JobTimeLimitError());
      }, kind.timeLimitMs);
      const onClaimLost = () => {
        controller.abort(new ClaimLostError());
      };
      signal?.addEventListener('abort', onClaimLost, { once: true });
      try {
        const input = kind.input.parse(row.input);
        const result = await Promise.race([
          kind.run({
            jobId,
            businessId: row.businessId,
            userId: row.userId,
            input,
            signal: controller.signal,
            progress: (percent, message) =>
              repository.progress(
                jobId,
                attempt,
                Math.max(1, Math.min(99, Math.round(percent))),
                message,
              ),
          }),
          new Promise<never>((_resolve, reject) => {
            controller.signal.addEventListener('abort', () => {
              reject(controller.signal.reason as Error);
            });
          }),
        ]);
        if (await finish(row, { status: 'succeeded', result }, attempt)) log.info('job succeeded');
        else log.warn('job finished after another run took it over; outcome dropped');
      } catch (error) {
        if (error instanceof ClaimLostError) {
          log.warn('job claim lost to a retry; this run stops without recording');
        } else if (error instanceof JobTimeLimitError) {
          await finish(
            row,
            {
              status: 'failed',
              error: {
                code: 'JOB_TIMEOUT',
                message: `The job did not finish within ${Math.round(kind.timeLimitMs / 1000)} seconds and was stopped. Try again; if it keeps happening, the AI provider may be slow.`,
              },
            },
            attempt,
          );
          log.warn({ timeLimitMs: kind.timeLimitMs }, 'job timed out');
        } else if (error instanceof AppError) {
          await finish(
            row,
            { status: 'failed', error: { code: error.code, message: error.message } },
            attempt,
          );
          log.warn({ err: error }, 'job failed');
        } else {
          await finish(
            row,
            {
              status: 'failed',
              error: {
                code: 'INTERNAL',
                message: `Something went wrong on our side while running this job. Try again; if it keeps failing, report job ${jobId}.`,
              },
            },
            attempt,
          );
          log.error({ err: error }, 'job crashed');
        }
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onClaimLost);
      }
    },
  };
}

export type JobService = ReturnType<typeof createJobService>;
