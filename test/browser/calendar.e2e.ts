// The content calendar in Chromium: list weeks counted from the campaign's start (a strategy's
// "Week 1" sits under "Week 1"), the month / week grid with pieces on their days, drag to
// reschedule a draft (native drag and drop) and "Move to…" without a mouse, a published piece
// that stays put, a refused move that puts the card back and says why, and a phone-sized screen.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { type Herald, launchChromium, screenshot, signUp, startHerald } from './harness.ts';

const TIME_ZONE = 'Europe/Paris';
const DAY_MS = 86_400_000;

let herald: Herald;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [herald, browser] = await Promise.all([
    startHerald({ LLM_PROVIDER: 'builtin' }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await (browser as Browser | undefined)?.close();
  await (herald as Herald | undefined)?.stop();
});

beforeEach(async () => {
  await herald.clearFaults();
  context = await browser.newContext({
    viewport: { width: 1366, height: 800 },
    timezoneId: TIME_ZONE,
  });
  page = await context.newPage();
  pageErrors.length = 0;
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
});

/** Today on Paris clocks, and `days` after it. */
function parisDay(days = 0): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(
    new Date(Date.now() + days * DAY_MS),
  );
}
/** `YYYY-MM-DDTHH:mm` of an instant on Paris clocks. */
function parisClock(iso: string): string {
  return new Date(iso)
    .toLocaleString('sv-SE', { timeZone: TIME_ZONE, hour12: false })
    .slice(0, 16)
    .replace(' ', 'T');
}
const addDays = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

type Api = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;

interface Piece {
  id: string;
  publishAt: string | null;
  plannedDate: string | null;
  status: string;
  publishedAt: string | null;
}

