// The instance administrator's page (/admin): how big the instance is, the job backlog and
// today's AI spend; every user (disable one, make another an administrator) and every business
// (its AI spend, and its daily AI budget to set). Anyone else is told the page is not for them.
import '../team/team.css';

import { type SyntheticEvent, useState } from 'react';

import { useSession } from '../../api/context';
import { ApiError } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, formatDateTime, PageHeader, Skeleton } from '../../components/ui';
import { formatUsd } from '../../format/money';
import { useDocumentTitle } from '../../hooks/use-document-title';
import {
  type AdminBusiness,
  type AdminOverview,
  useAdminBusinesses,
  useAdminOverview,
  useAdminUsers,
  useUpdateBudget,
  useUpdateUser,
} from './queries';

const REGISTRATION_LABELS: Record<AdminOverview['registration'], string> = {
  open: 'Anyone can sign up',
  invite: 'By invitation only',
  closed: 'Closed',
};

export function AdminPage() {
  useDocumentTitle('Instance admin');
  const overview = useAdminOverview();
  const refused = overview.error instanceof ApiError && [403, 404].includes(overview.error.status);
  const ready = overview.isSuccess;

  return (
    <>
      <PageHeader
        title="Instance admin"
        description="Everyone and every business on this Herald server, its job backlog and AI spend."
      />
      {overview.isPending && <Skeleton lines={3} height={48} label="Loading the overview…" />}
      {refused && (
        <EmptyState title="Only for the instance administrator" testId="admin-refused">
          <p>This page is for whoever runs this Herald server.</p>
        </EmptyState>
      )}
      {overview.isError && !refused && (
        <ErrorNotice
          error={overview.error}
          title="Could not load the overview"
          onRetry={() => void overview.refetch()}
        />
      )}
      {ready && <Overview overview={overview.data} />}
      {ready && <UsersSection />}
      {ready && <BusinessesSection defaultBudgetUsd={overview.data.aiDefaultDailyBudgetUsd} />}
    </>
  );
}

function Overview({ overview }: { overview: AdminOverview }) {
  const stats = [
    { label: 'Users', value: String(overview.users) },
    { label: 'Businesses', value: String(overview.businesses) },
    {
      label: 'Jobs waiting / running',
      value: `${overview.jobs.queued} / ${overview.jobs.running}`,
    },
    { label: 'Jobs failed in 24 h', value: String(overview.jobs.failedLast24h) },
    { label: 'AI spend today', value: formatUsd(overview.aiSpendTodayUsd) },
    { label: 'Sign-up', value: REGISTRATION_LABELS[overview.registration] },
  ];
  return (
    <section className="stats admin-stats" aria-label="Overview" data-testid="admin-overview">
      {stats.map((stat) => (
        <div key={stat.label} className="card stat">
          <div className="muted small">{stat.label}</div>
          <div className="value">{stat.value}</div>
        </div>
      ))}
    </section>
  );
}

function ScrollHint() {
  return <p className="muted small team-scroll-hint">Scroll the table sideways to see more.</p>;
}

function UsersSection() {
  const users = useAdminUsers();
  const update = useUpdateUser();
  const myId = useSession()?.user.id;
  const items = users.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section className="team-section" aria-labelledby="admin-users-title">
      <h2 id="admin-users-title">Users</h2>
      {users.isPending && <Skeleton lines={4} height={28} label="Loading the users…" />}
      {users.isError && (
        <ErrorNotice
          error={users.error}
          title="Could not load the users"
          onRetry={() => void users.refetch()}
        />
      )}
      {update.isError && <ErrorNotice error={update.error} title="Could not change the user" />}
      {items.length > 0 && (
        <div className="team-table">
          <ScrollHint />
          <DataTable
            label="Users"
            rows={items}
            rowKey={(user) => user.id}
            rowTestId="admin-user-row"
            columns={[
              {
                header: 'User',
                cell: (user) => (
                  <>
                    {user.name}
                    {user.isAdmin && <span className="badge team-you">Admin</span>}
                    <div className="muted small team-break">{user.email}</div>
                  </>
                ),
              },
              { header: 'Businesses', className: 'number', cell: (user) => user.businessCount },
              {
                header: 'Signed up',
                className: 'hide-narrow',
                cell: (user) => formatDateTime(user.createdAt),
              },
              {
                header: 'Last sign-in',
                className: 'hide-narrow',
                cell: (user) => (user.lastLoginAt ? formatDateTime(user.lastLoginAt) : 'Never'),
              },
              {
                header: 'Status',
                cell: (user) =>
                  user.disabledAt ? (
                    <span className="badge status-failed">Disabled</span>
                  ) : (
                    <span className="badge status-succeeded">Active</span>
                  ),
              },
              {
                header: <span className="visually-hidden">Actions</span>,
                cell: (user) =>
                  user.id === myId ? (
                    <span className="muted small">You</span>
                  ) : (
                    <div className="home-actions">
                      <button
                        type="button"
                        className="button secondary"
                        disabled={update.isPending}
                        onClick={() => {
                          const disabled = !user.disabledAt;
                          if (
                            !disabled ||
                            window.confirm(
                              `Disable ${user.email}? They are signed out and their API keys stop working.`,
                            )
                          ) {
                            update.mutate({ id: user.id, disabled });
                          }
                        }}
                      >
                        {user.disabledAt ? 'Enable' : 'Disable'}
                      </button>
                      <button
                        type="button"
                        className="button secondary"
                        disabled={update.isPending}
                        onClick={() => {
                          update.mutate({ id: user.id, isAdmin: !user.isAdmin });
                        }}
                      >
                        {user.isAdmin ? 'Remove admin' : 'Make admin'}
                      </button>
                    </div>
                  ),
              },
            ]}
          />
        </div>
      )}
      {users.hasNextPage && (
        <button
          type="button"
          className="button secondary"
          disabled={users.isFetchingNextPage}
          onClick={() => void users.fetchNextPage()}
        >
          {users.isFetchingNextPage ? 'Loading…' : 'Show more users'}
        </button>
      )}
    </section>
  );
}

