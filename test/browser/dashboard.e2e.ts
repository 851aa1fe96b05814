// The dashboard in a real browser against a real Herald on a fresh embedded database: sign-up to
// the usage page, the session-expiry round trip, rate-limit, server-error and network-failure
// messages, and an AI job that survives a page reload. Each test signs up its own user.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  createBusiness,
  type Herald,
  launchChromium,
  screenshot,
  signUp,
  startHerald,
} from './harness.ts';

let herald: Herald;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [herald, browser] = await Promise.all([startHerald(), launchChromium()]);
});

afterAll(async () => {
  // Either may be missing when beforeAll failed half-way.
  await (browser as Browser | undefined)?.close();
  await (herald as Herald | undefined)?.stop();
});

beforeEach(async () => {
  herald.llm.mode = 'answer';
  await herald.clearFaults();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  pageErrors.length = 0;
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterEach(async () => {
  herald.llm.release();
  await context.close();
  // A crash in the page is a failure even when the assertions passed.
  expect(pageErrors).toEqual([]);
});

const visible = (locator: ReturnType<Page['getByTestId']>, timeout = 15_000) =>
  locator.waitFor({ state: 'visible', timeout });

describe('the dashboard in Chromium', () => {
  it('takes a new marketer from sign-up to a business and its AI usage page', async () => {
    await page.goto(`${herald.url}/`);
    await page.waitForURL(`${herald.url}/login`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'login');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await screenshot(page, 'register');

    await signUp(page, herald.url);
    await visible(page.getByTestId('businesses-empty'));
    await screenshot(page, 'businesses-empty');

    const businessId = await createBusiness(page, herald.url);
    await screenshot(page, 'profile');

    // One AI call, so the usage page has a day, a task and a model to chart.
    await page.getByRole('button', { name: 'Suggest a brand voice' }).click();
    await visible(page.getByTestId('brand-voice-suggestion'));
    await screenshot(page, 'profile-suggestion');

    await page.getByRole('link', { name: 'AI usage & cost' }).click();
    await page.waitForURL(`${herald.url}/businesses/${businessId}/usage`);
    await visible(page.getByTestId('usage-chart'));
    const remaining = await page.getByTestId('budget-remaining').textContent();
    expect(remaining).toMatch(/\$/);
    // The builtin brand voice states no figures, so nothing was refused as ungrounded.
    expect(await page.getByTestId('usage-ungrounded').textContent()).toBe(
      '0 refused for invented numbers',
    );
    await page.locator('.recharts-surface').first().waitFor();
    await screenshot(page, 'usage');

    await page.getByRole('link', { name: 'Jobs' }).click();
    await visible(page.getByTestId('job-row'));
    await screenshot(page, 'jobs');

    await page.getByRole('link', { name: 'Outbox' }).click();
    await visible(page.getByTestId('outbox-empty'));
    expect(await page.getByTestId('outbox-empty').textContent()).toContain('No messages yet');
    await screenshot(page, 'outbox');

    // The same pages at phone width: the menu folds into a button.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${herald.url}/businesses/${businessId}/profile`);
    await page.getByRole('heading', { name: 'Blue Door Bakery', level: 1 }).waitFor();
    await screenshot(page, 'profile-phone');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'AI usage & cost' }).click();
    await visible(page.getByTestId('usage-chart'));
    await screenshot(page, 'usage-phone');
  });

  it('remembers the active business and switches between businesses', async () => {
    await signUp(page, herald.url);
    const first = await createBusiness(page, herald.url, 'Blue Door Bakery');
    await page.getByRole('link', { name: 'All businesses' }).click();
    await page.getByRole('button', { name: 'New business' }).click();
    const second = await createBusiness(page, herald.url, 'Harbour Yoga');
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByLabel('Business', { exact: true }).selectOption(first);
    await page.waitForURL(`${herald.url}/businesses/${first}/jobs`);
    // A new visit to `/` opens the business used last.
    await page.goto(`${herald.url}/`);
    await page.waitForURL(`${herald.url}/businesses/${first}/home`);
    expect(second).not.toBe(first);
  });

  it('a business switched while the next page is still loading opens that page for the other business', async () => {
    await signUp(page, herald.url);
    const first = await createBusiness(page, herald.url, 'Blue Door Bakery');
    await page.getByRole('link', { name: 'All businesses' }).click();
    await page.getByRole('button', { name: 'New business' }).click();
    const second = await createBusiness(page, herald.url, 'Harbour Yoga');
    // The jobs page's code arrives late, as on a slow connection or a busy machine: the address
    // says Jobs while the profile is still on screen.
    let deliver!: () => void;
    const delivered = new Promise<void>((resolve) => {
      deliver = resolve;
    });
    await page.route('**/assets/jobs-*.js', async (route) => {
      await delivered;
      await route.continue();
    });
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.waitForURL(`${herald.url}/businesses/${second}/jobs`);
    await page.getByLabel('Business', { exact: true }).selectOption(first);
    deliver();
    await page.waitForURL(`${herald.url}/businesses/${first}/jobs`);
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
  });

  it('when the session ends mid-visit, sends the user to sign in and back to the same page', async () => {
    const { email, password } = await signUp(page, herald.url);
    const businessId = await createBusiness(page, herald.url);
    const usagePath = `/businesses/${businessId}/usage`;

    // An access token the server no longer accepts is refreshed silently: the user stays.
    await herald.fault({ path: '^/api/v1/businesses/[^/]+/ai/usage$', kind: 'unauthenticated' });
    const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh'));
    await page.getByRole('link', { name: 'AI usage & cost' }).click();
    expect((await refreshed).status()).toBe(200);
    await visible(page.getByTestId('usage-summary'));
    expect(page.url()).toBe(herald.url + usagePath);

    // Now the sign-in itself is revoked (signed out elsewhere) and the access token expires:
    // the refresh is refused too, so the dashboard asks to sign in and then returns.
    const cookie = (await context.cookies()).find((c) => c.name === 'herald_refresh');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Strict');
    const logout = await fetch(`${herald.url}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: cookie?.value }),
    });
    expect(logout.status).toBe(204);
    await herald.fault({ path: '^/api/v1/businesses/[^/]+/ai/usage$', kind: 'unauthenticated' });
    await page.getByLabel('Period').selectOption('7'); // a request the cache cannot answer
    await page.waitForURL(/\/login\?next=/);
    await visible(page.getByTestId('session-expired'));
    await screenshot(page, 'session-expired');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(herald.url + usagePath);
    await visible(page.getByTestId('usage-summary'));
  });

  it('a signed-out visitor opening a deep link signs in and lands on that page', async () => {
    const { email, password } = await signUp(page, herald.url);
    const businessId = await createBusiness(page, herald.url);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${herald.url}/login`);
    await page.goto(`${herald.url}/businesses/${businessId}/jobs`);
    await page.waitForURL(/\/login\?next=%2Fbusinesses%2F/);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${herald.url}/businesses/${businessId}/jobs`);
    await visible(page.getByTestId('jobs-empty'));
  });

  it('shows the wait from Retry-After when the AI rate limit is reached', async () => {
    await signUp(page, herald.url);
    await createBusiness(page, herald.url);
    // The server under test allows two AI requests a minute per user.
    for (const name of ['Suggest a brand voice', 'Suggest again']) {
      const accepted = page.waitForResponse((r) => r.url().endsWith('/ai/brand-voice'));
      await page.getByRole('button', { name }).click();
      expect((await accepted).status()).toBe(202);
      await visible(page.getByTestId('brand-voice-suggestion'));
    }
    const refused = page.waitForResponse((r) => r.url().endsWith('/ai/brand-voice'));
    await page.getByRole('button', { name: 'Suggest again' }).click();
    const response = await refused;
    expect(response.status()).toBe(429);
    const retryAfter = Number(response.headers()['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    await visible(page.getByTestId('rate-limited'));
    const shown = Number(
      /\d+/.exec((await page.getByTestId('retry-after').textContent()) ?? '')?.[0],
    );
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThanOrEqual(retryAfter);
    expect(
      await page
        .getByTestId('rate-limited')
        .getByRole('button', { name: 'Try again' })
        .isDisabled(),
    ).toBe(true);
    await screenshot(page, 'rate-limited');
  });

  it('shows a fallback with the correlation ID when the server fails with a 500', async () => {
    await signUp(page, herald.url);
    const businessId = await createBusiness(page, herald.url);
    await herald.fault({ path: '^/api/v1/businesses/[^/]+/ai/usage$', kind: 'internal' });
    const failed = page.waitForResponse((r) => r.url().includes('/ai/usage'));
    await page.goto(`${herald.url}/businesses/${businessId}/usage`);
    const response = await failed;
    expect(response.status()).toBe(500);
    const correlationId = response.headers()['x-correlation-id'];
    expect(correlationId).toBeTruthy();
    await visible(page.getByTestId('server-error'));
    expect(await page.getByTestId('correlation-id').textContent()).toBe(correlationId);
    await screenshot(page, 'server-error');
    // The fault was for one request: trying again works.
    await page.getByRole('button', { name: 'Try again' }).click();
    await visible(page.getByTestId('usage-summary'));
  });

  it('offers a retry when the network fails, and recovers', async () => {
    await signUp(page, herald.url);
    const businessId = await createBusiness(page, herald.url);
    // The usage page has nothing cached yet, so its first request meets the outage.
    const usage = '**/api/v1/businesses/*/ai/usage*';
    await page.route(usage, (route) => route.abort('internetdisconnected'));
    await page.getByRole('link', { name: 'AI usage & cost' }).click();
    await visible(page.getByTestId('network-error'), 20_000);
    await screenshot(page, 'network-error');
    await page.unroute(usage);
    await page.getByRole('button', { name: 'Try again' }).click();
    await visible(page.getByTestId('usage-summary'));
    expect(page.url()).toBe(`${herald.url}/businesses/${businessId}/usage`);
  });

  it('finds a running AI job again after a reload and shows its result when it ends', async () => {
    await signUp(page, herald.url);
    await createBusiness(page, herald.url);
    herald.llm.mode = 'hold';
    const callsBefore = herald.llm.calls;
    const started = page.waitForResponse((r) => r.url().endsWith('/ai/brand-voice'));
    await page.getByRole('button', { name: 'Suggest a brand voice' }).click();
    const { job } = (await (await started).json()) as { job: { id: string } };
    await visible(page.getByTestId('job-progress'));
    // The model has the request: the job is running, at "Drafting a brand voice".
    await expect.poll(() => herald.llm.calls, { timeout: 15_000 }).toBe(callsBefore + 1);
    await page.getByText('Drafting a brand voice').waitFor();
    await screenshot(page, 'job-running');

    const reattached = page.waitForResponse((r) =>
      r.url().endsWith(`/api/v1/jobs/${job.id}/events`),
    );
    await page.reload();
    expect((await reattached).status()).toBe(200);
    await visible(page.getByTestId('job-progress'));
    await page.getByText('Drafting a brand voice').waitFor();
    await screenshot(page, 'job-running-after-reload');
    // It picked up the same job rather than starting another.
    expect(herald.llm.calls).toBe(callsBefore + 1);
    const progress = page.getByRole('progressbar', { name: 'Brand voice suggestion progress' });
    expect(Number(await progress.getAttribute('aria-valuenow'))).toBeGreaterThan(0);

    herald.llm.release();
    await visible(page.getByTestId('brand-voice-suggestion'));
    await page.getByRole('button', { name: 'Use this voice' }).click();
    await page.getByText('Applied to the profile').waitFor();
    expect(await page.getByLabel('Tone').inputValue()).toContain('Warm and neighbourly');
  });

  it('a channel switched on optimistically switches back when the server refuses', async () => {
    await signUp(page, herald.url);
    await createBusiness(page, herald.url);
    const linkedIn = page.getByRole('button', { name: 'LinkedIn' });
    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH');
    await linkedIn.click();
    expect((await saved).status()).toBe(200);
    expect(await linkedIn.getAttribute('aria-pressed')).toBe('true');

    await herald.fault({ method: 'PATCH', path: '^/api/v1/businesses/[^/]+$', kind: 'conflict' });
    // Hold the request on its way out, to see the page before the server answers.
    let send!: () => void;
    const held = new Promise<void>((resolve) => {
      send = resolve;
    });
    await page.route('**/api/v1/businesses/*', async (route) => {
      if (route.request().method() === 'PATCH') await held;
      await route.continue();
    });
    const instagram = page.getByRole('button', { name: 'Instagram' });
    const refused = page.waitForResponse((r) => r.request().method() === 'PATCH');
    await instagram.click();
    await expect.poll(() => instagram.getAttribute('aria-pressed')).toBe('true');
    send();
    expect((await refused).status()).toBe(409);
    await page.getByText('The channels were not changed').waitFor();
    expect(await instagram.getAttribute('aria-pressed')).toBe('false');
    expect(await linkedIn.getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, 'optimistic-rollback');
  });

  it('lists a test email in the outbox and shows its whole MIME source', async () => {
    const { email, password } = await signUp(page, herald.url);
    const businessId = await createBusiness(page, herald.url);
    // A sequence step sent as a test, through the API as another client would.
    const call = async (method: string, path: string, token: string | null, body?: unknown) => {
      const response = await fetch(herald.url + path, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(response.ok, `${method} ${path}: ${response.status}`).toBe(true);
      return (await response.json()) as Record<string, unknown>;
    };
    const { accessToken } = (await call('POST', '/api/v1/auth/login', null, {
      email,
      password,
    })) as { accessToken: string };
    await call('PATCH', `/api/v1/businesses/${businessId}`, accessToken, {
      defaultSender: { name: 'Blue Door Bakery', email: 'hello@bluedoor.example' },
    });
    const sequence = (await call(
      'POST',
      `/api/v1/businesses/${businessId}/sequences`,
      accessToken,
      {
        name: 'Welcome',
        steps: [{ subject: 'Fresh bread, every morning', html: '<p>Hello neighbour!</p>' }],
      },
    )) as { id: string; steps: { id: string }[] };
    await call(
      'POST',
      `/api/v1/businesses/${businessId}/sequences/${sequence.id}/steps/${sequence.steps[0]?.id ?? ''}/test`,
      accessToken,
      { to: email }, // test sends go to the user's own address
    );

    await page.getByRole('link', { name: 'Outbox' }).click();
    await visible(page.getByTestId('outbox-row'));
    await page.getByRole('button', { name: 'Fresh bread, every morning' }).click();
    // An opened email shows as subscribers see it; the MIME source is one click away.
    await page.getByRole('button', { name: 'Source', exact: true }).click();
    const source = page.getByLabel('The whole email as sent (MIME source)');
    await source.waitFor();
    expect(await source.textContent()).toContain(email);
    await screenshot(page, 'outbox-message');
  });

  it('shows why an AI job failed and retries it', async () => {
    await signUp(page, herald.url);
    await createBusiness(page, herald.url);
    herald.llm.mode = 'fail';
    await page.getByRole('button', { name: 'Suggest a brand voice' }).click();
    await visible(page.getByTestId('job-failed'));
    expect((await page.getByTestId('job-failed').textContent())?.length).toBeGreaterThan(20);
    await screenshot(page, 'job-failed');
    herald.llm.mode = 'answer';
    await page.getByTestId('job-failed').getByRole('button', { name: 'Try again' }).click();
    await visible(page.getByTestId('brand-voice-suggestion'));
  });
});
