// The data pages that were API-only: the do-not-email (suppression) list, the messages log, and on
// a campaign's analytics tab the figures entered by hand or from a CSV file and the AI insight
// summary (on the builtin provider, so it is labelled as written by the built-in template).
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
  [herald, browser] = await Promise.all([
    startHerald({ LLM_PROVIDER: 'builtin', RATE_LIMIT_AI_PER_MINUTE: '30' }),
    launchChromium(),
  ]);
}, 120_000);

afterAll(async () => {
  await (browser as Browser | undefined)?.close();
  await (herald as Herald | undefined)?.stop();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'en-US' });
  page = await context.newPage();
  pageErrors.length = 0;
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
});

/** A new marketer with a business, and the API as them. */
async function marketerWithBusiness() {
  const account = await signUp(page, herald.url);
  const businessId = await createBusiness(page, herald.url);
  const login = await fetch(`${herald.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${herald.url}/api/v1/businesses/${businessId}${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
    return (await response.json()) as T;
  };
  return { businessId, api, base: `${herald.url}/businesses/${businessId}` };
}

// Test files are type-checked without the DOM library: the page script is a string.
const WIDE = `(() => document.documentElement.scrollWidth <= window.innerWidth ? [] : [...document.querySelectorAll('body *')]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
  .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
  .slice(0, 5)
  .map((el) => el.tagName.toLowerCase() + '.' + String(el.className).split(' ').join('.') + ' ' +
    Math.round(el.getBoundingClientRect().width) + 'px'))()`;

/** At phone width (390 px), what reaches past the screen's edge (nothing, we hope). */
async function widerThanPhone(ready: string): Promise<string[]> {
  await page.setViewportSize({ width: 390, height: 844 });
  // Opened again at that width, as a phone would.
  await page.reload();
  await page.getByTestId(ready).first().waitFor();
  await screenshot(page, `data-pages-${page.url().split('/').at(-1) ?? 'page'}`);
  return page.evaluate<string[]>(WIDE);
}

describe('the do-not-email list', () => {
  it('adds an address with its reason, and removes it again with a note', async () => {
    const { base } = await marketerWithBusiness();
    await page.getByRole('link', { name: 'Do-not-email list' }).click();
    await page.waitForURL(`${base}/suppressions`);
    await expect.poll(() => page.title()).toMatch(/^Do-not-email list · /);
    await page.getByTestId('suppressions-empty').waitFor();

    await page.getByLabel('Email address').fill('Gone.Away@example.com');
    await page.getByLabel('Why').selectOption({ label: 'Bounced' });
    await page.getByRole('button', { name: 'Add to the list' }).click();
    const row = page.getByTestId('suppression-row').filter({ hasText: 'gone.away@example.com' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Bounced');
    expect(await widerThanPhone('suppression-row')).toEqual([]);

    await page.getByRole('button', { name: 'Remove gone.away@example.com' }).click();
    const form = page.getByTestId('remove-suppression');
    // A removal needs a reason.
    await form.getByRole('button', { name: 'Remove from the list' }).click();
    await form.getByText('Say why, in a few words.').waitFor();
    await form.getByLabel('Why may it be emailed again?').fill('Mailbox fixed, confirmed by phone');
    await form.getByRole('button', { name: 'Remove from the list' }).click();
    await page.getByTestId('suppressions-empty').waitFor();
    expect(await page.getByTestId('suppression-row').count()).toBe(0);
  });
});

describe('the messages log', () => {
  it('shows messages recorded through the API, newest first, and filters them by channel', async () => {
    const { api, base } = await marketerWithBusiness();
    await api('POST', '/messages', {
      channel: 'email',
      direction: 'inbound',
      status: 'received',
      subject: 'Do you bake gluten-free bread?',
      customerRef: 'ann@example.com',
    });
    await api('POST', '/messages', {
      channel: 'sms',
      direction: 'outbound',
      status: 'delivered',
      body: 'Your pre-order is ready for pick-up',
      customerRef: '+33 6 12 34 56 78',
    });
    await page.getByRole('link', { name: 'Messages' }).click();
    await page.waitForURL(`${base}/messages`);
    await expect.poll(() => page.title()).toMatch(/^Messages · /);
    const rows = page.getByTestId('message-row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.first().textContent()).toContain('Your pre-order is ready');
    expect(await widerThanPhone('message-row')).toEqual([]);

    await page.getByRole('search').getByLabel('Channel').selectOption({ label: 'Email' });
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Do you bake gluten-free bread?');

    await page.getByRole('search').getByLabel('Channel').selectOption({ label: 'Phone call' });
    await page.getByTestId('messages-no-match').waitFor();
  });
});

describe('campaign analytics', () => {
  it('takes figures by hand and from a CSV file, and writes an insight summary labelled as the built-in template', async () => {
    const { api, base } = await marketerWithBusiness();
    const campaign = await api<{ id: string }>('POST', '/campaigns', {
      name: 'Spring menu launch',
      goal: '200 pre-orders',
      channels: ['x'],
    });
    await api('POST', '/contents', {
      campaignId: campaign.id,
      platform: 'x',
      topic: 'Spring menu teaser',
    });
    await page.goto(`${base}/campaigns/${campaign.id}/analytics`);
    await page.getByTestId('analytics-empty').waitFor();
    const totals = page.getByRole('region', { name: 'Campaign totals' });

    // By hand: one day of the piece.
    const entry = page.getByTestId('metrics-entry');
    await entry.getByLabel('Day').fill('2026-03-02');
    await entry.getByLabel('Impressions').fill('1,000');
    await entry.getByLabel('Clicks').fill('50');
    await entry.getByLabel('Conversions').fill('5');
    await entry.getByLabel('Spend ($)').fill('25');
    await entry.getByRole('button', { name: 'Save figures' }).click();
    await entry.getByTestId('metrics-saved').waitFor();
    await totals.getByText('1,000', { exact: true }).waitFor();
    await totals.getByText('$25.00', { exact: true }).waitFor();

    // From a CSV file: one good row (by title), one for a piece that does not exist.
    await entry.getByRole('button', { name: 'From a CSV file' }).click();
    await entry.getByLabel('CSV file of figures').setInputFiles({
      name: 'figures.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'piece,day,impressions,clicks,spend\nSpring menu teaser,2026-03-03,500,10,5.50\nNo such post,2026-03-03,1,1,1\n',
      ),
    });
    const results = entry.getByTestId('metrics-csv-results');
    await results.getByText('1 of 2 rows saved.').waitFor();
    await results.getByText('Row 3 · No such post: No piece of this campaign is titled').waitFor();
    await totals.getByText('1,500', { exact: true }).waitFor();
    await totals.getByText('$30.50', { exact: true }).waitFor();
    expect(await widerThanPhone('metrics-entry')).toEqual([]);

    // The insight summary, written by the builtin provider.
    const insight = page.getByTestId('campaign-insight');
    await insight.getByTestId('insight-empty').waitFor();
    await insight.getByRole('button', { name: 'Write a summary' }).click();
    await insight.getByTestId('insight-summary').waitFor({ timeout: 60_000 });
    expect(await insight.getByTestId('insight-author').textContent()).toContain(
      'Written by the built-in template (no AI model)',
    );
    await insight.getByRole('button', { name: 'Write a new summary' }).waitFor();

    // After a reload the newest summary is still shown.
    await page.reload();
    await page.getByTestId('insight-summary').waitFor();
  });
});
