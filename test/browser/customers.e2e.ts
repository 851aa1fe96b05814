// The Customers pages as a marketer uses them: profiles made from tracked events (seeded through
// the core write path and the processor), the list with search and filters, a profile with its
// identities, traits, orders, timeline and email-list link (and back from the subscriber), the
// export download and the deletion — at desktop and phone widths.
import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { apiAs, browserSuite, createBusiness, pageWidth, screenshot, signUp } from './harness.ts';

const suite = browserSuite();

describe('customers', () => {
  it('lists, searches, opens, exports and deletes a customer', async () => {
    const { context, page, errors } = await suite.newPage({
      viewport: { width: 1366, height: 800 },
      locale: 'en-US',
    });
    const base = suite.herald.url;
    const account = await signUp(page, base);
    const businessId = await createBusiness(page, base);
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account),
    });
    const api = apiAs(base, ((await login.json()) as { accessToken: string }).accessToken);

    // An empty page first.
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByTestId('customers-empty').waitFor();

    const email = `ann-${randomUUID().slice(0, 8)}@example.com`;
    await api('POST', `/businesses/${businessId}/subscribers`, { email });
    const anon = `anon-${randomUUID()}`;
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await suite.herald.seedEvents(businessId, [
      { type: 'page', event: 'Pricing', anonymousId: anon, at: `${day}T09:00:00Z` },
      {
        type: 'identify',
        userId: 'ann-1',
        anonymousId: anon,
        email,
        traits: { name: 'Ann Example', email, plan: 'pro' },
        at: `${day}T09:05:00Z`,
      },
      {
        type: 'track',
        event: 'Order Completed',
        userId: 'ann-1',
        properties: { order_id: 'A-100', total: 42.5, currency: 'USD' },
        at: `${day}T09:10:00Z`,
      },
      {
        type: 'identify',
        userId: 'bob-2',
        traits: { name: 'Bob Browser' },
        at: `${day}T08:00:00Z`,
      },
    ]);
    const listed = await api<{ items: unknown[] }>('GET', `/businesses/${businessId}/customers`);
    expect(listed.items).toHaveLength(2);
    await page.reload();
    const rows = page.getByTestId('customer-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
    await screenshot(page, 'customers-list');

    await page.getByLabel('Orders').selectOption('true');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    await page.getByLabel('Orders').selectOption('');
    await page.getByLabel('Search').fill('bob');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    await page.getByLabel('Search').fill('nobody-matches');
    await page.getByTestId('customers-no-match').waitFor();
    await page.getByLabel('Search').fill('ann');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);

    await page.getByRole('link', { name: 'Ann Example' }).click();
    await page.getByRole('heading', { name: 'Ann Example', level: 1 }).waitFor();
    const identities = page.getByTestId('customer-identities');
    await expect.poll(() => identities.textContent(), { timeout: 15_000 }).toContain(anon);
    expect(await identities.textContent()).toContain('ann-1');
    expect(await page.getByTestId('customer-traits').textContent()).toContain('pro');
    expect(await page.getByTestId('customer-orders').textContent()).toContain('A-100');
    expect(await page.getByTestId('customer-stats').textContent()).toContain('$42.50');
    // The anonymous page view is in the timeline with the identified events.
    await expect
      .poll(() => page.getByTestId('timeline-event').count(), { timeout: 15_000 })
      .toBe(3);
    expect(await page.getByTestId('customer-timeline').textContent()).toContain(
      'Viewed page Pricing',
    );
    await screenshot(page, 'customer-profile');

    // At phone width nothing sticks out.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByTestId('customer-identities').waitFor();
    const narrow = await pageWidth(page);
    expect(narrow.wide).toEqual([]);
    await screenshot(page, 'customer-profile-phone');
    await page.setViewportSize({ width: 1366, height: 800 });

    // To the subscriber and back.
    await page.getByTestId('customer-subscriber').getByRole('link', { name: email }).click();
    await page.waitForURL(/\/subscribers/);
    await page.getByRole('link', { name: `Customer profile of ${email}` }).click();
    await page.getByRole('heading', { name: 'Ann Example', level: 1 }).waitFor();

    // Export: the download appears when the job is done.
    await page.getByRole('button', { name: 'Export their data' }).click();
    await page
      .getByRole('link', { name: 'Download the export (JSON)' })
      .waitFor({ timeout: 30_000 });

    // Delete, confirmed.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete this customer' }).click();
    await page.waitForURL(/\/customers$/);
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    expect(await rows.textContent()).toContain('Bob Browser');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await rows.first().waitFor();
    expect((await pageWidth(page)).wide).toEqual([]);
    await screenshot(page, 'customers-list-phone');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
