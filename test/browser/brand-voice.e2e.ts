// What the AI made, as the marketer finds it later: a brand-voice suggestion that finished while
// the page was away is offered when they come back (until they apply or dismiss it), and a
// version written by Herald's built-in template says so in the version history; and the job's
// model calls open from the jobs page with the prompt that was sent.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createBusiness, type Herald, launchChromium, signUp, startHerald } from './harness.ts';

let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await (browser as Browser | undefined)?.close();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  pageErrors.length = 0;
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
});

const visible = (locator: ReturnType<Page['getByTestId']>, timeout = 15_000) =>
  locator.waitFor({ state: 'visible', timeout });

describe('a brand-voice suggestion that finished while the page was away', () => {
  let herald: Herald;

  beforeAll(async () => {
    herald = await startHerald();
  });
  afterAll(async () => {
    await (herald as Herald | undefined)?.stop();
  });
  afterEach(() => {
    herald.llm.release();
    herald.llm.mode = 'answer';
  });

  /** Starts a suggestion the fake model holds, leaves the profile, and lets it finish. */
  async function suggestionFinishedWhileAway() {
    const account = await signUp(page, herald.url);
    const businessId = await createBusiness(page, herald.url);
    herald.llm.mode = 'hold';
    const callsBefore = herald.llm.calls;
    const started = page.waitForResponse((r) => r.url().endsWith('/ai/brand-voice'));
    await page.getByRole('button', { name: 'Suggest a brand voice' }).click();
    const response = await started;
    const { job } = (await response.json()) as { job: { id: string } };
    const authorization = (await response.request().allHeaders()).authorization ?? '';
    await expect.poll(() => herald.llm.calls, { timeout: 15_000 }).toBe(callsBefore + 1);

    // Away to another page while the model is still writing; then it answers.
    await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
    await page.waitForURL(`${herald.url}/businesses/${businessId}/campaigns`);
    herald.llm.release();
    await expect
      .poll(
        async () => {
          const answer = await fetch(`${herald.url}/api/v1/jobs/${job.id}`, {
            headers: { authorization },
          });
          return ((await answer.json()) as { status: string }).status;
        },
        { timeout: 20_000 },
      )
      .toBe('succeeded');
    return { businessId, account };
  }

  it('offers it on coming back, and not after it was dismissed', async () => {
    const { businessId } = await suggestionFinishedWhileAway();
    await page.goto(`${herald.url}/businesses/${businessId}/profile`);
    const suggestion = page.getByTestId('brand-voice-suggestion');
    await visible(suggestion);
    await suggestion.getByText('Warm and neighbourly, proud of the craft').waitFor();

    await suggestion.getByRole('button', { name: 'Dismiss' }).click();
    await suggestion.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('button', { name: 'Suggest again' }).waitFor();
    expect(await page.getByTestId('brand-voice-suggestion').count()).toBe(0);
  });

  it('does not offer it again once applied, on this device or another', async () => {
    const { businessId, account } = await suggestionFinishedWhileAway();
    await page.goto(`${herald.url}/businesses/${businessId}/profile`);
    const suggestion = page.getByTestId('brand-voice-suggestion');
    await suggestion.getByRole('button', { name: 'Use this voice' }).click();
    await page.getByText('Applied to the profile').waitFor();
    expect(await page.getByLabel('Tone').inputValue()).toContain('Warm and neighbourly');

    await page.reload();
    await page.getByRole('button', { name: 'Suggest again' }).waitFor();
    expect(await page.getByTestId('brand-voice-suggestion').count()).toBe(0);

    // Another device: nothing stored in its browser, the profile already holds the voice.
    const other = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const phone = await other.newPage();
    await phone.goto(`${herald.url}/login`);
    await phone.getByLabel('Email').fill(account.email);
    await phone.getByLabel('Password').fill(account.password);
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.waitForURL(/\/businesses/);
    await phone.goto(`${herald.url}/businesses/${businessId}/profile`);
    await phone.getByRole('button', { name: 'Suggest again' }).waitFor();
    expect(await phone.getByTestId('brand-voice-suggestion').count()).toBe(0);
    await other.close();
  });
});

describe('tracing what the model was asked', () => {
  let herald: Herald;

  beforeAll(async () => {
    herald = await startHerald();
  });
  afterAll(async () => {
    await (herald as Herald | undefined)?.stop();
  });

  it('opens a job’s model calls from the jobs page and shows the prompt that was sent', async () => {
    await signUp(page, herald.url);
    const businessId = await createBusiness(page, herald.url);
    await page.getByRole('button', { name: 'Suggest a brand voice' }).click();
    await page.getByTestId('brand-voice-suggestion').waitFor({ timeout: 20_000 });

    await page.goto(`${herald.url}/businesses/${businessId}/jobs`);
    const row = page.getByTestId('job-row').first();
    await row.getByRole('link', { name: 'Model calls' }).click();
    await page.getByTestId('job-calls').waitFor();
    const call = page.getByTestId('decision-model-call').first();
    await call.getByRole('button', { name: 'Show the transcript' }).click();
    // What was sent: the business's own profile is in the prompt.
    await expect
      .poll(() => call.getByTestId('transcript-prompt').textContent())
      .toContain('Blue Door Bakery');
  });
});

describe('a version written by the built-in template', () => {
  let herald: Herald;

  beforeAll(async () => {
    herald = await startHerald({ LLM_PROVIDER: 'builtin', RATE_LIMIT_AI_PER_MINUTE: '30' });
  });
  afterAll(async () => {
    await (herald as Herald | undefined)?.stop();
  });

  it('is labelled as the built-in template in the version history, not as the AI', async () => {
    await signUp(page, herald.url);
    await createBusiness(page, herald.url);
    await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
    await page.getByRole('button', { name: 'New campaign' }).click();
    await page.getByLabel('Campaign name').fill('Spring cakes');
    await page.getByLabel('Goal').fill('150 cake pre-orders for Mother’s Day');
    await page.getByRole('button', { name: 'X', exact: true }).click();
    const today = new Date();
    const day = (offset: number) =>
      new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Start date').fill(day(0));
    await page.getByLabel('End date').fill(day(13));
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}\/strategy$/);
    await page.getByRole('button', { name: 'Generate strategy' }).click();
    await visible(page.getByTestId('strategy-done'), 30_000);

    await page.getByRole('link', { name: 'Calendar', exact: true }).click();
    await visible(page.getByTestId('content-calendar'));
    await page.getByRole('button', { name: 'List', exact: true }).click();
    await page.getByTestId('calendar-item').first().getByRole('link').click();
    await page.waitForURL(/\/content\/[0-9a-f-]{36}$/);
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    const row = page.getByTestId('version-row');
    await visible(row, 30_000);
    await row.getByText('Drafted by the built-in template').waitFor();
    expect(await row.textContent()).not.toContain('Written by the AI');
    // The post itself carries no planning label.
    expect(await page.getByLabel('Post', { exact: true }).inputValue()).not.toMatch(/week \d/i);
  });
});
