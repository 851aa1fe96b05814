// analytics.js (@segment/analytics-next's UMD bundle, served from node_modules by this test — no
// internet) on a shop's page in real Chromium, loaded with `cdnURL` set to Herald: it reads its
// settings from Herald, sends a page and a track call cross-origin, and Herald stores both.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { apiAs, browserSuite, REPO_ROOT } from './harness.ts';

const BUNDLES = path.join(REPO_ROOT, 'node_modules/@segment/analytics-next/dist/umd');

/** The shop's own site: a page and the analytics.js bundle, on another origin than Herald. */
function startShop(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const url = request.url ?? '/';
    if (url === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        '<!doctype html><html><head><title>Blue Door Bakery</title><script src="/analytics.js"></script></head><body><h1>Fresh bread</h1></body></html>',
      );
      return;
    }
    const file = url === '/analytics.js' ? 'index.js' : path.basename(url);
    try {
      const body = readFileSync(path.join(BUNDLES, file));
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${String(port)}`,
        close: () =>
          new Promise((done) =>
            server.close(() => {
              done();
            }),
          ),
      });
    });
  });
}

const suite = browserSuite();

describe('analytics.js pointed at Herald', () => {
  let shop: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    shop = await startShop();
  });
  afterAll(async () => {
    await shop.close();
  });

  it('loads its settings from Herald and stores a page and a track call', async () => {
    const base = suite.herald.url;
    const register = await fetch(`${base}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `shop-${String(Date.now())}@example.com`,
        password: 'Blue-Door-Bakery-9',
        name: 'Shop Owner',
      }),
    });
    const { accessToken } = (await register.json()) as { accessToken: string };
    const business = await apiAs(base, accessToken)<{ id: string; writeKey: string }>(
      'POST',
      '/businesses',
      { name: 'Blue Door Bakery', industry: 'Bakery', timezone: 'Europe/Paris' },
    );

    const { page, errors } = await suite.newPage({ viewport: { width: 1366, height: 800 } });
    const sent: { url: string; status: number }[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(`${base}/v1/`)) {
        sent.push({ url: response.url().slice(base.length), status: response.status() });
      }
    });
    await page.goto(shop.url);
    // Page scripts are strings: the test files are type-checked without the DOM library.
    const outcome = await page.evaluate<{ delivered: boolean[] }>(`(async () => {
      const analytics = window.AnalyticsNext.AnalyticsBrowser.load(
        { writeKey: ${JSON.stringify(business.writeKey)}, cdnURL: ${JSON.stringify(base)} },
      );
      const contexts = await Promise.all([
        analytics.page('Bakery', 'Home', { path: '/' }),
        analytics.track('Loaf Ordered', { loaves: 2, price: 6.5 }),
      ]);
      return { delivered: contexts.map((ctx) => ctx.failedDelivery() === undefined) };
    })()`);
    expect(outcome.delivered).toEqual([true, true]);
    expect(sent).toEqual(
      expect.arrayContaining([
        { url: `/v1/projects/${business.writeKey}/settings`, status: 200 },
        { url: '/v1/p', status: 200 },
        { url: '/v1/t', status: 200 },
      ]),
    );
    expect(errors).toEqual([]);

    // Both are stored: the write path counts an event as accepted once it is committed.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/herald_tracking_events_total\{outcome="accepted"\} 2\b/);
  });
});
