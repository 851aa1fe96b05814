// Exactly-once publishing with two `herald worker` processes on the PostgreSQL server, after a
// crash: a claim left by a worker that died (its lease runs out) is taken over, and every due
// piece ends with exactly one publication and one successful attempt.
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, serverDatabaseUrl, type TestApp } from '../helpers/app.ts';
import { newBusiness, newContent, newUser } from '../helpers/fixtures.ts';
import { startWorkerProcess } from '../helpers/worker-process.ts';

const PIECES = 300;

const WORKER_ENV = {
  WORKER_CONCURRENCY: '4',
  PUBLISH_BATCH_SIZE: '25',
  PUBLISH_LEASE_SECONDS: '2',
};

describe.runIf(serverDatabaseUrl)('publishing with two worker processes', () => {
  let ctx: TestApp;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    ctx = await buildTestApp({ env: { PUBLISH_LEASE_SECONDS: '2' } }); // the API: no worker
  }, 60_000);
  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
    await ctx.close();
  });

  it('publishes every due piece exactly once, including those a dead worker had claimed', async () => {
    if (ctx.config.database.kind !== 'postgres') throw new Error('expected a server database');
    const owner = await newUser(ctx.app);
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const first = await newContent(ctx.app, owner, businessId);
    const db = ctx.runtime.database;
    // Many approved pieces, all due now (copies of one made through the API).
    await db.query(
      `INSERT INTO contents (business_id, platform, topic, status, body, current_version)
       SELECT business_id, platform, topic || ' ' || g, 'approved', body, 1
         FROM contents, generate_series(2, $2::int) g WHERE id = $1`,
      [first.id, PIECES],
    );
    await db.query(
      `UPDATE contents SET status = 'scheduled', publish_at = now() - interval '1 second'
        WHERE business_id = $1`,
      [businessId],
    );
    // A worker that claimed a batch and died before publishing it.
    const publisher = ctx.runtime.services.publishing.publisher;
    const abandoned = await publisher.claim(40);
    expect(abandoned).toHaveLength(40);

    const started = [
      startWorkerProcess(ctx.config.database.url, WORKER_ENV),
      startWorkerProcess(ctx.config.database.url, WORKER_ENV),
    ];
    workers.push(...started.map((worker) => worker.child));
    await Promise.all(started.map((worker) => worker.started));
    for (let i = 0; i < 4; i++) await publisher.wake(new Date());

    let remaining = PIECES;
    for (let poll = 0; poll < 240 && remaining > 0; poll++) {
      await sleep(250);
      const [row] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM contents WHERE business_id = $1 AND status <> 'published'`,
        [businessId],
      );
      remaining = row?.n ?? PIECES;
    }
    expect(remaining).toBe(0);

    const [counts] = await db.query<{ publications: number; distinct: number; successes: number }>(
      `SELECT (SELECT count(*)::int FROM publications WHERE business_id = $1) AS publications,
              (SELECT count(DISTINCT content_id)::int FROM publications WHERE business_id = $1) AS distinct,
              (SELECT count(*)::int FROM publish_attempts WHERE business_id = $1 AND outcome = 'success') AS successes`,
      [businessId],
    );
    expect(counts).toEqual({ publications: PIECES, distinct: PIECES, successes: PIECES });
    // The abandoned claims were taken over on a second attempt.
    const retaken = await db.query<{ attempt: number }>(
      `SELECT attempt FROM publish_attempts WHERE content_id = ANY($1::uuid[])`,
      [abandoned.map((row) => row.id)],
    );
    expect(retaken).toHaveLength(40);
    expect(retaken.every((row) => row.attempt === 2)).toBe(true);
    const workerNames = await db.query<{ worker: string }>(
      `SELECT DISTINCT worker FROM publish_attempts WHERE business_id = $1`,
      [businessId],
    );
    expect(workerNames.length).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
