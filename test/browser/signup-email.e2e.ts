// Signing up in the dashboard when Herald has SMTP: the form answers "check your email", and the
// emailed link finishes the account and signs in. Real Chromium, a real Herald process, a real
// SMTP server on loopback.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';
import { type Herald, launchChromium, screenshot, startHerald } from './harness.ts';

let herald: Herald;
let browser: Browser;
let smtp: SmtpReceiver;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  [herald, browser] = await Promise.all([startHerald({ SMTP_URL: smtp.url }), launchChromium()]);
});

afterAll(async () => {
  await (browser as Browser | undefined)?.close();
  await (herald as Herald | undefined)?.stop();
  await (smtp as SmtpReceiver | undefined)?.close();
});

describe('sign-up by email in Chromium', () => {
  it('shows "check your email", and the emailed link signs the new marketer in', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const email = `mailed-${Date.now()}@example.com`;
    await page.goto(`${herald.url}/register`);
    await page.getByLabel('Your name').fill('Mara Marketer');
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('Password').fill('Blue-Door-Bakery-9');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('check-email').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await page.getByTestId('check-email').textContent()).toContain('Check your email');
    await screenshot(page, 'signup-check-email');

    await smtp.waitFor(1, 15_000);
    const [mail] = await smtp.to(email);
    const link = /\/verify-email\?token=(\S+)/.exec(mail?.text ?? '');
    expect(link).not.toBeNull();
    await page.goto(`${herald.url}/verify-email?token=${link?.[1] ?? ''}`);
    await page.waitForURL(`${herald.url}/businesses`, { timeout: 15_000 });
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
