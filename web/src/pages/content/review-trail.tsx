// The review trail of a piece: who submitted, approved, sent back or scheduled it, and when the
// publisher published it, oldest first. Refetched whenever the piece's status changes.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';

import { unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { keys } from '../../api/queries';
import { ErrorNotice } from '../../components/error-notice';
import { Skeleton } from '../../components/ui';
import { formatDateTime } from '../../format/date-time';
import type { Content } from '../campaigns/queries';
import { describeTransition, timeAgo } from './review-trail-text';

export const transitionsKey = (businessId: string, contentId: string) =>
  [...keys.content(businessId), contentId, 'transitions'] as const;

function useTransitions(businessId: string, contentId: string) {
  const api = useApi();
  return useQuery({
    queryKey: transitionsKey(businessId, contentId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/contents/{contentId}/transitions', {
          params: { path: { businessId, contentId } },
          signal,
        }),
      ),
  });
}

export function ReviewTrail({ content }: { content: Content }) {
  const trail = useTransitions(content.businessId, content.id);
  // The publisher moves the piece while the page watches: follow its status.
  const { refetch } = trail;
  const seen = useRef(content.status);
  useEffect(() => {
    if (seen.current !== content.status) void refetch();
    seen.current = content.status;
  }, [content.status, refetch]);

  return (
    <section className="card" aria-labelledby="trail-title" data-testid="review-trail">
      <h2 id="trail-title">Review trail</h2>
      {trail.isPending && <Skeleton lines={2} label="Loading the review trail…" />}
      {trail.isError && (
        <ErrorNotice
          error={trail.error}
          title="Could not load the review trail"
          onRetry={() => void trail.refetch()}
        />
      )}
      {trail.isSuccess && trail.data.items.length === 0 && (
        <p className="muted" data-testid="trail-empty">
          No moves yet. Submitting the piece for review, approving and publishing it will be listed
          here with who did it.
        </p>
      )}
      {trail.isSuccess && trail.data.items.length > 0 && (
        <ol className="versions">
          {trail.data.items.map((transition) => (
            <li key={transition.id} data-testid="trail-entry">
              <span>{describeTransition(transition)}</span>
              <time
                className="muted small"
                dateTime={transition.createdAt}
                title={formatDateTime(transition.createdAt)}
              >
                {timeAgo(transition.createdAt)}
              </time>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
