// The Sources page in a real browser against a real Herald: the write key is copied and rotated
// (the old key listed with when it stops working), the debugger starts empty, shows events as
// they are stored (server-sent events, no reload), opens an event's JSON, filters by type and
// name, and holds new events while paused. It loads with an error state, and fits a 390 px phone.
import { describe, expect, it } from 'vitest';

import { browserSuite, createBusiness, pageWidth, screenshot, signIn, signUp } from './harness.ts';

const suite = browserSuite();
const POLL = { timeout: 10_000 };

describe('the Sources page', () => {
  it('copies and rotates the write key, and the debugger shows, filters and pauses live events', async () => {
    const base = suite.herald.url;
    const { page, errors } = await suite.newPage({
      viewport: { width: 1366, height: 800 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const account = await signUp(page, base);
    const businessId = await createBusiness(page, base);

    await page.getByRole('link', { name: 'Sources' }).click();
    await page.waitForURL(`${base}/businesses/${businessId}/sources`);
    await page.getByTestId('events-empty').waitFor();
    expect(await page.getByTestId('events-empty').textContent()).toContain('No events yet');
    expect(await page.getByTestId('processing-lag').textContent()).toBe('Up to date');
    const firstKey = (await page.getByTestId('write-key-value').textContent()) ?? '';
    expect(firstKey).toMatch(/^wk_/);
    // The snippets carry the key and this Herald's public address (PUBLIC_URL, by default
    // http://localhost:<port>).
    const publicUrl = base.replace('127.0.0.1', 'localhost');
    expect(await page.getByTestId('snippet').textContent()).toContain(`cdnURL: '${publicUrl}'`);
    await page.getByRole('button', { name: 'Server (Node.js)' }).click();
    const nodeSnippet = (await page.getByTestId('snippet').textContent()) ?? '';
    expect(nodeSnippet).toContain(
      `new Analytics({ writeKey: '${firstKey}', host: '${publicUrl}' })`,
    );

    await page.getByRole('button', { name: 'Copy the write key' }).click();
    await page.getByRole('button', { name: 'Copy the write key' }).getByText('Copied').waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(firstKey);

    // Rotating asks first, and says how long the old key keeps working.
    await page.getByRole('button', { name: 'Rotate key…' }).click();
    const confirm = page.getByTestId('rotate-confirm');
    expect(await confirm.textContent()).toContain('keeps working for 24 hours');
    await confirm.getByRole('button', { name: 'Make a new key' }).click();
    await confirm.waitFor({ state: 'detached' });
    await expect
      .poll(() => page.getByTestId('write-key-value').textContent(), POLL)
      .not.toBe(firstKey);
    const previous = page.getByTestId('previous-keys');
    await previous.waitFor();
    expect(await previous.textContent()).toContain(firstKey);
    expect(await previous.textContent()).toContain('stops working');
    await screenshot(page, 'sources-rotated');

    // Events stored now appear without a reload, through the live stream.
    await page.getByTestId('stream-status').getByText('Live').waitFor();
    await suite.herald.seedEvents(businessId, [
      { type: 'track', event: 'Order Completed', userId: 'ada', properties: { total: 42 } },
      { type: 'page', event: 'Pricing', userId: 'ada' },
    ]);
    await page.getByTestId('event-row').filter({ hasText: 'Order Completed' }).waitFor();
    await page.getByTestId('event-row').filter({ hasText: 'Pricing' }).waitFor();
    expect(await page.getByTestId('events-empty').count()).toBe(0);

    // An event's full JSON, camelCase as the API gives it.
    await page.getByTestId('event-row').filter({ hasText: 'Order Completed' }).click();
    const json = (await page.getByTestId('event-json').textContent()) ?? '';
    expect(json).toContain('"messageId"');
    expect(json).toContain('"total": 42');
    expect(json).toContain('"userId": "ada"');
    await screenshot(page, 'sources-debugger');

    // Filters: by type, then by name.
    await page.getByLabel('Type').selectOption('page');
    await expect
      .poll(() => page.getByTestId('event-row').allTextContents(), POLL)
      .toEqual([expect.stringContaining('Pricing')]);
    await page.getByLabel('Type').selectOption('');
    await page.getByLabel('Event name').fill('Order Completed');
    await expect
      .poll(() => page.getByTestId('event-row').allTextContents(), POLL)
      .toEqual([expect.stringContaining('Order Completed')]);
    await page.getByLabel('Event name').fill('Nothing like this');
    await page.getByTestId('events-no-match').waitFor();
    await page.getByLabel('Event name').fill('');
    await expect.poll(() => page.getByTestId('event-row').count(), POLL).toBe(2);

    // Paused, a new event waits; resumed, it arrives.
    await page.getByTestId('stream-status').getByText('Live').waitFor();
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByTestId('stream-status').getByText('Paused').waitFor();
    await suite.herald.seedEvents(businessId, [{ type: 'track', event: 'Signed Up' }]);
    expect(await page.getByTestId('event-row').filter({ hasText: 'Signed Up' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByTestId('event-row').filter({ hasText: 'Signed Up' }).waitFor();
    expect(await page.getByTestId('event-row').count()).toBe(3);

    // A failed load says so and offers a retry.
    await suite.herald.fault({ method: 'GET', path: '^/api/v1/businesses/[^/]+/sources$' });
    await page.reload();
    await page.getByText('Could not load the sources').waitFor();
    await page
      .getByRole('button', { name: /try again|retry/i })
      .first()
      .click();
    await page.getByTestId('write-key').waitFor();

    // On a phone: nothing wider than the screen, the event JSON included.
    const phone = await suite.newPage({ viewport: { width: 390, height: 844 } });
    await signIn(phone.page, base, account);
    await phone.page.goto(`${base}/businesses/${businessId}/sources`);
    await phone.page.getByTestId('event-row').first().waitFor();
    await phone.page.getByTestId('event-row').filter({ hasText: 'Order Completed' }).click();
    await phone.page.getByTestId('event-json').waitFor();
    const width = await pageWidth(phone.page);
    expect(width.wide).toEqual([]);
    expect(width.scrollWidth).toBeLessThanOrEqual(width.innerWidth);
    await screenshot(phone.page, 'sources-phone');
    expect([...errors, ...phone.errors]).toEqual([]);
  });
});
