// @vitest-environment happy-dom
// The Quality section of the AI usage page in each state: loading, the table of figures per task
// and model, nothing yet, and an error with a retry; and the thumbs that rate a piece of output.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { createApi } from '../api/client';
import { ApiProvider } from '../api/context';
import { SessionStore } from '../auth/session';
import { ThumbsFeedback } from '../components/thumbs-feedback';
import { QualitySection } from './usage-quality';

afterEach(() => {
  cleanup();
});

const BUSINESS_ID = '00000000-0000-4000-8000-000000000001';
const CONTENT_ID = '00000000-0000-4000-8000-000000000002';

const json = (status: number, body?: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
  });

const failure = json(500, {
  error: { code: 'INTERNAL', message: 'x', details: {}, correlationId: 'c' },
});

/** Renders `ui` with an API whose every request `answer` handles. */
function renderWith(ui: ReactNode, answer: (request: Request) => Response | Promise<Response>) {
  const fetch = vi.fn((request: Request) => Promise.resolve(answer(request)));
  const session = new SessionStore({ fetch, scheduleRefresh: false });
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  render(
    <ApiProvider api={createApi(session, fetch)} session={session}>
      <QueryClientProvider client={queryClient}>
        <MemoryRouter>{ui}</MemoryRouter>
      </QueryClientProvider>
    </ApiProvider>,
  );
  return fetch;
}

const row = {
  task: 'content-piece',
  provider: 'openai',
  model: 'gpt-4o-mini',
  promptVersion: null,
  thumbsUp: 5,
  thumbsDown: 2,
  approved: 3,
  approvedUnedited: 2,
  approvedUneditedShare: 0.6667,
  meanEditDistance: 4.7,
  medianEditDistance: 4,
};

describe('the Quality section of the AI usage page', () => {
  it('shows a skeleton, then a row per task and model with its figures, for the chosen period', async () => {
    const fetch = renderWith(<QualitySection businessId={BUSINESS_ID} days={7} />, () =>
      json(200, {
        businessId: BUSINESS_ID,
        days: 7,
        since: '2026-03-01T00:00:00.000Z',
        items: [
          row,
          {
            ...row,
            task: 'campaign-strategy',
            provider: 'builtin',
            model: 'builtin',
            thumbsUp: 0,
            thumbsDown: 1,
            approved: 0,
            approvedUnedited: 0,
            approvedUneditedShare: null,
            meanEditDistance: null,
            medianEditDistance: null,
          },
        ],
      }),
    );
    expect(screen.getByTestId('skeleton')).toBeTruthy();
    const rows = await screen.findAllByTestId('quality-row');
    const cells = rows.map((entry) =>
      within(entry)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    );
    expect(cells[0]).toEqual([
      'Content generation',
      'gpt-4o-mini',
      '5',
      '2',
      '3',
      '67 %',
      '4 chars',
    ]);
    expect(cells[1]?.slice(1)).toEqual(['Built-in template', '0', '1', '0', '—', '—']);
    const asked = new URL((fetch.mock.calls[0]?.[0] as Request).url);
    expect(asked.pathname).toBe(`/api/v1/businesses/${BUSINESS_ID}/ai/quality`);
    expect(asked.searchParams.get('days')).toBe('7');
  });

  it('says how figures appear when there are none yet', async () => {
    renderWith(<QualitySection businessId={BUSINESS_ID} days={30} />, () =>
      json(200, {
        businessId: BUSINESS_ID,
        days: 30,
        since: '2026-03-01T00:00:00.000Z',
        items: [],
      }),
    );
    expect((await screen.findByTestId('quality-empty')).textContent).toMatch(/No ratings/);
  });

  it('shows an error with a retry that loads it again', async () => {
    let calls = 0;
    renderWith(<QualitySection businessId={BUSINESS_ID} days={30} />, () => {
      calls += 1;
      return calls === 1
        ? failure
        : json(200, {
            businessId: BUSINESS_ID,
            days: 30,
            since: '2026-03-01T00:00:00.000Z',
            items: [row],
          });
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Try again' }));
    expect(await screen.findAllByTestId('quality-row')).toHaveLength(1);
  });
});

describe('the thumbs on a piece of AI output', () => {
  const up = () => screen.getByRole('button', { name: /thumbs up/ });
  const down = () => screen.getByRole('button', { name: /thumbs down/ });

  it("shows the member's rating, rates with a PUT, and takes it back with a DELETE", async () => {
    const sent: { method: string; url: string; body: string }[] = [];
    renderWith(
      <ThumbsFeedback
        businessId={BUSINESS_ID}
        subjectKind="content"
        subjectId={CONTENT_ID}
        what="the AI draft"
      />,
      async (request) => {
        sent.push({ method: request.method, url: request.url, body: await request.text() });
        if (request.method === 'GET') {
          return json(200, {
            items: [
              {
                subjectKind: 'content',
                subjectId: CONTENT_ID,
                rating: -1,
                createdAt: '2026-03-01T09:00:00.000Z',
              },
            ],
          });
        }
        return json(204);
      },
    );
    await waitFor(() => {
      expect(down().getAttribute('aria-pressed')).toBe('true');
    });
    expect(up().getAttribute('aria-pressed')).toBe('false');

    fireEvent.click(up());
    await waitFor(() => {
      expect(up().getAttribute('aria-pressed')).toBe('true');
    });
    expect(down().getAttribute('aria-pressed')).toBe('false');
    const put = sent.find((request) => request.method === 'PUT');
    expect(JSON.parse(put?.body ?? '{}')).toEqual({
      subjectKind: 'content',
      subjectId: CONTENT_ID,
      rating: 1,
    });

    await waitFor(() => {
      expect(up().hasAttribute('disabled')).toBe(false);
    });
    fireEvent.click(up());
    await waitFor(() => {
      expect(up().getAttribute('aria-pressed')).toBe('false');
    });
    const removed = new URL(sent.find((request) => request.method === 'DELETE')?.url ?? '');
    expect(Object.fromEntries(removed.searchParams)).toEqual({
      subjectKind: 'content',
      subjectId: CONTENT_ID,
    });
  });

  it('keeps the rating it had when saving fails, and says so', async () => {
    renderWith(
      <ThumbsFeedback
        businessId={BUSINESS_ID}
        subjectKind="chat_message"
        subjectId={CONTENT_ID}
        rating={null}
      />,
      () => failure,
    );
    fireEvent.click(up());
    expect(await screen.findByText('Your rating was not saved')).toBeTruthy();
    expect(up().getAttribute('aria-pressed')).toBe('false');
  });

  it('shows a viewer the buttons disabled', () => {
    renderWith(
      <ThumbsFeedback
        businessId={BUSINESS_ID}
        subjectKind="content"
        subjectId={CONTENT_ID}
        rating={1}
        canRate={false}
      />,
      () => failure,
    );
    expect(up().getAttribute('aria-pressed')).toBe('true');
    expect(up().hasAttribute('disabled')).toBe(true);
    expect(down().hasAttribute('disabled')).toBe(true);
  });
});
