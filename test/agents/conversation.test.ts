// Conversations with the marketing agents against the fault-injecting OpenAI-compatible server:
// the conductor's routing, the streamed reply, tools run with the chat user's access (another
// tenant's ids refused), data-changing tools held for confirmation, malformed tool arguments
// never run as sent, and the daily token limit across sessions. The same tests run on PGlite
// and on the PostgreSQL server.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { chatActions } from '../../src/platform/db/schema/index.ts';
import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import { newBusiness, newUser, type TestBusiness, type TestUser } from '../helpers/fixtures.ts';
import { decisionOf, eventsNamed, newSession, send } from './helpers.ts';

const route = (specialists: string[], reasoning = 'The message is about this.') => ({
  content: JSON.stringify({ specialists, reasoning }),
});
const call = (name: string, args: unknown) => ({
  toolCalls: [{ name, arguments: typeof args === 'string' ? args : JSON.stringify(args) }],
});

async function newCampaign(ctx: TestApp, user: TestUser, businessId: string, name: string) {
  const response = await api<{ id: string }>(
    ctx.app,
    user,
    'POST',
    `/api/v1/businesses/${businessId}/campaigns`,
    { name, goal: 'Sell more bread' },
    201,
  );
  return response.body.id;
}

async function contentsOf(ctx: TestApp, user: TestUser, businessId: string) {
  const response = await api<{ items: { id: string; status: string; body: unknown }[] }>(
    ctx.app,
    user,
    'GET',
    `/api/v1/businesses/${businessId}/contents`,
  );
  expect(response.status).toBe(200);
  return response.body.items;
}

