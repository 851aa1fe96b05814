// The CSV import in a real browser (issue #14, item 15): picking a file shows its columns with a
// guess of what each becomes and imports nothing; the marketer changes a mapping, confirms, and
// the subscribers are written with the fields they chose. Email must be mapped before Confirm.
// One account and business (made through the API) for the whole file.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type Herald, launchChromium, screenshot, signUp, startHerald } from './harness.ts';

let herald: Herald;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let accessToken = '';
let businessId = '';
const pageErrors: string[] = [];

interface Subscriber {
  email: string;
  firstName: string | null;
  lastName: string | null;
  attributes: Record<string, unknown>;
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

const subscribers = async () =>
  (
    await call<{ items: Subscriber[] }>(
      'GET',
      `/api/v1/businesses/${businessId}/subscribers?limit=100`,
    )
  ).items;

const CSV = [
  'E-mail,Given name,Plan',
  'ann@example.com,Ann,pro',
  '"bob@example.com","Bob ""Bobby""",free',
  'cleo@example.com,Cleo,"gold, yearly"',
  '',
].join('\n');

beforeAll(async () => {
  [herald, browser] = await Promise.all([startHerald(), launchChromium()]);
  context = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'en-US' });
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
    timezone: 'Europe/Paris',
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

describe('the CSV import in Chromium', () => {
  it('previews the columns with guesses, imports nothing until Confirm, then imports with the chosen mapping', async () => {
    await page.goto(`${herald.url}/businesses/${businessId}/subscribers`);
    await page.getByTestId('subscribers-empty').waitFor();
    let importRequests = 0;
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/subscribers/import'))
        importRequests += 1;
    });
    await page.getByLabel('CSV file').setInputFiles({
      name: 'customers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV),
    });

    // The preview: three columns, each with a guess and its first values.
    const preview = page.getByTestId('import-preview');
    await preview.waitFor();
    const columns = page.getByTestId('import-column');
    expect(await columns.count()).toBe(3);
    expect(await page.getByLabel('Import “E-mail” as').inputValue()).toBe('email');
    expect(await page.getByLabel('Import “Given name” as').inputValue()).toBe('firstName');
    expect(await page.getByLabel('Import “Plan” as').inputValue()).toBe('attribute');
    expect(await page.getByLabel('Attribute name for “Plan”').inputValue()).toBe('Plan');
    // Quoted fields are read whole: the comma and the doubled quote are part of the value.
    expect(await columns.nth(1).textContent()).toContain('Bob "Bobby"');
    expect(await columns.nth(2).textContent()).toContain('gold, yearly');
    await screenshot(page, 'csv-import-preview');

    // Nothing has been sent or written.
    expect(importRequests).toBe(0);
    expect(await subscribers()).toHaveLength(0);

    // Without an email column, Confirm is disabled and says why.
    const confirm = page.getByRole('button', { name: 'Confirm import' });
    expect(await confirm.isEnabled()).toBe(true);
    await page.getByLabel('Import “E-mail” as').selectOption('skip');
    expect(await confirm.isDisabled()).toBe(true);
    expect(await page.getByTestId('import-mapping-problem').textContent()).toContain(
      'email address',
    );
    await page.getByLabel('Import “E-mail” as').selectOption('email');

    // The marketer changes two mappings: the given name becomes the last name, the plan's
    // attribute is renamed.
    await page.getByLabel('Import “Given name” as').selectOption('lastName');
    await page.getByLabel('Attribute name for “Plan”').fill('plan');
    await confirm.click();

    await page.getByTestId('import-report').waitFor({ timeout: 30_000 });
    expect(importRequests).toBe(1);
    expect(await page.getByTestId('import-preview').count()).toBe(0);
    expect(await page.getByTestId('import-report').textContent()).toContain('3 added');
    await expect.poll(() => page.getByTestId('subscriber-row').count()).toBe(3);
    const byEmail = new Map((await subscribers()).map((s) => [s.email, s]));
    expect(byEmail.get('ann@example.com')).toMatchObject({
      firstName: null,
      lastName: 'Ann',
      attributes: { plan: 'pro' },
    });
    expect(byEmail.get('bob@example.com')).toMatchObject({
      lastName: 'Bob "Bobby"',
      attributes: { plan: 'free' },
    });
    expect(byEmail.get('cleo@example.com')?.attributes).toEqual({ plan: 'gold, yearly' });
    await screenshot(page, 'csv-import-done');
  });

  it('fits a phone screen and can be cancelled without importing', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${herald.url}/businesses/${businessId}/subscribers`);
    await page.getByLabel('CSV file').setInputFiles({
      name: 'more.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Email Address,First Name,Surname\ndan@example.com,Dan,Lee\n'),
    });
    await page.getByTestId('import-preview').waitFor();
    expect(await page.getByLabel('Import “Email Address” as').inputValue()).toBe('email');
    expect(await page.getByLabel('Import “First Name” as').inputValue()).toBe('firstName');
    expect(await page.getByLabel('Import “Surname” as').inputValue()).toBe('lastName');
    const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
    expect(width).toBeLessThanOrEqual(390);
    await screenshot(page, 'csv-import-preview-phone');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByTestId('import-preview').count()).toBe(0);
    expect(await subscribers()).toHaveLength(3);
  });
});
