import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newUser, type TestUser } from '../helpers/fixtures.ts';

describe('the error envelope', () => {
  let ctx: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    ctx = await buildTestApp({ env: { BODY_LIMIT_BYTES: '2048' } });
    // A route that fails the way a bug does, with a secret and SQL in the error.
    ctx.app.get('/api/v1/test/boom', { schema: { hide: true }, config: { auth: 'public' } }, () => {
      throw new Error('relation "users" does not exist; password=hunter2-secret');
    });
    user = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('answers an unknown route with 404 NOT_FOUND and the correlation ID it was sent', async () => {
    const response = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/nowhere',
      headers: { 'x-correlation-id': 'req-abc-123' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['x-correlation-id']).toBe('req-abc-123');
    const body = response.json<{ error: Record<string, unknown>; timestamp: string }>();
    expect(body.error).toMatchObject({
      code: 'NOT_FOUND',
      correlationId: 'req-abc-123',
      details: {},
    });
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
  });

  it('generates a correlation ID when none is sent, or when the sent one is unsafe', async () => {
    const plain = await ctx.app.inject({ method: 'GET', url: '/health/live' });
    expect(plain.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await ctx.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-correlation-id': 'bad id\nwith newline' },
    });
    expect(unsafe.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a body that fails validation with 400 and the field paths', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/system/queue-probes',
      headers: user.headers,
      payload: { note: 'x'.repeat(300) },
    });
    expect(response.statusCode).toBe(400);
    const { error } = response.json<{
      error: { code: string; details: { issues: { path: string }[] } };
    }>();
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.details.issues.map((issue) => issue.path)).toEqual(['body.note']);
    expect(response.headers['x-correlation-id']).toBeTruthy();
  });

  it('answers malformed JSON with 400 VALIDATION_ERROR', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/system/queue-probes',
      headers: { ...user.headers, 'content-type': 'application/json' },
      payload: '{"note": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('VALIDATION_ERROR');
  });

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE and stores nothing', async () => {
    const list = {
      method: 'GET' as const,
      url: '/api/v1/system/queue-probes',
      headers: user.headers,
    };
    const before = await ctx.app.inject(list);
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/system/queue-probes',
      headers: user.headers,
      payload: { note: 'x'.repeat(4096) },
    });
    expect(response.statusCode).toBe(413);
    const { error } = response.json<{ error: { code: string; correlationId: string } }>();
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.correlationId).toBe(response.headers['x-correlation-id']);
    const after = await ctx.app.inject(list);
    expect(after.json()).toEqual(before.json());
  });

  it('answers an unhandled error with 500 INTERNAL, no detail in the body, all of it in the log', async () => {
    const response = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/test/boom',
      headers: { 'x-correlation-id': 'boom-1' },
    });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({
      error: {
        code: 'INTERNAL',
        message: 'Internal server error',
        details: {},
        correlationId: 'boom-1',
      },
    });
    expect(response.body).not.toMatch(/does not exist|hunter2|\.ts:\d+/);
    const logged = ctx.logs.entries.find(
      (entry) => entry.correlationId === 'boom-1' && entry.msg === 'unhandled error',
    );
    expect(JSON.stringify(logged)).toContain('relation \\"users\\" does not exist');
  });

  it('carries the correlation ID on every log line of a request', async () => {
    await ctx.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-correlation-id': 'trace-77' },
    });
    const lines = ctx.logs.entries.filter((entry) => entry.correlationId === 'trace-77');
    expect(lines.map((line) => line.msg)).toContain('request completed');
  });
});
