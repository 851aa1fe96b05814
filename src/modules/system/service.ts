// Operational views of the running service: component health, readiness, and queue probes
// (a job an operator sends through the queue to check that workers consume it, once). A probe
// belongs to the user who sent it.
import { hostname } from 'node:os';

import type { BreakerRegistry } from '../../platform/breaker.ts';
import type { CacheStore } from '../../platform/cache.ts';
import type { DatabaseHandle } from '../../platform/db/client.ts';
import { pendingMigrationCount } from '../../platform/db/migrate.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { found } from '../../platform/http/errors.ts';
import { type PaginationQuery, readPage } from '../../platform/http/pagination.ts';
import type { JobQueue } from '../../platform/queue.ts';
import { createSystemRepository, type QueueProbeRow } from './repository.ts';
import type { HealthReport, QueueProbe } from './schemas.ts';

export const QUEUE_PROBE_JOB = 'system.queue-probe';
export const WORKER_NAME = `${hostname()}:${process.pid}`;
/** How long a report that found every component ok answers further /health calls. */
export const HEALTHY_REPORT_REUSE_MS = 1_000;

export interface SystemServiceDeps {
  database: DatabaseHandle;
  queue: JobQueue;
  cache: CacheStore;
  breakers: BreakerRegistry;
  llmProvider: string;
  version: string;
  startedAt: number;
  /** The event write path's figures (the tracking module's), for the `ingestion` section. */
  ingestion?: () => Promise<HealthReport['ingestion']>;
  /** Whether the MCP endpoint is served, and where (the `mcp` component). */
  mcp?: { enabled: boolean; path: string };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
}

function toQueueProbe(row: QueueProbeRow): QueueProbe {
  return {
    id: row.id,
    note: row.note,
    status: row.processedAt ? 'processed' : 'queued',
    requestedAt: row.requestedAt.toISOString(),
    processedAt: row.processedAt?.toISOString() ?? null,
    processedBy: row.processedBy,
    runCount: row.runCount,
  };
}

export function createSystemService(deps: SystemServiceDeps) {
  const repository = createSystemRepository(deps.database.db);

  // Migrations are applied at boot (or by `herald migrate`) and only ever added: once every one
  // is applied, none can become pending while this process runs (short of restoring an older
  // database under it), so the count is read until it reaches zero and not after.
  let migrationsCurrent = false;
  async function pendingMigrations(): Promise<number> {
    if (migrationsCurrent) {
      await deps.database.query('SELECT 1'); // still a round trip: the database must answer
      return 0;
    }
    const pending = await pendingMigrationCount(deps.database);
    migrationsCurrent = pending === 0;
    return pending;
  }

  /** Closed by shutdown (or a test): known without asking it. */
  function databaseClosed(): boolean {
    return deps.database.pglite?.closed === true || deps.database.pool?.ending === true;
  }

  async function checkDatabase(): Promise<HealthReport['components']['database']> {
    const started = performance.now();
    try {
      if (databaseClosed()) throw new Error('database closed');
      const pending = await pendingMigrations();
      return {
        status: pending === 0 ? 'ok' : 'degraded',
        kind: deps.database.kind,
        latencyMs: Math.round((performance.now() - started) * 10) / 10,
        pendingMigrations: pending,
        vector: deps.database.vectorEnabled,
      };
    } catch (error) {
      return {
        status: 'down',
        kind: deps.database.kind,
        latencyMs: null,
        pendingMigrations: null,
        vector: deps.database.vectorEnabled,
        error: errorMessage(error),
      };
    }
  }

  async function checkQueue(): Promise<HealthReport['components']['queue']> {
    try {
      await deps.queue.counts();
      return { status: 'ok' };
    } catch (error) {
      return { status: 'down', error: errorMessage(error) };
    }
  }

  async function checkCache(): Promise<HealthReport['components']['cache']> {
    try {
      await deps.cache.ping();
      return { status: 'ok', kind: deps.cache.kind };
    } catch (error) {
      return { status: 'down', kind: deps.cache.kind, error: errorMessage(error) };
    }
  }

  type ComponentChecks = [
    HealthReport['components']['database'],
    HealthReport['components']['queue'],
    HealthReport['components']['cache'],
  ];
  // Calls that arrive while a check is running share it instead of starting their own, and a
  // check that found every component ok answers the calls of the next second too: however hard
  // /health is polled, the database and the queue see at most one check a second while all is
  // well (on the embedded database each check holds its one connection for milliseconds).
  // Anything not ok is checked again on the next call, and a closed database ends the reuse.
  let running: Promise<ComponentChecks> | undefined;
  let healthy: { checks: ComponentChecks; at: number } | undefined;
  function checkComponents(): Promise<ComponentChecks> {
    if (healthy && performance.now() - healthy.at < HEALTHY_REPORT_REUSE_MS && !databaseClosed()) {
      return Promise.resolve(healthy.checks);
    }
    if (!running) {
      const startedAt = performance.now();
      running = Promise.all([checkDatabase(), checkQueue(), checkCache()])
        .then((checks) => {
          const allOk = checks.every((check) => check.status === 'ok');
          healthy = allOk ? { checks, at: startedAt } : undefined;
          return checks;
        })
        .finally(() => {
          running = undefined;
        });
    }
    return running;
  }

  return {
    async health(): Promise<HealthReport> {
      const [[database, queue, cache], ingestion] = await Promise.all([
        checkComponents(),
        deps.ingestion?.().catch(() => undefined),
      ]);
      const llm: HealthReport['components']['llm'] =
        deps.llmProvider === 'builtin'
          ? { status: 'ok', provider: 'builtin', note: 'built-in offline templates, not a model' }
          : { status: 'ok', provider: deps.llmProvider };
      const statuses = [database.status, queue.status, cache.status];
      const status = statuses.includes('down')
        ? 'down'
        : statuses.includes('degraded')
          ? 'degraded'
          : 'ok';
      return {
        status,
        version: deps.version,
        uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
        components: {
          database,
          queue,
          cache,
          llm,
          breakers: deps.breakers.states(),
          ...(deps.mcp
            ? {
                mcp: deps.mcp.enabled
                  ? { status: 'ok' as const, enabled: true, path: deps.mcp.path }
                  : { status: 'not_configured' as const, enabled: false, path: null },
              }
            : {}),
        },
        ...(ingestion ? { ingestion } : {}),
      };
    },

    /** Ready means the database answers and every migration in the repository is applied. */
    async isReady(): Promise<boolean> {
      try {
        return !databaseClosed() && (await pendingMigrations()) === 0;
      } catch {
        return false;
      }
    },

    async requestQueueProbe(principal: Principal, note: string | undefined): Promise<QueueProbe> {
      const probe = await repository.insertProbe(principal.userId, note ?? null);
      await deps.queue.send(QUEUE_PROBE_JOB, { probeId: probe.id });
      return toQueueProbe(probe);
    },

    async getQueueProbe(principal: Principal, id: string): Promise<QueueProbe> {
      const probe = found(await repository.findProbe(principal.userId, id), 'Queue probe');
      return toQueueProbe(probe);
    },

    async listQueueProbes(principal: Principal, query: PaginationQuery) {
      return readPage(query, (page) => repository.listProbes(principal.userId, page), toQueueProbe);
    },

    /** The job handler: marks the probe as run by this worker. */
    async runQueueProbe(probeId: string): Promise<void> {
      await repository.markProbeRun(probeId, WORKER_NAME);
    },
  };
}

export type SystemService = ReturnType<typeof createSystemService>;
