// bench/import.ts: a CSV import of N rows (300,000 by default) through the API and its job on a
// running Herald (`src/main.ts serve`, in-process worker), on embedded PGlite and on a PostgreSQL
// server: the import rate, and the latency of an authenticated read (a 20-row subscriber page)
// that autocannon keeps asking for during the whole import, against the same read on an idle
// server. autocannon runs in a child process (its programmatic API, stopped when the job ends),
// so its latencies cover exactly the import.
//
//   npm run bench:import                                      # PGlite only
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5433/postgres npm run bench:import -- --db both
//
// Flags: --db pglite|postgres|both, --rows n, --connections n (0: the import alone, no reads),
// --baseline s, --note text, --no-append.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { machineInfo } from './lib/machine.ts';
import {
  backendCpuSeconds,
  backendCpuSince,
  createScratchDatabase,
  type ScratchDatabase,
  serverVersion,
} from './lib/postgres.ts';
import { appendResults, markdownTable } from './lib/results.ts';
import { cpuSeconds, type RunningServer, sampleRss, startServer } from './lib/server.ts';

// ---------------------------------------------------------------- the load (child process mode)

interface LoadFigures {
  requests: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (
  options: Record<string, unknown>,
  done: (error: Error | null, result: AutocannonResult) => void,
) => { stop(): void };

/** Runs autocannon until the parent says `stop` (or `seconds` pass), then sends the figures. */
function serveLoad(url: string, authorization: string, connections: number, seconds: number) {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const instance = autocannon(
    { url, connections, duration: seconds, headers: { authorization } },
    (error, result) => {
      if (error) throw error;
      const figures: LoadFigures = {
        requests: result.requests.total,
        p50: result.latency.p50,
        p99: result.latency.p99,
        max: result.latency.max,
        non2xx: result.non2xx,
        errors: result.errors,
      };
      process.send?.({ figures }, () => process.exit(0));
    },
  );
  process.on('message', (message: string) => {
    if (message === 'stop') instance.stop();
  });
  process.send?.({ started: true });
}

const NO_LOAD: LoadFigures = { requests: 0, p50: 0, p99: 0, max: 0, non2xx: 0, errors: 0 };

/** Starts the read load in its own process; with 0 connections, none (the import alone). */
async function startLoad(
  url: string,
  authorization: string,
  connections: number,
  seconds: number,
): Promise<{ stop(): Promise<LoadFigures> }> {
  if (connections === 0) return { stop: () => Promise.resolve(NO_LOAD) };
  const child = fork(import.meta.filename, [
    '--load',
    url,
    authorization,
    String(connections),
    String(seconds),
  ]);
  const figures = new Promise<LoadFigures>((resolve, reject) => {
    child.on('message', (message: { figures?: LoadFigures }) => {
      if (message.figures) resolve(message.figures);
    });
    child.once('exit', (code) => {
      reject(new Error(`load generator exited with ${String(code)}`));
    });
  });
  await once(child, 'message');
  return {
    stop() {
      if (child.connected) child.send('stop');
      return figures;
    },
  };
}

// ---------------------------------------------------------------- the bench

const loadMode = process.argv[2] === '--load';
const { values: flags } = parseArgs({
  args: loadMode ? [] : process.argv.slice(2),
  options: {
    db: { type: 'string' },
    rows: { type: 'string', default: '300000' },
    connections: { type: 'string', default: '10' },
    baseline: { type: 'string', default: '5' },
    note: { type: 'string' },
    'no-append': { type: 'boolean', default: false },
  },
});
const adminUrl = process.env.BENCH_DATABASE_URL;

async function call<T>(
  server: RunningServer,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(server.url + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${method} ${path} answered ${String(response.status)}: ${text}`);
  return JSON.parse(text) as T;
}

/** The server's event-loop delay since the previous scrape (prom-client resets it on each). */
async function loopDelay(server: RunningServer): Promise<{ p99: number; max: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const read = (name: string) =>
    Math.round(Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN) * 1000);
  return {
    p99: read('herald_nodejs_eventloop_lag_p99_seconds'),
    max: read('herald_nodejs_eventloop_lag_max_seconds'),
  };
}

interface Job {
  id: string;
  status: string;
  result: { imported?: number; errorCount?: number } | null;
  startedAt: string | null;
  finishedAt: string | null;
}

interface DbFigures {
  db: string;
  rows: number;
  imported: number;
  endToEndSeconds: number;
  jobSeconds: number;
  baseline: LoadFigures;
  during: LoadFigures;
  /** CPU seconds over the import window (the concurrent reads included). */
  serverCpu: number;
  postgresCpu: number | undefined;
  idleLoop: { p99: number; max: number };
  importLoop: { p99: number; max: number };
  peakRssMb: number;
}

function csvOf(rows: number): string {
  const lines = ['email,first_name,last_name,plan,city'];
  for (let i = 0; i < rows; i++) {
    lines.push(`import-${String(i)}@example.net,First${String(i)},Last${String(i)},pro,Lyon`);
  }
  return `${lines.join('\n')}\n`;
}

async function benchOne(db: 'pglite' | 'postgres', csv: string, rows: number): Promise<DbFigures> {
  let scratch: ScratchDatabase | undefined;
  if (db === 'postgres') {
    if (!adminUrl) throw new Error('set BENCH_DATABASE_URL to an admin URL of a PostgreSQL server');
    scratch = await createScratchDatabase(adminUrl);
  }
  const server = await startServer({
    env: {
      RATE_LIMIT_GENERAL_PER_MINUTE: '1000000000',
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    },
  });
  try {
    const register = await fetch(`${server.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `bench-${String(Date.now())}@example.com`,
        password: 'Bench-Horse-9-battery',
        name: 'Bench',
      }),
    });
    const { accessToken: token } = (await register.json()) as { accessToken: string };
    const business = await call<{ id: string }>(server, 'POST', '/api/v1/businesses', token, {
      name: 'Blue Bottle Bakery',
      industry: 'Food & drink',
      audience: 'Busy parents in Lyon who want good bread',
      brandVoice: { tone: 'warm and plain', wordsToUse: ['fresh'], wordsToAvoid: ['cheap'] },
      channels: ['email'],
      timezone: 'Europe/Paris',
      defaultSender: { name: 'Blue Bottle', email: 'hello@bakery.example' },
    });
    const base = `/api/v1/businesses/${business.id}`;
    for (let i = 0; i < 20; i++) {
      await call(server, 'POST', `${base}/subscribers`, token, {
        email: `seed-${String(i)}@example.org`,
      });
    }
    const readUrl = `${server.url}${base}/subscribers?limit=20`;
    const connections = Number(flags.connections);

    // Warm-up (not counted), then the read on an idle server.
    const warmup = await startLoad(readUrl, `Bearer ${token}`, connections, 3);
    if (connections > 0) await sleep(3500);
    await warmup.stop();
    await loopDelay(server);
    const idle = await startLoad(readUrl, `Bearer ${token}`, connections, Number(flags.baseline));
    if (connections > 0) await sleep(Number(flags.baseline) * 1000 + 500);
    const baseline = await idle.stop();
    const idleLoop = await loopDelay(server);

    const rss = sampleRss(server.pid);
    const load = await startLoad(readUrl, `Bearer ${token}`, connections, 3600);
    const serverCpuBefore = cpuSeconds(server.pid);
    const backendsBefore =
      scratch && adminUrl ? await backendCpuSeconds(adminUrl, scratch.url) : undefined;
    const started = performance.now();
    const accepted = await call<{ job: Job }>(server, 'POST', `${base}/subscribers/import`, token, {
      csv,
    });
    let job = accepted.job;
    while (job.status === 'queued' || job.status === 'running') {
      await sleep(100);
      job = await call<Job>(server, 'GET', `/api/v1/jobs/${job.id}`, token);
    }
    const endToEndSeconds = (performance.now() - started) / 1000;
    const serverCpu = cpuSeconds(server.pid) - serverCpuBefore;
    const postgresCpu =
      scratch && adminUrl && backendsBefore
        ? await backendCpuSince(adminUrl, scratch.url, backendsBefore)
        : undefined;
    const during = await load.stop();
    const importLoop = await loopDelay(server);
    const peakRssMb = rss.stop();
    if (job.status !== 'succeeded') throw new Error(`import ${job.status}`);
    const jobSeconds =
      job.startedAt && job.finishedAt
        ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000
        : Number.NaN;
    const figures: DbFigures = {
      db,
      rows,
      imported: job.result?.imported ?? 0,
      endToEndSeconds,
      jobSeconds,
      baseline,
      during,
      serverCpu,
      postgresCpu,
      idleLoop,
      importLoop,
      peakRssMb,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return figures;
  } finally {
    await server.stop();
    server.cleanup();
    await scratch?.drop();
  }
}

