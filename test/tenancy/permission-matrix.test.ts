// The permission matrix, generated from the route table: every route of the OpenAPI document
// declares a permission (`x-permission`), and every kind of caller — each role, an approver
// editor, a non-member, business and read-only API keys, the instance administrator — gets the
// answer that permission and the role table promise (test/tenancy/permission-matrix.ts).
import { randomUUID } from 'node:crypto';

import { inArray, sql } from 'drizzle-orm';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { jobs } from '../../src/platform/db/schema/index.ts';
import type { Permission, RoutePermission } from '../../src/shared/permissions.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  addMember,
  type FixtureContext,
  makeInstanceAdmin,
  newApiKey,
  newBusinessApiKey,
  newQueueProbe,
  newResources,
  newUser,
  resourceFixtures,
  type TestUser,
} from '../helpers/fixtures.ts';
import {
  type Caller,
  destroys,
  expectedAnswer,
  mismatch,
  refusedAnonymous,
} from './permission-matrix.ts';
import {
  callRoute,
  fixturesNamedElsewhere,
  isProtected,
  permissionOf,
  type RouteEntry,
  routeName,
  routeTable,
  sampleBody,
} from './route-table.ts';

/**
 * Routes whose body can ask for more than the route declares: approving asks `content.approve`
 * of a route open to `content.write`. Each body is a row of its own, with what it asks.
 */
const BODY_PERMISSIONS: Record<string, { body: unknown; permission: Permission }[]> = {
  'POST /api/v1/businesses/:businessId/contents/bulk': [
    {
      body: { action: 'schedule', ids: [randomUUID()], publishAt: '2026-03-02T09:30' },
      permission: 'content.write',
    },
    { body: { action: 'approve', ids: [randomUUID()] }, permission: 'content.approve' },
  ],
  'POST /api/v1/businesses/:businessId/contents/:contentId/status': [
    { body: { status: 'in_review' }, permission: 'content.write' },
    { body: { status: 'approved' }, permission: 'content.approve' },
  ],
};

/** One column: a caller, the credentials it sends, and the ids it names. */
interface Column {
  caller: Caller;
  headers: Record<string, string>;
  /** Whose account the 'self' routes name (their own API key, their own probe). */
  user: TestUser;
  /** The business (and its resources) the business routes name. */
  businessIds: Record<string, string>;
}

const ALLOWED = { answer: 'allowed' } as const;

/** DELETE routes of a business's one-of-a-kind setting: they remove it, not the business. */
const BUSINESS_SINGLETONS = new Set(['DELETE /api/v1/businesses/:businessId/slack']);

