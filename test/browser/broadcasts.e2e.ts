// Broadcasts and email templates in a real browser against a real Herald (see harness.ts): a
// marketer saves a footer block and a template (seeing a Liquid error at its field, then a
// preview with the block in place), starts a broadcast from the template, sends a test to
// themselves, sends it now and reads the results; the pages fit a 390 px phone.
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

describe('broadcasts in Chromium', () => {
  it('saves a block and a template, sends a broadcast made from it and shows its results', async () => {
    const base = suite.herald.url;
    const { context, page, errors } = await suite.newPage({
      viewport: { width: 1366, height: 800 },
    });
    const account = await signUp(page, base);
    const businessId = await createBusiness(page, base);
    const api = apiAs(base, await tokenOf(suite.herald.url, account));
    for (const [email, firstName] of [
      ['ann@example.com', 'Ann'],
      ['bob@example.com', 'Bob'],
      ['cleo@example.com', 'Cleo'],
    ]) {
      await api('POST', `/businesses/${businessId}/subscribers`, { email, firstName });
    }

    // Templates: empty, then a footer block.
    await page.getByRole('link', { name: 'Email templates' }).click();
    await page.getByTestId('templates-empty').waitFor();
    await page.getByRole('link', { name: 'New block' }).click();
    await page.getByLabel('Block name').fill('footer');
    await page.getByLabel('Body').fill('Blue Door Bakery, 3 rue du Pain, Lyon');
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.waitForURL(/\/templates\/[0-9a-f-]{36}$/);

    // A template with a Liquid error: shown at its field, nothing saved; fixed, previewed, saved.
    await page.getByRole('link', { name: 'All templates' }).click();
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByLabel('Template name').fill('Weekly news');
    await page.getByLabel('Subject').fill('Hi {{ subscriber.first_name | shout }}');
    await page.getByLabel('Body').fill("Fresh **sourdough** this week!\n\n{% render 'footer' %}");
    await page.getByRole('button', { name: 'Save template' }).click();
    const subjectError = page.locator('.field.has-error .field-error');
    await subjectError.first().waitFor();
    expect(await subjectError.first().textContent()).toContain('shout');
    expect(page.url()).toMatch(/\/templates\/new$/);
    await page
      .getByLabel('Subject')
      .fill('Hi {{ subscriber.first_name | default: "there" }}, fresh bread');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('preview-subject').waitFor();
    expect(await page.getByTestId('preview-subject').textContent()).toBe('Hi Sam, fresh bread');
    const preview = await page.getByTitle('Email preview').getAttribute('srcdoc');
    expect(preview).toContain('Blue Door Bakery, 3 rue du Pain, Lyon');
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.waitForURL(/\/templates\/[0-9a-f-]{36}$/);
    await screenshot(page, 'template-editor');

    // A broadcast from the template.
    await page.getByRole('link', { name: 'Broadcasts', exact: true }).click();
    await page.getByTestId('broadcasts-empty').waitFor();
    await page.getByRole('link', { name: 'New broadcast' }).click();
    await page.getByLabel('Broadcast name').fill('This week');
    await page.getByLabel('Start from a template').selectOption({ label: 'Weekly news' });
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toContain('fresh bread');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.waitForURL(/\/broadcasts\/[0-9a-f-]{36}$/);

    // A test to my own address, then send now.
    await expect
      .poll(() => page.getByLabel('Send a test to').inputValue(), { timeout: 15_000 })
      .toBe(account.email);
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByText(`Test sent to ${account.email}`).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Send now' }).click();
    const results = page.getByTestId('broadcast-results');
    await results.waitFor({ timeout: 20_000 });
    await expect
      .poll(async () => (await results.textContent()) ?? '', { timeout: 20_000 })
      .toMatch(/Sent\s*3/);
    await page.getByText('Sent', { exact: true }).first().waitFor();
    await screenshot(page, 'broadcast-sent');

    const list = await api<{
      items: { name: string; status: string; progress: { done: number } }[];
    }>('GET', `/businesses/${businessId}/broadcasts`);
    expect(list.items[0]).toMatchObject({
      name: 'This week',
      status: 'sent',
      progress: { done: 3 },
    });
    const outbox = await api<{ items: { to: string[] }[] }>(
      'GET',
      `/businesses/${businessId}/outbox`,
    );
    expect(outbox.items.length).toBeGreaterThanOrEqual(4);

    // On a phone: the list, the broadcast and the template editor fit the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['broadcasts', 'templates/new', 'broadcasts/new']) {
      await page.goto(`${base}/businesses/${businessId}/${path}`);
      await page.locator('h1').first().waitFor();
      const width = await pageWidth(page);
      expect(width.scrollWidth, `${path}: ${width.wide.join(', ')}`).toBeLessThanOrEqual(
        width.innerWidth,
      );
    }
    await page.goto(`${base}/businesses/${businessId}/broadcasts`);
    await page.getByTestId('broadcast-row').first().waitFor();
    await screenshot(page, 'broadcasts-phone');
    await context.close();
    expect(errors).toEqual([]);
  });
});
