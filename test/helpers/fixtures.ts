// Fixture helpers: real users and businesses made through the public API, as a client would.
import { randomUUID } from 'node:crypto';

import { eq } from 'drizzle-orm';

import { randomToken, tokenHash } from '../../src/modules/auth/credentials.ts';
import { createJobRepository } from '../../src/modules/jobs/repository.ts';
import type { Database } from '../../src/platform/db/client.ts';
import {
  apiKeys,
  businessMembers,
  chatActions,
  customers,
  users,
} from '../../src/platform/db/schema/index.ts';
import type { App } from '../../src/platform/http/types.ts';
import type { Role } from '../../src/shared/permissions.ts';
import { insertRun, predictiveCard, predictiveFigures } from './intelligence-runs.ts';

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
  /** Makes a business key of this business; a personal key without it. */
  businessId?: string,
): Promise<{ id: string; key: string; headers: { 'x-api-key': string } }> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/api-keys',
    headers: owner.headers,
    payload: { name: `key ${scopes.join('+')}`, scopes, ...(businessId ? { businessId } : {}) },
  });
  if (response.statusCode !== 201) {
    throw new Error(`create API key failed: ${response.statusCode} ${response.body}`);
  }
  const body = response.json<{ id: string; key: string }>();
  return { ...body, headers: { 'x-api-key': body.key } };
}

/**
 * A business API key of `creator` (read directly into the database: it acts on `businessId` only,
 * with the creator's role there).
 */
export async function newBusinessApiKey(
  db: Database,
  creator: TestUser,
  businessId: string,
  scopes: ('read' | 'write')[],
): Promise<{ id: string; key: string; headers: { 'x-api-key': string } }> {
  const key = randomToken('hk');
  const [row] = await db
    .insert(apiKeys)
    .values({
      userId: creator.id,
      businessId,
      name: `business key ${scopes.join('+')}`,
      prefix: key.slice(0, 11),
      keyHash: tokenHash(key),
      scopes,
    })
    .returning({ id: apiKeys.id });
  if (!row) throw new Error('insert API key failed');
  return { id: row.id, key, headers: { 'x-api-key': key } };
}

/** Makes `user` a member of the business, as an accepted invitation would. */
export async function addMember(
  db: Database,
  businessId: string,
  user: TestUser,
  role: Role,
  approver = false,
): Promise<void> {
  await db.insert(businessMembers).values({ businessId, userId: user.id, role, approver });
}

/** Makes `user` the instance administrator. */
export async function makeInstanceAdmin(db: Database, user: TestUser): Promise<void> {
  await db.update(users).set({ isAdmin: true }).where(eq(users.id, user.id));
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

export async function newSegment(
  app: App,
  owner: TestUser,
  businessId: string,
): Promise<{ id: string }> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/businesses/${businessId}/segments`,
    headers: owner.headers,
    payload: { name: 'Pro plan', rules: { all: [{ trait: 'plan', op: 'eq', value: 'pro' }] } },
  });
  if (response.statusCode !== 201) {
    throw new Error(`create segment failed: ${response.statusCode} ${response.body}`);
  }
  return response.json<{ id: string }>();
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

/** An invitation to the business (no SMTP in tests: the answer carries the link's token). */
export async function newInvitation(
  app: App,
  owner: TestUser,
  businessId: string,
  fields: { email?: string; role?: string; approver?: boolean } = {},
): Promise<{ id: string; token: string; acceptUrl: string }> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/businesses/${businessId}/invitations`,
    headers: owner.headers,
    payload: { email: `invitee-${randomUUID()}@example.com`, role: 'editor', ...fields },
  });
  if (response.statusCode !== 201) {
    throw new Error(`create invitation failed: ${response.statusCode} ${response.body}`);
  }
  const body = response.json<{ id: string; acceptUrl?: string }>();
  const acceptUrl = body.acceptUrl ?? '';
  return { id: body.id, acceptUrl, token: acceptUrl.slice(acceptUrl.lastIndexOf('/') + 1) };
}