describe('a conversation with the marketing agents', () => {
  let fake: FakeLlm;
  let ctx: TestApp;
  let owner: TestUser;
  let business: TestBusiness;
  let sessionId: string;

  beforeAll(async () => {
    fake = await startFakeLlm();
    ctx = await buildTestApp({ env: fakeLlmEnv(fake) });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });
  beforeEach(async () => {
    fake.reset();
    business = await newBusiness(ctx.app, owner);
    sessionId = await newSession(ctx.app, owner, business.id);
  });

  it('goes to the specialist the conductor names, streams its reply and stores it', async () => {
    fake.script(route(['copywriter'], 'A post to write.'), {
      content: 'Fresh sourdough, out of the oven at seven.',
    });
    const turn = await send(ctx.app, owner, business.id, sessionId, 'Write a post about bread');

    expect(turn.status).toBe(200);
    expect(eventsNamed(turn, 'agents')).toEqual([
      { agents: ['copywriter'], reasoning: 'A post to write.' },
    ]);
    expect(turn.streamed).toBe('Fresh sourdough, out of the oven at seven.');
    expect(turn.reply).toMatchObject({
      content: turn.streamed,
      agents: ['copywriter'],
      provider: 'openai-compatible',
    });
    // The copywriter answered: its own instructions and its own tools, not another's.
    const step = fake.requests[1]?.body;
    expect(JSON.stringify(step?.messages[0])).toContain('copywriter');
    const offered = step?.tools?.map((t) => t.function.name) ?? [];
    expect(offered).toContain('draft_content');
    expect(offered).not.toContain('list_customers');

    const detail = await api<{ messages: { role: string; content: string }[] }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${business.id}/chat/sessions/${sessionId}`,
    );
    expect(detail.body.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Write a post about bread'],
      ['assistant', 'Fresh sourdough, out of the oven at seven.'],
    ]);
    const decision = await decisionOf(ctx.app, owner, business.id, turn.reply?.decisionId ?? '');
    expect(decision).toMatchObject({ agents: ['copywriter'], outcome: 'success' });
    expect(decision.calls.map((c) => c.task)).toEqual(['chat-route', 'chat.copywriter']);
    expect(decision.calls.every((c) => c.hasTranscript)).toBe(true);
    expect(decision.promptTokens).toBeGreaterThan(0);
  });

  it('refuses a tool called with another tenant’s id, tells the model it was not found, and logs it', async () => {
    const stranger = await newUser(ctx.app);
    const theirs = await newBusiness(ctx.app, stranger);
    const secret = await newCampaign(ctx, stranger, theirs.id, 'Secret launch plan');
    fake.script(route(['performance_analyst']), call('get_campaign', { campaignId: secret }), {
      content: 'I could not find that campaign.',
    });
    const turn = await send(ctx.app, owner, business.id, sessionId, 'How did campaign X do?');

    expect(turn.reply?.toolCalls).toMatchObject([{ tool: 'get_campaign', status: 'refused' }]);
    const toolMessage = JSON.stringify(fake.requests[2]?.body.messages.at(-1));
    expect(toolMessage).toContain('NOT_FOUND');
    expect(JSON.stringify(fake.requests)).not.toContain('Secret launch plan');
    const decision = await decisionOf(ctx.app, owner, business.id, turn.reply?.decisionId ?? '');
    expect(decision.toolCalls).toMatchObject([
      { agent: 'performance_analyst', tool: 'get_campaign', outcome: 'refused' },
    ]);
  });

  it('holds a data-changing tool until the user confirms it, then runs it once', async () => {
    const campaignId = await newCampaign(ctx, owner, business.id, 'Spring bread');
    fake.script(
      route(['copywriter']),
      call('draft_content', {
        campaignId,
        platform: 'linkedin',
        topic: 'Spring sourdough',
        text: 'Our spring sourdough is back this Saturday.',
      }),
      { content: 'I prepared the draft; confirm to save it.' },
    );
    const turn = await send(ctx.app, owner, business.id, sessionId, 'Draft a LinkedIn post');

    const [confirmation] = eventsNamed(turn, 'confirmation') as {
      action: { id: string; status: string; messageId: string };
    }[];
    expect(confirmation?.action).toMatchObject({ status: 'pending', messageId: turn.reply?.id });
    expect(turn.reply?.toolCalls).toMatchObject([
      { tool: 'draft_content', status: 'awaiting_confirmation' },
    ]);
    expect(await contentsOf(ctx, owner, business.id)).toEqual([]);

    const url = `/api/v1/businesses/${business.id}/chat/sessions/${sessionId}/messages/${turn.reply?.id ?? ''}`;
    const confirmed = await api<{ action: { status: string }; message: { content: string } }>(
      ctx.app,
      owner,
      'POST',
      `${url}/confirm`,
      { actionId: confirmation?.action.id },
    );
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.action.status).toBe('confirmed');
    expect(confirmed.body.message.content).toContain('Done');
    const pieces = await contentsOf(ctx, owner, business.id);
    expect(pieces).toHaveLength(1);
    expect(JSON.stringify(pieces[0]?.body)).toContain('Our spring sourdough is back');

    const again = await api(ctx.app, owner, 'POST', `${url}/confirm`, {
      actionId: confirmation?.action.id,
    });
    expect(again.status).toBe(409);
    expect(await contentsOf(ctx, owner, business.id)).toHaveLength(1);
  });

  it('lists the actions of one reply in the order the agent asked for them', async () => {
    const topics = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
    fake.script(
      route(['copywriter']),
      {
        toolCalls: topics.map((topic) => ({
          name: 'draft_content',
          arguments: JSON.stringify({
            platform: 'linkedin',
            topic,
            text: `Fresh bread on ${topic}.`,
          }),
        })),
      },
      { content: 'Five drafts to confirm.' },
    );
    const turn = await send(ctx.app, owner, business.id, sessionId, 'A post for each weekday');
    const streamed = eventsNamed(turn, 'confirmation') as {
      action: { input: { topic: string } };
    }[];
    expect(streamed.map((event) => event.action.input.topic)).toEqual(topics);

    const session = await api<{ actions: { input: { topic: string } }[] }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${business.id}/chat/sessions/${sessionId}`,
    );
    expect(session.body.actions.map((action) => action.input.topic)).toEqual(topics);
  });

  it('runs nothing after a reject, or after the action expired', async () => {
    const propose = async (topic: string) => {
      fake.script(
        route(['copywriter']),
        call('draft_content', { platform: 'x', topic, text: `${topic}, fresh today.` }),
        { content: 'Confirm to save it.' },
      );
      const turn = await send(ctx.app, owner, business.id, sessionId, `Draft a post on ${topic}`);
      const [event] = eventsNamed(turn, 'confirmation') as { action: { id: string } }[];
      return {
        url: `/api/v1/businesses/${business.id}/chat/sessions/${sessionId}/messages/${turn.reply?.id ?? ''}`,
        actionId: event?.action.id ?? '',
      };
    };

    const rejected = await propose('Rye');
    const rejection = await api<{ action: { status: string } }>(
      ctx.app,
      owner,
      'POST',
      `${rejected.url}/reject`,
      { actionId: rejected.actionId },
    );
    expect(rejection.body.action.status).toBe('rejected');
    const late = await api(ctx.app, owner, 'POST', `${rejected.url}/confirm`, {
      actionId: rejected.actionId,
    });
    expect(late.status).toBe(409);

    const expired = await propose('Brioche');
    await ctx.runtime.database.db
      .update(chatActions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(sql`${chatActions.id} = ${expired.actionId}`);
    const tooLate = await api<{ error: { code: string; message: string } }>(
      ctx.app,
      owner,
      'POST',
      `${expired.url}/confirm`,
      { actionId: expired.actionId },
    );
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.error.message).toContain('expired');
    expect(await contentsOf(ctx, owner, business.id)).toEqual([]);
  });

  it('repairs broken tool-call JSON and refuses arguments its schema does not accept, without running them', async () => {
    await newCampaign(ctx, owner, business.id, 'Winter loaves');
    fake.script(
      route(['strategist']),
      {
        toolCalls: [
          { name: 'list_campaigns', arguments: '{"limit": 5' },
          { name: 'get_campaign', arguments: '{"campaignId": "not-a-uuid"}' },
          { name: 'drop_all_tables', arguments: '{}' },
        ],
      },
      { content: 'You have one campaign, Winter loaves.' },
    );
    const turn = await send(ctx.app, owner, business.id, sessionId, 'Which campaigns do we run?');

    expect(turn.reply?.toolCalls.map((c) => [c.tool, c.status])).toEqual([
      ['list_campaigns', 'done'],
      ['get_campaign', 'failed'],
      ['drop_all_tables', 'failed'],
    ]);
    expect(turn.reply?.toolCalls[0]?.summary).toContain('Winter loaves');
    expect(turn.reply?.toolCalls[1]?.summary).toContain('campaignId');
    const decision = await decisionOf(ctx.app, owner, business.id, turn.reply?.decisionId ?? '');
    expect(decision.toolCalls.map((c) => c.outcome)).toEqual([
      'done',
      'invalid_arguments',
      'invalid_arguments',
    ]);
  });

  it('answers an error event when the model fails, and logs the failed turn', async () => {
    fake.script(route(['strategist']));
    fake.otherwise({ status: 400, body: { error: { message: 'unknown model' } } });
    const turn = await send(ctx.app, owner, business.id, sessionId, 'Plan my spring');

    const [error] = eventsNamed(turn, 'error') as { error: { code: string } }[];
    expect(error?.error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(turn.reply).toBeUndefined();
    const log = await api<{ items: { outcome: string; error: { code: string } | null }[] }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${business.id}/chat/decisions?sessionId=${sessionId}`,
    );
    expect(log.body.items).toMatchObject([
      { outcome: 'failed', error: { code: 'UPSTREAM_UNAVAILABLE' } },
    ]);
  });

  it('recalls a learning from an earlier session in a later one', async () => {
    // Session one: the agents extract what lasts from the conversation.
    fake.script(route(['strategist']), { content: 'Noted: no discounts in the spring plan.' });
    await send(
      ctx.app,
      owner,
      business.id,
      sessionId,
      'Our audience hates discount codes. Plan the spring launch without them.',
    );
    fake.script({
      content: JSON.stringify({ learnings: ['The audience dislikes discount codes.'] }),
    });
    const learned = await api<{ items: { id: string; kind: string; content: string }[] }>(
      ctx.app,
      owner,
      'POST',
      `/api/v1/businesses/${business.id}/chat/sessions/${sessionId}/learn`,
    );
    expect(learned.status).toBe(200);
    expect(learned.body.items).toMatchObject([
      { kind: 'extracted', content: 'The audience dislikes discount codes.' },
    ]);

    // Session two, another day's question: the learning reaches the conductor and the specialist.
    const later = await newSession(ctx.app, owner, business.id);
    fake.reset();
    fake.script(route(['copywriter']), { content: 'A post without any discount codes.' });
    await send(ctx.app, owner, business.id, later, 'Should the summer post offer discount codes?');
    const [routing, step] = fake.requests.map((r) => JSON.stringify(r.body.messages));
    expect(routing).toContain('The audience dislikes discount codes.');
    expect(step).toContain('The audience dislikes discount codes.');

    // Deleted, it is no longer recalled.
    const id = learned.body.items[0]?.id ?? '';
    await api(
      ctx.app,
      owner,
      'DELETE',
      `/api/v1/businesses/${business.id}/chat/learnings/${id}`,
      undefined,
      204,
    );
    fake.reset();
    fake.script(route(['copywriter']), { content: 'Sure.' });
    await send(ctx.app, owner, business.id, later, 'Should the autumn post offer discount codes?');
    expect(JSON.stringify(fake.requests.map((r) => r.body.messages))).not.toContain(
      'dislikes discount codes',
    );
  });

  it('answers from the knowledge base and cites the passages it used', async () => {
    await api(
      ctx.app,
      owner,
      'POST',
      `/api/v1/businesses/${business.id}/knowledge/documents`,
      {
        title: 'Opening hours',
        format: 'text',
        content:
          'The bakery opens at seven in the morning and closes at seven in the evening, every day but Monday.',
      },
      201,
    );
    await api(
      ctx.app,
      owner,
      'POST',
      `/api/v1/businesses/${business.id}/knowledge/documents`,
      {
        title: 'Allergens',
        format: 'text',
        content: 'Our rye bread contains sesame seeds; the brioche contains egg and butter.',
      },
      201,
    );
    fake.script(
      route(['researcher']),
      call('search_knowledge', { query: 'when does the bakery open' }),
      { content: 'The bakery opens at seven every day but Monday [1].' },
    );
    const turn = await send(ctx.app, owner, business.id, sessionId, 'When do we open?');

    expect(turn.reply?.toolCalls).toMatchObject([{ tool: 'search_knowledge', status: 'done' }]);
    expect(turn.reply?.citations[0]).toMatchObject({ title: 'Opening hours' });
    expect(turn.reply?.citations[0]?.excerpt).toContain('opens at seven');
    // The model was given the passages it cites, numbered.
    const toolMessage = JSON.stringify(fake.requests[2]?.body.messages.at(-1));
    expect(toolMessage).toContain('opens at seven');
  });

  it('carries the same turn over the WebSocket, one frame per event', async () => {
    fake.script(route(['copywriter']), { content: 'Rye is back on Saturday.' });
    const socket = await ctx.app.injectWS(
      `/api/v1/businesses/${business.id}/chat/sessions/${sessionId}/socket`,
      { headers: owner.headers },
    );
    const frames: { event: string; data: Record<string, unknown> }[] = [];
    const finished = new Promise<void>((resolve) => {
      socket.on('message', (raw: Buffer) => {
        const frame = JSON.parse(raw.toString('utf8')) as (typeof frames)[number];
        frames.push(frame);
        if (frame.event === 'done' || frame.event === 'error') resolve();
      });
    });
    socket.send(JSON.stringify({ content: 'Write a post about rye' }));
    await finished;
    socket.terminate();

    expect(frames.map((f) => f.event)).toEqual(
      expect.arrayContaining(['message', 'agents', 'delta', 'done']),
    );
    const streamed = frames
      .filter((f) => f.event === 'delta')
      .map((f) => String(f.data.text))
      .join('');
    expect(streamed).toBe('Rye is back on Saturday.');
    expect(frames.at(-1)?.data.message).toMatchObject({ content: 'Rye is back on Saturday.' });
  });

  it('refuses bad input with 400 naming the field, and stores nothing', async () => {
    const url = `/api/v1/businesses/${business.id}/chat/sessions/${sessionId}`;
    for (const payload of [{}, { content: '' }, { content: 'x'.repeat(8001) }, { content: 7 }]) {
      const response = await api<{ error: { code: string } }>(
        ctx.app,
        owner,
        'POST',
        `${url}/messages`,
        payload,
      );
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
    }
    const learning = await api(
      ctx.app,
      owner,
      'POST',
      `/api/v1/businesses/${business.id}/chat/learnings`,
      { content: 'a\u0000b' },
    );
    expect(learning.status).toBe(400);
    const detail = await api<{ messages: unknown[] }>(ctx.app, owner, 'GET', url);
    expect(detail.body.messages).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  it('keeps sessions to their user: another member’s session is not found', async () => {
    const stranger = await newUser(ctx.app);
    const response = await api(
      ctx.app,
      stranger,
      'GET',
      `/api/v1/businesses/${business.id}/chat/sessions/${sessionId}`,
    );
    expect(response.status).toBe(404);
  });
});

describe('the daily token limit of the chat', () => {
  let fake: FakeLlm;
  let ctx: TestApp;

  beforeAll(async () => {
    fake = await startFakeLlm();
    ctx = await buildTestApp({ env: fakeLlmEnv(fake, { CHAT_TOKENS_PER_DAY: '1000' }) });
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });

  it('holds across sessions: once a day’s tokens are spent, a new session is refused with Retry-After', async () => {
    const user = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, user);
    const first = await newSession(ctx.app, user, business.id);
    fake.script(
      { ...route(['strategist']), promptTokens: 400, completionTokens: 200 },
      { content: 'Here is a plan.', promptTokens: 400, completionTokens: 200 },
    );
    expect((await send(ctx.app, user, business.id, first, 'Plan my spring')).reply).toBeDefined();

    const second = await newSession(ctx.app, user, business.id);
    const requestsBefore = fake.requests.length;
    const refused = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${business.id}/chat/sessions/${second}/messages`,
      headers: user.headers,
      payload: { content: 'And summer?' },
    });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json<{ error: { message: string } }>().error.message).toContain('1,200');
    expect(fake.requests.length).toBe(requestsBefore);
  });
});

