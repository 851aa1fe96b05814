// @vitest-environment happy-dom
// The Team page by role: everyone sees who is on the team; only those who manage it see the
// invite form and the role controls; anyone can leave; an admin cannot touch an owner.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Outlet, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';

import { createApi } from '../../api/client';
import { ApiProvider } from '../../api/context';
import type { Business, Member, Role } from '../../api/queries';
import { SessionStore } from '../../auth/session';
import { TeamPage } from './team-page';

afterEach(cleanup);

const ME = '00000000-0000-4000-8000-000000000001';
const OWNER = '00000000-0000-4000-8000-000000000002';
const BUSINESS_ID = '00000000-0000-4000-8000-00000000000b';

const member = (userId: string, name: string, role: Role): Member => ({
  userId,
  name,
  email: `${name.toLowerCase()}@example.com`,
  role,
  approver: false,
  invitedBy: null,
  joinedAt: '2026-11-30T09:00:00.000Z',
});

const PERMISSIONS: Record<Role, Business['permissions']> = {
  owner: ['business.read', 'content.write', 'content.approve', 'business.manage', 'team.manage'],
  admin: ['business.read', 'content.write', 'content.approve', 'business.manage', 'team.manage'],
  editor: ['business.read', 'content.write'],
  viewer: ['business.read'],
};

function renderAs(role: Role) {
  const session = new SessionStore({ scheduleRefresh: false });
  session.signIn({
    accessToken: 'token',
    expiresIn: 900,
    user: { id: ME, name: 'Me', email: 'me@example.com', createdAt: '2026-11-30T09:00:00.000Z' },
  } as Parameters<SessionStore['signIn']>[0]);
  const members = [member(OWNER, 'Olive', 'owner'), member(ME, 'Me', role)];
  const api = createApi(session, (request) => {
    const path = new URL(request.url, 'http://herald.test').pathname;
    const body = path.endsWith('/members') ? { items: members } : { items: [], nextCursor: null };
    return Promise.resolve(Response.json(body));
  });
  const business = {
    id: BUSINESS_ID,
    name: 'Blue Door Bakery',
    role,
    approver: false,
    permissions: PERMISSIONS[role],
  } as Business;
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <ApiProvider api={api} session={session}>
        <MemoryRouter initialEntries={['/team']}>
          <Routes>
            <Route element={<Outlet context={business} />}>
              <Route path="team" element={<TeamPage />} />
            </Route>
          </Routes>
        </MemoryRouter>
      </ApiProvider>
    </QueryClientProvider>,
  );
}

describe('TeamPage', () => {
  it('a viewer sees the team and can leave, with no invite form and no role controls', async () => {
    renderAs('viewer');
    await waitFor(() => {
      expect(screen.getAllByTestId('member-row')).toHaveLength(2);
    });
    expect(screen.queryByRole('heading', { name: 'Invite someone' })).toBeNull();
    expect(screen.queryByRole('combobox')).toBeNull();
    expect(screen.getAllByTestId('member-role').map((badge) => badge.textContent)).toEqual([
      'Owner',
      'Viewer',
    ]);
    expect(screen.getAllByRole('button').map((button) => button.textContent)).toEqual([
      'Leave business',
    ]);
  });

  it('an admin invites and changes roles, but cannot change or remove an owner', async () => {
    renderAs('admin');
    await waitFor(() => {
      expect(screen.getAllByTestId('member-row')).toHaveLength(2);
    });
    expect(screen.getByRole('heading', { name: 'Invite someone' })).toBeTruthy();
    expect(screen.queryByLabelText('Role of Olive')).toBeNull();
    const myRole = screen.getByLabelText('Role of Me');
    // Only an owner may make someone an owner.
    expect([...myRole.querySelectorAll('option')].map((option) => option.value)).toEqual([
      'admin',
      'editor',
      'viewer',
    ]);
    expect(screen.queryByRole('button', { name: 'Remove' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Leave business' })).toBeTruthy();
  });

  it('an owner may change and remove an owner', async () => {
    renderAs('owner');
    await waitFor(() => {
      expect(screen.getAllByTestId('member-row')).toHaveLength(2);
    });
    expect(screen.getByLabelText('Role of Olive')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Remove' })).toBeTruthy();
  });
});
