// bench/content.ts: (1) wall time and database rows for a six-week, three-channel campaign —
// the strategy and every piece generated — on the builtin provider; (2) publishing throughput
// for PIECES pieces due at once, two `herald worker` processes publishing to the outbox, with
// double publishes counted. Runs on a scratch database of a PostgreSQL server:
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5433/postgres node bench/content.ts [--pieces 10000]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { PUBLISH_QUEUE } from '../src/modules/content/publisher.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createRuntime } from '../src/runtime.ts';
import { machineInfo } from './lib/machine.ts';
import { createScratchDatabase, serverVersion } from './lib/postgres.ts';
import { appendResults, markdownTable } from './lib/results.ts';

const args = process.argv.slice(2);
const pieces = Number(args[args.indexOf('--pieces') + 1] ?? 0) || 10_000;
const adminUrl = process.env.BENCH_DATABASE_URL;
if (!adminUrl) throw new Error('set BENCH_DATABASE_URL to an admin URL of a PostgreSQL server');

function startWorker(url: string): { child: ChildProcess; started: Promise<void> } {
  const child = spawn(process.execPath, ['src/main.ts', 'worker'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: url,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'herald-bench-worker-')),
      WORKER_CONCURRENCY: '4',
      LOG_LEVEL: 'warn',
      LOG_PRETTY: 'false',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = new Promise<void>((resolve) => {
    // At LOG_LEVEL=warn the start line is not printed: wait for the queue to be consumed instead.
    setTimeout(resolve, 4000);
  });
  createInterface({ input: child.stdout }).on('line', () => undefined);
  return { child, started };
}

