// On PGlite every query runs inside this process and settles as a microtask: a customer
// processor working through a backlog round after round once starved the HTTP server, so
// ingestion and /health hung until the backlog was gone. The loop now yields to the event loop
// between events and rounds; this test holds it to that over a real socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser } from '../helpers/fixtures.ts';
import { sendEvents } from './events.ts';

describe('customer processor and the HTTP server on one thread', () => {
  let ctx: TestApp;
  let url: string;

  beforeAll(async () => {
    ctx = await buildTestApp();
    url = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await ctx.runtime.services.customerProcessor.stop();
    await ctx.close();
  });

  const unprocessed = async () =>
    (
      await ctx.runtime.database.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM event_ids WHERE processed_at IS NULL',
      )
    )[0]?.n ?? 0;

  it('answers requests while the processor works through a backlog', async () => {
    const owner = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, owner);
    await sendEvents(
      ctx,
      business.id,
      Array.from({ length: 3_000 }, (_, index) => ({
        type: 'track' as const,
        event: 'Product Viewed',
        userId: `backlog-${index % 500}`,
      })),
    );
    expect(await unprocessed()).toBe(3_000);

    ctx.runtime.services.customerProcessor.start();
    // Let the first round begin, then ask over a real socket.
    await new Promise((resolve) => setImmediate(resolve));
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    // Answered before the backlog was worked off: the processor let the request in.
    const left = await unprocessed();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(3_000 + 1);
  });
});
