// Text PostgreSQL cannot store (NUL, lone surrogates) is refused in one place with 400 naming the
// field, and every error Herald sends — the framework's and its plugins' included — is the
// envelope with a correlation ID (issue #11, items 5 and 7).
import { randomInt } from 'node:crypto';
import { connect } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';

interface Envelope {
  error: {
    code: string;
    message: string;
    details: { issues?: { path: string; message: string }[] };
    correlationId: string;
  };
  timestamp: string;
}

interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

/** The answer is the error envelope, its correlation ID the X-Correlation-ID header. */
function expectEnvelope(response: Answer, status: number, code: string): Envelope {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  const envelope = JSON.parse(response.body) as Envelope;
  expect(envelope.error.code).toBe(code);
  expect(typeof envelope.error.message).toBe('string');
  expect(envelope.error.correlationId).toBeTruthy();
  expect(response.headers['x-correlation-id']).toBe(envelope.error.correlationId);
  expect(new Date(envelope.timestamp).toISOString()).toBe(envelope.timestamp);
  return envelope;
}

const randomAddress = () =>
  `10.${String(randomInt(256))}.${String(randomInt(256))}.${String(randomInt(1, 255))}`;

const pathsOf = (envelope: Envelope) => (envelope.error.details.issues ?? []).map((i) => i.path);

describe('text the database cannot store', () => {
  let ctx: TestApp;
  let user: TestUser;
  let businessId: string;
  beforeAll(async () => {
    ctx = await buildTestApp();
    user = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, user)).id;
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('refuses a NUL byte in a register body with 400 naming the field, and registers nobody', async () => {
    const email = `nul-${Date.now()}@example.com`;
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password: 'Correct-Horse-9-battery', name: 'Ann\u0000Lee' },
    });
    expect(pathsOf(expectEnvelope(response, 400, 'VALIDATION_ERROR'))).toEqual(['body.name']);
    const login = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'Correct-Horse-9-battery' },
    });
    expect(login.statusCode).toBe(401);
  });

  it('refuses a NUL byte in text filters with 400 naming the query parameter', async () => {
    for (const [url, field] of [
      [`/api/v1/businesses/${businessId}/subscribers?search=%00`, 'query.search'],
      [`/api/v1/businesses/${businessId}/messages?customerRef=a%00b`, 'query.customerRef'],
    ] as const) {
      const response = await ctx.app.inject({ method: 'GET', url, headers: user.headers });
      expect(pathsOf(expectEnvelope(response, 400, 'VALIDATION_ERROR'))).toEqual([field]);
    }
  });

  it('refuses a NUL byte in a path parameter with 400 naming it', async () => {
    const response = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/businesses/%00',
      headers: user.headers,
    });
    expect(pathsOf(expectEnvelope(response, 400, 'VALIDATION_ERROR'))).toEqual([
      'params.businessId',
    ]);
  });

  it('refuses NUL in nested values and object keys, and lone surrogates, naming the path', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'a@example.org', attributes: { plan: 'gold\u0000' } }, 'body.attributes.plan'],
      [{ email: 'b@example.org', attributes: { 'pl\u0000an': 'gold' } }, 'body.attributes'],
      [{ email: 'c@example.org', firstName: 'Ann\uD800' }, 'body.firstName'],
      [
        { email: 'd@example.org', attributes: { tags: ['ok', '\uDC00'] } },
        'body.attributes.tags.1',
      ],
    ];
    for (const [payload, field] of cases) {
      const response = await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/businesses/${businessId}/subscribers`,
        headers: user.headers,
        payload,
      });
      expect(pathsOf(expectEnvelope(response, 400, 'VALIDATION_ERROR'))).toEqual([field]);
    }
    const list = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${businessId}/subscribers`,
      headers: user.headers,
    });
    expect(list.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('refuses JSON nested 5,000 levels deep in subscriber attributes with 400, not a stack overflow', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const response = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/subscribers`,
      headers: { ...user.headers, 'content-type': 'application/json' },
      payload: `{"email":"deep@example.org","attributes":${deep}}`,
    });
    const envelope = expectEnvelope(response, 400, 'VALIDATION_ERROR');
    expect(pathsOf(envelope)[0]).toMatch(/^body\.attributes(\.a)+$/);
    expect(envelope.error.message).toContain('nested more than 32 levels');
  });

  it('keeps emoji and other well-formed text as sent', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/subscribers`,
      headers: user.headers,
      payload: { email: 'emoji@example.org', firstName: 'Zoë 🥖' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json<{ firstName: string }>().firstName).toBe('Zoë 🥖');
  });
});

