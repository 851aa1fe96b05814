// Cache reads are counted per cache (the key prefix) as hits or misses on /metrics: a business's
// access check is read from the cache after the first request remembered it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser } from '../helpers/fixtures.ts';

function sample(text: string, labels: string): number {
  const line = text
    .split('\n')
    .find((row) => row.startsWith(`herald_cache_requests_total{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('cache metrics', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('counts the access cache’s misses and hits', async () => {
    const owner = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, owner);
    const scrape = async () => (await ctx.app.inject({ method: 'GET', url: '/metrics' })).body;
    const before = await scrape();
    for (let i = 0; i < 3; i++) {
      const response = await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/businesses/${business.id}`,
        headers: owner.headers,
      });
      expect(response.statusCode).toBe(200);
    }
    const after = await scrape();
    const hits = (text: string) => sample(text, 'cache="access",outcome="hit"');
    const misses = (text: string) => sample(text, 'cache="access",outcome="miss"');
    // The first read may miss (nothing remembered yet); the later ones hit.
    expect(hits(after) - hits(before)).toBeGreaterThanOrEqual(2);
    expect(hits(after) + misses(after) - hits(before) - misses(before)).toBe(3);
    expect(misses(after)).toBeGreaterThanOrEqual(1);
  });
});
