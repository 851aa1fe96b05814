// One customer: who they are (identities, traits, the subscriber they are), what they did (the
// timeline through every identity they used), what they bought, their segments, and the
// privacy requests — a download of everything held on them, and erasure.
import './customers.css';

import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import { isFinished } from '../../api/queries';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, formatDateTime, PageHeader, Skeleton } from '../../components/ui';
import { statusLabel } from '../../format/labels';
import { formatCents } from '../../format/money';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { useJob } from '../../hooks/use-job';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import {
  type CustomerDetail,
  useCustomer,
  useCustomerEvents,
  useDeleteCustomer,
  useStartExport,
} from './customer-queries';
import { customerLabel } from './customers-page';

const IDENTITY_LABELS = { userId: 'User ID', anonymousId: 'Anonymous ID', email: 'Email' };

function money(cents: number, currency: string): string {
  try {
    return (cents / 100).toLocaleString(undefined, { style: 'currency', currency });
  } catch {
    return formatCents(cents);
  }
}

function traitText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function CustomerPage() {
  const business = useScopedBusiness();
  const { customerId = '' } = useParams();
  const customer = useCustomer(business.id, customerId);
  useDocumentTitle(customer.data ? customerLabel(customer.data) : 'Customer', business.name);

  if (customer.isPending) return <Skeleton lines={8} height={28} label="Loading the customer…" />;
  if (customer.isError) {
    return (
      <ErrorNotice
        error={customer.error}
        title="Could not load this customer"
        onRetry={() => void customer.refetch()}
      />
    );
  }
  const data = customer.data;
  return (
    <>
      <PageHeader
        title={customerLabel(data)}
        description={<Link to={`/businesses/${business.id}/customers`}>← All customers</Link>}
      />
      <div className="grid-two">
        <div className="stack">
          <Timeline businessId={business.id} customerId={customerId} />
          <Orders customer={data} />
        </div>
        <div className="stack">
          <Profile customer={data} businessId={business.id} />
          {can(business, 'business.manage') && <Privacy businessId={business.id} customer={data} />}
        </div>
      </div>
    </>
  );
}

