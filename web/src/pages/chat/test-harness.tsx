// Test harness of the agents pages: a signed-in API client over a fake fetch that answers by
// method and path (recording each request), the business scope the pages read, and a
// server-sent event stream the test writes to event by event.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter, Outlet, Route, Routes } from 'react-router';

import { createApi } from '../../api/client';
import { ApiProvider } from '../../api/context';
import type { Business } from '../../api/queries';
import { SessionStore } from '../../auth/session';

export const BUSINESS_ID = '00000000-0000-4000-8000-00000000000b';
export const BASE = `/api/v1/businesses/${BUSINESS_ID}`;

export interface SentRequest {
  method: string;
  path: string;
  search: string;
  body: unknown;
  authorization: string | null;
}

export type Answer = (request: SentRequest) => Response | undefined;

export const json = (status: number, body?: unknown) =>
  body === undefined
    ? new Response(null, { status })
    : new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      });

/** A text/event-stream body the test feeds: `send` writes one event, `end` closes it. */
export function eventStream() {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
    },
  });
  return {
    response: () =>
      new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    send(event: string, data: unknown) {
      controller?.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
    },
    end() {
      controller?.close();
    },
  };
}

/** Renders `element` at `path` in the business scope; `answer` serves every request. */
export function renderPage(options: { path: string; routes: ReactNode; answer: Answer }): {
  requests: SentRequest[];
} {
  const requests: SentRequest[] = [];
  const session = new SessionStore({ scheduleRefresh: false });
  session.signIn({
    accessToken: 'token',
    expiresIn: 900,
    user: { id: 'u1', name: 'Me', email: 'me@example.com', createdAt: '2026-11-30T09:00:00.000Z' },
  } as Parameters<SessionStore['signIn']>[0]);
  const api = createApi(session, async (request) => {
    const url = new URL(request.url, 'http://herald.test');
    const text = request.method === 'GET' ? '' : await request.text();
    const sent: SentRequest = {
      method: request.method,
      path: url.pathname,
      search: url.search,
      body: text ? (JSON.parse(text) as unknown) : undefined,
      authorization: request.headers.get('authorization'),
    };
    requests.push(sent);
    return (
      options.answer(sent) ??
      json(404, {
        error: { code: 'NOT_FOUND', message: 'Not found', details: {}, correlationId: 'c-404' },
        timestamp: '2026-12-01T10:00:00.000Z',
      })
    );
  });
  const business = {
    id: BUSINESS_ID,
    name: 'Blue Door Bakery',
    role: 'owner',
    approver: false,
    permissions: ['business.read', 'content.write', 'content.approve', 'business.manage'],
  } as Business;
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <ApiProvider api={api} session={session}>
        <MemoryRouter initialEntries={[options.path]}>
          <Routes>
            <Route path="/businesses/:businessId" element={<Outlet context={business} />}>
              {options.routes}
            </Route>
          </Routes>
        </MemoryRouter>
      </ApiProvider>
    </QueryClientProvider>,
  );
  return { requests };
}
