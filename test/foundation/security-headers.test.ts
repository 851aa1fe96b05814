import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';

describe('security headers', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('are sent on successful answers and on refusals alike', async () => {
    const ok = await ctx.app.inject({ method: 'GET', url: '/health/live' });
    const refused = await ctx.app.inject({ method: 'GET', url: '/api/v1/system/queue-probes' });
    const missing = await ctx.app.inject({ method: 'GET', url: '/api/v1/nowhere' });
    expect([ok.statusCode, refused.statusCode, missing.statusCode]).toEqual([200, 401, 404]);
    for (const response of [ok, refused, missing]) {
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['content-security-policy']).toContain("object-src 'none'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      expect(response.headers['referrer-policy']).toBe('no-referrer');
    }
  });
});
