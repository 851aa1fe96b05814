// The agents' web search (src/platform/web-search.ts) against a fake SerpAPI and Brave on
// loopback: results parsed from each provider's shape and trimmed, the key sent the way each
// provider expects and never logged, failures as UPSTREAM_UNAVAILABLE, and the circuit breaker
// refusing at once, without a request, after repeated failures.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from '../../src/config.ts';
import { BreakerRegistry } from '../../src/platform/breaker.ts';
import { AppError } from '../../src/platform/http/errors.ts';
import { createLogger } from '../../src/platform/logger.ts';
import {
  createWebSearch,
  MAX_SEARCH_RESULTS,
  MAX_SNIPPET_CHARS,
  type WebSearch,
} from '../../src/platform/web-search.ts';
import { LogCapture } from '../helpers/app.ts';
import { type FakeHit, type FakeSearch, startFakeSearch } from '../helpers/fake-search.ts';

const KEY = 'search-key-0123456789-secret';

const HITS: FakeHit[] = [
  {
    title: 'Sourdough trends 2026',
    url: 'https://example.com/sourdough',
    snippet: 'Why <strong>sourdough</strong> sales grew &amp; what bakers did',
  },
  { title: 'Bakery marketing', url: 'https://example.org/marketing', snippet: 'Ten ideas.' },
];

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the search to fail');
}

