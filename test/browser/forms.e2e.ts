// The dashboard's forms in a real browser, as a first-time marketer fills them in (issue #14,
// items 13 and 14): a time zone typed as a city, a piece scheduled on its planned day, a past
// publish time that asks before publishing at once, a budget typed as "$1,500", campaign
// channels that start from the business's, and statuses and timestamps in words a marketer reads.
// One account and business (made through the API) for the whole file; each test fails on its
// own point before the fix, and the content tests pick up where the previous one left off.
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type Herald, launchChromium, screenshot, signUp, startHerald } from './harness.ts';

// The browser's zone; the business is set to Chicago by hand, so the two differ.
const BROWSER_ZONE = 'Europe/Paris';
const BUSINESS_ZONE = 'America/Chicago';

let herald: Herald;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let accessToken = '';
let businessId = '';
let contentId = '';
const pageErrors: string[] = [];

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
/** A day ten days ahead: its 09:00 is in the future on every clock. */
const plannedDate = isoDay(new Date(Date.now() + 10 * 86_400_000));

/** `YYYY-MM-DDTHH:mm` of an instant on the wall clocks of `timeZone`. */
function wallClock(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}`;
}

/** The API as another client would call it, with the account's token. */
async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(herald.url + path, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.ok, `${method} ${path}: ${response.status}`).toBe(true);
  return (await response.json()) as T;
}

beforeAll(async () => {
  [herald, browser] = await Promise.all([
    startHerald({ LLM_PROVIDER: 'builtin' }),
    launchChromium(),
  ]);
  context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    timezoneId: BROWSER_ZONE,
    locale: 'en-US',
  });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const { email, password } = await signUp(page, herald.url);
  ({ accessToken } = await call<{ accessToken: string }>('POST', '/api/v1/auth/login', {
    email,
    password,
  }));
  ({ id: businessId } = await call<{ id: string }>('POST', '/api/v1/businesses', {
    name: 'Blue Door Bakery',
    industry: 'Bakery',
    timezone: BUSINESS_ZONE,
  }));
});

afterAll(async () => {
  await (context as BrowserContext | undefined)?.close();
  await (browser as Browser | undefined)?.close();
  await (herald as Herald | undefined)?.stop();
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

describe('the dashboard’s forms in Chromium', () => {
  it('takes a time zone typed as a city: "Chicago" becomes America/Chicago', async () => {
    await page.goto(`${herald.url}/businesses`);
    await page.getByRole('button', { name: 'New business' }).click();
    // The zone starts as the browser's.
    const zone = page.getByLabel('Time zone');
    expect(await zone.inputValue()).toBe(BROWSER_ZONE);
    await page.getByLabel('Business name').fill('Corner Café');
    await zone.fill('Chicago');
    await page.getByLabel('Business name').focus(); // leaving the field settles the zone
    expect(await zone.inputValue()).toBe(BUSINESS_ZONE);
    await screenshot(page, 'forms-time-zone');
    await page.getByRole('button', { name: 'Create business' }).click();
    await page.waitForURL(/\/businesses\/[0-9a-f-]{36}\/profile$/);
    const newId = /\/businesses\/([0-9a-f-]{36})\//.exec(page.url())?.[1] ?? '';
    const business = await call<{ timezone: string }>('GET', `/api/v1/businesses/${newId}`);
    expect(business.timezone).toBe(BUSINESS_ZONE);
    // The profile shows the same picker with the stored zone.
    expect(await page.getByLabel('Time zone').inputValue()).toBe(BUSINESS_ZONE);
  });

  it('names statuses in words ("In review") and shows timestamps with their zone', async () => {
    const piece = await call<{ id: string }>('POST', `/api/v1/businesses/${businessId}/contents`, {
      platform: 'x',
      topic: 'Spring sourdough',
      plannedDate,
      body: { text: 'Fresh sourdough every morning. Pre-order the spring menu today.' },
    });
    contentId = piece.id;
    await call('POST', `/api/v1/businesses/${businessId}/contents/${contentId}/status`, {
      status: 'in_review',
    });
    await page.goto(`${herald.url}/businesses/${businessId}/content/${contentId}`);
    const badge = page.locator('.badge.status-in_review');
    await badge.waitFor();
    expect(await badge.textContent()).toBe('In review');
    // The version's time is in the browser's zone, and says which zone that is.
    const version = page.getByTestId('version-row').first();
    await version.waitFor();
    expect(await version.textContent()).toMatch(/\d{2}:\d{2} (AM|PM) GMT\+\d/);
  });

  it('offers the piece’s planned day as the publish time', async () => {
    await page.getByRole('button', { name: 'Approve' }).click();
    const publishAt = page.getByLabel('Publish at');
    await publishAt.waitFor();
    expect(await publishAt.inputValue()).toBe(`${plannedDate}T09:00`);
    expect(await page.getByTestId('workflow').textContent()).toContain(BUSINESS_ZONE);
  });

  it('asks before publishing at once when the chosen time has passed', async () => {
    const schedules: Request[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/schedule')) schedules.push(request);
    });
    const yesterday = wallClock(new Date(Date.now() - 86_400_000), BUSINESS_ZONE);
    await page.getByLabel('Publish at').fill(yesterday);
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    const confirm = page.getByTestId('publish-now-confirm');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('publish now?');
    await screenshot(page, 'forms-publish-now');
    // Changing one's mind sends nothing and keeps the chosen time.
    await page.getByRole('button', { name: 'Choose another time' }).click();
    expect(await page.getByLabel('Publish at').inputValue()).toBe(yesterday);
    expect(schedules).toHaveLength(0);

    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    const scheduled = page.waitForResponse((r) => r.url().endsWith('/schedule'));
    await page.getByRole('button', { name: 'Publish now' }).click();
    const response = await scheduled;
    expect(response.status()).toBe(200);
    expect(schedules).toHaveLength(1);
    // Sent as now on Chicago clocks, not as yesterday.
    const stored = ((await response.json()) as { publishAt: string }).publishAt;
    expect(Math.abs(Date.parse(stored) - Date.now())).toBeLessThan(5 * 60_000);
  });

  it('reads a campaign budget typed as "$1,500" as 150000 cents, and refuses nonsense', async () => {
    await page.goto(`${herald.url}/businesses/${businessId}/campaigns`);
    await page.getByRole('button', { name: 'New campaign' }).click();
    await page.getByLabel('Campaign name').fill('Spring menu launch');
    // Nonsense is refused on the field, before anything is sent.
    await page.getByLabel('Budget').fill('about a grand');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByText(/an amount such as/i).waitFor();
    expect(await page.getByLabel('Budget').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Budget').fill('$1,500');
    const created = page.waitForResponse(
      (r) => r.url().endsWith('/campaigns') && r.request().method() === 'POST',
      { timeout: 10_000 },
    );
    await page.getByRole('button', { name: 'Create campaign' }).click();
    const response = await created;
    expect(response.status()).toBe(201);
    const campaign = (await response.json()) as { budgetCents: number };
    expect(campaign.budgetCents).toBe(150_000);
    // Shown back with its currency.
    await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}\/strategy$/);
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByText('$1,500.00').waitFor();
    await screenshot(page, 'forms-campaign-budget');
  });

  it('starts a new campaign with the business’s channels switched on', async () => {
    await call('PATCH', `/api/v1/businesses/${businessId}`, { channels: ['x', 'email'] });
    await page.goto(`${herald.url}/businesses/${businessId}/campaigns`);
    await page.getByRole('button', { name: 'New campaign' }).click();
    const pressed = (name: string) =>
      page.getByRole('button', { name, exact: true }).getAttribute('aria-pressed');
    expect(await pressed('X')).toBe('true');
    expect(await pressed('Email')).toBe('true');
    expect(await pressed('LinkedIn')).toBe('false');
    await page.getByLabel('Campaign name').fill('Summer menu');
    const created = page.waitForResponse(
      (r) => r.url().endsWith('/campaigns') && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Create campaign' }).click();
    const campaign = (await (await created).json()) as { channels: string[] };
    expect(campaign.channels.sort()).toEqual(['email', 'x']);
  });
});
