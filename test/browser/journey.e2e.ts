// The whole first afternoon of a marketer (issue #14), clicked through the real dashboard at
// laptop and at phone width by a fresh user each: register → business → brand voice → campaign →
// strategy → content → approve → schedule → publish → sequence → import → send → usage → jobs →
// analytics → sign out and in → reload mid-job. After each step: nothing wider than the screen, no
// uncaught error, and every count the page shows equals what the API answers the same user. The
// API only reads; the test drives time (publishAsIfLater) and holds the AI (holdAi), never waits.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import {
  apiAs,
  browserSuite,
  createBusiness,
  pageWidth,
  screenshot,
  signIn,
  signUp,
} from './harness.ts';

const suite = browserSuite({
  // The builtin writer answers at once, with no model; the dispatcher looks every half second.
  LLM_PROVIDER: 'builtin',
  RATE_LIMIT_AI_PER_MINUTE: '30',
  EMAIL_DISPATCH_INTERVAL_MS: '500',
});

const TIME_ZONE = 'Europe/Paris';
const CAMPAIGN = 'Spring menu launch';
const SEQUENCE = 'Welcome series';
const CSV = [
  'email,first_name,plan',
  'ann@example.com,Ann,pro',
  'cleo.long-surname-for-the-layout@neighbourhood-bakery-customers.example.com,Cleo,free',
  'dev@example.com,,free',
  '',
].join('\n');

interface Progress {
  total: number;
  written: number;
  inReview: number;
  approved: number;
  scheduled: number;
  published: number;
  failed: number;
}

/** The words the campaign progress shows for these counts (campaign-progress.tsx). */
function progressWords(p: Progress): string {
  return [
    `${p.total} ${p.total === 1 ? 'piece' : 'pieces'}`,
    `${p.written} written`,
    ...(p.inReview > 0 ? [`${p.inReview} in review`] : []),
    `${p.approved} approved`,
    `${p.scheduled} scheduled`,
    `${p.published} published`,
    ...(p.failed > 0 ? [`${p.failed} failed`] : []),
  ].join(' · ');
}

