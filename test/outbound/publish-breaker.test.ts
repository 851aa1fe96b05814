// The publishing adapters' breakers, one per receiving host: a webhook receiver that keeps
// answering 500 opens `webhook:<host>`, and the next posts are not made at all but come back as
// retryable (the publisher tries again later); a 4xx, or a private address refused, does not
// count against the receiver; once its recovery time has passed and it answers, posts go again.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createAdapters, type Delivery } from '../../src/modules/content/adapters.ts';
import { BreakerRegistry } from '../../src/platform/breaker.ts';
import { createMetrics } from '../../src/platform/metrics.ts';

describe('publishing through a breaker per host', () => {
  let server: Server;
  let url: string;
  let status = 500;
  let received = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        received += 1;
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve);
    });
    url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/hook`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  });

  function setup() {
    let now = 0;
    const metrics = createMetrics({ defaultMetrics: false });
    const breakers = new BreakerRegistry(
      metrics,
      { failureThreshold: 2, recoveryTimeoutMs: 60_000, halfOpenMaxCalls: 1 },
      { now: () => now },
    );
    const adapters = createAdapters({ allowPrivateTargets: true, timeoutMs: 5000, breakers });
    return {
      breakers,
      metrics,
      adapters,
      advance: (ms: number) => {
        now += ms;
      },
    };
  }

  const delivery = (target: string): Delivery => ({
    deliveryId: 'd-1',
    businessId: 'b-1',
    contentId: 'c-1',
    platform: 'blog',
    text: 'Fresh bread',
    payload: {},
    target: { url: target },
  });

  it('opens after repeated 500s, answers retryable without posting while open, and closes when the receiver is back', async () => {
    const { adapters, breakers, advance } = setup();
    const name = `webhook:${new URL(url).host}`;
    status = 500;
    received = 0;
    for (let i = 0; i < 2; i++) {
      expect(await adapters.webhook(delivery(url))).toMatchObject({
        ok: false,
        retryable: true,
        statusCode: 500,
      });
    }
    expect(breakers.states()[name]).toBe('open');

    const refused = await adapters.webhook(delivery(url));
    expect(refused).toMatchObject({
      ok: false,
      retryable: true,
      error: expect.stringMatching(/circuit breaker is open/) as unknown,
    });
    expect(received).toBe(2);

    status = 204;
    advance(60_000);
    expect(await adapters.webhook(delivery(url))).toEqual({ ok: true, statusCode: 204 });
    expect(breakers.states()[name]).toBe('closed');
    expect(received).toBe(3);
  });

  it('a 4xx answer is the request’s problem, not the receiver’s: the breaker stays closed', async () => {
    const { adapters, breakers, metrics } = setup();
    status = 404;
    for (let i = 0; i < 3; i++) {
      expect(await adapters.webhook(delivery(url))).toMatchObject({
        ok: false,
        retryable: false,
        statusCode: 404,
      });
    }
    expect(breakers.states()[`webhook:${new URL(url).host}`]).toBe('closed');
    const text = await metrics.registry.metrics();
    expect(text).toContain('herald_outbound_requests_total{service="webhook",outcome="success"} 3');
  });

  it('a private address refused by the guard does not count against the host', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const breakers = new BreakerRegistry(metrics, {
      failureThreshold: 1,
      recoveryTimeoutMs: 60_000,
      halfOpenMaxCalls: 1,
    });
    const adapters = createAdapters({ allowPrivateTargets: false, timeoutMs: 5000, breakers });
    const refused = await adapters.slack({
      ...delivery(url),
      target: { webhookUrl: 'http://127.0.0.1:9/hook' },
    });
    expect(refused).toMatchObject({ ok: false, retryable: false });
    expect(breakers.states()).toEqual({ 'slack:127.0.0.1:9': 'closed' });
  });
});