describe('the chat with no model configured (builtin provider)', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('routes by keywords, answers from read tools and labels the reply builtin', async () => {
    const user = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, user);
    await newCampaign(ctx, user, business.id, 'Spring sourdough');
    const session = await newSession(ctx.app, user, business.id);
    const turn = await send(ctx.app, user, business.id, session, 'Plan around our campaigns');

    expect(turn.reply?.agents).toEqual(['strategist']);
    expect(turn.reply?.provider).toBe('builtin');
    expect(turn.reply?.toolCalls.map((c) => c.tool)).toContain('list_campaigns');
    expect(turn.reply?.toolCalls.every((c) => c.status === 'done')).toBe(true);
    expect(turn.reply?.content).toContain('Spring sourdough');
    expect(turn.streamed).toBe(turn.reply?.content);
    expect(eventsNamed(turn, 'confirmation')).toEqual([]);
  });
});

describe('the chat’s messages per minute', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp({ env: { CHAT_REQUESTS_PER_MINUTE: '2' } });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('answers the third message in a minute with 429 and Retry-After, before any stream', async () => {
    const user = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, user);
    const session = await newSession(ctx.app, user, business.id);
    for (const content of ['Show our campaigns', 'Show our segments']) {
      expect((await send(ctx.app, user, business.id, session, content)).status).toBe(200);
    }
    const third = await send(ctx.app, user, business.id, session, 'Show our sequences');
    expect(third.status).toBe(429);
    expect(JSON.parse(third.body)).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    const detail = await api<{ messages: unknown[] }>(
      ctx.app,
      user,
      'GET',
      `/api/v1/businesses/${business.id}/chat/sessions/${session}`,
    );
    expect(detail.body.messages).toHaveLength(4);
  });
});
