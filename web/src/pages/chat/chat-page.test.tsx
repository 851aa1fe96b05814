// @vitest-environment happy-dom
// The chat page following a streamed reply: the deltas appear in the order they arrive under the
// agents at work, a confirmation card's buttons call the confirm and reject endpoints and show
// what happened, and a failure (an `error` event or a refused request) is explained while the
// message stays in the box to send again.
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';

import { ChatPage } from './chat-page';
import { BASE, BUSINESS_ID, eventStream, json, renderPage, type SentRequest } from './test-harness';
import type { ChatAction, ChatMessage, ChatSession } from './types';

afterEach(cleanup);

const SESSION_ID = '00000000-0000-4000-8000-0000000000c1';
const SESSION_PATH = `${BASE}/chat/sessions/${SESSION_ID}`;

const session: ChatSession = {
  id: SESSION_ID,
  businessId: 'b',
  title: 'Spring launch',
  summary: null,
  messageCount: 0,
  createdAt: '2026-12-01T10:00:00.000Z',
  lastActivityAt: '2026-12-01T10:00:00.000Z',
};

const message = (id: string, role: ChatMessage['role'], content: string): ChatMessage => ({
  id,
  role,
  content,
  agents: role === 'assistant' ? ['copywriter'] : [],
  toolCalls: [],
  citations: [],
  provider: role === 'assistant' ? 'builtin' : null,
  model: role === 'assistant' ? 'builtin' : null,
  decisionId: role === 'assistant' ? '00000000-0000-4000-8000-0000000000d1' : null,
  createdAt: '2026-12-01T10:01:00.000Z',
});

const action = (status: ChatAction['status']): ChatAction => ({
  id: '00000000-0000-4000-8000-0000000000a1',
  messageId: 'reply-1',
  agent: 'publisher',
  tool: 'schedule_post',
  description: 'Schedule “Spring loaves are here” on Instagram for Saturday 9:00',
  input: { contentId: 'c1', publishAt: '2026-12-05T09:00:00.000Z' },
  status,
  result: status === 'confirmed' ? { scheduled: true } : null,
  error: null,
  expiresAt: '2026-12-01T11:00:00.000Z',
  decidedAt: status === 'pending' ? null : '2026-12-01T10:05:00.000Z',
});

/** What the fake server has stored of the session; GET answers it, as the real one does. */
interface Stored {
  messages: ChatMessage[];
  actions: ChatAction[];
}

/** The chat of one session, with `extra` answering what the test is about. */
function renderChat(
  extra: (request: SentRequest, stored: Stored) => Response | undefined,
  options: { startAt?: string; stored?: Stored } = {},
) {
  const stored: Stored = options.stored ?? { messages: [], actions: [] };
  const rendered = renderPage({
    path: `/businesses/${BUSINESS_ID}/chat/${options.startAt ?? SESSION_ID}`,
    routes: (
      <>
        <Route path="chat/:sessionId?" element={<ChatPage />} />
        <Route path="decisions/:decisionId" element={<p>Decision page</p>} />
      </>
    ),
    answer: (request) => {
      const answered = extra(request, stored);
      if (answered) return answered;
      if (request.method !== 'GET') return undefined;
      if (request.path === `${BASE}/chat/sessions`) {
        return json(200, { items: [session], nextCursor: null });
      }
      if (request.path === SESSION_PATH) return json(200, { session, ...stored });
      if (request.path === `${BASE}/chat/learnings`) return json(200, { items: [] });
      return undefined;
    },
  });
  return { ...rendered, stored };
}

/** The server's side of a reply: it stores each message and action before it sends it. */
function replying(stream: ReturnType<typeof eventStream>, stored: Stored) {
  return (event: string, data: unknown) => {
    if (event === 'message' || event === 'done') {
      stored.messages.push((data as { message: ChatMessage }).message);
    }
    if (event === 'confirmation') stored.actions.push((data as { action: ChatAction }).action);
    stream.send(event, data);
  };
}

