// Opens the database: embedded PGlite (with pgvector) when no DATABASE_URL is set, else a
// node-postgres pool. Both give the same drizzle API over the same schema, and every query is
// timed into the `herald_db_query_duration_seconds` histogram.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

import type { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { Histogram } from 'prom-client';

import { readPgliteTemplate } from './pglite-template.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<
  PgQueryResultHKT,
  Schema,
  ExtractTablesWithRelations<Schema>
>;
/** Repositories accept either, so a service can run several of them in one transaction. */
export type Executor = Database | Transaction;

export type DatabaseKind = 'pglite' | 'postgres';

export interface DatabaseHandle {
  kind: DatabaseKind;
  db: Database;
  /** Plain SQL with positional parameters, for the few places drizzle does not fit. */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** The embedded instance, when running on PGlite (the job queue shares it). */
  pglite: PGlite | undefined;
  /** The node-postgres pool, when running on a PostgreSQL server (for COPY, which drizzle lacks). */
  pool: pg.Pool | undefined;
  /** Whether the pgvector extension is installed; set by migrations. */
  vectorEnabled: boolean;
  close(): Promise<void>;
}

export type DatabaseConfig =
  /** `template`: a PGlite data-dir dump to start from (tests load a migrated database in ms). */
  | { kind: 'pglite'; dataDir: string; template?: Blob }
  | { kind: 'postgres'; url: string; poolMax: number };

export interface OpenDatabaseOptions {
  queryDuration?: Histogram<'db'>;
}

export async function openDatabase(
  config: DatabaseConfig,
  options: OpenDatabaseOptions = {},
): Promise<DatabaseHandle> {
  const handle =
    config.kind === 'pglite'
      ? await openPglite(config.dataDir, config.template, options)
      : await openPostgres(config.url, config.poolMax, options);
  const installed = await handle.query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`);
  handle.vectorEnabled = installed.length > 0;
  return handle;
}

function timer(histogram: Histogram<'db'> | undefined, db: DatabaseKind) {
  if (!histogram) return () => undefined;
  const end = histogram.startTimer({ db });
  return () => {
    end();
  };
}

/**
 * PGlite's own start parameters plus a smaller buffer cache. Postgres' default 128 MB of shared
 * buffers is sized for a server; one embedded process with a small database reads its pages
 * through the OS cache anyway, and the smaller setting takes ~150 MB off the process's memory.
 */
function pgliteStartParams(PGliteClass: typeof PGlite): string[] | undefined {
  const defaults = (PGliteClass as unknown as { defaultStartParams?: unknown }).defaultStartParams;
  if (!Array.isArray(defaults)) return undefined; // another PGlite version: keep its defaults
  return [...(defaults as string[]), '-c', 'shared_buffers=32MB'];
}

async function openPglite(
  dataDir: string,
  template: Blob | undefined,
  options: OpenDatabaseOptions,
): Promise<DatabaseHandle> {
  // `memory://` keeps the database in memory (tests); anything else is a directory on disk.
  const onDisk = !dataDir.startsWith('memory://');
  if (onDisk) mkdirSync(path.dirname(dataDir), { recursive: true });
  // A new data directory starts from this install's initdb template when there is one.
  const isNew = onDisk && !existsSync(path.join(dataDir, 'PG_VERSION'));
  const initialData = template ?? (isNew ? readPgliteTemplate() : undefined);
  // Imported here, not at the top: a server on PostgreSQL never loads PGlite (start-up memory).
  const [{ PGlite }, { vector }, { pg_trgm }, { drizzle: drizzlePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-pgvector'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('drizzle-orm/pglite'),
  ]);
  const create = (loadDataDir?: Blob) =>
    PGlite.create(dataDir, {
      // pg_trgm: the subscriber search index (migration 0007).
      extensions: { vector, pg_trgm },
      startParams: pgliteStartParams(PGlite),
      ...(loadDataDir ? { loadDataDir } : {}),
    });
  let client = await create(initialData);
  if (isNew && !initialData) {
    // PGlite ran initdb in a second instance, whose memory this one still holds (~250 MB);
    // a reopened instance starts without it.
    await client.close();
    client = await create();
  }

  // Wrap the two entry points drizzle uses so every statement is timed. Transactions run their
  // statements through `client.transaction`, whose inner queries are timed as one unit.
  const originalQuery = client.query.bind(client);
  const originalTransaction = client.transaction.bind(client);
  client.query = (async (...args: Parameters<PGlite['query']>) => {
    const done = timer(options.queryDuration, 'pglite');
    try {
      return await originalQuery(...args);
    } finally {
      done();
    }
  }) as PGlite['query'];
  client.transaction = (async (...args: Parameters<PGlite['transaction']>) => {
    const done = timer(options.queryDuration, 'pglite');
    try {
      return await originalTransaction(...args);
    } finally {
      done();
    }
  }) as PGlite['transaction'];

  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return {
    kind: 'pglite',
    db,
    pglite: client,
    pool: undefined,
    vectorEnabled: false,
    async query<Row>(text: string, params: unknown[] = []) {
      const result = await client.query<Row>(text, params);
      return result.rows;
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

async function openPostgres(
  url: string,
  poolMax: number,
  options: OpenDatabaseOptions,
): Promise<DatabaseHandle> {
  const histogram = options.queryDuration;
  // A Client subclass times every statement, whether it runs through the pool or a transaction.
  class TimedClient extends pg.Client {
    override query(...args: unknown[]): never {
      const done = timer(histogram, 'postgres');
      const result = (super.query as (...a: unknown[]) => unknown)(...args);
      if (result instanceof Promise) {
        return result.finally(done) as never;
      }
      done();
      return result as never;
    }
  }
  // No JIT: the hot reads are prepared statements, and a generic plan's `LIMIT $n` is estimated
  // at a tenth of the table, which on a large one crosses jit_above_cost and compiles every run
  // (165 ms on a 20-row page of a million sequences). Herald's queries are short; JIT never pays.
  // Set as a startup option, so no query races the client's first one.
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    Client: TimedClient,
    idleTimeoutMillis: 30_000,
    application_name: 'herald',
    options: '-c jit=off',
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  await pool.query('SELECT 1');
  const db = drizzleNodePg(pool, { schema }) as unknown as Database;
  return {
    kind: 'postgres',
    db,
    pglite: undefined,
    pool,
    vectorEnabled: false,
    async query<Row>(text: string, params: unknown[] = []) {
      const result = await pool.query(text, params);
      return result.rows as Row[];
    },
    async close() {
      await pool.end();
    },
  };
}
