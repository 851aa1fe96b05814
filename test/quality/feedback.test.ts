// AI output quality: members rate AI drafts thumbs up or down (one rating each, changed or taken
// back), only on their own business's pieces; and GET …/ai/quality answers, per task and model,
// the ratings and how much of each AI draft survived review — pieces written by the builtin
// provider, approved as written or after a cut whose size a person can count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { api, finishedJob } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newContent, newUser, type TestUser } from '../helpers/fixtures.ts';

interface Piece {
  id: string;
  status: string;
  body: { text: string } | null;
  currentVersion: number;
}

interface QualityRow {
  task: string;
  provider: string | null;
  model: string | null;
  promptVersion: string | null;
  thumbsUp: number;
  thumbsDown: number;
  approved: number;
  approvedUnedited: number;
  approvedUneditedShare: number | null;
  meanEditDistance: number | null;
  medianEditDistance: number | null;
}

interface Quality {
  businessId: string;
  days: number;
  since: string;
  items: QualityRow[];
}

interface ErrorBody {
  error: { code: string };
}

describe('AI feedback and quality figures', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let editor: TestUser;
  let viewer: TestUser;
  let stranger: TestUser;
  let businessId: string;
  let strangerBusinessId: string;
  let ai: string;
  let contents: string;
  /** AI-written pieces: approved as written, approved after cuts of 4 and 10 characters, a draft. */
  let unedited: Piece;
  let cutFour: Piece;
  let cutTen: Piece;
  let draft: Piece;
  /** Written by a person: nothing to rate. */
  let handWritten: { id: string };

  /** What is stored about a subject, sorted by member. */
  const feedbackRows = async (subjectId: string) =>
    (
      await ctx.runtime.database.query<{ user_id: string; rating: number; task: string }>(
        'SELECT user_id, rating, task FROM ai_feedback WHERE subject_id = $1',
        [subjectId],
      )
    ).sort((a, b) => a.user_id.localeCompare(b.user_id));

  const rate = (user: TestUser, subjectId: string, rating: number, business = businessId) =>
    api<ErrorBody | undefined>(ctx.app, user, 'PUT', `/api/v1/businesses/${business}/ai/feedback`, {
      subjectKind: 'content',
      subjectId,
      rating,
    });

  async function join(user: TestUser, role: string): Promise<void> {
    await ctx.runtime.database.query(
      `INSERT INTO business_members (business_id, user_id, role, approver, invited_by)
       VALUES ($1, $2, $3, false, $4)`,
      [businessId, user.id, role, owner.id],
    );
  }

  /** A piece written by the builtin provider through the content job. */
  async function generated(): Promise<Piece> {
    const piece = await newContent(ctx.app, owner, businessId, { body: null });
    const started = await api<{ job: { id: string } }>(
      ctx.app,
      owner,
      'POST',
      `${contents}/${piece.id}/generate`,
      {},
      202,
    );
    const job = await finishedJob(ctx.app, owner, started.body.job.id);
    expect(job.status).toBe('succeeded');
    return (await api<Piece>(ctx.app, owner, 'GET', `${contents}/${piece.id}`, undefined, 200))
      .body;
  }

  /** Removes `count` characters from the middle of the AI text: an edit distance of `count`. */
  async function cut(piece: Piece, count: number): Promise<void> {
    const characters = Array.from(piece.body?.text ?? '');
    expect(characters.length).toBeGreaterThan(count + 20);
    const edited = [...characters.slice(0, 10), ...characters.slice(10 + count)].join('');
    await api(ctx.app, owner, 'PATCH', `${contents}/${piece.id}`, { body: { text: edited } }, 200);
  }

  /** Submits a piece for review and approves it, as the owner. */
  async function approve(piece: { id: string }): Promise<void> {
    const status = (to: string) =>
      api(ctx.app, owner, 'POST', `${contents}/${piece.id}/status`, { status: to }, 200);
    await status('in_review');
    await status('approved');
  }

  beforeAll(async () => {
    ctx = await buildTestApp({ worker: true });
    owner = await newUser(ctx.app);
    editor = await newUser(ctx.app);
    viewer = await newUser(ctx.app);
    stranger = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    strangerBusinessId = (await newBusiness(ctx.app, stranger)).id;
    await join(editor, 'editor');
    await join(viewer, 'viewer');
    ai = `/api/v1/businesses/${businessId}/ai`;
    contents = `/api/v1/businesses/${businessId}/contents`;

    unedited = await generated();
    cutFour = await generated();
    cutTen = await generated();
    draft = await generated();
    handWritten = await newContent(ctx.app, owner, businessId);
    await approve(unedited);
    await cut(cutFour, 4);
    await approve(cutFour);
    await cut(cutTen, 10);
    await approve(cutTen);
    await approve(handWritten);
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('stores one rating per member and piece, with the task and model that wrote it; rating again replaces it', async () => {
    expect((await rate(owner, unedited.id, 1)).status).toBe(204);
    expect((await rate(editor, unedited.id, -1)).status).toBe(204);
    expect((await rate(owner, cutFour.id, -1)).status).toBe(204);
    expect((await rate(owner, cutFour.id, 1)).status).toBe(204);

    expect(await feedbackRows(unedited.id)).toEqual(
      [
        { user_id: owner.id, rating: 1, task: 'content-piece' },
        { user_id: editor.id, rating: -1, task: 'content-piece' },
      ].sort((a, b) => a.user_id.localeCompare(b.user_id)),
    );
    expect(await feedbackRows(cutFour.id)).toEqual([
      { user_id: owner.id, rating: 1, task: 'content-piece' },
    ]);

    const mine = await api<{ items: { subjectKind: string; subjectId: string; rating: number }[] }>(
      ctx.app,
      owner,
      'GET',
      `${ai}/feedback?subjectKind=content&subjectIds=${unedited.id},${cutFour.id},${draft.id}`,
      undefined,
      200,
    );
    expect(
      mine.body.items
        .map(({ subjectKind, subjectId, rating }) => ({ subjectKind, subjectId, rating }))
        .sort((a, b) => a.subjectId.localeCompare(b.subjectId)),
    ).toEqual(
      [
        { subjectKind: 'content', subjectId: unedited.id, rating: 1 },
        { subjectKind: 'content', subjectId: cutFour.id, rating: 1 },
      ].sort((a, b) => a.subjectId.localeCompare(b.subjectId)),
    );
    // Without a filter: the owner's ratings, the latest (cutFour's change) first.
    const latest = await api<{ items: { subjectId: string }[] }>(
      ctx.app,
      owner,
      'GET',
      `${ai}/feedback`,
      undefined,
      200,
    );
    expect(latest.body.items.map((item) => item.subjectId)).toEqual([cutFour.id, unedited.id]);
  });

  it('takes a rating back, and answers 204 when there was none', async () => {
    expect((await rate(owner, cutTen.id, -1)).status).toBe(204);
    const url = `${ai}/feedback?subjectKind=content&subjectId=${cutTen.id}`;
    await api(ctx.app, owner, 'DELETE', url, undefined, 204);
    expect(await feedbackRows(cutTen.id)).toEqual([]);
    await api(ctx.app, owner, 'DELETE', url, undefined, 204);
  });

  it("answers 404 for another tenant's piece, from either business, and stores nothing", async () => {
    const fromOwn = await rate(stranger, unedited.id, -1, strangerBusinessId);
    expect(fromOwn.status).toBe(404);
    expect(fromOwn.body?.error.code).toBe('NOT_FOUND');
    const intoTheirs = await rate(stranger, unedited.id, -1);
    expect(intoTheirs.status).toBe(404);
    await api(
      ctx.app,
      stranger,
      'DELETE',
      `/api/v1/businesses/${strangerBusinessId}/ai/feedback?subjectKind=content&subjectId=${unedited.id}`,
      undefined,
      404,
    );
    expect((await feedbackRows(unedited.id)).map((row) => row.user_id)).not.toContain(stranger.id);
  });

  it('refuses a viewer (403), a piece no AI wrote (409), a bad rating (400) and, until the agents are wired, chat messages (404)', async () => {
    const byViewer = await rate(viewer, unedited.id, 1);
    expect(byViewer.status).toBe(403);
    const human = await rate(owner, handWritten.id, 1);
    expect(human.status).toBe(409);
    expect(human.body?.error.code).toBe('CONFLICT');
    expect((await rate(owner, unedited.id, 2)).status).toBe(400);
    const chat = await api<ErrorBody>(ctx.app, owner, 'PUT', `${ai}/feedback`, {
      subjectKind: 'chat_message',
      subjectId: unedited.id,
      rating: 1,
    });
    expect(chat.status).toBe(404);
    expect(await feedbackRows(handWritten.id)).toEqual([]);
    expect((await feedbackRows(unedited.id)).map((row) => row.user_id)).not.toContain(viewer.id);
  });

  it('answers 401 without credentials', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: `${ai}/quality` });
    expect(response.statusCode).toBe(401);
    const put = await ctx.app.inject({
      method: 'PUT',
      url: `${ai}/feedback`,
      payload: { subjectKind: 'content', subjectId: unedited.id, rating: 1 },
    });
    expect(put.statusCode).toBe(401);
  });

  it('counts, per task and model, the ratings and how much of each approved AI draft was changed', async () => {
    // Before: the owner's and the editor's ratings of `unedited` (1, -1), the owner's 1 on cutFour.
    const quality = await api<Quality>(ctx.app, viewer, 'GET', `${ai}/quality`, undefined, 200);
    expect(quality.body.days).toBe(30);
    expect(quality.body.items).toEqual([
      {
        task: 'content-piece',
        provider: 'builtin',
        model: 'builtin',
        promptVersion: null,
        thumbsUp: 2,
        thumbsDown: 1,
        // unedited (0), cutFour (4) and cutTen (10); the draft is not approved, the
        // hand-written piece is not the AI's.
        approved: 3,
        approvedUnedited: 1,
        approvedUneditedShare: 0.3333,
        meanEditDistance: 4.7,
        medianEditDistance: 4,
      },
    ]);
    await api(ctx.app, owner, 'GET', `${ai}/quality?days=0`, undefined, 400);
  });

  it('leaves out a piece edited after approval: it is a draft again until approved again', async () => {
    await cut(unedited, 2);
    const { body } = await api<Quality>(ctx.app, owner, 'GET', `${ai}/quality`, undefined, 200);
    expect(body.items[0]).toMatchObject({
      approved: 2,
      approvedUnedited: 0,
      medianEditDistance: 7,
    });
    await approve(unedited);
    const again = await api<Quality>(ctx.app, owner, 'GET', `${ai}/quality`, undefined, 200);
    expect(again.body.items[0]).toMatchObject({
      approved: 3,
      approvedUnedited: 0,
      medianEditDistance: 4,
      meanEditDistance: 5.3,
    });
  });

  it("shows another business's figures to nobody else", async () => {
    await api(ctx.app, stranger, 'GET', `${ai}/quality`, undefined, 404);
    const theirs = await api<Quality>(
      ctx.app,
      stranger,
      'GET',
      `/api/v1/businesses/${strangerBusinessId}/ai/quality`,
      undefined,
      200,
    );
    expect(theirs.body.items).toEqual([]);
  });
});
