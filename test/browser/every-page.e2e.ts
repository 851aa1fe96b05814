// Every page of the dashboard, filled with realistic data made through the API (a business, a
// campaign with its strategy and pieces, one scheduled and one published, a two-step sequence,
// subscribers, their first emails in the outbox, the jobs that made all that, an open invitation),
// visited at phone width (390×844) and at laptop width (1366×800). On each: nothing wider than
// the screen (phone), a top bar of its own height, a document title, and no uncaught error.
import { setTimeout as sleep } from 'node:timers/promises';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type Herald,
  launchChromium,
  pageWidth,
  screenshot,
  signUp,
  startHerald,
} from './harness.ts';

const BUSINESS = 'Blue Door Bakery & Café on the Long Harbour Road';
const CAMPAIGN = 'Spring menu launch for the whole neighbourhood';
const SEQUENCE = 'Welcome series for new pre-order customers';

let herald: Herald;
let browser: Browser;
let account: { email: string; password: string };
let seeded: Seeded;

interface Seeded {
  businessId: string;
  campaignId: string;
  scheduledId: string;
  scheduledTopic: string;
  publishedId: string;
  publishedTopic: string;
  sequenceId: string;
  segmentId: string;
  customerId: string;
  templateId: string;
  broadcastId: string;
  /** The path of an open invitation's link (to someone else: its page shows, unanswered). */
  invitationPath: string;
  brandVoiceJobId: string;
  sessionId: string;
  sessionTitle: string;
  decisionId: string;
  documentId: string;
}

/** The API as the signed-in marketer (a bearer token from signing in). */
function apiAs(token: string) {
  return async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${herald.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        // A chat message answers with its stored reply rather than an event stream.
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) {
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  };
}

type Api = ReturnType<typeof apiAs>;

/** Asks again every quarter second until `done` says yes (background work: jobs, dispatch). */
async function until<T>(what: string, ask: () => Promise<T>, done: (value: T) => boolean) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await ask();
    if (done(value)) return;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await sleep(250);
  }
}

