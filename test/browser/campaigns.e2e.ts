// Campaigns and the content studio in a real browser, on the builtin AI provider: from a new
// campaign (with its validation errors shown on the fields) through the AI strategy, the content
// calendar and a generated piece to an approved post scheduled in the business's time zone and
// published through the outbox; and a refused approval (409) that the page rolls back.
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

const TIME_ZONE = 'Europe/Paris';

let herald: Herald;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [herald, browser] = await Promise.all([
    // The builtin provider writes strategies and posts from templates, with no model at all.
    startHerald({ LLM_PROVIDER: 'builtin', RATE_LIMIT_AI_PER_MINUTE: '30' }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await (browser as Browser | undefined)?.close();
  await (herald as Herald | undefined)?.stop();
});

beforeEach(async () => {
  await herald.clearFaults();
  // The browser's zone becomes the new business's zone (the form's default).
  context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    timezoneId: TIME_ZONE,
  });
  page = await context.newPage();
  pageErrors.length = 0;
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
});

const visible = (locator: ReturnType<Page['getByTestId']>, timeout = 15_000) =>
  locator.waitFor({ state: 'visible', timeout });

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

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** Signs up, creates a business and a two-channel campaign with its strategy; on the calendar. */
async function campaignWithStrategy(): Promise<{ businessId: string; campaignId: string }> {
  await signUp(page, herald.url);
  const businessId = await createBusiness(page, herald.url);
  await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
  await page.getByRole('button', { name: 'New campaign' }).click();
  await page.getByLabel('Campaign name').fill('Spring menu launch');
  await page.getByLabel('Goal').fill('200 pre-orders of the spring menu');
  await page.getByRole('button', { name: 'X', exact: true }).click();
  await page.getByRole('button', { name: 'LinkedIn', exact: true }).click();
  const today = new Date();
  await page.getByLabel('Start date').fill(isoDay(today));
  await page.getByLabel('End date').fill(isoDay(new Date(today.getTime() + 13 * 86_400_000)));
  await page.getByRole('button', { name: 'Create campaign' }).click();
  await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}\/strategy$/);
  const campaignId = /\/campaigns\/([0-9a-f-]{36})\//.exec(page.url())?.[1] ?? '';
  await page.getByRole('button', { name: 'Generate strategy' }).click();
  await visible(page.getByTestId('strategy-done'), 30_000);
  return { businessId, campaignId };
}

