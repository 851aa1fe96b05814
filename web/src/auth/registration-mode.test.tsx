// @vitest-environment happy-dom
// The sign-up page follows the server's REGISTRATION: closed says so and shows no form; by
// invitation says what to do and keeps the form for the invited address.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';

import { createApi } from '../api/client';
import { ApiProvider } from '../api/context';
import { RegisterPage } from './auth-pages';
import { SessionStore } from './session';

afterEach(cleanup);

function renderWith(mode: 'open' | 'invite' | 'closed', path = '/register') {
  const session = new SessionStore({ scheduleRefresh: false });
  const api = createApi(session, () => Promise.resolve(Response.json({ mode })));
  render(
    <QueryClientProvider client={new QueryClient()}>
      <ApiProvider api={api} session={session}>
        <MemoryRouter initialEntries={[path]}>
          <RegisterPage />
        </MemoryRouter>
      </ApiProvider>
    </QueryClientProvider>,
  );
}

describe('RegisterPage and the registration mode', () => {
  it('closed: says sign-up is closed and shows no form', async () => {
    renderWith('closed');
    expect((await screen.findByTestId('registration-closed')).textContent).toContain(
      'Sign-up is closed',
    );
    expect(screen.queryByRole('button', { name: 'Create account' })).toBeNull();
  });

  it('by invitation: says an invitation is needed, and keeps the form', async () => {
    renderWith('invite');
    expect((await screen.findByTestId('registration-invite')).textContent).toContain(
      'needs an invitation',
    );
    expect(screen.getByRole('button', { name: 'Create account' })).toBeTruthy();
  });

  it('by invitation, coming from a link: asks for the invited address', async () => {
    renderWith('invite', '/register?next=%2Finvitations%2Fhinv_abc');
    expect((await screen.findByTestId('registration-invite')).textContent).toContain(
      'the email address your invitation was sent to',
    );
  });
});
