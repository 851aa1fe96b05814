// The business's broadcasts: one-off emails to a segment or everyone, with their status and how
// far sending has got.
import './broadcasts.css';

import { Link } from 'react-router';

import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, PageHeader, ProgressBar, Skeleton, StatusBadge } from '../../components/ui';
import { formatDateTime } from '../../format/date-time';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { useScopedBusiness } from '../business-scope';
import { useBroadcasts } from './broadcast-queries';

export function BroadcastsPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Broadcasts', business.name);
  const broadcasts = useBroadcasts(business.id);
  const items = broadcasts.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Broadcasts"
        description="One email to a segment or all your subscribers, sent once each — now, later, or at their own local time."
        actions={
          <>
            <Link className="button primary" to={`/businesses/${business.id}/broadcasts/new`}>
              New broadcast
            </Link>
            <Link className="button secondary" to={`/businesses/${business.id}/templates`}>
              Email templates
            </Link>
          </>
        }
      />
      {broadcasts.isPending && <Skeleton lines={4} height={48} label="Loading broadcasts…" />}
      {broadcasts.isError && (
        <ErrorNotice
          error={broadcasts.error}
          title="Could not load the broadcasts"
          onRetry={() => void broadcasts.refetch()}
        />
      )}
      {broadcasts.isSuccess && items.length === 0 && (
        <EmptyState title="No broadcasts yet" testId="broadcasts-empty">
          <p>
            A broadcast is a single email — a newsletter, an announcement, a sale. Write it, pick
            who gets it, send a test to yourself, then send it or schedule it.
          </p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <DataTable
          label="Broadcasts"
          rows={items}
          rowKey={(item) => item.id}
          rowTestId="broadcast-row"
          columns={[
            {
              header: 'Broadcast',
              cell: (item) => (
                <>
                  <Link to={`/businesses/${business.id}/broadcasts/${item.id}`}>{item.name}</Link>
                  {item.abTest && (
                    <div className="muted small">
                      A/B test{item.winner ? ` · variant ${item.winner} won` : ''}
                    </div>
                  )}
                </>
              ),
            },
            { header: 'Status', cell: (item) => <StatusBadge status={item.status} /> },
            {
              header: 'Progress',
              cell: (item) =>
                item.progress.total > 0 ? (
                  <div className="bc-progress">
                    <ProgressBar
                      value={Math.round((item.progress.done / item.progress.total) * 100)}
                      label={`${item.name}: sending progress`}
                    />
                    <span className="muted small">
                      {item.progress.done.toLocaleString()} / {item.progress.total.toLocaleString()}
                    </span>
                  </div>
                ) : (
                  <span className="muted small">—</span>
                ),
            },
            {
              header: 'When',
              className: 'hide-narrow',
              cell: (item) =>
                item.status === 'sent'
                  ? `Finished ${formatDateTime(item.finishedAt, business.timezone)}`
                  : item.scheduledAt
                    ? formatDateTime(item.scheduledAt, business.timezone)
                    : 'Not scheduled',
            },
          ]}
        />
      )}
    </>
  );
}
