// The Outbox page's list of published pieces: every piece Herald has published for the business,
// whatever the channel — the Herald outbox (kept here), a webhook, Slack or email — newest first,
// each with what was published and a link to the piece and its campaign.
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';

import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import { type Business, keys } from '../api/queries';
import { DataTable } from '../components/data-table';
import { ErrorNotice } from '../components/error-notice';
import { Skeleton } from '../components/ui';
import { channelLabel, platformLabel, useCampaigns } from './campaigns/queries';
import { formatInZone } from './content/zoned-time';

export const publishedKey = (businessId: string) => [...keys.outbox(businessId), 'published'];

const text = (payload: Record<string, unknown>, key: string) =>
  typeof payload[key] === 'string' ? payload[key] : '';

/** The opening of what was published, whatever the platform's fields are called. */
function excerptOf(payload: Record<string, unknown>): string {
  const headlines = Array.isArray(payload.headlines) ? payload.headlines : [];
  const first =
    text(payload, 'text') ||
    text(payload, 'caption') ||
    text(payload, 'subject') ||
    text(payload, 'title') ||
    (typeof headlines[0] === 'string' ? headlines[0] : '');
  return first.length > 140 ? `${first.slice(0, 139)}…` : first;
}

export function PublishedPieces({ business }: { business: Business }) {
  const api = useApi();
  const campaigns = useCampaigns(business.id);
  const published = useInfiniteQuery({
    queryKey: publishedKey(business.id),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/publications', {
          params: {
            path: { businessId: business.id },
            query: { limit: 20, ...(pageParam ? { cursor: pageParam } : {}) },
          },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const items = published.data?.pages.flatMap((page) => page.items) ?? [];
  const campaignName = (id: string) =>
    campaigns.data?.items.find((campaign) => campaign.id === id)?.name;
  const base = `/businesses/${business.id}`;

  if (published.isPending)
    return <Skeleton lines={3} height={32} label="Loading what was published…" />;
  if (published.isError) {
    return (
      <ErrorNotice
        error={published.error}
        title="Could not load the published pieces"
        onRetry={() => void published.refetch()}
      />
    );
  }
  if (items.length === 0) {
    return (
      <p className="muted" data-testid="published-empty">
        Nothing published yet. Approve a piece and schedule it: once published it is listed here,
        whatever its channel.
      </p>
    );
  }
  return (
    <>
      <DataTable
        label="Published pieces"
        rows={items}
        rowKey={(publication) => publication.id}
        rowTestId="published-row"
        columns={[
          {
            header: 'Piece',
            cellClassName: 'outbox-break',
            cell: (publication) => {
              const excerpt = excerptOf(publication.payload);
              return (
                <>
                  <Link to={`${base}/content/${publication.contentId}`}>
                    {text(publication.payload, 'topic') || 'Untitled piece'}
                  </Link>
                  {excerpt && <div className="muted small">{excerpt}</div>}
                </>
              );
            },
          },
          {
            header: 'Platform',
            className: 'outbox-narrow-hide',
            cell: (publication) => platformLabel(text(publication.payload, 'platform')) || '—',
          },
          { header: 'Channel', cell: (publication) => channelLabel(publication.channel) },
          {
            header: 'Campaign',
            className: 'outbox-narrow-hide',
            cell: (publication) => {
              const id = text(publication.payload, 'campaignId');
              if (!id) return <span className="muted">—</span>;
              return (
                <Link to={`${base}/campaigns/${id}`}>
                  {campaignName(id) ?? 'Open the campaign'}
                </Link>
              );
            },
          },
          {
            header: 'Published',
            cell: (publication) => formatInZone(publication.createdAt, business.timezone),
          },
        ]}
      />
      {published.hasNextPage && (
        <p>
          <button
            type="button"
            className="button secondary"
            disabled={published.isFetchingNextPage}
            onClick={() => void published.fetchNextPage()}
          >
            {published.isFetchingNextPage ? 'Loading…' : 'Show older pieces'}
          </button>
        </p>
      )}
    </>
  );
}
