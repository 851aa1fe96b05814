// Fixture helpers: real users and businesses made through the public API, as a client would.
import { randomUUID } from 'node:crypto';

import { createJobRepository } from '../../src/modules/jobs/repository.ts';
import type { Database } from '../../src/platform/db/client.ts';
import type { App } from '../../src/platform/http/types.ts';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  /** Headers that authenticate as this user. */
  headers: { authorization: string };
}

export const STRONG_PASSWORD = 'Correct-Horse-9-battery';

export async function newUser(
  app: App,
  overrides: { email?: string; password?: string } = {},
  /** Where the registration comes from (rate-limit tests give each test its own address). */
  from: { remoteAddress?: string } = {},
): Promise<TestUser> {
  const email = overrides.email ?? `user-${randomUUID()}@example.com`;
  const password = overrides.password ?? STRONG_PASSWORD;
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password, name: 'Test User' },
    ...from,
  });
  if (response.statusCode !== 201) {
    throw new Error(`register failed: ${response.statusCode} ${response.body}`);
  }
  const body = response.json<{ accessToken: string; refreshToken: string; user: { id: string } }>();
  return {
    id: body.user.id,
    email,
    password,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    headers: { authorization: `Bearer ${body.accessToken}` },
  };
}

export interface TestBusiness {
  id: string;
  writeKey: string;
}

export async function newBusiness(
  app: App,
  owner: TestUser,
  fields: Record<string, unknown> = {},
): Promise<TestBusiness> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/businesses',
    headers: owner.headers,
    payload: {
      name: 'Blue Bottle Bakery',
      industry: 'Food & drink',
      audience: 'Busy parents in Lyon who want good bread',
      brandVoice: { tone: 'warm and plain', wordsToUse: ['fresh'], wordsToAvoid: ['cheap'] },
      channels: ['instagram', 'email'],
      timezone: 'Europe/Paris',
      ...fields,
    },
  });
  if (response.statusCode !== 201) {
    throw new Error(`create business failed: ${response.statusCode} ${response.body}`);
  }
  return response.json<TestBusiness>();
}

export async function newApiKey(
  app: App,
  owner: TestUser,
  scopes: ('read' | 'write')[],
): Promise<{ id: string; key: string; headers: { 'x-api-key': string } }> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/api-keys',
    headers: owner.headers,
    payload: { name: `key ${scopes.join('+')}`, scopes },
  });
  if (response.statusCode !== 201) {
    throw new Error(`create API key failed: ${response.statusCode} ${response.body}`);
  }
  const body = response.json<{ id: string; key: string }>();
  return { ...body, headers: { 'x-api-key': body.key } };
}

export async function newQueueProbe(app: App, owner: TestUser): Promise<{ id: string }> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/system/queue-probes',
    headers: owner.headers,
    payload: { note: 'fixture probe' },
  });
  if (response.statusCode !== 202) {
    throw new Error(`create queue probe failed: ${response.statusCode} ${response.body}`);
  }
  return response.json<{ id: string }>();
}

/** A job row of the business, as a started job leaves it (no worker needed, no AI called). */
export async function newJob(db: Database, owner: TestUser, businessId: string): Promise<string> {
  const row = await createJobRepository(db).insert({
    businessId,
    userId: owner.id,
    kind: 'fixture.noop',
    input: {},
  });
  return row.id;
}

export async function newCampaign(
  app: App,
  owner: TestUser,
  businessId: string,
  fields: Record<string, unknown> = {},
): Promise<{ id: string }> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/businesses/${businessId}/campaigns`,
    headers: owner.headers,
    payload: {
      name: 'Spring menu launch',
      goal: 'Fill the shop on spring weekends',
      channels: ['linkedin', 'instagram', 'email'],
      startDate: '2026-03-02',
      endDate: '2026-04-12',
      budgetCents: 150_000,
      ...fields,
    },
  });
  if (response.statusCode !== 201) {
    throw new Error(`create campaign failed: ${response.statusCode} ${response.body}`);
  }
  return response.json<{ id: string }>();
}

export async function newContent(
  app: App,
  owner: TestUser,
  businessId: string,
  fields: Record<string, unknown> = {},
): Promise<{ id: string }> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/businesses/${businessId}/contents`,
    headers: owner.headers,
    payload: {
      platform: 'x',
      topic: 'Spring loaves',
      body: { text: 'Spring loaves are here. Come by this weekend.' },
      ...fields,
    },
  });
  if (response.statusCode !== 201) {
    throw new Error(`create content failed: ${response.statusCode} ${response.body}`);
  }
  return response.json<{ id: string }>();
}