describe('campaigns and the content studio in Chromium', () => {
  it('clicks from a new campaign through strategy, calendar and a generated post to a scheduled and published post', async () => {
    await signUp(page, herald.url);
    const businessId = await createBusiness(page, herald.url);

    await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
    await page.waitForURL(`${herald.url}/businesses/${businessId}/campaigns`);
    await visible(page.getByTestId('campaigns-empty'));
    await screenshot(page, 'campaigns-empty');

    // The form says what is wrong on the fields themselves, before anything is sent.
    await page.getByRole('button', { name: 'New campaign' }).click();
    await page.getByLabel('Start date').fill('2030-03-20');
    await page.getByLabel('End date').fill('2030-03-10');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByText('Give the campaign a name').waitFor();
    await page.getByText('The campaign ends before it starts').waitFor();
    expect(await page.getByLabel('Campaign name').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('End date').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'campaign-form-errors');

    await page.getByLabel('Campaign name').fill('Spring menu launch');
    await page.getByLabel('Goal').fill('200 pre-orders of the spring menu');
    await page.getByRole('button', { name: 'X', exact: true }).click();
    await page.getByRole('button', { name: 'LinkedIn', exact: true }).click();
    const today = new Date();
    await page.getByLabel('Start date').fill(isoDay(today));
    await page.getByLabel('End date').fill(isoDay(new Date(today.getTime() + 13 * 86_400_000)));
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}\/strategy$/);
    await visible(page.getByTestId('strategy-empty'));

    // The strategy job, on the builtin provider.
    const started = page.waitForResponse((r) => r.url().endsWith('/strategy'));
    await page.getByRole('button', { name: 'Generate strategy' }).click();
    expect((await started).status()).toBe(202);
    await visible(page.getByTestId('strategy-done'), 30_000);
    await visible(page.getByTestId('strategy'));
    expect(await page.getByTestId('objectives').locator('li').count()).toBeGreaterThan(0);
    await page.getByRole('heading', { name: 'Channel mix' }).waitFor();
    await screenshot(page, 'campaign-strategy');
    // After a reload the stored strategy is still there (and the finished job is not redone).
    await page.reload();
    await visible(page.getByTestId('strategy'));

    // The calendar: every entry became a placeholder.
    await page.getByRole('link', { name: 'Calendar', exact: true }).click();
    await visible(page.getByTestId('content-calendar'));
    // The list view (the grid, the default, has its own test: calendar.e2e.ts).
    await page.getByRole('button', { name: 'List', exact: true }).click();
    const items = page.getByTestId('calendar-item');
    expect(await items.count()).toBeGreaterThan(2);
    expect(await items.locator('.placeholder-badge').count()).toBe(await items.count());
    await screenshot(page, 'campaign-calendar');
    await page.getByLabel('Platform').selectOption('x');
    await items.first().getByRole('link').click();
    await page.waitForURL(/\/content\/[0-9a-f-]{36}$/);
    const contentId = /\/content\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? '';
    await visible(page.getByTestId('placeholder-note'));
    await visible(page.getByTestId('versions-empty'));

    // Generate the post; the counter counts against X's 280.
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await visible(page.getByTestId('version-row'), 30_000);
    const post = page.getByLabel('Post', { exact: true });
    expect((await post.inputValue()).length).toBeGreaterThan(10);
    const counter = page.getByTestId('character-counter').first();
    expect(await counter.textContent()).toMatch(/^\d+ \/ 280/);
    await screenshot(page, 'content-generated');

    // An edit with an emoji: counted once, as the server counts it (UTF-16 would say 65);
    // saved as version 2.
    await post.fill('Fresh sourdough every morning 🥐 Pre-order the spring menu today.');
    expect(await counter.textContent()).toMatch(/^64 \/ 280/);
    await page.getByTestId('preview').getByText('Pre-order the spring menu today.').waitFor();
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await page.getByRole('button', { name: 'Restore v1' }).waitFor();
    await visible(page.getByTestId('version-compare'));
    await screenshot(page, 'content-versions');

    // Review, approval and scheduling, each shown at once.
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByLabel('Publish at').waitFor();
    expect(await page.getByTestId('workflow').textContent()).toContain(TIME_ZONE);
    // A time one to two minutes ahead on Paris clocks (the field has minutes): seen scheduled
    // first, then published when the test moves the clock, never by waiting for the wall clock.
    const publishAt = wallClock(new Date(Date.now() + 120_000), TIME_ZONE);
    await page.getByLabel('Publish at').fill(publishAt);
    const scheduled = page.waitForResponse((r) => r.url().endsWith('/schedule'));
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    const response = await scheduled;
    expect(response.status()).toBe(200);
    // Stored as UTC: the instant whose Paris wall clock is the chosen time.
    const stored = ((await response.json()) as { publishAt: string }).publishAt;
    expect(wallClock(new Date(stored), TIME_ZONE)).toBe(publishAt);
    await visible(page.getByTestId('scheduled-for'));
    await screenshot(page, 'content-scheduled');
    // Nothing is published before its time.
    expect(await herald.publishAsIfLater(0)).toBe(0);

    // Three minutes later the publisher publishes it through the outbox, as its wake-up job would
    // (or the minute sweep, if it passes first: so no count here). The page, left alone, notices
    // on its own: it checks every 3 s while the piece waits.
    await herald.publishAsIfLater(180);
    await visible(page.getByTestId('published-at'), 15_000);
    await visible(page.getByTestId('attempt-row'), 15_000);
    expect(await page.getByTestId('attempt-row').first().textContent()).toContain('outbox');
    await screenshot(page, 'content-published');

    await page.getByRole('link', { name: 'Campaign calendar' }).click();
    await visible(page.getByTestId('content-calendar'));
    // Shown from the cache at once, then refreshed: the piece is published there too.
    await expect
      .poll(() => page.locator('[data-testid="calendar-item"][data-status="published"]').count())
      .toBe(1);
    expect(contentId).not.toBe('');

    // At phone width nothing is wider than the screen.
    // (A string: this file is type-checked without the DOM library.)
    const pageWidth = async () =>
      Number(await page.evaluate('document.documentElement.scrollWidth'));
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await pageWidth()).toBeLessThanOrEqual(390);
    await screenshot(page, 'campaign-calendar-phone');
    await page.goto(`${herald.url}/businesses/${businessId}/content/${contentId}`);
    await visible(page.getByTestId('published-at'));
    expect(await pageWidth()).toBeLessThanOrEqual(390);
    await screenshot(page, 'content-phone');
  }, 120_000);

  it('an approval refused with a 409 is rolled back and explained', async () => {
    const { businessId } = await campaignWithStrategy();
    await page.getByRole('link', { name: 'Open the calendar' }).click();
    await page.getByRole('button', { name: 'List', exact: true }).click();
    await page.getByTestId('calendar-item').first().getByRole('link').click();
    await page.getByRole('button', { name: /^Generate$/ }).click();
    await visible(page.getByTestId('version-row'), 30_000);
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByRole('button', { name: 'Approve' }).waitFor();

    await herald.fault({
      method: 'POST',
      path: `^/api/v1/businesses/${businessId}/contents/[^/]+/status$`,
      kind: 'conflict',
    });
    // Hold the request, to see the optimistic state before the server answers.
    let send!: () => void;
    const held = new Promise<void>((resolve) => {
      send = resolve;
    });
    await page.route('**/contents/*/status', async (route) => {
      await held;
      await route.continue();
    });
    const refused = page.waitForResponse((r) => r.url().endsWith('/status'));
    await page.getByRole('button', { name: 'Approve' }).click();
    // Shown as approved at once: the schedule form appears.
    await page.getByLabel('Publish at').waitFor();
    send();
    expect((await refused).status()).toBe(409);
    await visible(page.getByTestId('workflow-refused'));
    await page.getByRole('button', { name: 'Approve' }).waitFor();
    expect(await page.getByLabel('Publish at').count()).toBe(0);
    await screenshot(page, 'content-approve-refused');
  });
});
