// Asynchronous jobs: every AI generation (and later imports and scoring) runs as a job. Starting
// one stores a row and enqueues it; a worker runs it with a time limit and progress reports;
// clients poll it or stream it. A job belongs to a business: only its owner sees it.
import { setTimeout as sleep } from 'node:timers/promises';

import type { z } from 'zod';

import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, notFound } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf, type PaginationQuery } from '../../platform/http/pagination.ts';
import type { Logger } from '../../platform/logger.ts';
import type { JobQueue } from '../../platform/queue.ts';
import type { BusinessAccess } from '../businesses/access.ts';
import { createJobRepository, type JobRow } from './repository.ts';
import { type Job, JobStatus, TERMINAL_STATUSES } from './schemas.ts';

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

export interface JobKind<Input = unknown> {
  kind: string;
  input: z.ZodType<Input>;
  timeLimitMs: number;
  run(context: JobRunContext<Input>): Promise<Record<string, unknown>>;
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

export function createJobService(deps: {
  db: Database;
  queue: JobQueue;
  access: BusinessAccess;
  logger: Logger;
  kinds: JobKind<never>[];
  /** How often a stream re-reads the job (the worker may be another process). */
  watchIntervalMs?: number;
}) {
  const repository = createJobRepository(deps.db);
  const kinds = new Map(deps.kinds.map((kind) => [kind.kind, kind as unknown as JobKind]));
  const watchIntervalMs = deps.watchIntervalMs ?? 400;

  async function ownedJob(principal: Principal, jobId: string): Promise<JobRow> {
    const row = await repository.find(jobId);
    if (!row) throw notFound('Job');
    try {
      await deps.access.require(principal, row.businessId);
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
      await deps.access.require(principal, businessId);
      if (!kinds.has(kind)) throw new Error(`unknown job kind ${kind}`);
      const row = await repository.insert({ businessId, userId: principal.userId, kind, input });
      try {
        const queueJobId = await deps.queue.send(RUN_JOB_QUEUE, { jobId: row.id });
        await repository.setQueueJobId(row.id, queueJobId);
      } catch (error) {
        await repository.fail(row.id, {
          code: 'UPSTREAM_UNAVAILABLE',
          message: 'Could not queue the job; try again',
        });
        throw new AppError('UPSTREAM_UNAVAILABLE', 'The job queue is unavailable; try again', {
          cause: error,
        });
      }
      deps.logger.info({ jobId: row.id, businessId, kind }, 'job queued');
      return toJob(row);
    },

    async get(principal: Principal, jobId: string): Promise<Job> {
      return toJob(await ownedJob(principal, jobId));
    },

    async list(principal: Principal, businessId: string, query: PaginationQuery) {
      await deps.access.require(principal, businessId);
      const rows = await repository.listForBusiness(
        businessId,
        query.limit,
        decodeCursor(query.cursor),
      );
      const page = pageOf(rows, query.limit);
      return { items: page.items.map(toJob), nextCursor: page.nextCursor };
    },

    /**
     * Yields the job now and each time it changes, until it finishes or `signal` aborts (the
     * client went away — which stops the stream, never the job).
     */
    async *watch(principal: Principal, jobId: string, signal: AbortSignal): AsyncGenerator<Job> {
      const stopped = () => signal.aborted;
      let row = await ownedJob(principal, jobId);
      let last = JSON.stringify(toJob(row));
      yield toJob(row);
      while (!isTerminal(toJob(row)) && !stopped()) {
        await sleep(watchIntervalMs, undefined, { signal }).catch(() => undefined);
        if (stopped()) return;
        const next = await repository.find(jobId);
        if (!next) return;
        row = next;
        const snapshot = JSON.stringify(toJob(row));
        if (snapshot !== last) {
          last = snapshot;
          yield toJob(row);
        }
      }
    },

    /** The queue handler: runs a job once, within its time limit, and records the outcome. */
    async runQueued(jobId: string): Promise<void> {
      const row = await repository.claim(jobId);
      if (!row) return; // already finished: a redelivery changes nothing
      const kind = kinds.get(row.kind);
      const log = deps.logger.child({ jobId, businessId: row.businessId, kind: row.kind });
      if (!kind) {
        await repository.fail(jobId, {
          code: 'INTERNAL',
          message: `This server cannot run ${row.kind} jobs`,
        });
        return;
      }
      const controller = new AbortController();
      const timer = setTimeout(() => {
        controller.abort(new JobTimeLimitError());
      }, kind.timeLimitMs);
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
              repository.progress(jobId, Math.max(1, Math.min(99, Math.round(percent))), message),
          }),
          new Promise<never>((_resolve, reject) => {
            controller.signal.addEventListener('abort', () => {
              reject(new JobTimeLimitError());
            });
          }),
        ]);
        await repository.succeed(jobId, result);
        log.info('job succeeded');
      } catch (error) {
        if (error instanceof JobTimeLimitError) {
          await repository.fail(jobId, {
            code: 'JOB_TIMEOUT',
            message: `The job did not finish within ${Math.round(kind.timeLimitMs / 1000)} seconds and was stopped. Try again; if it keeps happening, the AI provider may be slow.`,
          });
          log.warn({ timeLimitMs: kind.timeLimitMs }, 'job timed out');
        } else if (error instanceof AppError) {
          await repository.fail(jobId, { code: error.code, message: error.message });
          log.warn({ err: error }, 'job failed');
        } else {
          await repository.fail(jobId, {
            code: 'INTERNAL',
            message: `Something went wrong on our side while running this job. Try again; if it keeps failing, report job ${jobId}.`,
          });
          log.error({ err: error }, 'job crashed');
        }
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export type JobService = ReturnType<typeof createJobService>;
