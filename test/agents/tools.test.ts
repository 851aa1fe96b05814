// The agents' tools over the test app's own services (runtime.services, built as `herald serve`
// builds them): each read tool answers what the API answers for the same data, another
// tenant's ids are the services' NOT_FOUND, the data-changing tools leave what the API then
// shows (a draft, an approved and scheduled piece, a draft campaign and sequence, a queued job),
// input outside the schemas is refused before anything runs, and every schema converts to the
// JSON Schema the model is sent.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { type AgentTool } from '../../src/modules/agents/tool-registry.ts';
import { createAgentTools } from '../../src/modules/agents/tools/index.ts';
import { intelligenceRuns } from '../../src/platform/db/schema/index.ts';
import type { Principal } from '../../src/platform/http/auth-guard.ts';
import type { ContentView } from '../campaigns/helpers.ts';
import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  addMember,
  newBusiness,
  newCampaign,
  newContent,
  newSegment,
  newSequence,
  newSubscriber,
  newUser,
  type TestUser,
} from '../helpers/fixtures.ts';
import { predictiveCard, predictiveFigures } from '../helpers/intelligence-runs.ts';
import { addScoredRun } from '../helpers/scores.ts';
import { addCustomer } from '../segments/data.ts';

interface Named {
  id: string;
  name: string;
  status: string;
}
interface Page<T> {
  items: T[];
}

const principalOf = (user: TestUser): Principal => ({
  userId: user.id,
  via: 'jwt',
  scopes: ['read', 'write'],
});

/** Seeds a business the way its owner would: campaigns, pieces with figures, a sequence, … */
async function seedBusiness(ctx: TestApp, owner: TestUser, businessId: string) {
  const b = `/api/v1/businesses/${businessId}`;
  const spring = await newCampaign(ctx.app, owner, businessId, {
    name: 'Spring launch',
    goal: 'Sell the spring loaves',
    channels: ['linkedin', 'x'],
  });
  const summer = await newCampaign(ctx.app, owner, businessId, {
    name: 'Summer sale',
    status: 'active',
  });
  const post = await newContent(ctx.app, owner, businessId, {
    campaignId: spring.id,
    platform: 'linkedin',
    topic: 'Spring loaves',
    body: { text: `Spring loaves are here. ${'Fresh every morning. '.repeat(40)}` },
  });
  await newContent(ctx.app, owner, businessId, { campaignId: summer.id });
  await api(
    ctx.app,
    owner,
    'PUT',
    `${b}/contents/${post.id}/metrics`,
    { day: '2026-11-20', impressions: 1000, clicks: 40, conversions: 4 },
    200,
  );
  const sequence = await newSequence(ctx.app, owner, businessId);
  await newSubscriber(ctx.app, owner, businessId, { email: 'ann@example.org' });
  await newSubscriber(ctx.app, owner, businessId, { email: 'ben@example.org' });
  const segment = await newSegment(ctx.app, owner, businessId);
  const db = ctx.runtime.database.db;
  const ann = await addCustomer(db, businessId, {
    email: 'ann@example.com',
    name: 'Ann',
    orderCount: 5,
    traits: { plan: 'pro' },
  });
  const ben = await addCustomer(db, businessId, { email: 'ben@example.com', orderCount: 1 });
  const runId = await addScoredRun(db, businessId, [
    { customerId: ann, rfmSegment: 'at_risk', churnTier: 'high', clvPercentile: 95 },
    { customerId: ben, rfmSegment: 'champions', churnTier: 'low', clvPercentile: 40 },
  ]);
  // The run's model card and figures, as a real run stores them beside its scores.
  await db
    .update(intelligenceRuns)
    .set({ model: predictiveCard(), figures: predictiveFigures() })
    .where(eq(intelligenceRuns.id, runId));
  return { spring, summer, post, sequence, segment, ann, runId };
}

