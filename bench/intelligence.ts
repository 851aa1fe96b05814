// bench/intelligence.ts: an intelligence run end to end from the orders table, for 10,000,
// 100,000 and 1,000,000 customers, on a PostgreSQL server and on embedded PGlite. Each size gets
// a fresh business whose customers and orders are drawn from the BG/NBD purchase process and the
// Gamma-Gamma spend process with known parameters over a year (bulk-loaded by COPY); then a
// separate process, so its peak RSS is the run's own, times each phase: the purchase-summary
// query (intelligence repository), grouping customers by (x, t_x, T), the BG/NBD and
// Gamma-Gamma fits, scoring every customer (P(alive), expected purchases, CLV, RFM, CLV
// percentiles), and storing the score rows (an `intelligence_runs` row, then COPY into
// `customer_scores`).
//
//   npm run bench:intelligence                        # PostgreSQL (dev server) and PGlite
//   npm run bench:intelligence -- --db postgres --sizes 10000,100000,1000000
//
// Flags: --db postgres|pglite|both, --sizes n,n (PostgreSQL; default 10k, 100k, 1M),
// --pglite-sizes n,n (default 10k, 100k), --note text, --no-append. BENCH_DATABASE_URL names the
// server's admin database (default the dev server's); the bench makes and drops its own database
// `herald_intel_bench` there. PGlite runs on a data directory in the system's temp dir.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import { type DatabaseHandle, openDatabase } from '../src/platform/db/client.ts';
import { migrateDatabase } from '../src/platform/db/migrate.ts';
import { machineInfo } from './lib/machine.ts';
import { serverVersion } from './lib/postgres.ts';
import { appendResults, markdownTable } from './lib/results.ts';

const { values: flags } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    sizes: { type: 'string', default: '10000,100000,1000000' },
    'pglite-sizes': { type: 'string', default: '10000,100000' },
    note: { type: 'string' },
    'no-append': { type: 'boolean', default: false },
    // Internal: the child processes.
    child: { type: 'string' },
    target: { type: 'string' },
    customers: { type: 'string' },
    business: { type: 'string' },
  },
});

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5433/postgres';
const BENCH_DATABASE = 'herald_intel_bench';
const AS_OF = '2026-11-30';
const DAYS = 365;
const MS_PER_DAY = 86_400_000;
/** The generating process, in days and dollars. */
const TRUTH = { r: 0.25, alpha: 28, a: 0.8, b: 2.5 };
const SPEND = { p: 6, q: 4, v: 15 };

/** Where a child finds the database: a PostgreSQL URL or a PGlite data directory. */
type Target = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };

async function open(target: Target): Promise<DatabaseHandle> {
  return target.kind === 'postgres'
    ? openDatabase({ kind: 'postgres', url: target.url, poolMax: 2 })
    : openDatabase({ kind: 'pglite', dataDir: target.dataDir });
}

