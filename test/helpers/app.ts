// buildTestApp(): a whole Herald app on a fresh database — an in-memory copy of the migrated
// embedded template by default, or a new database on the PostgreSQL server when DATABASE_URL
// is set (CI runs the same files both ways). Logs are captured so tests can scan them.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';

import pg from 'pg';
import { inject } from 'vitest';

import { buildApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/platform/db/client.ts';
import type { HeraldEventListener } from '../../src/platform/events.ts';
import type { App } from '../../src/platform/http/types.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createMetrics } from '../../src/platform/metrics.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';

/** Collects every log line the app writes, as parsed JSON and as raw text. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    callback();
  }

  get entries(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  text(): string {
    return this.lines.join('\n');
  }
}

export interface TestApp {
  app: App;
  runtime: Runtime;
  config: Config;
  logs: LogCapture;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Extra environment, as a user would set it. */
  env?: Record<string, string>;
  /** Consume the job queue in this process, as `herald serve` does. */
  worker?: boolean;
  /** The circuit breakers' clock (a test moves it instead of waiting). */
  breakerClock?: () => number;
  /** Listeners of Herald's events (platform/events.ts), beside the app's own. */
  eventListeners?: HeraldEventListener[];
}

let template: Blob | undefined;
function pgliteTemplate(): Blob {
  template ??= new Blob([readFileSync(inject('pgliteTemplatePath'))]);
  return template;
}

/** The PostgreSQL server the suite runs against, if any (CI sets DATABASE_URL). */
export const serverDatabaseUrl = process.env.DATABASE_URL;
export const redisUrl = process.env.REDIS_URL;

async function createServerDatabase(
  adminUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `herald_test_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const logs = new LogCapture();
  const logger = createLogger({ level: 'debug', pretty: false, destination: logs });
  const serverDb = serverDatabaseUrl ? await createServerDatabase(serverDatabaseUrl) : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: `/tmp/herald-test-data/${randomUUID()}`,
    ...(serverDb ? { DATABASE_URL: serverDb.url } : { DATABASE_URL: undefined }),
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    SHUTDOWN_TIMEOUT_MS: '2000',
    // Tests make many requests from one address; the rate-limit tests set their own limits.
    RATE_LIMIT_GENERAL_PER_MINUTE: '100000',
    RATE_LIMIT_AI_PER_MINUTE: '100000',
    CHAT_REQUESTS_PER_MINUTE: '100000',
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '100000',
    // Fixtures register and sign in at once, SMTP or not; test/auth/register-email turns it on.
    SIGNUP_CONFIRM_BY_EMAIL: 'false',
    // A nightly run would add runs to any test's business with orders; its test turns it on.
    INTELLIGENCE_NIGHTLY_HOUR: 'off',
    ...options.env,
  });
  const metrics = createMetrics({ defaultMetrics: false });
  const database = serverDb
    ? undefined
    : await openDatabase(
        { kind: 'pglite', dataDir: 'memory://', template: pgliteTemplate() },
        { queryDuration: metrics.dbQueryDuration },
      );
  const runtime = await createRuntime(config, logger, {
    database,
    metrics,
    migrate: Boolean(serverDb),
    queuePollingIntervalSeconds: 0.5,
    breakerClock: options.breakerClock,
    ...(options.eventListeners ? { eventListeners: options.eventListeners } : {}),
  });
  if (options.worker) await runtime.queue.work(runtime.jobs);
  const app = await buildApp({ ...runtime });
  return {
    app,
    runtime,
    config,
    logs,
    async close() {
      await app.close();
      await runtime.close();
      await serverDb?.drop();
    },
  };
}
