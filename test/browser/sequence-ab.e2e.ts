// A/B test of a sequence step in a real browser against a real Herald (see harness.ts): a
// marketer gives an email step a second subject (seeing a Liquid error at its field first), adds
// and removes a third variant, starts the test, watches the first emails split over A and B with
// their counts, picks B by hand, and the panel fits a 390 px phone. The dispatcher runs every
// half second; the test waits for the counts it expects, never for the clock.
import { describe, expect, it } from 'vitest';

import {
  apiAs,
  browserSuite,
  createBusiness,
  pageWidth,
  screenshot,
  signUp,
  tokenOf,
} from './harness.ts';

const suite = browserSuite({ EMAIL_DISPATCH_INTERVAL_MS: '500' });

interface Results {
  status: string;
  variants: { key: string; sent: number }[];
}

describe('A/B test of a sequence step in Chromium', () => {
  it('adds variants to a step, shows the split with counts and picks the winner by hand', async () => {
    const base = suite.herald.url;
    const { context, page, errors } = await suite.newPage({
      viewport: { width: 1366, height: 800 },
    });
    const account = await signUp(page, base);
    const businessId = await createBusiness(page, base);
    const api = apiAs(base, await tokenOf(suite.herald.url, account));
    const emails = ['ann', 'bob', 'cleo', 'dan', 'eve', 'fay'].map((name) => `${name}@example.com`);
    for (const email of emails) {
      await api('POST', `/businesses/${businessId}/subscribers`, { email });
    }
    const sequence = await api<{ id: string; steps: { id: string }[] }>(
      'POST',
      `/businesses/${businessId}/sequences`,
      { name: 'Welcome', steps: [{ subject: 'Fresh bread', markdown: 'Hello from the bakery!' }] },
    );
    const stepId = sequence.steps[0]?.id ?? '';
    const abPath = `/businesses/${businessId}/sequences/${sequence.id}/steps/${stepId}/ab`;
    await api('POST', `/businesses/${businessId}/sequences/${sequence.id}/enrollments`, {
      filter: { all: true },
    });

    await page.goto(`${base}/businesses/${businessId}/sequences/${sequence.id}`);
    await page.getByRole('button', { name: 'A/B test this email' }).click();
    const panel = page.getByTestId('step-ab');
    expect(await panel.getByLabel('Subject A').inputValue()).toBe('Fresh bread');
    // A third variant can be added and removed again; two stay.
    await panel.getByRole('button', { name: 'Add variant C' }).click();
    expect(await panel.getByTestId('variant-editor').count()).toBe(3);
    await panel.getByRole('button', { name: 'Remove variant C' }).click();
    expect(await panel.getByTestId('variant-editor').count()).toBe(2);
    // A Liquid error is shown at B's subject; nothing is saved.
    await panel.getByLabel('Subject B').fill('Your loaf {{ subscriber.email ');
    await panel.getByRole('button', { name: 'Start the A/B test' }).click();
    const fieldError = panel.locator('.field.has-error .field-error');
    await fieldError.first().waitFor();
    expect(await fieldError.first().textContent()).toMatch(/line 1/);
    await panel.getByLabel('Subject B').fill('Your loaf is waiting');
    await panel.getByLabel('Winner by').selectOption('clicks');
    await panel.getByLabel('Pick the winner after (hours)').fill('48');
    await panel.getByRole('button', { name: 'Start the A/B test' }).click();
    await panel.getByText('No email sent yet').waitFor();
    expect(await panel.getByTestId('ab-variant-row').count()).toBe(2);

    // Activated: the first step goes to everyone, split over A and B.
    await api('POST', `/businesses/${businessId}/sequences/${sequence.id}/activate`);
    await expect
      .poll(
        async () =>
          (await api<Results>('GET', abPath)).variants.reduce((sum, row) => sum + row.sent, 0),
        { timeout: 30_000 },
      )
      .toBe(emails.length);
    const results = await api<Results>('GET', abPath);
    expect(results.status).toBe('running');
    await page.reload();
    await page.getByText(/Running: the winner is picked by clicks/).waitFor();
    const rows = page.getByTestId('ab-variant-row');
    for (const [index, variant] of results.variants.entries()) {
      expect(await rows.nth(index).locator('td.number').first().textContent()).toBe(
        String(variant.sent),
      );
    }
    await screenshot(page, 'sequence-step-ab-running');

    // Picked by hand: B wins, and says so.
    await page.getByRole('button', { name: 'Send B from now on' }).click();
    await page.getByText('Variant B won (picked by hand)').waitFor();
    expect(await rows.nth(1).textContent()).toContain('Winner');
    expect((await api<Results & { winner: string }>('GET', abPath)).winner).toBe('B');

    // On a phone the step, its variants table and the variant editor fit the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByTestId('ab-variant-row').first().waitFor();
    let width = await pageWidth(page);
    expect(width.scrollWidth, width.wide.join(', ')).toBeLessThanOrEqual(width.innerWidth);
    await page.getByRole('button', { name: 'Edit variants' }).click();
    await page.getByTestId('variant-editor').first().waitFor();
    width = await pageWidth(page);
    expect(width.scrollWidth, width.wide.join(', ')).toBeLessThanOrEqual(width.innerWidth);
    await screenshot(page, 'sequence-step-ab-phone');
    await context.close();
    expect(errors).toEqual([]);
  });
});
