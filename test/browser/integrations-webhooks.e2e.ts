// The Integrations page's webhooks in a real browser against a real Herald and a real receiver
// on loopback: an endpoint is added (the form says what is missing first), its secret shown once;
// a test event the receiver refuses is logged as failed and redelivered with the same webhook-id
// (verified with the secret the page showed); an endpoint whose deliveries fail for good is
// turned off with a notice and turned back on; a failed load offers a retry; it fits a phone.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Receiver, startReceiver, verifyWebhook } from '../webhooks/receiver.ts';
import { browserSuite, createBusiness, pageWidth, screenshot, signIn, signUp } from './harness.ts';

const suite = browserSuite({
  PUBLISH_WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_DISABLE_AFTER_FAILURES: '1',
});
const POLL = { timeout: 10_000 };
const HOUR = 3600;

async function control(base: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${base}/__test__/webhooks/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
}

describe('webhooks on the Integrations page', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('adds an endpoint, tests and redelivers, shows it turned off and back on, and fits a phone', async () => {
    const base = suite.herald.url;
    const { page, errors } = await suite.newPage({
      viewport: { width: 1366, height: 800 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const account = await signUp(page, base);
    const businessId = await createBusiness(page, base);

    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.waitForURL(`${base}/businesses/${businessId}/integrations`);
    await page.getByTestId('webhooks-empty').waitFor();

    // The form says what is missing before anything is sent.
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const form = page.getByRole('form', { name: 'New webhook' });
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    await form.getByText('Enter an address starting with https://').waitFor();
    await form.getByLabel('Endpoint URL').fill(receiver.url);
    await form.getByLabel('Description (optional)').fill('CRM sync');
    await form.getByLabel(/An email bounced/).check();
    await form.getByRole('button', { name: 'Add endpoint' }).click();

    // The secret is shown right away, and copied.
    const created = page.getByTestId('webhook-created');
    await created.waitFor();
    const secret = (await created.getByTestId('webhook-secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    await created.getByRole('button', { name: 'Copy' }).click();
    await created.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(secret);
    const card = page.getByTestId('webhook-endpoint');
    await card.getByText(receiver.url).waitFor();
    expect(await card.textContent()).toContain('email.bounced');
    expect(await card.textContent()).toContain('Active');

    // A test event the receiver refuses: logged as failed; redelivered, it goes through.
    receiver.answers.push(500);
    await card.getByRole('button', { name: 'Send test event' }).click();
    await expect
      .poll(() => card.getByTestId('webhook-test-result').textContent(), POLL)
      .toContain('failed (answered 500)');
    const row = card.getByTestId('webhook-delivery').filter({ hasText: 'webhook.test' });
    await row.getByText('Failed').waitFor();
    expect(await row.textContent()).toContain('answered 500');
    await row.getByRole('button', { name: /^Redeliver/ }).click();
    await row.getByText('Delivered').waitFor();
    expect(receiver.received).toHaveLength(2);
    const [first, second] = receiver.received;
    expect(second?.id).toBe(first?.id);
    for (const request of receiver.received) {
      expect(verifyWebhook(secret, request, request.body)).toBe(true);
    }
    await screenshot(page, 'webhooks-delivery-log');

    // The secret again, on request.
    await card.getByRole('button', { name: 'Reveal secret' }).click();
    await expect.poll(() => card.getByTestId('webhook-secret').textContent(), POLL).toBe(secret);

    // An event whose every attempt is refused (driven through the retry schedule): turned off.
    receiver.answers.push(...Array<number>(7).fill(400));
    await control(base, 'publish', {
      businessId,
      type: 'email.bounced',
      key: `email.bounced:${randomUUID()}`,
      data: { subscriberId: randomUUID(), email: 'ada@example.com', source: 'broadcast' },
    });
    for (let round = 0; round <= 8; round++) {
      await control(base, 'due', { seconds: round * 12 * HOUR });
    }
    await page.reload();
    const notice = page.getByTestId('webhook-disabled');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('Herald turned this endpoint off');
    expect(await notice.textContent()).toContain('1 delivery in a row failed');
    expect(await page.getByTestId('webhook-endpoint').textContent()).toContain('Turned off');
    await screenshot(page, 'webhooks-disabled');
    await notice.getByRole('button', { name: 'Turn back on' }).click();
    await notice.waitFor({ state: 'detached' });
    expect(await page.getByTestId('webhook-endpoint').textContent()).toContain('Active');

    // A failed load says so and offers a retry.
    await suite.herald.fault({ method: 'GET', path: '^/api/v1/businesses/[^/]+/webhooks$' });
    await page.reload();
    await page.getByText('Could not load the webhooks').waitFor();
    await page
      .getByRole('button', { name: /try again|retry/i })
      .first()
      .click();
    await page.getByTestId('webhook-endpoint').waitFor();

    // On a phone: nothing wider than the screen, the delivery log open.
    const phone = await suite.newPage({ viewport: { width: 390, height: 844 } });
    await signIn(phone.page, base, account);
    await phone.page.goto(`${base}/businesses/${businessId}/integrations`);
    const phoneCard = phone.page.getByTestId('webhook-endpoint');
    await phoneCard.getByRole('button', { name: 'Delivery log' }).click();
    await phoneCard.getByTestId('webhook-delivery').first().waitFor();
    const width = await pageWidth(phone.page);
    expect(width.wide).toEqual([]);
    expect(width.scrollWidth).toBeLessThanOrEqual(width.innerWidth);
    await screenshot(phone.page, 'webhooks-phone');
    expect([...errors, ...phone.errors]).toEqual([]);
  });
});
