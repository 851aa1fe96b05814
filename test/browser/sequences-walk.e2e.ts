// What a first-time marketer met on the sequence pages (issue #14), in a real browser against a
// real Herald (see harness.ts): the list's step and enrollment counts match the sequence's own
// page and the API, after a reload too; the step editor says whether the plain-text part is made
// from the HTML or written by hand, and goes back; a Liquid error leaves the screen once the
// template is fixed, whether the preview or a refused save found it.
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
  [herald, browser] = await Promise.all([startHerald(), launchChromium()]);
});

afterAll(async () => {
  await (browser as Browser | undefined)?.close();
  await (herald as Herald | undefined)?.stop();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  page = await context.newPage();
  pageErrors.length = 0;
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
});

type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** A signed-up marketer with a business, and the API as that marketer (to set up quickly). */
async function marketerWithBusiness(): Promise<{ businessId: string; call: Call }> {
  const { email, password } = await signUp(page, herald.url);
  const businessId = await createBusiness(page, herald.url);
  const send = async (method: string, path: string, token: string | null, body?: unknown) => {
    const response = await fetch(herald.url + path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.ok, `${method} ${path}: ${String(response.status)}`).toBe(true);
    return response.json();
  };
  const { accessToken } = (await send('POST', '/api/v1/auth/login', null, {
    email,
    password,
  })) as { accessToken: string };
  const call: Call = async <T>(method: string, path: string, body?: unknown) =>
    (await send(method, path, accessToken, body)) as T;
  return { businessId, call };
}

const visible = (locator: ReturnType<Page['getByTestId']>, timeout = 15_000) =>
  locator.first().waitFor({ state: 'visible', timeout });

/** The text of each column of a list row, by the column's header. */
async function rowCells(name: string): Promise<Record<string, string>> {
  const headers = await page.getByRole('columnheader').allTextContents();
  const row = page.getByTestId('sequence-row').filter({ hasText: name });
  const cells = await row.locator('td').allTextContents();
  return Object.fromEntries(headers.map((header, index) => [header, cells[index]?.trim() ?? '']));
}

