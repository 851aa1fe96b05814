// Two Herald API apps on the same PostgreSQL database (each with its own pool and writer, as two
// processes behind a load balancer would be) ingesting the same batches at the same time store
// each messageId once. PostgreSQL only: PGlite is one process's database.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildApp } from '../../src/app.ts';
import type { App } from '../../src/platform/http/types.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createMetrics } from '../../src/platform/metrics.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { buildTestApp, serverDatabaseUrl, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestBusiness } from '../helpers/fixtures.ts';

describe.skipIf(!serverDatabaseUrl)('two apps ingesting into one PostgreSQL database', () => {
  let first: TestApp;
  let secondRuntime: Runtime;
  let second: App;
  let business: TestBusiness;

  beforeAll(async () => {
    first = await buildTestApp();
    secondRuntime = await createRuntime(
      first.config,
      createLogger({ level: 'warn', pretty: false }),
      {
        metrics: createMetrics({ defaultMetrics: false }),
        migrate: false,
        startQueue: false,
      },
    );
    second = await buildApp({ ...secondRuntime });
    business = await newBusiness(first.app, await newUser(first.app));
  });
  afterAll(async () => {
    await second.close();
    await secondRuntime.close();
    await first.close();
  });

  it('stores each messageId once when both receive the same batches concurrently', async () => {
    const batches = Array.from({ length: 20 }, (_, batch) => ({
      batch: Array.from({ length: 50 }, (_, index) => ({
        type: 'track',
        userId: `u-${String(index % 7)}`,
        event: 'Concurrent',
        // Batches overlap: each shares half of its messageIds with the next one.
        messageId: `mp-${String(batch * 25 + index)}`,
      })),
    }));
    const authorization = `Basic ${Buffer.from(`${business.writeKey}:`).toString('base64')}`;
    const send = (app: App, payload: unknown) =>
      app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { authorization },
        payload: payload as Record<string, unknown>,
      });
    const responses = await Promise.all(
      batches.flatMap((payload) => [send(first.app, payload), send(second, payload)]),
    );
    expect(responses.map((response) => response.statusCode)).toEqual(responses.map(() => 200));
    const expected = new Set(batches.flatMap((b) => b.batch.map((event) => event.messageId)));
    const [counts] = await first.runtime.database.query<{ rows: number; ids: number }>(
      `SELECT count(*)::int AS rows, count(DISTINCT message_id)::int AS ids
       FROM events WHERE business_id = $1 AND message_id LIKE 'mp-%'`,
      [business.id],
    );
    expect(counts).toEqual({ rows: expected.size, ids: expected.size });
  });
});
