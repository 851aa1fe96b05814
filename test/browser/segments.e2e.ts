// Segments in a real browser against a real Herald: a marketer builds a segment with two
// conditions in the rule builder (a trait and an order count), watches the live size follow
// each edit, saves it and sees its members; the list shows its size, and the page fits a phone.
import { describe, expect, it } from 'vitest';

import { browserSuite, createBusiness, pageWidth, screenshot, signUp } from './harness.ts';

const suite = browserSuite();

async function addCustomers(
  businessId: string,
  customers: { email: string; traits: Record<string, unknown>; orderCount?: number }[],
): Promise<void> {
  const response = await fetch(`${suite.herald.url}/__test__/customers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ businessId, customers }),
  });
  expect(response.status).toBe(204);
}

describe('segments in Chromium', () => {
  it('builds a segment from two conditions with a live size, saves it and lists its members', async () => {
    const base = suite.herald.url;
    const { page, context, errors } = await suite.newPage({
      viewport: { width: 1366, height: 800 },
    });
    await signUp(page, base);
    const businessId = await createBusiness(page, base);
    await addCustomers(businessId, [
      { email: 'ann@example.com', traits: { plan: 'pro' }, orderCount: 2 },
      { email: 'ben@example.com', traits: { plan: 'pro' } },
      { email: 'cleo@example.com', traits: { plan: 'free' }, orderCount: 1 },
    ]);

    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByTestId('segments-empty').waitFor();
    await page.getByRole('link', { name: 'New segment' }).click();
    await page.waitForURL(`${base}/businesses/${businessId}/segments/new`);

    await page.getByLabel('Segment name').fill('Pro buyers');
    // First condition: the plan trait is "pro" → two customers.
    await page.getByLabel('Trait name').fill('plan');
    await page.getByLabel('Trait value').fill('pro');
    const size = page.getByTestId('live-size-count');
    await expect.poll(() => size.textContent(), { timeout: 10_000 }).toBe('2');

    // Second condition: at least one order → only Ann.
    await page.getByLabel('Kind of condition').selectOption('orders');
    await page.getByRole('button', { name: 'Add condition' }).click();
    expect(await page.getByTestId('rule-condition').count()).toBe(2);
    await expect.poll(() => size.textContent(), { timeout: 10_000 }).toBe('1');
    await expect
      .poll(() => page.getByTestId('live-size').textContent())
      .toContain('ann@example.com');
    await screenshot(page, 'segments-builder');

    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.waitForURL(/\/segments\/[0-9a-f-]{36}$/);
    const member = page.getByTestId('member-row');
    await member.first().waitFor();
    expect(await member.count()).toBe(1);
    expect(await member.first().textContent()).toContain('ann@example.com');
    await page.getByTestId('size-chart').waitFor();

    // The list: the segment with its size; on a phone, nothing wider than the screen.
    await page.getByRole('link', { name: '← Segments' }).click();
    const row = page.getByTestId('segment-row');
    await row.first().waitFor();
    expect(await row.first().textContent()).toContain('Pro buyers');
    expect(await row.first().textContent()).toContain('1');

    await page.setViewportSize({ width: 390, height: 844 });
    await row.first().getByRole('link', { name: 'Pro buyers' }).click();
    await member.first().waitFor();
    const width = await pageWidth(page);
    expect(width.wide).toEqual([]);
    expect(width.scrollWidth).toBeLessThanOrEqual(width.innerWidth);
    await screenshot(page, 'segments-phone');
    await context.close();
    expect(errors).toEqual([]);
  });
});
