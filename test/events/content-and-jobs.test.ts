// Herald's events from the content studio and the job runner: a piece entering review, published
// or failed for good, a job succeeded or failed — each heard once with the documented data, a
// retried publication or a redelivered job tells nothing twice, and each business hears only of
// its own things.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { dueNow } from '../campaigns/helpers.ts';
import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  newBusiness,
  newCampaign,
  newContent,
  newJob,
  newUser,
  type TestUser,
} from '../helpers/fixtures.ts';
import { type EventRecorder, eventRecorder } from './recorder.ts';

describe('content and job events', () => {
  let ctx: TestApp;
  let recorder: EventRecorder;
  let owner: TestUser;
  let businessId: string;
  let otherOwner: TestUser;
  let otherBusinessId: string;
  /** A listener that cannot record events while `down` (a webhook table it cannot write to). */
  const gate = {
    name: 'test-gate',
    down: false,
    onEvent() {
      return gate.down ? Promise.reject(new Error('listener down')) : Promise.resolve();
    },
  };

  beforeAll(async () => {
    recorder = eventRecorder();
    // No worker: the test runs the publisher and the jobs itself, as a worker would.
    ctx = await buildTestApp({ eventListeners: [recorder, gate] });
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    otherOwner = await newUser(ctx.app);
    otherBusinessId = (await newBusiness(ctx.app, otherOwner)).id;
  });
  afterAll(async () => {
    await ctx.close();
  });

  const contents = (business: string) => `/api/v1/businesses/${business}/contents`;
  const move = (user: TestUser, business: string, id: string, status: string) =>
    api(ctx.app, user, 'POST', `${contents(business)}/${id}/status`, { status }, 200);

  it('tells each time a piece enters review, with its title and an excerpt of its text', async () => {
    const campaign = await newCampaign(ctx.app, owner, businessId);
    const piece = await newContent(ctx.app, owner, businessId, { campaignId: campaign.id });
    await move(owner, businessId, piece.id, 'in_review');
    await move(owner, businessId, piece.id, 'draft');
    await move(owner, businessId, piece.id, 'in_review');
    await move(owner, businessId, piece.id, 'approved'); // not a review entry

    const heard = recorder
      .of('content.in_review', businessId)
      .filter((event) => event.data.contentId === piece.id);
    expect(heard.map((event) => event.key)).toEqual([
      `content.in_review:${piece.id}:1`,
      `content.in_review:${piece.id}:2`,
    ]);
    expect(heard[0]?.data).toEqual({
      contentId: piece.id,
      campaignId: campaign.id,
      platform: 'x',
      title: 'Spring loaves',
      excerpt: 'Spring loaves are here. Come by this weekend.',
    });
  });

  it('tells once that a piece was published, however often the publisher runs again', async () => {
    const piece = await newContent(ctx.app, owner, businessId);
    await move(owner, businessId, piece.id, 'in_review');
    await move(owner, businessId, piece.id, 'approved');
    await api(ctx.app, owner, 'POST', `${contents(businessId)}/${piece.id}/schedule`, {
      publishAt: dueNow(),
    });
    const { publisher } = ctx.runtime.services.publishing;
    await publisher.drain();
    await publisher.drain(); // a retried wake-up finds nothing more to tell

    const publications = await api<{ items: { id: string; contentId: string }[] }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/publications`,
    );
    const publication = publications.body.items.find((item) => item.contentId === piece.id);
    expect(publication).toBeDefined();
    const heard = recorder
      .of('content.published', businessId)
      .filter((event) => event.data.contentId === piece.id);
    expect(heard).toEqual([
      {
        businessId,
        type: 'content.published',
        key: `content.published:${publication?.id}`,
        data: {
          contentId: piece.id,
          campaignId: null,
          platform: 'x',
          publicationId: publication?.id,
          url: `${ctx.config.http.publicUrl}/businesses/${businessId}/content/${piece.id}`,
        },
      },
    ]);
  });

  it('tells once that a piece failed for good, with why, naming its final attempt', async () => {
    const piece = await newContent(ctx.app, owner, businessId);
    await move(owner, businessId, piece.id, 'in_review');
    await move(owner, businessId, piece.id, 'approved');
    // A loopback target is refused (the default): a failure no retry can mend.
    await api(ctx.app, owner, 'POST', `${contents(businessId)}/${piece.id}/schedule`, {
      publishAt: dueNow(),
      channel: 'webhook',
      channelTarget: { url: 'https://127.0.0.1:9/hooks' },
    });
    const { publisher } = ctx.runtime.services.publishing;
    await publisher.drain();
    await publisher.drain();

    const attempts = await api<{ items: { id: string; outcome: string; error: string }[] }>(
      ctx.app,
      owner,
      'GET',
      `${contents(businessId)}/${piece.id}/attempts`,
    );
    const final = attempts.body.items.at(-1);
    expect(final?.outcome).toBe('failed');
    const heard = recorder
      .of('content.failed', businessId)
      .filter((event) => event.data.contentId === piece.id);
    expect(heard).toHaveLength(1);
    expect(heard[0]?.key).toBe(`content.failed:${final?.id}`);
    expect(heard[0]?.data).toEqual({
      contentId: piece.id,
      campaignId: null,
      platform: 'x',
      publicationId: final?.id,
      error: final?.error,
    });
    expect(String(heard[0]?.data.error)).not.toBe('');
  });

  it('tells once that a job succeeded, even when its queue message is delivered again', async () => {
    const started = await api<{ job: { id: string } }>(
      ctx.app,
      owner,
      'POST',
      `/api/v1/businesses/${businessId}/ai/brand-voice`,
      { notes: 'We bake sourdough every morning.' },
      202,
    );
    const jobId = started.body.job.id;
    await ctx.runtime.services.jobs.runQueued(jobId);
    await ctx.runtime.services.jobs.runQueued(jobId); // a redelivery changes nothing

    const heard = recorder.events.filter((event) => event.data.jobId === jobId);
    expect(heard).toEqual([
      {
        businessId,
        type: 'job.succeeded',
        key: `job.succeeded:${jobId}`,
        data: { jobId, kind: 'ai.brand-voice' },
      },
    ]);
  });

  it('tells once that a job failed, with the message its owner sees', async () => {
    const jobId = await newJob(ctx.runtime.database.db, owner, businessId);
    await ctx.runtime.services.jobs.runQueued(jobId);
    await ctx.runtime.services.jobs.runQueued(jobId);

    const job = await api<{ error: { message: string } }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/jobs/${jobId}`,
    );
    const heard = recorder.events.filter((event) => event.data.jobId === jobId);
    expect(heard).toEqual([
      {
        businessId,
        type: 'job.failed',
        key: `job.failed:${jobId}`,
        data: { jobId, kind: 'fixture.noop', error: job.body.error.message },
      },
    ]);
  });

  it('keeps no fact without its event: a move whose event cannot be recorded does not happen', async () => {
    const piece = await newContent(ctx.app, owner, businessId);
    gate.down = true;
    try {
      const refused = await api(
        ctx.app,
        owner,
        'POST',
        `${contents(businessId)}/${piece.id}/status`,
        { status: 'in_review' },
      );
      expect(refused.status).toBe(500);
    } finally {
      gate.down = false;
    }
    const after = await api<{ status: string }>(
      ctx.app,
      owner,
      'GET',
      `${contents(businessId)}/${piece.id}`,
    );
    expect(after.body.status).toBe('draft');
    // Once the listener is back, the move and its event happen together, as the first entry.
    await move(owner, businessId, piece.id, 'in_review');
    const heard = recorder
      .of('content.in_review', businessId)
      .filter((event) => event.data.contentId === piece.id);
    expect(heard.at(-1)?.key).toBe(`content.in_review:${piece.id}:1`);
  });

  it("keeps each business's events to itself", async () => {
    const piece = await newContent(ctx.app, otherOwner, otherBusinessId);
    await move(otherOwner, otherBusinessId, piece.id, 'in_review');
    const jobId = await newJob(ctx.runtime.database.db, otherOwner, otherBusinessId);
    await ctx.runtime.services.jobs.runQueued(jobId);

    const theirs = recorder.events.filter((event) => event.businessId === otherBusinessId);
    expect(theirs.map((event) => event.type).sort()).toEqual(['content.in_review', 'job.failed']);
    expect(theirs.map((event) => event.data.contentId ?? event.data.jobId).sort()).toEqual(
      [piece.id, jobId].sort(),
    );
    // Nothing of the other business was told as this one's, nor the other way round.
    const ours = recorder.events.filter((event) => event.businessId === businessId);
    expect(ours.some((event) => event.data.contentId === piece.id)).toBe(false);
    expect(ours.some((event) => event.data.jobId === jobId)).toBe(false);
  });
});
