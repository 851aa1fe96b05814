// What an operator scrapes and reads: Prometheus metrics labelled by route template, component
// health, and the OpenAPI document with its Swagger UI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newUser, type TestUser } from '../helpers/fixtures.ts';

/** The value of one sample line of the exposition text, or undefined. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((pair) => line.includes(pair))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

describe('operations endpoints', () => {
  let ctx: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    ctx = await buildTestApp({ worker: true });
    user = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('counts requests by route template, method and status, never by raw URL', async () => {
    const sent = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/system/queue-probes',
      headers: user.headers,
      payload: { note: 'metrics' },
    });
    const { id } = sent.json<{ id: string }>();
    for (let i = 0; i < 3; i++) {
      await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/system/queue-probes/${id}`,
        headers: user.headers,
      });
    }
    await ctx.app.inject({ method: 'GET', url: `/api/v1/nowhere/${id}` });

    const response = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    expect(text).not.toContain(id);
    const route = '/api/v1/system/queue-probes/:probeId';
    expect(
      sample(text, 'herald_http_requests_total', { method: 'GET', route, status_code: '200' }),
    ).toBe(3);
    expect(
      sample(text, 'herald_http_request_duration_seconds_count', { route, status_code: '200' }),
    ).toBe(3);
    expect(
      sample(text, 'herald_http_requests_total', { route: 'unmatched', status_code: '404' }),
    ).toBe(1);
    // The scrape itself is in flight while the text is written.
    expect(sample(text, 'herald_http_requests_in_flight')).toBe(1);
    expect(
      sample(text, 'herald_db_query_duration_seconds_count', { db: ctx.runtime.database.kind }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'herald_queue_jobs', { queue: 'system.queue-probe', state: 'total' }),
    ).toBeGreaterThanOrEqual(0);
  });

  it('reports each circuit breaker by name and state', async () => {
    const breaker = ctx.runtime.breakers.get('test-upstream', { failureThreshold: 1 });
    await expect(breaker.execute(() => Promise.reject(new Error('upstream down')))).rejects.toThrow(
      'upstream down',
    );
    const text = (await ctx.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(sample(text, 'herald_circuit_breaker_state', { breaker: 'test-upstream' })).toBe(2);
    const health = await ctx.app.inject({ method: 'GET', url: '/health' });
    expect(
      health.json<{ components: { breakers: Record<string, string> } }>().components.breakers,
    ).toMatchObject({
      'test-upstream': 'open',
    });
  });

  it('reports the status of each component on /health', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ok',
      components: {
        database: { status: 'ok', kind: ctx.runtime.database.kind, pendingMigrations: 0 },
        queue: { status: 'ok' },
        cache: { status: 'ok', kind: ctx.runtime.cache.kind },
        llm: { status: 'ok', provider: 'builtin' },
      },
    });
  });

  it('serves an OpenAPI 3.1 document built from the route schemas, and Swagger UI', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{
      openapi: string;
      paths: Record<
        string,
        Record<string, { tags?: string[]; summary?: string; responses: object }>
      >;
    }>();
    expect(document.openapi).toBe('3.1.0');
    const probe = document.paths['/api/v1/system/queue-probes/{probeId}']?.get;
    expect(probe?.summary).toBeTruthy();
    expect(Object.keys(probe?.responses ?? {})).toEqual(expect.arrayContaining(['200', '404']));
    // Every documented operation has a tag and a summary.
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.tags?.length, `${method} ${path} has a tag`).toBeGreaterThan(0);
        expect(operation.summary, `${method} ${path} has a summary`).toBeTruthy();
      }
    }
    const ui = await ctx.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger-ui');
  });
});
