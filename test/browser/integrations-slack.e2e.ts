// The Slack section of the Integrations page in a real browser against a real Herald and a local
// Slack (test/helpers/fake-slack.ts, reached through SLACK_API_URL; its consent page allows at
// once): Add to Slack lands back connected, the channel, notifications and bounce threshold are
// saved and kept, disconnecting asks first; an incoming webhook is refused until its URL is one
// and then connects; a failed load shows the error with a retry; the section fits a phone.
import { afterAll, describe, expect, it } from 'vitest';

import { startFakeSlack } from '../helpers/fake-slack.ts';
import { browserSuite, createBusiness, pageWidth, screenshot, signIn, signUp } from './harness.ts';

const slack = await startFakeSlack({
  clientId: '1234.5678',
  clientSecret: 'browser-client-secret',
  signingSecret: 'browser-signing-secret',
  channels: [
    { id: 'C0MARKETING', name: 'marketing' },
    { id: 'C0LAUNCHES', name: 'launches' },
  ],
});
const suite = browserSuite({
  SLACK_CLIENT_ID: '1234.5678',
  SLACK_CLIENT_SECRET: 'browser-client-secret',
  SLACK_SIGNING_SECRET: 'browser-signing-secret',
  SLACK_API_URL: slack.url,
  // The fake's incoming webhook is on loopback.
  PUBLISH_WEBHOOK_ALLOW_PRIVATE: 'true',
});
afterAll(() => slack.close());

describe('the Slack section of the Integrations page', () => {
  it('installs the app through Slack’s consent page, keeps the choices made, and disconnects', async () => {
    // PUBLIC_URL defaults to http://localhost:<port>: Slack sends the browser back there, so the
    // whole walk runs on that origin (the session lives per origin).
    const base = suite.herald.url.replace('127.0.0.1', 'localhost');
    const { page, errors } = await suite.newPage({ viewport: { width: 1366, height: 900 } });
    const account = await signUp(page, base);
    const businessId = await createBusiness(page, base);

    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.waitForURL(`${base}/businesses/${businessId}/integrations`);
    const section = page.getByTestId('slack-section');
    await section.getByTestId('slack-empty').waitFor();
    await screenshot(page, 'slack-not-connected');

    await section.getByRole('button', { name: 'Add to Slack' }).click();
    await page.waitForURL(`${base}/businesses/${businessId}/integrations?slack=connected`);
    await section.getByText('Slack is connected.').waitFor();
    await section.getByTestId('slack-connected').waitFor();
    expect(await section.getByTestId('slack-connected').textContent()).toContain('Bakery');
    expect(await section.getByTestId('slack-connected').textContent()).toContain('#marketing');

    await section.getByLabel('Channel').selectOption('C0LAUNCHES');
    await section.getByLabel('A job finished or failed').check();
    await section.getByLabel('The AI budget at 80 % and 100 %').uncheck();
    await section.getByLabel('Bounce-rate threshold (%)').fill('150');
    await section.getByRole('button', { name: 'Save' }).click();
    await section.getByText('A percentage above 0 and at most 100').waitFor();
    await section.getByLabel('Bounce-rate threshold (%)').fill('8');
    await section.getByRole('button', { name: 'Save' }).click();
    await section.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await screenshot(page, 'slack-connected');

    await page.goto(`${base}/businesses/${businessId}/integrations`);
    await section.getByTestId('slack-connected').waitFor();
    expect(await section.getByTestId('slack-connected').textContent()).toContain('#launches');
    await expect.poll(() => section.getByLabel('Channel').inputValue()).toBe('C0LAUNCHES');
    expect(await section.getByLabel('A job finished or failed').isChecked()).toBe(true);
    expect(await section.getByLabel('The AI budget at 80 % and 100 %').isChecked()).toBe(false);
    expect(await section.getByLabel('Bounce-rate threshold (%)').inputValue()).toBe('8');

    page.once('dialog', (dialog) => void dialog.accept());
    await section.getByRole('button', { name: 'Disconnect' }).click();
    await section.getByTestId('slack-empty').waitFor();

    // Notifications only, through an incoming webhook.
    await section.getByLabel('Incoming-webhook URL').fill('hooks.slack.com/nope');
    await section.getByRole('button', { name: 'Connect webhook' }).click();
    await section.getByText('Paste the incoming-webhook URL').waitFor();
    await section.getByLabel('Incoming-webhook URL').fill(slack.incomingWebhookUrl());
    await section.getByLabel('Channel name (optional, shown here)').fill('#news');
    await section.getByRole('button', { name: 'Connect webhook' }).click();
    await section.getByTestId('slack-connected').waitFor();
    expect(await section.getByTestId('slack-connected').textContent()).toContain(
      'incoming webhook (#news)',
    );
    expect(await section.getByLabel(/Pieces waiting for review/).count()).toBe(0);
    expect(errors).toEqual([]);

    // A phone: the section fits the screen.
    const phone = await suite.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await signIn(phone.page, base, account);
    await phone.page.goto(`${base}/businesses/${businessId}/integrations`);
    await phone.page.getByTestId('slack-connected').waitFor();
    const width = await pageWidth(phone.page);
    expect(width.wide).toEqual([]);
    expect(width.scrollWidth).toBeLessThanOrEqual(width.innerWidth);
    await screenshot(phone.page, 'slack-phone');
  });

  it('shows a failed load with a retry that recovers', async () => {
    const base = suite.herald.url;
    const { page } = await suite.newPage({ viewport: { width: 1366, height: 900 } });
    await signUp(page, base);
    const businessId = await createBusiness(page, base);
    await suite.herald.fault({
      method: 'GET',
      path: '^/api/v1/businesses/[^/]+/slack$',
      kind: 'internal',
    });
    await page.goto(`${base}/businesses/${businessId}/integrations`);
    const section = page.getByTestId('slack-section');
    await section.getByText('Could not load the Slack connection').waitFor();
    await section.getByRole('button', { name: /Try again|Retry/ }).click();
    await section.getByTestId('slack-empty').waitFor();
  });
});
