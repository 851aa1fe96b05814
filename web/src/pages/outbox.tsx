// The outbox: everything Herald has published or sent for the business. First the published
// pieces of every channel (the Herald outbox keeps a piece here; a webhook, Slack or email sends
// it on), then the emails Herald kept locally because no SMTP server is configured, each shown
// as a subscriber would see it, with its MIME source one click away.
import './outbox.css';

import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';

import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import { keys } from '../api/queries';
import { DataTable } from '../components/data-table';
import { ErrorNotice } from '../components/error-notice';
import { EmptyState, formatDateTime, PageHeader, Skeleton } from '../components/ui';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useScopedBusiness } from './business-scope';
import { OutboxMessageView } from './outbox-message';
import { PublishedPieces } from './outbox-published';

export function OutboxPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Outbox', business.name);
  const api = useApi();
  const queryClient = useQueryClient();
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
  const refreshing = queryClient.isFetching({ queryKey: keys.outbox(business.id) }) > 0;

  return (
    <>
      <PageHeader
        title="Outbox"
        description="Everything Herald has published or sent for this business: published pieces on every channel, and the emails kept here while no SMTP server is configured."
        actions={
          // Pieces publish and sequence emails go out in the background while the page is open.
          <button
            type="button"
            className="button secondary"
            disabled={refreshing}
            onClick={() =>
              void queryClient.invalidateQueries({ queryKey: keys.outbox(business.id) })
            }
          >
            {refreshing && !outbox.isPending ? 'Refreshing…' : 'Refresh'}
          </button>
        }
      />
      <section className="outbox-section" aria-labelledby="published-title">
        <h2 id="published-title">Published pieces</h2>
        <p className="muted small">
          Every published piece, whatever its channel. A piece published to the Herald outbox is
          kept here (and in the API) for you to post; the other channels sent it on.
        </p>
        <PublishedPieces business={business} />
      </section>
      <section className="outbox-section" aria-labelledby="emails-title">
        <h2 id="emails-title">Emails</h2>
        {outbox.isPending && <Skeleton lines={5} height={32} label="Loading the emails…" />}
        {outbox.isError && (
          <ErrorNotice
            error={outbox.error}
            title="Could not load the emails"
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
            // Only worth offering while the business has no sender of its own.
            {...(business.defaultSender
              ? {}
              : {
                  action: {
                    label: 'Set the email sender',
                    to: `/businesses/${business.id}/profile`,
                  },
                })}
          >
            <p>
              Emails appear here as soon as a sequence sends one, a piece is published by email, or
              you send a test. Without an SMTP server configured Herald keeps each message here
              instead of delivering it, so you can read exactly what subscribers would get.
            </p>
          </EmptyState>
        )}
        {entries.length > 0 && (
          <DataTable
            label="Emails"
            rows={entries}
            rowKey={(entry) => entry.id}
            rowTestId="outbox-row"
            columns={[
              { header: 'To', cellClassName: 'outbox-break', cell: (entry) => entry.to },
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
              openId === entry.id ? (
                <OutboxMessageView businessId={business.id} entryId={entry.id} />
              ) : null
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
      </section>
    </>
  );
}