/** One turn of a chat (a new session unless given), answered as JSON on the app's provider. */
export async function newChatTurn(
  app: App,
  user: TestUser,
  businessId: string,
  sessionId?: string,
): Promise<{ sessionId: string; replyId: string; decisionId: string }> {
  let session = sessionId;
  if (!session) {
    const created = await app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/chat/sessions`,
      headers: user.headers,
      payload: {},
    });
    if (created.statusCode !== 201) throw new Error(`create session: ${created.body}`);
    session = created.json<{ id: string }>().id;
  }
  const reply = await app.inject({
    method: 'POST',
    url: `/api/v1/businesses/${businessId}/chat/sessions/${session}/messages`,
    headers: { ...user.headers, accept: 'application/json' },
    payload: { content: 'Which campaigns do we run?' },
  });
  if (reply.statusCode !== 200) throw new Error(`chat turn: ${reply.statusCode} ${reply.body}`);
  const message = reply.json<{ id: string; decisionId: string }>();
  return { sessionId: session, replyId: message.id, decisionId: message.decisionId };
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
  // A business key: both the owner's own key routes and the business's key routes reach it.
  apiKeyId: async ({ app }, owner, made) =>
    (await newApiKey(app, owner, ['read'], made.businessId ?? (await newBusiness(app, owner)).id))
      .id,
  probeId: async ({ app }, owner) => (await newQueueProbe(app, owner)).id,
  jobId: async ({ app, db }, owner, made) =>
    newJob(db, owner, made.businessId ?? (await newBusiness(app, owner)).id),
  subscriberId: async ({ app }, owner, made) =>
    (await newSubscriber(app, owner, made.businessId ?? (await newBusiness(app, owner)).id)).id,
  // A customer profile (the event processor makes them; the row is enough for access checks).
  customerId: async ({ app, db }, owner, made) => {
    const businessId = made.businessId ?? (await newBusiness(app, owner)).id;
    const now = new Date();
    const [row] = await db
      .insert(customers)
      .values({ businessId, userId: `user-${randomUUID()}`, firstSeenAt: now, lastSeenAt: now })
      .returning({ id: customers.id });
    return row?.id ?? '';
  },
  // A succeeded intelligence run (inserted as the run service leaves one).
  runId: async ({ app, db }, owner, made) =>
    insertRun(db, made.businessId ?? (await newBusiness(app, owner)).id, {
      model: predictiveCard(),
      figures: predictiveFigures(),
    }),
  sequenceId: async ({ app }, owner, made) =>
    (await newSequence(app, owner, made.businessId ?? (await newBusiness(app, owner)).id)).id,
  // A step of the sequence made above, so `…/sequences/{sequenceId}/steps/{stepId}` names both.
  stepId: async ({ app }, owner, made) => {
    const businessId = made.businessId ?? (await newBusiness(app, owner)).id;
    if (made.sequenceId) {
      const response = await app.inject({
        method: 'GET',
        url: `/api/v1/businesses/${businessId}/sequences/${made.sequenceId}`,
        headers: owner.headers,
      });
      const step = response.json<{ steps?: { id: string }[] }>().steps?.[0];
      if (response.statusCode !== 200 || !step) throw new Error(`read sequence: ${response.body}`);
      return step.id;
    }
    return (await newSequence(app, owner, businessId)).steps[0]?.id ?? '';
  },
  templateId: async ({ app }, owner, made) => {
    const businessId = made.businessId ?? (await newBusiness(app, owner)).id;
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/templates`,
      headers: owner.headers,
      payload: { name: 'Fixture template', subject: 'Hello', html: '<p>Hello</p>' },
    });
    if (response.statusCode !== 201) throw new Error(`create template: ${response.body}`);
    return response.json<{ id: string }>().id;
  },
  // A conversation of `owner`'s (sessions are their user's own), and one turn of it on the
  // builtin provider: its reply (with a pending action to confirm), its decision, a model call.
  sessionId: async ({ app }, owner, made) => {
    const businessId = made.businessId ?? (await newBusiness(app, owner)).id;
    return (await newChatTurn(app, owner, businessId)).sessionId;
  },
  messageId: async ({ app }, owner, made) => {
    const businessId = made.businessId ?? (await newBusiness(app, owner)).id;
    const turn = await newChatTurn(app, owner, businessId, made.sessionId);
    if (!('sessionId' in made)) made.sessionId = turn.sessionId;
    return turn.replyId;
  },
  // An action waiting for confirmation on that reply (the builtin provider proposes none).
  actionId: async ({ app, db }, owner, made) => {
    const businessId = made.businessId ?? (await newBusiness(app, owner)).id;
    let { sessionId, messageId } = made;
    if (!sessionId || !messageId) {
      const turn = await newChatTurn(app, owner, businessId, sessionId);
      sessionId = turn.sessionId;
      messageId = turn.replyId;
    }
    const [action] = await db
      .insert(chatActions)
      .values({
        businessId,
        sessionId,
        messageId,
        userId: owner.id,
        agent: 'copywriter',
        tool: 'draft_content',
        input: { platform: 'x', topic: 'Rye', text: 'Rye is back.' },
        description: 'Create an X draft "Rye"',
        expiresAt: new Date(Date.now() + 3_600_000),
      })
      .returning({ id: chatActions.id });
    if (!action) throw new Error('no action stored');
    return action.id;
  },
  decisionId: async ({ app }, owner, made) => {
    const businessId = made.businessId ?? (await newBusiness(app, owner)).id;
    return (await newChatTurn(app, owner, businessId)).decisionId;
  },
  callId: async ({ app }, owner, made) => {
    const businessId = made.businessId ?? (await newBusiness(app, owner)).id;
    const { decisionId } = await newChatTurn(app, owner, businessId);
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${businessId}/chat/decisions/${decisionId}`,
      headers: owner.headers,
    });
    const call = response
      .json<{ calls: { id: string; hasTranscript: boolean }[] }>()
      .calls.find((c) => c.hasTranscript);
    if (!call) throw new Error(`no model call with a transcript: ${response.body}`);
    return call.id;
  },
  learningId: async ({ app }, owner, made) => {
    const businessId = made.businessId ?? (await newBusiness(app, owner)).id;
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/chat/learnings`,
      headers: owner.headers,
      payload: { content: 'Our audience hates discount codes.' },
    });
    if (response.statusCode !== 201) throw new Error(`create learning: ${response.body}`);
    return response.json<{ id: string }>().id;
  },
  documentId: async ({ app }, owner, made) => {
    const businessId = made.businessId ?? (await newBusiness(app, owner)).id;
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/knowledge/documents`,
      headers: owner.headers,
      payload: { title: 'Fixture document', format: 'text', content: 'Open from 7 to 19.' },
    });
    if (response.statusCode !== 201) throw new Error(`create document: ${response.body}`);
    return response.json<{ id: string }>().id;
  },
  broadcastId: async ({ app }, owner, made) => {
    const businessId = made.businessId ?? (await newBusiness(app, owner)).id;
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/broadcasts`,
      headers: owner.headers,
      payload: { name: 'Fixture broadcast', variants: [{ subject: 'Hello', html: '<p>Hi</p>' }] },
    });
    if (response.statusCode !== 201) throw new Error(`create broadcast: ${response.body}`);
    return response.json<{ id: string }>().id;
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
  invitationId: async ({ app }, owner, made) =>
    (await newInvitation(app, owner, made.businessId ?? (await newBusiness(app, owner)).id)).id,
  segmentId: async ({ app }, owner, made) =>
    (await newSegment(app, owner, made.businessId ?? (await newBusiness(app, owner)).id)).id,
  // A webhook endpoint (a public name, not resolved here) and the delivery of a test event to it.
  endpointId: async ({ app }, owner, made) => {
    const businessId = made.businessId ?? (await newBusiness(app, owner)).id;
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/webhooks`,
      headers: owner.headers,
      payload: { url: 'https://hooks.example.com/herald', eventTypes: ['job.failed'] },
    });
    if (response.statusCode !== 201) throw new Error(`create webhook: ${response.body}`);
    return response.json<{ id: string }>().id;
  },
  deliveryId: async ({ app }, owner, made) => {
    const businessId = made.businessId ?? (await newBusiness(app, owner)).id;
    let endpointId = made.endpointId;
    if (!endpointId) {
      const created = await app.inject({
        method: 'POST',
        url: `/api/v1/businesses/${businessId}/webhooks`,
        headers: owner.headers,
        payload: { url: 'https://hooks.example.com/herald', eventTypes: ['job.failed'] },
      });
      endpointId = created.json<{ id: string }>().id;
    }
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/webhooks/${endpointId}/test`,
      headers: owner.headers,
    });
    if (response.statusCode !== 200) throw new Error(`webhook test: ${response.body}`);
    return response.json<{ id: string }>().id;
  },
  /** A member of the business: its owner. */
  userId: (_ctx, owner) => Promise.resolve(owner.id),
  token: async ({ app }, owner, made) =>
    (await newInvitation(app, owner, made.businessId ?? (await newBusiness(app, owner)).id)).token,
  /** A business's tracking write key (GET /v1/projects/{writeKey}/settings). */
  writeKey: async ({ app }, owner) => (await newBusiness(app, owner)).writeKey,
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