const scratch = await createScratchDatabase(adminUrl);
const logger = createLogger({ level: 'warn', pretty: false });
const config = loadConfig({
  NODE_ENV: 'production',
  DATABASE_URL: scratch.url,
  DATA_DIR: mkdtempSync(path.join(tmpdir(), 'herald-bench-')),
  JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
  RATE_LIMIT_GENERAL_PER_MINUTE: '1000000',
  RATE_LIMIT_AI_PER_MINUTE: '1000000',
  RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
  WORKER_CONCURRENCY: '4',
});
const runtime = await createRuntime(config, logger, { queuePollingIntervalSeconds: 0.5 });
const app = await buildApp({ ...runtime });
const workers: ChildProcess[] = [];
try {
  const call = async <T>(method: 'GET' | 'POST', url: string, headers = {}, payload?: object) => {
    const response = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    if (response.statusCode >= 300)
      throw new Error(`${url}: ${response.statusCode} ${response.body}`);
    return response.json<T>();
  };
  const auth = await call<{ accessToken: string }>(
    'POST',
    '/api/v1/auth/register',
    {},
    {
      email: 'bench@example.com',
      password: 'Correct-Horse-9-battery',
      name: 'Bench',
    },
  );
  const headers = { authorization: `Bearer ${auth.accessToken}` };
  const business = await call<{ id: string }>('POST', '/api/v1/businesses', headers, {
    name: 'Blue Bottle Bakery',
    industry: 'Food & drink',
    audience: 'Busy parents in Lyon',
    products: [{ name: 'Spring sourdough' }],
    channels: ['linkedin', 'instagram', 'email'],
  });
  const b = `/api/v1/businesses/${business.id}`;
  const waitJob = async (id: string) => {
    for (;;) {
      const job = await call<{ status: string }>('GET', `/api/v1/jobs/${id}`, headers);
      if (job.status === 'succeeded') return;
      if (job.status === 'failed') throw new Error(`job ${id} failed`);
      await sleep(20);
    }
  };

  // (1) A six-week, three-channel campaign, strategy plus every piece.
  await runtime.queue.work(runtime.jobs);
  const started = performance.now();
  const campaign = await call<{ id: string }>('POST', `${b}/campaigns`, headers, {
    name: 'Spring menu',
    goal: 'Fill the shop on spring weekends',
    channels: ['linkedin', 'instagram', 'email'],
    startDate: '2026-03-02',
    endDate: '2026-04-12',
  });
  const strategy = await call<{ job: { id: string } }>(
    'POST',
    `${b}/campaigns/${campaign.id}/strategy`,
    headers,
    {},
  );
  await waitJob(strategy.job.id);
  const strategyMs = performance.now() - started;
  const list = await call<{ items: { id: string }[] }>(
    'GET',
    `${b}/contents?campaignId=${campaign.id}&limit=200`,
    headers,
  );
  const jobs = await Promise.all(
    list.items.map((item) =>
      call<{ job: { id: string } }>('POST', `${b}/contents/${item.id}/generate`, headers, {}),
    ),
  );
  for (const job of jobs) await waitJob(job.job.id);
  const campaignMs = performance.now() - started;
  const rowCounts = await runtime.database.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM campaigns) AS campaigns,
            (SELECT count(*)::int FROM campaign_strategies) AS strategies,
            (SELECT count(*)::int FROM contents) AS contents,
            (SELECT count(*)::int FROM content_versions) AS versions,
            (SELECT count(*)::int FROM ai_calls) AS ai_calls,
            (SELECT count(*)::int FROM jobs) AS jobs`,
  );
  const rows = rowCounts[0] ?? {};
  const totalRows = Object.values(rows).reduce((sum, n) => sum + n, 0);
  console.log({ strategyMs, campaignMs, pieces: list.items.length, rows, totalRows });
  // From here only the two worker processes publish; this process just enqueues wake-ups.
  await runtime.queue.boss.offWork(PUBLISH_QUEUE);

  // (2) Publishing throughput: PIECES approved pieces due at once, two worker processes.
  await runtime.database.query(
    `INSERT INTO contents (business_id, platform, topic, status, body, current_version, publish_at)
     SELECT $1, 'linkedin', 'Bench piece ' || g, 'scheduled', '{"text":"Fresh bread."}'::jsonb, 1,
            now() + interval '8 seconds'
       FROM generate_series(1, $2::int) g`,
    [business.id, pieces],
  );
  const spawned = [startWorker(scratch.url), startWorker(scratch.url)];
  workers.push(...spawned.map((worker) => worker.child));
  await Promise.all(spawned.map((worker) => worker.started));
  const [due] = await runtime.database.query<{ at: Date }>(
    `SELECT max(publish_at) AS at FROM contents WHERE business_id = $1 AND status = 'scheduled'`,
    [business.id],
  );
  const dueAt = new Date(due?.at ?? Date.now());
  for (let i = 0; i < 8; i++) await runtime.services.publishing.publisher.wake(dueAt);
  let remaining = pieces;
  while (remaining > 0) {
    await sleep(50);
    const [row] = await runtime.database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM contents WHERE business_id = $1 AND status = 'scheduled'`,
      [business.id],
    );
    remaining = row?.n ?? 0;
  }
  const [last] = await runtime.database.query<{ last: Date }>(
    `SELECT max(published_at) AS last FROM contents WHERE business_id = $1`,
    [business.id],
  );
  const publishSeconds = (new Date(last?.last ?? Date.now()).getTime() - dueAt.getTime()) / 1000;
  const [checks] = await runtime.database.query<{ pubs: number; distinct: number; ok: number }>(
    `SELECT (SELECT count(*)::int FROM publications) AS pubs,
            (SELECT count(DISTINCT content_id)::int FROM publications) AS distinct,
            (SELECT count(*)::int FROM publish_attempts WHERE outcome = 'success') AS ok`,
  );
  const doubles = (checks?.ok ?? 0) - (checks?.distinct ?? 0);
  const rate = pieces / publishSeconds;
  console.log({ pieces, publishSeconds, rate, checks, doubles });

  const machine = machineInfo();
  appendResults(
    'Content: campaign generation and scheduled publishing (bench/content.ts)',
    machine,
    [
      `PostgreSQL ${await serverVersion(scratch.url)}, builtin provider, API and worker in one process for (1); two \`herald worker\` processes (concurrency 4, batch 200) for (2).`,
      '',
      markdownTable(
        ['figure', 'value'],
        [
          ['campaign: strategy job (ms)', strategyMs.toFixed(0)],
          [`campaign: strategy + all ${list.items.length} pieces (ms)`, campaignMs.toFixed(0)],
          [
            'campaign: database rows (campaigns/strategies/contents/versions/ai_calls/jobs)',
            `${totalRows} (${Object.entries(rows)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')})`,
          ],
          [`publishing: ${pieces} pieces due at once (s)`, publishSeconds.toFixed(2)],
          ['publishing: publishes/s to the outbox (target ≥ 500)', rate.toFixed(0)],
          ['publishing: double publishes', String(doubles)],
        ],
      ),
    ].join('\n'),
  );
} finally {
  for (const worker of workers) worker.kill('SIGTERM');
  await app.close();
  await runtime.close();
  await scratch.drop();
}