async function finished(api: Api, accepted: { job: { id: string } }): Promise<void> {
  await until(
    `job ${accepted.job.id}`,
    async () => (await api<{ status: string }>('GET', `/jobs/${accepted.job.id}`)).status,
    (status) => status === 'succeeded',
  );
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** Everything a marketer would have after a first afternoon with Herald. */
async function seed(api: Api): Promise<Seeded> {
  const business = await api<{ id: string }>('POST', '/businesses', {
    name: BUSINESS,
    industry: 'Bakery',
    audience: 'Neighbours who walk past on their way to work, and weekend families',
    timezone: 'Europe/Paris',
  });
  const b = `/businesses/${business.id}`;
  const brandVoice = await api<{ job: { id: string } }>('POST', `${b}/ai/brand-voice`, {});
  await finished(api, brandVoice);

  const today = new Date();
  const campaign = await api<{ id: string }>('POST', `${b}/campaigns`, {
    name: CAMPAIGN,
    goal: '200 pre-orders of the spring menu',
    channels: ['x', 'linkedin', 'blog'],
    startDate: isoDay(today),
    endDate: isoDay(new Date(today.getTime() + 13 * 86_400_000)),
  });
  await finished(api, await api('POST', `${b}/campaigns/${campaign.id}/strategy`, {}));
  const { items } = await api<{ items: { id: string; topic: string }[] }>(
    'GET',
    `${b}/contents?campaignId=${campaign.id}&limit=200`,
  );
  const [scheduled, published] = items;
  if (!scheduled || !published) throw new Error('the strategy planned fewer than two pieces');
  for (const [piece, days] of [
    [scheduled, 1],
    [published, 0],
  ] as const) {
    const c = `${b}/contents/${piece.id}`;
    await finished(api, await api('POST', `${c}/generate`, {}));
    await api('POST', `${c}/status`, { status: 'in_review' });
    await api('POST', `${c}/status`, { status: 'approved' });
    // Ahead of now (the published one a few minutes ahead, then the clock moves past it).
    const at = new Date(Date.now() + days * 86_400_000 + 5 * 60_000).toISOString();
    await api('POST', `${c}/schedule`, { publishAt: at });
  }
  await herald.publishAsIfLater(15 * 60);

  const sequence = await api<{ id: string }>('POST', `${b}/sequences`, {
    name: SEQUENCE,
    steps: [
      {
        subject: 'Welcome to the bakery, {{ subscriber.first_name | default: "neighbour" }}',
        html: '<p>Hello {{ subscriber.first_name | default: "neighbour" }}, fresh bread daily.</p>',
      },
      {
        delay: { value: 2, unit: 'days' },
        subject: 'A tip from the bakery: keep your sourdough in paper, never in plastic',
        html: '<p>Keep bread in paper.</p>',
      },
    ],
  });
  for (const [email, firstName] of [
    ['ann@example.com', 'Ann'],
    ['cleo.long-surname-for-the-layout@neighbourhood-bakery-customers.example.com', 'Cleo'],
    ['dev@example.com', undefined],
  ] as const) {
    await api('POST', `${b}/subscribers`, { email, ...(firstName ? { firstName } : {}) });
  }
  await api('POST', `${b}/sequences/${sequence.id}/enrollments`, { filter: { all: true } });
  await api('POST', `${b}/sequences/${sequence.id}/activate`, {});
  // The dispatcher (every half second here) sends step 1 to each subscriber.
  await until(
    'the outbox',
    async () => (await api<{ items: unknown[] }>('GET', `${b}/outbox`)).items.length,
    (count) => count === 3,
  );

  const segment = await api<{ id: string }>('POST', `${b}/segments`, {
    name: 'Pre-order regulars who opened nothing in the last ninety days',
    rules: {
      all: [
        { trait: 'plan', op: 'eq', value: 'pre-order' },
        { event: 'Email Opened', count: { op: 'eq', value: 0 }, withinDays: 90 },
        { any: [{ consent: 'subscribed' }, { orders: { op: 'gte', value: 2 } }] },
      ],
    },
  });

  // A customer known from events (an identify and an order), a template and a broadcast draft.
  await herald.seedEvents(business.id, [
    {
      type: 'identify',
      userId: 'ann-from-the-website',
      traits: { email: 'ann@example.com', name: 'Ann Baker', plan: 'pre-order' },
    },
    {
      type: 'track',
      userId: 'ann-from-the-website',
      event: 'Order Completed',
      properties: { order_id: 'bakery-1001', total: 18.5, currency: 'USD' },
    },
  ]);
  const customers = await api<{ items: { id: string }[] }>(
    'GET',
    `${b}/customers?userId=ann-from-the-website`,
  );
  const template = await api<{ id: string }>('POST', `${b}/templates`, {
    name: 'Weekly bake list with a long name that has to wrap on a phone',
    subject: 'This week at the bakery, {{ subscriber.first_name | default: "neighbour" }}',
    markdown: 'Hello! **Rye** is back on Friday.',
  });
  const broadcast = await api<{ id: string }>('POST', `${b}/broadcasts`, {
    name: 'Spring menu announcement to every neighbour who pre-ordered last year',
    variants: [{ subject: 'Spring is on the menu', html: '<p>Fresh bakes</p>' }],
  });

  // A conversation with the agents (the builtin provider answers), its decision, and a document.
  const session = await api<{ id: string }>('POST', `${b}/chat/sessions`, {});
  const reply = await api<{ decisionId: string }>(
    'POST',
    `${b}/chat/sessions/${session.id}/messages`,
    { content: 'Show our campaigns and how the spring menu pre-orders are going' },
  );
  const chat = await api<{ session: { title: string } }>('GET', `${b}/chat/sessions/${session.id}`);
  const document = await api<{ id: string }>('POST', `${b}/knowledge/documents`, {
    title: 'Opening hours, allergens and the wholesale terms for cafes in the neighbourhood',
    format: 'markdown',
    content: [
      '# Opening hours',
      'We open at seven every day except Monday.',
      '## Allergens',
      'Every loaf contains wheat gluten; the seeded rye also contains sesame.',
    ].join('\n\n'),
  });

  const invitation = await api<{ acceptUrl: string }>('POST', `${b}/invitations`, {
    email: 'new.colleague-with-a-long-address@neighbourhood-bakery-customers.example.com',
    role: 'editor',
  });

  return {
    businessId: business.id,
    campaignId: campaign.id,
    scheduledId: scheduled.id,
    scheduledTopic: scheduled.topic,
    publishedId: published.id,
    publishedTopic: published.topic,
    sequenceId: sequence.id,
    segmentId: segment.id,
    customerId: customers.items[0]?.id ?? '',
    templateId: template.id,
    broadcastId: broadcast.id,
    invitationPath: new URL(invitation.acceptUrl).pathname,
    brandVoiceJobId: brandVoice.job.id,
    sessionId: session.id,
    sessionTitle: chat.session.title,
    decisionId: reply.decisionId,
    documentId: document.id,
  };
}

interface Visit {
  name: string;
  path: string;
  title: string;
  /** What shows once the page has its data (a table row, a chart). */
  ready?: string;
}

function visits(s: Seeded): Visit[] {
  const b = `/businesses/${s.businessId}`;
  const c = `${b}/campaigns/${s.campaignId}`;
  const of = (page: string) => `${page} · ${BUSINESS} · Herald`;
  return [
    { name: 'businesses', path: '/businesses', title: 'Businesses · Herald' },
    { name: 'home', path: `${b}/home`, title: of('Home'), ready: 'week-piece' },
    { name: 'api-keys', path: '/account/api-keys', title: 'API keys · Herald' },
    {
      name: 'activity',
      path: '/account/activity',
      title: 'Security activity · Herald',
      ready: 'audit-row',
    },
    { name: 'profile', path: `${b}/profile`, title: of('Brand profile') },
    { name: 'campaigns', path: `${b}/campaigns`, title: of('Campaigns'), ready: 'campaign-card' },
    { name: 'campaign', path: c, title: of(CAMPAIGN) },
    { name: 'strategy', path: `${c}/strategy`, title: of(CAMPAIGN), ready: 'strategy' },
    { name: 'calendar', path: `${c}/calendar`, title: of(CAMPAIGN), ready: 'calendar-card' },
    { name: 'campaign-analytics', path: `${c}/analytics`, title: of(CAMPAIGN) },
    {
      name: 'content-scheduled',
      path: `${b}/content/${s.scheduledId}`,
      title: of(s.scheduledTopic),
      ready: 'scheduled-for',
    },
    {
      name: 'content-published',
      path: `${b}/content/${s.publishedId}`,
      title: of(s.publishedTopic),
      ready: 'attempt-row',
    },
    { name: 'usage', path: `${b}/usage`, title: of('AI usage & cost'), ready: 'usage-chart' },
    { name: 'jobs', path: `${b}/jobs`, title: of('Jobs'), ready: 'job-row' },
    {
      name: 'job-calls',
      path: `${b}/jobs/${s.brandVoiceJobId}`,
      title: of('Brand voice suggestion · model calls'),
      ready: 'job-calls',
    },
    { name: 'outbox', path: `${b}/outbox`, title: of('Outbox'), ready: 'outbox-row' },
    {
      name: 'sequences',
      path: `${b}/sequences`,
      title: of('Email sequences'),
      ready: 'sequence-row',
    },
    {
      name: 'sequence',
      path: `${b}/sequences/${s.sequenceId}`,
      title: of(SEQUENCE),
      ready: 'step',
    },
    {
      name: 'sequence-analytics',
      path: `${b}/sequences/${s.sequenceId}/analytics`,
      title: of(`${SEQUENCE} analytics`),
      ready: 'step-analytics-row',
    },
    { name: 'customers', path: `${b}/customers`, title: of('Customers'), ready: 'customer-row' },
    {
      name: 'customer',
      path: `${b}/customers/${s.customerId}`,
      title: of('Ann Baker'),
      ready: 'customer-timeline',
    },
    {
      name: 'broadcasts',
      path: `${b}/broadcasts`,
      title: of('Broadcasts'),
      ready: 'broadcast-row',
    },
    {
      name: 'broadcast',
      path: `${b}/broadcasts/${s.broadcastId}`,
      title: of('Spring menu announcement to every neighbour who pre-ordered last year'),
    },
    {
      name: 'templates',
      path: `${b}/templates`,
      title: of('Email templates'),
      ready: 'template-row',
    },
    {
      name: 'template',
      path: `${b}/templates/${s.templateId}`,
      title: of('Weekly bake list with a long name that has to wrap on a phone'),
    },
    {
      name: 'subscribers',
      path: `${b}/subscribers`,
      title: of('Subscribers'),
      ready: 'subscriber-row',
    },
    { name: 'segments', path: `${b}/segments`, title: of('Segments'), ready: 'segment-row' },
    {
      name: 'segment',
      path: `${b}/segments/${s.segmentId}`,
      title: of('Pre-order regulars who opened nothing in the last ninety days'),
      ready: 'rule-condition',
    },
    { name: 'segment-new', path: `${b}/segments/new`, title: of('New segment') },
    {
      name: 'intelligence',
      path: `${b}/intelligence`,
      title: of('Intelligence'),
      ready: 'intelligence-empty',
    },
    { name: 'suppressions', path: `${b}/suppressions`, title: of('Do-not-email list') },
    { name: 'sources', path: `${b}/sources`, title: of('Sources'), ready: 'write-key' },
    { name: 'messages', path: `${b}/messages`, title: of('Messages') },
    { name: 'integrations', path: `${b}/integrations`, title: of('Integrations') },
    { name: 'team', path: `${b}/team`, title: of('Team'), ready: 'invitation-row' },
    {
      name: 'invitation',
      path: s.invitationPath,
      title: 'Invitation · Herald',
      ready: 'invitation',
    },
    {
      name: 'admin',
      path: '/admin',
      title: 'Instance admin · Herald',
      ready: 'admin-business-row',
    },
    { name: 'chat', path: `${b}/chat`, title: of('Chat'), ready: 'chat-session' },
    {
      name: 'chat-session',
      path: `${b}/chat/${s.sessionId}`,
      title: of(s.sessionTitle),
      ready: 'chat-assistant-message',
    },
    { name: 'decisions', path: `${b}/decisions`, title: of('Decision log') },
    {
      name: 'decision',
      path: `${b}/decisions/${s.decisionId}`,
      title: of('Decision'),
      ready: 'decision-detail',
    },
    { name: 'knowledge', path: `${b}/knowledge`, title: of('Knowledge base') },
    {
      name: 'knowledge-document',
      path: `${b}/knowledge/${s.documentId}`,
      title: of('Opening hours, allergens and the wholesale terms for cafes in the neighbourhood'),
      ready: 'knowledge-chunk',
    },
    { name: 'not-found', path: '/no-such-page', title: 'Page not found · Herald' },
  ];
}

/** Relative luminance contrast of two `rgb(…)` colours, as WCAG defines it. */
function contrast(a: string, b: string): number {
  const luminance = (colour: string) => {
    const [r = 0, g = 0, bl = 0] = (colour.match(/\d+(\.\d+)?/g) ?? []).map(Number);
    const channel = (v: number) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(bl);
  };
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (high + 0.05) / (low + 0.05);
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${herald.url}/login`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/** Opens a page and waits until it shows its data: no skeleton left, its ready marker there. */
async function open(page: Page, visit: Visit): Promise<void> {
  await page.goto(herald.url + visit.path);
  // Every page has a heading (the not-found page's is its empty state's).
  await page.locator('h1, h2').first().waitFor();
  if (visit.ready) await page.getByTestId(visit.ready).first().waitFor({ timeout: 15_000 });
  await expect.poll(() => page.getByTestId('skeleton').count(), { timeout: 15_000 }).toBe(0);
}

async function newPage(
  viewport: { width: number; height: number },
  errors: string[],
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  return { context, page };
}

beforeAll(async () => {
  [herald, browser] = await Promise.all([
    startHerald({
      LLM_PROVIDER: 'builtin',
      RATE_LIMIT_AI_PER_MINUTE: '30',
      EMAIL_DISPATCH_INTERVAL_MS: '500',
    }),
    launchChromium(),
  ]);
  const { context, page } = await newPage({ width: 1366, height: 800 }, []);
  account = await signUp(page, herald.url);
  await context.close();
  const login = await fetch(`${herald.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  seeded = await seed(apiAs(accessToken));
}, 180_000);

afterAll(async () => {
  await (browser as Browser | undefined)?.close();
  await (herald as Herald | undefined)?.stop();
});

describe('every page of the dashboard, filled with data', () => {
  it('at 390×844 nothing is wider than the screen, the top bar keeps its height, every page has a title and no error', async () => {
    const errors: string[] = [];
    const { context, page } = await newPage({ width: 390, height: 844 }, errors);

    // The pages before signing in.
    for (const [path, title] of [
      ['/login', 'Sign in · Herald'],
      ['/register', 'Create your account · Herald'],
      ['/verify-email', 'Verify your email · Herald'],
    ] as const) {
      await page.goto(herald.url + path);
      await page.locator('h1').first().waitFor();
      await expect.poll(() => page.title()).toBe(title);
      const width = await pageWidth(page);
      expect(width.scrollWidth, `${path}: ${width.wide.join(', ')}`).toBeLessThanOrEqual(390);
    }

    await signIn(page);
    const problems: string[] = [];
    for (const visit of visits(seeded)) {
      await open(page, visit);
      await expect.poll(() => page.title(), { message: `${visit.name}'s title` }).toBe(visit.title);
      const width = await pageWidth(page);
      if (width.scrollWidth > width.innerWidth) {
        problems.push(`${visit.name}: ${width.scrollWidth}px wide (${width.wide.join(', ')})`);
      }
      const topBar = await page.locator('.topbar').boundingBox();
      if (!topBar || topBar.height > 80) {
        problems.push(`${visit.name}: the top bar is ${topBar?.height ?? 'not shown'}px tall`);
      }
      await screenshot(page, `phone-${visit.name}`);
    }
    expect(problems).toEqual([]);

    // In the content editor the review and scheduling actions come before the tall preview.
    await open(page, visits(seeded).find((visit) => visit.name === 'content-scheduled') as Visit);
    const workflow = await page.getByTestId('workflow').boundingBox();
    const preview = await page.getByTestId('preview').boundingBox();
    expect(workflow && preview && workflow.y < preview.y).toBe(true);

    await context.close();
    expect(errors).toEqual([]);
  }, 240_000);

  it('at 1366×800 every page has a title, no error, the editor keeps its two columns, and focus rings and chart legends are readable', async () => {
    const errors: string[] = [];
    const { context, page } = await newPage({ width: 1366, height: 800 }, errors);
    await signIn(page);
    for (const visit of visits(seeded)) {
      await open(page, visit);
      await expect.poll(() => page.title(), { message: `${visit.name}'s title` }).toBe(visit.title);
      const width = await pageWidth(page);
      expect(width.scrollWidth, `${visit.name}: ${width.wide.join(', ')}`).toBeLessThanOrEqual(
        1366,
      );
      await screenshot(page, `desktop-${visit.name}`);
    }

    // The editor: the text and its preview on the left, the actions beside them.
    await open(page, visits(seeded).find((visit) => visit.name === 'content-scheduled') as Visit);
    const workflow = await page.getByTestId('workflow').boundingBox();
    const preview = await page.getByTestId('preview').boundingBox();
    expect(workflow && preview && workflow.x > preview.x + preview.width).toBe(true);

    // A focused field's ring stands out from the white card it sits on (WCAG: 3:1).
    await open(page, visits(seeded).find((visit) => visit.name === 'profile') as Visit);
    await page.getByLabel('Business name').focus();
    const ring = await page.evaluate<string>(
      'getComputedStyle(document.activeElement).outlineColor',
    );
    expect(contrast(ring, 'rgb(255, 255, 255)')).toBeGreaterThanOrEqual(3);

    // Chart legends are text: 4.5:1 against the card.
    await open(page, visits(seeded).find((visit) => visit.name === 'usage') as Visit);
    await page.locator('.recharts-legend-item-text').first().waitFor();
    const legends = await page.evaluate<string[]>(
      `[...document.querySelectorAll('.recharts-legend-item-text')].map((el) => getComputedStyle(el).color)`,
    );
    expect(legends.length).toBeGreaterThan(1);
    for (const colour of legends) {
      expect(contrast(colour, 'rgb(255, 255, 255)')).toBeGreaterThanOrEqual(4.5);
    }

    await context.close();
    expect(errors).toEqual([]);
  }, 180_000);
});
