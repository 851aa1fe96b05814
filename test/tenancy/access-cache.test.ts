// The tenancy check is remembered for a few seconds (BusinessAccess.require): what that must never
// change is who may reach a business. A deleted business is gone at once for its owner, and a
// stranger is refused however often the owner has just been let in.
import { afterAll, beforeAll, describe, it } from 'vitest';

import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newCampaign, newUser, type TestUser } from '../helpers/fixtures.ts';

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
});
