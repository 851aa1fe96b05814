// The signed-in frame: a sidebar (a top bar with a menu on phones) with the business switcher,
// the pages of the active business and the account menu; the page itself fills the rest.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';

import { useApi, useSession, useSessionStore } from '../api/context';
import { useBusinesses, useMe, useMyInvitations } from '../api/queries';
import { roleLabel } from '../format/roles';
import { rememberBusiness, rememberedBusinessId } from '../state/active-business';

const BUSINESS_PAGES = [
  { path: 'home', label: 'Home' },
  { path: 'profile', label: 'Brand profile' },
  { path: 'campaigns', label: 'Campaigns' },
  { path: 'chat', label: 'Chat' },
  { path: 'decisions', label: 'Decision log' },
  { path: 'knowledge', label: 'Knowledge base' },
  { path: 'usage', label: 'AI usage & cost' },
  { path: 'broadcasts', label: 'Broadcasts' },
  { path: 'templates', label: 'Email templates' },
  { path: 'sequences', label: 'Email sequences' },
  { path: 'customers', label: 'Customers' },
  { path: 'subscribers', label: 'Subscribers' },
  { path: 'segments', label: 'Segments' },
  { path: 'intelligence', label: 'Intelligence' },
  { path: 'suppressions', label: 'Do-not-email list' },
  { path: 'sources', label: 'Sources' },
  { path: 'messages', label: 'Messages' },
  { path: 'integrations', label: 'Integrations' },
  { path: 'jobs', label: 'Jobs' },
  { path: 'outbox', label: 'Outbox' },
  { path: 'team', label: 'Team' },
] as const;

export function Layout() {
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  // The layout sits above the business routes, so it reads the id from the path itself.
  const routeBusinessId = /^\/businesses\/([0-9a-f-]{36})/.exec(location.pathname)?.[1];
  const businessId = routeBusinessId ?? rememberedBusinessId();
  const isAdmin = useMe().data?.isAdmin === true;

  // A page change on a phone closes the menu.
  const [lastPath, setLastPath] = useState(location.pathname);
  if (lastPath !== location.pathname) {
    setLastPath(location.pathname);
    setMenuOpen(false);
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">
            H
          </span>{' '}
          Herald
        </span>
        <button
          type="button"
          className="button secondary menu-button"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          onClick={() => {
            setMenuOpen((open) => !open);
          }}
        >
          Menu
        </button>
      </header>
      <aside id="sidebar" className={`sidebar${menuOpen ? ' open' : ''}`}>
        <span className="brand sidebar-brand">
          <span className="brand-mark" aria-hidden="true">
            H
          </span>{' '}
          Herald
        </span>
        <BusinessSwitcher businessId={businessId} />
        <nav aria-label="Business pages">
          <ul>
            {businessId &&
              BUSINESS_PAGES.map((page) => (
                <li key={page.path}>
                  <NavLink to={`/businesses/${businessId}/${page.path}`}>{page.label}</NavLink>
                </li>
              ))}
            <li>
              <NavLink to="/businesses" end>
                All businesses
              </NavLink>
            </li>
          </ul>
        </nav>
        <nav aria-label="Account" className="account-nav">
          <ul>
            <li>
              <NavLink to="/account/api-keys">API keys</NavLink>
            </li>
            <li>
              <NavLink to="/account/activity">Security activity</NavLink>
            </li>
            {isAdmin && (
              <li>
                <NavLink to="/admin">Instance admin</NavLink>
              </li>
            )}
          </ul>
        </nav>
        <AccountMenu />
      </aside>
      <main id="main" className="content" tabIndex={-1}>
        <InvitationBanner />
        <Outlet />
      </main>
    </div>
  );
}

function BusinessSwitcher({ businessId }: { businessId: string | null }) {
  const { data } = useBusinesses();
  const navigate = useNavigate();
  const businesses = data?.items ?? [];
  if (businesses.length === 0) return null;
  const known = businesses.some((business) => business.id === businessId);
  return (
    <div className="switcher">
      <label htmlFor="business-switcher">Business</label>
      <select
        id="business-switcher"
        value={known && businessId ? businessId : ''}
        onChange={(event) => {
          const next = event.target.value;
          if (!next) return;
          rememberBusiness(next);
          // Stay on the same kind of page for the other business: the one in the address bar.
          // While the next page's code is still loading, the router keeps showing (and
          // reporting) the page before it, but the user has already moved on.
          const page =
            /^\/businesses\/[^/]+\/([^/]+)/.exec(window.location.pathname)?.[1] ?? 'home';
          void navigate(`/businesses/${next}/${page}`);
        }}
      >
        {!known && <option value="">Choose a business…</option>}
        {businesses.map((business) => (
          <option key={business.id} value={business.id}>
            {business.name} · {roleLabel(business.role)}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * Invitations waiting for the signed-in user, on every page until answered. The list carries no
 * link (only the invitee's copy holds the token), so it says where to answer.
 */
function InvitationBanner() {
  const { data } = useMyInvitations();
  const location = useLocation();
  const waiting = (data?.items ?? []).filter((invitation) => invitation.status === 'pending');
  if (waiting.length === 0 || location.pathname.startsWith('/invitations/')) return null;
  return (
    <div className="notice info invitation-banner" role="status" data-testid="invitation-banner">
      {waiting.map((invitation) => (
        <p key={invitation.id}>
          {invitation.invitedBy?.name ?? 'Someone'} invited you to join{' '}
          <strong>{invitation.businessName}</strong> as {roleLabel(invitation.role)}. Open the
          invitation link you were sent to accept or decline it.
        </p>
      ))}
    </div>
  );
}

function AccountMenu() {
  const session = useSession();
  const store = useSessionStore();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);

  useEffect(() => {
    if (!session) setPending(false);
  }, [session]);

  async function signOut() {
    setPending(true);
    const token = store.accessToken;
    // The local session ends first: the server revokes the access token at once, so a request
    // still in flight would come back 401 and read as "session expired" (sign in, then back here).
    store.signOut();
    queryClient.clear();
    void navigate('/login', { replace: true });
    try {
      await api.POST('/api/v1/auth/logout', {
        body: {},
        credentials: 'same-origin',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    } catch {
      // Offline: the local session still ends; the refresh cookie expires on its own.
    }
  }

  return (
    <div className="account">
      <span className="account-name" title={session?.user.email}>
        {session?.user.name}
      </span>
      <button
        type="button"
        className="button link"
        disabled={pending}
        onClick={() => void signOut()}
      >
        Sign out
      </button>
    </div>
  );
}
