// The catch-up sweep: a scheduled piece whose wake-up job was lost (deleted here, as a queue
// restored from an older backup would lose it) is still published — when a worker starts, and
// by the periodic sweep for a piece that comes due later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createAdapters } from '../../src/modules/content/adapters.ts';
import { createPublisher, PUBLISH_QUEUE } from '../../src/modules/content/publisher.ts';
import type { BackgroundLoop } from '../../src/platform/queue.ts';
import { type ContentView, dueNow, untilStatus } from '../campaigns/helpers.ts';
import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newContent, newUser, type TestUser } from '../helpers/fixtures.ts';

describe('publishing without a wake-up job', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;
  let base: string;

  beforeAll(async () => {
    ctx = await buildTestApp(); // no worker yet: nothing consumes the queue
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    base = `/api/v1/businesses/${businessId}/contents`;
  });
  afterAll(async () => {
    await ctx.close();
  });

  async function scheduled(publishAt: string): Promise<string> {
    const piece = await newContent(ctx.app, owner, businessId);
    await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status: 'in_review' }, 200);
    await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status: 'approved' }, 200);
    await api(ctx.app, owner, 'POST', `${base}/${piece.id}/schedule`, { publishAt }, 200);
    return piece.id;
  }

  /** Loses every wake-up job, as a queue restored from an older backup would. */
  async function loseWakeUps(): Promise<void> {
    await ctx.runtime.database.query(`DELETE FROM pgboss.job WHERE name = $1`, [PUBLISH_QUEUE]);
    const [left] = await ctx.runtime.database.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM pgboss.job WHERE name = $1`,
      [PUBLISH_QUEUE],
    );
    expect(left?.count).toBe(0);
  }

  it('the periodic sweep publishes a piece that came due after its wake-up was lost', async () => {
    const id = await scheduled(new Date(Date.now() + 1500).toISOString());
    await loseWakeUps();
    // A publisher of its own with a short sweep, so the test need not wait a minute.
    const loops: BackgroundLoop[] = [];
    const publisher = createPublisher({
      database: ctx.runtime.database,
      queue: {
        send: () => Promise.resolve('no-queue'),
        addBackgroundLoop: (loop) => loops.push(loop),
      },
      adapters: createAdapters({ allowPrivateTargets: false, timeoutMs: 1000 }),
      config: { ...ctx.config.publishing, sweepIntervalMs: 200 },
      logger: ctx.runtime.logger,
    });
    expect(loops).toEqual([publisher.sweep]);
    publisher.sweep.start();
    try {
      const piece = await untilStatus(ctx.app, owner, businessId, id, ['published', 'failed']);
      expect(piece.status).toBe('published');
      const attempts = await api<{ items: { outcome: string }[] }>(
        ctx.app,
        owner,
        'GET',
        `${base}/${id}/attempts`,
      );
      expect(attempts.body.items.map((a) => a.outcome)).toEqual(['success']);
    } finally {
      await publisher.sweep.stop();
    }
  });

  it('a worker that starts publishes a due piece whose wake-up job was lost', async () => {
    const id = await scheduled(dueNow());
    await loseWakeUps();
    await ctx.runtime.queue.work(ctx.runtime.jobs);
    const piece = await untilStatus(ctx.app, owner, businessId, id, ['published', 'failed']);
    expect(piece.status).toBe('published');
    const outbox = await api<{ items: { contentId: string }[] }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/publications?limit=100`,
    );
    expect(outbox.body.items.filter((item) => item.contentId === id)).toHaveLength(1);
    const view = await api<ContentView>(ctx.app, owner, 'GET', `${base}/${id}`);
    expect(view.body.publishedAt).not.toBeNull();
  });
});