function Profile({ customer, businessId }: { customer: CustomerDetail; businessId: string }) {
  const traits = Object.entries(customer.traits);
  return (
    <section className="card stack" aria-labelledby="customer-profile">
      <h2 id="customer-profile">Profile</h2>
      <dl className="customer-facts" data-testid="customer-stats">
        <dt>First seen</dt>
        <dd>{formatDateTime(customer.firstSeenAt)}</dd>
        <dt>Last seen</dt>
        <dd>{formatDateTime(customer.lastSeenAt)}</dd>
        <dt>Events</dt>
        <dd>{customer.eventCount.toLocaleString()}</dd>
        <dt>Orders</dt>
        <dd>{customer.orderCount.toLocaleString()}</dd>
        <dt>Revenue</dt>
        <dd>{formatCents(customer.revenueCents)}</dd>
      </dl>
      <h3>Identities</h3>
      <ul className="identity-list" data-testid="customer-identities">
        {customer.identities.map((identity) => (
          <li key={`${identity.kind}:${identity.value}`}>
            <span className="muted">{IDENTITY_LABELS[identity.kind]}:</span> {identity.value}
          </li>
        ))}
      </ul>
      <h3>Email list</h3>
      {customer.subscriber ? (
        <p data-testid="customer-subscriber">
          <Link
            to={`/businesses/${businessId}/subscribers?search=${encodeURIComponent(customer.subscriber.email)}`}
          >
            {customer.subscriber.email}
          </Link>{' '}
          <span className={`badge consent-${customer.subscriber.consentStatus}`}>
            {statusLabel(customer.subscriber.consentStatus)}
          </span>
        </p>
      ) : (
        <p className="muted">Not a subscriber.</p>
      )}
      <h3>Segments</h3>
      {customer.segments.length === 0 ? (
        <p className="muted">In no segment.</p>
      ) : (
        <ul className="identity-list">
          {customer.segments.map((segment) => (
            <li key={segment.id}>{segment.name}</li>
          ))}
        </ul>
      )}
      <h3>Traits</h3>
      {traits.length === 0 ? (
        <p className="muted">No traits yet (they come from identify calls).</p>
      ) : (
        <dl className="customer-facts" data-testid="customer-traits">
          {traits.map(([key, value]) => (
            <div key={key} style={{ display: 'contents' }}>
              <dt>{key}</dt>
              <dd>{traitText(value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

function Orders({ customer }: { customer: CustomerDetail }) {
  return (
    <section className="card stack" aria-labelledby="customer-orders">
      <h2 id="customer-orders">Orders</h2>
      {customer.recentOrders.length === 0 ? (
        <p className="muted">No orders.</p>
      ) : (
        <ul className="timeline" data-testid="customer-orders">
          {customer.recentOrders.map((order) => (
            <li key={order.id}>
              <span className="break">
                Order {order.orderId}{' '}
                {order.status !== 'completed' && (
                  <span className="badge">{statusLabel(order.status)}</span>
                )}
              </span>
              <strong>{money(order.totalCents - order.refundedCents, order.currency)}</strong>
              <span className="muted small">{formatDateTime(order.placedAt)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Timeline({ businessId, customerId }: { businessId: string; customerId: string }) {
  const events = useCustomerEvents(businessId, customerId);
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="card stack" aria-labelledby="customer-timeline">
      <h2 id="customer-timeline">Activity</h2>
      {events.isPending && <Skeleton lines={5} height={24} label="Loading the activity…" />}
      {events.isError && (
        <ErrorNotice
          error={events.error}
          title="Could not load the activity"
          onRetry={() => void events.refetch()}
        />
      )}
      {events.isSuccess && items.length === 0 && (
        <EmptyState title="No events">
          <p>Nothing has been tracked for this customer yet.</p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <ul className="timeline" data-testid="customer-timeline">
          {items.map((event) => (
            <li key={event.messageId} data-testid="timeline-event">
              <strong className="break">
                {event.type === 'track'
                  ? event.event
                  : event.type === 'page'
                    ? `Viewed page ${event.event ?? ''}`.trim()
                    : event.type === 'screen'
                      ? `Viewed screen ${event.event ?? ''}`.trim()
                      : statusLabel(event.type)}
              </strong>
              <span className="muted small">{formatDateTime(event.timestamp)}</span>
              {Object.keys(event.properties).length > 0 && (
                <code className="event-details muted">{JSON.stringify(event.properties)}</code>
              )}
            </li>
          ))}
        </ul>
      )}
      {events.hasNextPage && (
        <p>
          <button
            type="button"
            className="button secondary"
            disabled={events.isFetchingNextPage}
            onClick={() => void events.fetchNextPage()}
          >
            {events.isFetchingNextPage ? 'Loading…' : 'Show older'}
          </button>
        </p>
      )}
    </section>
  );
}

function Privacy({ businessId, customer }: { businessId: string; customer: CustomerDetail }) {
  const navigate = useNavigate();
  const startExport = useStartExport(businessId, customer.id);
  const remove = useDeleteCustomer(businessId, customer.id);
  const [jobId, setJobId] = useState<string | null>(null);
  const [suppress, setSuppress] = useState(true);
  const { job } = useJob(jobId);
  const document =
    job?.status === 'succeeded' ? (job.result as { document?: unknown } | null)?.document : null;
  const downloadUrl = document
    ? URL.createObjectURL(
        new Blob([JSON.stringify(document, null, 2)], { type: 'application/json' }),
      )
    : null;

  return (
    <section className="card stack danger-zone" aria-labelledby="customer-privacy">
      <h2 id="customer-privacy">Privacy requests</h2>
      <div>
        <button
          type="button"
          className="button secondary"
          disabled={startExport.isPending || (job !== null && !isFinished(job))}
          onClick={() => {
            startExport.mutate(undefined, {
              onSuccess: ({ job: started }) => {
                setJobId(started.id);
              },
            });
          }}
        >
          Export their data
        </button>
        {job && !isFinished(job) && (
          <p className="muted" role="status">
            Collecting everything held on this customer…
          </p>
        )}
        {job?.status === 'failed' && <p role="alert">The export failed. Try again.</p>}
        {downloadUrl && (
          <p role="status">
            <a href={downloadUrl} download={`customer-${customer.id}.json`}>
              Download the export (JSON)
            </a>
          </p>
        )}
        {startExport.isError && (
          <ErrorNotice error={startExport.error} title="Could not start the export" />
        )}
      </div>
      <div>
        <label className="customer-check">
          <input
            type="checkbox"
            checked={suppress}
            onChange={(event) => {
              setSuppress(event.target.checked);
            }}
          />{' '}
          Also ignore events about them from now on
        </label>
        <p>
          <button
            type="button"
            className="button customer-delete"
            disabled={remove.isPending}
            onClick={() => {
              if (
                !window.confirm(
                  `Delete ${customerLabel(customer)} and everything held on them (events, orders, subscriber record)? This cannot be undone.`,
                )
              ) {
                return;
              }
              remove.mutate(suppress, {
                onSuccess: () => {
                  void navigate(`/businesses/${businessId}/customers`);
                  remove.forget();
                },
              });
            }}
          >
            {remove.isPending ? 'Deleting…' : 'Delete this customer'}
          </button>
        </p>
        {remove.isError && (
          <ErrorNotice error={remove.error} title="Could not delete the customer" />
        )}
      </div>
    </section>
  );
}