async function runBench(): Promise<void> {
  const rows = Number(flags.rows);
  const which = flags.db ?? (adminUrl ? 'both' : 'pglite');
  const dbs: ('pglite' | 'postgres')[] =
    which === 'both' ? ['pglite', 'postgres'] : [which as 'pglite' | 'postgres'];
  const csv = csvOf(rows);
  const results: DbFigures[] = [];
  for (const db of dbs) results.push(await benchOne(db, csv, rows));

  const ms = (value: number) => `${String(value)} ms`;
  const table = markdownTable(
    [
      'db',
      'rows',
      'imported',
      'job s',
      'job rows/s (target ≥ 50,000 on PostgreSQL)',
      'POST→done s',
      'POST→done rows/s',
      'read p50 idle',
      'read p99 idle',
      'reads during import',
      'read p50 during',
      'read p99 during (target < 100 ms)',
      'read max during',
      'failed reads',
      'CPU s: Herald / PostgreSQL',
      'event-loop delay p99 / max, idle',
      'event-loop delay p99 / max, import',
      'peak RSS',
    ],
    results.map((run) => [
      run.db,
      run.rows,
      run.imported,
      run.jobSeconds.toFixed(1),
      (run.rows / run.jobSeconds).toFixed(0),
      run.endToEndSeconds.toFixed(1),
      (run.rows / run.endToEndSeconds).toFixed(0),
      ms(run.baseline.p50),
      ms(run.baseline.p99),
      run.during.requests,
      ms(run.during.p50),
      ms(run.during.p99),
      ms(run.during.max),
      run.during.non2xx + run.during.errors,
      `${run.serverCpu.toFixed(1)} / ${run.postgresCpu === undefined ? '—' : run.postgresCpu.toFixed(1)}`,
      `${ms(run.idleLoop.p99)} / ${ms(run.idleLoop.max)}`,
      `${ms(run.importLoop.p99)} / ${ms(run.importLoop.max)}`,
      `${run.peakRssMb.toFixed(0)} MB`,
    ]),
  );
  const postgres = adminUrl && dbs.includes('postgres') ? await serverVersion(adminUrl) : '';
  const body = [
    `- a ${String(rows)}-row, 5-column CSV of new subscribers (${(csv.length / 1024 / 1024).toFixed(1)} MB) posted to \`POST …/subscribers/import\` of \`src/main.ts serve\` (NODE_ENV=production, in-process worker); job s = the job's startedAt → finishedAt, POST→done = from sending the file until a poll (every 100 ms) sees the job succeeded`,
    `- the read: \`GET …/subscribers?limit=20\` with a JWT, ${flags.connections} autocannon connections in their own process; idle = ${flags.baseline} s before the import, after a 3 s warm-up, during = from the POST until the job is seen done`,
    "- event-loop delay: the server's own `herald_nodejs_eventloop_lag_*` (prom-client, reset at each scrape of `/metrics`) over the same two windows",
    `- load average when the runs ended: ${os
      .loadavg()
      .map((load) => load.toFixed(1))
      .join(
        ', ',
      )} (1, 5, 15 min) on ${String(os.availableParallelism())} cores: other work shares the CPU`,
    ...(postgres ? [`- PostgreSQL ${postgres} on the same machine, default settings`] : []),
    ...(flags.note ? [`- ${flags.note}`] : []),
    '',
    table,
    '',
  ].join('\n');
  process.stdout.write(`\n${body}\n`);
  if (!flags['no-append'])
    appendResults('CSV import under read load (bench/import.ts)', machineInfo(), body);
}

if (loadMode) {
  const [, , , url = '', authorization = '', connections = '10', seconds = '3600'] = process.argv;
  serveLoad(url, authorization, Number(connections), Number(seconds));
} else {
  await runBench();
}
