// Subscribers of the business: search and consent filter, add and edit one, and the CSV import
// with its progress and per-row error report. Enrolling them happens on a sequence's page.
import '../sequences/sequences.css';

import { useDeferredValue, useState } from 'react';
import { Link, useSearchParams } from 'react-router';

import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, Field, formatDateTime, PageHeader, Skeleton } from '../../components/ui';
import { statusLabel } from '../../format/labels';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import { CsvImport } from './csv-import';
import { SubscriberForm } from './subscriber-form';
import {
  CONSENT_STATUSES,
  type ConsentStatus,
  type Subscriber,
  useSubscribers,
} from './subscriber-queries';

export function SubscribersPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Subscribers', business.name);
  const [searchParams] = useSearchParams();
  const [search, setSearch] = useState(searchParams.get('search') ?? '');
  const [consentStatus, setConsentStatus] = useState<ConsentStatus | ''>('');
  // Typing stays responsive; the list follows a moment later.
  const deferredSearch = useDeferredValue(search);
  const filter = { search: deferredSearch, consentStatus };
  const subscribers = useSubscribers(business.id, filter);
  const [editing, setEditing] = useState<Subscriber | 'new' | null>(null);
  const items = subscribers.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = deferredSearch.trim() !== '' || consentStatus !== '';
  const write = can(business, 'content.write');

  return (
    <>
      <PageHeader
        title="Subscribers"
        description="The people this business emails, with their consent. Unsubscribed addresses are never sent to."
        actions={
          editing === null &&
          write && (
            <button
              type="button"
              className="button primary"
              onClick={() => {
                setEditing('new');
              }}
            >
              Add subscriber
            </button>
          )
        }
      />
      {editing !== null && (
        <SubscriberForm
          businessId={business.id}
          subscriber={editing === 'new' ? null : editing}
          onDone={() => {
            setEditing(null);
          }}
        />
      )}
      <div className="seq-columns">
        <div className="stack">
          <div className="toolbar" role="search">
            <Field label="Search">
              {({ id }) => (
                <input
                  id={id}
                  type="search"
                  placeholder="Email or name"
                  value={search}
                  onChange={(event) => {
                    setSearch(event.target.value);
                  }}
                />
              )}
            </Field>
            <Field label="Consent">
              {({ id }) => (
                <select
                  id={id}
                  value={consentStatus}
                  onChange={(event) => {
                    setConsentStatus(event.target.value as ConsentStatus | '');
                  }}
                >
                  <option value="">Any</option>
                  {CONSENT_STATUSES.map((status) => (
                    <option key={status.value} value={status.value}>
                      {status.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          {subscribers.isPending && <Skeleton lines={6} height={32} label="Loading subscribers…" />}
          {subscribers.isError && (
            <ErrorNotice
              error={subscribers.error}
              title="Could not load the subscribers"
              onRetry={() => void subscribers.refetch()}
            />
          )}
          {subscribers.isSuccess && items.length === 0 && !filtered && (
            <EmptyState title="No subscribers yet" testId="subscribers-empty">
              <p>
                Add people one by one, or import a CSV file with an email column. Then enroll them
                in a <Link to={`/businesses/${business.id}/sequences`}>sequence</Link>.
              </p>
            </EmptyState>
          )}
          {subscribers.isSuccess && items.length === 0 && filtered && (
            <p className="muted" role="status" data-testid="subscribers-no-match">
              No subscriber matches this search.
            </p>
          )}
          {items.length > 0 && (
            <DataTable
              label="Subscribers"
              rows={items}
              rowKey={(subscriber) => subscriber.id}
              rowTestId="subscriber-row"
              columns={[
                {
                  header: 'Email',
                  cellClassName: 'break',
                  cell: (subscriber) => (
                    <>
                      {subscriber.email}
                      {subscriber.customerId && (
                        <div className="small">
                          <Link
                            to={`/businesses/${business.id}/customers/${subscriber.customerId}`}
                            aria-label={`Customer profile of ${subscriber.email}`}
                          >
                            Customer profile
                          </Link>
                        </div>
                      )}
                    </>
                  ),
                },
                {
                  header: 'Name',
                  cell: (subscriber) =>
                    [subscriber.firstName, subscriber.lastName].filter(Boolean).join(' ') || '—',
                },
                {
                  header: 'Consent',
                  cell: (subscriber) => (
                    <span className={`badge consent-${subscriber.consentStatus}`}>
                      {statusLabel(subscriber.consentStatus)}
                    </span>
                  ),
                },
                {
                  header: 'Source',
                  className: 'hide-narrow',
                  cell: (subscriber) => subscriber.source,
                },
                {
                  header: 'Added',
                  className: 'hide-narrow',
                  cell: (subscriber) => formatDateTime(subscriber.createdAt),
                },
                {
                  header: <span className="visually-hidden">Actions</span>,
                  cell: (subscriber) =>
                    write && (
                      <button
                        type="button"
                        className="button link"
                        aria-label={`Edit ${subscriber.email}`}
                        onClick={() => {
                          setEditing(subscriber);
                        }}
                      >
                        Edit
                      </button>
                    ),
                },
              ]}
            />
          )}
          {subscribers.hasNextPage && (
            <p>
              <button
                type="button"
                className="button secondary"
                disabled={subscribers.isFetchingNextPage}
                onClick={() => void subscribers.fetchNextPage()}
              >
                {subscribers.isFetchingNextPage ? 'Loading…' : 'Show more'}
              </button>
            </p>
          )}
        </div>
        {write && <CsvImport businessId={business.id} />}
      </div>
    </>
  );
}