describe('sequence pages a marketer can trust', () => {
  it('the list shows the steps and the enrolled count that the sequence page and the API show, after a reload too', async () => {
    const { businessId, call } = await marketerWithBusiness();
    const path = `/api/v1/businesses/${businessId}`;
    for (const name of ['ann', 'bob', 'cleo', 'dev']) {
      await call('POST', `${path}/subscribers`, { email: `${name}@example.com` });
    }
    const welcome = await call<{ id: string }>('POST', `${path}/sequences`, {
      name: 'Welcome series',
      steps: ['Welcome', 'A tip', 'An offer'].map((subject) => ({
        subject,
        html: `<p>${subject}</p>`,
      })),
    });
    await call('POST', `${path}/sequences/${welcome.id}/enrollments`, { filter: { all: true } });
    await call('POST', `${path}/sequences`, { name: 'Win back' });

    await page.getByRole('link', { name: 'Email sequences' }).click();
    await visible(page.getByTestId('sequence-row'));
    expect(await rowCells('Welcome series')).toMatchObject({ Steps: '3', Enrolled: '4' });
    expect(await rowCells('Win back')).toMatchObject({ Steps: '0', Enrolled: '0' });
    const list = await call<{ items: { name: string; stepCount: number; enrolled: number }[] }>(
      'GET',
      `${path}/sequences`,
    );
    expect(list.items.find((item) => item.name === 'Welcome series')).toMatchObject({
      stepCount: 3,
      enrolled: 4,
    });
    await screenshot(page, 'sequences-list-counts');

    // The sequence's own page shows the same three steps.
    await page.getByRole('link', { name: 'Welcome series' }).click();
    await expect.poll(() => page.getByTestId('step').count()).toBe(3);
    await page.getByRole('link', { name: 'Email sequences' }).click();
    await page.reload();
    await visible(page.getByTestId('sequence-row'));
    expect(await rowCells('Welcome series')).toMatchObject({ Steps: '3', Enrolled: '4' });
  });

  it('says whether the plain-text part is made from the HTML or written by hand, and goes back to made from the HTML', async () => {
    const { businessId, call } = await marketerWithBusiness();
    const path = `/api/v1/businesses/${businessId}`;
    const sequence = await call<{ id: string }>('POST', `${path}/sequences`, {
      name: 'Tips',
      steps: [{ subject: 'A tip', html: '<p>Keep bread in paper.</p>' }],
    });
    await page.goto(`${herald.url}/businesses/${businessId}/sequences/${sequence.id}`);
    await page.getByRole('button', { name: 'Edit step 1' }).click();

    const source = page.getByTestId('plain-text-source');
    await visible(source);
    expect(await source.textContent()).toContain('made from the HTML');
    // The preview's plain text follows an HTML edit before anything is saved.
    await page
      .getByLabel('HTML body')
      .fill('<p>Keep bread in a paper bag, {{ subscriber.first_name }}.</p>');
    await page.getByRole('button', { name: 'Plain text', exact: true }).click();
    await expect
      .poll(() => page.locator('.preview-text').textContent(), { timeout: 10_000 })
      .toContain('Keep bread in a paper bag, Sam.');
    await screenshot(page, 'step-text-from-html');

    // Writing it by hand starts from the HTML's words, Liquid kept.
    await page.getByRole('button', { name: 'Write it yourself' }).click();
    const text = page.getByLabel('Plain-text body');
    expect(await text.inputValue()).toBe('Keep bread in a paper bag, {{ subscriber.first_name }}.');
    expect(await source.textContent()).toContain('written by you');
    await text.fill('Paper, not plastic, {{ subscriber.first_name }}.');
    await page.getByRole('button', { name: 'Save step' }).click();
    await visible(page.getByRole('button', { name: 'Edit step 1' }));
    const saved = await call<{ steps: { text: string }[] }>(
      'GET',
      `${path}/sequences/${sequence.id}`,
    );
    expect(saved.steps[0]?.text).toBe('Paper, not plastic, {{ subscriber.first_name }}.');

    // Reopened, it says so; going back empties it and the step follows the HTML again.
    await page.getByRole('button', { name: 'Edit step 1' }).click();
    await visible(source);
    expect(await source.textContent()).toContain('written by you');
    await screenshot(page, 'step-text-written');
    await page.getByRole('button', { name: 'Make it from the HTML again' }).click();
    expect(await source.textContent()).toContain('made from the HTML');
    await page.getByRole('button', { name: 'Save step' }).click();
    await visible(page.getByRole('button', { name: 'Edit step 1' }));
    const derived = await call<{ steps: { text: string }[] }>(
      'GET',
      `${path}/sequences/${sequence.id}`,
    );
    expect(derived.steps[0]?.text).toBe('');

    // At phone width the editor, its plain-text control included, fits the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Edit step 1' }).click();
    await visible(source);
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(
      390,
    );
    await screenshot(page, 'step-text-phone');
  });

  it('takes a Liquid error off the screen once the template is fixed, found by the preview or by a refused save', async () => {
    const { businessId, call } = await marketerWithBusiness();
    const sequence = await call<{ id: string }>(
      'POST',
      `/api/v1/businesses/${businessId}/sequences`,
      { name: 'Welcome series' },
    );
    await page.goto(`${herald.url}/businesses/${businessId}/sequences/${sequence.id}`);
    await page.getByLabel('Subject', { exact: true }).fill('Welcome');
    // Written in HTML (markdown-editor.e2e.ts covers the Markdown editor, the default).
    await page
      .getByRole('group', { name: 'Write the email in' })
      .getByRole('button', { name: 'HTML' })
      .click();
    const html = page.getByLabel('HTML body');
    const error = page.getByTestId('html-error');
    const previewHtml = () => page.locator('iframe.preview-frame').getAttribute('srcdoc');

    // Found by the live preview.
    await html.fill('<p>Hello {{ subscriber.first_name | default: "there" }</p>');
    await visible(error);
    await html.fill('<p>Hello {{ subscriber.first_name | default: "there" }}</p>');
    await expect.poll(previewHtml, { timeout: 10_000 }).toContain('Hello Sam');
    await expect.poll(() => error.count(), { timeout: 10_000 }).toBe(0);

    // Found by a save the server refused: it goes too once the field is fixed, before saving.
    await html.fill('<p>Fresh bread</p>\n{% iff subscriber %}');
    const refused = page.waitForResponse(
      (r) => r.url().endsWith(`/sequences/${sequence.id}/steps`) && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Add step' }).click();
    expect((await refused).status()).toBe(400);
    await visible(error);
    expect(await error.textContent()).toContain('line 2');
    await html.fill('<p>Fresh bread, {{ subscriber.first_name }}</p>');
    await expect.poll(previewHtml, { timeout: 10_000 }).toContain('Fresh bread, Sam');
    await expect.poll(() => error.count(), { timeout: 10_000 }).toBe(0);
    await screenshot(page, 'step-error-cleared');
    await page.getByRole('button', { name: 'Add step' }).click();
    await visible(page.getByRole('button', { name: 'Edit step 1' }));
  });
});
