// Generated from the route table: every route the app serves is checked, including routes other
// modules add later. Protected routes refuse requests without credentials; routes that take a
// business or resource id answer 404 to another user, exactly as for an id that does not exist.
import { randomUUID } from 'node:crypto';

import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newResources, newUser, resourceFixtures, type TestUser } from '../helpers/fixtures.ts';
import {
  type Answer,
  callRoute,
  isProtected,
  permissionOf,
  type RouteEntry,
  routeTable,
  sampleBody,
  streams,
} from './route-table.ts';

/**
 * Path parameters naming something every account shares on purpose, so the 404 rule does not
 * apply. Keep this short: each entry is a resource any signed-in user can see.
 */
const SHARED_PARAMS: Record<string, string> = {
  token:
    'an invitation link is its own credential: whoever holds it may read it (only its addressee may accept)',
};

describe('tenancy, generated from the route table', () => {
  let ctx: TestApp;
  let document: OpenAPIV3_1.Document;
  let routes: RouteEntry[];
  let alice: TestUser;
  let bob: TestUser;
  let aliceIds: Record<string, string>;
  let bobIds: Record<string, string>;

  beforeAll(async () => {
    ctx = await buildTestApp();
    routes = await routeTable(ctx.app);
    document = ctx.app.swagger() as OpenAPIV3_1.Document;
    alice = await newUser(ctx.app);
    bob = await newUser(ctx.app);
    const fixtureContext = { app: ctx.app, db: ctx.runtime.database.db };
    aliceIds = await newResources(fixtureContext, alice);
    bobIds = await newResources(fixtureContext, bob);
  });
  afterAll(async () => {
    await ctx.close();
  });

  const protectedRoutes = () => routes.filter((route) => isProtected(document, route));
  // The instance administrator's routes answer 403 to everybody else, whatever the ids
  // (permission-matrix.test.ts).
  const tenantRoutes = () =>
    protectedRoutes().filter(
      (route) =>
        permissionOf(route) !== 'instance.admin' &&
        route.params.some((name) => !(name in SHARED_PARAMS)),
    );

  const call = (
    route: RouteEntry,
    ids: Record<string, string>,
    headers: Record<string, string>,
    withBody: boolean,
  ) => callRoute(ctx.app, route, ids, headers, withBody ? sampleBody(route, document) : undefined);

  it('reads every route of the app, documented ones with their declared credentials', () => {
    const names = routes.map((route) => `${route.method} ${route.url}`);
    // A few routes of this issue, as a check that the table is read at all.
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /api/v1/businesses/:businessId',
        'DELETE /api/v1/auth/api-keys/:apiKeyId',
        'GET /api/v1/jobs/:jobId',
        'POST /api/v1/auth/login',
      ]),
    );
    // Every API route is in the OpenAPI document, so its credentials and body are known here.
    const undocumented = routes.filter(
      (route) =>
        route.url.startsWith('/api/v1/') &&
        route.url !== '/api/v1/openapi.json' &&
        // The chat's WebSocket: @fastify/websocket keeps upgrade routes out of the OpenAPI
        // document; docs/agents.md describes it (a plain GET of it answers 404).
        !route.url.endsWith('/chat/sessions/:sessionId/socket') &&
        !route.operation,
    );
    expect(undocumented.map((route) => `${route.method} ${route.url}`)).toEqual([]);
    const publicApi = routes.filter(
      (route) =>
        route.url.startsWith('/api/v1/') && route.operation && !isProtected(document, route),
    );
    expect(publicApi.map((route) => route.url)).toContain('/api/v1/auth/login');
    expect(protectedRoutes().length).toBeGreaterThan(10);
  });

  it('has a fixture for every id parameter a protected route takes', () => {
    const missing = new Set(
      protectedRoutes()
        .flatMap((route) => route.params)
        .filter((name) => !(name in resourceFixtures)),
    );
    // Add a maker for each of these to `resourceFixtures` in test/helpers/fixtures.ts.
    expect([...missing], 'path parameters without a fixture').toEqual([]);
  });

  it('answers 401 UNAUTHENTICATED on every protected route without credentials', async () => {
    const answers: Answer[] = [];
    for (const route of protectedRoutes()) answers.push(await call(route, {}, {}, false));
    const wrong = answers.filter((a) => a.status !== 401 || a.code !== 'UNAUTHENTICATED');
    expect(wrong).toEqual([]);
    expect(answers.length).toBe(protectedRoutes().length);
  });

  it('answers 401 on every protected route with a forged token or an unknown API key', async () => {
    const wrong: Answer[] = [];
    for (const route of protectedRoutes()) {
      const forged: Record<string, string>[] = [
        { authorization: `Bearer ${alice.accessToken.slice(0, -4)}AAAA` },
        { 'x-api-key': `hk_${randomUUID()}` },
      ];
      for (const headers of forged) {
        const answer = await call(route, aliceIds, headers, false);
        if (answer.status !== 401) wrong.push(answer);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("answers 404 NOT_FOUND to another user on every route that takes the first user's ids", async () => {
    const answers: Answer[] = [];
    for (const route of tenantRoutes()) {
      answers.push(await call(route, aliceIds, bob.headers, true));
    }
    expect(answers.length).toBeGreaterThanOrEqual(8);
    expect(answers.filter((a) => a.status !== 404 || a.code !== 'NOT_FOUND')).toEqual([]);
  });

  it("answers 404 to another user who names their own business with the first user's resource", async () => {
    const nested = tenantRoutes().filter(
      (route) => route.params.includes('businessId') && route.params.length > 1,
    );
    const answers: Answer[] = [];
    for (const route of nested) {
      const ids = { ...aliceIds, businessId: bobIds.businessId ?? '' };
      answers.push(await call(route, ids, bob.headers, true));
    }
    expect(answers.filter((a) => a.status !== 404 || a.code !== 'NOT_FOUND')).toEqual([]);
  });

  it('lets the owner read the same ids, so those 404s are about ownership', async () => {
    const reads = tenantRoutes().filter((route) => route.method === 'GET' && !streams(route));
    expect(reads.length).toBeGreaterThanOrEqual(3);
    const answers: Answer[] = [];
    for (const route of reads) answers.push(await call(route, aliceIds, alice.headers, false));
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  });

  it("leaves the first user's resources as they were", async () => {
    const business = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${aliceIds.businessId ?? ''}`,
      headers: alice.headers,
    });
    expect(business.statusCode).toBe(200);
    expect(business.json<{ name: string }>().name).toBe('Blue Bottle Bakery');
    const keys = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/auth/api-keys',
      headers: alice.headers,
    });
    const key = keys
      .json<{ items: { id: string; revokedAt: string | null }[] }>()
      .items.find((item) => item.id === aliceIds.apiKeyId);
    expect(key?.revokedAt).toBeNull();
  });
});
