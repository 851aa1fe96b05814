// The outbox: the emails Herald kept locally because no SMTP server is configured, so a
// marketer can read exactly what would have been sent (the whole MIME message) before going live.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';

import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import { keys } from '../api/queries';
import { DataTable } from '../components/data-table';
import { ErrorNotice } from '../components/error-notice';
import { EmptyState, formatDateTime, PageHeader, Skeleton } from '../components/ui';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useScopedBusiness } from './business-scope';

export function OutboxPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Outbox', business.name);
  const api = useApi();
  const [openId, setOpenId] = useState<string | null>(null);
  const outbox = useInfiniteQuery({
    queryKey: keys.outbox(business.id),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/outbox', {
          params: {
            path: { businessId: business.id },
            query: { limit: 20, ...(pageParam ? { cursor: pageParam } : {}) },
          },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const pages = outbox.data?.pages ?? [];
  const entries = pages.flatMap((page) => page.items);
  const enabled = pages[0]?.enabled ?? true;

  return (
    <>
      <PageHeader
        title="Outbox"
        description="Emails Herald sends for this business, kept here while no SMTP server is configured."
        actions={
          // Sequence emails arrive while the page is open: the dispatcher sends in the background.
          <button
            type="button"
            className="button secondary"
            disabled={outbox.isFetching}
            onClick={() => void outbox.refetch()}
          >
            {outbox.isFetching && !outbox.isPending ? 'Refreshing…' : 'Refresh'}
          </button>
        }
      />
      {outbox.isPending && <Skeleton lines={5} height={32} label="Loading the outbox…" />}
      {outbox.isError && (
        <ErrorNotice
          error={outbox.error}
          title="Could not load the outbox"
          onRetry={() => void outbox.refetch()}
        />
      )}
      {outbox.isSuccess && !enabled && (
        <p className="notice info" role="status">
          Email goes to your SMTP server, so nothing is kept here. Delivery results are on each
          sequence’s analytics.
        </p>
      )}
      {outbox.isSuccess && enabled && entries.length === 0 && (
        <EmptyState
          title="No messages yet"
          testId="outbox-empty"
          action={{ label: 'Set the email sender', to: `/businesses/${business.id}/profile` }}
        >
          <p>
            Emails appear here as soon as a sequence sends one (or you send a test). Without an SMTP
            server configured Herald keeps each message here instead of delivering it, so you can
            read exactly what subscribers would get.
          </p>
        </EmptyState>
      )}
      {entries.length > 0 && (
        <DataTable
          label="Outbox"
          rows={entries}
          rowKey={(entry) => entry.id}
          rowTestId="outbox-row"
          columns={[
            { header: 'To', cell: (entry) => entry.to },
            {
              header: 'Subject',
              cell: (entry) => (
                <button
                  type="button"
                  className="button link"
                  aria-expanded={openId === entry.id}
                  onClick={() => {
                    setOpenId((current) => (current === entry.id ? null : entry.id));
                  }}
                >
                  {entry.subject || '(no subject)'}
                </button>
              ),
            },
            { header: 'Kept', cell: (entry) => formatDateTime(entry.createdAt) },
            {
              header: 'Size',
              className: 'number',
              cell: (entry) => `${Math.max(1, Math.round(entry.sizeBytes / 1024))} KB`,
            },
          ]}
          detail={(entry) =>
            openId === entry.id ? <OutboxMessageView entryId={entry.id} /> : null
          }
        />
      )}
      {outbox.hasNextPage && (
        <p>
          <button
            type="button"
            className="button secondary"
            disabled={outbox.isFetchingNextPage}
            onClick={() => void outbox.fetchNextPage()}
          >
            {outbox.isFetchingNextPage ? 'Loading…' : 'Show older messages'}
          </button>
        </p>
      )}
    </>
  );
}

function OutboxMessageView({ entryId }: { entryId: string }) {
  const business = useScopedBusiness();
  const api = useApi();
  const message = useQuery({
    queryKey: [...keys.outbox(business.id), entryId],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/outbox/{outboxMessageId}', {
          params: { path: { businessId: business.id, outboxMessageId: entryId } },
          signal,
        }),
      ),
    staleTime: Infinity, // a kept message never changes
  });
  if (message.isPending) return <Skeleton lines={4} label="Loading the message…" />;
  if (message.isError) {
    return <ErrorNotice error={message.error} onRetry={() => void message.refetch()} />;
  }
  return (
    <div className="mime">
      <p className="muted small">
        From {message.data.entry.from} · Message-ID {message.data.entry.messageId}
      </p>
      <pre tabIndex={0} aria-label="The whole email as sent (MIME source)">
        {message.data.raw}
      </pre>
    </div>
  );
}
