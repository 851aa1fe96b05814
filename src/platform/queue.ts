// The job queue: pg-boss on the same Postgres as the data (PGlite embedded, or the server).
// Modules declare their jobs as JobDefinitions; `herald serve` and `herald worker` register the
// same definitions, so a job handler is ordinary domain code that runs wherever a worker is.
// Every job heartbeats while its handler runs (pg-boss refreshes it every `heartbeatRefreshSeconds`);
// pg-boss's supervisor, every `superviseIntervalSeconds` in each process, fails a job whose
// heartbeat is older than `heartbeatSeconds` and retries it — so the job of a worker that was
// killed is retried within about a minute instead of at its `expireInSeconds`.
import { fromPglite, PgBoss } from 'pg-boss';

import type { DatabaseHandle } from './db/client.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

export interface JobContext {
  id: string;
  /** 0 on the first attempt. */
  retryCount: number;
  /** Aborted when this worker no longer holds the job (its heartbeat found the claim gone). */
  signal: AbortSignal;
}

export interface JobDefinition<Data extends object = object> {
  queue: string;
  /** Attempts after the first one; a job that fails them all moves to `<queue>.dead`. */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** A running job past this is failed (and retried if attempts remain). */
  expireInSeconds?: number;
  /** A running job whose heartbeat is older than this is failed and retried (null: none). */
  heartbeatSeconds?: number | null;
  handle(data: Data, context: JobContext): Promise<unknown>;
}

export interface QueueOptions {
  pollingIntervalSeconds?: number;
  concurrency?: number;
  /** Default staleness after which a running job counts as lost (30 s). */
  heartbeatSeconds?: number;
  /** How often a running job's heartbeat is refreshed (10 s). */
  heartbeatRefreshSeconds?: number;
  /** How often pg-boss's supervisor looks for expired and lost jobs (15 s). */
  superviseIntervalSeconds?: number;
}

export const DEFAULT_HEARTBEAT_SECONDS = 30;

/** Where a queue job stands, as far as a caller watching a long job needs to know. */
export type QueueJobHealth =
  | 'alive'
  /** Active, but its worker stopped heartbeating: the supervisor will fail and retry it. */
  | 'worker-lost'
  /** Failed (a lost worker, an expiry) and waiting for its retry. */
  | 'retrying'
  /** Failed for good or cancelled: no retry will come. */
  | 'given-up'
  | 'finished'
  | 'unknown';

export type JobState = 'queued' | 'active' | 'deferred' | 'failed' | 'total';

/**
 * Work a module runs continuously wherever jobs are consumed, outside pg-boss (the email
 * dispatcher claims its deliveries from its own table). Started by `work()`, stopped by `stop()`
 * before the queue itself stops, so it never outlives the database.
 */
export interface BackgroundLoop {
  name: string;
  start: () => void;
  /** Stops taking new work and waits for the work in flight. */
  stop: () => Promise<void>;
}

export class JobQueue {
  readonly boss: PgBoss;
  private readonly logger: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly options: Required<QueueOptions>;
  private readonly queues = new Set<string>();
  /** Heartbeat per declared queue, also set on each job sent (queues created before it had none). */
  private readonly heartbeats = new Map<string, number | null>();
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
      heartbeatSeconds: options.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS,
      heartbeatRefreshSeconds: options.heartbeatRefreshSeconds ?? 10,
      superviseIntervalSeconds: options.superviseIntervalSeconds ?? 15,
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
    // The supervisor's monitor (expiry, lost heartbeats) runs this often rather than pg-boss's
    // default minute, so a lost job is retried within heartbeat + interval.
    const supervise = {
      superviseIntervalSeconds: options.superviseIntervalSeconds ?? 15,
      monitorIntervalSeconds: options.superviseIntervalSeconds ?? 15,
    };
    const boss =
      database.kind === 'pglite' && database.pglite
        ? new PgBoss({
            db: fromPglite(database.pglite),
            backend: 'pglite',
            schema: 'pgboss',
            ...supervise,
          })
        : new PgBoss({
            connectionString: connection.postgresUrl,
            max: connection.poolMax ?? 4,
            schema: 'pgboss',
            application_name: 'herald-queue',
            ...supervise,
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
      const heartbeatSeconds =
        definition.heartbeatSeconds === undefined
          ? this.options.heartbeatSeconds
          : definition.heartbeatSeconds;
      await this.boss.createQueue(deadLetter);
      await this.boss.createQueue(definition.queue, {
        retryLimit: definition.retryLimit ?? 3,
        retryDelay: definition.retryDelaySeconds ?? 5,
        retryBackoff: true,
        expireInSeconds: definition.expireInSeconds ?? 15 * 60,
        ...(heartbeatSeconds === null ? {} : { heartbeatSeconds }),
        deadLetter,
      });
      this.queues.add(definition.queue);
      this.heartbeats.set(definition.queue, heartbeatSeconds);
    }
  }

  async send(
    queue: string,
    data: object,
    options: { singletonKey?: string; startAfter?: Date } = {},
  ): Promise<string> {
    // A queue declared with no heartbeat (null) sends none; an undeclared one gets the default.
    const heartbeatSeconds = this.heartbeats.has(queue)
      ? this.heartbeats.get(queue)
      : this.options.heartbeatSeconds;
    const id = await this.boss.send(queue, data, {
      ...options,
      ...(heartbeatSeconds == null ? {} : { heartbeatSeconds }),
    });
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
          heartbeatRefreshSeconds: this.options.heartbeatRefreshSeconds,
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

  /** Whether a job sent to `queue` is still being worked, or its worker was lost. */
  async health(queue: string, id: string): Promise<QueueJobHealth> {
    const [job] = await this.boss.findJobs(queue, { id, limit: 1 });
    if (!job) return 'unknown';
    switch (job.state) {
      case 'active': {
        const heartbeatSeconds = job.heartbeatSeconds;
        const beat = job.heartbeatOn ?? job.startedOn;
        const now = await this.databaseNow();
        return heartbeatSeconds !== null && beat.getTime() + heartbeatSeconds * 1000 < now
          ? 'worker-lost'
          : 'alive';
      }
      case 'retry':
        return 'retrying';
      case 'failed':
      case 'cancelled':
        return 'given-up';
      case 'completed':
        return 'finished';
      default:
        return 'alive';
    }
  }

  /** The database's clock (pg-boss's heartbeats are written with it, not this process's). */
  private async databaseNow(): Promise<number> {
    const { rows } = await this.boss
      .getDb()
      .executeSql('SELECT (extract(epoch from now()) * 1000)::float8 AS now', []);
    return Number((rows[0] as { now: number | string } | undefined)?.now ?? Date.now());
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
