// Bulk work on a campaign's pieces, in a real browser against a real Herald: "Write all drafts"
// runs one job that writes every placeholder without text (its progress on the page, the pieces
// showing their text when it ends); ticking two pieces and "Approve selected" approves both by the
// single-piece rules, and both show "Approved". The set-up goes through the API as another client
// would; the builtin writer answers at once, so nothing waits on a clock.
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
});

afterAll(async () => {
  await (browser as Browser | undefined)?.close();
  await (herald as Herald | undefined)?.stop();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  page = await context.newPage();
  pageErrors.length = 0;
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
});

/** The API as the signed-up user, from the test (another client of the same account). */
async function apiClient(email: string, password: string) {
  const call = async <T>(method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(herald.url + path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    expect(response.ok, `${method} ${path}: ${response.status} ${text}`).toBe(true);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const { accessToken } = await call<{ accessToken: string }>('POST', '/api/v1/auth/login', {
    email,
    password,
  });
  return <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    call<T>(method, path, body, accessToken);
}

describe("a campaign's pieces in bulk, in Chromium", () => {
  it('writes every draft with one click, then approves two selected pieces', async () => {
    const { email, password } = await signUp(page, herald.url);
    const businessId = await createBusiness(page, herald.url);
    const api = await apiClient(email, password);
    const b = `/api/v1/businesses/${businessId}`;
    const campaign = await api<{ id: string }>('POST', `${b}/campaigns`, {
      name: 'Spring menu launch',
      goal: '200 pre-orders of the spring menu',
      channels: ['x', 'linkedin'],
    });
    const topics = ['Spring loaves', 'Easter buns', 'Saturday market'];
    for (const [i, topic] of topics.entries()) {
      await api('POST', `${b}/contents`, {
        campaignId: campaign.id,
        platform: i === 1 ? 'linkedin' : 'x',
        topic,
        plannedDate: `2030-03-0${i + 2}`,
      });
    }

    await page.goto(`${herald.url}/businesses/${businessId}/campaigns/${campaign.id}/calendar`);
    const panel = page.getByTestId('bulk-panel');
    await panel.waitFor();
    // The list view (the grid opens on this month; these pieces are planned in 2030).
    await page.getByRole('button', { name: 'List', exact: true }).click();
    await expect.poll(() => page.locator('.calendar-item.placeholder').count()).toBe(3);
    await expect.poll(() => panel.getByTestId('empty-count').textContent()).toContain('3 pieces');
    await panel.getByRole('button', { name: 'Write all drafts' }).click();

    const result = page.getByTestId('write-all-result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toContain('3 pieces written');
    await expect
      .poll(() => panel.getByTestId('empty-count').textContent())
      .toBe('Every piece has its text.');
    // The calendar shows them written: no placeholder left.
    await expect.poll(() => page.locator('.calendar-item.placeholder').count()).toBe(0);
    const pieces = await api<{ items: { topic: string; body: unknown }[] }>(
      'GET',
      `${b}/contents?campaignId=${campaign.id}`,
    );
    expect(pieces.items.every((piece) => piece.body !== null)).toBe(true);

    await panel.getByText('Approve or schedule several pieces').click();
    await panel.getByLabel('Select Spring loaves').check();
    await panel.getByLabel('Select Easter buns').check();
    await panel.getByRole('button', { name: 'Approve selected' }).click();

    const outcome = page.getByTestId('bulk-outcome');
    await outcome.waitFor();
    expect(await outcome.textContent()).toContain('2 pieces approved');
    const row = (topic: string) => panel.getByTestId('bulk-item').filter({ hasText: topic });
    await expect.poll(() => row('Spring loaves').getAttribute('data-status')).toBe('approved');
    expect(await row('Spring loaves').textContent()).toContain('Approved');
    expect(await row('Easter buns').textContent()).toContain('Approved');
    expect(await row('Saturday market').getAttribute('data-status')).toBe('draft');
    await expect
      .poll(() =>
        page
          .getByTestId('calendar-item')
          .filter({ hasText: 'Easter buns' })
          .getAttribute('data-status'),
      )
      .toBe('approved');
    await screenshot(page, 'bulk-approved');

    // At phone width the panel fits the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await panel.getByText('Approve or schedule several pieces').waitFor();
    const overflow = Number(
      await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      ),
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'bulk-phone');
  });
});
