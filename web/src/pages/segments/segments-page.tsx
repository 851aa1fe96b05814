// Saved segments: each with its size and when membership was last recomputed, and a way to
// build a new one.
import './segments.css';

import { Link } from 'react-router';

import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, formatDateTime, PageHeader, Skeleton } from '../../components/ui';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import { useSegments } from './segment-queries';

export function SegmentsPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Segments', business.name);
  const segments = useSegments(business.id);
  const items = segments.data?.items ?? [];
  const mayEdit = can(business, 'content.write');

  return (
    <>
      <PageHeader
        title="Segments"
        description="Groups of customers defined by rules: traits, what they did, orders, email consent. Members are kept up to date within about a minute of new events."
        actions={
          mayEdit && (
            <Link className="button primary" to={`/businesses/${business.id}/segments/new`}>
              New segment
            </Link>
          )
        }
      />
      {segments.isPending && <Skeleton lines={4} height={48} label="Loading segments…" />}
      {segments.isError && (
        <ErrorNotice
          error={segments.error}
          title="Could not load the segments"
          onRetry={() => void segments.refetch()}
        />
      )}
      {segments.isSuccess && items.length === 0 && (
        <EmptyState title="No segments yet" testId="segments-empty">
          <p>
            A segment is a group of customers that keeps itself up to date, for example “pro plan,
            opened nothing in 90 days”. Use one as a broadcast’s audience or a sequence’s trigger.
          </p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <DataTable
          label="Segments"
          rows={items}
          rowKey={(segment) => segment.id}
          rowTestId="segment-row"
          columns={[
            {
              header: 'Segment',
              cell: (segment) => (
                <>
                  <Link to={`/businesses/${business.id}/segments/${segment.id}`}>
                    {segment.name}
                  </Link>
                  {segment.description && <div className="muted small">{segment.description}</div>}
                </>
              ),
            },
            {
              header: 'Customers',
              className: 'number',
              cell: (segment) => segment.size.toLocaleString(),
            },
            {
              header: 'Last updated',
              className: 'hide-narrow',
              cell: (segment) =>
                segment.refreshedAt ? formatDateTime(segment.refreshedAt) : 'Not yet computed',
            },
          ]}
        />
      )}
    </>
  );
}
