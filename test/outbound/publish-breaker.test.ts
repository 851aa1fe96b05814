// The publishing adapters' breakers, one per receiving host: a webhook receiver that keeps
// answering 500 opens `webhook:<host>`, and the next posts are not made at all but come back as
// retryable (the publisher tries again later); a 4xx, or a private address refused, does not
// count against the receiver; once its recovery time has passed and it answers, posts go again.
// A scheduled piece whose host's breaker is open waits without using up one of its attempts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createAdapters, type Delivery } from '../../src/modules/content/adapters.ts';
import { BreakerRegistry } from '../../src/platform/breaker.ts';
import { createMetrics } from '../../src/platform/metrics.ts';
import { dueNow } from '../campaigns/helpers.ts';
import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newContent, newUser } from '../helpers/fixtures.ts';

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
      deferred: true,
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

describe('a scheduled piece while its webhook host’s breaker is open', () => {
  let ctx: TestApp;
  let receiver: Server;
  let url: string;
  let answer = 500;
  let posts = 0;
  let clock = 0;

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        posts += 1;
        response.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => {
      receiver.listen(0, '127.0.0.1', resolve);
    });
    url = `http://127.0.0.1:${String((receiver.address() as AddressInfo).port)}/hook`;
    // No worker: the test drains the publisher itself. Two attempts at most, retried at once, so
    // without the deferral the second claim would fail the piece for good.
    ctx = await buildTestApp({
      breakerClock: () => clock,
      env: {
        PUBLISH_WEBHOOK_ALLOW_PRIVATE: 'true',
        PUBLISH_MAX_ATTEMPTS: '2',
        PUBLISH_RETRY_BASE_MS: '0',
        CIRCUIT_BREAKER_FAILURE_THRESHOLD: '1',
      },
    });
  });
  afterAll(async () => {
    await ctx.close();
    await new Promise<void>((resolve) => {
      receiver.close(() => {
        resolve();
      });
    });
  });

  it('waits without using up an attempt, and is published once the host answers again', async () => {
    const owner = await newUser(ctx.app);
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const base = `/api/v1/businesses/${businessId}/contents`;
    const piece = await newContent(ctx.app, owner, businessId);
    for (const status of ['in_review', 'approved'])
      await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status }, 200);
    await api(ctx.app, owner, 'POST', `${base}/${piece.id}/schedule`, {
      publishAt: dueNow(),
      channel: 'webhook',
      channelTarget: { url },
    });
    const publisher = ctx.runtime.services.publishing.publisher;
    const attemptsOf = async () =>
      (
        await api<{ items: { attempt: number; outcome: string }[] }>(
          ctx.app,
          owner,
          'GET',
          `${base}/${piece.id}/attempts`,
        )
      ).body.items;

    // The 500 opens the breaker; the retry finds it open and is put off, not counted.
    await publisher.drain();
    await publisher.drain();
    expect(posts).toBe(1);
    const waiting = await api<{ status: string }>(ctx.app, owner, 'GET', `${base}/${piece.id}`);
    expect(waiting.body.status).toBe('scheduled');
    expect(await attemptsOf()).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'failed' }),
    ]);

    // The host is back and the breaker's recovery time has passed (the test moves both clocks).
    answer = 204;
    clock += 60_000;
    await ctx.runtime.database.query(
      `UPDATE contents SET lease_until = now() - interval '1 second' WHERE id = $1`,
      [piece.id],
    );
    await publisher.drain();
    expect(posts).toBe(2);
    const published = await api<{ status: string }>(ctx.app, owner, 'GET', `${base}/${piece.id}`);
    expect(published.body.status).toBe('published');
    expect(await attemptsOf()).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'failed' }),
      expect.objectContaining({ attempt: 2, outcome: 'success' }),
    ]);
  }, 30_000);
});