async function typeAndSend(text: string) {
  const box = await screen.findByLabelText('Your message');
  await waitFor(() => {
    expect(screen.getByTestId('chat-empty')).toBeTruthy();
  });
  fireEvent.change(box, { target: { value: text } });
  fireEvent.keyDown(box, { key: 'Enter' });
  return box as HTMLTextAreaElement;
}

describe('ChatPage', () => {
  it('shows the reply as its deltas arrive, in order, under the agents at work, then the stored reply', async () => {
    const stream = eventStream();
    const { requests, stored } = renderChat((request) =>
      request.method === 'POST' && request.path === `${SESSION_PATH}/messages`
        ? stream.response()
        : undefined,
    );
    const send = replying(stream, stored);
    const box = await typeAndSend('Write a post about spring loaves');

    await waitFor(() => {
      expect(screen.getByTestId('chat-thinking').textContent).toBe('Thinking…');
    });
    expect(box.disabled).toBe(true);
    const sent = requests.find((request) => request.path === `${SESSION_PATH}/messages`);
    expect(sent?.body).toEqual({ content: 'Write a post about spring loaves' });
    expect(sent?.authorization).toBe('Bearer token');

    send('message', {
      message: message('user-1', 'user', 'Write a post about spring loaves'),
    });
    send('agents', {
      agents: ['copywriter'],
      reasoning: 'A post to write: the copywriter.',
    });
    send('delta', { agent: 'copywriter', text: 'Spring loaves' });
    await waitFor(() => {
      expect(screen.getByTestId('chat-streaming-text').textContent).toBe('Spring loaves');
    });
    expect(screen.getByTestId('chat-thinking').textContent).toContain('Copywriter is working');

    send('tool-call', {
      card: {
        id: 't1',
        agent: 'copywriter',
        tool: 'get_brand_voice',
        input: { long: 'x'.repeat(300) },
        status: 'running',
        summary: '',
      },
    });
    send('delta', { agent: 'copywriter', text: ' are here' });
    send('delta', { agent: 'copywriter', text: '!' });
    await waitFor(() => {
      expect(screen.getByTestId('chat-streaming-text').textContent).toBe('Spring loaves are here!');
    });
    expect(screen.getByTestId('chat-tool-card').textContent).toContain('Running…');
    send('tool-result', {
      card: {
        id: 't1',
        agent: 'copywriter',
        tool: 'get_brand_voice',
        input: {},
        status: 'done',
        summary: 'Warm, short sentences',
      },
    });
    await waitFor(() => {
      expect(screen.getByTestId('chat-tool-card').textContent).toContain('Warm, short sentences');
    });

    send('done', {
      message: {
        ...message('reply-1', 'assistant', 'Spring loaves are here!'),
        citations: [
          { chunkId: 'k1', documentId: 'd1', title: 'Price list', excerpt: 'Sourdough 6 €' },
        ],
      },
    });
    stream.end();
    const reply = await screen.findByTestId('chat-assistant-message');
    expect(screen.queryByTestId('chat-streaming')).toBeNull();
    expect(screen.getByTestId('chat-user-message').textContent).toContain(
      'Write a post about spring loaves',
    );
    expect(within(reply).getByText('Spring loaves are here!')).toBeTruthy();
    expect(within(reply).getByTestId('chat-author').textContent).toContain('built-in');
    expect(within(reply).getByTestId('chat-citation').textContent).toContain('Price list');
    expect(
      within(reply)
        .getByRole('link', { name: /^Why\?/ })
        .getAttribute('href'),
    ).toBe(`/businesses/${BUSINESS_ID}/decisions/00000000-0000-4000-8000-0000000000d1`);
    await waitFor(() => {
      expect(box.disabled).toBe(false);
    });
    expect(box.value).toBe('');
    // Ready for the next message without reaching for the mouse.
    expect(document.activeElement).toBe(box);
  });

  it('confirms an action through the confirm endpoint and shows the result and the reply about it', async () => {
    const stream = eventStream();
    const { requests, stored } = renderChat((request, server) => {
      if (request.method !== 'POST') return undefined;
      if (request.path === `${SESSION_PATH}/messages`) return stream.response();
      if (request.path === `${SESSION_PATH}/messages/reply-1/confirm`) {
        const reply = message('reply-2', 'assistant', 'Scheduled for Saturday 9:00.');
        server.actions = [action('confirmed')];
        server.messages.push(reply);
        return json(200, { action: action('confirmed'), message: reply });
      }
      return undefined;
    });
    const send = replying(stream, stored);
    await typeAndSend('Schedule it for Saturday');
    send('message', { message: message('user-1', 'user', 'Schedule it for Saturday') });
    send('confirmation', { action: action('pending') });
    const card = await screen.findByTestId('chat-confirmation');
    // Not while the reply is still being written.
    expect(within(card).getByRole<HTMLButtonElement>('button', { name: 'Confirm' }).disabled).toBe(
      true,
    );
    send('done', { message: message('reply-1', 'assistant', 'Shall I schedule it?') });
    stream.end();

    await waitFor(() => {
      const button = within(screen.getByTestId('chat-confirmation')).getByRole('button', {
        name: 'Confirm',
      });
      expect((button as HTMLButtonElement).disabled).toBe(false);
    });
    expect(screen.getByTestId('chat-confirmation').textContent).toContain(
      'Schedule “Spring loaves are here” on Instagram',
    );
    fireEvent.click(
      within(screen.getByTestId('chat-confirmation')).getByRole('button', { name: 'Confirm' }),
    );

    await waitFor(() => {
      expect(screen.getByTestId('chat-action-status').textContent).toBe('Confirmed and done');
    });
    expect(screen.getByTestId('chat-action-result').textContent).toContain('"scheduled": true');
    expect(screen.getByText('Scheduled for Saturday 9:00.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Confirm' })).toBeNull();
    const confirm = requests.find((request) => request.path.endsWith('/confirm'));
    expect(confirm?.body).toEqual({ actionId: action('pending').id });
  });

  it('rejects an action through the reject endpoint', async () => {
    const { requests } = renderChat(
      (request, server) => {
        if (
          request.method === 'POST' &&
          request.path === `${SESSION_PATH}/messages/reply-1/reject`
        ) {
          server.actions = [action('rejected')];
          return json(200, { action: action('rejected') });
        }
        return undefined;
      },
      {
        stored: {
          messages: [
            message('user-1', 'user', 'Schedule it'),
            message('reply-1', 'assistant', 'Shall I?'),
          ],
          actions: [action('pending')],
        },
      },
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Reject' }));
    await waitFor(() => {
      expect(screen.getByTestId('chat-action-status').textContent).toBe(
        'Rejected: nothing was done',
      );
    });
    expect(requests.some((request) => request.path.endsWith('/confirm'))).toBe(false);
    expect(requests.find((request) => request.path.endsWith('/reject'))?.body).toEqual({
      actionId: action('pending').id,
    });
  });

  it('an expired action is explained, and the card shows it expired', async () => {
    renderChat(
      (request, server) => {
        if (request.method === 'POST' && request.path.endsWith('/confirm')) {
          server.actions = [action('expired')];
          return json(409, {
            error: {
              code: 'CONFLICT',
              message: 'This request expired: ask again',
              details: {},
              correlationId: 'c-409',
            },
            timestamp: '2026-12-01T12:00:00.000Z',
          });
        }
        return undefined;
      },
      {
        stored: {
          messages: [
            message('user-1', 'user', 'Schedule it'),
            message('reply-1', 'assistant', 'Shall I?'),
          ],
          actions: [action('pending')],
        },
      },
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Confirm' }));
    expect((await screen.findByTestId('request-error')).textContent).toContain(
      'This request expired: ask again',
    );
    await waitFor(() => {
      expect(screen.getByTestId('chat-action-status').textContent).toBe(
        'Expired: nothing was done',
      );
    });
    expect(screen.queryByRole('button', { name: 'Confirm' })).toBeNull();
  });

  it('an error event shows the notice, with the wait of a rate limit, and keeps the text to send again', async () => {
    const stream = eventStream();
    const { stored } = renderChat((request) =>
      request.method === 'POST' && request.path === `${SESSION_PATH}/messages`
        ? stream.response()
        : undefined,
    );
    const send = replying(stream, stored);
    const box = await typeAndSend('Plan my week');
    send('message', { message: message('user-1', 'user', 'Plan my week') });
    send('agents', { agents: ['strategist'], reasoning: '' });
    send('error', {
      error: {
        code: 'RATE_LIMITED',
        message: 'Too many requests',
        details: { retryAfterSeconds: 30 },
        correlationId: 'c-1',
      },
      timestamp: '2026-12-01T10:02:00.000Z',
    });
    stream.end();

    const notice = await screen.findByTestId('rate-limited');
    expect(within(notice).getByTestId('retry-after').textContent).toBe('30 seconds');
    await waitFor(() => {
      expect(box.value).toBe('Plan my week');
    });
    expect(box.disabled).toBe(false);
    expect(screen.queryByTestId('chat-streaming')).toBeNull();
  });

  it('a request refused before the stream starts is explained and the text is kept', async () => {
    renderChat((request) =>
      request.method === 'POST' && request.path === `${SESSION_PATH}/messages`
        ? json(503, {
            error: {
              code: 'UPSTREAM_UNAVAILABLE',
              message: 'The AI provider is not answering',
              details: {},
              correlationId: 'c-503',
            },
            timestamp: '2026-12-01T10:02:00.000Z',
          })
        : undefined,
    );
    const box = await typeAndSend('Plan my week');
    const notice = await screen.findByTestId('server-error');
    expect(notice.textContent).toContain('The AI provider is not answering');
    expect(within(notice).getByTestId('correlation-id').textContent).toBe('c-503');
    await waitFor(() => {
      expect(box.value).toBe('Plan my week');
    });
  });

  it('a first message with no conversation open starts one and streams the reply into it', async () => {
    const stream = eventStream();
    const { requests, stored } = renderChat(
      (request) => {
        if (request.method === 'GET' && request.path === `${BASE}/chat/sessions`) {
          return json(200, { items: [], nextCursor: null });
        }
        if (request.method === 'POST' && request.path === `${BASE}/chat/sessions`) {
          return json(201, session);
        }
        if (request.method === 'POST' && request.path === `${SESSION_PATH}/messages`) {
          return stream.response();
        }
        return undefined;
      },
      { startAt: '' },
    );
    const send = replying(stream, stored);
    expect(await screen.findByTestId('sessions-empty')).toBeTruthy();
    const box = await screen.findByLabelText<HTMLTextAreaElement>('Your message');
    fireEvent.change(box, { target: { value: 'Hello' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    send('delta', { agent: 'conductor', text: 'Hi there' });
    await waitFor(() => {
      expect(screen.getByTestId('chat-streaming-text').textContent).toBe('Hi there');
    });
    expect(screen.getByRole('heading', { name: 'Spring launch' })).toBeTruthy();
    send('done', { message: message('reply-1', 'assistant', 'Hi there') });
    stream.end();
    await screen.findByTestId('chat-assistant-message');
    expect(
      requests.filter((request) => request.method === 'POST').map((request) => request.path),
    ).toEqual([`${BASE}/chat/sessions`, `${SESSION_PATH}/messages`]);
  });

  it('Shift+Enter does not send', async () => {
    const { requests } = renderChat(() => undefined);
    const box = await typeAndSend('');
    fireEvent.change(box, { target: { value: 'Line one' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(requests.some((request) => request.method === 'POST')).toBe(false);
    expect(box.value).toBe('Line one');
  });
});
