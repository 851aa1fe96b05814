// /health/ready tells an orchestrator when to send traffic: not before the database answers and
// every migration is applied. /health/live only says the process serves HTTP.
import { describe, expect, it } from 'vitest';

import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/platform/db/client.ts';
import { migrateDatabase } from '../../src/platform/db/migrate.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createMetrics } from '../../src/platform/metrics.ts';
import { createRuntime } from '../../src/runtime.ts';

describe('readiness', () => {
  it('answers 503 until migrations are applied, then 200; 503 again when the database is gone', async () => {
    // A brand-new embedded database with nothing applied, as on a first start.
    const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: '/tmp/herald-test-data/readiness' });
    const runtime = await createRuntime(config, createLogger({ level: 'silent', pretty: false }), {
      database,
      metrics: createMetrics({ defaultMetrics: false }),
      migrate: false,
      startQueue: false,
    });
    const app = await buildApp({ ...runtime });
    try {
      const before = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(before.statusCode).toBe(503);
      expect(before.json<{ error: { code: string } }>().error.code).toBe('NOT_READY');
      expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);

      const health = await app.inject({ method: 'GET', url: '/health' });
      const report = health.json<{ components: { database: { pendingMigrations: number } } }>();
      expect(report.components.database.pendingMigrations).toBeGreaterThan(0);

      await migrateDatabase(database);
      const after = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(after.statusCode).toBe(200);
      expect(after.json()).toEqual({ status: 'ready' });

      await database.close();
      const gone = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(gone.statusCode).toBe(503);
      const down = await app.inject({ method: 'GET', url: '/health' });
      expect(down.statusCode).toBe(503);
      expect(
        down.json<{ components: { database: { status: string } } }>().components.database.status,
      ).toBe('down');
    } finally {
      await app.close();
      await runtime.close();
    }
  }, 60_000);
});