/** `YYYY-MM-DDTHH:mm` of an instant on the wall clocks of `timeZone`. */
function wallClock(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}`;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
/** Generous: a loaded two-core machine is slow, and nothing here waits on a clock. */
const LONG = { timeout: 60_000 };

/** The value of a stat card (`.stat`) by its label, inside `scope`. */
async function stat(scope: ReturnType<Page['locator']>, label: string): Promise<string> {
  const card = scope
    .locator('.stat')
    .filter({ has: scope.page().getByText(label, { exact: true }) });
  return ((await card.locator('.value').textContent()) ?? '').trim();
}

const asNumber = (text: string) => Number(text.replace(/[$,\s]/g, ''));

async function walk(viewport: { width: number; height: number }): Promise<void> {
  const { herald } = suite;
  const base = herald.url;
  const { context, page, errors } = await suite.newPage({
    viewport,
    timezoneId: TIME_ZONE,
    locale: 'en-US',
  });
  const tooWide: string[] = [];

  /** The checks after every step, and its screenshot. */
  async function step(name: string): Promise<void> {
    await expect.poll(() => page.getByTestId('skeleton').count(), LONG).toBe(0);
    const width = await pageWidth(page);
    if (width.scrollWidth > viewport.width) {
      tooWide.push(`${name}: ${width.scrollWidth}px (${width.wide.join(', ')})`);
    }
    expect(errors, `uncaught errors by the ${name} step`).toEqual([]);
    await screenshot(page, `journey-${viewport.width}-${name}`);
  }

  /** On a phone the side menu is behind the Menu button: opens it (a laptop shows it anyway). */
  async function showMenu(): Promise<void> {
    const menu = page.getByRole('button', { name: 'Menu' });
    if ((await menu.isVisible()) && (await menu.getAttribute('aria-expanded')) !== 'true') {
      await menu.click();
    }
  }

  /** A page of the business from the side menu. */
  async function open(label: string): Promise<void> {
    await showMenu();
    await page
      .getByRole('navigation', { name: 'Business pages' })
      .getByRole('link', { name: label, exact: true })
      .click();
  }

  /** The campaign's overview, its progress there compared with the API's counts. */
  async function campaignProgressMatches(campaignId: string): Promise<Progress> {
    await open('Campaigns');
    const { progress } = await api<{ progress: Progress }>('GET', `${b}/campaigns/${campaignId}`);
    // On its card in the list, then on its own page.
    const card = page.getByTestId('campaign-card').filter({ hasText: CAMPAIGN });
    await expect
      .poll(() => card.getByTestId('campaign-progress').textContent(), LONG)
      .toContain(progressWords(progress));
    await card.getByRole('link', { name: CAMPAIGN, exact: true }).click();
    await page.waitForURL(`${base}/businesses/${businessId}/campaigns/${campaignId}`);
    await expect
      .poll(() => page.getByTestId('campaign-progress').textContent(), LONG)
      .toContain(progressWords(progress));
    return progress;
  }

  /** The sequence's row in the list: its columns by heading, compared with the API's counts. */
  async function sequenceRowMatches(sequenceId: string): Promise<void> {
    await open('Email sequences');
    const row = page.getByTestId('sequence-row').filter({ hasText: SEQUENCE });
    await row.waitFor(LONG);
    const { items } = await api<{ items: { id: string; stepCount: number; enrolled: number }[] }>(
      'GET',
      `${b}/sequences`,
    );
    const fromApi = items.find((item) => item.id === sequenceId);
    const headers = await page.getByRole('columnheader').allTextContents();
    // Polled: the list may show what it cached until its refresh comes back.
    await expect
      .poll(async () => {
        const cells = (await row.locator('td').allTextContents()).map((cell) => cell.trim());
        const column = (name: string) => asNumber(cells[headers.indexOf(name)] ?? 'NaN');
        return { steps: column('Steps'), enrolled: column('Enrolled') };
      }, LONG)
      .toEqual({ steps: fromApi?.stepCount, enrolled: fromApi?.enrolled });
  }

  // Register.
  const account = await signUp(page, base);
  await page.getByTestId('businesses-empty').waitFor(LONG);
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  const api = apiAs(base, ((await login.json()) as { accessToken: string }).accessToken);
  await step('register');

  // Business.
  const businessId = await createBusiness(page, base);
  const b = `/businesses/${businessId}`;
  expect((await api<{ items: { id: string }[] }>('GET', '/businesses')).items).toHaveLength(1);
  await step('business');

  // Brand voice: suggested by the AI, applied to the profile.
  await page.getByRole('button', { name: 'Suggest a brand voice' }).click();
  const suggestion = page.getByTestId('brand-voice-suggestion');
  await suggestion.waitFor(LONG);
  await suggestion.getByRole('button', { name: 'Use this voice' }).click();
  await page.getByText('Applied to the profile').waitFor(LONG);
  const tone = await page.getByLabel('Tone').inputValue();
  expect(tone).not.toBe('');
  await expect
    .poll(async () => (await api<{ brandVoice: { tone: string } }>('GET', b)).brandVoice.tone, LONG)
    .toBe(tone);
  await step('brand-voice');

  // Campaign.
  await open('Campaigns');
  await page.getByTestId('campaigns-empty').waitFor(LONG);
  await page.getByRole('button', { name: 'New campaign' }).click();
  await page.getByLabel('Campaign name').fill(CAMPAIGN);
  await page.getByLabel('Goal').fill('150 pre-orders of the spring menu');
  for (const channel of ['X', 'LinkedIn']) {
    const button = page.getByRole('button', { name: channel, exact: true });
    if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
  }
  const today = new Date();
  await page.getByLabel('Start date').fill(isoDay(today));
  await page.getByLabel('End date').fill(isoDay(new Date(today.getTime() + 13 * 86_400_000)));
  await step('campaign');
  await page.getByRole('button', { name: 'Create campaign' }).click();
  await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}\/strategy$/);
  const campaignId = /\/campaigns\/([0-9a-f-]{36})\//.exec(page.url())?.[1] ?? '';
  const campaigns = await api<{ items: { id: string; name: string; channels: string[] }[] }>(
    'GET',
    `${b}/campaigns`,
  );
  expect(campaigns.items).toMatchObject([
    { id: campaignId, name: CAMPAIGN, channels: ['x', 'linkedin'] },
  ]);

  // Strategy: a job on the builtin writer; its calendar becomes placeholders.
  await page.getByRole('button', { name: 'Generate strategy' }).click();
  await page.getByTestId('strategy-done').waitFor(LONG);
  await page.getByTestId('strategy').waitFor(LONG);
  await step('strategy');

  // Content: the calendar lists as many pieces as the API; one is written.
  await page.getByRole('link', { name: 'Calendar', exact: true }).click();
  await page.getByTestId('content-calendar').waitFor(LONG);
  await page.getByRole('button', { name: 'List', exact: true }).click();
  const pieces = await api<{ items: { id: string; platform: string }[] }>(
    'GET',
    `${b}/contents?campaignId=${campaignId}&limit=200`,
  );
  expect(pieces.items.length).toBeGreaterThan(2);
  await expect
    .poll(() => page.getByTestId('calendar-item').count(), LONG)
    .toBe(pieces.items.length);
  await page.getByTestId('calendar-item').first().getByRole('link').first().click();
  await page.waitForURL(/\/content\/[0-9a-f-]{36}$/);
  const contentId = /\/content\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? '';
  const content = `${b}/contents/${contentId}`;
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await page.getByTestId('version-row').waitFor(LONG);
  const written = await api<{ body: { text?: string } | null; status: string }>('GET', content);
  expect(written.body?.text).toBeTruthy();
  await step('content');

  // Approve.
  // Each change shows at once (optimistically); the next is clicked once the server took it.
  const statusChanged = () =>
    page.waitForResponse((r) => r.url().endsWith(`/contents/${contentId}/status`));
  const reviewed = statusChanged();
  await page.getByRole('button', { name: 'Submit for review' }).click();
  expect((await reviewed).status()).toBe(200);
  const approved = statusChanged();
  await page.getByRole('button', { name: 'Approve' }).click();
  expect((await approved).status()).toBe(200);
  await page.getByLabel('Publish at').waitFor(LONG);
  expect((await api<{ status: string }>('GET', content)).status).toBe('approved');
  await step('approve');

  // Schedule: ten minutes ahead on the business's clocks.
  await page
    .getByLabel('Publish at')
    .fill(wallClock(new Date(Date.now() + 10 * 60_000), TIME_ZONE));
  const scheduled = page.waitForResponse((r) =>
    r.url().endsWith(`/contents/${contentId}/schedule`),
  );
  await page.getByRole('button', { name: 'Schedule', exact: true }).click();
  // Shown at once (optimistically); stored once the server answers.
  await page.getByTestId('scheduled-for').waitFor(LONG);
  expect((await scheduled).status()).toBe(200);
  expect((await api<{ status: string }>('GET', content)).status).toBe('scheduled');
  await step('schedule');

  // Publish: a quarter of an hour later, as the test says; the page notices on its own.
  await herald.publishAsIfLater(15 * 60);
  await page.getByTestId('published-at').waitFor(LONG);
  await page.getByTestId('attempt-row').first().waitFor(LONG);
  const afterPublish = await campaignProgressMatches(campaignId);
  expect(afterPublish).toMatchObject({ written: 1, published: 1 });
  await step('publish');

  // Sequence: one email, right after enrollment.
  await open('Email sequences');
  await page.getByTestId('sequences-empty').waitFor(LONG);
  await page.getByRole('button', { name: 'New sequence' }).click();
  await page.getByLabel('Sequence name').fill(SEQUENCE);
  await page.getByRole('button', { name: 'Create sequence' }).click();
  await page.waitForURL(/\/sequences\/[0-9a-f-]{36}$/);
  const sequenceId = /\/sequences\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? '';
  await page
    .getByLabel('Subject', { exact: true })
    .fill('Welcome, {{ subscriber.first_name | default: "friend" }}');
  // Written in Markdown, the editor's default (a marketer does not write HTML).
  await page
    .getByLabel('Email', { exact: true })
    .fill('Hello {{ subscriber.first_name | default: "neighbour" }}, **fresh bread** daily.');
  await page.getByRole('button', { name: 'Add step' }).click();
  await expect.poll(() => page.getByTestId('step').count(), LONG).toBe(1);
  await step('sequence');

  // Import: three subscribers from a CSV file, previewed, then confirmed.
  await open('Subscribers');
  await page.getByTestId('subscribers-empty').waitFor(LONG);
  await page.getByLabel('CSV file').setInputFiles({
    name: 'customers.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(CSV),
  });
  await page.getByTestId('import-preview').waitFor(LONG);
  await page.getByRole('button', { name: 'Confirm import' }).click();
  await page.getByTestId('import-report').waitFor(LONG);
  expect(await page.getByTestId('import-report').textContent()).toContain('3 added');
  const subscribers = await api<{ items: unknown[] }>('GET', `${b}/subscribers?limit=100`);
  expect(subscribers.items).toHaveLength(3);
  await expect.poll(() => page.getByTestId('subscriber-row').count(), LONG).toBe(3);
  await step('import');

  // Send: enroll everyone, activate; the dispatcher puts the first email in the outbox.
  await open('Email sequences');
  await page.getByRole('link', { name: SEQUENCE, exact: true }).click();
  await page.getByRole('button', { name: 'Enroll', exact: true }).click();
  await page.getByTestId('enroll-result').waitFor(LONG);
  expect(await page.getByTestId('enroll-result').textContent()).toContain('3 enrolled');
  await page.getByRole('button', { name: 'Activate' }).click();
  await expect.poll(() => page.getByTestId('sequence-status').textContent(), LONG).toBe('Active');
  await expect
    .poll(async () => (await api<{ items: unknown[] }>('GET', `${b}/outbox`)).items.length, LONG)
    .toBe(3);
  await open('Outbox');
  await expect.poll(() => page.getByTestId('outbox-row').count(), LONG).toBe(3);
  const emails = (await page.getByTestId('outbox-row').allTextContents()).join('\n');
  expect(emails).toContain('ann@example.com');
  expect(emails).toContain('Welcome, Ann');
  // The published piece is listed above the emails, as the API lists it.
  const publications = await api<{ items: unknown[] }>('GET', `${b}/publications`);
  expect(publications.items).toHaveLength(1);
  expect(await page.getByTestId('published-row').count()).toBe(publications.items.length);
  await step('send');
  await sequenceRowMatches(sequenceId);

  // Usage: the calls and the cost of the period the page shows (the last 30 UTC days).
  await open('AI usage & cost');
  const summary = page.getByTestId('usage-summary');
  await summary.waitFor(LONG);
  const to = isoDay(new Date());
  const from = isoDay(new Date(Date.now() - 29 * 86_400_000));
  const usage = await api<{
    totals: { calls: number; costUsd: number; promptTokens: number; completionTokens: number };
  }>('GET', `${b}/ai/usage?from=${from}&to=${to}`);
  expect(usage.totals.calls).toBeGreaterThanOrEqual(3); // brand voice, strategy, one piece
  expect(asNumber(await stat(summary, 'Model calls'))).toBe(usage.totals.calls);
  expect(asNumber(await stat(summary, 'Tokens'))).toBe(
    usage.totals.promptTokens + usage.totals.completionTokens,
  );
  expect(asNumber(await stat(summary, 'Spent in the period'))).toBeCloseTo(usage.totals.costUsd, 2);
  await step('usage');

  // Jobs: one row per job the API lists, each finished.
  await open('Jobs');
  const jobs = await api<{ items: { status: string }[] }>('GET', `${b}/jobs?limit=50`);
  expect(jobs.items.map((job) => job.status)).toEqual(jobs.items.map(() => 'succeeded'));
  await expect.poll(() => page.getByTestId('job-row').count(), LONG).toBe(jobs.items.length);
  await expect
    .poll(() => page.getByTestId('job-row').filter({ hasText: 'Succeeded' }).count(), LONG)
    .toBe(jobs.items.length);
  await step('jobs');

  // Analytics: the campaign's totals and the sequence's, as the API counts them.
  await open('Campaigns');
  await page.getByRole('link', { name: CAMPAIGN, exact: true }).click();
  await page
    .getByRole('navigation', { name: 'Campaign views' })
    .getByRole('link', {
      name: 'Analytics',
    })
    .click();
  const totals = page.getByRole('region', { name: 'Campaign totals' });
  await totals.waitFor(LONG);
  const campaignFigures = await api<{ totals: { impressions: number; clicks: number } }>(
    'GET',
    `${b}/campaigns/${campaignId}/analytics`,
  );
  expect(asNumber(await stat(totals, 'Impressions'))).toBe(campaignFigures.totals.impressions);
  expect(asNumber(await stat(totals, 'Clicks'))).toBe(campaignFigures.totals.clicks);
  await step('campaign-analytics');
  await open('Email sequences');
  await page.getByRole('link', { name: SEQUENCE, exact: true }).click();
  await page.getByRole('link', { name: 'Analytics', exact: true }).click();
  const sequenceTotals = page.getByTestId('sequence-totals');
  await sequenceTotals.waitFor(LONG);
  const sequenceFigures = await api<{
    enrolled: number;
    totals: { sent: number };
    steps: { sent: number }[];
  }>('GET', `${b}/sequences/${sequenceId}/analytics?days=30`);
  expect(sequenceFigures).toMatchObject({ enrolled: 3, totals: { sent: 3 } });
  expect(asNumber(await stat(sequenceTotals, 'Enrolled'))).toBe(sequenceFigures.enrolled);
  expect(asNumber(await stat(sequenceTotals, 'Sent'))).toBe(sequenceFigures.totals.sent);
  const firstStep = page.getByTestId('step-analytics-row').first().locator('td');
  expect(asNumber((await firstStep.nth(1).textContent()) ?? '')).toBe(
    sequenceFigures.steps[0]?.sent,
  );
  await step('sequence-analytics');

  // Sign out and in: everything is still there.
  await showMenu();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${base}/login`);
  await step('signed-out');
  await signIn(page, base, account);
  // Signed in, the dashboard opens the business used last (a redirect: a menu opened before it
  // lands would close again).
  await page.waitForURL(`${base}${b}/home`);
  await page.getByRole('heading', { level: 1 }).first().waitFor(LONG);
  await step('home-after-sign-in');
  expect(await campaignProgressMatches(campaignId)).toEqual(afterPublish);
  await sequenceRowMatches(sequenceId);
  await open('Subscribers');
  await expect.poll(() => page.getByTestId('subscriber-row').count(), LONG).toBe(3);
  await step('signed-in-again');

  // Reload mid-job: "Write all drafts" held at its first piece, the page reloaded, the job found
  // again and followed to its end.
  await open('Campaigns');
  await page.getByRole('link', { name: CAMPAIGN, exact: true }).click();
  await page.getByRole('link', { name: 'Calendar', exact: true }).click();
  const panel = page.getByTestId('bulk-panel');
  await panel.waitFor(LONG);
  await herald.holdAi();
  await panel.getByRole('button', { name: 'Write all drafts' }).click();
  await expect.poll(() => herald.heldAiCalls(), LONG).toBe(1);
  await panel.getByTestId('job-progress').waitFor(LONG);
  await page.reload();
  await panel.getByTestId('job-progress').waitFor(LONG);
  await panel.getByRole('button', { name: 'Writing drafts…' }).waitFor(LONG);
  await step('reload-mid-job');
  await herald.releaseAi();
  await panel.getByTestId('write-all-result').waitFor(LONG);
  const emptyBefore = pieces.items.length - 1;
  expect(await panel.getByTestId('write-all-result').textContent()).toContain(
    `${emptyBefore} pieces written`,
  );
  const drafted = await campaignProgressMatches(campaignId);
  expect(drafted.written).toBe(pieces.items.length);
  await step('job-finished');

  await context.close();
  expect(tooWide).toEqual([]);
  expect(errors).toEqual([]);
}

describe('the whole journey of a first-time marketer, clicked through the dashboard', () => {
  for (const viewport of [
    { width: 1366, height: 800 },
    { width: 390, height: 844 },
  ]) {
    it(`at ${viewport.width}×${viewport.height}: nothing wider than the screen, no uncaught error, and the counts shown match the API`, async () => {
      await walk(viewport);
    }, 400_000);
  }
});
