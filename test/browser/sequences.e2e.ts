// Email sequences in a real browser against a real Herald (see harness.ts): a marketer writes a
// two-step sequence (seeing a template error at its line and a live preview), imports
// subscribers from a CSV file with a per-row error report, enrolls them, activates the sequence
// and reads the first emails in the outbox; a refused pause is rolled back. The dispatcher runs
// every half second here so the first step (no delay) goes out at once.
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

let herald: Herald;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [herald, browser] = await Promise.all([
    startHerald({ EMAIL_DISPATCH_INTERVAL_MS: '500' }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await (browser as Browser | undefined)?.close();
  await (herald as Herald | undefined)?.stop();
});

beforeEach(async () => {
  await herald.clearFaults();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  pageErrors.length = 0;
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
});

const visible = (locator: ReturnType<Page['getByTestId']>, timeout = 15_000) =>
  locator.first().waitFor({ state: 'visible', timeout });

const CSV = [
  'email,first_name,plan',
  'ann@example.com,Ann,pro', // line 2
  'not-an-email,Bob,free', // line 3: refused
  'cleo@example.com,Cleo,free', // line 4
  'ANN@example.com,Annie,pro', // line 5: a duplicate of line 2
  'dev@example.com,,free', // line 6: no first name, the template's fallback applies
  '',
].join('\n');

describe('email sequences in Chromium', () => {
  it('creates a two-step sequence, imports subscribers from a CSV file, activates it and sees the first emails in the outbox', async () => {
    await signUp(page, herald.url);
    const businessId = await createBusiness(page, herald.url);

    // The list, empty, then a new sequence by name.
    await page.getByRole('link', { name: 'Email sequences' }).click();
    await visible(page.getByTestId('sequences-empty'));
    await screenshot(page, 'sequences-empty');
    await page.getByRole('button', { name: 'New sequence' }).click();
    await page.getByLabel('Sequence name').fill('Welcome series');
    await page.getByRole('button', { name: 'Create sequence' }).click();
    await page.waitForURL(/\/sequences\/[0-9a-f-]{36}$/);
    const sequenceId = /\/sequences\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? '';

    // Step 1: right after enrollment, with a live preview rendered by the server.
    expect(await page.getByLabel('Wait after enrollment').inputValue()).toBe('0');
    await page
      .getByLabel('Subject', { exact: true })
      .fill('Welcome, {{ subscriber.first_name | default: "friend" }}');
    // Written in HTML (markdown-editor.e2e.ts covers the Markdown editor, the default).
    await page
      .getByRole('group', { name: 'Write the email in' })
      .getByRole('button', { name: 'HTML' })
      .click();
    await page
      .getByLabel('HTML body')
      .fill('<p>Hello {{ subscriber.first_name | default: "neighbour" }}, fresh bread daily.</p>');
    await expect
      .poll(() => page.getByTestId('preview-subject').textContent(), { timeout: 10_000 })
      .toBe('Welcome, Sam');
    await screenshot(page, 'sequence-step-preview');
    await page.getByRole('button', { name: 'Add step' }).click();
    await visible(page.getByTestId('step'));

    // Step 2: two days later, weekdays 9–17; a template error is shown at its field and line.
    await page.getByRole('button', { name: 'Add a step' }).click();
    expect(await page.getByLabel('Wait after the previous step').inputValue()).toBe('2');
    expect(await page.getByLabel('Unit').inputValue()).toBe('days');
    await page.getByLabel('Only send within a window').check();
    await page.getByLabel('Subject', { exact: true }).fill('A tip from the bakery');
    await page
      .getByRole('group', { name: 'Write the email in' })
      .getByRole('button', { name: 'HTML' })
      .click();
    await page.getByLabel('HTML body').fill('<p>Keep bread in paper.</p>\n{% iff subscriber %}');
    const refused = page.waitForResponse(
      (r) => r.url().endsWith(`/sequences/${sequenceId}/steps`) && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Add step' }).click();
    expect((await refused).status()).toBe(400);
    await visible(page.getByTestId('html-error'));
    const htmlError = (await page.getByTestId('html-error').textContent()) ?? '';
    expect(htmlError).toContain('line 2');
    expect(htmlError).toContain('{% iff subscriber %}');
    await screenshot(page, 'sequence-template-error');
    await page.getByLabel('HTML body').fill('<p>Keep bread in paper, {{ subscriber.plan }}.</p>');
    await page.getByRole('button', { name: 'Add step' }).click();
    await expect.poll(() => page.getByTestId('step').count()).toBe(2);
    expect(await page.getByTestId('step').nth(1).textContent()).toContain(
      'Sends 2 days after the previous step, Mon–Fri 09:00–17:00',
    );

    // Subscribers from a CSV file, through the file input, with the per-row error report.
    await page.getByRole('link', { name: 'Subscribers' }).first().click();
    await visible(page.getByTestId('subscribers-empty'));
    await page.getByLabel('CSV file').setInputFiles({
      name: 'customers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV),
    });
    // The columns are checked first (csv-import.e2e.ts covers the mapping): the guesses fit.
    await page.getByRole('button', { name: 'Confirm import' }).click();
    await visible(page.getByTestId('import-report'), 30_000);
    const reportRows = await page.getByTestId('import-error-row').allTextContents();
    expect(reportRows).toHaveLength(2);
    expect(reportRows[0]).toMatch(/^3/);
    expect(reportRows[1]).toMatch(/^5/);
    await expect.poll(() => page.getByTestId('subscriber-row').count()).toBe(3);
    await screenshot(page, 'subscribers-imported');

    // Enroll everyone and activate.
    await page.getByRole('link', { name: 'Email sequences' }).click();
    await page.getByRole('link', { name: 'Welcome series' }).click();
    await page.getByRole('button', { name: 'Enroll', exact: true }).click();
    await visible(page.getByTestId('enroll-result'));
    expect(await page.getByTestId('enroll-result').textContent()).toContain('3 enrolled');
    const activated = page.waitForResponse((r) => r.url().endsWith('/activate'));
    await page.getByRole('button', { name: 'Activate' }).click();
    expect((await activated).status()).toBe(200);
    await expect.poll(() => page.getByTestId('sequence-status').textContent()).toBe('Active');
    await screenshot(page, 'sequence-active');

    // A pause the server refuses (409) shows at once, then goes back to active.
    await herald.fault({ method: 'POST', path: '/pause$', kind: 'conflict' });
    const pauseRefused = page.waitForResponse((r) => r.url().endsWith('/pause'));
    await page.getByRole('button', { name: 'Pause' }).click();
    expect((await pauseRefused).status()).toBe(409);
    await page.getByText('The status was not changed').waitFor();
    expect(await page.getByTestId('sequence-status').textContent()).toBe('Active');

    // The dispatcher sends step 1 to each subscriber; the outbox shows them.
    await page.getByRole('link', { name: 'Outbox' }).click();
    await page.waitForURL(`${herald.url}/businesses/${businessId}/outbox`);
    await expect
      .poll(
        async () => {
          const rows = await page.getByTestId('outbox-row').count();
          if (rows < 3) await page.getByRole('button', { name: /Refresh/ }).click();
          return rows;
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(3);
    const subjects = await page.getByTestId('outbox-row').allTextContents();
    expect(subjects.join('\n')).toContain('Welcome, Ann');
    expect(subjects.join('\n')).toContain('Welcome, Cleo');
    expect(subjects.join('\n')).toContain('Welcome, friend');
    await page.getByRole('button', { name: 'Welcome, Ann' }).click();
    // An opened email shows as subscribers see it; the MIME source is one click away.
    await page.getByRole('button', { name: 'Source', exact: true }).click();
    const source = page.getByLabel('The whole email as sent (MIME source)');
    await source.waitFor();
    expect(await source.textContent()).toContain('List-Unsubscribe');
    await screenshot(page, 'sequence-outbox');

    // Analytics count what was sent, and the same pages work at phone width.
    await page.goto(`${herald.url}/businesses/${businessId}/sequences/${sequenceId}/analytics`);
    await visible(page.getByTestId('sequence-chart'));
    await page.locator('.recharts-surface').first().waitFor();
    const firstStep = await page.getByTestId('step-analytics-row').first().textContent();
    expect(firstStep).toMatch(/^1\. Welcome/);
    await screenshot(page, 'sequence-analytics');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${herald.url}/businesses/${businessId}/sequences/${sequenceId}`);
    await visible(page.getByTestId('step'));
    await page.getByRole('button', { name: 'Edit step 2' }).click();
    await visible(page.getByTestId('step-preview'));
    await screenshot(page, 'sequence-editor-phone');
  });
});
