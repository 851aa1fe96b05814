// The Intelligence page as a marketer uses it: an empty page first, a run as of a month ago
// (started from the page, followed to its end), its model card, RFM segment sizes, the CLV
// histogram, the churn-risk list linking to profiles and the CSV of every score; a second run
// today shows what changed; the history opens the older run, and after a third says the oldest
// run's scores were replaced; a viewer reads but cannot run; nothing is wider than a phone; and a
// failed load says so and tries again. The customers and their orders are "Order Completed" events
// (seeded through the core write path and the processor) spread over 300 days, enough for the
// predictive models (500 customers, 90 days, 100 repeat buyers).
import { readFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';

import { gamma, seededRandom } from '../intelligence/simulate.ts';
import { browserSuite, createBusiness, pageWidth, screenshot, signUp } from './harness.ts';

const suite = browserSuite();

const DAY_MS = 86_400_000;
const CUSTOMERS = 640;

/**
 * Customers drawn from the BG/NBD process itself (each buys at their own Poisson rate while
 * alive, and drops out after each purchase with their own probability), so the fit has an
 * interior maximum to find: hand-made patterns (every regular buying until today) drive the
 * dropout's Beta to its edge. First orders from 300 days ago to a week ago.
 */
function customerEvents(now: number): Record<string, unknown>[] {
  const next = seededRandom(17);
  const events: Record<string, unknown>[] = [];
  for (let index = 0; index < CUSTOMERS; index += 1) {
    const userId = `cust-${index}`;
    const email = `${userId}@example.com`;
    const firstDaysAgo = 7 + Math.floor(next() * 293);
    const days = [firstDaysAgo];
    // Rate per day ~ Gamma(0.6, 1/25); dropout after a purchase ~ Beta(1, 3).
    const rate = gamma(next, 0.6) / 25;
    const dropX = gamma(next, 1);
    const dropout = dropX / (dropX + gamma(next, 3));
    for (let day = firstDaysAgo; ;) {
      if (next() < dropout) break;
      day -= -Math.log(1 - next()) / rate;
      if (day < 0) break;
      days.push(Math.floor(day));
    }
    // Customers differ in what they usually spend (what Gamma-Gamma learns), orders vary around it.
    const usualSpend = 20 + 180 * next() ** 2;
    events.push({
      type: 'identify',
      userId,
      email,
      traits: { name: `Customer ${index}`, email },
      at: new Date(now - firstDaysAgo * DAY_MS - 3_600_000).toISOString(),
    });
    days.forEach((daysAgo, order) => {
      events.push({
        type: 'track',
        event: 'Order Completed',
        userId,
        messageId: `order-${userId}-${order}`,
        properties: {
          order_id: `${userId}-${order}`,
          total: Math.round(usualSpend * (0.7 + 0.6 * next()) * 100) / 100,
          currency: 'USD',
        },
        at: new Date(now - daysAgo * DAY_MS).toISOString(),
      });
    });
  }
  return events;
}

describe('intelligence', () => {
  it('runs the models and shows the card, segments, CLV, churn risk and what changed', async () => {
    const { context, page, errors } = await suite.newPage({
      viewport: { width: 1366, height: 900 },
      locale: 'en-US',
      acceptDownloads: true,
    });
    const base = suite.herald.url;
    await signUp(page, base);
    const businessId = await createBusiness(page, base);

    // The page says when it cannot load the latest run, and tries again; then it is empty.
    await suite.herald.fault({ path: '/intelligence/latest$' });
    await page.getByRole('link', { name: 'Intelligence' }).click();
    await page.getByText('Could not load the latest run').waitFor();
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByTestId('intelligence-empty').waitFor();
    expect(await page.getByTestId('intelligence-empty').textContent()).toContain(
      'No run yet — run the models to score your customers',
    );

    const now = Date.now();
    const events = customerEvents(now);
    for (let start = 0; start < events.length; start += 500) {
      await suite.herald.seedEvents(businessId, events.slice(start, start + 500));
    }

    // A run as of a month ago, from the page.
    const monthAgo = new Date(now - 30 * DAY_MS).toISOString().slice(0, 10);
    await page.getByLabel('As of (optional)').fill(monthAgo);
    await page.getByRole('button', { name: 'Run now' }).click();
    const card = page.getByTestId('intel-model-card');
    await card.waitFor({ timeout: 60_000 });
    expect(await card.textContent()).toMatch(/\d[\d,]* customers with an order/);
    expect(await page.getByTestId('intel-sufficiency').textContent()).toContain(
      'Enough data for the predictive models',
    );
    await card.getByText('Model parameters').click();
    const bgnbd = await page.getByTestId('intel-bgnbd').textContent();
    expect(bgnbd).toContain('Log-likelihood');
    expect(bgnbd).toContain('Converged');
    expect(await card.textContent()).toContain('Gamma-Gamma (order value, USD)');
    expect(await page.getByTestId('intel-gamma-gamma').textContent()).toMatch(/p[\d.,]+q[\d.,]+v/);

    // Segment sizes add up to the customers who had ordered by then.
    const sizes = await page
      .getByTestId('intel-segment')
      .locator('.intel-segment-size')
      .allTextContents();
    expect(sizes).toHaveLength(11);
    const scored = sizes.reduce((sum, size) => sum + Number(size.replace(/,/g, '')), 0);
    expect(scored).toBeGreaterThanOrEqual(500);
    expect(scored).toBeLessThan(CUSTOMERS);
    expect(await page.getByTestId('intel-segments').textContent()).toContain('Champions');

    // The CLV histogram has bars, the percentiles are money; the first run has nothing to compare.
    expect(await page.getByTestId('intel-histogram').locator('li').count()).toBeGreaterThan(1);
    expect(await page.getByTestId('intel-percentiles').textContent()).toMatch(/Median\$[\d,]+/);
    expect(await page.getByTestId('intel-at-risk-summary').textContent()).toMatch(
      /customers at high risk have spent \$[\d,.]+ so far/,
    );
    expect(await page.getByTestId('intel-changes').count()).toBe(0);

    // The churn-risk list links to the customers' profiles.
    const atRisk = page.getByTestId('at-risk-row');
    await atRisk.first().waitFor({ timeout: 15_000 });
    expect(await atRisk.count()).toBeGreaterThan(0);
    await screenshot(page, 'intelligence-first-run');

    // The CSV of every score.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(
      'userId,email,frequency,recency,T,monetary,rfmSegment,pAlive,churnRisk,expectedPurchases,expectedOrderValue,clv',
    );
    expect(lines).toHaveLength(scored + 1);

    // The run explained: the harness's model answers every task with one fixed suggestion, which
    // is no narrative, so the page says the summary could not be written (its error state).
    const insight = page.getByTestId('intel-insight');
    await insight.getByRole('button', { name: 'Explain this run' }).click();
    await insight.getByText('The summary could not be written').waitFor({ timeout: 60_000 });

    const firstAtRisk = atRisk.first().getByRole('link');
    const name = (await firstAtRisk.textContent()) ?? '';
    await firstAtRisk.click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    await page.goBack();
    await card.waitFor();

    // A second run, as of today: what changed since the first.
    await page.getByLabel('As of (optional)').fill('');
    await page.getByRole('button', { name: 'Run now' }).click();
    const changes = page.getByTestId('intel-changes');
    await changes.waitFor({ timeout: 60_000 });
    const changed = (await changes.textContent()) ?? '';
    expect(changed).toContain('What changed since the last run');
    expect(changed).toMatch(/new customers placed their first order/);
    expect(await page.getByTestId('intel-movements').textContent()).toMatch(
      /\d+ moved from [A-Z][a-z ]+ to [A-Z]/,
    );
    await screenshot(page, 'intelligence-what-changed');

    // The history opens the older run.
    const history = page.getByTestId('intel-history-row');
    await expect.poll(() => history.count(), { timeout: 15_000 }).toBe(2);
    expect(await page.getByRole('table', { name: 'Runs' }).textContent()).toContain('Manual');
    await page.getByRole('button', { name: /^Open the run as of/ }).click();
    await page.getByText('Showing the run as of').waitFor();
    await expect.poll(() => changes.count(), { timeout: 15_000 }).toBe(0);
    await page.getByRole('button', { name: 'Back to the latest run' }).click();
    await changes.waitFor();

    // A third run: only the latest two keep their per-customer scores, and the oldest says so.
    await page.getByRole('button', { name: 'Run now' }).click();
    await expect.poll(() => history.count(), { timeout: 60_000 }).toBe(3);
    await expect
      .poll(() => page.getByRole('button', { name: 'Run now' }).isEnabled(), { timeout: 60_000 })
      .toBe(true);
    await page
      .getByRole('button', { name: /^Open the run as of/ })
      .last()
      .click();
    await page.getByTestId('intel-scores-replaced').waitFor({ timeout: 15_000 });
    expect(await page.getByRole('button', { name: 'Download CSV' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Back to the latest run' }).click();
    await changes.waitFor();

    // On a phone nothing is wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await changes.waitFor({ timeout: 15_000 });
    await atRisk.first().waitFor({ timeout: 15_000 });
    const narrow = await pageWidth(page);
    expect(narrow.wide).toEqual([]);
    expect(narrow.scrollWidth).toBeLessThanOrEqual(narrow.innerWidth);
    await screenshot(page, 'intelligence-phone');

    // A viewer reads the run but has no Run button.
    const viewer = await suite.newPage({ viewport: { width: 1366, height: 900 }, locale: 'en-US' });
    const viewerAccount = await signUp(viewer.page, base);
    await suite.herald.addMember({ businessId, email: viewerAccount.email, role: 'viewer' });
    await viewer.page.goto(`${base}/businesses/${businessId}/intelligence`);
    await viewer.page.getByTestId('intel-model-card').waitFor({ timeout: 15_000 });
    expect(await viewer.page.getByRole('button', { name: 'Run now' }).count()).toBe(0);
    expect(viewer.errors).toEqual([]);
    await viewer.context.close();

    expect(errors).toEqual([]);
    await context.close();
  }, 420_000);
});
