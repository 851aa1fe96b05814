// Scale-out on the PostgreSQL server: jobs the API enqueues are shared by two separate
// `herald worker` processes, and each job runs exactly once. (PGlite is one process's database:
// there `herald serve` runs the worker in-process, so this runs where DATABASE_URL is set.)
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, serverDatabaseUrl, type TestApp } from '../helpers/app.ts';
import { newUser, type TestUser } from '../helpers/fixtures.ts';
import { startWorkerProcess } from '../helpers/worker-process.ts';

interface Probe {
  id: string;
  status: 'queued' | 'processed';
  processedBy: string | null;
  runCount: number;
}

const PROBES = 40;

describe.runIf(serverDatabaseUrl)('two worker processes on the PostgreSQL server', () => {
  let ctx: TestApp;
  let user: TestUser;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    ctx = await buildTestApp(); // the API only: it enqueues, it does not consume
    if (ctx.config.database.kind !== 'postgres') throw new Error('expected a server database');
    const started = [
      startWorkerProcess(ctx.config.database.url, { WORKER_CONCURRENCY: '4' }),
      startWorkerProcess(ctx.config.database.url, { WORKER_CONCURRENCY: '4' }),
    ];
    workers.push(...started.map((worker) => worker.child));
    await Promise.all(started.map((worker) => worker.started));
    user = await newUser(ctx.app);
  }, 60_000);

  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
    await ctx.close();
  });

  it('processes every job the API enqueues exactly once, shared between them', async () => {
    const sent: string[] = [];
    for (let i = 0; i < PROBES; i++) {
      const response = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/system/queue-probes',
        headers: user.headers,
        payload: { note: `probe ${i}` },
      });
      expect(response.statusCode).toBe(202);
      sent.push(response.json<Probe>().id);
    }

    let probes: Probe[] = [];
    for (let poll = 0; poll < 120; poll++) {
      const response = await ctx.app.inject({
        method: 'GET',
        url: '/api/v1/system/queue-probes?limit=100',
        headers: user.headers,
      });
      probes = response.json<{ items: Probe[] }>().items;
      if (probes.every((probe) => probe.status === 'processed')) break;
      await sleep(250);
    }
    expect(probes.map((probe) => probe.id).sort()).toEqual([...sent].sort());
    expect(probes.filter((probe) => probe.status !== 'processed')).toEqual([]);
    expect(probes.filter((probe) => probe.runCount !== 1)).toEqual([]);

    const workerNames = new Set(probes.map((probe) => probe.processedBy));
    const pids = workers.map((worker) => String(worker.pid));
    expect([...workerNames].map((name) => name?.split(':').at(-1)).sort()).toEqual(pids.sort());
  }, 60_000);

  it('stops both workers cleanly on SIGTERM', async () => {
    const exits = workers.map((worker) => once(worker, 'exit') as Promise<[number | null]>);
    for (const worker of workers) worker.kill('SIGTERM');
    const codes = (await Promise.all(exits)).map(([code]) => code);
    expect(codes).toEqual([0, 0]);
  }, 30_000);
});
