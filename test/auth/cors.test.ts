// Cross-origin access only for the origins CORS_ORIGINS lists; none at all by default.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';

const ALLOWED = 'https://app.example.com';

describe('CORS allowlist', () => {
  let listed: TestApp;
  let closed: TestApp;

  beforeAll(async () => {
    listed = await buildTestApp({ env: { CORS_ORIGINS: `${ALLOWED}, https://admin.example.com` } });
    closed = await buildTestApp();
  });
  afterAll(async () => {
    await listed.close();
    await closed.close();
  });

  const preflight = (ctx: TestApp, origin: string) =>
    ctx.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/businesses',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });

  it('answers a listed origin, with credentials allowed', async () => {
    const response = await preflight(listed, ALLOWED);
    expect(response.statusCode).toBeLessThan(300);
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    const read = await listed.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { origin: ALLOWED },
    });
    expect(read.headers['access-control-allow-origin']).toBe(ALLOWED);
  });

  it('gives an unlisted origin no access', async () => {
    const response = await preflight(listed, 'https://evil.example.net');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    const read = await listed.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { origin: 'https://evil.example.net' },
    });
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('gives no origin access when CORS_ORIGINS is unset', async () => {
    const response = await preflight(closed, ALLOWED);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});