describe('permission matrix, generated from the route table', () => {
  let ctx: TestApp;
  let fixtures: FixtureContext;
  let document: OpenAPIV3_1.Document;
  let routes: RouteEntry[];
  let owner: TestUser;
  let columns: Column[];
  const selfIds = new Map<string, Record<string, string>>();

  beforeAll(async () => {
    ctx = await buildTestApp();
    routes = (await routeTable(ctx.app)).filter((route) => route.operation);
    document = ctx.app.swagger() as OpenAPIV3_1.Document;
    const db = ctx.runtime.database.db;
    fixtures = { app: ctx.app, db };
    // The first registered user is the instance administrator: none of the members below is.
    const instanceAdmin = await newUser(ctx.app);
    await makeInstanceAdmin(db, instanceAdmin);
    owner = await newUser(ctx.app);
    const [admin, editor, viewer, approverEditor, stranger] = await Promise.all(
      [1, 2, 3, 4, 5].map(() => newUser(ctx.app)),
    );
    if (!admin || !editor || !viewer || !approverEditor || !stranger) throw new Error('users');
    const business = await newResources(fixtures, owner);
    const otherBusiness = await newResources(fixtures, owner);
    const here = business.businessId ?? '';
    await addMember(db, here, admin, 'admin');
    await addMember(db, here, editor, 'editor');
    await addMember(db, here, viewer, 'viewer');
    await addMember(db, here, approverEditor, 'editor', true);
    // The editor belongs to the other business too: their key for this one must still not reach it.
    await addMember(db, otherBusiness.businessId ?? '', editor, 'editor');
    const editorKey = await newBusinessApiKey(db, editor, here, ['read', 'write']);
    const ownerReadKey = await newApiKey(ctx.app, owner, ['read']);
    // Finished jobs, so the job's event stream answers and ends instead of waiting for a worker.
    await db
      .update(jobs)
      .set({ status: 'succeeded', progress: 100, finishedAt: sql`now()` })
      .where(inArray(jobs.id, [business.jobId ?? '', otherBusiness.jobId ?? '']));
    for (const user of [instanceAdmin, owner, admin, editor, viewer, approverEditor, stranger]) {
      selfIds.set(user.id, {
        apiKeyId: (await newApiKey(ctx.app, user, ['read'])).id,
        probeId: (await newQueueProbe(ctx.app, user)).id,
      });
    }
    // The user an administrator's route about a user names: not one of the callers.
    const bystander = await newUser(ctx.app);
    selfIds.set(instanceAdmin.id, { ...selfIds.get(instanceAdmin.id), userId: bystander.id });

    const jwt = { kind: 'jwt' } as const;
    const member = (name: string, user: TestUser, role: Caller['membership']): Column => ({
      caller: { name, via: jwt, membership: role },
      headers: user.headers,
      user,
      businessIds: business,
    });
    columns = [
      member('owner', owner, { role: 'owner', approver: false }),
      member('admin', admin, { role: 'admin', approver: false }),
      member('editor', editor, { role: 'editor', approver: false }),
      member('viewer', viewer, { role: 'viewer', approver: false }),
      member('approver editor', approverEditor, { role: 'editor', approver: true }),
      member('non-member', stranger, undefined),
      {
        caller: {
          name: 'editor business key',
          via: { kind: 'api_key', scopes: ['read', 'write'] },
          membership: { role: 'editor', approver: false },
          businessKey: true,
        },
        headers: editorKey.headers,
        user: editor,
        businessIds: business,
      },
      {
        caller: {
          name: 'editor business key, other business',
          via: { kind: 'api_key', scopes: ['read', 'write'] },
          membership: { role: 'editor', approver: false },
          businessKey: true,
          keyOfAnotherBusiness: true,
        },
        headers: editorKey.headers,
        user: editor,
        businessIds: otherBusiness,
      },
      {
        caller: {
          name: 'owner read-only key',
          via: { kind: 'api_key', scopes: ['read'] },
          membership: { role: 'owner', approver: false },
        },
        headers: ownerReadKey.headers,
        user: owner,
        businessIds: business,
      },
      {
        caller: {
          name: 'instance admin',
          via: jwt,
          membership: undefined,
          instanceAdmin: true,
          accountRoutesOnly: true,
        },
        headers: instanceAdmin.headers,
        user: instanceAdmin,
        businessIds: business,
      },
    ];
  });
  afterAll(async () => {
    await ctx.close();
  });

  /**
   * The ids a destructive call of `maker`'s may use up: the resources its path names, made
   * afresh (the business too when the route deletes the business itself).
   */
  async function freshIds(
    route: RouteEntry,
    ids: Record<string, string>,
    maker: TestUser,
    account: boolean,
  ) {
    // A route naming its resource in the query or body (DELETE …/ai/feedback?subjectId=) uses
    // that up, not the business of its path.
    const elsewhere = fixturesNamedElsewhere(route);
    const renewed =
      elsewhere.length > 0
        ? elsewhere
        : route.params.length === 1 && !BUSINESS_SINGLETONS.has(routeName(route))
          ? route.params
          : route.params.filter((p) => p !== 'businessId');
    const fresh = Object.fromEntries(
      Object.entries(ids).filter(([name]) => !renewed.includes(name)),
    );
    // An account route's resource is the caller's own: made in a business of the caller's own
    // (the column's business may not let its role make it, e.g. a business key).
    const context = account
      ? Object.fromEntries(Object.entries(fresh).filter(([name]) => name !== 'businessId'))
      : fresh;
    for (const name of renewed) {
      const make = resourceFixtures[name];
      const id = make ? await make(fixtures, maker, context) : ids[name];
      if (id !== undefined) fresh[name] = id;
    }
    return fresh;
  }

  /** Path parameters naming a resource of one user (a chat session and what it holds). */
  const PERSONAL = ['sessionId', 'messageId', 'actionId', 'decisionId', 'callId'];

  /**
   * The caller's own chat resources in the column's business, made by the caller (a caller who
   * may not chat there keeps the owner's, which it must not reach anyway).
   */
  async function personalIds(route: RouteEntry, column: Column) {
    const made: Record<string, string> = { businessId: column.businessIds.businessId ?? '' };
    try {
      const named = [...route.params, ...fixturesNamedElsewhere(route)];
      for (const name of named.filter((param) => PERSONAL.includes(param))) {
        const make = resourceFixtures[name];
        if (make) made[name] = await make(fixtures, column.user, made);
      }
    } catch {
      return {};
    }
    return Object.fromEntries(Object.entries(made).filter(([name]) => name !== 'businessId'));
  }

  it('has a declared permission on every route of the OpenAPI document', () => {
    const undeclared = routes.filter((route) => !permissionOf(route)).map(routeName);
    expect(
      undeclared,
      'routes without a permission: declare `config: { permission }` on each (src/shared/permissions.ts)',
    ).toEqual([]);
  });

  it('answers every public route without credentials', async () => {
    const wrong: string[] = [];
    const publicRoutes = routes.filter((route) => permissionOf(route) === 'public');
    for (const route of publicRoutes) {
      if (isProtected(document, route)) wrong.push(`${routeName(route)}: documented with security`);
      const answer = await callRoute(ctx.app, route, {}, {}, sampleBody(route, document));
      // Sign-in routes answer 401 to the sampled password or token: that is their own answer,
      // not the auth guard refusing an anonymous caller.
      const problem = answer.status === 401 ? refusedAnonymous(answer) : mismatch(ALLOWED, answer);
      if (problem) wrong.push(`${answer.route}: ${answer.status} ${answer.code ?? ''}`);
    }
    expect(publicRoutes.length).toBeGreaterThanOrEqual(5);
    expect(wrong).toEqual([]);
  });

  /** Each route once, or once per body when its body can ask for more (BODY_PERMISSIONS). */
  function rows(): {
    route: RouteEntry;
    declared: RoutePermission;
    permission: RoutePermission;
    body: unknown;
  }[] {
    return routes.flatMap((route) => {
      const declared = permissionOf(route);
      if (!declared || declared === 'public') return [];
      const bodies = BODY_PERMISSIONS[routeName(route)];
      if (bodies) {
        return bodies.map(({ body, permission }) => ({ route, declared, permission, body }));
      }
      return [{ route, declared, permission: declared, body: sampleBody(route, document) }];
    });
  }

  it('gives every caller on every route the answer its declared permission promises', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const column of columns) {
      for (const { route, declared, permission, body } of rows()) {
        // The route's declared permission is checked first, then what the body asks for.
        const first = expectedAnswer(document, route, declared, column.caller);
        const expected =
          first.answer === 'allowed' && permission !== declared
            ? expectedAnswer(document, route, permission, column.caller)
            : first;
        if (expected.answer === 'not checked') continue;
        const account = permission === 'self' || permission === 'instance.admin';
        let ids = account
          ? { ...column.businessIds, ...selfIds.get(column.user.id) }
          : column.businessIds;
        if (destroys(route) && expected.answer === 'allowed') {
          ids = await freshIds(route, ids, account ? column.user : owner, account);
        }
        // A chat is its user's own: each caller is asked about a conversation of their own.
        if (route.params.some((name) => PERSONAL.includes(name))) {
          ids = { ...ids, ...(await personalIds(route, column)) };
        }
        // An account route naming something no fixture makes here (an invitation's token) gets a
        // made-up id, and may answer 404 for it; business routes all have fixtures (the tenancy
        // test checks), so there a 404 is always wrong.
        const madeUp = route.params.some((name) => !(name in ids));
        const answer = await callRoute(ctx.app, route, ids, column.headers, body);
        const problem =
          account && madeUp && answer.status === 404 ? undefined : mismatch(expected, answer);
        if (problem) wrong.push(`${column.caller.name} × ${routeName(route)}: ${problem}`);
        checked++;
      }
    }
    expect(wrong).toEqual([]);
    // Public routes are not in the matrix (checked above): about 8 callers per other route.
    const matrixRoutes = routes.filter((route) => permissionOf(route) !== 'public');
    expect(checked).toBeGreaterThan(matrixRoutes.length * 8);
  }, 120_000); // ~15 s on a quiet machine; every route × every role, and CI machines are shared
});