describe('web search', () => {
  let fake: FakeSearch;
  let logs: LogCapture;
  let breakers: BreakerRegistry;

  const make = (
    provider: 'serpapi' | 'brave',
    extra: { timeoutMs?: number; failures?: number } = {},
  ): WebSearch => {
    const search = createWebSearch({
      provider,
      apiKey: KEY,
      baseUrl: fake.baseUrl,
      breakers,
      timeoutMs: extra.timeoutMs ?? 5000,
      logger: createLogger({ level: 'debug', pretty: false, destination: logs }),
      breaker: { failureThreshold: extra.failures ?? 3, halfOpenAfterMs: 60_000 },
    });
    if (!search) throw new Error('expected a web search');
    return search;
  };

  beforeAll(async () => {
    fake = await startFakeSearch();
  });
  beforeEach(() => {
    fake.reset();
    logs = new LogCapture();
    breakers = new BreakerRegistry();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('is not there when no provider is configured', () => {
    expect(
      createWebSearch({
        provider: undefined,
        apiKey: undefined,
        breakers: new BreakerRegistry(),
        timeoutMs: 1000,
        logger: createLogger({ level: 'silent', pretty: false }),
      }),
    ).toBeUndefined();
    expect(loadConfig({}).search.provider).toBeUndefined();
  });

  it('refuses a provider without its key at start-up, naming SEARCH_API_KEY', () => {
    let issues: ConfigError['issues'] = [];
    try {
      loadConfig({ SEARCH_PROVIDER: 'brave' });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues = error.issues;
    }
    expect(issues.map((issue) => issue.variable)).toEqual(['SEARCH_API_KEY']);
    expect(loadConfig({ SEARCH_PROVIDER: 'serpapi', SEARCH_API_KEY: KEY }).search).toMatchObject({
      provider: 'serpapi',
      apiKey: KEY,
      baseUrl: undefined,
    });
  });

  it('asks SerpAPI for Google results with the key in the query and reads organic_results', async () => {
    fake.script({ hits: HITS });
    const results = await make('serpapi').search('sourdough trends', { limit: 5 });
    expect(results).toEqual([
      {
        title: 'Sourdough trends 2026',
        url: 'https://example.com/sourdough',
        snippet: 'Why sourdough sales grew & what bakers did',
      },
      { title: 'Bakery marketing', url: 'https://example.org/marketing', snippet: 'Ten ideas.' },
    ]);
    const [request] = fake.requests;
    expect(request?.path).toBe('/search.json');
    expect(Object.fromEntries(request?.query ?? [])).toEqual({
      engine: 'google',
      q: 'sourdough trends',
      api_key: KEY,
      num: '5',
    });
    expect(logs.text()).not.toContain(KEY);
  });

  it('asks Brave with the key in X-Subscription-Token, never in the address', async () => {
    fake.script({ hits: HITS });
    const results = await make('brave').search('bakery marketing', { limit: 2 });
    expect(results.map((result) => result.url)).toEqual([
      'https://example.com/sourdough',
      'https://example.org/marketing',
    ]);
    expect(results[0]?.snippet).toBe('Why sourdough sales grew & what bakers did');
    const [request] = fake.requests;
    expect(request?.path).toBe('/res/v1/web/search');
    expect(Object.fromEntries(request?.query ?? [])).toEqual({ q: 'bakery marketing', count: '2' });
    expect(request?.headers['x-subscription-token']).toBe(KEY);
    expect(logs.text()).not.toContain(KEY);
  });

  it('keeps at most 10 results with snippets of at most 500 characters, and skips results without an address', async () => {
    const many: FakeHit[] = Array.from({ length: 14 }, (_, index) => ({
      title: `Result ${index}`,
      url: index === 0 ? 'javascript:alert(1)' : `https://example.com/${index}`,
      snippet: 'word '.repeat(300),
    }));
    fake.script({ hits: many });
    const results = await make('brave').search('bread', { limit: 50 });
    expect(fake.requests[0]?.query.get('count')).toBe(String(MAX_SEARCH_RESULTS));
    expect(results).toHaveLength(MAX_SEARCH_RESULTS);
    expect(results[0]?.url).toBe('https://example.com/1');
    for (const result of results)
      expect(result.snippet.length).toBeLessThanOrEqual(MAX_SNIPPET_CHARS);
  });

  it('answers 429 and 500 with UPSTREAM_UNAVAILABLE, passing on Retry-After, and no key in the message', async () => {
    const search = make('serpapi');
    fake.script({ status: 429, headers: { 'retry-after': '30' } }, { status: 500 });
    const limited = await failure(search.search('bread'));
    expect(limited.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(limited.status).toBe(503);
    expect(limited.message).toMatch(/rate limiting/);
    expect(limited.headers['retry-after']).toBe('30');
    const broken = await failure(search.search('bread'));
    expect(broken.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(broken.message).toMatch(/500/);
    expect(`${limited.message} ${broken.message} ${logs.text()}`).not.toContain(KEY);
  });

  it('gives up on a provider that does not answer, after its timeout', async () => {
    fake.script({ hang: true });
    const error = await failure(make('brave', { timeoutMs: 200 }).search('bread'));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.message).toMatch(/no answer within 200 ms/);
  });

  it('opens the breaker after repeated failures and then refuses without asking the provider', async () => {
    const search = make('brave', { failures: 3 });
    fake.otherwise({ status: 503 });
    for (let i = 0; i < 3; i++) {
      expect((await failure(search.search('bread'))).code).toBe('UPSTREAM_UNAVAILABLE');
    }
    expect(breakers.states()).toEqual({ 'search:brave': 'open' });
    expect(fake.requests).toHaveLength(3);

    const refused = await failure(search.search('bread'));
    expect(refused.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(refused.message).toMatch(/circuit breaker is open/);
    expect(fake.requests).toHaveLength(3);
  });

  it('does not count a refused key against the breaker, and says which variable to check', async () => {
    const search = make('serpapi', { failures: 2 });
    fake.otherwise({ status: 401, body: { error: 'Invalid API key.' } });
    for (let i = 0; i < 3; i++) {
      const error = await failure(search.search('bread'));
      expect(error.message).toMatch(/SEARCH_API_KEY/);
    }
    expect(breakers.states()).toEqual({ 'search:serpapi': 'closed' });
    expect(fake.requests).toHaveLength(3);
  });
});