/** Signs up in the browser; a business in Paris, a campaign and its pieces through the API. */
async function seed() {
  const account = await signUp(page, herald.url);
  const login = await fetch(`${herald.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const api: Api = async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${herald.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${accessToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const business = await api<{ id: string }>('POST', '/businesses', {
    name: 'Blue Door Bakery',
    industry: 'Bakery',
    timezone: TIME_ZONE,
  });
  const b = `/businesses/${business.id}`;
  // Started two days ago: its first week runs from then, not from a Monday.
  const start = parisDay(-2);
  const campaign = await api<{ id: string }>('POST', `${b}/campaigns`, {
    name: 'Spring menu launch',
    goal: '200 pre-orders of the spring menu',
    channels: ['x', 'linkedin'],
    startDate: start,
    endDate: addDays(start, 20),
  });
  const piece = (topic: string, plannedDate: string, platform = 'x') =>
    api<Piece>('POST', `${b}/contents`, {
      campaignId: campaign.id,
      platform,
      topic,
      plannedDate,
    });
  const first = await piece('Week 1: Opening day', addDays(start, 5));
  const second = await piece('Week 2: The spring menu', addDays(start, 8), 'linkedin');
  const published = await piece('Our doors are open', parisDay(0));
  const c = `${b}/contents/${published.id}`;
  await api('PATCH', c, { body: { text: 'The spring menu is here: come by the bakery.' } });
  await api('POST', `${c}/status`, { status: 'in_review' });
  await api('POST', `${c}/status`, { status: 'approved' });
  await api('POST', `${c}/schedule`, {
    publishAt: new Date(Date.now() + 60_000).toISOString(),
  });
  expect(await herald.publishAsIfLater(5 * 60)).toBe(1);
  // Scheduled for 10:30 (Paris) in two days.
  const scheduled = await piece('Tasting evening', parisDay(2), 'linkedin');
  const s = `${b}/contents/${scheduled.id}`;
  await api('PATCH', s, { body: { text: 'Taste the spring menu with us on Thursday evening.' } });
  await api('POST', `${s}/status`, { status: 'in_review' });
  await api('POST', `${s}/status`, { status: 'approved' });
  await api('POST', `${s}/schedule`, { publishAt: `${parisDay(2)}T10:30` });
  const get = (id: string) => api<Piece>('GET', `${b}/contents/${id}`);
  return {
    url: `${herald.url}/businesses/${business.id}/campaigns/${campaign.id}/calendar`,
    start,
    first,
    second,
    scheduled,
    published: await get(published.id),
    get,
  };
}

/** What reaches past the screen's right edge (tag, classes, width), outermost first. */
const WIDER_THAN_SCREEN = `(() => [...document.querySelectorAll('body *')]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 5)
  .map((el) => el.tagName.toLowerCase() + '.' + String(el.className).split(' ').join('.') +
    ' ' + Math.round(el.getBoundingClientRect().width) + 'px'))()`;

const cell = (day: string) => page.locator(`[data-testid="calendar-cell"][data-day="${day}"]`);
const card = (id: string) => page.locator(`[data-testid="calendar-card"][data-id="${id}"]`);

/** Moves the grid forward until the day is on screen (a piece may be next month). */
async function showDay(day: string) {
  for (let step = 0; step < 3 && (await cell(day).count()) === 0; step++) {
    await page.getByRole('button', { name: /^Next (month|week)$/ }).click();
  }
  await cell(day).waitFor();
}

/** Polls the API (the page saves in the background) until the piece has the value. */
async function until<T>(ask: () => Promise<T>, expected: T) {
  await expect.poll(ask, { timeout: 15_000 }).toEqual(expected);
}

describe('the content calendar in Chromium', () => {
  it('labels list weeks from the campaign start, and drags, moves and refuses on the grid', async () => {
    const seeded = await seed();
    await page.goto(seeded.url);
    await page.getByTestId('calendar-grid').waitFor();

    // The list: each group's label names the dates of the days under it, counted from the start.
    await page.getByRole('button', { name: 'List', exact: true }).click();
    const weeks = page.getByTestId('calendar-week');
    await weeks.first().waitFor();
    for (const week of await weeks.all()) {
      const from = (await week.getAttribute('data-week-start')) ?? '';
      const days = await Promise.all(
        (await week.locator('time').all()).map(async (time) => time.getAttribute('datetime')),
      );
      for (const day of days.map(String)) {
        expect(day >= from && day <= addDays(from, 6), `${day} in the week of ${from}`).toBe(true);
      }
    }
    const weekOf = (topic: string) =>
      weeks.filter({ hasText: topic }).getByRole('heading', { level: 3 }).textContent();
    expect(await weekOf('Week 1: Opening day')).toMatch(/^Week 1 · /);
    expect(await weekOf('Week 2: The spring menu')).toMatch(/^Week 2 · /);
    await screenshot(page, 'calendar-list');
    // The choice is remembered.
    await page.reload();
    await weeks.first().waitFor();
    await page.getByRole('button', { name: 'Grid', exact: true }).click();

    // The grid: pieces on their planned day, today marked, coloured by platform.
    const grid = page.getByTestId('calendar-grid');
    await grid.waitFor();
    expect(await cell(parisDay(0)).getAttribute('class')).toContain('today');
    const firstDay = addDays(seeded.start, 5);
    await showDay(firstDay);
    await card(seeded.first.id).waitFor();
    expect(await cell(firstDay).locator(`[data-id="${seeded.first.id}"]`).count()).toBe(1);
    await screenshot(page, 'calendar-month');

    // Drag the draft to the next day: its planned date changes.
    const target = addDays(firstDay, 1);
    await showDay(target);
    await card(seeded.first.id).dragTo(cell(target));
    await cell(target).locator(`[data-id="${seeded.first.id}"]`).waitFor();
    await until(async () => (await seeded.get(seeded.first.id)).plannedDate, target);

    // The published piece is not draggable and does not move when dragged.
    await page.getByRole('button', { name: 'Today' }).click();
    const published = card(seeded.published.id);
    await published.waitFor();
    expect(await published.getAttribute('draggable')).toBe('false');
    expect(await published.getByRole('button', { name: /^Move/ }).count()).toBe(0);
    const elsewhere = addDays(parisDay(0), 1);
    await showDay(elsewhere);
    await published.dragTo(cell(elsewhere));
    expect(await cell(elsewhere).locator(`[data-id="${seeded.published.id}"]`).count()).toBe(0);
    expect((await seeded.get(seeded.published.id)).publishedAt).toBe(seeded.published.publishedAt);

    // A scheduled piece dragged to another day is scheduled again there, at the same time.
    await page.getByRole('button', { name: 'Today' }).click();
    await showDay(parisDay(2));
    await card(seeded.scheduled.id).getByText('10:30').waitFor();
    await showDay(parisDay(3));
    await card(seeded.scheduled.id).dragTo(cell(parisDay(3)));
    await until(async () => {
      const piece = await seeded.get(seeded.scheduled.id);
      return [piece.status, piece.publishAt && parisClock(piece.publishAt)];
    }, ['scheduled', `${parisDay(3)}T10:30`]);
    await cell(parisDay(3)).locator(`[data-id="${seeded.scheduled.id}"]`).waitFor();

    // "Move to…" without dragging: a date field on the card.
    const secondDay = addDays(seeded.start, 8);
    const moved = addDays(seeded.start, 10);
    await showDay(secondDay);
    await card(seeded.second.id)
      .getByRole('button', { name: /to another day/ })
      .click();
    await card(seeded.second.id)
      .getByLabel(/New day for/)
      .fill(moved);
    await card(seeded.second.id).getByRole('button', { name: 'Move', exact: true }).click();
    await until(async () => (await seeded.get(seeded.second.id)).plannedDate, moved);
    await showDay(moved);
    await cell(moved).locator(`[data-id="${seeded.second.id}"]`).waitFor();

    // A refusal from the server puts the card back and says why.
    await herald.fault({
      method: 'PATCH',
      path: '^/api/v1/businesses/[^/]+/contents/',
      kind: 'conflict',
    });
    const back = addDays(moved, 1);
    await showDay(back);
    await card(seeded.second.id)
      .getByRole('button', { name: /to another day/ })
      .click();
    await card(seeded.second.id)
      .getByLabel(/New day for/)
      .fill(back);
    await card(seeded.second.id).getByRole('button', { name: 'Move', exact: true }).click();
    const notice = page.getByTestId('calendar-notice');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/Could not move .*Someone else changed/);
    await cell(moved).locator(`[data-id="${seeded.second.id}"]`).waitFor();
    expect((await seeded.get(seeded.second.id)).plannedDate).toBe(moved);
    await screenshot(page, 'calendar-refused');
  });

  it('fits a phone: the grid opens on the week, and the month and the list fit too', async () => {
    const seeded = await seed();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(seeded.url);
    const grid = page.getByTestId('calendar-grid');
    await grid.waitFor();
    expect(await grid.getAttribute('data-mode')).toBe('week');
    const widest = () => page.evaluate<string[]>(WIDER_THAN_SCREEN);
    expect(await widest()).toEqual([]);
    await screenshot(page, 'calendar-phone-week');
    await page.getByRole('button', { name: 'Month', exact: true }).click();
    expect(await grid.getAttribute('data-mode')).toBe('month');
    expect(await widest()).toEqual([]);
    await screenshot(page, 'calendar-phone-month');
    await page.getByRole('button', { name: 'List', exact: true }).click();
    await page.getByTestId('calendar-week').first().waitFor();
    expect(await widest()).toEqual([]);
  });
});
