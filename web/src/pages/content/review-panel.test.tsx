// @vitest-environment happy-dom
// The review panel and trail of the content page, as each role sees them: an editor submits but
// is not offered Approve, a viewer is offered nothing, a refusal from the server is explained,
// and the trail shows its loading, empty, error and filled states.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { createApi } from '../../api/client';
import { ApiProvider } from '../../api/context';
import type { Business } from '../../api/queries';
import { SessionStore } from '../../auth/session';
import type { Content } from '../campaigns/queries';
import { ReviewTrail } from './review-trail';
import { WorkflowActions } from './workflow-actions';

afterEach(() => {
  cleanup();
});

const BUSINESS_ID = '00000000-0000-4000-8000-000000000001';
const CONTENT_ID = '00000000-0000-4000-8000-000000000002';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

function business(permissions: Business['permissions']): Business {
  return {
    id: BUSINESS_ID,
    name: 'Blue Door Bakery',
    timezone: 'Europe/Paris',
    permissions,
    role: permissions.includes('content.approve') ? 'admin' : 'editor',
    approver: false,
  } as Business;
}

function piece(status: Content['status']): Content {
  return {
    id: CONTENT_ID,
    businessId: BUSINESS_ID,
    campaignId: null,
    strategyVersion: null,
    status,
    platform: 'x',
    contentType: 'post',
    topic: 'Spring loaves',
    callToAction: '',
    body: { text: 'Spring loaves are here.' },
    currentVersion: 1,
    channel: 'outbox',
    channelTarget: null,
    plannedDate: null,
    publishAt: null,
    publishedAt: null,
    publishAttempts: 0,
    createdAt: '2026-03-01T09:00:00Z',
    updatedAt: '2026-03-01T09:00:00Z',
  };
}

/** Renders `ui` with an API whose every request `answer` handles. */
function renderWith(ui: ReactNode, answer: (request: Request) => Response) {
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

const names = () => screen.queryAllByRole('button').map((button) => button.textContent);

describe('the review panel', () => {
  it('an editor may submit for review; in review, Approve is not offered and the wait is explained', () => {
    const editor = business(['business.read', 'content.write']);
    renderWith(<WorkflowActions content={piece('draft')} business={editor} hasText />, () =>
      json(500, {}),
    );
    expect(names()).toEqual(['Submit for review', 'Archive']);
    cleanup();
    renderWith(<WorkflowActions content={piece('in_review')} business={editor} hasText />, () =>
      json(500, {}),
    );
    expect(names()).toEqual(['Send back to draft', 'Archive']);
    expect(screen.getByTestId('awaiting-approval').textContent).toMatch(/Waiting for approval/);
  });

  it('a viewer sees no button, not even the schedule form, and is told why', () => {
    const viewer = business(['business.read']);
    renderWith(<WorkflowActions content={piece('approved')} business={viewer} hasText />, () =>
      json(500, {}),
    );
    expect(names()).toEqual([]);
    expect(screen.queryByRole('form', { name: 'Schedule' })).toBeNull();
    expect(screen.getByTestId('read-only-note').textContent).toMatch(/not change it/);
  });

  it('a refusal from the server (403) says who may approve', async () => {
    const approver = business(['business.read', 'content.write', 'content.approve']);
    renderWith(<WorkflowActions content={piece('in_review')} business={approver} hasText />, () =>
      json(403, {
        error: {
          code: 'FORBIDDEN',
          message: 'Your role (editor) does not allow this',
          details: { requiredPermission: 'content.approve', role: 'editor' },
          correlationId: 'c-1',
        },
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    const notice = await screen.findByTestId('workflow-forbidden');
    expect(notice.textContent).toMatch(/Only owners, admins and members who may approve/);
  });
});

describe('the review trail', () => {
  const actor = { id: '00000000-0000-4000-8000-000000000003', name: 'Ana', email: 'a@x.org' };

  it('lists each move with who made it, the system’s without a name', async () => {
    const now = new Date().toISOString();
    renderWith(<ReviewTrail content={piece('published')} />, () =>
      json(200, {
        items: [
          { id: '1', fromStatus: 'draft', toStatus: 'in_review', actor, createdAt: now },
          { id: '2', fromStatus: 'scheduled', toStatus: 'published', actor: null, createdAt: now },
        ],
      }),
    );
    expect(screen.getByTestId('skeleton')).toBeTruthy();
    await waitFor(() => {
      expect(screen.getAllByTestId('trail-entry')).toHaveLength(2);
    });
    expect(screen.getAllByTestId('trail-entry').map((entry) => entry.textContent)).toEqual([
      'Submitted for review by Anajust now',
      'Publishedjust now',
    ]);
  });

  it('says when there is nothing yet', async () => {
    renderWith(<ReviewTrail content={piece('draft')} />, () => json(200, { items: [] }));
    expect((await screen.findByTestId('trail-empty')).textContent).toMatch(/No moves yet/);
  });

  it('shows an error with a retry that loads it again', async () => {
    let calls = 0;
    renderWith(<ReviewTrail content={piece('draft')} />, () => {
      calls += 1;
      return calls === 1
        ? json(500, { error: { code: 'INTERNAL', message: 'x', details: {}, correlationId: 'c' } })
        : json(200, { items: [] });
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Try again' }));
    await screen.findByTestId('trail-empty');
  });
});
