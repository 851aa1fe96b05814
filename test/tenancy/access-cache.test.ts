// The tenancy check is remembered for a few seconds (BusinessAccess.require): what that must never
// change is who may reach a business. A deleted business is gone at once for its owner, a
// stranger is refused however often the owner has just been let in, and a role changed or
// taken away (then forgotten, as the team service does) counts from the next request.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, it } from 'vitest';

import { businessMembers } from '../../src/platform/db/schema/index.ts';
import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  addMember,
  newBusiness,
  newCampaign,
  newUser,
  type TestUser,
} from '../helpers/fixtures.ts';

describe('the cached tenancy check', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let stranger: TestUser;

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
    stranger = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('answers 404 for a business its owner deleted a moment after reading it', async () => {
    const business = await newBusiness(ctx.app, owner);
    const campaign = await newCampaign(ctx.app, owner, business.id);
    const campaigns = `/api/v1/businesses/${business.id}/campaigns`;
    await api(ctx.app, owner, 'GET', campaigns, undefined, 200);
    await api(ctx.app, owner, 'GET', `${campaigns}/${campaign.id}`, undefined, 200);

    await api(ctx.app, owner, 'DELETE', `/api/v1/businesses/${business.id}`, undefined, 204);

    await api(ctx.app, owner, 'GET', campaigns, undefined, 404);
    await api(ctx.app, owner, 'POST', campaigns, { name: 'After the end' }, 404);
    await api(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${business.id}/subscribers`,
      undefined,
      404,
    );
  });

  it("refuses a stranger while the owner's access is remembered", async () => {
    const business = await newBusiness(ctx.app, owner);
    const campaigns = `/api/v1/businesses/${business.id}/campaigns`;
    await api(ctx.app, owner, 'GET', campaigns, undefined, 200);
    await api(ctx.app, stranger, 'GET', campaigns, undefined, 404);
    await api(ctx.app, stranger, 'POST', campaigns, { name: 'Not mine' }, 404);
    await api(ctx.app, owner, 'GET', campaigns, undefined, 200);
  });

  it('a role lowered or taken away, then forgotten, counts from the next request', async () => {
    const business = await newBusiness(ctx.app, owner);
    const member = await newUser(ctx.app);
    const db = ctx.runtime.database.db;
    await addMember(db, business.id, member, 'editor');
    const campaigns = `/api/v1/businesses/${business.id}/campaigns`;
    await api(ctx.app, member, 'POST', campaigns, { name: 'While an editor' }, 201);
    const ofMember = and(
      eq(businessMembers.businessId, business.id),
      eq(businessMembers.userId, member.id),
    );

    await db.update(businessMembers).set({ role: 'viewer' }).where(ofMember);
    await ctx.runtime.services.access.forget(business.id, member.id);
    await api(ctx.app, member, 'GET', campaigns, undefined, 200);
    await api(ctx.app, member, 'POST', campaigns, { name: 'As a viewer' }, 403);

    await db.delete(businessMembers).where(ofMember);
    await ctx.runtime.services.access.forget(business.id, member.id);
    await api(ctx.app, member, 'GET', campaigns, undefined, 404);
  });
});
