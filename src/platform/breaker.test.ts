// The breaker registry's rules on a clock the test moves: the failure threshold, the recovery
// timeout, N trial calls while half-open, and what each call and transition adds to the metrics.
import { describe, expect, it } from 'vitest';

import { BreakerRegistry, isBreakerRejection, serviceOf } from './breaker.ts';
import { createMetrics, type Metrics } from './metrics.ts';

const SETTINGS = { failureThreshold: 3, recoveryTimeoutMs: 60_000, halfOpenMaxCalls: 2 };

async function value(metrics: Metrics, name: string, labels: Record<string, string>) {
  // A histogram's `_count` is one of its metric's samples, named by `metricName`.
  const metric = (await metrics.registry.getMetricsAsJSON()).find(
    (m) => m.name === name || name === `${m.name}_count`,
  );
  const sample = metric?.values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? metric.name) === name &&
      Object.entries(labels).every(([key, wanted]) => String(v.labels[key]) === wanted),
  );
  return sample?.value ?? 0;
}

function setup() {
  let now = 1_000_000;
  const metrics = createMetrics({ defaultMetrics: false });
  const registry = new BreakerRegistry(metrics, SETTINGS, { now: () => now });
  return {
    metrics,
    registry,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const fail = () => Promise.reject(new Error('connection refused'));
const succeed = () => Promise.resolve('ok');

/** The error a call ended with. */
async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('breaker registry', () => {
  it('opens after CIRCUIT_BREAKER_FAILURE_THRESHOLD consecutive failures and refuses calls without making them', async () => {
    const { registry, metrics } = setup();
    const breaker = registry.get('smtp:mail.example.com:587');
    for (let i = 0; i < 2; i++) await errorOf(breaker.execute(fail));
    // A success in between starts the count again.
    expect(await breaker.execute(succeed)).toBe('ok');
    for (let i = 0; i < 2; i++) await errorOf(breaker.execute(fail));
    expect(registry.states()).toEqual({ 'smtp:mail.example.com:587': 'closed' });
    await errorOf(breaker.execute(fail));
    expect(registry.states()).toEqual({ 'smtp:mail.example.com:587': 'open' });

    expect(breaker.refusing).toBe(true);
    let called = false;
    const refused = await errorOf(
      breaker.execute(() => {
        called = true;
        return 'ok';
      }),
    );
    expect(called).toBe(false);
    expect(isBreakerRejection(refused)).toBe(true);
    expect(isBreakerRejection(new Error('connection refused'))).toBe(false);

    const outbound = 'herald_outbound_requests_total';
    expect(await value(metrics, outbound, { service: 'smtp', outcome: 'success' })).toBe(1);
    expect(await value(metrics, outbound, { service: 'smtp', outcome: 'failure' })).toBe(5);
    expect(await value(metrics, outbound, { service: 'smtp', outcome: 'rejected' })).toBe(1);
    // Calls that were made are timed; the refused one is not.
    expect(
      await value(metrics, 'herald_outbound_request_duration_seconds_count', { service: 'smtp' }),
    ).toBe(6);
    expect(
      await value(metrics, 'herald_circuit_breaker_state', {
        breaker: 'smtp:mail.example.com:587',
      }),
    ).toBe(2);
    expect(
      await value(metrics, 'herald_circuit_breaker_transitions_total', {
        breaker: 'smtp:mail.example.com:587',
        from: 'closed',
        to: 'open',
      }),
    ).toBe(1);
  });

  it('stays open for the recovery timeout on its clock, then closes after N good trial calls', async () => {
    const { registry, metrics, advance } = setup();
    const breaker = registry.get('webhook:hooks.example.com');
    for (let i = 0; i < 3; i++) await errorOf(breaker.execute(fail));
    advance(59_999);
    expect(breaker.refusing).toBe(true);
    expect(isBreakerRejection(await errorOf(breaker.execute(succeed)))).toBe(true);
    advance(1);
    // Its recovery time is over: the next call is a trial, no longer refused.
    expect(breaker.refusing).toBe(false);

    // Half-open: the first good trial call is not enough with CIRCUIT_BREAKER_HALF_OPEN_MAX_CALLS=2.
    expect(await breaker.execute(succeed)).toBe('ok');
    expect(registry.states()['webhook:hooks.example.com']).toBe('half-open');
    expect(
      await value(metrics, 'herald_circuit_breaker_state', {
        breaker: 'webhook:hooks.example.com',
      }),
    ).toBe(1);
    expect(await breaker.execute(succeed)).toBe('ok');
    expect(registry.states()['webhook:hooks.example.com']).toBe('closed');

    const transitions = async (from: string, to: string) =>
      value(metrics, 'herald_circuit_breaker_transitions_total', {
        breaker: 'webhook:hooks.example.com',
        from,
        to,
      });
    expect(await transitions('closed', 'open')).toBe(1);
    expect(await transitions('open', 'half-open')).toBe(1);
    expect(await transitions('half-open', 'closed')).toBe(1);
  });

  it('reopens when a trial call fails, for another recovery timeout', async () => {
    const { registry, advance } = setup();
    const breaker = registry.get('slack:slack.com');
    for (let i = 0; i < 3; i++) await errorOf(breaker.execute(fail));
    advance(60_000);
    expect(await breaker.execute(succeed)).toBe('ok');
    await errorOf(breaker.execute(fail));
    expect(registry.states()['slack:slack.com']).toBe('open');
    advance(30_000);
    expect(isBreakerRejection(await errorOf(breaker.execute(succeed)))).toBe(true);
    advance(30_000);
    expect(await breaker.execute(succeed)).toBe('ok');
    expect(await breaker.execute(succeed)).toBe('ok');
    expect(registry.states()['slack:slack.com']).toBe('closed');
  });

  it('keeps the options a caller passes (the LLM providers): one trial call closes it', async () => {
    const { registry, advance } = setup();
    const breaker = registry.get('llm:openai:api.openai.com', {
      failureThreshold: 1,
      halfOpenAfterMs: 1000,
    });
    await errorOf(breaker.execute(fail));
    expect(registry.states()['llm:openai:api.openai.com']).toBe('open');
    advance(1000);
    expect(await breaker.execute(succeed)).toBe('ok');
    expect(registry.states()['llm:openai:api.openai.com']).toBe('closed');
    // The same name is the same breaker, whatever options a later caller passes.
    expect(registry.get('llm:openai:api.openai.com', { failureThreshold: 99 })).toBe(breaker);
  });

  it('an isolated breaker refuses calls until released', async () => {
    const { registry } = setup();
    const breaker = registry.get('search:brave');
    const handle = breaker.isolate();
    expect(registry.states()['search:brave']).toBe('isolated');
    expect(isBreakerRejection(await errorOf(breaker.execute(succeed)))).toBe(true);
    handle.dispose();
    expect(await breaker.execute(succeed)).toBe('ok');
  });

  it('labels a call with the service part of the breaker name', () => {
    expect(serviceOf('smtp:mail.example.com:587')).toBe('smtp');
    expect(serviceOf('llm:openai-compatible:localhost:11434')).toBe('llm');
    expect(serviceOf('test-upstream')).toBe('test-upstream');
  });
});