/** COPY `lines` (chunks of COPY text) into `table (columns)`: pg-copy-streams or PGlite's blob. */
async function copyChunks(
  database: DatabaseHandle,
  table: string,
  columns: string,
  chunks: Iterable<string>,
): Promise<void> {
  if (database.pool) {
    const client = await database.pool.connect();
    try {
      await pipeline(
        Readable.from(chunks, { objectMode: false }),
        client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`)),
      );
    } finally {
      client.release();
    }
    return;
  }
  for (const chunk of chunks) {
    await database.pglite?.query(`COPY ${table} (${columns}) FROM '/dev/blob'`, [], {
      blob: new Blob([chunk]),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Child 1: generate a business with `customers` customers and their orders.

async function generate(target: Target, customers: number): Promise<string> {
  const { gamma, seededRandom } = await import('../test/intelligence/simulate.ts');
  const database = await open(target);
  try {
    const [owner] = await database.query<{ id: string }>(
      `INSERT INTO users (email, password_hash, name)
       VALUES ('intel-' || gen_random_uuid() || '@bench.example', 'x', 'Bench') RETURNING id`,
    );
    const [business] = await database.query<{ id: string }>(
      `INSERT INTO businesses (owner_id, name, timezone, write_key)
       VALUES ($1, 'Intelligence bench', 'UTC', gen_random_uuid()::text) RETURNING id`,
      [owner?.id],
    );
    const businessId = business?.id ?? '';
    const random = seededRandom(customers);
    const end = Date.parse(`${AS_OF}T00:00:00Z`) + MS_PER_DAY; // the end of the as-of day
    const start = end - DAYS * MS_PER_DAY;
    const ids: string[] = [];
    let orders = 0;
    function* customerRows(): Generator<string> {
      let lines = '';
      for (let n = 0; n < customers; n++) {
        const id = crypto.randomUUID();
        ids.push(id);
        const seen = new Date(start).toISOString();
        lines += `${id}\t${businessId}\tbench-${n}\t${seen}\t${seen}\n`;
        if (lines.length > 1 << 20) {
          yield lines;
          lines = '';
        }
      }
      if (lines) yield lines;
    }
    function* orderRows(): Generator<string> {
      let lines = '';
      for (let n = 0; n < customers; n++) {
        const id = ids[n] as string;
        // First purchase uniformly over the year; then the BG/NBD process until the as-of day.
        const first = start + random() * DAYS * MS_PER_DAY;
        const rate = gamma(random, TRUTH.r) / TRUTH.alpha; // per day
        const ga = gamma(random, TRUTH.a);
        const dropout = ga / (ga + gamma(random, TRUTH.b));
        const nu = gamma(random, SPEND.q) / SPEND.v;
        let at = first;
        for (let k = 0; ; k++) {
          const dollars = gamma(random, SPEND.p) / nu;
          const cents = Math.max(1, Math.round(dollars * 100));
          lines += `${businessId}\t${id}\to-${n}-${k}\t${cents}\t${new Date(at).toISOString()}\n`;
          orders += 1;
          if (k > 0 && random() < dropout) break;
          at += (-Math.log(1 - random()) / rate) * MS_PER_DAY;
          if (at >= end) break;
        }
        if (lines.length > 1 << 20) {
          yield lines;
          lines = '';
        }
      }
      if (lines) yield lines;
    }
    await copyChunks(
      database,
      'customers',
      'id, business_id, user_id, first_seen_at, last_seen_at',
      customerRows(),
    );
    await copyChunks(
      database,
      'orders',
      'business_id, customer_id, order_id, total_cents, placed_at',
      orderRows(),
    );
    // As autovacuum would leave them: hint bits set and statistics fresh, so the timed query
    // does not pay for the bulk load's first read.
    await database.query('VACUUM ANALYZE customers');
    await database.query('VACUUM ANALYZE orders');
    console.error(`generated ${customers} customers, ${orders} orders`);
    return JSON.stringify({ businessId, orders });
  } finally {
    await database.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Child 2: the timed run.

interface RunFigures {
  customers: number;
  triples: number;
  phases: Record<string, number>;
  maxRssMb: number;
  bgNbd: { r: number; alpha: number; a: number; b: number; iterations: number };
  gammaGamma: { p: number; q: number; v: number; iterations: number };
}

/** One run through the service the job and the nightly schedule call, timed by its model card. */
async function run(target: Target, businessId: string): Promise<string> {
  const { createIntelligenceRunner } = await import('../src/modules/intelligence/service.ts');
  const { createLogger } = await import('../src/platform/logger.ts');
  const database = await open(target);
  try {
    const started = performance.now();
    const result = await createIntelligenceRunner({
      database,
      logger: createLogger({ level: 'warn', pretty: false }),
    }).execute({
      businessId,
      trigger: 'manual',
      options: { asOf: AS_OF, horizonDays: 365, annualDiscountRate: 0.1 },
    });
    const totalSeconds = (performance.now() - started) / 1000;
    const model = result?.model;
    if (!model?.bgnbd || !model.gammaGamma) throw new Error('the run fitted no model');
    const ms = model.durationMs;
    const figures: RunFigures = {
      customers: model.counts.customers,
      triples: model.counts.distinctHistories,
      phases: {
        'summary query': ms.summary / 1000,
        'fit (group, BG/NBD, Gamma-Gamma)': ms.fit / 1000,
        score: ms.score / 1000,
        'store scores (COPY)': ms.store / 1000,
        total: totalSeconds,
      },
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      bgNbd: { ...model.bgnbd },
      gammaGamma: { ...model.gammaGamma },
    };
    return JSON.stringify(figures);
  } finally {
    await database.close();
  }
}

if (flags.child) {
  const target = JSON.parse(flags.target ?? '{}') as Target;
  const output =
    flags.child === 'generate'
      ? await generate(target, Number(flags.customers))
      : await run(target, flags.business ?? '');
  process.stdout.write(`${output}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// The orchestrator.

function child(args: string[]): string {
  const script = new URL(import.meta.url).pathname;
  const output = execFileSync(process.execPath, [script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  return output.trim().split('\n').at(-1) ?? '';
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

interface Row {
  db: string;
  orders: number;
  figures: RunFigures;
}

const rows: Row[] = [];
const sizesOf = (list: string) => list.split(',').map(Number).filter(Boolean);
const databases = flags.db === 'both' ? ['postgres', 'pglite'] : [flags.db];
let version = '';

for (const kind of databases) {
  let target: Target;
  let cleanup: () => Promise<void>;
  if (kind === 'postgres') {
    await adminQuery(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
    await adminQuery(`CREATE DATABASE ${BENCH_DATABASE}`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${BENCH_DATABASE}`;
    target = { kind: 'postgres', url: url.toString() };
    const handle = await open(target);
    await migrateDatabase(handle, { postgresUrl: target.url });
    await handle.close();
    version = await serverVersion(target.url);
    cleanup = () => adminQuery(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'herald-intel-bench-'));
    target = { kind: 'pglite', dataDir: path.join(dir, 'data') };
    const handle = await open(target);
    await migrateDatabase(handle);
    await handle.close();
    cleanup = () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    };
  }
  try {
    for (const customers of sizesOf(kind === 'postgres' ? flags.sizes : flags['pglite-sizes'])) {
      const started = performance.now();
      const generated = JSON.parse(
        child([
          '--child',
          'generate',
          '--target',
          JSON.stringify(target),
          '--customers',
          String(customers),
        ]),
      ) as { businessId: string; orders: number };
      console.log(
        `${kind} ${customers}: generated ${generated.orders} orders in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      const runArgs = [
        '--child',
        'run',
        '--target',
        JSON.stringify(target),
        '--business',
        generated.businessId,
      ];
      const first = JSON.parse(child(runArgs)) as RunFigures;
      console.log(kind, customers, 'first run', JSON.stringify(first.phases));
      const figures = JSON.parse(child(runArgs)) as RunFigures;
      console.log(kind, customers, JSON.stringify(figures));
      rows.push({ db: kind, orders: generated.orders, figures });
    }
  } finally {
    await cleanup();
  }
}

const seconds = (value: number | undefined) =>
  (value ?? 0).toFixed(value !== undefined && value < 0.1 ? 3 : 2);
const phaseNames = [
  'summary query',
  'fit (group, BG/NBD, Gamma-Gamma)',
  'score',
  'store scores (COPY)',
];
const table = markdownTable(
  [
    'db',
    'customers',
    'orders',
    'distinct (x, t_x, T)',
    ...phaseNames.map((name) => `${name} s`),
    'fit + score from the orders table s (target 1M < 10)',
    'whole run, storing included s',
    'peak RSS MB',
  ],
  rows.map(({ db, orders, figures }) => {
    const p = figures.phases;
    const fitScore =
      (p['summary query'] ?? 0) + (p['fit (group, BG/NBD, Gamma-Gamma)'] ?? 0) + (p.score ?? 0);
    return [
      db,
      figures.customers,
      orders,
      figures.triples,
      ...phaseNames.map((name) => seconds(p[name])),
      seconds(fitScore),
      seconds(p.total),
      figures.maxRssMb,
    ];
  }),
);
const fits = markdownTable(
  ['db', 'customers', 'r', 'α (weeks)', 'a', 'b', 'BFGS iterations', 'p', 'q', 'v (dollars)'],
  rows.map(({ db, figures }) => [
    db,
    figures.customers,
    figures.bgNbd.r.toFixed(4),
    figures.bgNbd.alpha.toFixed(3),
    figures.bgNbd.a.toFixed(4),
    figures.bgNbd.b.toFixed(4),
    figures.bgNbd.iterations,
    figures.gammaGamma.p.toFixed(3),
    figures.gammaGamma.q.toFixed(3),
    figures.gammaGamma.v.toFixed(1),
  ]),
);
console.log(`\n${table}\n\n${fits}`);
if (!flags['no-append']) {
  const body = [
    `- customers drawn from BG/NBD r ${TRUTH.r}, α ${TRUTH.alpha / 7} weeks, a ${TRUTH.a}, b ${TRUTH.b} with first purchases spread over the ${DAYS} days to ${AS_OF}, order values from Gamma-Gamma p ${SPEND.p}, q ${SPEND.q}, v ${SPEND.v * 100} cents; loaded by COPY into a fresh business`,
    `- timed in a fresh process (peak RSS = its process.resourceUsage().maxRSS) through the run service the API's job and the nightly schedule call (createIntelligenceRunner().execute), phases from its model card: the purchase-summary query → grouping by (x, t_x, T), BG/NBD fit (BFGS, analytic gradient), Gamma-Gamma fit on the repeat buyers → scoring every customer (P(alive), expected purchases and CLV per distinct triple, order value, RFM quintiles, CLV percentile, the figures) → storing, in one transaction: the score rows by binary COPY into the run's own table, attached as customer_scores' partition (its indexes built then), the changes since the previous run (one join of both runs' scores), the run's success`,
    '- each size is run twice on the same data: the first run has no previous run; the second (the row shown) compares with the first, as every nightly run after the first does',
    `- ${databases.includes('postgres') ? `PostgreSQL ${version} on the same machine, default settings; ` : ''}PGlite on a data directory in the temp dir`,
    ...(flags.note ? [`- ${flags.note}`] : []),
    '',
    table,
    '',
    fits,
  ].join('\n');
  appendResults('Customer intelligence run (bench/intelligence.ts)', machineInfo(), body);
}
