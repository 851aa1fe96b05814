// The Markdown editor of an email step (issue #14 item 16), in a real browser against a real
// Herald (see harness.ts): a marketer writes a step in Markdown — a heading, bold text from the
// toolbar, a link and a first-name tag — sees it in the server's live preview, saves it, reloads
// and gets the Markdown back; switching to HTML shows the HTML made from it, and a step saved in
// HTML reopens in HTML. At phone width the editor fits the screen.
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
const dialogs: string[] = [];

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
  dialogs.length = 0;
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.accept();
  });
});

afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
});

interface SavedStep {
  html: string;
  markdown: string | null;
}

/** A signed-up marketer with a business, and the API as that marketer (to set up quickly). */
async function marketerWithBusiness() {
  const { email, password } = await signUp(page, herald.url);
  const businessId = await createBusiness(page, herald.url);
  const login = await fetch(`${herald.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(herald.url + path, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.ok, `${method} ${path}: ${String(response.status)}`).toBe(true);
    return (await response.json()) as T;
  };
  return { businessId, call };
}

const visible = (locator: ReturnType<Page['getByTestId']>, timeout = 15_000) =>
  locator.first().waitFor({ state: 'visible', timeout });

const formatButton = (name: 'Markdown' | 'HTML') =>
  page.getByRole('group', { name: 'Write the email in' }).getByRole('button', { name });

const previewHtml = () => page.locator('iframe.preview-frame').getAttribute('srcdoc');

/** Nothing on the page reaches past the right edge of the screen. */
async function widestRight(): Promise<number> {
  return Number(
    await page.evaluate(`Math.max(document.documentElement.scrollWidth,
      ...[...document.querySelectorAll('body *')].map((element) => element.getBoundingClientRect().right))`),
  );
}

const MARKDOWN = [
  '## Fresh rye is here',
  '',
  'Hello {{ subscriber.first_name | default: "there" }}, our **warm** loaves are out.',
  '',
  '[Order a loaf](https://bakery.example/order)',
].join('\n');

describe('the Markdown editor of an email step', () => {
  it('writes a step in Markdown, previews and saves it, gets the Markdown back after a reload, and shows the HTML when switched', async () => {
    const { businessId, call } = await marketerWithBusiness();
    const path = `/api/v1/businesses/${businessId}`;
    const sequence = await call<{ id: string }>('POST', `${path}/sequences`, { name: 'Rye' });
    await page.goto(`${herald.url}/businesses/${businessId}/sequences/${sequence.id}`);

    // A new step is written in Markdown.
    await page
      .getByLabel('Subject', { exact: true })
      .fill('Fresh rye, {{ subscriber.first_name }}');
    expect(await formatButton('Markdown').getAttribute('aria-pressed')).toBe('true');
    const email = page.getByLabel('Email', { exact: true });
    await email.fill(
      '## Fresh rye is here\n\nHello {{ subscriber.first_name | default: "there" }}, our ',
    );
    // Bold from the toolbar: the placeholder is selected, so typing replaces it.
    await page
      .getByRole('toolbar', { name: 'Formatting' })
      .getByRole('button', { name: 'Bold' })
      .click();
    await page.keyboard.type('warm');
    await page.keyboard.press('End');
    await page.keyboard.type(' loaves are out.\n\n[Order a loaf](https://bakery.example/order)');
    expect(await email.inputValue()).toBe(MARKDOWN);

    // The server's preview shows the email made from it, for the sample subscriber.
    await expect.poll(previewHtml, { timeout: 10_000 }).toContain('<h2>Fresh rye is here</h2>');
    const shown = (await previewHtml()) ?? '';
    expect(shown).toContain('Hello Sam, our <strong>warm</strong> loaves are out.');
    expect(shown).toContain('<a href="https://bakery.example/order">Order a loaf</a>');
    expect(await page.getByTestId('preview-subject').textContent()).toBe('Fresh rye, Sam');
    await screenshot(page, 'markdown-editor');

    await page.getByRole('button', { name: 'Add step' }).click();
    await visible(page.getByRole('button', { name: 'Edit step 1' }));
    const saved = await call<{ steps: SavedStep[] }>('GET', `${path}/sequences/${sequence.id}`);
    expect(saved.steps[0]?.markdown).toBe(MARKDOWN);
    expect(saved.steps[0]?.html).toContain('<h2>Fresh rye is here</h2>');

    // After a reload the step opens in Markdown, as written.
    await page.reload();
    await page.getByRole('button', { name: 'Edit step 1' }).click();
    expect(await formatButton('Markdown').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe(MARKDOWN);

    // Switched to HTML, it shows the HTML the step sends, Liquid as written.
    await formatButton('HTML').click();
    const html = page.getByLabel('HTML body');
    await visible(html);
    const source = await html.inputValue();
    expect(source).toContain('<h2>Fresh rye is here</h2>');
    expect(source).toContain(
      'Hello {{ subscriber.first_name | default: "there" }}, our <strong>warm</strong> loaves are out.',
    );
    expect(source).toBe(saved.steps[0]?.html);
    await screenshot(page, 'markdown-editor-html');

    // Back to Markdown unchanged: the Markdown returns, nothing asked.
    await formatButton('Markdown').click();
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe(MARKDOWN);
    expect(dialogs).toEqual([]);

    // Saved in HTML, the step drops its Markdown and reopens in HTML.
    await formatButton('HTML').click();
    await page.getByLabel('HTML body').fill('<h2>Fresh rye is here</h2>\n<p>By hand.</p>');
    await page.getByRole('button', { name: 'Save step' }).click();
    await visible(page.getByRole('button', { name: 'Edit step 1' }));
    const asHtml = await call<{ steps: SavedStep[] }>('GET', `${path}/sequences/${sequence.id}`);
    expect(asHtml.steps[0]).toMatchObject({
      markdown: null,
      html: '<h2>Fresh rye is here</h2>\n<p>By hand.</p>',
    });
    await page.getByRole('button', { name: 'Edit step 1' }).click();
    expect(await formatButton('HTML').getAttribute('aria-pressed')).toBe('true');

    // At phone width nothing is wider than the screen, in either mode.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await widestRight()).toBeLessThanOrEqual(390);
    // Hand-written HTML back to Markdown keeps its words after a warning.
    await formatButton('Markdown').click();
    await visible(page.getByRole('toolbar', { name: 'Formatting' }));
    expect(dialogs).toEqual([expect.stringContaining('layout and styling')]);
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe(
      'Fresh rye is here\n\nBy hand.',
    );
    await expect.poll(previewHtml, { timeout: 10_000 }).toContain('<p>By hand.</p>');
    expect(await widestRight()).toBeLessThanOrEqual(390);
    await screenshot(page, 'markdown-editor-phone');
  });

  it('shows a Liquid error in the Markdown at its line, and the preview again once it is fixed', async () => {
    const { businessId, call } = await marketerWithBusiness();
    const sequence = await call<{ id: string }>(
      'POST',
      `/api/v1/businesses/${businessId}/sequences`,
      { name: 'Rye' },
    );
    await page.goto(`${herald.url}/businesses/${businessId}/sequences/${sequence.id}`);
    await page.getByLabel('Subject', { exact: true }).fill('Rye');
    const email = page.getByLabel('Email', { exact: true });
    await email.fill('# Rye\n\nHi {{ subscriber.first_name | default: "there" }');
    const error = page.getByTestId('markdown-error');
    await visible(error);
    expect(await error.textContent()).toContain('line 3');
    await email.fill('# Rye\n\nHi {{ subscriber.first_name | default: "there" }}');
    await expect.poll(previewHtml, { timeout: 10_000 }).toContain('Hi Sam');
    await expect.poll(() => error.count(), { timeout: 10_000 }).toBe(0);
  });
});