function BusinessesSection({ defaultBudgetUsd }: { defaultBudgetUsd: number }) {
  const businesses = useAdminBusinesses();
  const items = businesses.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section className="team-section" aria-labelledby="admin-businesses-title">
      <h2 id="admin-businesses-title">Businesses</h2>
      <p className="muted small">
        A business without a daily AI budget of its own gets the server default,{' '}
        {formatUsd(defaultBudgetUsd)} a day.
      </p>
      {businesses.isPending && <Skeleton lines={4} height={28} label="Loading the businesses…" />}
      {businesses.isError && (
        <ErrorNotice
          error={businesses.error}
          title="Could not load the businesses"
          onRetry={() => void businesses.refetch()}
        />
      )}
      {businesses.isSuccess && items.length === 0 && <p className="muted">No businesses yet.</p>}
      {items.length > 0 && (
        <div className="team-table">
          <ScrollHint />
          <DataTable
            label="Businesses"
            rows={items}
            rowKey={(business) => business.id}
            rowTestId="admin-business-row"
            columns={[
              {
                header: 'Business',
                cell: (business) => (
                  <>
                    {business.name}
                    <div className="muted small team-break">{business.ownerEmail}</div>
                  </>
                ),
              },
              { header: 'Members', className: 'number hide-narrow', cell: (b) => b.memberCount },
              {
                header: 'AI today',
                className: 'number',
                cell: (business) => formatUsd(business.aiSpendTodayUsd),
              },
              {
                header: 'AI, 30 days',
                className: 'number hide-narrow',
                cell: (business) => formatUsd(business.aiSpend30dUsd),
              },
              {
                header: 'Daily AI budget',
                cell: (business) => <BudgetForm business={business} />,
              },
            ]}
          />
        </div>
      )}
      {businesses.hasNextPage && (
        <button
          type="button"
          className="button secondary"
          disabled={businesses.isFetchingNextPage}
          onClick={() => void businesses.fetchNextPage()}
        >
          {businesses.isFetchingNextPage ? 'Loading…' : 'Show more businesses'}
        </button>
      )}
    </section>
  );
}

/** The budget in dollars a day; empty means the server's default (AI_DAILY_BUDGET_USD). */
function BudgetForm({ business }: { business: AdminBusiness }) {
  const update = useUpdateBudget();
  const [value, setValue] = useState(
    business.aiDailyBudgetUsd === null ? '' : String(business.aiDailyBudgetUsd),
  );
  const [problem, setProblem] = useState<string | null>(null);

  function submit(event: SyntheticEvent) {
    event.preventDefault();
    const trimmed = value.trim();
    const amount = trimmed === '' ? null : Number(trimmed);
    if (amount !== null && (!Number.isFinite(amount) || amount < 0)) {
      setProblem('A number of dollars, 0 or more (empty: the server default).');
      return;
    }
    setProblem(null);
    update.mutate({ id: business.id, aiDailyBudgetUsd: amount });
  }

  const error =
    problem ??
    (update.error instanceof ApiError
      ? (update.error.fieldErrors().aiDailyBudgetUsd ?? update.error.message)
      : update.error
        ? 'Could not save: check your connection.'
        : null);
  return (
    <form className="admin-budget" onSubmit={submit} noValidate>
      <input
        type="number"
        min={0}
        step="0.01"
        inputMode="decimal"
        placeholder="Default"
        value={value}
        aria-label={`Daily AI budget of ${business.name}, in dollars`}
        aria-invalid={Boolean(error)}
        onChange={(event) => {
          setValue(event.target.value);
        }}
      />
      <button type="submit" className="button secondary" disabled={update.isPending}>
        {update.isPending ? 'Saving…' : 'Save'}
      </button>
      {update.isSuccess && !error && <span className="saved">Saved</span>}
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
