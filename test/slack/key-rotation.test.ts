// Changing ENCRYPTION_KEY: with the old key in ENCRYPTION_KEY_PREVIOUS, a Slack connection
// sealed with it keeps working, and the re-seal at start seals it again with the new key (once);
// a credential no configured key opens is left alone for its business to reconnect.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { slackConnections } from '../../src/platform/db/schema/index.ts';
import { createSecretBox } from '../../src/platform/secrets.ts';
import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { installSlackApp } from './install.ts';

const OLD_KEY = 'the key before the change';
const NEW_KEY = 'the key after the change';

describe('ENCRYPTION_KEY changed, with the old key in ENCRYPTION_KEY_PREVIOUS', () => {
  let ctx: TestApp;
  let slack: FakeSlack;
  let owner: TestUser;
  let businessId: string;

  beforeAll(async () => {
    slack = await startFakeSlack({ clientId: 'c', clientSecret: 's', signingSecret: 'sig' });
    ctx = await buildTestApp({
      env: {
        SLACK_CLIENT_ID: 'c',
        SLACK_CLIENT_SECRET: 's',
        SLACK_SIGNING_SECRET: 'sig',
        SLACK_API_URL: slack.url,
        ENCRYPTION_KEY: NEW_KEY,
        ENCRYPTION_KEY_PREVIOUS: OLD_KEY,
      },
    });
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    await installSlackApp(ctx.app, owner, businessId);
  });

  afterAll(async () => {
    await ctx.close();
    await slack.close();
  });

  const stored = async () => {
    const [row] = await ctx.runtime.database.db
      .select({ credential: slackConnections.credential })
      .from(slackConnections)
      .where(eq(slackConnections.businessId, businessId));
    return row?.credential ?? '';
  };
  const store = (credential: string) =>
    ctx.runtime.database.db
      .update(slackConnections)
      .set({ credential })
      .where(eq(slackConnections.businessId, businessId));
  const channels = () =>
    api<{ items: unknown[] }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/slack/channels`,
    );

  it('reads a token the old key sealed, and re-seals it with the new key once', async () => {
    const token = createSecretBox(NEW_KEY).decrypt(await stored());
    expect(token).toMatch(/^xoxb-/);
    // As it was before the key changed: sealed with the old key.
    await store(createSecretBox(OLD_KEY).encrypt(token));
    const before = await channels();
    expect(before.status).toBe(200);
    expect(before.body.items.length).toBeGreaterThan(0);

    expect(await ctx.runtime.services.slack.resealCredentials()).toBe(1);
    const resealed = await stored();
    expect(createSecretBox(NEW_KEY).sealedWithOldKey(resealed)).toBe(false);
    expect(createSecretBox(NEW_KEY).decrypt(resealed)).toBe(token);
    expect(() => createSecretBox(OLD_KEY).decrypt(resealed)).toThrow();
    expect(await ctx.runtime.services.slack.resealCredentials()).toBe(0);
    expect((await channels()).body.items).toEqual(before.body.items);
  });

  it('leaves a credential no configured key opens as it is', async () => {
    const lost = createSecretBox('a key nobody kept').encrypt('xoxb-lost');
    await store(lost);
    expect(await ctx.runtime.services.slack.resealCredentials()).toBe(0);
    expect(await stored()).toBe(lost);
  });
});
