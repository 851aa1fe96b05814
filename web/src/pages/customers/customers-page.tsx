// Customers of the business: the people known from tracked events (website, app, backend), most
// recently seen first, searched by email, user id or name and filtered by orders and recency.
import './customers.css';

import { useDeferredValue, useState } from 'react';
import { Link } from 'react-router';

import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, Field, formatDateTime, PageHeader, Skeleton } from '../../components/ui';
import { formatCents } from '../../format/money';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { useScopedBusiness } from '../business-scope';
import { type CustomerFilter, type CustomerSummary, useCustomers } from './customer-queries';

const SEEN_WITHIN = [
  { days: 0, label: 'Any time' },
  { days: 1, label: 'Last 24 hours' },
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
];

/** The name a marketer recognises: the name, else the email, else the user id. */
export function customerLabel(customer: Pick<CustomerSummary, 'name' | 'email' | 'userId'>) {
  return customer.name ?? customer.email ?? customer.userId ?? 'Anonymous visitor';
}

export function CustomersPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Customers', business.name);
  const [search, setSearch] = useState('');
  const [hasOrders, setHasOrders] = useState<CustomerFilter['hasOrders']>('');
  const [seenWithinDays, setSeenWithinDays] = useState(0);
  const deferredSearch = useDeferredValue(search);
  const filter: CustomerFilter = { search: deferredSearch, hasOrders, seenWithinDays };
  const customers = useCustomers(business.id, filter);
  const items = customers.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = deferredSearch.trim() !== '' || hasOrders !== '' || seenWithinDays > 0;

  return (
    <>
      <PageHeader
        title="Customers"
        description="People known from the events your website, app or backend sends: what they did, what they bought, and whether they are on your email list."
      />
      <div className="stack">
        <div className="toolbar" role="search">
          <Field label="Search">
            {({ id }) => (
              <input
                id={id}
                type="search"
                placeholder="Email, user ID or name"
                value={search}
                onChange={(event) => {
                  setSearch(event.target.value);
                }}
              />
            )}
          </Field>
          <Field label="Orders">
            {({ id }) => (
              <select
                id={id}
                value={hasOrders}
                onChange={(event) => {
                  setHasOrders(event.target.value as CustomerFilter['hasOrders']);
                }}
              >
                <option value="">Anyone</option>
                <option value="true">Has ordered</option>
                <option value="false">Never ordered</option>
              </select>
            )}
          </Field>
          <Field label="Last seen">
            {({ id }) => (
              <select
                id={id}
                value={seenWithinDays}
                onChange={(event) => {
                  setSeenWithinDays(Number(event.target.value));
                }}
              >
                {SEEN_WITHIN.map((option) => (
                  <option key={option.days} value={option.days}>
                    {option.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        {customers.isPending && <Skeleton lines={6} height={32} label="Loading customers…" />}
        {customers.isError && (
          <ErrorNotice
            error={customers.error}
            title="Could not load the customers"
            onRetry={() => void customers.refetch()}
          />
        )}
        {customers.isSuccess && items.length === 0 && !filtered && (
          <EmptyState title="No customers yet" testId="customers-empty">
            <p>
              Customers appear here once your website or app sends events with this business's write
              key (Segment-compatible: analytics.js, the mobile and server libraries).
            </p>
          </EmptyState>
        )}
        {customers.isSuccess && items.length === 0 && filtered && (
          <p className="muted" role="status" data-testid="customers-no-match">
            No customer matches these filters.
          </p>
        )}
        {items.length > 0 && (
          <div className="customers-list">
            <DataTable
              label="Customers"
              rows={items}
              rowKey={(customer) => customer.id}
              rowTestId="customer-row"
              columns={[
                {
                  header: 'Customer',
                  cellClassName: 'break',
                  cell: (customer) => (
                    <>
                      <Link to={`/businesses/${business.id}/customers/${customer.id}`}>
                        {customerLabel(customer)}
                      </Link>
                      {customer.email && customer.name && (
                        <div className="muted small">{customer.email}</div>
                      )}
                    </>
                  ),
                },
                {
                  header: 'Last seen',
                  cell: (customer) => formatDateTime(customer.lastSeenAt),
                },
                {
                  header: 'Events',
                  className: 'number hide-narrow',
                  cell: (customer) => customer.eventCount.toLocaleString(),
                },
                {
                  header: 'Orders',
                  className: 'number',
                  cell: (customer) => customer.orderCount.toLocaleString(),
                },
                {
                  header: 'Revenue',
                  className: 'number hide-narrow',
                  cell: (customer) => formatCents(customer.revenueCents),
                },
              ]}
            />
          </div>
        )}
        {customers.hasNextPage && (
          <p>
            <button
              type="button"
              className="button secondary"
              disabled={customers.isFetchingNextPage}
              onClick={() => void customers.fetchNextPage()}
            >
              {customers.isFetchingNextPage ? 'Loading…' : 'Show more'}
            </button>
          </p>
        )}
      </div>
    </>
  );
}
