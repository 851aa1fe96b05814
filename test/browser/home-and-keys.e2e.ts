// The business home and the account pages (issue #14, items 19 and 20a), in a real browser
// against a real Herald: a new business's home lists its three next steps unticked, ticks the
// campaign step once a campaign exists, and lists a piece scheduled this week; an API key made on
// the API keys page shows its secret once, works against the API, stops working once revoked, and
// its creation is in the security activity.
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
  await (browser as Browser | undefined)?.close();
  await (herald as Herald | undefined)?.stop();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  page = await context.newPage();
  pageErrors.length = 0;
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
});

type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

async function marketerWithBusiness(): Promise<{ businessId: string; call: Call }> {
  const { email, password } = await signUp(page, herald.url);
  const businessId = await createBusiness(page, herald.url);
  const login = await fetch(`${herald.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const call: Call = async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${herald.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${accessToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.ok, `${method} ${path}: ${String(response.status)}`).toBe(true);
    return (await response.json()) as T;
  };
  return { businessId, call };
}

const steps = (p: Page) =>
  Promise.all(
    ['step-profile', 'step-campaign', 'step-sequence'].map((id) =>
      p.getByTestId(id).getAttribute('data-done'),
    ),
  );

async function noSkeleton(p: Page): Promise<void> {
  await expect.poll(() => p.getByTestId('skeleton').count(), { timeout: 15_000 }).toBe(0);
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

describe('the business home', () => {
  it('shows the next steps unticked, ticks the campaign step once there is one, and lists a piece scheduled this week', async () => {
    const { businessId, call } = await marketerWithBusiness();
    const b = `/businesses/${businessId}`;

    // Opening the business from the list lands on its home.
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'All businesses' }).click();
    await page
      .getByRole('link', { name: /Blue Door Bakery/ })
      .first()
      .click();
    await page.waitForURL(`${herald.url}${b}/home`);
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await noSkeleton(page);
    expect(await page.title()).toBe('Home · Blue Door Bakery · Herald');
    expect(await steps(page)).toEqual(['false', 'false', 'false']);
    await page.getByTestId('week-empty').waitFor();
    await page.getByTestId('failures-empty').waitFor();
    await expect.poll(() => page.getByTestId('month-spend').textContent()).toContain('$0.00');

    const today = new Date();
    const campaign = await call<{ id: string }>('POST', `${b}/campaigns`, {
      name: 'Spring menu',
      goal: '200 pre-orders',
      channels: ['x'],
      startDate: isoDay(today),
      endDate: isoDay(new Date(today.getTime() + 13 * 86_400_000)),
    });
    const piece = await call<{ id: string }>('POST', `${b}/contents`, {
      campaignId: campaign.id,
      platform: 'x',
      topic: 'Hot cross buns are back',
      body: { text: 'Hot cross buns are back this Friday.' },
    });
    await call('POST', `${b}/contents/${piece.id}/status`, { status: 'in_review' });
    await call('POST', `${b}/contents/${piece.id}/status`, { status: 'approved' });
    await call('POST', `${b}/contents/${piece.id}/schedule`, {
      publishAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
    });

    await page.reload();
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await noSkeleton(page);
    expect(await steps(page)).toEqual(['false', 'true', 'false']);
    const week = page.getByTestId('week-piece');
    await week.first().waitFor();
    expect(await week.count()).toBe(1);
    expect(await week.textContent()).toContain('Hot cross buns are back');
    await week.getByRole('link').click();
    await page.waitForURL(`${herald.url}${b}/content/${piece.id}`);

    // A sequence and a finished profile tick the other two.
    await call('POST', `${b}/sequences`, { name: 'Welcome series' });
    await call('PATCH', b, {
      audience: 'Neighbours on their way to work',
      brandVoice: { tone: 'Warm and plain', wordsToUse: [], wordsToAvoid: [] },
    });
    await page.goto(`${herald.url}${b}/home`);
    await noSkeleton(page);
    expect(await steps(page)).toEqual(['true', 'true', 'true']);
    const wide = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(wide).toBeLessThanOrEqual(390);
    await screenshot(page, 'home-phone');
  }, 90_000);
});

describe('API keys and security activity', () => {
  it('a new key shows its secret once, works against the API, is refused once revoked, and its creation is in the activity', async () => {
    await marketerWithBusiness();
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL(`${herald.url}/account/api-keys`);
    await page.getByTestId('api-keys-empty').waitFor();
    expect(await page.title()).toBe('API keys · Herald');

    await page.getByLabel('Key name').fill('Weekly report');
    await page.getByLabel('Read only').check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('new-secret-value').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^hk_/);
    await page.getByTestId('api-key-row').filter({ hasText: 'Weekly report' }).waitFor();
    expect(await page.getByTestId('api-key-row').textContent()).toContain('Read only');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      390,
    );
    await screenshot(page, 'api-keys-phone');

    const withKey = () =>
      fetch(`${herald.url}/api/v1/businesses`, { headers: { 'x-api-key': secret } });
    expect((await withKey()).status).toBe(200);

    // Shown once: after a reload only the prefix is left.
    await page.reload();
    await page.getByTestId('api-key-row').first().waitFor();
    expect(await page.getByTestId('new-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    // The key was used: the list says so.
    expect(await page.getByTestId('api-key-row').textContent()).not.toContain('Never');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByTestId('api-key-revoked').waitFor();
    expect((await withKey()).status).toBe(401);

    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Security activity' }).click();
    await page.waitForURL(`${herald.url}/account/activity`);
    await page.getByTestId('audit-row').first().waitFor();
    expect(await page.title()).toBe('Security activity · Herald');
    const actions = await page.getByTestId('audit-action').allTextContents();
    // Newest first.
    expect(actions.slice(0, 2)).toEqual(['API key revoked', 'API key created']);
    expect(actions).toContain('Signed in');
    expect(actions).toContain('Business created');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      390,
    );
    await screenshot(page, 'activity-phone');
  }, 90_000);
});
