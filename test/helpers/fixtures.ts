// Fixture helpers: real users and businesses made through the public API, as a client would.
import { randomUUID } from 'node:crypto';

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
): Promise<TestUser> {
  const email = overrides.email ?? `user-${randomUUID()}@example.com`;
  const password = overrides.password ?? STRONG_PASSWORD;
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password, name: 'Test User' },
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
