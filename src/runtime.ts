// Wires Herald's parts together from the configuration: database, migrations, cache, queue,
// breakers, metrics, the domain services and their jobs. `herald serve`, `herald worker` and
// the tests all start from here, so they run the same code.
import { readFileSync } from 'node:fs';

import type { Config } from './config.ts';
import { systemJobs } from './modules/system/jobs.ts';
import { createSystemService } from './modules/system/service.ts';
import { BreakerRegistry } from './platform/breaker.ts';
import { type CacheStore, openCache } from './platform/cache.ts';
import { type DatabaseHandle, openDatabase } from './platform/db/client.ts';
import { migrateDatabase } from './platform/db/migrate.ts';
import type { Logger } from './platform/logger.ts';
import { createMetrics, type Metrics } from './platform/metrics.ts';
import { type JobDefinition, JobQueue } from './platform/queue.ts';

export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

export interface Runtime {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  cache: CacheStore;
  queue: JobQueue;
  breakers: BreakerRegistry;
  metrics: Metrics;
  services: Services;
  jobs: JobDefinition[];
  version: string;
  /** Stops the queue (waiting for running jobs up to the deadline), then the cache and database. */
  close(): Promise<void>;
}

export type Services = ReturnType<typeof createServices>;

function createServices(parts: {
  config: Config;
  database: DatabaseHandle;
  queue: JobQueue;
  cache: CacheStore;
  breakers: BreakerRegistry;
}) {
  return {
    system: createSystemService({
      database: parts.database,
      queue: parts.queue,
      cache: parts.cache,
      breakers: parts.breakers,
      llmProvider: parts.config.llm.provider,
      version: VERSION,
      startedAt: Date.now(),
    }),
  };
}

function jobsOf(services: Services): JobDefinition[] {
  return [...systemJobs(services.system)];
}

export interface RuntimeOptions {
  /** Apply migrations before returning (default: config.runMigrations). */
  migrate?: boolean;
  /** Start the queue (schema install, maintenance); off only for tests that do not need it. */
  startQueue?: boolean;
  metrics?: Metrics;
  queuePollingIntervalSeconds?: number;
  /** An already opened database (tests open one from a template). */
  database?: DatabaseHandle;
}

export async function createRuntime(
  config: Config,
  logger: Logger,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const metrics = options.metrics ?? createMetrics();
  const started = Date.now();
  const database =
    options.database ??
    (await openDatabase(config.database, { queryDuration: metrics.dbQueryDuration }));
  logger.info({ db: database.kind, ms: Date.now() - started }, 'database opened');
  const closers: (() => Promise<void>)[] = [() => database.close()];
  try {
    if (options.migrate ?? config.runMigrations) {
      const { vectorEnabled } = await migrateDatabase(database, {
        postgresUrl: config.database.kind === 'postgres' ? config.database.url : undefined,
      });
      logger.info({ vectorEnabled, ms: Date.now() - started }, 'migrations applied');
    }
    const cache = await openCache(config.redisUrl);
    closers.unshift(() => cache.close());
    const breakers = new BreakerRegistry(metrics);
    const queue = JobQueue.create(
      database,
      {
        postgresUrl: config.database.kind === 'postgres' ? config.database.url : undefined,
        poolMax: 4,
      },
      { logger, metrics },
      {
        concurrency: config.workerConcurrency,
        pollingIntervalSeconds: options.queuePollingIntervalSeconds ?? 1,
      },
    );
    const services = createServices({ config, database, queue, cache, breakers });
    const jobs = jobsOf(services);
    if (options.startQueue ?? true) {
      await queue.start();
      await queue.declare(jobs);
      logger.info({ ms: Date.now() - started }, 'queue started');
    }
    closers.unshift(() => queue.stop(config.shutdownTimeoutMs));

    let closed = false;
    return {
      config,
      logger,
      database,
      cache,
      queue,
      breakers,
      metrics,
      services,
      jobs,
      version: VERSION,
      async close() {
        if (closed) return;
        closed = true;
        for (const close of closers) await close();
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
}
