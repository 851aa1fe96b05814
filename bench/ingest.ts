// bench/ingest.ts: the Segment API write path of a running Herald (`src/main.ts serve`), on a
// PostgreSQL server and on embedded PGlite, reported apart. autocannon posts 100-event batches
// (`POST /v1/batch`, every messageId new) from 50 connections for 10 s after a 3 s warm-up; then
// a raw COPY of the same rows into the same table gives the ceiling; then the stored rows are
// counted against the acknowledged ones: every acknowledged event stored, none twice.
//
//   npm run bench:ingest                                # PostgreSQL (DATABASE_URL or the dev server) and PGlite
//   npm run bench:ingest -- --db pglite --seconds 5
//
// Flags: --db pglite|postgres|both, --seconds n, --connections n, --events n (per batch),
// --note text, --no-append.
import { createRequire } from 'node:module';
import os from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import { machineInfo } from './lib/machine.ts';
import { createScratchDatabase, type ScratchDatabase, serverVersion } from './lib/postgres.ts';
import { appendResults, markdownTable } from './lib/results.ts';
import { type RunningServer, startServer } from './lib/server.ts';

const { values: flags } = parseArgs({
  options: {
    db: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    events: { type: 'string', default: '100' },
    note: { type: 'string' },
    'no-append': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(flags.seconds);
const CONNECTIONS = Number(flags.connections);
const EVENTS = Number(flags.events);
const DEV_DATABASE = 'postgres://postgres@127.0.0.1:5433/postgres';

interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}
type Autocannon = (
  options: Record<string, unknown>,
  done: (error: Error | null, result: AutocannonResult) => void,
) => { stop(): void };
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const PROPERTIES =
  '{"product_id":"sku-4411","name":"Sourdough loaf","price":6.5,"currency":"EUR","quantity":2,"category":"bread"}';
const CONTEXT = '{"library":{"name":"analytics-node","version":"3.1.0"},"locale":"fr-FR"}';

/** One event's JSON: the batch's n-th request, its i-th event (messageIds never repeat). */
function eventJson(prefix: string, request: number, index: number, timestamp: string): string {
  const id = `${prefix}-${String(request)}-${String(index)}`;
  return `{"type":"track","event":"Product Added","userId":"user-${String((request * 7 + index) % 5000)}","messageId":"${id}","timestamp":"${timestamp}","properties":${PROPERTIES},"context":${CONTEXT}}`;
}

function batchBody(prefix: string, request: number): string {
  const timestamp = new Date().toISOString();
  const events: string[] = [];
  for (let index = 0; index < EVENTS; index++)
    events.push(eventJson(prefix, request, index, timestamp));
  return `{"batch":[${events.join(',')}],"sentAt":"${timestamp}"}`;
}

interface LoadRun {
  result: AutocannonResult;
  acknowledged: number[];
  seconds: number;
}

/** autocannon for `seconds`, each request a new batch; records which requests got a 200. */
function load(url: string, writeKey: string, prefix: string, seconds: number): Promise<LoadRun> {
  let next = 0;
  const acknowledged: number[] = [];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/v1/batch`,
        connections: CONNECTIONS,
        duration: seconds,
        timeout: 30,
        headers: {
          authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        requests: [
          {
            method: 'POST',
            setupRequest: (request: Record<string, unknown>, context: Record<string, unknown>) => {
              const number = next++;
              context.number = number;
              return { ...request, body: batchBody(prefix, number) };
            },
            onResponse: (status: number, _body: string, context: Record<string, unknown>) => {
              if (status === 200) acknowledged.push(context.number as number);
            },
          },
        ],
      },
      (error, result) => {
        if (error) reject(error);
        else resolve({ result, acknowledged, seconds: (performance.now() - started) / 1000 });
      },
    );
  });
}

async function call<T>(server: RunningServer, path: string, token: string | null, body: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${String(response.status)} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The same rows as the load's, as COPY text (tab-separated; no field needs escaping). */
function copyRows(businessId: string, prefix: string, requests: number): string[] {
  const lines: string[] = [];
  const now = new Date().toISOString();
  for (let request = 0; request < requests; request++) {
    for (let index = 0; index < EVENTS; index++) {
      const user = `user-${String((request * 7 + index) % 5000)}`;
      const context = `{"ip":"127.0.0.1",${CONTEXT.slice(1)}`;
      lines.push(
        [
          businessId,
          `${prefix}-${String(request)}-${String(index)}`,
          'track',
          'Product Added',
          user,
          '\\N',
          PROPERTIES,
          context,
          now,
          now,
          now,
          now,
        ].join('\t') + '\n',
      );
    }
  }
  return lines;
}
const COPY_COLUMNS =
  'business_id, message_id, type, event, user_id, anonymous_id, properties, context, timestamp, original_timestamp, sent_at, received_at';

/** Raw COPY into events on the server (the ledger too, as the write path writes both). */
async function copyPostgres(url: string, businessId: string, requests: number): Promise<number> {
  const lines = copyRows(businessId, 'copy', requests);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    await client.query('BEGIN');
    await pipeline(
      Readable.from(lines),
      client.query(copyFrom(`COPY events (${COPY_COLUMNS}) FROM STDIN`)),
    );
    await client.query('COMMIT');
    return lines.length / ((performance.now() - started) / 1000);
  } finally {
    await client.end();
  }
}

/** Raw COPY into events of a PGlite database migrated like Herald's (PGlite's /dev/blob COPY). */
async function copyPglite(requests: number): Promise<number> {
  const { openDatabase } = await import('../src/platform/db/client.ts');
  const { migrateDatabase } = await import('../src/platform/db/migrate.ts');
  const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
  try {
    await migrateDatabase(database, {});
    const owner = await database.query<{ id: string }>(
      `INSERT INTO users (email, password_hash, name) VALUES ('copy@bench.example', 'x', 'Copy') RETURNING id`,
    );
    const [business] = await database.query<{ id: string }>(
      `INSERT INTO businesses (owner_id, name, industry, audience, timezone, write_key)
       VALUES ($1, 'Copy', 'x', 'x', 'UTC', 'copy-key') RETURNING id`,
      [owner[0]?.id],
    );
    const lines = copyRows(business?.id ?? '', 'copy', requests);
    const blob = new Blob(lines);
    const started = performance.now();
    await database.pglite?.query(`COPY events (${COPY_COLUMNS}) FROM '/dev/blob'`, [], { blob });
    return lines.length / ((performance.now() - started) / 1000);
  } finally {
    await database.close();
  }
}

interface Figures {
  db: string;
  run: LoadRun;
  eventsPerSecond: number;
  copyPerSecond: number;
  acknowledgedEvents: number;
  stored: number;
  lost: number;
  duplicated: number;
  statuses: string;
}

async function runOne(db: 'postgres' | 'pglite', adminUrl: string): Promise<Figures> {
  const scratch: ScratchDatabase | undefined =
    db === 'postgres' ? await createScratchDatabase(adminUrl) : undefined;
  const server = await startServer({
    // BENCH_CPU_PROF=dir: a V8 CPU profile of the server, to see where its time goes.
    ...(process.env.BENCH_CPU_PROF
      ? {
          entry: [
            `--cpu-prof`,
            `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`,
            'src/main.ts',
            'serve',
          ],
        }
      : {}),
    env: {
      RATE_LIMIT_GENERAL_PER_MINUTE: '1000000000',
      // The default 200/s per key is for one real source; the bench is one key at full speed.
      TRACKING_RATE_LIMIT_PER_SECOND: '1000000000',
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    },
  });
  try {
    const { accessToken } = await call<{ accessToken: string }>(
      server,
      '/api/v1/auth/register',
      null,
      {
        email: `bench-${String(Date.now())}@example.com`,
        password: 'Bench-Horse-9-battery',
        name: 'Bench',
      },
    );
    const business = await call<{ id: string; writeKey: string }>(
      server,
      '/api/v1/businesses',
      accessToken,
      {
        name: 'Blue Bottle Bakery',
        industry: 'Food & drink',
        audience: 'Busy parents in Lyon who want good bread',
        brandVoice: { tone: 'warm', wordsToUse: [], wordsToAvoid: [] },
        channels: ['email'],
        timezone: 'Europe/Paris',
      },
    );
    await load(server.url, business.writeKey, 'warm', 3);
    const run = await load(server.url, business.writeKey, 'run', SECONDS);

    // Count: every acknowledged event stored, nothing stored twice.
    const query = async <T>(text: string, params: unknown[]): Promise<T[]> => {
      if (scratch) {
        const client = new pg.Client({ connectionString: scratch.url });
        await client.connect();
        try {
          return (await client.query(text, params)).rows as T[];
        } finally {
          await client.end();
        }
      }
      return [];
    };
    let stored = 0;
    let duplicated = 0;
    let lost = 0;
    const expected = new Set<string>();
    for (const number of run.acknowledged) expected.add(String(number));
    if (scratch) {
      const rows = await query<{ message_id: string }>(
        `SELECT message_id FROM events WHERE business_id = $1 AND message_id LIKE 'run-%'`,
        [business.id],
      );
      stored = rows.length;
      const seen = new Map<string, number>();
      for (const row of rows) seen.set(row.message_id, (seen.get(row.message_id) ?? 0) + 1);
      duplicated = [...seen.values()].filter((count) => count > 1).length;
      for (const number of run.acknowledged) {
        for (let index = 0; index < EVENTS; index++) {
          if (!seen.has(`run-${String(number)}-${String(index)}`)) lost++;
        }
      }
    } else {
      // PGlite lives inside the server: ask it through SQL over its own API is not possible,
      // so stop it and open its data directory here.
      await server.stop();
      const { openDatabase } = await import('../src/platform/db/client.ts');
      const database = await openDatabase({ kind: 'pglite', dataDir: `${server.dataDir}/pglite` });
      try {
        const rows = await database.query<{ message_id: string }>(
          `SELECT message_id FROM events WHERE business_id = $1 AND message_id LIKE 'run-%'`,
          [business.id],
        );
        stored = rows.length;
        const seen = new Map<string, number>();
        for (const row of rows) seen.set(row.message_id, (seen.get(row.message_id) ?? 0) + 1);
        duplicated = [...seen.values()].filter((count) => count > 1).length;
        for (const number of run.acknowledged) {
          for (let index = 0; index < EVENTS; index++) {
            if (!seen.has(`run-${String(number)}-${String(index)}`)) lost++;
          }
        }
      } finally {
        await database.close();
      }
    }
    const acknowledgedEvents = run.acknowledged.length * EVENTS;
    const copyRequests = Math.max(100, run.acknowledged.length);
    const copyPerSecond =
      db === 'postgres' && scratch
        ? await copyPostgres(scratch.url, business.id, copyRequests)
        : await copyPglite(copyRequests);
    return {
      db,
      run,
      eventsPerSecond: acknowledgedEvents / run.seconds,
      copyPerSecond,
      acknowledgedEvents,
      stored,
      lost,
      duplicated,
      statuses: Object.entries(run.result.statusCodeStats)
        .map(([status, { count }]) => `${status}×${String(count)}`)
        .join(' '),
    };
  } finally {
    await server.stop();
    server.cleanup();
    await scratch?.drop();
  }
}

async function runBench(): Promise<void> {
  const adminUrl = process.env.DATABASE_URL ?? DEV_DATABASE;
  const which = flags.db ?? 'both';
  const dbs: ('postgres' | 'pglite')[] =
    which === 'both' ? ['postgres', 'pglite'] : [which as 'postgres' | 'pglite'];
  const results: Figures[] = [];
  for (const db of dbs) {
    process.stdout.write(`${db}: running…\n`);
    const figures = await runOne(db, adminUrl);
    process.stdout.write(`${db}: ${figures.eventsPerSecond.toFixed(0)} events/s\n`);
    results.push(figures);
  }
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const table = markdownTable(
    [
      'database',
      'events/s acknowledged',
      'raw COPY rows/s',
      'share of COPY',
      'requests',
      'p50',
      'p99 (target < 100 ms)',
      'max',
      'answers',
      'acknowledged events',
      'stored',
      'lost',
      'duplicated',
    ],
    results.map((figures) => [
      figures.db,
      figures.eventsPerSecond.toFixed(0),
      figures.copyPerSecond.toFixed(0),
      (figures.eventsPerSecond / figures.copyPerSecond).toFixed(2),
      figures.run.result.requests.total,
      ms(figures.run.result.latency.p50),
      ms(figures.run.result.latency.p99),
      ms(figures.run.result.latency.max),
      figures.statuses +
        (figures.run.result.errors ? ` errors×${String(figures.run.result.errors)}` : ''),
      figures.acknowledgedEvents,
      figures.stored,
      figures.lost,
      figures.duplicated,
    ]),
  );
  const postgres = dbs.includes('postgres') ? await serverVersion(adminUrl) : '';
  const body = [
    `- \`POST /v1/batch\` of ${String(EVENTS)} new track events (~${(batchBody('x', 0).length / 1024).toFixed(1)} KB) from ${String(CONNECTIONS)} autocannon connections for ${String(SECONDS)} s after a 3 s warm-up, against \`src/main.ts serve\` (NODE_ENV=production); events/s = acknowledged (200) events ÷ run time`,
    '- raw COPY: the same rows (text format, one transaction) into the same `events` table, from this process (PostgreSQL: pg-copy-streams; PGlite: a fresh migrated in-memory PGlite, `COPY … FROM /dev/blob`), no ledger',
    '- stored / lost / duplicated: the acknowledged messageIds looked up in `events` after the run (stored counts every `run-*` row, acknowledged or not)',
    `- load average at the end: ${os
      .loadavg()
      .map((value) => value.toFixed(1))
      .join(', ')} on ${String(os.availableParallelism())} cores shared with other work`,
    ...(postgres ? [`- PostgreSQL ${postgres} on the same machine, default settings`] : []),
    ...(flags.note ? [`- ${flags.note}`] : []),
    '',
    table,
    '',
  ].join('\n');
  process.stdout.write(`\n${body}\n`);
  if (!flags['no-append'])
    appendResults('Segment API ingestion (bench/ingest.ts)', machineInfo(), body);
}

await runBench();
