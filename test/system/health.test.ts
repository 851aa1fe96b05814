// /health polled hard must not keep the database busy: a report that found every component ok
// answers for a second, the migration count is not read again once it reached zero, and anything
// not ok is checked again on the next call.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { HEALTHY_REPORT_REUSE_MS } from '../../src/modules/system/service.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';

interface Report {
  status: string;
  components: {
    database: { status: string; pendingMigrations: number | null };
    cache: { status: string };
  };
}

describe('/health under polling', () => {
  let ctx: TestApp;
  const statements: string[] = [];

  beforeAll(async () => {
    ctx = await buildTestApp();
    // Every statement the health checks send goes through the handle's query().
    const database = ctx.runtime.database;
    const query = database.query.bind(database);
    database.query = (text: string, params?: unknown[]) => {
      statements.push(text);
      return query(text, params);
    };
  });
  afterAll(async () => {
    await ctx.close();
  });
  // The reuse window is measured on performance.now(), which the tests move.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const health = async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/health' });
    return { statusCode: response.statusCode, report: response.json<Report>() };
  };

  it('asks the database once a second however often it is called, and still asks', async () => {
    expect((await health()).report.status).toBe('ok');
    statements.length = 0;

    const reports = await Promise.all(Array.from({ length: 20 }, health));
    for (let i = 0; i < 20; i++) reports.push(await health());
    expect(reports.every(({ statusCode }) => statusCode === 200)).toBe(true);
    expect(reports.every(({ report }) => report.components.database.pendingMigrations === 0)).toBe(
      true,
    );
    expect(statements).toEqual([]);

    vi.advanceTimersByTime(HEALTHY_REPORT_REUSE_MS + 1);
    expect((await health()).report.status).toBe('ok');
    // A round trip to the database; the migration count, zero already, is not read again.
    expect(statements).toEqual(['SELECT 1']);
  });

  it('checks again on the next call after a report that was not ok', async () => {
    vi.advanceTimersByTime(HEALTHY_REPORT_REUSE_MS * 10); // past any earlier report
    const ping = vi.spyOn(ctx.runtime.cache, 'ping').mockRejectedValueOnce(new Error('cache gone'));
    const failing = await health();
    expect(failing.statusCode).toBe(503);
    expect(failing.report.components.cache.status).toBe('down');

    const recovered = await health();
    expect(recovered.statusCode).toBe(200);
    expect(recovered.report.components.cache.status).toBe('ok');
    expect(ping).toHaveBeenCalledTimes(2);
  });
});
