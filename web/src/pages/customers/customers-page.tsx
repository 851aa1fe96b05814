// Customers of the business: the people known from tracked events (website, app, backend), most
// recently seen first, searched by the start of an email, its domain or a user id, or part of a
// name, and filtered by orders, recency and the latest intelligence run's scores; above the
// list, questions about them in plain words.
import './customers.css';

import { CHURN_TIER_LABELS, CHURN_TIERS, RFM_SEGMENT_LABELS, RFM_SEGMENTS } from '@shared/scores';
import { useDeferredValue, useState } from 'react';

import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, Field, PageHeader, Skeleton } from '../../components/ui';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { useScopedBusiness } from '../business-scope';
import { customerColumns } from './customer-columns';
import { type CustomerFilter, useCustomers } from './customer-queries';
import { QuestionBox } from './question-box';

export { customerLabel } from './customer-columns';

const SEEN_WITHIN = [
  { days: 0, label: 'Any time' },
  { days: 1, label: 'Last 24 hours' },
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
];

const CLV_TOP = [
  { top: 0, label: 'Any' },
  { top: 1, label: 'Top 1 %' },
  { top: 10, label: 'Top 10 %' },
  { top: 20, label: 'Top 20 %' },
  { top: 50, label: 'Top 50 %' },
];

export function CustomersPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Customers', business.name);
  const [search, setSearch] = useState('');
  const [hasOrders, setHasOrders] = useState<CustomerFilter['hasOrders']>('');
  const [seenWithinDays, setSeenWithinDays] = useState(0);
  const [rfmSegment, setRfmSegment] = useState<CustomerFilter['rfmSegment']>('');
  const [churnTier, setChurnTier] = useState<CustomerFilter['churnTier']>('');
  const [clvTop, setClvTop] = useState(0);
  const deferredSearch = useDeferredValue(search);
  const filter: CustomerFilter = {
    search: deferredSearch,
    hasOrders,
    seenWithinDays,
    rfmSegment,
    churnTier,
    clvTop,
  };
  const customers = useCustomers(business.id, filter);
  const items = customers.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered =
    deferredSearch.trim() !== '' ||
    hasOrders !== '' ||
    seenWithinDays > 0 ||
    rfmSegment !== '' ||
    churnTier !== '' ||
    clvTop > 0;

  return (
    <>
      <PageHeader
        title="Customers"
        description="People known from the events your website, app or backend sends: what they did, what they bought, and whether they are on your email list."
      />
      <div className="stack">
        <QuestionBox businessId={business.id} />
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
          <Field label="RFM segment">
            {({ id }) => (
              <select
                id={id}
                value={rfmSegment}
                onChange={(event) => {
                  setRfmSegment(event.target.value as CustomerFilter['rfmSegment']);
                }}
              >
                <option value="">Any</option>
                {RFM_SEGMENTS.map((segment) => (
                  <option key={segment} value={segment}>
                    {RFM_SEGMENT_LABELS[segment]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Churn risk">
            {({ id }) => (
              <select
                id={id}
                value={churnTier}
                onChange={(event) => {
                  setChurnTier(event.target.value as CustomerFilter['churnTier']);
                }}
              >
                <option value="">Any</option>
                {CHURN_TIERS.map((tier) => (
                  <option key={tier} value={tier}>
                    {CHURN_TIER_LABELS[tier]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Lifetime value">
            {({ id }) => (
              <select
                id={id}
                value={clvTop}
                onChange={(event) => {
                  setClvTop(Number(event.target.value));
                }}
              >
                {CLV_TOP.map((option) => (
                  <option key={option.top} value={option.top}>
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
              columns={customerColumns(business.id)}
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