export async function newSubscriber(
  app: App,
  owner: TestUser,
  businessId: string,
  fields: Record<string, unknown> = {},
): Promise<{ id: string; email: string }> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/businesses/${businessId}/subscribers`,
    headers: owner.headers,
    payload: { email: `reader-${randomUUID()}@example.org`, firstName: 'Ann', ...fields },
  });
  if (response.statusCode !== 201) {
    throw new Error(`create subscriber failed: ${response.statusCode} ${response.body}`);
  }
  return response.json<{ id: string; email: string }>();
}

export async function newSequence(
  app: App,
  owner: TestUser,
  businessId: string,
): Promise<{ id: string; steps: { id: string }[] }> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/businesses/${businessId}/sequences`,
    headers: owner.headers,
    payload: {
      name: 'Welcome',
      steps: [{ subject: 'Hello {{ subscriber.first_name }}', html: '<p>Hi</p>' }],
    },
  });
  if (response.statusCode !== 201) {
    throw new Error(`create sequence failed: ${response.statusCode} ${response.body}`);
  }
  return response.json<{ id: string; steps: { id: string }[] }>();
}

export interface FixtureContext {
  app: App;
  db: Database;
}

/**
 * One resource of `owner` per path parameter name, for tests generated from the route table
 * (test/tenancy). A route with a new `:somethingId` parameter needs one entry here; the tenancy
 * test names the missing ones. `made` holds the ids made so far (businessId comes first).
 */
export const resourceFixtures: Record<
  string,
  (ctx: FixtureContext, owner: TestUser, made: Record<string, string>) => Promise<string>
> = {
  businessId: async ({ app }, owner) => (await newBusiness(app, owner)).id,
  userId: (_ctx, owner) => Promise.resolve(owner.id),
  apiKeyId: async ({ app }, owner) => (await newApiKey(app, owner, ['read'])).id,
  probeId: async ({ app }, owner) => (await newQueueProbe(app, owner)).id,
  jobId: async ({ app, db }, owner, made) =>
    newJob(db, owner, made.businessId ?? (await newBusiness(app, owner)).id),
  subscriberId: async ({ app }, owner, made) =>
    (await newSubscriber(app, owner, made.businessId ?? (await newBusiness(app, owner)).id)).id,
  sequenceId: async ({ app }, owner, made) =>
    (await newSequence(app, owner, made.businessId ?? (await newBusiness(app, owner)).id)).id,
  stepId: async ({ app }, owner, made) => {
    const businessId = made.businessId ?? (await newBusiness(app, owner)).id;
    return (await newSequence(app, owner, businessId)).steps[0]?.id ?? '';
  },
  outboxMessageId: async ({ app }, owner, made) => {
    const businessId = made.businessId ?? (await newBusiness(app, owner)).id;
    const sequence = await newSequence(app, owner, businessId);
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/sequences/${sequence.id}/steps/${sequence.steps[0]?.id ?? ''}/test`,
      headers: owner.headers,
      payload: { to: owner.email },
    });
    const id = response.json<{ outboxMessageId: string | null }>().outboxMessageId;
    if (response.statusCode !== 200 || !id) throw new Error(`test send failed: ${response.body}`);
    return id;
  },
  campaignId: async ({ app }, owner, made) =>
    (await newCampaign(app, owner, made.businessId ?? (await newBusiness(app, owner)).id)).id,
  contentId: async ({ app }, owner, made) =>
    (await newContent(app, owner, made.businessId ?? (await newBusiness(app, owner)).id)).id,
};

/** Makes one resource per fixture for `owner`: `{ businessId, apiKeyId, … }`. */
export async function newResources(
  ctx: FixtureContext,
  owner: TestUser,
): Promise<Record<string, string>> {
  const made: Record<string, string> = {};
  for (const [name, create] of Object.entries(resourceFixtures)) {
    made[name] = await create(ctx, owner, made);
  }
  return made;
}
