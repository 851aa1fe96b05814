// The job queue: pg-boss on the same Postgres as the data (PGlite embedded, or the server).
// Modules declare their jobs as JobDefinitions; `herald serve` and `herald worker` register the
// same definitions, so a job handler is ordinary domain code that runs wherever a worker is.
import { fromPglite, PgBoss } from 'pg-boss';

import type { DatabaseHandle } from './db/client.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

export interface JobContext {
  id: string;
  /** 0 on the first attempt. */
  retryCount: number;
  signal: AbortSignal;
}

export interface JobDefinition<Data extends object = object> {
  queue: string;
  /** Attempts after the first one; a job that fails them all moves to `<queue>.dead`. */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** A running job past this is failed (and retried if attempts remain). */
  expireInSeconds?: number;
  handle(data: Data, context: JobContext): Promise<unknown>;
}

export interface QueueOptions {
  pollingIntervalSeconds?: number;
  concurrency?: number;
}

export type JobState = 'queued' | 'active' | 'deferred' | 'failed' | 'total';

/**
 * Work a module runs continuously wherever jobs are consumed, outside pg-boss (the email
 * dispatcher claims its deliveries from its own table). Started by `work()`, stopped by `stop()`
 * before the queue itself stops, so it never outlives the database.
 */
export interface BackgroundLoop {
  name: string;
  start(): void;
  /** Stops taking new work and waits for the work in flight. */
  stop(): Promise<void>;
}

export class JobQueue {
  readonly boss: PgBoss;
  private readonly logger: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly options: Required<QueueOptions>;
  private readonly queues = new Set<string>();
  private readonly loops: BackgroundLoop[] = [];
  private loopsRunning = false;
  private started = false;

  constructor(
    boss: PgBoss,
    deps: { logger: Logger; metrics?: Metrics },
    options: QueueOptions = {},
  ) {
    this.boss = boss;
    this.logger = deps.logger;
    this.metrics = deps.metrics;
    this.options = {
      pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1,
      concurrency: options.concurrency ?? 4,
    };
    boss.on('error', (error: unknown) => {
      this.logger.error({ err: error }, 'queue error');
    });
  }

  static create(
    database: DatabaseHandle,
    connection: { postgresUrl?: string; poolMax?: number },
    deps: { logger: Logger; metrics?: Metrics },
    options: QueueOptions = {},
  ): JobQueue {
    const boss =
      database.kind === 'pglite' && database.pglite
        ? new PgBoss({ db: fromPglite(database.pglite), backend: 'pglite', schema: 'pgboss' })
        : new PgBoss({
            connectionString: connection.postgresUrl,
            max: connection.poolMax ?? 4,
            schema: 'pgboss',
            application_name: 'herald-queue',
          });
    return new JobQueue(boss, deps, options);
  }

  /** Installs or upgrades pg-boss's schema and starts its maintenance. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    this.started = true;
  }

  /** Creates each job's queue and its dead-letter queue (idempotent). */
  async declare(definitions: JobDefinition[]): Promise<void> {
    for (const definition of definitions) {
      if (this.queues.has(definition.queue)) continue;
      const deadLetter = `${definition.queue}.dead`;
      await this.boss.createQueue(deadLetter);
      await this.boss.createQueue(definition.queue, {
        retryLimit: definition.retryLimit ?? 3,
        retryDelay: definition.retryDelaySeconds ?? 5,
        retryBackoff: true,
        expireInSeconds: definition.expireInSeconds ?? 15 * 60,
        deadLetter,
      });
      this.queues.add(definition.queue);
    }
  }

  async send(
    queue: string,
    data: object,
    options: { singletonKey?: string; startAfter?: Date } = {},
  ): Promise<string> {
    const id = await this.boss.send(queue, data, options);
    if (!id) throw new Error(`queue ${queue} refused the job (singleton already queued?)`);
    return id;
  }

  /** Adds a loop to start with `work()` (at once if this process already works). */
  addBackgroundLoop(loop: BackgroundLoop): void {
    this.loops.push(loop);
    if (this.loopsRunning) loop.start();
  }

  /** Starts consuming every given queue in this process, and the background loops. */
  async work(definitions: JobDefinition[]): Promise<void> {
    await this.declare(definitions);
    for (const definition of definitions) {
      await this.boss.work<object>(
        definition.queue,
        {
          pollingIntervalSeconds: this.options.pollingIntervalSeconds,
          localConcurrency: this.options.concurrency,
          batchSize: 1,
        },
        async ([job]) => {
          if (!job) return;
          const log = this.logger.child({ queue: definition.queue, jobId: job.id });
          const started = Date.now();
          try {
            const result = await definition.handle(job.data, {
              id: job.id,
              retryCount: job.retryCount,
              signal: job.signal,
            });
            this.metrics?.jobsProcessed.inc({ queue: definition.queue, outcome: 'completed' });
            log.debug({ durationMs: Date.now() - started }, 'job completed');
            return result;
          } catch (error) {
            this.metrics?.jobsProcessed.inc({ queue: definition.queue, outcome: 'failed' });
            log.warn({ err: error, retryCount: job.retryCount }, 'job failed');
            throw error;
          }
        },
      );
    }
    if (!this.loopsRunning) {
      this.loopsRunning = true;
      for (const loop of this.loops) {
        loop.start();
        this.logger.info({ loop: loop.name }, 'background loop started');
      }
    }
  }

  /** Job counts per queue and state, for /metrics and /health. */
  async counts(): Promise<{ queue: string; state: JobState; count: number }[]> {
    if (this.queues.size === 0) return [];
    const queues = await this.boss.getQueues([...this.queues]);
    return queues.flatMap((queue) => [
      { queue: queue.name, state: 'queued' as const, count: queue.queuedCount },
      { queue: queue.name, state: 'active' as const, count: queue.activeCount },
      { queue: queue.name, state: 'deferred' as const, count: queue.deferredCount },
      { queue: queue.name, state: 'failed' as const, count: queue.failedCount },
      { queue: queue.name, state: 'total' as const, count: queue.totalCount },
    ]);
  }

  /** Stops the background loops, then stops fetching new jobs and waits up to `timeoutMs`
   * for running ones to finish. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.loopsRunning) {
      this.loopsRunning = false;
      await Promise.all(this.loops.map((loop) => loop.stop()));
    }
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, timeout: timeoutMs, close: true });
  }
}
