// Approvals: editors write and submit for review, only approvers (owner, admin, or a member with
// the approver flag) approve content or start a sequence sending, a viewer only reads — and the
// review trail records who made each move, the publisher's own moves without an actor.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Role } from '../../src/shared/permissions.ts';
import { type ContentView, dueNow } from '../campaigns/helpers.ts';
import { api, finishedJob } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  newBusiness,
  newContent,
  newSequence,
  newUser,
  STRONG_PASSWORD,
  type TestUser,
} from '../helpers/fixtures.ts';

interface ErrorBody {
  error: { code: string; details: { requiredPermission?: string } };
}

interface AuditEvent {
  action: string;
  businessId: string | null;
  details: { sequenceId?: string };
}

interface Transition {
  id: string;
  fromStatus: string;
  toStatus: string;
  actor: { id: string; name: string; email: string } | null;
  createdAt: string;
}

describe('approvals and the review trail', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let admin: TestUser;
  let editor: TestUser;
  let approver: TestUser;
  let viewer: TestUser;
  let businessId: string;
  let base: string;

  /** A user registered with a name, as the trail shows it. */
  async function person(name: string): Promise<TestUser> {
    const email = `${name.toLowerCase()}-${randomUUID()}@example.com`;
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password: STRONG_PASSWORD, name },
    });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json<{
      accessToken: string;
      refreshToken: string;
      user: { id: string };
    }>();
    return {
      id: body.user.id,
      email,
      password: STRONG_PASSWORD,
      accessToken: body.accessToken,
      refreshToken: body.refreshToken,
      headers: { authorization: `Bearer ${body.accessToken}` },
    };
  }

  /** Makes `user` a member directly (the invitation flow is tested elsewhere). */
  async function join(user: TestUser, role: Role, isApprover = false): Promise<void> {
    await ctx.runtime.database.query(
      `INSERT INTO business_members (business_id, user_id, role, approver, invited_by)
       VALUES ($1, $2, $3, $4, $5)`,
      [businessId, user.id, role, isApprover, owner.id],
    );
  }

  const move = (user: TestUser, id: string, status: string) =>
    api<ContentView & ErrorBody>(ctx.app, user, 'POST', `${base}/${id}/status`, { status });

  beforeAll(async () => {
    ctx = await buildTestApp(); // no worker: the test drives the publisher itself
    owner = await person('Olga');
    businessId = (await newBusiness(ctx.app, owner)).id;
    base = `/api/v1/businesses/${businessId}/contents`;
    admin = await person('Sam');
    editor = await person('Ana');
    approver = await person('Pia');
    viewer = await person('Vic');
    await join(admin, 'admin');
    await join(editor, 'editor');
    await join(approver, 'editor', true);
    await join(viewer, 'viewer');
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('an editor drafts and submits for review, but approving is refused with 403', async () => {
    const piece = await newContent(ctx.app, editor, businessId);
    const submitted = await move(editor, piece.id, 'in_review');
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('in_review');

    const refused = await move(editor, piece.id, 'approved');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect(refused.body.error.details.requiredPermission).toBe('content.approve');
    const after = await api<ContentView>(
      ctx.app,
      editor,
      'GET',
      `${base}/${piece.id}`,
      undefined,
      200,
    );
    expect(after.body.status).toBe('in_review');

    const bulk = await api<ErrorBody>(ctx.app, editor, 'POST', `${base}/bulk`, {
      action: 'approve',
      ids: [piece.id],
    });
    expect(bulk.status).toBe(403);
    expect(bulk.body.error.details.requiredPermission).toBe('content.approve');
    const still = await api<ContentView>(
      ctx.app,
      editor,
      'GET',
      `${base}/${piece.id}`,
      undefined,
      200,
    );
    expect(still.body.status).toBe('in_review');
  });

  it('an editor cannot approve a draft in one step either (403 before any other check)', async () => {
    const piece = await newContent(ctx.app, editor, businessId);
    const refused = await move(editor, piece.id, 'approved');
    expect(refused.status).toBe(403);
    expect(refused.body.error.details.requiredPermission).toBe('content.approve');
  });

  it('an admin approves, and so does an editor with the approver flag (also in bulk)', async () => {
    const first = await newContent(ctx.app, editor, businessId);
    await move(editor, first.id, 'in_review');
    expect((await move(admin, first.id, 'approved')).body.status).toBe('approved');

    const second = await newContent(ctx.app, editor, businessId);
    await move(editor, second.id, 'in_review');
    expect((await move(approver, second.id, 'approved')).body.status).toBe('approved');

    const third = await newContent(ctx.app, editor, businessId);
    const bulk = await api<{ items: { ok: boolean; content?: ContentView }[] }>(
      ctx.app,
      approver,
      'POST',
      `${base}/bulk`,
      { action: 'approve', ids: [third.id] },
      200,
    );
    expect(bulk.body.items.map((item) => [item.ok, item.content?.status])).toEqual([
      [true, 'approved'],
    ]);
  });

  it('an editor may schedule an approved piece and take it back to approved (unschedule)', async () => {
    const piece = await newContent(ctx.app, editor, businessId);
    await move(editor, piece.id, 'in_review');
    await move(admin, piece.id, 'approved');
    await api(
      ctx.app,
      editor,
      'POST',
      `${base}/${piece.id}/schedule`,
      {
        publishAt: '2099-01-01T09:00',
      },
      200,
    );
    const back = await move(editor, piece.id, 'approved');
    expect(back.status).toBe(200);
    expect(back.body.status).toBe('approved');
  });

  it('a viewer reads content but cannot create, edit or submit it (403)', async () => {
    const piece = await newContent(ctx.app, editor, businessId);
    await api(ctx.app, viewer, 'GET', `${base}/${piece.id}`, undefined, 200);
    await api(ctx.app, viewer, 'GET', base, undefined, 200);
    await api(ctx.app, viewer, 'GET', `${base}/${piece.id}/transitions`, undefined, 200);

    const edit = await api<ErrorBody>(ctx.app, viewer, 'PATCH', `${base}/${piece.id}`, {
      topic: 'Changed by a viewer',
    });
    expect(edit.status).toBe(403);
    expect(edit.body.error.details.requiredPermission).toBe('content.write');
    const create = await api<ErrorBody>(ctx.app, viewer, 'POST', base, {
      platform: 'x',
      topic: 'By a viewer',
    });
    expect(create.status).toBe(403);
    expect((await move(viewer, piece.id, 'in_review')).status).toBe(403);
    const read = await api<ContentView>(
      ctx.app,
      viewer,
      'GET',
      `${base}/${piece.id}`,
      undefined,
      200,
    );
    expect(read.body.status).toBe('draft');
    expect(read.body.topic).toBe('Spring loaves');
  });

  it('an editor cannot activate a sequence (403); an admin can, an editor may pause it, and the audit trail says who', async () => {
    const sequence = await newSequence(ctx.app, editor, businessId);
    const url = `/api/v1/businesses/${businessId}/sequences/${sequence.id}`;
    const refused = await api<ErrorBody>(ctx.app, editor, 'POST', `${url}/activate`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.details.requiredPermission).toBe('content.approve');

    const active = await api<{ status: string }>(
      ctx.app,
      admin,
      'POST',
      `${url}/activate`,
      undefined,
      200,
    );
    expect(active.body.status).toBe('active');
    await api(ctx.app, editor, 'POST', `${url}/pause`, undefined, 200);
    const resume = await api<ErrorBody>(ctx.app, editor, 'POST', `${url}/resume`);
    expect(resume.status).toBe(403);
    await api(ctx.app, approver, 'POST', `${url}/resume`, undefined, 200);

    // Who started it sending, stopped it and started it again is in each one's audit trail.
    const eventsOf = async (user: TestUser) =>
      (
        await api<{ items: AuditEvent[] }>(ctx.app, user, 'GET', '/api/v1/auth/audit-events')
      ).body.items
        .filter((event) => event.action.startsWith('sequence.'))
        .map((event) => [event.action, event.businessId, event.details.sequenceId]);
    expect(await eventsOf(admin)).toEqual([['sequence.activated', businessId, sequence.id]]);
    expect(await eventsOf(editor)).toEqual([['sequence.paused', businessId, sequence.id]]);
    expect(await eventsOf(approver)).toEqual([['sequence.resumed', businessId, sequence.id]]);
  });

  it('the trail lists the submit by the editor, the approval by the admin and the publish by the system', async () => {
    const piece = await newContent(ctx.app, editor, businessId);
    await move(editor, piece.id, 'in_review');
    await move(admin, piece.id, 'approved');
    await api(
      ctx.app,
      editor,
      'POST',
      `${base}/${piece.id}/schedule`,
      { publishAt: dueNow() },
      200,
    );
    await ctx.runtime.services.publishing.publisher.drain();
    const published = await api<ContentView>(ctx.app, owner, 'GET', `${base}/${piece.id}`);
    expect(published.body.status).toBe('published');

    const trail = await api<{ items: Transition[] }>(
      ctx.app,
      viewer,
      'GET',
      `${base}/${piece.id}/transitions`,
      undefined,
      200,
    );
    expect(
      trail.body.items.map((item) => [item.fromStatus, item.toStatus, item.actor?.name ?? null]),
    ).toEqual([
      ['draft', 'in_review', 'Ana'],
      ['in_review', 'approved', 'Sam'],
      ['approved', 'scheduled', 'Ana'],
      ['scheduled', 'published', null],
    ]);
    expect(trail.body.items[1]?.actor).toEqual({ id: admin.id, name: 'Sam', email: admin.email });
    const times = trail.body.items.map((item) => Date.parse(item.createdAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('a piece the publisher gives up on is recorded as failed by the system', async () => {
    const piece = await newContent(ctx.app, editor, businessId);
    await move(editor, piece.id, 'in_review');
    await move(admin, piece.id, 'approved');
    await api(
      ctx.app,
      editor,
      'POST',
      `${base}/${piece.id}/schedule`,
      { publishAt: dueNow() },
      200,
    );
    // A channel this server does not know fails at once, without a retry.
    await ctx.runtime.database.query(`UPDATE contents SET channel = 'pigeon' WHERE id = $1`, [
      piece.id,
    ]);
    await ctx.runtime.services.publishing.publisher.drain();
    const trail = await api<{ items: Transition[] }>(
      ctx.app,
      owner,
      'GET',
      `${base}/${piece.id}/transitions`,
      undefined,
      200,
    );
    expect(trail.body.items.map((item) => [item.toStatus, item.actor?.name ?? null])).toEqual([
      ['in_review', 'Ana'],
      ['approved', 'Sam'],
      ['scheduled', 'Ana'],
      ['failed', null],
    ]);
  });

  it('an edit that sends an approved piece back to draft is recorded as the editor’s move', async () => {
    const piece = await newContent(ctx.app, editor, businessId);
    await move(editor, piece.id, 'in_review');
    await move(admin, piece.id, 'approved');
    await api(
      ctx.app,
      editor,
      'PATCH',
      `${base}/${piece.id}`,
      {
        body: { text: 'Spring loaves, now with rye.' },
      },
      200,
    );
    // A change that leaves the status as it is adds nothing to the trail.
    await api(ctx.app, editor, 'PATCH', `${base}/${piece.id}`, { topic: 'Rye' }, 200);
    const trail = await api<{ items: Transition[] }>(
      ctx.app,
      editor,
      'GET',
      `${base}/${piece.id}/transitions`,
      undefined,
      200,
    );
    expect(trail.body.items.map((item) => [item.toStatus, item.actor?.name])).toEqual([
      ['in_review', 'Ana'],
      ['approved', 'Sam'],
      ['draft', 'Ana'],
    ]);
  });

  it('the trail of a piece of another business is not found', async () => {
    const stranger = await person('Zed');
    const piece = await newContent(ctx.app, editor, businessId);
    const answer = await api<ErrorBody>(
      ctx.app,
      stranger,
      'GET',
      `${base}/${piece.id}/transitions`,
    );
    expect(answer.status).toBe(404);
    const empty = await api<{ items: Transition[] }>(
      ctx.app,
      editor,
      'GET',
      `${base}/${piece.id}/transitions`,
      undefined,
      200,
    );
    expect(empty.body.items).toEqual([]);
  });
});

describe('the review trail of an AI rewrite', () => {
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    ctx = await buildTestApp({ worker: true, env: { LLM_PROVIDER: 'builtin' } });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('a generation that sends an approved piece back to draft is the move of whoever started it', async () => {
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const base = `/api/v1/businesses/${businessId}/contents`;
    const piece = await newContent(ctx.app, owner, businessId);
    for (const status of ['in_review', 'approved']) {
      await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status }, 200);
    }
    const started = await api<{ job: { id: string } }>(
      ctx.app,
      owner,
      'POST',
      `${base}/${piece.id}/generate`,
      {},
      202,
    );
    expect((await finishedJob(ctx.app, owner, started.body.job.id)).status).toBe('succeeded');
    const trail = await api<{ items: Transition[] }>(
      ctx.app,
      owner,
      'GET',
      `${base}/${piece.id}/transitions`,
      undefined,
      200,
    );
    expect(
      trail.body.items.map((item) => [item.fromStatus, item.toStatus, item.actor?.id]),
    ).toEqual([
      ['draft', 'in_review', owner.id],
      ['in_review', 'approved', owner.id],
      ['approved', 'draft', owner.id],
    ]);
  });
});
