// What a marketer sees once pieces are published, in a real browser against a real Herald: the
// campaign card counts its pieces as the API does and its status follows (draft → active once a
// piece is scheduled); the Outbox lists every published piece, whatever the channel, above the
// kept emails, shows an email rendered (sandboxed) with its MIME source one click away, and offers
// "Set the email sender" only while no sender is set; the jobs page names and links what each job
// worked on. The set-up goes through the API as another client would; pieces are scheduled for
// now, so the worker publishes them at once (no waiting on a clock).
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
    startHerald({ LLM_PROVIDER: 'builtin', RATE_LIMIT_AI_PER_MINUTE: '30' }),
    launchChromium(),
  ]);
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

const visible = (locator: ReturnType<Page['getByTestId']>, timeout = 15_000) =>
  locator.first().waitFor({ state: 'visible', timeout });

/** The API as the signed-up user, from the test (another client of the same account). */
async function apiClient(email: string, password: string) {
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<T> => {
    const response = await fetch(herald.url + path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    expect(response.ok, `${method} ${path}: ${response.status} ${text}`).toBe(true);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const { accessToken } = await call<{ accessToken: string }>('POST', '/api/v1/auth/login', {
    email,
    password,
  });
  return <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    call<T>(method, path, body, accessToken);
}

type Api = Awaited<ReturnType<typeof apiClient>>;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('never reached the expected state');
}

interface Progress {
  total: number;
  written: number;
  approved: number;
  scheduled: number;
  published: number;
}

describe('published pieces, the outbox and the jobs page in Chromium', () => {
  it('counts, lists, renders and links what was published', async () => {
    const { email, password } = await signUp(page, herald.url);
    const businessId = await createBusiness(page, herald.url);
    const api: Api = await apiClient(email, password);
    const b = `/api/v1/businesses/${businessId}`;

    // Before anything: nothing published, and no sender yet, so the outbox offers to set one.
    await page.getByRole('link', { name: 'Outbox' }).click();
    await visible(page.getByTestId('published-empty'));
    await visible(page.getByTestId('outbox-empty'));
    await page
      .getByTestId('outbox-empty')
      .getByRole('link', { name: 'Set the email sender' })
      .waitFor();
    await api('PATCH', b, {
      defaultSender: { name: 'Blue Door Bakery', email: 'hello@bluedoor.example' },
    });
    await page.reload();
    await visible(page.getByTestId('outbox-empty'));
    expect(await page.getByRole('link', { name: 'Set the email sender' }).count()).toBe(0);

    // A campaign with its strategy (a job), its placeholders, one generated piece (a job).
    const campaign = await api<{ id: string }>('POST', `${b}/campaigns`, {
      name: 'Spring menu launch',
      goal: '200 pre-orders of the spring menu',
      channels: ['x', 'linkedin'],
    });
    const finished = (jobId: string) =>
      until(
        () => api<{ status: string }>('GET', `/api/v1/jobs/${jobId}`),
        (job) => ['succeeded', 'failed'].includes(job.status),
      );
    const strategy = await api<{ job: { id: string } }>(
      'POST',
      `${b}/campaigns/${campaign.id}/strategy`,
      {},
    );
    expect((await finished(strategy.job.id)).status).toBe('succeeded');
    const placeholders = await api<{ items: { id: string; topic: string; platform: string }[] }>(
      'GET',
      `${b}/contents?campaignId=${campaign.id}&limit=200`,
    );
    expect(placeholders.items.length).toBeGreaterThan(3);
    const [generated, toOutbox, toEmail] = placeholders.items;
    if (!generated || !toOutbox || !toEmail) throw new Error('too few placeholders');
    const generation = await api<{ job: { id: string } }>(
      'POST',
      `${b}/contents/${generated.id}/generate`,
      {},
    );
    expect((await finished(generation.job.id)).status).toBe('succeeded');

    // Two pieces published for now: one kept in the Herald outbox, one emailed to a subscriber.
    await api('POST', `${b}/subscribers`, { email: 'ann@example.com', firstName: 'Ann' });
    const publish = async (contentId: string, text: string, target: Record<string, unknown>) => {
      await api('PATCH', `${b}/contents/${contentId}`, { body: { text } });
      await api('POST', `${b}/contents/${contentId}/status`, { status: 'in_review' });
      await api('POST', `${b}/contents/${contentId}/status`, { status: 'approved' });
      await api('POST', `${b}/contents/${contentId}/schedule`, {
        publishAt: new Date().toISOString(),
        ...target,
      });
    };
    await publish(toOutbox.id, 'Spring loaves are here. Pre-order today.', {});
    await publish(toEmail.id, 'Hot cross buns this Saturday.\nCome early.', {
      channel: 'email',
      channelTarget: { recipients: ['ann@example.com'] },
    });
    for (const id of [toOutbox.id, toEmail.id]) {
      const piece = await until(
        () => api<{ status: string }>('GET', `${b}/contents/${id}`),
        (content) => ['published', 'failed'].includes(content.status),
      );
      expect(piece.status).toBe('published');
    }
    // And an HTML email: a sequence step sent as a test.
    const sequence = await api<{ id: string; steps: { id: string }[] }>('POST', `${b}/sequences`, {
      name: 'Welcome',
      steps: [
        {
          subject: 'Fresh bread, every morning',
          html: '<h1 style="color:#b45309">Hello neighbour!</h1><p>Our <b>spring menu</b> is out.</p>',
        },
      ],
    });
    await api('POST', `${b}/sequences/${sequence.id}/steps/${sequence.steps[0]?.id ?? ''}/test`, {
      to: email,
    });

    // The campaign card: active now, and the counts the API gives.
    const fromApi = await api<{ status: string; progress: Progress }>(
      'GET',
      `${b}/campaigns/${campaign.id}`,
    );
    expect(fromApi.status).toBe('active');
    expect(fromApi.progress.published).toBe(2);
    expect(fromApi.progress.written).toBe(3);
    // (Loaded afresh: the set-up went through the API, behind the dashboard's back.)
    await page.goto(`${herald.url}/businesses/${businessId}/campaigns`);
    const card = page.getByTestId('campaign-card').filter({ hasText: 'Spring menu launch' });
    await card.waitFor();
    expect(await card.locator('.badge').textContent()).toBe('Active'); // the status's label
    const progress = card.getByTestId('campaign-progress');
    for (const key of ['total', 'written', 'approved', 'scheduled', 'published'] as const) {
      expect(await progress.getAttribute(`data-${key}`), key).toBe(String(fromApi.progress[key]));
    }
    expect(await progress.textContent()).toContain(
      `${fromApi.progress.total} pieces · 3 written · 0 approved · 0 scheduled · 2 published`,
    );
    await screenshot(page, 'campaign-card-progress');
    await card.getByRole('link', { name: 'Spring menu launch' }).click();
    await visible(page.getByTestId('campaign-progress'));
    expect(await page.getByTestId('campaign-progress').textContent()).toContain('2 published');

    // The outbox: both published pieces, named as everywhere, and the kept emails.
    await page.goto(`${herald.url}/businesses/${businessId}/outbox`);
    await expect.poll(() => page.getByTestId('published-row').count()).toBe(2);
    const publications = await api<{ items: unknown[] }>('GET', `${b}/publications`);
    expect(publications.items.length).toBe(2);
    const published = (await page.getByTestId('published-row').allTextContents()).join('\n');
    expect(published).toContain(toOutbox.topic);
    expect(published).toContain(toEmail.topic);
    expect(published).toContain('Herald outbox');
    expect(published).toContain('Email');
    expect(published).toContain('Spring loaves are here.');
    await expect.poll(() => page.getByTestId('outbox-row').count()).toBe(2);
    expect(await page.getByRole('link', { name: 'Set the email sender' }).count()).toBe(0);

    // An HTML email opens rendered, in a frame that runs nothing; the source is a toggle.
    await page.getByRole('button', { name: 'Fresh bread, every morning' }).click();
    const frame = page.getByTestId('email-rendered');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    await page
      .frameLocator('[data-testid="email-rendered"]')
      .getByRole('heading', { name: 'Hello neighbour!' })
      .waitFor();
    expect(await page.getByLabel('The whole email as sent (MIME source)').count()).toBe(0);
    await screenshot(page, 'outbox-email-rendered');
    await page.getByRole('button', { name: 'Source', exact: true }).click();
    const source = page.getByLabel('The whole email as sent (MIME source)');
    await source.waitFor();
    expect(await source.textContent()).toContain('Content-Type: multipart/alternative');
    await page.getByRole('button', { name: 'Fresh bread, every morning' }).click();
    // The emailed piece has no HTML part: its plain text is what Ann got.
    await page.getByRole('button', { name: /Hot cross buns this Saturday/ }).click();
    const text = page.getByLabel('The plain-text part of the email');
    await text.waitFor();
    expect(await text.textContent()).toContain('Come early.');
    await screenshot(page, 'outbox-published');

    // The published piece's page says where it went and leads back to the outbox.
    await page
      .getByTestId('published-row')
      .filter({ hasText: 'Herald outbox' })
      .getByRole('link')
      .first()
      .click();
    await visible(page.getByTestId('published-at'));
    expect(await page.getByTestId('published-at').textContent()).toContain('Herald outbox');
    await page.getByRole('link', { name: /every published piece in the Outbox/ }).click();
    await page.waitForURL(`${herald.url}/businesses/${businessId}/outbox`);

    // The jobs page names what each job worked on and links to it.
    await page.getByRole('link', { name: 'Jobs' }).click();
    await expect.poll(() => page.getByTestId('job-row').count()).toBe(2);
    const strategyRow = page.getByTestId('job-row').filter({ hasText: 'Campaign strategy' });
    expect(await strategyRow.getByTestId('job-subject').textContent()).toBe(
      'Campaign: Spring menu launch',
    );
    const pieceRow = page.getByTestId('job-row').filter({ hasText: 'Content generation' });
    expect(await pieceRow.getByTestId('job-subject').textContent()).toBe(
      `Piece: ${generated.topic}`,
    );
    await screenshot(page, 'jobs-subjects');
    await strategyRow.getByRole('link', { name: 'Spring menu launch' }).click();
    await page.waitForURL(
      `${herald.url}/businesses/${businessId}/campaigns/${campaign.id}/strategy`,
    );
    await page.goBack();
    await pieceRow.getByRole('link', { name: generated.topic }).click();
    await page.waitForURL(`${herald.url}/businesses/${businessId}/content/${generated.id}`);
    await page.goBack();
    // Each job links to the model calls it made.
    await pieceRow.getByRole('link', { name: 'Model calls' }).click();
    await page.getByTestId('job-calls').waitFor();

    // At phone width the outbox (with an email open) and the campaigns fit the screen.
    // (A string: this file is type-checked without the DOM library.)
    const pageWidth = async () =>
      Number(await page.evaluate('document.documentElement.scrollWidth'));
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${herald.url}/businesses/${businessId}/outbox`);
    await visible(page.getByTestId('published-row'));
    await page.getByRole('button', { name: 'Fresh bread, every morning' }).click();
    await page.getByTestId('email-rendered').waitFor();
    await screenshot(page, 'outbox-published-phone');
    expect(await pageWidth()).toBeLessThanOrEqual(390);
    await page.goto(`${herald.url}/businesses/${businessId}/campaigns`);
    await visible(page.getByTestId('campaign-progress'));
    expect(await pageWidth()).toBeLessThanOrEqual(390);
  }, 180_000);
});