describe('agent tools over the services', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let stranger: TestUser;
  let businessId: string;
  let otherBusinessId: string;
  let b: string;
  let tools: AgentTool[];
  let mine: Awaited<ReturnType<typeof seedBusiness>>;
  let theirs: Awaited<ReturnType<typeof seedBusiness>>;

  const tool = (name: string): AgentTool => {
    const found = tools.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no tool ${name}`);
    return found;
  };
  /** Validates the input as the turn engine does, then runs the tool as the owner. */
  async function call<T = Record<string, unknown>>(
    name: string,
    input: Record<string, unknown> = {},
    as: { user?: TestUser; businessId?: string } = {},
  ): Promise<T> {
    const chosen = tool(name);
    const parsed = chosen.input.parse(input);
    const context = {
      principal: principalOf(as.user ?? owner),
      businessId: as.businessId ?? businessId,
    };
    return (await chosen.run(context, parsed)) as T;
  }
  const get = async <T>(path: string) => (await api<T>(ctx.app, owner, 'GET', `${b}${path}`)).body;

  beforeAll(async () => {
    ctx = await buildTestApp();
    tools = createAgentTools(ctx.runtime.services);
    owner = await newUser(ctx.app);
    stranger = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    otherBusinessId = (await newBusiness(ctx.app, stranger)).id;
    b = `/api/v1/businesses/${businessId}`;
    mine = await seedBusiness(ctx, owner, businessId);
    theirs = await seedBusiness(ctx, stranger, otherBusinessId);
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('list_campaigns names the campaigns GET …/campaigns lists, and filters by status', async () => {
    const listed = await get<Page<Named>>('/campaigns');
    const result = await call<{ campaigns: Named[]; more: boolean }>('list_campaigns');
    expect(result.campaigns.map((campaign) => campaign.name)).toEqual(
      listed.items.map((campaign) => campaign.name),
    );
    expect(result.campaigns.map((campaign) => campaign.name).sort()).toEqual([
      'Spring launch',
      'Summer sale',
    ]);
    expect(tool('list_campaigns').summarize(result, { limit: 10 })).toMatch(
      /^2 campaigns: (Summer sale and Spring launch|Spring launch and Summer sale)\.$/,
    );

    const active = await call<{ campaigns: Named[] }>('list_campaigns', { status: 'active' });
    expect(active.campaigns.map((campaign) => campaign.name)).toEqual(['Summer sale']);
    expect(tool('list_campaigns').summarize(active, { status: 'active', limit: 10 })).toBe(
      '1 active campaign: Summer sale.',
    );
    const one = await call<{ campaigns: Named[]; more: boolean }>('list_campaigns', { limit: 1 });
    expect(one.campaigns).toHaveLength(1);
    expect(one.more).toBe(true);
  });

  it('get_campaign and get_campaign_analytics answer what the API answers', async () => {
    const campaign = await get<Named & { progress: unknown; goal: string }>(
      `/campaigns/${mine.spring.id}`,
    );
    const result = await call<Named & { progress: unknown; goal: string; strategy: unknown }>(
      'get_campaign',
      { campaignId: mine.spring.id },
    );
    expect(result).toMatchObject({
      id: campaign.id,
      name: campaign.name,
      status: campaign.status,
      goal: campaign.goal,
      progress: campaign.progress,
      strategy: null,
    });

    const figures = await get<{ totals: unknown; byPlatform: unknown[] }>(
      `/campaigns/${mine.spring.id}/analytics`,
    );
    const analytics = await call<{ totals: { impressions: number }; byPlatform: unknown[] }>(
      'get_campaign_analytics',
      { campaignId: mine.spring.id },
    );
    expect(analytics.totals).toEqual(figures.totals);
    expect(analytics.byPlatform).toEqual(figures.byPlatform);
    expect(analytics.totals.impressions).toBe(1000);
    expect(tool('get_campaign_analytics').summarize(analytics, {})).toContain('1000 impressions');

    const overview = await get<{ totals: unknown }>('/analytics/overview');
    const summary = await call<{ totals: unknown; campaignCount: number }>(
      'get_analytics_overview',
    );
    expect(summary.totals).toEqual(overview.totals);
    expect(summary.campaignCount).toBe(2);
  });

  it('list_content and get_content show the pieces of GET …/contents, the text clipped', async () => {
    const listed = await get<Page<ContentView>>('/contents');
    const result = await call<{ content: { id: string; status: string }[] }>('list_content');
    expect(result.content.map((piece) => [piece.id, piece.status])).toEqual(
      listed.items.map((piece) => [piece.id, piece.status]),
    );
    const spring = await call<{ content: { id: string }[] }>('list_content', {
      campaignId: mine.spring.id,
    });
    expect(spring.content.map((piece) => piece.id)).toEqual([mine.post.id]);

    const piece = await get<ContentView>(`/contents/${mine.post.id}`);
    const detail = await call<{ text: string; textLength: number; topic: string }>('get_content', {
      contentId: mine.post.id,
    });
    const full = String(piece.body?.text);
    expect(detail.topic).toBe(piece.topic);
    expect(detail.textLength).toBe(full.length);
    expect(detail.text.length).toBeLessThanOrEqual(500);
    expect(full.startsWith(detail.text.slice(0, -1))).toBe(true);
  });

  it('list_sequences and get_sequence show the sequences and their steps with figures', async () => {
    const listed = await get<Page<Named>>('/sequences');
    const result = await call<{ sequences: Named[] }>('list_sequences');
    expect(result.sequences.map((sequence) => sequence.name)).toEqual(
      listed.items.map((sequence) => sequence.name),
    );
    const sequence = await get<{ steps: { subject: string }[] }>(`/sequences/${mine.sequence.id}`);
    const analytics = await get<{ totals: { sent: number } }>(
      `/sequences/${mine.sequence.id}/analytics`,
    );
    const detail = await call<{
      steps: { subject: string; sent: number; openRate: number }[];
      totals: { sent: number };
    }>('get_sequence', { sequenceId: mine.sequence.id });
    expect(detail.steps.map((step) => step.subject)).toEqual(
      sequence.steps.map((step) => step.subject),
    );
    expect(detail.totals.sent).toBe(analytics.totals.sent);
    expect(detail.steps[0]).toMatchObject({ sent: 0, openRate: 0 });
  });

  it('the audience tools list the subscribers, customers and segments the API lists', async () => {
    const subscribers = await get<Page<{ email: string }>>('/subscribers');
    const listed = await call<{ subscribers: { email: string }[] }>('list_subscribers');
    expect(listed.subscribers.map((row) => row.email)).toEqual(
      subscribers.items.map((row) => row.email),
    );
    const found = await call<{ subscribers: { email: string }[] }>('list_subscribers', {
      search: 'ann@',
    });
    expect(found.subscribers.map((row) => row.email)).toEqual(['ann@example.org']);

    const customers = await get<Page<{ id: string }>>('/customers');
    const people = await call<{ customers: { id: string }[] }>('list_customers');
    expect(people.customers.map((row) => row.id)).toEqual(customers.items.map((row) => row.id));
    const atRisk = await call<{ customers: { email: string }[] }>('list_customers', {
      churnTier: 'high',
    });
    expect(atRisk.customers.map((row) => row.email)).toEqual(['ann@example.com']);

    const ann = await get<{ email: string; segments: { name: string }[] }>(
      `/customers/${mine.ann}`,
    );
    const profile = await call<{
      email: string;
      segments: string[];
      traits: Record<string, string>;
      scores: { churnTier: string } | null;
    }>('get_customer', { customerId: mine.ann });
    expect(profile.email).toBe(ann.email);
    expect(profile.segments).toEqual(ann.segments.map((segment) => segment.name));
    expect(profile.traits).toEqual({ plan: '"pro"' });
    expect(profile.scores?.churnTier).toBe('high');

    const segments = await get<Page<Named>>('/segments');
    const groups = await call<{ segments: (Named & { rules: string | null })[] }>('list_segments');
    expect(groups.segments.map((segment) => segment.name)).toEqual(
      segments.items.map((segment) => segment.name),
    );
    expect(groups.segments[0]?.rules).toContain('plan');
    const segment = await call<{ name: string; members: unknown[] }>('get_segment', {
      segmentId: mine.segment.id,
    });
    expect(segment.name).toBe('Pro plan');
  });

  it('the intelligence tools give the latest run, its at-risk list and answers to questions', async () => {
    const latest = await get<{
      run: { id: string; figures: { rfmSegments: unknown; churnTiers: unknown } };
    }>('/intelligence/latest');
    const result = await call<{
      run: { runId: string; rfmSegments: unknown; churnTiers: unknown } | null;
    }>('get_latest_intelligence');
    expect(result.run).toMatchObject({
      runId: latest.run.id,
      rfmSegments: latest.run.figures.rfmSegments,
      churnTiers: latest.run.figures.churnTiers,
    });
    expect(tool('get_latest_intelligence').summarize(result, {})).toContain('234 high');

    const risk = await get<Page<{ customerId: string }>>(
      `/intelligence/runs/${mine.runId}/at-risk`,
    );
    const listed = await call<{ customers: { customerId: string }[] }>('list_at_risk_customers');
    expect(listed.customers.map((row) => row.customerId)).toEqual(
      risk.items.map((row) => row.customerId),
    );
    expect(listed.customers.map((row) => row.customerId)).toEqual([mine.ann]);

    // The builtin provider reads a fixed grammar: "customers at risk" is one of its phrasings.
    const asked = await api<{ count: number; readable: string }>(
      ctx.app,
      owner,
      'POST',
      `${b}/customers/questions`,
      { question: 'customers at risk' },
      200,
    );
    const answer = await call<{ count: number; readable: string; customers: unknown[] }>(
      'ask_customers',
      { question: 'customers at risk' },
    );
    expect(answer.count).toBe(asked.body.count);
    expect(answer.readable).toBe(asked.body.readable);
  });

  it("another tenant's ids are the services' NOT_FOUND, and so is another tenant's business", async () => {
    const refused: [string, Record<string, unknown>][] = [
      ['get_campaign', { campaignId: theirs.spring.id }],
      ['get_campaign_analytics', { campaignId: theirs.spring.id }],
      ['get_content', { contentId: theirs.post.id }],
      ['get_sequence', { sequenceId: theirs.sequence.id }],
      ['get_customer', { customerId: theirs.ann }],
      ['get_segment', { segmentId: theirs.segment.id }],
      ['generate_strategy', { campaignId: theirs.spring.id }],
      ['generate_content', { contentId: theirs.post.id }],
      ['generate_campaign_content', { campaignId: theirs.spring.id }],
      ['approve_content', { contentId: theirs.post.id }],
      ['schedule_content', { contentId: theirs.post.id, publishAt: '2030-01-02T09:00Z' }],
      [
        'draft_content',
        { campaignId: theirs.spring.id, platform: 'x', topic: 'Theirs', text: 'Not mine' },
      ],
    ];
    for (const [name, input] of refused) {
      await expect(call(name, input), name).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    await expect(call('list_campaigns', {}, { businessId: otherBusinessId })).rejects.toMatchObject(
      { code: 'NOT_FOUND' },
    );
    // Nothing of theirs changed.
    const piece = await api<ContentView>(
      ctx.app,
      stranger,
      'GET',
      `/api/v1/businesses/${otherBusinessId}/contents/${theirs.post.id}`,
    );
    expect(piece.body.status).toBe('draft');
  });

  it("a viewer reads through the tools but a data-changing tool is the service's FORBIDDEN", async () => {
    const viewer = await newUser(ctx.app);
    await addMember(ctx.runtime.database.db, businessId, viewer, 'viewer');
    const listed = await call<{ campaigns: Named[] }>('list_campaigns', {}, { user: viewer });
    expect(listed.campaigns).toHaveLength(2);
    const before = (await get<Page<ContentView>>('/contents?limit=200')).items.length;
    await expect(
      call(
        'draft_content',
        { platform: 'x', topic: 'Viewer post', text: 'Should not exist' },
        { user: viewer },
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      call('create_campaign', { name: 'Viewer campaign' }, { user: viewer }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await get<Page<ContentView>>('/contents?limit=200')).items).toHaveLength(before);
  });

  it('draft_content makes a draft GET …/contents shows; text over the LinkedIn limit is refused', async () => {
    const describe = tool('draft_content').describe;
    const input = {
      campaignId: mine.spring.id,
      platform: 'linkedin',
      topic: 'Our new rye',
      text: 'Our new rye loaf is out of the oven.',
    };
    expect(describe?.(tool('draft_content').input.parse(input))).toMatch(
      /^Create a LinkedIn draft "Our new rye" in campaign .*: "Our new rye loaf is out of the oven\."$/,
    );
    const draft = await call<{ id: string; status: string }>('draft_content', input);
    expect(draft.status).toBe('draft');
    const listed = await get<Page<ContentView & { campaignId: string }>>(
      `/contents?campaignId=${mine.spring.id}`,
    );
    const shown = listed.items.find((piece) => piece.id === draft.id);
    expect(shown).toMatchObject({
      status: 'draft',
      platform: 'linkedin',
      topic: 'Our new rye',
      body: { text: 'Our new rye loaf is out of the oven.' },
    });

    const before = (await get<Page<ContentView>>('/contents?limit=200')).items.length;
    await expect(call('draft_content', { ...input, text: 'a'.repeat(3001) })).rejects.toMatchObject(
      { code: 'VALIDATION_ERROR' },
    );
    expect((await get<Page<ContentView>>('/contents?limit=200')).items).toHaveLength(before);
  });

  it('schedule_content schedules an approved piece; a draft must be approved first', async () => {
    const draft = await call<{ id: string }>('draft_content', {
      campaignId: mine.spring.id,
      platform: 'x',
      topic: 'Weekend bake',
      text: 'Weekend bake: come early.',
    });
    const at = '2030-03-02T09:30';
    await expect(
      call('schedule_content', { contentId: draft.id, publishAt: at }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await get<ContentView>(`/contents/${draft.id}`)).status).toBe('draft');

    expect(tool('approve_content').permission).toBe('content.approve');
    const approved = await call<{ status: string }>('approve_content', { contentId: draft.id });
    expect(approved.status).toBe('approved');
    const scheduled = await call<{ status: string; publishAt: string }>('schedule_content', {
      contentId: draft.id,
      publishAt: at,
    });
    const piece = await get<ContentView>(`/contents/${draft.id}`);
    expect(piece.status).toBe('scheduled');
    // 09:30 in the business's time zone (Europe/Paris, UTC+1 in March).
    expect(piece.publishAt).toBe('2030-03-02T08:30:00.000Z');
    expect(scheduled).toMatchObject({ status: 'scheduled', publishAt: piece.publishAt });
    // Scheduling a piece makes its draft campaign active (the campaigns module's rule).
    expect((await get<Named>(`/campaigns/${mine.spring.id}`)).status).toBe('active');
  });

  it('create_campaign, create_sequence_draft and the generation tools leave what the API shows', async () => {
    const campaign = await call<{ id: string }>('create_campaign', {
      name: 'Autumn bread club',
      goal: 'Sign up 50 members',
      channels: ['email'],
    });
    expect(await get<Named & { goal: string }>(`/campaigns/${campaign.id}`)).toMatchObject({
      name: 'Autumn bread club',
      status: 'draft',
      goal: 'Sign up 50 members',
    });

    const sequence = await call<{ id: string }>('create_sequence_draft', {
      name: 'Bread club welcome',
      steps: [
        { subject: 'Welcome, {{ subscriber.first_name | default: "friend" }}', markdown: 'Hi!' },
        { subject: 'Your first loaf', markdown: '**Pick it up** on Saturday.', delayDays: 3 },
      ],
    });
    const stored = await get<Named & { steps: { subject: string; delay: unknown }[] }>(
      `/sequences/${sequence.id}`,
    );
    expect(stored.status).toBe('draft');
    expect(stored.steps.map((step) => [step.subject, step.delay])).toEqual([
      ['Welcome, {{ subscriber.first_name | default: "friend" }}', { value: 0, unit: 'minutes' }],
      ['Your first loaf', { value: 3, unit: 'days' }],
    ]);
    await expect(
      call('create_sequence_draft', {
        name: 'Broken',
        steps: [{ subject: 'Hi {{ subscriber.first_name', markdown: 'x' }],
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });

    for (const [name, input] of [
      ['generate_content', { contentId: mine.post.id }],
      ['generate_strategy', { campaignId: campaign.id }],
      ['generate_campaign_content', { campaignId: mine.spring.id }],
      ['generate_sequence', { goal: 'Welcome new bread club members' }],
    ] as const) {
      const started = await call<{ jobId: string }>(name, input);
      const job = await api<{ id: string; status: string }>(
        ctx.app,
        owner,
        'GET',
        `/api/v1/jobs/${started.jobId}`,
      );
      expect(job.status, name).toBe(200);
      expect(job.body.id).toBe(started.jobId);
    }
  });

  it('input outside the schemas is refused before anything runs, and nothing changes', async () => {
    const before = {
      campaigns: (await get<Page<Named>>('/campaigns?limit=100')).items.length,
      contents: (await get<Page<ContentView>>('/contents?limit=200')).items.length,
      sequences: (await get<Page<Named>>('/sequences?limit=100')).items.length,
    };
    const invalid: [string, Record<string, unknown>][] = [
      ['list_campaigns', { limit: 0 }],
      ['list_campaigns', { limit: 51 }],
      ['list_campaigns', { status: 'running' }],
      ['get_campaign', { campaignId: 'spring-launch' }],
      ['list_content', { platform: 'tiktok' }],
      ['draft_content', { platform: 'linkedin', topic: 'No text' }],
      ['draft_content', { platform: 'linkedin', topic: 'x'.repeat(301), text: 'Hello' }],
      ['schedule_content', { contentId: mine.post.id, publishAt: 'next tuesday' }],
      ['schedule_content', { contentId: mine.post.id, publishAt: '2030-02-30T09:00' }],
      ['create_campaign', { name: '' }],
      ['create_campaign', { name: 'Dates', startDate: '2030-13-01' }],
      [
        'create_sequence_draft',
        { name: 'Too long', steps: Array(11).fill({ subject: 'a', markdown: 'b' }) },
      ],
      ['ask_customers', { question: 'x'.repeat(501) }],
    ];
    for (const [name, input] of invalid) {
      expect(tool(name).input.safeParse(input).success, `${name} ${JSON.stringify(input)}`).toBe(
        false,
      );
    }
    expect({
      campaigns: (await get<Page<Named>>('/campaigns?limit=100')).items.length,
      contents: (await get<Page<ContentView>>('/contents?limit=200')).items.length,
      sequences: (await get<Page<Named>>('/sequences?limit=100')).items.length,
    }).toEqual(before);
  });

  it('every tool is declared in full and its input converts to JSON Schema', () => {
    expect(tools.length).toBeGreaterThanOrEqual(20);
    for (const declared of tools) {
      expect(declared.name).toMatch(/^[a-z]+(_[a-z]+)+$/);
      expect(declared.description.length).toBeGreaterThan(20);
      // As the model is sent it (input: fields with a default are optional), and as parsed.
      expect(() => z.toJSONSchema(declared.input, { io: 'input' }), declared.name).not.toThrow();
      const schema = z.toJSONSchema(declared.input) as {
        type: string;
        properties?: Record<string, { description?: string }>;
      };
      expect(schema.type, declared.name).toBe('object');
      const properties = Object.entries(schema.properties ?? {});
      expect(properties.map(([name]) => name)).not.toContain('businessId');
      for (const [field, property] of properties) {
        expect(property.description, `${declared.name}.${field}`).toBeTruthy();
      }
      if (declared.readOnly) {
        expect(declared.permission, declared.name).toBe('business.read');
        expect(declared.keywords?.length, declared.name).toBeGreaterThan(0);
      } else {
        expect(declared.describe, declared.name).toBeTypeOf('function');
        expect(['content.write', 'content.approve']).toContain(declared.permission);
      }
    }
  });
});