describe('framework and plugin errors', () => {
  let ctx: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    ctx = await buildTestApp({
      env: { BODY_LIMIT_BYTES: '2048', RATE_LIMIT_AUTH_PER_MINUTE: '3' },
    });
    // Addresses of this run only: with Redis, rate-limit counters are shared between apps.
    user = await newUser(ctx.app, {}, { remoteAddress: randomAddress() });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('answers a path parameter over 100 characters with the envelope (414)', async () => {
    const response = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/businesses/${'a'.repeat(101)}`,
      headers: { ...user.headers, 'x-correlation-id': 'long-param-1' },
    });
    const envelope = expectEnvelope(response, 414, 'VALIDATION_ERROR');
    expect(envelope.error.correlationId).toBe('long-param-1');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers a malformed URL escape with the envelope (400)', async () => {
    for (const url of ['/api/v1/businesses/%', '/api/v1/businesses/%E0%A4%A']) {
      const response = await ctx.app.inject({ method: 'GET', url, headers: user.headers });
      expectEnvelope(response, 400, 'VALIDATION_ERROR');
    }
  });

  it('answers an unsupported content type with the envelope (415)', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/system/queue-probes',
      headers: { ...user.headers, 'content-type': 'application/xml' },
      payload: '<note>x</note>',
    });
    expectEnvelope(response, 415, 'VALIDATION_ERROR');
  });

  it('answers invalid and empty JSON bodies with the envelope (400)', async () => {
    for (const payload of ['{"note": ', '', 'null', '"\\u0000"']) {
      const response = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/system/queue-probes',
        headers: { ...user.headers, 'content-type': 'application/json' },
        payload,
      });
      expectEnvelope(response, 400, 'VALIDATION_ERROR');
    }
  });

  it('answers JSON nested 5,000 levels deep with the envelope, not a 500', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: deep,
    });
    expect(response.statusCode).toBeLessThan(500);
    expectEnvelope(response, response.statusCode, response.json<Envelope>().error.code);
  });

  it('answers a body over the limit with the envelope (413)', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/system/queue-probes',
      headers: user.headers,
      payload: { note: 'x'.repeat(4096) },
    });
    expectEnvelope(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers an unknown API path and a missing docs asset with the envelope (404)', async () => {
    for (const url of ['/api/v1/nowhere', '/docs/static/nothing-here.js', '/health/nowhere']) {
      expectEnvelope(await ctx.app.inject({ method: 'GET', url }), 404, 'NOT_FOUND');
    }
  });

  it('answers the rate limit with the envelope (429)', async () => {
    const from = randomAddress();
    let last: Answer | undefined;
    for (let i = 0; i < 5; i++) {
      last = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: from,
        payload: { email: 'nobody@example.com', password: 'not-the-password' },
      });
    }
    if (!last) throw new Error('no answer');
    expectEnvelope(last, 429, 'RATE_LIMITED');
  });

  it('answers a cross-origin preflight from an unknown origin without breaking the envelope', async () => {
    const response = await ctx.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/businesses',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(response.statusCode).toBeLessThan(500);
    expect(response.headers['x-correlation-id']).toBeTruthy();
    if (response.statusCode >= 400) expectEnvelope(response, response.statusCode, 'NOT_FOUND');
  });

  it('answers a request the HTTP parser refuses with the envelope (400)', async () => {
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const address = ctx.app.server.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(address.port, '127.0.0.1', () => {
        socket.write('GET /api/v1/businesses HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
      });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('close', () => {
        resolve(text);
      });
      socket.on('error', reject);
    });
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    const id = /\r\nx-correlation-id: ([^\r\n]+)/i.exec(head)?.[1];
    expectEnvelope(
      { statusCode: 400, headers: { 'x-correlation-id': id }, body },
      400,
      'VALIDATION_ERROR',
    );
  });
});
