// A throw-away database on a PostgreSQL server, so a bench starts from an empty schema and
// leaves nothing behind.
import { randomUUID } from 'node:crypto';

import pg from 'pg';

import { cpuSeconds } from './server.ts';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createScratchDatabase(adminUrl: string): Promise<ScratchDatabase> {
  const name = `herald_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** The server's version string, for the results section. */
export async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return result.rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}

/** CPU seconds used so far by each PostgreSQL backend connected to `databaseUrl`'s database. */
export async function backendCpuSeconds(
  adminUrl: string,
  databaseUrl: string,
): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1',
      [new URL(databaseUrl).pathname.slice(1)],
    );
    return new Map(rows.map((row) => [row.pid, cpuSeconds(row.pid)]));
  } finally {
    await client.end();
  }
}

/**
 * CPU seconds the backends of `databaseUrl` used since `before` (from backendCpuSeconds). Only
 * backends still connected count: one that has gone since took its figure with it.
 */
export async function backendCpuSince(
  adminUrl: string,
  databaseUrl: string,
  before: Map<number, number>,
): Promise<number> {
  let total = 0;
  for (const [pid, now] of await backendCpuSeconds(adminUrl, databaseUrl)) {
    total += now - (before.get(pid) ?? 0);
  }
  return total;
}
